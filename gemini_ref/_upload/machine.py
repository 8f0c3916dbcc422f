"""``files.upload`` without the I/O: the resumable upload as a state machine of steps.

The protocol (the ``X-Goog-Upload-*`` headers, as the official SDKs speak it):

1. **start**: ``POST {base_url}/upload/{api_version}/files`` with the API key, the size and type
   of the file in headers and its metadata in the body. The answer's ``X-Goog-Upload-URL``
   names the session; it is absolute and used as given (a relative one is resolved against
   the start URL).
2. **chunks**: ``POST <upload url>`` with ``X-Goog-Upload-Command: upload`` and
   ``X-Goog-Upload-Offset``, then ``upload, finalize`` on the last chunk (a zero-byte file sends
   one empty ``upload, finalize``). The service answers ``X-Goog-Upload-Status: active`` until
   the last chunk, then ``final`` with ``{"file": {...}}``. It checks every offset against the
   bytes it holds, so no byte can be lost or sent twice.
3. **recovery**, which the official SDKs don't do: when a chunk gets no answer (a network
   failure) or a 5xx, ``X-Goog-Upload-Command: query`` asks the service where it stands. Its
   ``X-Goog-Upload-Size-Received`` is where to go on from (part of a chunk may have arrived),
   or its status is ``final`` when the last chunk did arrive and only the answer was lost.

Chunks start at multiples of the chunk size (8 MiB, the service's granularity), also after a
recovery: the rest of an interrupted chunk is sent on its own. So a stream that cannot seek
only needs its current chunk kept to resend any part of it.

Chunk and query requests carry no API key, as with the Python SDK and the docs' curl: the
upload URL is the session's credential, and it may name another host than the API's.

``Upload.steps()`` is the whole conversation as a generator. It yields ``Read`` (the shell
reads that many bytes from ``Upload.source``), ``Send`` (the shell sends the request and
returns the ``httpx.Response``, or the ``httpx.TransportError`` raised instead) and ``Sleep``
(the backoff between recovery attempts), and returns the ``File``. The sync and async
``Caller``\\ s in ``_caller`` only perform the steps (``Upload.run()``), so everything is
decided here, once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeVar

import httpx

from .._calls import file_id
from .._coerce import coerce
from .._exchange import connection_error
from .._settings import Settings
from .._wire import from_wire
from ..errors import (
    APIConnectionError,
    GeminiError,
    UploadError,
    UploadProtocolError,
    error_from_response,
)
from ..types import File, UploadFileConfig
from .mime import guess_mime_type
from .sources import FileInput, open_source
from .steps import Read, Reply, Run, Send, Sleep, Step

CHUNK_SIZE = 8 * 1024 * 1024
"""Bytes per chunk: 8 MiB, as both official SDKs send and as the service's granularity."""
MAX_RETRIES = 5
"""Recovery attempts after a failed chunk before giving up; any progress starts the count anew."""
RETRY_DELAY = 1.0
"""Seconds before the first recovery attempt; doubled for each next one, up to MAX_RETRY_DELAY."""
MAX_RETRY_DELAY = 30.0

ACTIVE = "active"
FINAL = "final"

ProgressCallback = Callable[[int, int], None]
E = TypeVar("E", bound=UploadError)


