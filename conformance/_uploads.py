"""The resumable upload protocol (docs/files.md, docs/evidence.md#sdk-upload-protocol), written once
for every test and benchmark that speaks it: the requests a client sends, and a model of what the
service answers.

A client starts an upload on ``START`` with the key and the declared size and type; the answer's
``X-Goog-Upload-URL`` takes the commands, each answered with ``X-Goog-Upload-Status``:

* ``upload`` at ``X-Goog-Upload-Offset`` equal to the bytes received appends the body; any other
  offset is a 400 and appends nothing; a body past the declared size is a 400;
* ``finalize`` (alone, or ``upload, finalize`` after the body) ends the upload with its File when
  every declared byte has arrived, and is a 400 that leaves it active otherwise;
* ``query`` answers ``X-Goog-Upload-Size-Received`` and never finalizes;
* ``cancel`` ends it; afterwards every command is a 499 ``cancelled``, while every command on a
  finished upload answers 200 ``final`` with the same File;
* a command the protocol does not have is a 400 in any state.

:class:`UploadModel` is that list as a state machine; the hypothesis machines run it beside the
server under test, and the client tests' stand-in service answers from it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

START = "/upload/v1beta/files"
CHUNK = 8 * 1024 * 1024  # the chunk granularity the service announces; both SDKs' chunk size


def sha256_hash_of_hex(hex_digest: str) -> str:
    """A File's ``sha256Hash`` from a sha256 hex digest: base64 of the lowercase hex (not of the
    digest's bytes), as the service writes it (docs/evidence.md#service-file-hash)."""
    return base64.b64encode(hex_digest.encode()).decode()


def sha256_hash(data: bytes) -> str:
    """The ``sha256Hash`` a File holding ``data`` has."""
    return sha256_hash_of_hex(hashlib.sha256(data).hexdigest())


def start_headers(size: int | None, mime_type: str, api_key: str | None = None) -> dict[str, str]:
    """The headers of a start request for ``size`` bytes (none declared if None)."""
    headers = {
        "X-Goog-Upload-Protocol": "resumable",
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Type": mime_type,
    }
    if size is not None:
        headers["X-Goog-Upload-Header-Content-Length"] = str(size)
    if api_key is not None:
        headers["x-goog-api-key"] = api_key
    return headers


def command_headers(command: str, offset: int | str | None = None) -> dict[str, str]:
    """The headers of a command on the upload URL."""
    headers = {"X-Goog-Upload-Command": command}
    if offset is not None:
        headers["X-Goog-Upload-Offset"] = str(offset)
    return headers


def planned_chunks(size: int, chunk: int = CHUNK) -> list[tuple[str, int, int]]:
    """What a client sends for ``size`` bytes in chunks of ``chunk``: (command, offset, length),
    the last ``upload, finalize`` (one empty one for an empty file), as both SDKs do."""
    offsets = range(0, size, chunk) if size else [0]
    return [
        (
            "upload, finalize" if offset + chunk >= size else "upload",
            offset,
            min(chunk, size - offset),
        )
        for offset in offsets
    ]


@dataclass(frozen=True)
class Reply:
    """What the service answers a command: the HTTP status, ``X-Goog-Upload-Status``, and for an
    active upload's 200 the bytes received (``X-Goog-Upload-Size-Received`` on a query)."""

    code: int
    status: str
    received: int | None = None


@dataclass
class UploadModel:
    """One upload as the service holds it: the declared size, the bytes received, its state."""

    declared: int
    received: int = 0
    state: str = "active"  # active, final or cancelled

    def command(self, command: str, offset: int | None = None, length: int = 0) -> Reply:
        """The reply to ``command`` (with a body of ``length`` bytes at ``offset``); the model
        moves on as the service does."""
        words = [word.strip() for word in command.split(",")]
        if words not in (["upload"], ["upload", "finalize"], ["finalize"], ["query"], ["cancel"]):
            return Reply(400, self.state)
        if self.state == "cancelled":
            return Reply(499, "cancelled")
        if self.state == "final":
            return Reply(200, "final")
        if words == ["query"]:
            return Reply(200, "active", self.received)
        if words == ["cancel"]:
            self.state = "cancelled"
            return Reply(200, "cancelled")
        if "upload" in words:
            if offset != self.received or self.received + length > self.declared:
                return Reply(400, "active")
            self.received += length
        if "finalize" not in words:
            return Reply(200, "active", self.received)
        if self.received != self.declared:
            return Reply(400, "active")
        self.state = "final"
        return Reply(200, "final")
