"""The upload resource: Google's resumable upload protocol.

The protocol, as the service and both SDKs speak it (docs/evidence.md#sdk-upload-protocol,
docs/evidence.md#service-files)::

    POST /upload/{v}/files                       X-Goog-Upload-Command: start  (API key)
      X-Goog-Upload-Header-Content-Length: N, -Content-Type: M, body {"file": {...}}
      -> 200, empty body, X-Goog-Upload-URL: <this host>/upload/{v}/files?upload_id=U&...
                          X-Goog-Upload-Status: active

    POST <upload url>   X-Goog-Upload-Command: upload            X-Goog-Upload-Offset: O
      O must equal the bytes received so far; the body is appended  -> 200, status active
    POST <upload url>   X-Goog-Upload-Command: upload, finalize  (or finalize alone)
      the received size must equal the declared N                    -> 200, status final,
                                                                        {"file": {...}}
    POST <upload url>   X-Goog-Upload-Command: query
      -> X-Goog-Upload-Size-Received: R and the status; never finalizes
    POST <upload url>   X-Goog-Upload-Command: cancel             -> status cancelled

Commands are POSTs (other methods: 404) and need no key. Every reply on the upload URL carries
``X-Goog-Upload-Status``, without which the SDKs resend (fault rules: ``noUploadStatus`` drops
it, ``lose`` keeps no byte of a chunk); a refused start is a plain API error (no upload yet).
The MIME type must be one at the start; whether the models take it is checked where a request
uses the file. Bytes go to disk as they arrive; a dropped chunk keeps what arrived, and
``query`` says how much. Messages show a client's value as sent, never as a Python repr
(docs/files.md).
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..http.adapter import ApiCall
from ..http.intake import authenticate, drain, read_body
from ..http.responses import GoogleResponse, error_response
from ..journal import upload_answered_by
from ..protocol.errors import ApiError, invalid_argument, not_found, permission_denied
from ..protocol.json_body import read_json
from ..protocol.limits import (
    MAX_DISPLAY_NAME_CHARS,
    MAX_FILE_BYTES,
    MAX_UPLOAD_START_BYTES,
    UPLOAD_ONLY_MIME_TYPES,
)
from ..protocol.wire import dumps_pretty
from ..store import NAME_PATTERN, Appender, FileStore, PendingUpload
from .files import no_such_file

CHUNK_GRANULARITY = 8 * 1024 * 1024
UPLOAD_ID = re.compile(r"[A-Z0-9]{40}")
_UPLOAD_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
NO_MIME_TYPE = "The upload has no MIME type: send it in X-Goog-Upload-Header-Content-Type or "
NO_MIME_TYPE += "as file.mimeType."
A_MIME_TYPE = "a MIME type is type/subtype, such as text/plain."
MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
SHOWN_CHARS = 40  # a client's value is quoted in a message up to this many characters
COMMANDS = "use upload, finalize, query or cancel."


def shown(value: object) -> str:
    """A value a client sent, as a message shows it: its text, cut to ``SHOWN_CHARS``."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def new_upload_id() -> str:
    """An upload id: the capability that lets its holder send, finish or cancel the upload
    without a key, so it comes from :mod:`secrets` (206 bits), never from the seeded ids."""
    return "".join(secrets.choice(_UPLOAD_ID_ALPHABET) for _ in range(40))


def upload_reply(
    status: str,
    upload_id: str,
    body: bytes = b"",
    *,
    code: int = 200,
    headers: dict[str, str] | None = None,
) -> GoogleResponse:
    """A reply from the upload server: its own headers, always the upload status."""
    content_type = "application/json; charset=UTF-8" if body else "text/plain; charset=utf-8"
    extra = {"x-goog-upload-status": status, **(headers or {})}
    if UPLOAD_ID.fullmatch(upload_id):  # never echo what a client made up into a header
        extra["x-guploader-uploadid"] = upload_id
    return GoogleResponse(
        body, code, content_type=content_type, extra_headers=extra, chunked=False, front_end=False
    )


