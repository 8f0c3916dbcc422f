"""The admin API under ``/__fake__/`` (docs/pytest-plugin.md#the-admin-api): the journal, the
loaded fixtures (and fixtures added at run time), a reset, and a health check. Plain Starlette
endpoints: they are not part of the Gemini API. A fake given keys (``--api-key``) asks for one
here too (as a header or ``?key=``), but for the health check, which readiness probes call
without one."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..control.verdict import judge
from ..fixtures.format import Fixture, FixtureError
from ..http.intake import authenticate, read_body
from ..http.responses import GoogleResponse, error_response
from ..protocol.errors import ApiError, invalid_argument, not_found
from ..protocol.json_body import read_json
from ..protocol.wire import dumps_pretty
from ..state import FakeState, give_back_memory
from ..store.records import timestamp

ADMIN_PREFIX = "/__fake__"

AdminEndpoint = Callable[[Request], Awaitable[Response]]


def guarded(endpoint: AdminEndpoint) -> AdminEndpoint:
    """``endpoint``, behind the fake's keys when it has any (the journal shows what apps sent)."""

    @functools.wraps(endpoint)
    async def serve(request: Request) -> Response:
        config = request.app.state.fake.config
        try:
            if config.api_keys:
                authenticate(request, config)
        except ApiError as error:
            return error_response(error)
        return await endpoint(request)

    return serve


async def health(request: Request) -> Response:
    """Whether the fake is up, for readiness probes: never needs a key."""
    return GoogleResponse(dumps_pretty({"status": "ok"}))


async def journal_reset(request: Request) -> Response:
    journal = request.app.state.fake.journal
    held = journal.bytes_held()
    journal.reset()
    give_back_memory(held)
    return GoogleResponse(dumps_pretty({}))


async def fixtures_list(request: Request) -> Response:
    """The loaded fixtures, best first, one entry per sequence: how far the sequence has moved
    (``served``) and how many requests in the journal its fixtures answered (``answered``)."""
    return GoogleResponse(dumps_pretty({"fixtures": _listed(request.app.state.fake)}))


def _listed(state: FakeState) -> list[dict[str, Any]]:
    answered: dict[str, int] = {}
    for entry in state.journal.entries:
        answered[entry.answered_by] = answered.get(entry.answered_by, 0) + 1
    fixtures = state.fixtures.describe()
    for fixture in fixtures:
        fixture["answered"] = sum(answered.get(f"fixture:{name}", 0) for name in fixture["names"])
    return fixtures


MAX_FIXTURE_BYTES = 1024 * 1024


async def fixtures_add(request: Request) -> Response:
    """Adds a fixture in the file format (or a list of them) at run time; answers each as the
    list shows its sequence. A fixture the fake cannot serve is a 400 naming every problem."""
    state: FakeState = request.app.state.fake
    try:
        data = read_json(await read_body(request, MAX_FIXTURE_BYTES))
        added = state.add_stubs(data if isinstance(data, list) else [data])
    except ApiError as error:
        return error_response(error)
    except FixtureError as exc:
        return error_response(invalid_argument(f"Invalid fixture: {exc}"))
    listed = _listed(state)
    shown = [_entry_of(fixture, listed) for fixture in added]
    return GoogleResponse(dumps_pretty(shown if isinstance(data, list) else shown[0]))


def _entry_of(fixture: Fixture, listed: list[dict[str, Any]]) -> dict[str, Any]:
    return next(entry for entry in listed if fixture.source in entry["sources"])


async def fixtures_remove(request: Request) -> Response:
    """Removes the fixtures added at run time; answers `{}`."""
    request.app.state.fake.remove_stubs()
    return GoogleResponse(dumps_pretty({}))


async def fixtures_reload(request: Request) -> Response:
    """Reads the fixture directories again, keeping run-time fixtures and sequences' places;
    answers how many fixtures are loaded. A broken fixture is a 400 and changes nothing."""
    try:
        count = request.app.state.fake.reload_fixtures()
    except FixtureError as exc:
        return error_response(invalid_argument(f"Invalid fixture: {exc}"))
    return GoogleResponse(dumps_pretty({"fixtures": count}))


async def reset(request: Request) -> Response:
    request.app.state.fake.reset()
    return GoogleResponse(dumps_pretty({}))


# --- fault rules (docs/faults.md) -------------------------------------------------------------

MAX_RULE_BYTES = 64 * 1024


async def faults_add(request: Request) -> Response:
    """Adds a fault rule (or a list of them); answers each with its id and counters."""
    faults = request.app.state.fake.faults
    try:
        data = read_json(await read_body(request, MAX_RULE_BYTES))
        added = [faults.add(rule) for rule in (data if isinstance(data, list) else [data])]
    except ApiError as error:
        return error_response(error)
    shown = [rule.to_json() for rule in added]
    return GoogleResponse(dumps_pretty(shown if isinstance(data, list) else shown[0]))


async def faults_list(request: Request) -> Response:
    """The fault rules in force, first added first, with how often each matched and fired."""
    return GoogleResponse(dumps_pretty({"faults": request.app.state.fake.faults.describe()}))


async def faults_clear(request: Request) -> Response:
    """Removes every fault rule, those given at start-up too; answers `{}`."""
    request.app.state.fake.faults.clear()
    return GoogleResponse(dumps_pretty({}))


async def fault_remove(request: Request) -> Response:
    """Removes one fault rule; a 404 in the envelope when there is none of that id."""
    rule_id = request.path_params["id"]
    if not request.app.state.fake.faults.remove(rule_id):
        return error_response(not_found(f'No fault rule "{rule_id}".'))
    return GoogleResponse(dumps_pretty({}))


# --- quotas and the clock (docs/faults.md#quotas-and-the-clock) --------------------------------


async def quota_set(request: Request) -> Response:
    """Sets a model's quota, `{"model": ..., "rpm": N, "tpm": N, "rpd": N}`, counting afresh."""
    try:
        quota = request.app.state.fake.quotas.set(read_json(await read_body(request, 4096)))
    except ApiError as error:
        return error_response(error)
    return GoogleResponse(dumps_pretty(quota.to_json()))


async def quota_list(request: Request) -> Response:
    """The quotas in force, per model."""
    return GoogleResponse(dumps_pretty({"quotas": request.app.state.fake.quotas.describe()}))


async def clock_advance(request: Request) -> Response:
    """Moves the fake's clock forward, `{"advance": "60s"}`; answers the new time."""
    try:
        body = read_json(await read_body(request, 4096))
        advance = body.get("advance") if isinstance(body, dict) else None
        now = request.app.state.fake.clock.advance(advance)
    except ApiError as error:
        return error_response(error)
    return GoogleResponse(dumps_pretty({"now": timestamp(now, 6)}))


async def clock_now(request: Request) -> Response:
    """The fake's time (quotas, file expiry and PROCESSING times follow it)."""
    now = request.app.state.fake.clock.now()
    return GoogleResponse(dumps_pretty({"now": timestamp(now, 6)}))


async def verdict(request: Request) -> Response:
    """How the client handled the failures it met, judged from the journal (docs/faults.md)."""
    return GoogleResponse(dumps_pretty(judge(request.app.state.fake.journal).to_json()))
