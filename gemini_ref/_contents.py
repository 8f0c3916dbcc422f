"""Turning what users pass as ``contents`` into the list of turns the API expects.

The rules are the official SDK's (``_transformers.t_contents``), so the guide's examples send the
same turns:

* ``"Hello"`` is one user turn with one text part;
* a ``Part`` (or a part dict) is one user turn holding it;
* a list of strings and parts (``["Describe", image_part]``) is **one** user turn holding all of
  them, in order; consecutive function-call parts become a ``model`` turn of their own;
* a ``Content`` (or a dict with ``parts``/``role``) is kept as a turn, and so is a nested list;
* dicts may use camelCase or snake_case keys;
* an uploaded ``File`` (what ``files.upload`` returns) is a part referring to it,
  ``{"fileData": {"fileUri": file.uri, "mimeType": file.mime_type}}``;
* a PIL image (``PIL.Image.Image``) is an inline part, encoded as the SDK's ``pil_to_blob`` does
  (see ``pil_to_part``).

Anything else raises a ``TypeError`` naming the type.

Images are checked on the way, so a request the API would refuse for its images fails here,
with a typed error, before any byte is sent (the official SDK checks none of this):

* an inline part whose MIME type is ``image/*`` must be one of ``SUPPORTED_IMAGE_TYPES``, the
  guide's list (``UnsupportedImageTypeError``); ``fileData`` parts are left to the service,
  which knows what it stored;
* ``check_request_limits``, run on every ``generateContent`` request (``_calls``): at most
  ``MAX_IMAGES`` images (inline or uploaded) in one request (``TooManyImagesError``), and at most
  ``MAX_INLINE_BYTES`` of inline data (``InlineDataTooLargeError``).

The 20 MB limit is on the inline data **as sent**: base64, so 4/3 of the raw bytes (a 16 MB
JPEG is 21.3 MB in the request). It is read as 20 MiB, 20,971,520 bytes; the guide only says
"20MB". The prompt's text and the JSON around the data count towards the service's limit too,
but are not added here: the check is about the data that should have been uploaded with
``client.files.upload``, and a request within a few kilobytes of the limit is the service's to
judge. ``countTokens`` requests get the MIME type check only, not the two limits.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from ._wire import from_wire
from .errors import (
    ImageEncodingError,
    InlineDataTooLargeError,
    TooManyImagesError,
    UnsupportedImageTypeError,
)
from .types import Blob, Content, File, Part

if TYPE_CHECKING:
    from PIL import Image

SUPPORTED_IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")
"""The image MIME types the API takes (the guide's "Supported image formats")."""
MAX_IMAGES = 3600
"""Images (inline or uploaded) one request may hold: the guide's "maximum of 3,600 image files"."""
MAX_INLINE_BYTES = 20 * 1024 * 1024
"""Inline data one request may hold, as sent (base64): 20 MB."""

# What the SDK's pil_to_blob keeps as JPEG; any other mode of a JPEG file is re-encoded as PNG.
_JPEG_MODES = ("1", "L", "RGB", "RGBX", "CMYK")
_MISSPELLED = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}

PartLike: TypeAlias = str | Part | File | dict[str, Any]
ContentLike: TypeAlias = Content | PartLike | Sequence[PartLike]
ContentsLike: TypeAlias = ContentLike | Sequence[ContentLike]


def to_part(value: Any) -> Part:
    """One ``Part`` from a string, a ``Part``, a part dict, an uploaded ``File`` or a PIL image."""
    if isinstance(value, str):
        return Part(text=value)
    if isinstance(value, Part | dict):
        return checked_part(from_wire(Part, value, strict=True))
    if isinstance(value, File):
        # As the SDK: both are needed, and a File from files.list or files.get has them.
        if not value.uri or not value.mime_type:
            raise ValueError(
                f"the File {value.name!r} has no uri or no mime_type, so it cannot be a part"
            )
        return Part.from_uri(file_uri=value.uri, mime_type=value.mime_type)
    if is_pil_image(value):
        return pil_to_part(value)
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    hint = " (of Pillow's objects, only a PIL.Image.Image is an image)" if "PIL" in kind else ""
    raise TypeError(
        f"cannot send a {kind} as a part{hint}; pass a str, a types.Part (e.g."
        " types.Part.from_bytes(data=..., mime_type=...)), an uploaded types.File, a PIL image"
        " or a dict"
    )


def pil_to_part(image: Image.Image) -> Part:
    """An inline part holding ``image``, encoded exactly as the SDK's ``pil_to_blob``.

    PNG, except for an image read from a JPEG file (``format == "JPEG"``, a ``filename``, a mode
    JPEG can hold), which is saved again as JPEG with its own quantisation tables
    (``quality="keep"``). So ``Image.open("photo.jpg")`` goes as ``image/jpeg``, while a JPEG
    opened from bytes (no file name), a copy, or a new image goes as ``image/png``. An image
    Pillow cannot save that way (a mode PNG cannot hold, such as ``CMYK`` or ``F``; a closed
    image) raises ``ImageEncodingError`` with Pillow's error as the cause.
    """
    as_jpeg = (
        image.format == "JPEG"
        and bool(getattr(image, "filename", ""))
        and image.mode in _JPEG_MODES
    )
    image_format = "JPEG" if as_jpeg else "PNG"
    options: dict[str, Any] = {"quality": "keep"} if as_jpeg else {}
    buffer = io.BytesIO()
    try:
        image.save(buffer, image_format, **options)
    except (OSError, ValueError, KeyError) as exc:
        raise ImageEncodingError(
            f"cannot send this PIL image (mode {image.mode!r}, size {image.size}) as"
            f" {image_format}: {exc}; convert it first, e.g. image.convert('RGB')"
        ) from exc
    return Part(inline_data=Blob(data=buffer.getvalue(), mime_type=f"image/{image_format.lower()}"))


