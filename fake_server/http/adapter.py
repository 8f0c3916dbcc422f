"""The one adapter between Starlette and the handlers: the call object, auth, body reading,
framing, memo, journal, and the Google error envelope for every failure.

Handlers take an :class:`ApiCall` and return a JSON-able body (or a finished response); they
raise :class:`~fake_server.protocol.errors.ApiError` for every failure. :func:`endpoint` wraps a
handler: it authenticates (unless the route leaves that to its handler, as the upload URL
does), answers a repeated request from the memo, runs the handler, writes the body or the
error envelope, and journals the call. The route table (:mod:`fake_server.api.routes`) says which
handler serves which path under each API version.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..control.faults import Rule
from ..journal import NO_EXTRA, Entry, journal_view, without_key
from ..model import catalog
from ..protocol.errors import (
    ApiError,
    internal_error,
    invalid_argument,
    not_found,
)
from ..protocol.json_body import read_json, too_deep
from ..protocol.limits import MAX_REQUEST_BYTES
from ..protocol.transcode import transcode
from ..protocol.wire import dumps_pretty
from ..state import FakeState
from . import access, faults
from .intake import authenticate, drain, read_body
from .memo import Answered
from .responses import EventStreamResponse, GoogleResponse, error_response

logger = logging.getLogger("gemini_fake")
# Requests with bodies up to this size are answered on the event loop; larger ones (a long
# prompt, inline media), which take the reader, the checks and the answer longer, in a worker
# thread, so that other clients are not kept waiting meanwhile.
ON_THE_LOOP = 64 * 1024
# Bodies up to this size a journal entry shares with an earlier entry's equal one (comparing
# costs a hash of the body, which the answer memo has mostly taken already).
ALIKE_BODY = 1024


@dataclass(slots=True)
class ApiCall:
    """One request as the handlers see it."""

    request: Request
    state: FakeState
    rpc: str
    version: str
    model: str | None
    started: float
    framing: str = "json"  # how answers and errors are framed: "json", "sse" or "array"
    canonical: dict[str, Any] | None = None
    key: str | None = None
    answered_by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # more for the journal entry
    repeatable: bool = True  # the same request always gets this answer (see fake_server.http.memo)
    raw: bytes = b""  # the body as received (the adapter reads it, within the size limit)
    fault: Rule | None = None  # the fault rule firing on this call, for a handler that acts on it

    async def body(self, message: str) -> dict[str, Any]:
        """The JSON body, read as the service reads it, as ``message`` in its canonical form (or
        the real 400)."""
        value = read_json(self.raw)
        try:
            self.canonical = transcode(value, message, self.version)
        except RecursionError:
            raise too_deep() from None
        return self.canonical

    def page(self, default_size: int, max_size: int) -> tuple[int, str]:
        """A list call's page size (``default_size`` when unset or not positive, at most
        ``max_size``) and page token (``""`` for the first page), under either spelling."""
        params = self.request.query_params
        token = params.get("pageToken") or params.get("page_token") or ""
        try:
            size = int(params.get("pageSize") or params.get("page_size") or default_size)
        except ValueError:
            raise invalid_argument("Invalid value for pageSize.") from None
        return (default_size if size <= 0 else min(size, max_size)), token

    def offset_page(
        self, items: list[Any], default_size: int, max_size: int
    ) -> tuple[list[Any], dict[str, Any]]:
        """One page of ``items`` for a list call whose page token is the offset to start at,
        and the rest of the body: ``nextPageToken`` when more follow. The caller puts the page,
        as resources, before it when it is not empty (an empty listing is ``{}``)."""
        size, token = self.page(default_size, max_size)
        try:
            start = int(token or 0)
        except ValueError:
            start = -1
        if start < 0:
            raise invalid_argument("Invalid page token.")
        body: dict[str, Any] = {}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return items[start : start + size], body

    def model_info(self, method: str) -> catalog.ModelInfo:
        """The requested model, or the real 404 naming the base method."""
        model = catalog.lookup(self.model or "")
        if model is None or method not in model.methods:
            raise self.model_not_found(method)
        return model

    def model_not_found(self, method: str) -> ApiError:
        return not_found(
            f"models/{(self.model or '').removeprefix('models/')} is not found for API version "
            f"{self.version}, or is not supported for {method}. Call ModelService.ListModels "
            "to see the list of available models and their supported methods."
        )


Handler = Callable[[ApiCall], Coroutine[Any, Any, dict[str, Any] | Response]]


@dataclass(frozen=True)
class RouteSpec:
    """One row of the route table; ``{v}`` in the path is each API version."""

    method: str
    path: str
    rpc: str
    handler: Handler
    authenticated: bool = True  # the adapter checks the key (else the handler decides)
    memo: bool = True  # answers are a pure function of the request (see fake_server.http.memo)
    reads_body: bool = True  # the adapter reads the body (else the handler streams it)
    # How a fault rule's error is answered on this route (default: the error envelope).
    error_reply: Callable[[ApiCall, ApiError], GoogleResponse] | None = None


def endpoint(spec: RouteSpec, version: str) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint serving ``spec`` under API ``version``."""
    rpc, handler = spec.rpc, spec.handler

    async def serve(request: Request) -> Response:
        scope = request.scope
        state: FakeState = scope["app"].state.fake
        received = time.time()
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        call = ApiCall(
            request,
            state,
            rpc,
            version,
            scope["path_params"].get("model"),
            time.perf_counter(),
            framing=_framing(rpc, query, request),
        )
        rule: Rule | None = None
        try:
            if spec.authenticated:
                authenticate(request, state.config)
            if spec.reads_body:
                call.raw = await read_body(request, MAX_REQUEST_BYTES)
            if state.faults:  # nothing to look at on the hot path when no rule is set
                seen = faults.call_of(request, rpc, call.model, state.faults, call.raw)
                rule = state.faults.pick(seen)
                call.fault = rule
            fault = await faults.before(rule, call.model) if rule is not None else None
        except ApiError as error:
            answered: Answered | Response = _answered_error(call, error)
        else:
            if fault is not None and rule is not None:
                call.answered_by = f"fault:{rule.id}"
                _note_retry_delay(call, fault)
                if not spec.reads_body:  # the client gets its answer once it has sent all
                    await drain(request)
                answered = _answered(call, (spec.error_reply or _error_reply)(call, fault))
            else:
                memo_key = (scope["method"], path, query, call.raw)
                memo = spec.memo and not state.quotas  # a quota counts every call
                remembered = state.memo.get(memo_key) if memo else None
                if remembered is None:
                    answered = await _answer(call, handler)
                    if isinstance(answered, Answered) and call.repeatable and memo:
                        state.memo.put(memo_key, answered)
                else:
                    answered = remembered
        response: Response
        if isinstance(answered, Answered):
            response = answered.replay(call.started)
            canonical, key, by = answered.canonical, answered.key, answered.answered_by
            extra = dict(answered.extra) if answered.extra else NO_EXTRA
        else:
            response = answered
            canonical, key, by, extra = call.canonical, call.key, call.answered_by, call.extra
        if rule is not None:
            response = faults.after(rule, call.model, response, call.framing)
            extra = {**extra, "fault": rule.id}
        if state.faults or state.quotas:  # what the verdict needs to tell a retry
            extra = {**extra, "body": hashlib.sha256(call.raw).hexdigest()[:16]}
        entry = _entry(call, spec, path, query, response, canonical, key, by, extra, received)
        state.journal.record(entry, size=_held(call, entry))
        if isinstance(response, EventStreamResponse):
            response.on_progress = entry.stream_progress
            response.on_end = functools.partial(_stream_ended, entry)
        else:
            access.log(entry)
        return response

    return serve


