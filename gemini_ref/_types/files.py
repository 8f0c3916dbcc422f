"""The ``File`` resource (``files.upload``, ``files.get``), its listing and its deletion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import Base


@dataclass(kw_only=True, repr=False, eq=False)
class FileStatus(Base):
    """Why a file's processing failed (``google.rpc.Status``)."""

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class File(Base):
    """A file uploaded with ``files.upload``; put it in ``contents`` to use it in a prompt.

    ``size_bytes`` is an ``int`` (the wire sends a string) and the three times are timezone-aware
    ``datetime`` values in UTC, as in the SDK (the service's nanoseconds are cut to
    microseconds). ``state`` is a ``FileState`` value, ``source`` a ``FileSource`` value.
    """

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    expiration_time: datetime | None = None
    sha256_hash: str | None = None
    """Base64, as the service sends it (of the lowercase hex digest, in the recordings)."""
    uri: str | None = None
    download_uri: str | None = None
    state: str | None = None
    source: str | None = None
    error: FileStatus | None = None
    video_metadata: dict[str, Any] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListFilesResponse(Base):
    files: list[File] | None = None
    next_page_token: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class DeleteFileResponse(Base):
    """The (empty) answer to ``files.delete``."""
