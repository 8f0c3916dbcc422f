"""The MIME type of an upload that does not give one: guessed from the file's name, or refused."""

from __future__ import annotations

import mimetypes

from ..errors import UnknownMimeTypeError


def guess_mime_type(path: str | None) -> str:
    if path is None:
        raise UnknownMimeTypeError(
            "bytes and streams carry no file name to guess a MIME type from:"
            " pass config={'mime_type': ...}, e.g. 'image/jpeg'"
        )
    mime_type, _ = mimetypes.guess_type(path)
    if mime_type is None:
        raise UnknownMimeTypeError(
            f"could not determine the MIME type of {path!r} from its name:"
            " pass config={'mime_type': ...}, e.g. 'text/plain'"
        )
    return mime_type
