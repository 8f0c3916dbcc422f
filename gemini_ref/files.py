"""``client.files`` and ``client.aio.files``: upload files to use in prompts, list and delete them.

::

    my_file = client.files.upload(file="path/to/sample.jpg")
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents=[my_file, "Caption this image."]
    )

Uploads are resumable (see ``_upload``): the file is sent in 8 MiB chunks, read from the disk
or the stream one at a time, and a chunk that fails is recovered from where the service says
it stands, up to ``max_retries`` times in a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._caller import AsyncCaller, Caller
from ._calls import delete_file, get_file, list_files
from ._upload import (
    CHUNK_SIZE,
    MAX_RETRIES,
    RETRY_DELAY,
    FileInput,
    ProgressCallback,
    Upload,
)
from .pagers import AsyncPager, Pager
from .types import DeleteFileResponse, File, ListFilesConfig, UploadFileConfig

__all__ = ["CHUNK_SIZE", "MAX_RETRIES", "RETRY_DELAY", "AsyncFiles", "Files"]

UploadConfigLike = UploadFileConfig | Mapping[str, Any]
ListConfigLike = ListFilesConfig | Mapping[str, Any]


class Files:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def upload(
        self,
        *,
        file: FileInput,
        config: UploadConfigLike | None = None,
        progress: ProgressCallback | None = None,
        chunk_size: int = CHUNK_SIZE,
        max_retries: int = MAX_RETRIES,
        retry_delay: float = RETRY_DELAY,
    ) -> File:
        """Upload ``file`` and return its ``File``, ready to put in ``contents``.

        ``file`` is a path, ``bytes`` (or a ``bytearray`` / ``memoryview``), or a file object
        open in binary mode; a stream is uploaded from its current position to its end, and one
        that cannot seek needs ``config.size_bytes``. ``config`` (a ``types.UploadFileConfig`` or
        a dict) sets ``mime_type`` (guessed from a path's name when not given; required for
        bytes and streams, else ``errors.UnknownMimeTypeError``), ``display_name`` and ``name``
        (the file's ID, ``"my-id"`` or ``"files/my-id"``).

        Not in the official SDK: ``progress(bytes_confirmed, total)`` is called each time the
        service confirms more bytes; ``chunk_size`` (keep it a multiple of 8 MiB with the real
        service, whose granularity that is); ``max_retries`` recovery attempts in a row, the
        first ``retry_delay`` seconds after the failure and each next one twice as long.

        Errors: the ``APIError`` of a non-200 start or a 4xx chunk; ``errors.UploadError``
        (``offset`` is the bytes the service holds) when the retries run out or the file
        changed; ``errors.UploadProtocolError`` when the upload server strays from the protocol.
        """
        upload = Upload(
            self._caller.settings,
            file,
            config,
            progress=progress,
            chunk_size=chunk_size,
            max_retries=max_retries,
            retry_delay=retry_delay,
        )
        return self._caller.upload(upload)

    def get(self, *, name: str) -> File:
        """The file's metadata (``state``, ``uri``…), by ``name``: ``"files/abc"`` or ``"abc"``."""
        return self._caller.send(get_file(name))

    def list(self, *, config: ListConfigLike | None = None) -> Pager[File]:
        """Every file of the project; iterating the pager fetches further pages as needed."""
        return self._caller.pager(list_files(config))

    def delete(self, *, name: str) -> DeleteFileResponse:
        """Delete the file ``name`` (``"files/abc"`` or ``"abc"``)."""
        return self._caller.send(delete_file(name))


class AsyncFiles:
    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def upload(
        self,
        *,
        file: FileInput,
        config: UploadConfigLike | None = None,
        progress: ProgressCallback | None = None,
        chunk_size: int = CHUNK_SIZE,
        max_retries: int = MAX_RETRIES,
        retry_delay: float = RETRY_DELAY,
    ) -> File:
        """As ``client.files.upload``; file and stream reads run in a worker thread."""
        upload = Upload(
            self._caller.settings,
            file,
            config,
            progress=progress,
            chunk_size=chunk_size,
            max_retries=max_retries,
            retry_delay=retry_delay,
        )
        return await self._caller.upload(upload)

    async def get(self, *, name: str) -> File:
        """The file's metadata (``state``, ``uri``…), by ``name``: ``"files/abc"`` or ``"abc"``."""
        return await self._caller.send(get_file(name))

    async def list(self, *, config: ListConfigLike | None = None) -> AsyncPager[File]:
        """Every file of the project; ``async for`` over the pager fetches further pages."""
        return await self._caller.pager(list_files(config))

    async def delete(self, *, name: str) -> DeleteFileResponse:
        """Delete the file ``name`` (``"files/abc"`` or ``"abc"``)."""
        return await self._caller.send(delete_file(name))
