"""The route table: which handler serves which path, under each API version the SDKs use
(``/v1beta`` by default in JS and curl, ``/v1`` in Python), and :func:`create_app`.

Each row names its handler module: :mod:`.generate`, :mod:`.embed`, :mod:`.models`, :mod:`.files`,
:mod:`.uploads`, :mod:`.downloads`, :mod:`.caches`, :mod:`.batches`; the admin API is :mod:`.admin`
(the journal :mod:`.journal_api`, the inspector page :mod:`.inspector`). The adapter
(:mod:`fake_server.http.adapter`) wraps every handler. The API's rows are dispatched before
Starlette's router (:class:`DirectRoutes`): on the fast HTTP stack that router's matching and
its exception middleware's wrapping were most of what a replayed answer cost the fake.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, StringConvertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import FakeConfig
from ..control.clock import TestClock
from ..control.faults import FaultSet
from ..control.quotas import QuotaSet
from ..fixtures.matching import load as load_fixtures
from ..http.adapter import RouteSpec, endpoint, unknown_route
from ..http.responses import error_response
from ..journal import Journal
from ..protocol.errors import internal_error, not_found
from ..state import FakeState
from ..store import FileStore
from . import (
    admin,
    batches,
    caches,
    downloads,
    embed,
    files,
    generate,
    inspector,
    journal_api,
    models,
    uploads,
)
from .admin import ADMIN_PREFIX

API_VERSIONS = ("v1beta", "v1", "v1alpha")

ROUTE_TABLE: tuple[RouteSpec, ...] = (
    # the busiest first: routes match in order
    RouteSpec(
        "POST", "/{v}/models/{model}:generateContent", "generateContent", generate.generate_content
    ),
    RouteSpec(
        "POST",
        "/{v}/models/{model}:streamGenerateContent",
        "streamGenerateContent",
        generate.stream_generate_content,
    ),
    RouteSpec("POST", "/{v}/models/{model}:countTokens", "countTokens", generate.count_tokens),
    RouteSpec("POST", "/{v}/models/{model}:embedContent", "embedContent", embed.embed_content),
    RouteSpec(
        "POST",
        "/{v}/models/{model}:batchEmbedContents",
        "batchEmbedContents",
        embed.batch_embed_contents,
    ),
    RouteSpec("GET", "/{v}/models", "models.list", models.list_models),
    RouteSpec("GET", "/{v}/models/{model}", "models.get", models.get_model),
    RouteSpec(
        "POST",
        "/upload/{v}/files",
        "files.upload",
        uploads.upload,
        authenticated=False,  # the start needs a key; the upload URL is its own capability
        memo=False,
        reads_body=False,  # chunks stream to disk
        error_reply=uploads.fault_reply,
    ),
    RouteSpec("GET", "/{v}/files", "files.list", files.list_files, memo=False),
    # before files.get, whose {file} would take "<id>:download"
    RouteSpec(
        "GET", "/{v}/files/{file}:download", "files.download", downloads.download, memo=False
    ),
    RouteSpec(
        "GET", "/download/{v}/files/{file}:download", "media.download", downloads.media, memo=False
    ),
    RouteSpec("GET", "/{v}/files/{file}", "files.get", files.get_file, memo=False),
    RouteSpec("DELETE", "/{v}/files/{file}", "files.delete", files.delete_file, memo=False),
    RouteSpec(
        "POST",
        "/{v}/cachedContents",
        "cachedContents.create",
        caches.create_cached_content,
        memo=False,
    ),
    RouteSpec(
        "GET", "/{v}/cachedContents", "cachedContents.list", caches.list_cached_contents, memo=False
    ),
    RouteSpec(
        "GET",
        "/{v}/cachedContents/{cache}",
        "cachedContents.get",
        caches.get_cached_content,
        memo=False,
    ),
    RouteSpec(
        "PATCH",
        "/{v}/cachedContents/{cache}",
        "cachedContents.patch",
        caches.update_cached_content,
        memo=False,
    ),
    RouteSpec(
        "DELETE",
        "/{v}/cachedContents/{cache}",
        "cachedContents.delete",
        caches.delete_cached_content,
        memo=False,
    ),
    RouteSpec(
        "POST",
        "/{v}/models/{model}:batchGenerateContent",
        "batchGenerateContent",
        batches.create,
        memo=False,
    ),
    RouteSpec("GET", "/{v}/batches", "batches.list", batches.list_batches, memo=False),
    RouteSpec("GET", "/{v}/batches/{batch}", "batches.get", batches.get_batch, memo=False),
    RouteSpec("POST", "/{v}/batches/{batch}:cancel", "batches.cancel", batches.cancel, memo=False),
    RouteSpec("DELETE", "/{v}/batches/{batch}", "batches.delete", batches.delete, memo=False),
)

# The catalogue advertises a model's method only where a row of this table serves it.
models.SERVED.update(spec.rpc for spec in ROUTE_TABLE)


def api_routes() -> list[Route]:
    """Every row of the table under each API version."""
    return [
        Route(spec.path.replace("{v}", version), endpoint(spec, version), methods=[spec.method])
        for version in API_VERSIONS
        for spec in ROUTE_TABLE
    ]


def routes() -> list[Route]:
    """Every row of the table under each API version, then the admin API."""
    table = api_routes()
    guarded = admin.guarded
    table += [
        Route(f"{ADMIN_PREFIX}/journal", guarded(journal_api.journal_list), methods=["GET"]),
        Route(
            f"{ADMIN_PREFIX}/journal/stream", guarded(journal_api.journal_stream), methods=["GET"]
        ),
        Route(
            f"{ADMIN_PREFIX}/journal/{{seq:int}}",
            guarded(journal_api.journal_entry),
            methods=["GET"],
        ),
        Route(f"{ADMIN_PREFIX}/journal", guarded(admin.journal_reset), methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/fixtures", guarded(admin.fixtures_list), methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/fixtures", guarded(admin.fixtures_add), methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/fixtures", guarded(admin.fixtures_remove), methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/reload", guarded(admin.fixtures_reload), methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/reset", guarded(admin.reset), methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", guarded(admin.faults_add), methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/faults", guarded(admin.faults_list), methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/faults", guarded(admin.faults_clear), methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/faults/{{id}}", guarded(admin.fault_remove), methods=["DELETE"]),
        Route(f"{ADMIN_PREFIX}/quota", guarded(admin.quota_set), methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/quota", guarded(admin.quota_list), methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/clock", guarded(admin.clock_advance), methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/clock", guarded(admin.clock_now), methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/verdict", guarded(admin.verdict), methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/health", admin.health, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/", guarded(inspector.page), methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/inspector/{{name}}", inspector.asset, methods=["GET"]),
    ]
    return table


async def _no_such_method(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods: what Google's front end answers, in the envelope; journalled,
    but for the fake's own paths."""
    if request.scope["path"].startswith(ADMIN_PREFIX):
        return error_response(not_found("Method not found."))
    return await unknown_route(request)


