"""The admin API under ``/__fake__/`` (docs/pytest-plugin.md#the-admin-api): the journal, the
loaded fixtures, and a reset. Plain Starlette endpoints: they are not part of the Gemini API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..http.responses import GoogleResponse
from ..protocol.wire import dumps_pretty
from ..state import FakeState

ADMIN_PREFIX = "/__fake__"


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
