"""The fake's HTTP surface: one route table, one adapter between handlers and the wire.

Handlers take an :class:`ApiCall` and return a JSON-able body (or a finished response); they
raise :class:`~fake_server.errors.ApiError` for every failure. :func:`_endpoint` is the one
adapter: it authenticates (unless the route leaves that to its handler, as the upload URL
does), answers a repeated request from the memo, runs the handler, writes the body or the
Google error envelope, and journals the call. Every route is served under each API version the
SDKs use (``/v1beta`` by default in JS and curl, ``/v1`` by default in Python).
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import answers, catalog, tokens, uploads, validate
from .config import FakeConfig
from .errors import (
    TYPE_PREFIX,
    ApiError,
    bad_request_detail,
    error_response,
    failed_precondition,
    invalid_argument,
    not_found,
    permission_denied,
)
from .files import FileStore
from .fixtures import Call, FixtureSet, Miss
from .fixtures import load as load_fixtures
from .journal import Entry, Journal
from .memo import Answered, AnswerMemo
from .schema import transcode
from .wire import (
    ARRAY_HEAD,
    ARRAY_SEPARATOR,
    ARRAY_TAIL,
    JSON_CONTENT_TYPE,
    SSE_CONTENT_TYPE,
    EventStreamResponse,
    GoogleResponse,
    dumps_element,
    dumps_event,
    dumps_pretty,
)

API_VERSIONS = ("v1beta", "v1", "v1alpha")
ADMIN_PREFIX = "/__fake__"
MODELS_PAGE_SIZE = 50
MODELS_PAGE_SIZE_MAX = 1000

UNREGISTERED_CALLER = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY = "API key not valid. Please pass a valid API key."


@dataclass
class FakeState:
    """Everything one fake instance remembers; tests get a fresh one per app."""

    config: FakeConfig
    fixtures: FixtureSet
    store: FileStore
    journal: Journal = field(default_factory=Journal)
    memo: AnswerMemo = field(default_factory=AnswerMemo)

    def reset(self) -> None:
        """Start over without a restart: journal, fixture sequences and remembered answers
        (files and uploads stay; delete them through the Files API)."""
        self.journal.reset()
        self.fixtures.reset()
        self.memo.clear()


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
    repeatable: bool = True  # the same request always gets this answer (see fake_server.memo)

    async def body(self, message: str) -> dict[str, Any]:
        """The JSON body read as ``message`` into its canonical form (or the real 400)."""
        try:
            self.canonical = transcode(
                _parse_json(await self.request.body()), message, self.version
            )
        except RecursionError:
            raise _too_deep() from None
        return self.canonical

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


# --- handlers -------------------------------------------------------------------------------


async def _read_generate(call: ApiCall) -> tuple[dict[str, Any], catalog.ModelInfo]:
    """A generate request read, its model found and every rule checked, files included."""
    request = await call.body("GenerateContentRequest")
    if catalog.lookup(call.model or "") is None and call.state.fixtures.names_model(call.model):
        model = catalog.stand_in(call.model or "")  # a recording's model: replayed, not refused
    else:
        model = call.model_info("generateContent")
    validate.check_generate(request, model)
    named = uploads.file_ids(request)
    call.repeatable = not named  # the answer depends on the files' state: never remembered
    uploads.check_files(named, call.state.store)
    return request, model


async def generate_content(call: ApiCall) -> dict[str, Any]:
    request, model = await _read_generate(call)
    return _generate(call, request, model).body


async def stream_generate_content(call: ApiCall) -> EventStreamResponse:
    request, model = await _read_generate(call)
    generated = _generate(call, request, model)
    pacing = generated.pacing or call.state.config.streaming
    if call.framing == "sse":
        if generated.recorded is not None:
            events = generated.recorded  # byte for byte as recorded
        else:
            events = [dumps_event(chunk) for chunk in generated.chunks()]
        return EventStreamResponse(
            events,
            pacing=pacing,
            error_event=dumps_event(OVERLOADED.envelope()),
            content_type=SSE_CONTENT_TYPE,
            started=call.started,
        )
    return EventStreamResponse(
        [dumps_element(chunk) for chunk in generated.chunks()],
        pacing=pacing,
        error_event=dumps_element(OVERLOADED.envelope()),
        content_type=JSON_CONTENT_TYPE,
        head=ARRAY_HEAD,
        separator=ARRAY_SEPARATOR,
        tail=ARRAY_TAIL,
        started=call.started,
    )


# What a stream configured to end with an error sends: the overload the service reports most.
OVERLOADED = ApiError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")


def _generate(
    call: ApiCall, request: dict[str, Any], model: catalog.ModelInfo
) -> answers.Generated:
    """The answer for a validated generate request; in strict mode a miss is an error."""
    lookup = Call(call.rpc, call.model or "", request)
    try:
        generated = answers.generate(
            call.state.fixtures,
            lookup,
            catalog.resolve(model),
            strict=call.state.config.strict,
            file_tokens=uploads.file_tokens(call.state.store),
        )
    except answers.NoFixture as no_fixture:
        call.key, call.extra["miss"] = no_fixture.miss.key, no_fixture.miss.to_json()
        raise _strict_miss(call.rpc, no_fixture.miss) from None
    except answers.RecordedError as recorded:
        call.key, call.answered_by = lookup.key, f"fixture:{recorded.fixture.name}"
        call.repeatable = call.repeatable and recorded.repeatable
        error = recorded.error
        raise ApiError(
            error["code"], error["status"], error["message"], error.get("details", ())
        ) from None
    call.key, call.answered_by = generated.key, generated.source
    call.repeatable = call.repeatable and generated.repeatable
    if generated.miss is not None:
        call.extra["miss"] = generated.miss.to_json()
    return generated


def _strict_miss(rpc: str, miss: Miss) -> ApiError:
    return failed_precondition(
        f"gemini-fake (strict): no fixture matches this {rpc} request (key {miss.key}). "
        f"{miss.explain()} Add a fixture for it, or run the fake without --strict to get a "
        "synthetic answer."
    )


async def count_tokens(call: ApiCall) -> dict[str, Any]:
    request = await call.body("CountTokensRequest")
    call.model_info("countTokens")
    inner = request.get("generateContentRequest")
    if inner is not None:
        validate.check_contents(
            inner.get("contents", []), "CountTokensRequest.generate_content_request"
        )
        counted = inner
    else:
        validate.check_contents(request.get("contents", []), "CountTokensRequest")
        counted = request
    totals = tokens.count_request(counted, uploads.file_tokens(call.state.store))
    call.answered_by = "computed"
    return {
        "totalTokens": sum(totals.values()),
        "promptTokensDetails": tokens.modality_details(totals),
    }


async def upload(call: ApiCall) -> Response:
    """The upload endpoint: a start (with the API key), or a command on an upload URL."""
    store = call.state.store
    if "upload_id" in call.request.query_params:
        response = await uploads.command(call, store)
    else:
        authenticate(call.request, call.state.config)
        response = await uploads.start(call, store)
    call.extra.update(_upload_facts(call.request, response))
    return response


async def get_file(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "files"
    return uploads.get_file(call.state.store, call.request.path_params["file"])


async def delete_file(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "files"
    return uploads.delete_file(call.state.store, call.request.path_params["file"])


async def list_files(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "files"
    params = call.request.query_params
    return uploads.list_files(
        call.state.store,
        params.get("pageSize") or params.get("page_size"),
        params.get("pageToken") or params.get("page_token"),
    )


async def get_model(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "catalogue"
    model = catalog.lookup(call.model or "")
    if model is None:
        raise call.model_not_found("get")
    return model.resource()


async def list_models(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "catalogue"
    params = call.request.query_params
    try:
        size = int(params.get("pageSize") or params.get("page_size") or MODELS_PAGE_SIZE)
    except ValueError:
        raise invalid_argument("Invalid value for pageSize.") from None
    size = MODELS_PAGE_SIZE if size <= 0 else min(size, MODELS_PAGE_SIZE_MAX)
    start = _page_start(params.get("pageToken") or params.get("page_token") or "")
    page = catalog.MODELS[start : start + size]
    body: dict[str, Any] = {"models": [m.resource() for m in page]}
    if start + size < len(catalog.MODELS):
        body["nextPageToken"] = _page_token(page[-1].id)
    return body


def _page_token(last_id: str) -> str:
    """As the real service: base64 of a proto whose field 1 is the last name on the page."""
    name = f"models/{last_id}".encode()
    return base64.urlsafe_b64encode(b"\n" + bytes([len(name)]) + name).decode().rstrip("=")


def _page_start(token: str) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        name = raw[2 : 2 + raw[1]].decode().removeprefix("models/")
        ids = [m.id for m in catalog.MODELS]
        return ids.index(name) + 1
    except (ValueError, IndexError, UnicodeDecodeError):
        raise invalid_argument("Invalid page token.") from None


# --- the adapter ----------------------------------------------------------------------------


def _too_deep() -> ApiError:
    message = "Invalid JSON payload received. The payload is nested too deeply."
    return invalid_argument(message, [bad_request_detail(message)])


def _parse_json(raw: bytes) -> Any:
    """The body as JSON; an empty body is an empty message, as in the real transcoder."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        text = raw.decode("utf-8", "replace")
        pos = getattr(exc, "pos", 0)
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        line = text[line_start : line_end if line_end != -1 else len(text)]
        column = pos - line_start
        shown_from = max(0, column - 40)
        snippet = line[shown_from : column + 20]
        message = (
            f"Invalid JSON payload received. Unexpected token.\n{snippet}\n"
            f"{' ' * (column - shown_from)}^"
        )
        raise invalid_argument(message, [bad_request_detail(message)]) from None


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