def upload_error(error: ApiError, status: str, upload_id: str) -> GoogleResponse:
    return upload_reply(status, upload_id, dumps_pretty(error.envelope()), code=error.code)


def fault_reply(call: ApiCall, error: ApiError) -> GoogleResponse:
    """A fault rule's error on this route: on an upload URL, as the upload server answers, the
    upload still active (a start is refused like any call)."""
    upload_id = call.request.query_params.get("upload_id")
    reply = error_response(error) if upload_id is None else upload_error(error, "active", upload_id)
    call.extra.update(_upload_facts(call.request, reply))  # the journal's step, as any step's
    return reply


async def upload(call: ApiCall) -> Response:
    """The upload endpoint: a start (with the API key), or a command on an upload URL."""
    store = call.state.store
    if "upload_id" in call.request.query_params:
        response = await command(call, store)
    else:
        authenticate(call.request, call.state.config)
        response = await start(call, store)
    if call.fault is not None and call.fault.action == "noUploadStatus":
        # A fault rule: the reply without its upload status, which the SDKs resend on.
        del response.headers["x-goog-upload-status"]
    call.extra.update(_upload_facts(call.request, response))
    return response


def _upload_facts(request: Request, response: Response) -> dict[str, Any]:
    """What the journal keeps of an upload step: the command, the offset, the bytes sent, the
    upload status answered and, once finalized, the file's name."""
    headers = request.headers
    if "upload_id" not in request.query_params:
        facts: dict[str, Any] = {
            "command": "start",
            "declaredSize": headers.get("x-goog-upload-header-content-length"),
            "mimeType": headers.get("x-goog-upload-header-content-type"),
        }
    else:
        facts = {
            "command": headers.get("x-goog-upload-command", ""),
            "offset": headers.get("x-goog-upload-offset"),
            "bytes": int(headers.get("content-length") or 0),
        }
    facts["uploadStatus"] = response.headers.get("x-goog-upload-status")
    if facts["uploadStatus"] == "final" and response.status_code == 200:
        try:
            facts["fileName"] = json.loads(bytes(response.body))["file"]["name"]
        except (ValueError, KeyError, TypeError):
            pass
    return {k: v for k, v in facts.items() if v is not None}


# --- start ----------------------------------------------------------------------------------


def _field(data: dict[str, Any], camel: str, snake: str) -> Any:
    return data.get(camel, data.get(snake))


async def start(call: ApiCall, store: FileStore) -> Response:
    request = call.request
    body = read_json(await read_body(request, MAX_UPLOAD_START_BYTES))  # the docs' curl
    # sends it single-quoted
    file = body.get("file", {}) if isinstance(body, dict) else None
    if not isinstance(file, dict):
        raise invalid_argument('Invalid JSON payload received. Expected {"file": {...}}.')
    call.canonical = {"file": file}
    headers = request.headers
    mime_type = headers.get("x-goog-upload-header-content-type") or _field(
        file, "mimeType", "mime_type"
    )
    declared = headers.get("x-goog-upload-header-content-length") or _field(
        file, "sizeBytes", "size_bytes"
    )
    size = _size(declared)
    if size is not None and size > MAX_FILE_BYTES:
        raise invalid_argument(
            f"File size {size} exceeds the maximum allowed size of {MAX_FILE_BYTES} bytes (2 GB)."
        )
    quota = call.state.config.storage_quota_bytes
    if size is not None and store.used_bytes() + size > quota:
        raise ApiError(
            429,
            "RESOURCE_EXHAUSTED",
            f"Storage quota exceeded: uploading {size} bytes would exceed the project's "
            f"{quota} bytes of file storage. Delete files to make room.",
        )
    display_name = _field(file, "displayName", "display_name")
    if display_name is not None and len(str(display_name)) > MAX_DISPLAY_NAME_CHARS:
        raise invalid_argument(
            f"The display name is {len(str(display_name))} characters long; a file's display "
            f"name must be no more than {MAX_DISPLAY_NAME_CHARS} characters."
        )
    file_id = _file_id(_field(file, "name", "name"), store)
    mime_type = _mime_type(mime_type)
    upload_id = new_upload_id()
    base_url = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    store.open_session(
        PendingUpload(
            upload_id=upload_id,
            file_id=file_id,
            mime_type=mime_type,
            display_name=display_name,
            declared_size=size,
            started=store.clock().isoformat(),
            api_version=call.version,
        )
    )
    url = f"{base_url}/upload/{call.version}/files?upload_id={upload_id}&upload_protocol=resumable"
    call.answered_by = upload_answered_by(upload_id)
    return upload_reply(
        "active",
        upload_id,
        headers={
            "x-goog-upload-url": url,
            "x-goog-upload-control-url": url,
            "x-goog-upload-chunk-granularity": str(CHUNK_GRANULARITY),
            "x-goog-upload-header-content-type": "application/json; charset=UTF-8",
        },
    )