class Upload:
    """One upload, checked and ready: ``run()`` runs it, and the shell reads ``source``."""

    def __init__(
        self,
        settings: Settings,
        file: FileInput,
        config: UploadFileConfig | Mapping[str, Any] | None,
        *,
        progress: ProgressCallback | None = None,
        chunk_size: int = CHUNK_SIZE,
        max_retries: int = MAX_RETRIES,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        options = coerce(UploadFileConfig, config or {})
        _check_int("chunk_size", chunk_size, minimum=1)
        _check_int("max_retries", max_retries, minimum=0)
        if options.size_bytes is not None:
            _check_int("config size_bytes", options.size_bytes, minimum=0)
        if not isinstance(retry_delay, int | float) or not retry_delay >= 0:
            raise ValueError(f"retry_delay must be a number of seconds >= 0, got {retry_delay!r}")
        self.source, path = open_source(file, options.size_bytes)
        # As both SDKs do for an upload from a path: the file's own name, in a header.
        self.file_name = os.path.basename(path) if path is not None else None
        self.size = self.source.size
        self.mime_type = options.mime_type or guess_mime_type(path)
        metadata: dict[str, Any] = {"mimeType": self.mime_type}
        if options.display_name is not None:
            metadata["displayName"] = options.display_name
        if options.name is not None:
            metadata["name"] = f"files/{file_id(options.name)}"
        metadata["sizeBytes"] = str(self.size)  # int64 as proto3 JSON writes it
        self.body = {"file": metadata}
        self.settings = settings
        self.progress = progress
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.retry_delay = float(retry_delay)

    def run(self) -> Run:
        """The steps, for a shell to perform one by one (``steps.Run``)."""
        return Run(self.steps(), self.source)

    def steps(self) -> Generator[Step, Reply, File]:
        """The upload, from the start request to the ``File``."""
        headers = httpx.Headers(self.settings.headers)
        headers.update(
            {
                "X-Goog-Upload-Protocol": "resumable",
                "X-Goog-Upload-Command": "start",
                "X-Goog-Upload-Header-Content-Length": str(self.size),
                "X-Goog-Upload-Header-Content-Type": self.mime_type,
            }
        )
        if self.file_name:
            headers["X-Goog-Upload-File-Name"] = self.file_name
        start = Send("POST", self.settings.upload_url("files"), headers, json=self.body)
        reply = yield start
        if isinstance(reply, httpx.TransportError):
            raise _connection_error(start.url, reply) from reply
        response = _response(reply)
        if response.status_code != 200:
            raise error_from_response(response)
        location = response.headers.get("x-goog-upload-url")
        if not location:
            raise UploadProtocolError(
                f"POST {start.url} answered 200 without an X-Goog-Upload-URL header,"
                " so the upload cannot go on",
                size=self.size,
                response=response,
            )
        url = str(httpx.URL(start.url).join(location))
        return (yield from _Session(self, url).steps())


class _Session:
    """The chunks of one upload session, and its recovery from failures."""

    def __init__(self, upload: Upload, url: str) -> None:
        self.upload = upload
        self.url = url
        self.size = upload.size
        self.offset = 0
        """Where the next chunk starts: the service holds every byte before it."""
        self.best = 0  # the most bytes the service ever confirmed
        self.sent = 0  # the end of the furthest chunk sent
        self.failures = 0  # failures since the last progress

    def steps(self) -> Generator[Step, Reply, File]:
        while True:
            chunk_size = self.upload.chunk_size
            end = min(self.size, (self.offset // chunk_size + 1) * chunk_size)
            last = end == self.size
            data = yield from self._read(end - self.offset)
            command = "upload, finalize" if last else "upload"
            reply = yield self._send(command, offset=self.offset, content=data)
            del data
            self.sent = max(self.sent, end)
            outcome = self._outcome(reply)
            if isinstance(outcome, GeminiError):
                status, response = yield from self._recover(outcome)
            else:
                status, response = outcome
                if status == ACTIVE and last:
                    raise self._protocol_error(
                        "every byte was sent, but the last chunk was answered 'active', not"
                        " 'final'",
                        response,
                    )
                if status == ACTIVE:
                    self.offset = end
            if status == FINAL:
                if not last:
                    raise self._protocol_error(
                        f"the service finalized the upload at byte {self.offset} of {self.size},"
                        " before the last chunk was sent",
                        response,
                    )
                file = self._file(response)
                self._progress(self.size)
                return file
            if self.offset > self.best:  # progress: the failures so far are forgiven
                self.best = self.offset
                self.failures = 0
                self._progress(self.offset)

    def _read(self, length: int) -> Generator[Step, Reply, bytes]:
        source = self.upload.source
        if self.offset < source.earliest:
            raise self._error(
                f"the service asks for byte {self.offset} again, but the stream cannot seek back"
                f" before byte {source.earliest}"
            )
        data = yield Read(self.offset, length)
        if not isinstance(data, bytes):
            raise TypeError(f"a Read step must be answered with bytes, got {type(data).__name__}")
        if len(data) != length:
            raise self._error(
                f"the file ended at byte {self.offset + len(data)}, short of the {self.size}"
                " bytes announced: did it change during the upload?"
            )
        return data

    def _send(self, command: str, *, offset: int | None = None, content: bytes = b"") -> Send:
        headers = httpx.Headers(self.upload.settings.headers)
        headers.pop("x-goog-api-key", None)  # the upload URL is the credential (module docs)
        headers["X-Goog-Upload-Command"] = command
        if self.upload.file_name:
            headers["X-Goog-Upload-File-Name"] = self.upload.file_name
        if offset is not None:
            headers["X-Goog-Upload-Offset"] = str(offset)
        return Send("POST", self.url, headers, content=content)

    def _outcome(self, reply: Reply) -> tuple[str, httpx.Response] | GeminiError:
        """The upload status of an answer, or the failure to recover from (raises the rest)."""
        if isinstance(reply, httpx.TransportError):
            error = _connection_error(self.url, reply)
            error.__cause__ = reply
            return error
        response = _response(reply)
        if response.status_code >= 500:
            return error_from_response(response)
        if response.status_code != 200:
            raise error_from_response(response)
        status = response.headers.get("x-goog-upload-status")
        if status is None:
            raise self._protocol_error("answered without an X-Goog-Upload-Status header", response)
        status = status.strip().lower()
        if status in (ACTIVE, FINAL):
            return status, response
        if status == "cancelled":
            raise self._error("the service cancelled the upload", response)
        raise self._protocol_error(f"answered X-Goog-Upload-Status: {status!r}", response)

    def _recover(self, failure: GeminiError) -> Generator[Step, Reply, tuple[str, httpx.Response]]:
        """Ask the service where the upload stands, until it answers or the retries run out.

        Sets ``offset`` to the bytes it holds when ``active``; returns the status and answer.
        """
        while True:
            self.failures += 1
            if self.failures > self.upload.max_retries:
                raise self._error(
                    f"gave up after {self.failures} failures without progress, at byte"
                    f" {self.offset} of {self.size}; the last one: {failure}"
                ) from failure
            delay = self.upload.retry_delay * 2 ** (self.failures - 1)
            if delay > 0:
                yield Sleep(min(delay, MAX_RETRY_DELAY))
            outcome = self._outcome((yield self._send("query")))
            if isinstance(outcome, GeminiError):
                failure = outcome
                continue
            status, response = outcome
            if status == ACTIVE:
                self.offset = self._size_received(response)
            return status, response

    def _size_received(self, response: httpx.Response) -> int:
        value = response.headers.get("x-goog-upload-size-received", "")
        try:
            received = int(value)
        except ValueError:
            raise self._protocol_error(
                f"answered a query with X-Goog-Upload-Size-Received: {value!r}", response
            ) from None
        if not 0 <= received <= self.sent:
            raise self._protocol_error(
                f"says it received {received} bytes, but {self.sent} were sent", response
            )
        return received

    def _file(self, response: httpx.Response) -> File:
        try:
            data = response.json()
            return from_wire(File, data["file"])
        except (ValueError, TypeError, KeyError) as exc:
            raise self._protocol_error(
                f"answered 'final' without a file: {response.text[:200]!r}", response
            ) from exc

    def _progress(self, sent: int) -> None:
        if self.upload.progress is not None:
            self.upload.progress(sent, self.size)

    def _error(self, message: str, response: httpx.Response | None = None) -> UploadError:
        return self._failure(UploadError, f"upload to {self.url}: {message}", response)

    def _protocol_error(self, message: str, response: httpx.Response) -> UploadProtocolError:
        request = response.request
        command = request.headers.get("x-goog-upload-command")
        where = f"{request.method} {request.url} ({command})"
        return self._failure(UploadProtocolError, f"{where}: {message}", response)

    def _failure(self, cls: type[E], message: str, response: httpx.Response | None) -> E:
        """An upload error of class ``cls``, saying where the upload stands."""
        return cls(
            message, upload_url=self.url, offset=self.offset, size=self.size, response=response
        )


def _response(reply: Reply) -> httpx.Response:
    if not isinstance(reply, httpx.Response):
        raise TypeError(f"a Send step must be answered with a response, got {type(reply).__name__}")
    return reply


def _connection_error(url: str, exc: httpx.TransportError) -> APIConnectionError:
    """The ``APIConnectionError`` of a request to ``url`` that got no answer."""
    try:
        request = exc.request  # set by httpx.Client.send
    except RuntimeError:
        request = httpx.Request("POST", url)
    return connection_error(request, exc)


def _check_int(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