UNKNOWN_PATH = re.compile(r"^/(?:upload/)?(?P<version>v1\w*)/(?:models/(?P<model>[^/:]+))?")


async def unknown_route(request: Request) -> Response:
    """A path or method the fake does not serve: the front end's 404, journalled like any call
    (rpc ``unknown``), with the body as sent, so a wrongly built URL or an unserved RPC shows
    what the app sent."""
    state: FakeState = request.app.state.fake
    received, started = time.time(), time.perf_counter()
    kept = state.config.journal_inline_bytes
    body, size = bytearray(), 0
    try:
        async for piece in request.stream():  # read to the end, keeping what the journal shows
            size += len(piece)
            if len(body) <= kept:
                body += piece[: kept + 1 - len(body)]
    except ClientDisconnect:
        pass
    response = error_response(not_found("Method not found."))
    answer = bytes(response.body)
    named = UNKNOWN_PATH.match(request.scope["path"])
    entry = Entry(
        seq=0,
        method=request.method,
        path=request.scope["path"],
        rpc="unknown",
        api_version=named["version"] if named else "",
        model=named["model"] if named else None,
        status=response.status_code,
        answered_by="error:NOT_FOUND",
        query=without_key(request.scope["query_string"].decode("latin-1")),
        received=received,
        headers=request.headers.raw,
        sent=bytes(body) if 0 < len(body) <= kept else None,
        sent_size=size,
        response_headers=response.raw_headers,
        response_body=answer,
        response_size=len(answer),
        started=started,
    )
    entry.duration_ms = (time.perf_counter() - started) * 1000
    state.journal.record(entry, size=len(body) + len(answer))
    access.log(entry)
    return response


