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

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..config import FakeConfig
from ..journal import Entry
from ..model import catalog
from ..protocol.errors import (
    TYPE_PREFIX,
    ApiError,
    invalid_argument,
    not_found,
    permission_denied,
)
from ..protocol.json_body import read_json, too_deep
from ..protocol.transcode import transcode
from ..protocol.wire import dumps_pretty
from ..state import FakeState
from .memo import Answered
from .responses import EventStreamResponse, GoogleResponse, error_response

UNREGISTERED_CALLER = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY = "API key not valid. Please pass a valid API key."


@dataclass
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

    async def body(self, message: str) -> dict[str, Any]:
        """The JSON body, read as the service reads it, as ``message`` in its canonical form (or
        the real 400)."""
        value = read_json(await self.request.body())
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


Handler = Callable[[ApiCall], Awaitable[dict[str, Any] | Response]]


@dataclass(frozen=True)
class RouteSpec:
    """One row of the route table; ``{v}`` in the path is each API version."""

    method: str
    path: str
    rpc: str
    handler: Handler
    authenticated: bool = True  # the adapter checks the key (else the handler decides)
    memo: bool = True  # answers are a pure function of the request (see fake_server.http.memo)


def authenticate(request: Request, config: FakeConfig) -> None:
    """``x-goog-api-key`` or ``?key=``; refused exactly as the real front end refuses."""
    key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
    if not key:
        raise permission_denied(UNREGISTERED_CALLER)
    if config.api_keys and key not in config.api_keys:
        raise invalid_argument(
            INVALID_KEY,
            [
                {
                    "@type": TYPE_PREFIX + "ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                },
                {
                    "@type": TYPE_PREFIX + "LocalizedMessage",
                    "locale": "en-US",
                    "message": INVALID_KEY,
                },
            ],
        )


def endpoint(spec: RouteSpec, version: str) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint serving ``spec`` under API ``version``."""
    rpc, handler = spec.rpc, spec.handler

    async def serve(request: Request) -> Response:
        state: FakeState = request.app.state.fake
        scope = request.scope
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        call = ApiCall(
            request,
            state,
            rpc,
            version,
            request.path_params.get("model"),
            time.perf_counter(),
            framing=_framing(rpc, query, request),
        )
        try:
            if spec.authenticated:
                authenticate(request, state.config)
        except ApiError as error:
            answered: Answered | Response = _answered_error(call, error)
        else:
            memo_key = (request.method, path, query, await request.body() if spec.memo else b"")
            remembered = state.memo.get(memo_key) if spec.memo else None
            if remembered is None:
                answered = await _answer(call, handler)
                if isinstance(answered, Answered) and call.repeatable and spec.memo:
                    state.memo.put(memo_key, answered)
            else:
                answered = remembered
        response: Response
        if isinstance(answered, Answered):
            response = answered.replay(call.started)
            canonical, key, by = answered.canonical, answered.key, answered.answered_by
            extra = dict(answered.extra) if answered.extra else {}
        else:
            response = answered
            canonical, key, by, extra = call.canonical, call.key, call.answered_by, call.extra
        entry = state.journal.record(
            Entry(
                seq=0,
                method=request.method,
                path=path,
                rpc=rpc,
                api_version=version,
                model=call.model,
                request=canonical,
                status=response.status_code,
                answered_by=by,
                key=key,
                query=query.decode("latin-1"),
                extra=extra,
            )
        )
        if isinstance(response, EventStreamResponse):
            response.on_progress = entry.stream_progress
        return response

    return serve


async def _answer(call: ApiCall, handler: Handler) -> Answered | Response:
    """Run the handler; its body or its error, finished, or the response it built itself."""
    try:
        result = await handler(call)
    except ApiError as error:
        return _answered_error(call, error)
    except RecursionError:  # a body nested deeper than any rule walks
        return _answered_error(call, too_deep())
    if isinstance(result, EventStreamResponse):
        return Answered(result, call.canonical, call.key, call.answered_by, call.extra)
    if isinstance(result, Response):
        return result
    response = GoogleResponse(
        dumps_pretty(result),
        started=call.started,
        extra_headers={"x-gemini-service-tier": "standard"},
    )
    return Answered(response, call.canonical, call.key, call.answered_by, call.extra)


def _framing(rpc: str, query: bytes, request: Request) -> str:
    if rpc != "streamGenerateContent":
        return "json"
    return "sse" if b"alt=sse" in query and request.query_params.get("alt") == "sse" else "array"


def _answered_error(call: ApiCall, error: ApiError) -> Answered:
    response = error_response(error, framing=call.framing)
    by = call.answered_by or f"error:{error.status}"
    return Answered(response, call.canonical, call.key, by, call.extra)