def is_pil_image(value: Any) -> bool:
    # Lazily: a PIL image exists only once PIL.Image was imported, so nothing is imported here,
    # and Pillow stays an optional dependency.
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(value, module.Image)


def checked_part(part: Part) -> Part:
    """``part``, if its inline data is not an image of a type the API refuses."""
    blob = part.inline_data
    if blob is None or blob.mime_type is None:
        return part
    media_type = _media_type(blob.mime_type)
    if media_type.startswith("image/") and media_type not in SUPPORTED_IMAGE_TYPES:
        fix = _MISSPELLED.get(media_type)
        hint = f" (did you mean {fix!r}?)" if fix else ""
        raise UnsupportedImageTypeError(
            f"{blob.mime_type!r} is not an image type the Gemini API takes{hint}; supported:"
            f" {', '.join(SUPPORTED_IMAGE_TYPES)}. Convert the image (with Pillow, or pass the"
            " PIL image itself, sent as PNG)",
            mime_type=blob.mime_type,
            supported=SUPPORTED_IMAGE_TYPES,
        )
    return part


def check_request_limits(turns: Iterable[Content | None]) -> None:
    """Refuse a request holding more than ``MAX_IMAGES`` images or ``MAX_INLINE_BYTES`` inline.

    ``turns`` are everything the request sends: its contents and its system instruction.
    """
    images = 0
    inline_bytes = 0
    for turn in turns:
        for part in (turn.parts if turn is not None else None) or ():
            if part.inline_data is not None:
                inline_bytes += base64_size(len(part.inline_data.data or b""))
                images += _is_image(part.inline_data.mime_type)
            elif part.file_data is not None:
                images += _is_image(part.file_data.mime_type)
    if images > MAX_IMAGES:
        raise TooManyImagesError(
            f"the request holds {images:,} images; the Gemini API takes at most {MAX_IMAGES:,}"
            " per request: split it into several requests",
            count=images,
            limit=MAX_IMAGES,
        )
    if inline_bytes > MAX_INLINE_BYTES:
        raise InlineDataTooLargeError(
            f"the request's inline data is {inline_bytes:,} bytes as sent (base64), over the"
            f" {MAX_INLINE_BYTES:,} bytes (20 MB) the Gemini API takes in one request; upload"
            " large files with client.files.upload(file=...) and pass the File it returns in"
            " contents instead",
            size=inline_bytes,
            limit=MAX_INLINE_BYTES,
        )


def base64_size(size: int) -> int:
    """The length of ``size`` bytes in padded base64: 4 characters per started 3 bytes."""
    return 4 * -(-size // 3)


def _is_image(mime_type: str | None) -> bool:
    return mime_type is not None and _media_type(mime_type).startswith("image/")


def _media_type(mime_type: str) -> str:
    # MIME types are case-insensitive, and parameters (";charset=...") don't change the type.
    return mime_type.split(";", 1)[0].strip().lower()


def to_content(value: Any) -> Content:
    """One turn, as ``system_instruction`` takes it: a string, a part, a list of parts or a turn."""
    if isinstance(value, Content) or _is_content_dict(value):
        content = from_wire(Content, value, strict=True)
        for part in content.parts or ():
            checked_part(part)
        return content
    if isinstance(value, list | tuple):
        return Content(role="user", parts=[to_part(item) for item in value])
    return _turn_of([to_part(value)])


def to_contents(value: Any) -> list[Content]:
    """The ``contents`` list of a request, from anything ``generate_content`` accepts."""
    if value is None or (isinstance(value, list | tuple) and not value):
        raise ValueError("contents are required: pass a string, a Part, a Content or a list")
    if not isinstance(value, list | tuple):
        return [to_content(value)]
    turns: list[Content] = []
    pending: list[Part] = []  # consecutive parts, waiting to become one turn
    for item in value:
        if isinstance(item, Content | list | tuple) or _is_content_dict(item):
            turns.extend(_flush(pending))
            turns.append(to_content(item))
            continue
        part = to_part(item)
        if pending and _is_model_part(part) != _is_model_part(pending[0]):
            turns.extend(_flush(pending))
        pending.append(part)
    turns.extend(_flush(pending))
    return turns


def _flush(pending: list[Part]) -> list[Content]:
    if not pending:
        return []
    turn = _turn_of(list(pending))
    pending.clear()
    return [turn]


def _turn_of(parts: list[Part]) -> Content:
    # A function call is something the model said; everything else is the user's.
    role = "model" if all(_is_model_part(part) for part in parts) else "user"
    return Content(role=role, parts=parts)


def _is_model_part(part: Part) -> bool:
    return part.function_call is not None


def _is_content_dict(value: Any) -> bool:
    return isinstance(value, dict) and ("parts" in value or "role" in value)
