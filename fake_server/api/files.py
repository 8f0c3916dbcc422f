"""The files resource: ``files.get``, ``files.list`` and ``files.delete``, and the files a
generate request names (each must exist, be ACTIVE and, if an image, be one), and what they
cost: the token counter reads the stored bytes it needs (docs/tokens.md). Uploading is
:mod:`.uploads`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..fixtures.uploads import FILE_URI, KnownFile, named_files
from ..http.adapter import ApiCall
from ..model import images, media
from ..model.media_tokens import MediaCosts
from ..model.tokens import FileTokens
from ..protocol.errors import ApiError, invalid_argument, permission_denied
from ..protocol.limits import SUPPORTED_MIME_TYPES
from ..store import FileStore, StoredFile

FILES_PAGE_SIZE, FILES_PAGE_SIZE_MAX = 10, 100


def no_such_file(file_id: str) -> str:
    """What the service says of a file that does not exist, or is not the caller's."""
    return f"You do not have permission to access the File {file_id} or it may not exist."


def find(store: FileStore, file_id: str) -> StoredFile:
    stored = store.get(file_id)
    if stored is None:
        raise permission_denied(no_such_file(file_id))
    return stored


async def get_file(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "files"
    store = call.state.store
    return find(store, call.request.path_params["file"]).resource(store.clock())


async def delete_file(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "files"
    store, file_id = call.state.store, call.request.path_params["file"]
    find(store, file_id)
    store.delete(file_id)
    return {}


async def list_files(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "files"
    store = call.state.store
    page, body = call.offset_page(list(store.files()), FILES_PAGE_SIZE, FILES_PAGE_SIZE_MAX)
    if page:
        body = {"files": [f.resource(store.clock()) for f in page], **body}
    return body


def file_ids(request: dict[str, Any]) -> list[str]:
    """The ids of the files a request's ``fileData`` parts name (any URI ending in
    ``files/<id>``).

    A request naming files has an answer that depends on the store: it must not be remembered.
    """
    return [name.removeprefix("files/") for name in named_files(request)]


def uploaded(store: FileStore) -> Callable[[str], KnownFile | None]:
    """What matching knows of an uploaded file, by its id (:mod:`fake_server.fixtures.uploads`)."""

    def describe(file_id: str) -> KnownFile | None:
        stored = store.get(file_id)
        if stored is None:
            return None
        order = store.upload_order(file_id)
        return KnownFile(f"files/{file_id}", stored.sha256_hash, stored.display_name, order)

    return describe


def check_files(file_ids: list[str], store: FileStore, *, media: bool = True) -> None:
    """Every named file must exist and be ACTIVE; a request's media (``media``, not a batch's
    input file) of a type the models take (an upload takes any: docs/files.md#mime-types),
    and an image must be one."""
    for file_id in file_ids:
        stored = find(store, file_id)
        if stored.state(store.clock()) != "ACTIVE":
            raise ApiError(
                400,
                "FAILED_PRECONDITION",
                f"The File {stored.file_id} is not in an ACTIVE state and usage is not allowed.",
            )
        if media:
            check_media_type(stored)
        _image_size(store, stored)


def check_media_type(stored: StoredFile) -> None:
    """The 400 for a file the models do not take: an upload takes any type, a request that
    uses the file is refused (docs/files.md#mime-types)."""
    if stored.mime_type.split(";", 1)[0].strip().lower() not in SUPPORTED_MIME_TYPES:
        raise invalid_argument(f"Unsupported MIME type: {stored.mime_type}")


def _image_size(store: FileStore, stored: StoredFile) -> tuple[int, int] | None:
    if not stored.mime_type.startswith("image/"):
        return None
    with store.data_path(stored.file_id).open("rb") as data:
        head = data.read(images.HEADER_BYTES)
    try:
        return images.dimensions(head, stored.mime_type)
    except images.NotAnImage:
        raise invalid_argument(images.INVALID_IMAGE) from None


class StoredBytes:
    """An uploaded file's bytes as a :class:`fake_server.model.media.Source`: each read opens
    the file and reads just that slice."""

    def __init__(self, path: Path, size: int) -> None:
        self.path, self.size = path, size

    def read(self, offset: int, length: int) -> bytes:
        if length <= 0 or offset >= self.size:
            return b""
        with self.path.open("rb") as data:
            data.seek(max(0, offset))
            return data.read(length)


def file_tokens(store: FileStore, family: str = "2.5") -> FileTokens:
    """What counting a request needs of the store: the bytes of the files its ``fileData``
    parts name, and the model's family (``ModelInfo.family``), on which the rates depend."""

    def open_file(file_data: dict[str, Any]) -> tuple[str, media.Source] | None:
        match = FILE_URI.search(str(file_data.get("fileUri", "")))
        stored = store.get(match.group(1).removeprefix("files/")) if match else None
        if stored is None:
            return None
        path = store.data_path(stored.file_id)
        try:
            size = path.stat().st_size
        except OSError:
            return None
        return stored.mime_type, StoredBytes(path, size)

    return MediaCosts(family, open_file)