def _endpoint(spec: RouteSpec, version: str) -> Callable[[Request], Awaitable[Response]]:
    rpc, handler = spec.rpc, spec.handler

    async def endpoint(request: Request) -> Response:
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

    return endpoint


async def _answer(call: ApiCall, handler: Handler) -> Answered | Response:
    """Run the handler; its body or its error, finished, or the response it built itself."""
    try:
        result = await handler(call)
    except ApiError as error:
        return _answered_error(call, error)
    except RecursionError:  # a body nested deeper than any rule walks
        return _answered_error(call, _too_deep())
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


def _framing(rpc: str, query: bytes, request: Request) -> str:
    if rpc != "streamGenerateContent":
        return "json"
    return "sse" if b"alt=sse" in query and request.query_params.get("alt") == "sse" else "array"


def _answered_error(call: ApiCall, error: ApiError) -> Answered:
    response = error_response(error, framing=call.framing)
    by = call.answered_by or f"error:{error.status}"
    return Answered(response, call.canonical, call.key, by, call.extra)


@dataclass(frozen=True)
class RouteSpec:
    """One row of the route table; ``{v}`` in the path is each API version."""

    method: str
    path: str
    rpc: str
    handler: Handler
    authenticated: bool = True  # the adapter checks the key (else the handler decides)
    memo: bool = True  # answers are a pure function of the request (see fake_server.memo)


