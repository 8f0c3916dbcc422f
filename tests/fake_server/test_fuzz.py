"""Fuzzing every route: whatever a client sends, the fake answers below 500, in the envelope.

The requests come from ``tests/kit/fuzz.py`` (built from the route table and the message
table); ``bench/fuzz_routes.py`` runs many more of them against a fake on a socket.
"""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings

from fake_server import FakeConfig, create_app
from fake_server.inprocess import SyncASGITransport
from tests.kit.fuzz import KEY, REQUESTS, Request, problem

APP = create_app(FakeConfig(api_keys=frozenset({KEY}), batch_delay=0))  # state carries over
CLIENT = httpx.Client(base_url="http://fake.test", transport=SyncASGITransport(APP), timeout=30)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REQUESTS)
def test_every_route_answers_anything_below_500_in_the_envelope(request: Request) -> None:
    response = CLIENT.request(
        request.method, request.path, headers=request.headers, content=request.body
    )
    content_type = response.headers.get("content-type", "")
    assert problem(response.status_code, content_type, response.content) is None
    admin = {"x-goog-api-key": KEY}
    journal = CLIENT.get("/__fake__/journal", headers=admin)
    assert journal.status_code == 200  # nothing a request left behind poisons the journal
    # Start over: each reading of the journal stays short, and a fault rule, quota or clock
    # move a request set (the admin routes are fuzzed too) holds up no later example.
    CLIENT.post("/__fake__/reset", headers=admin)