async def _answer(call: ApiCall, handler: Handler) -> Answered | Response:
    """Run the handler; its body or its error, finished, or the response it built itself."""
    try:
        if len(call.raw) <= ON_THE_LOOP:
            result = await handler(call)
        else:
            result = await anyio.to_thread.run_sync(_in_a_loop_of_its_own, handler, call)
    except ApiError as error:
        return _answered_error(call, error)
    except RecursionError:  # a body nested deeper than any rule walks
        return _answered_error(call, too_deep())
    except Exception:  # a fault of the fake's: the envelope all the same, and a traceback
        logger.exception("gemini-fake: %s %s failed", call.request.method, call.rpc)
        return _answered_error(call, internal_error())
    if isinstance(result, EventStreamResponse):
        return _answered(call, result)
    if isinstance(result, Response):
        return result
    response = GoogleResponse(
        dumps_pretty(result),
        started=call.started,
        extra_headers={"x-gemini-service-tier": "standard"},
    )
    return _answered(call, response)


def _in_a_loop_of_its_own(handler: Handler, call: ApiCall) -> dict[str, Any] | Response:
    """Run ``handler`` to its end on a worker thread's own event loop (its body is already
    read: it needs nothing from the main loop)."""
    return asyncio.run(handler(call))


def _answered(call: ApiCall, response: GoogleResponse | EventStreamResponse) -> Answered:
    """The finished answer, with what the journal keeps of the request (large inline data
    folded to its digest, once, even when the answer is replayed from the memo)."""
    kept = call.state.config.journal_inline_bytes
    request = journal_view(call.canonical, kept) if len(call.raw) > kept else call.canonical
    return Answered(response, request, call.key, call.answered_by, call.extra)


def _entry(
    call: ApiCall,
    spec: RouteSpec,
    path: str,
    query: bytes,
    response: Response,
    canonical: dict[str, Any] | None,
    key: str | None,
    answered_by: str,
    extra: dict[str, Any],
    received: float,
) -> Entry:
    """The journal entry of a call answered with ``response``: the request as read and as
    sent (headers with credentials cut; the body when it is within the journal's inline
    size), and the answer (its body within that size, or a stream's events as they go)."""
    request = call.request
    kept = call.state.config.journal_inline_bytes
    alike = call.state.journal.alike  # what other entries hold already is kept once
    raw = call.raw
    sent_size = len(raw)
    if not spec.reads_body:  # streamed to disk, never held
        sent_size = int(call.extra.get("bytes", 0))
    entry = Entry(
        seq=0,
        method=request.scope["method"],
        path=alike(path),
        rpc=call.rpc,
        api_version=call.version,
        model=alike(call.model),
        request=canonical,
        status=response.status_code,
        answered_by=answered_by,
        key=key,
        query=without_key(query.decode("latin-1")) if query else "",
        received=received,
        extra=extra,
        headers=alike(tuple(request.scope["headers"])),
        sent=(alike(raw) if len(raw) <= ALIKE_BODY else raw) if 0 < len(raw) <= kept else None,
        sent_size=sent_size,
        response_headers=response.raw_headers,
        started=call.started,
    )
    if isinstance(response, EventStreamResponse):
        entry.events = response.events
        entry.response_size = sum(map(len, response.events))
    else:
        body = getattr(response, "body", None)
        if isinstance(body, bytes):
            entry.response_size = len(body)
            entry.response_body = body if len(body) <= kept else None
        entry.duration_ms = (time.perf_counter() - call.started) * 1000
    return entry


def _held(call: ApiCall, entry: Entry) -> int:
    """The bytes an entry keeps alive: the body as read, and the answer's body or events."""
    answer = entry.response_size if entry.events is not None else len(entry.response_body or b"")
    return len(call.raw) + answer


def _stream_ended(entry: Entry, how: str, closing_event: bytes | None) -> None:
    entry.ended(how, closing_event)
    access.log(entry)


def _framing(rpc: str, query: bytes, request: Request) -> str:
    if rpc != "streamGenerateContent":
        return "json"
    if query == b"alt=sse":  # what the SDKs send
        return "sse"
    return "sse" if b"alt=sse" in query and request.query_params.get("alt") == "sse" else "array"


def _error_reply(call: ApiCall, error: ApiError) -> GoogleResponse:
    return error_response(error, framing=call.framing)


def _note_retry_delay(call: ApiCall, error: ApiError) -> None:
    """Keep the ``RetryInfo`` delay an error asks for, for the journal (and the verdict)."""
    for detail in error.details:
        if detail.get("@type", "").endswith("RetryInfo"):
            call.extra["retryDelay"] = detail.get("retryDelay")


def _answered_error(call: ApiCall, error: ApiError) -> Answered:
    call.answered_by = call.answered_by or f"error:{error.status}"
    _note_retry_delay(call, error)
    return _answered(call, error_response(error, framing=call.framing))