ROUTE_TABLE: tuple[RouteSpec, ...] = (
    # the busiest first: routes match in order
    RouteSpec("POST", "/{v}/models/{model}:generateContent", "generateContent", generate_content),
    RouteSpec(
        "POST",
        "/{v}/models/{model}:streamGenerateContent",
        "streamGenerateContent",
        stream_generate_content,
    ),
    RouteSpec("POST", "/{v}/models/{model}:countTokens", "countTokens", count_tokens),
    RouteSpec("GET", "/{v}/models", "models.list", list_models),
    RouteSpec("GET", "/{v}/models/{model}", "models.get", get_model),
    RouteSpec("POST", "/upload/{v}/files", "files.upload", upload, authenticated=False, memo=False),
    RouteSpec("GET", "/{v}/files", "files.list", list_files, memo=False),
    RouteSpec("GET", "/{v}/files/{file}", "files.get", get_file, memo=False),
    RouteSpec("DELETE", "/{v}/files/{file}", "files.delete", delete_file, memo=False),
)


# --- the admin API (docs/pytest-plugin.md#the-admin-api) -----------------------------------


async def journal_list(request: Request) -> Response:
    """The journal, oldest first; ``?rpc=`` and ``?model=`` narrow it."""
    state: FakeState = request.app.state.fake
    rpc, model = request.query_params.get("rpc"), request.query_params.get("model")
    entries = [e.to_json() for e in state.journal.calls(rpc, model=model)]
    return GoogleResponse(dumps_pretty({"entries": entries}))


async def journal_reset(request: Request) -> Response:
    request.app.state.fake.journal.reset()
    return GoogleResponse(dumps_pretty({}))


async def fixtures_list(request: Request) -> Response:
    """The loaded fixtures, best first, one entry per sequence: how far the sequence has moved
    (``served``) and how many requests in the journal its fixtures answered (``answered``)."""
    state: FakeState = request.app.state.fake
    answered: dict[str, int] = {}
    for entry in state.journal.entries:
        answered[entry.answered_by] = answered.get(entry.answered_by, 0) + 1
    fixtures = state.fixtures.describe()
    for fixture in fixtures:
        fixture["answered"] = sum(answered.get(f"fixture:{name}", 0) for name in fixture["names"])
    return GoogleResponse(dumps_pretty({"fixtures": fixtures}))


async def reset(request: Request) -> Response:
    request.app.state.fake.reset()
    return GoogleResponse(dumps_pretty({}))


def routes() -> list[Route]:
    table = [
        Route(spec.path.replace("{v}", version), _endpoint(spec, version), methods=[spec.method])
        for version in API_VERSIONS
        for spec in ROUTE_TABLE
    ]
    table += [
        Route(f"{ADMIN_PREFIX}/journal", journal_list, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/journal", journal_reset, methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/fixtures", fixtures_list, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
    ]
    return table


async def _no_such_method(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods: what Google's front end answers, in the envelope."""
    return error_response(not_found("Method not found."))


def create_app(config: FakeConfig | None = None) -> Starlette:
    """A fresh fake with its own fixtures and journal."""
    config = config or FakeConfig()
    fixtures = load_fixtures(config.fixture_dirs, include_defaults=config.default_fixtures)
    app = Starlette(
        routes=routes(),
        exception_handlers={HTTPException: _no_such_method},
    )
    seed = config.seed
    if seed is None:  # ids repeat run to run, unless workers share a data directory
        seed = random.SystemRandom().randrange(2**32) if config.data_dir else 0
    store = FileStore(config.data_dir, seed=seed, clock=config.clock)
    app.state.fake = FakeState(config, fixtures, store, Journal(config.journal_limit))
    return app