def _mime_type(value: Any) -> str:
    """The declared MIME type, if it is one (``type/subtype``, or a batch input's ``jsonl``).
    Whether the models take it is checked where a request uses the file (docs/files.md)."""
    mime_type = str(value or "").strip()
    kind = mime_type.split(";", 1)[0].strip().lower()
    if not mime_type:
        raise invalid_argument(NO_MIME_TYPE)
    if kind not in UPLOAD_ONLY_MIME_TYPES and not MIME_TYPE.fullmatch(kind):
        raise invalid_argument(f"Invalid MIME type {shown(mime_type)}: {A_MIME_TYPE}")
    return mime_type


def _size(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        size = int(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid_argument(f"Invalid upload size: {shown(value)}.") from None
    if size < 0:
        raise invalid_argument(f"Invalid upload size: {size}.")
    return size


def _file_id(name: Any, store: FileStore) -> str:
    """A user-given ``name`` (``files/my-notes`` or ``my-notes``) becomes the id."""
    if not name:
        return store.new_id()
    file_id = str(name).removeprefix("files/")
    if not NAME_PATTERN.fullmatch(file_id):
        raise invalid_argument(
            f"Invalid file name {shown(name)}: use up to 40 characters of lowercase letters, "
            "digits and dashes, not starting or ending with a dash."
        )
    if store.exists(file_id):
        raise ApiError(409, "ALREADY_EXISTS", f"File files/{file_id} already exists.")
    return file_id


# --- commands on the upload url -------------------------------------------------------------


async def command(call: ApiCall, store: FileStore) -> Response:
    request = call.request
    upload_id = request.query_params.get("upload_id", "")
    session = store.session(upload_id)
    if session is None:
        return _no_session(upload_id)
    call.answered_by = upload_answered_by(upload_id)
    commands = {
        c.strip().lower() for c in request.headers.get("x-goog-upload-command", "").split(",")
    }
    commands.discard("")
    known = {"upload", "finalize", "query", "cancel"}
    if not commands or commands - known:
        sent = request.headers.get("x-goog-upload-command") or "(none sent)"
        error = invalid_argument(f"Unknown X-Goog-Upload-Command {shown(sent)}; {COMMANDS}")
        return upload_error(error, session.state, upload_id)
    ended = _ended(session, store, call)
    if ended is not None:
        return ended
    if "upload" not in commands:
        store.begin(upload_id)  # a query, cancel or finalize supersedes a chunk in flight
    if "query" in commands:
        received = str(store.received(upload_id))
        return upload_reply("active", upload_id, headers={"x-goog-upload-size-received": received})
    if "cancel" in commands:
        session.state = "cancelled"
        store.save_session(session)
        store.drop_session(upload_id)
        return upload_reply("cancelled", upload_id)
    if "upload" in commands and call.fault is not None and call.fault.action == "lose":
        await drain(request)  # a fault rule: the chunk answered as kept, its bytes lost
    elif "upload" in commands:
        problem = await _append(request, session, store)
        if problem is not None:
            return upload_error(problem, "active", upload_id)
    if "finalize" in commands:
        # The sha256 follows the bytes on a thread: wait for it there, not on the event loop;
        # then look again, for another request may have ended the upload meanwhile.
        await anyio.to_thread.run_sync(store.settle, upload_id)
        session = store.session(upload_id)
        if session is None:
            return _no_session(upload_id)
        return _ended(session, store, call) or _finalize(session, store, call)
    return upload_reply("active", upload_id)


def _no_session(upload_id: str) -> Response:
    error = not_found(f"No upload session {shown(upload_id)}: it never existed, or has ended.")
    return upload_error(error, "final", upload_id)


def _ended(session: PendingUpload, store: FileStore, call: ApiCall) -> Response | None:
    """The answer to any command on a cancelled or finalized upload; None while it is active."""
    if session.state == "cancelled":
        error = ApiError(499, "CANCELLED", "The upload was cancelled.")
        return upload_error(error, "cancelled", session.upload_id)
    if session.state == "final":
        return _finished(session, store, call)
    return None


async def _append(request: Request, session: PendingUpload, store: FileStore) -> ApiError | None:
    """Write the request's body at the declared offset, streaming it to disk.

    The body is always read to its end, so the reply reaches the client. Writing stops early
    when the body runs past the declared size, or when a newer request on the same upload (a
    query after the client gave this one up) has superseded it: a client that resumed from the
    size a query reported must not find late bytes of its abandoned chunk appended after it.
    """
    offset_header = request.headers.get("x-goog-upload-offset")
    try:
        offset = int(offset_header) if offset_header is not None else None
    except ValueError:
        offset = None
    received, appender = store.append(session.upload_id, offset)
    if appender is None:  # refused, and it supersedes nothing: a valid chunk may be in flight
        await drain(request)
        sent = shown(offset_header) if offset_header is not None else "(none sent)"
        return invalid_argument(
            f"Invalid request. The X-Goog-Upload-Offset {sent} does not match the {received} "
            "bytes received so far; query the upload status and resume from there."
        )
    limit = session.declared_size if session.declared_size is not None else MAX_FILE_BYTES
    try:
        return await _feed(request, appender, received, limit)
    finally:
        appender.close()


async def _feed(request: Request, appender: Appender, written: int, limit: int) -> ApiError | None:
    """Write the body as it arrives, up to ``limit`` bytes in all; then drain the rest."""
    problem: ApiError | None = None
    try:
        async for piece in request.stream():
            if problem is not None or not piece:
                continue  # drain: the client gets its answer only once its body is read
            if written + len(piece) > limit:
                piece = piece[: limit - written]
                problem = invalid_argument(
                    f"The upload is larger than its declared size of {limit} bytes."
                )
            if not appender.write(piece):  # a newer request on this upload has begun
                problem = ApiError(
                    409, "ABORTED", "This upload request was superseded by a newer one."
                )
                continue
            written += len(piece)
    except ClientDisconnect:
        pass  # what arrived is kept; a query tells the client where to resume
    return problem


def _finalize(session: PendingUpload, store: FileStore, call: ApiCall) -> Response:
    received = store.received(session.upload_id)
    if session.declared_size is not None and received != session.declared_size:
        error = invalid_argument(
            f"Cannot finalize: the upload declared {session.declared_size} bytes but "
            f"{received} were received."
        )
        return upload_error(error, "active", session.upload_id)
    kind = session.mime_type.split("/", 1)[0].strip().lower()
    delay = call.state.config.processing_seconds.get(kind, 0.0)
    store.commit(session, timedelta(seconds=delay))
    session.state = "final"
    store.save_session(session)
    return _finished(session, store, call)


def _finished(session: PendingUpload, store: FileStore, call: ApiCall) -> Response:
    stored = store.get(session.file_id)
    if stored is None:
        return upload_error(
            permission_denied(no_such_file(session.file_id)), "final", session.upload_id
        )
    call.answered_by = f"file:{stored.file_id}"
    body = dumps_pretty({"file": stored.resource(store.clock())})
    return upload_reply("final", session.upload_id, body)
