"""Stand-ins for the service behind an ``httpx.MockTransport``, for the client's own tests.

:class:`Recorder` keeps every request and answers from a list; :class:`UploadService` runs
uploads by the resumable protocol (``conformance/_uploads.py``'s model), with faults on chosen
requests; :class:`SocketLikeTransport` hands a handler each body as a socket transport reads it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance._uploads import UploadModel, sha256_hash_of_hex
from tests.kit.fakes import text_answer

TEXT_ANSWER = text_answer("AI learns patterns from data.", 7, 6, "d441192f787a4a48aff32d")


Answer = httpx.Response | dict[str, Any] | Exception


class Recorder:
    """A MockTransport handler that records every request.

    It answers from ``answers`` in order, repeating the last one: a response as is, a dict as a
    200 JSON body, an exception by raising it (as a failing network would).
    """

    def __init__(self, *answers: Answer) -> None:
        self.answers: list[Answer] = list(answers) or [TEXT_ANSWER]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    @property
    def request(self) -> httpx.Request:
        (request,) = self.requests
        return request

    @property
    def body(self) -> Any:
        return json.loads(self.request.content)


# --- A model of the resumable-upload service ---------------------------------------------------

UPLOAD_HOST = "upload.example.test"  # not the API's host: the client must use the URL as given


@dataclass
class Fault:
    """What goes wrong with one request to the upload URL.

    ``drop``: the connection fails before anything arrives. ``partial``: the first ``keep``
    bytes of the chunk arrive, then the connection fails. ``lost``: the request is handled in
    full, but its answer never arrives. ``5xx``: a 503 answer, nothing kept.
    """

    kind: str
    keep: int = 0


@dataclass
class Exchange:
    """One request to the upload URL, as the service saw it."""

    command: str
    offset: int | None
    length: int
    api_key: str | None


@dataclass(kw_only=True)
class UploadSession(UploadModel):
    """An upload as the model holds it, and what the service keeps for it."""

    id: str
    mime_type: str
    metadata: dict[str, Any]
    keep_bytes: bool
    data: bytearray = field(default_factory=bytearray)
    digest: Any = field(default_factory=hashlib.sha256)
    file: dict[str, Any] | None = None

    def keep(self, data: bytes) -> None:
        """Bytes the model has counted as received."""
        self.digest.update(data)
        if self.keep_bytes:
            self.data.extend(data)


class UploadService:
    """A MockTransport handler that runs uploads by the protocol, strictly.

    The start answer names an upload URL on another host; every command is answered as the
    protocol's model (``conformance/_uploads.py``) says. A chunk whose ``X-Goog-Upload-Offset``
    is not the number of bytes received so far is refused with a 400, as the real service
    does, so a client that loses or repeats bytes fails. ``query`` answers
    ``X-Goog-Upload-Size-Received``. ``faults[n]`` breaks the n-th request to an upload URL
    (chunks and queries, counted from 0). ``keep_bytes=False`` keeps only a digest, for big
    uploads.
    """

    def __init__(self, *, keep_bytes: bool = True) -> None:
        self.keep_bytes = keep_bytes
        self.faults: dict[int, Fault] = {}
        self.starts: list[httpx.Request] = []
        self.exchanges: list[Exchange] = []
        self.chunk_requests: list[httpx.Request] = []  # without their bodies when not keep_bytes
        self.sessions: dict[str, UploadSession] = {}
        self.other_requests: list[httpx.Request] = []  # anything else, answered TEXT_ANSWER

    @property
    def session(self) -> UploadSession:
        (session,) = self.sessions.values()
        return session

    @property
    def start(self) -> httpx.Request:
        (start,) = self.starts
        return start

    @property
    def start_body(self) -> Any:
        return json.loads(self.start.content)

    def fail(self, index: int, kind: str, keep: int = 0) -> None:
        """Break the ``index``-th request to the upload URL (see ``Fault``)."""
        self.faults[index] = Fault(kind, keep)

    def commands(self) -> list[tuple[str, int | None, int]]:
        return [(e.command, e.offset, e.length) for e in self.exchanges]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/files") and request.url.host != UPLOAD_HOST:
            return self._start(request)
        if request.url.host == UPLOAD_HOST:
            return self._upload(request)
        self.other_requests.append(request)
        return httpx.Response(200, json=TEXT_ANSWER)

    def _start(self, request: httpx.Request) -> httpx.Response:
        self.starts.append(request)
        if request.headers.get("x-goog-upload-command") != "start":
            return _envelope(400, "INVALID_ARGUMENT", "expected X-Goog-Upload-Command: start")
        body = json.loads(request.content)
        upload_id = f"u{len(self.sessions):011d}"
        self.sessions[upload_id] = UploadSession(
            declared=int(request.headers["x-goog-upload-header-content-length"]),
            id=upload_id,
            mime_type=request.headers["x-goog-upload-header-content-type"],
            metadata=body["file"],
            keep_bytes=self.keep_bytes,
        )
        url = f"https://{UPLOAD_HOST}/upload/v1beta/files?upload_id={upload_id}&upload_protocol=resumable"
        return httpx.Response(
            200,
            headers={
                "X-Goog-Upload-Status": "active",
                "X-Goog-Upload-URL": url,
                "X-Goog-Upload-Control-URL": url,
                "X-Goog-Upload-Chunk-Granularity": "8388608",
                "Content-Type": "text/plain; charset=utf-8",
            },
        )

    def _upload(self, request: httpx.Request) -> httpx.Response:
        index = len(self.exchanges)
        fault = self.faults.get(index)
        command = request.headers.get("x-goog-upload-command", "")
        offset = request.headers.get("x-goog-upload-offset")
        content = request.content
        self.exchanges.append(
            Exchange(
                command,
                int(offset) if offset is not None else None,
                len(content),
                request.headers.get("x-goog-api-key"),
            )
        )
        if self.keep_bytes:
            self.chunk_requests.append(request)
        session = self.sessions[request.url.params["upload_id"]]
        if fault is not None and fault.kind == "5xx":
            return _envelope(503, "UNAVAILABLE", "The service is currently unavailable.")
        if fault is not None and fault.kind in ("drop", "partial") and command == "query":
            raise httpx.ConnectError("connection refused")
        if fault is not None and fault.kind == "drop":
            raise httpx.ConnectError("connection reset before the body was sent")
        at = int(offset) if offset is not None else None
        if fault is not None and fault.kind == "partial" and at == session.received:
            session.received += len(content[: fault.keep])
            session.keep(content[: fault.keep])
            raise httpx.WriteError("connection reset while sending the body")
        before = session.received
        reply = session.command(command, at, len(content))
        session.keep(content[: session.received - before])
        if reply.code == 499:
            return _envelope(499, "CANCELLED", "the upload was cancelled")
        if reply.code == 400:
            if at != before and "upload" in command:
                message = f"offset {offset} does not match the {before} bytes received"
            else:
                message = f"finalized after {session.received} of {session.declared} bytes"
            return _envelope(400, "INVALID_ARGUMENT", message)
        if reply.status == "final" and session.file is None:
            session.file = _file_resource(session)
        response = self._status(session)
        if fault is not None and fault.kind == "lost":
            raise httpx.ReadTimeout("the answer never came")
        return response

    def _status(self, session: UploadSession) -> httpx.Response:
        if session.file is not None:
            return httpx.Response(
                200, headers={"X-Goog-Upload-Status": "final"}, json={"file": session.file}
            )
        return httpx.Response(
            200,
            headers={
                "X-Goog-Upload-Status": "active",
                "X-Goog-Upload-Size-Received": str(session.received),
            },
        )


def _file_resource(session: UploadSession) -> dict[str, Any]:
    name = session.metadata.get("name") or f"files/{session.id}"
    file = {
        "name": name,
        "displayName": session.metadata.get("displayName"),
        "mimeType": session.mime_type,
        "sizeBytes": str(session.received),
        "createTime": "2026-08-19T14:34:14.094797Z",
        "updateTime": "2026-08-19T14:34:14.094797Z",
        "expirationTime": "2026-08-21T14:34:13.503405945Z",
        "sha256Hash": sha256_hash_of_hex(session.digest.hexdigest()),
        "uri": f"https://generativelanguage.googleapis.com/v1beta/{name}",
        "state": "ACTIVE",
        "source": "UPLOADED",
    }
    return {key: value for key, value in file.items() if value is not None}


def _envelope(code: int, status: str, message: str) -> httpx.Response:
    envelope = {"error": {"code": code, "message": message, "status": status}}
    return httpx.Response(code, json=envelope)


class SocketLikeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """``httpx.MockTransport``, but reading each body from its stream as a socket transport does.

    ``MockTransport`` keeps the body on the request (``request.read()``), and httpx keeps each
    response and so its request alive until the garbage collector runs: a test of memory use
    must not add that. The handler gets a copy of the request, with its body.
    """

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join(request.stream)  # type: ignore[arg-type]
        return self.handler(self._copy(request, body))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
        return self.handler(self._copy(request, body))

    @staticmethod
    def _copy(request: httpx.Request, body: bytes) -> httpx.Request:
        return httpx.Request(request.method, request.url, headers=request.headers, content=body)