async def _internal(request: Request, exc: Exception) -> Response:
    """The last resort, for a fault of the fake's outside the adapter (which catches its own):
    the service's 500 in the envelope; the server logs the traceback."""
    return error_response(internal_error())


Endpoint = Callable[[Request], Awaitable[Response]]
Convertors = list[tuple[str, Convertor[Any]]]


class DirectRoutes:
    """The API's routes, taken before Starlette's router: a request whose path and method one
    of them matches goes straight to its endpoint, which answers every error itself (in the
    envelope; the adapter catches them), so the router's matching and the exception
    middleware's wrapping of every ``send`` (one per stream event) are left out. Anything else
    (the admin API, an unknown path or method) goes on to the router as before; a fault of the
    fake's own still reaches the 500 handler around both."""

    def __init__(self, app: ASGIApp, routes: list[Route]) -> None:
        self.app = app
        # Each route's regex and endpoint, and the path parameters that are not plain strings,
        # to convert as Starlette's route would ({seq:int} ...; none today), by method and the
        # verb its path ends with (``generateContent`` in ``.../{model}:generateContent``, ""
        # for none): a request tries only the few routes of its own method and verb.
        self.routes: dict[tuple[str, str], list[tuple[Any, Endpoint, Convertors]]] = {}
        for route in routes:
            convertors = [
                (key, convertor)
                for key, convertor in route.param_convertors.items()
                if not isinstance(convertor, StringConvertor)
            ]
            for method in route.methods or ():
                self.routes.setdefault((method, verb(route.path)), []).append(
                    (route.path_regex, route.endpoint, convertors)
                )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path = scope["path"]
            for regex, handler, convertors in self.routes.get((scope["method"], verb(path)), ()):
                match = regex.match(path)
                if match is not None:
                    params = match.groupdict()
                    for key, convertor in convertors:
                        params[key] = convertor.convert(params[key])
                    scope["path_params"] = params
                    response = await handler(Request(scope, receive))
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def verb(path: str) -> str:
    """What follows the last colon of a path's last segment: its custom method, or ""."""
    last = path[path.rfind("/") + 1 :]
    return last[last.rfind(":") + 1 :] if ":" in last else ""


def create_app(config: FakeConfig | None = None) -> Starlette:
    """A fresh fake with its own fixtures and journal."""
    config = config or FakeConfig()
    fixtures = load_fixtures(config.fixture_dirs, include_defaults=config.shipped_fixtures)
    table = routes()
    api = [route for route in table if not route.path.startswith(ADMIN_PREFIX)]
    app = Starlette(
        routes=table,
        exception_handlers={HTTPException: _no_such_method, Exception: _internal},
        middleware=[Middleware(DirectRoutes, routes=api)],
    )
    app.router.redirect_slashes = False  # a redirect would be built from the Host header
    seed = config.seed
    if seed is None:  # ids repeat run to run, unless workers share a data directory
        seed = random.SystemRandom().randrange(2**32) if config.data_dir else 0
    clock = TestClock(config.clock)
    store = FileStore(config.data_dir, seed=seed, clock=clock.now)
    journal = Journal(config.journal_limit, config.journal_bytes)
    app.state.fake = FakeState(
        config,
        fixtures,
        store,
        journal,
        faults=FaultSet(config.faults),
        quotas=QuotaSet(config.quotas),
        clock=clock,
    )
    return app
