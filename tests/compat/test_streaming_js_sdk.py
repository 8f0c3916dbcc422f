"""The guide's "Streaming responses" example through the official JS SDK (@google/genai 2.32.0).

``tests/js/guide.mjs stream`` runs the guide's ``ai.models.generateContentStream`` call and prints
each chunk's ``text`` and each whole chunk; when the stream fails midway, its line has the error
and what came before it. A stream's pacing is the fake's configuration, so each configuration
gets a fake and a node process of its own, all started at once (node is slow to start) for the
whole module. The child's environment is the guide's (tests/js/README.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette

from fake_server import create_app
from fake_server.config import FakeConfig, Pacing
from fake_server.journal import Entry
from fake_server.pytest_plugin import TEST_API_KEY, Fake
from fake_server.server import ThreadedServer
from tests.kit.guide_answers import GuideExample
from tests.kit.node import JS_API, NodeRun
from tests.kit.wire import Exchange

pytestmark = [pytest.mark.sdk, pytest.mark.node]

EARLY_END = 3
OVERLOADED = {
    "error": {
        "code": 503,
        "message": "The model is overloaded. Please try again later.",
        "status": "UNAVAILABLE",
    }
}
# The fake's stream configuration for each run (the marker's ``streaming`` option).
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "whole": {},
    "error": {"endAfter": EARLY_END, "end": "error"},
    "abort": {"endAfter": EARLY_END, "end": "abort"},
    "close": {"endAfter": EARLY_END, "end": "close"},
}
STREAM_PATH = f"/{JS_API}/models/gemini-2.5-flash:streamGenerateContent"


@dataclass
class Run:
    """The ``stream`` example's line, and what the fake saw of it."""

    line: dict[str, Any]
    calls: list[Entry]
    wire: list[Exchange]
    unary: dict[str, Any]  # the same request, not streamed, on the same fake

    @property
    def error(self) -> dict[str, Any]:
        """The error the example ended with (it must have failed)."""
        assert self.line["ok"] is False
        error: dict[str, Any] = self.line["error"]
        return error

    @property
    def raw(self) -> list[dict[str, Any]]:
        """Each chunk as the SDK yielded it, without the HTTP headers it adds to each."""
        chunks: list[dict[str, Any]] = self.line["response"]["raw"]
        return [{k: v for k, v in c.items() if k != "sdkHttpResponse"} for c in chunks]

    @property
    def texts(self) -> list[str | None]:
        texts: list[str | None] = self.line["response"]["chunks"]
        return texts

    @property
    def call(self) -> Entry:
        (call,) = self.calls
        return call


@pytest.fixture(scope="module")
def runs(
    node_guide: Callable[..., NodeRun],
    tap_wire: Callable[[Starlette], list[Exchange]],
    guide_examples: dict[str, GuideExample],
) -> Iterator[dict[str, Run]]:
    request = guide_examples["stream"].canonical_request()
    with ExitStack() as stack:
        started = {}
        for name, streaming in CONFIGURATIONS.items():
            app = create_app(FakeConfig(streaming=Pacing.from_json(streaming)))
            wire = tap_wire(app)
            server = stack.enter_context(ThreadedServer(app))
            fake = Fake(app, server.base_url, in_process=False)
            started[name] = (fake, wire, node_guide(fake, "stream"))
        runs = {}
        for name, (fake, wire, node) in started.items():
            line = node.lines()["stream"]
            calls = fake.journal.calls("streamGenerateContent")
            with fake.client(headers={"x-goog-api-key": TEST_API_KEY}) as http:
                unary = http.post("/v1beta/models/gemini-2.5-flash:generateContent", json=request)
            runs[name] = Run(line, calls, list(wire), unary.json())
        yield runs


def check_chunks(run: Run, *, complete: bool) -> None:
    """One candidate per chunk holding a delta, one id; ``finishReason`` only on the last."""
    raw = run.raw
    assert [c["candidates"][0]["content"]["parts"][0]["text"] for c in raw] == run.texts
    assert len({c["responseId"] for c in raw}) == 1
    for position, chunk in enumerate(raw):
        assert chunk["modelVersion"] == "gemini-2.5-flash"
        assert re.fullmatch(r"[A-Za-z0-9_-]{23}", chunk["responseId"])
        (candidate,) = chunk["candidates"]
        assert (candidate["index"], candidate["content"]["role"]) == (0, "model")
        last = complete and position == len(raw) - 1
        assert candidate.get("finishReason") == ("STOP" if last else None)
        assert "usageMetadata" in chunk


def check_early_end(run: Run, guide: GuideExample) -> None:
    assert len(run.raw) == EARLY_END
    assert guide.expected_text().startswith("".join(t or "" for t in run.texts))
    check_chunks(run, complete=False)
    assert run.call.extra == {"eventsSent": EARLY_END, "streamFinished": False}


def test_the_guides_streaming_example_yields_the_fixture_answer_in_chunks_in_js(
    runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    run, guide = runs["whole"], guide_examples["stream"]

    assert run.line["ok"], run.line.get("error")
    guide.check_text(run.line["text"])
    assert len(run.texts) > 1
    assert "".join(t or "" for t in run.texts) == run.line["text"]
    check_chunks(run, complete=True)
    guide.check_call(run.call, JS_API, rpc="streamGenerateContent")
    assert run.call.extra == {"eventsSent": len(run.raw), "streamFinished": True}
    (exchange,) = [e for e in run.wire if e.path == STREAM_PATH]
    assert exchange.query == "alt=sse"  # docs/evidence.md#sdk-requests: the SDK forces alt=sse


def test_the_last_js_chunks_usage_is_the_usage_of_the_same_request_unstreamed(
    runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    run = runs["whole"]

    usage = run.raw[-1]["usageMetadata"]
    assert usage == run.unary["usageMetadata"]
    guide_examples["stream"].check_usage(usage)
    totals = [c["usageMetadata"]["totalTokenCount"] for c in run.raw]
    assert totals == sorted(totals)  # cumulative so far
    assert run.line["text"] == run.unary["candidates"][0]["content"]["parts"][0]["text"]


def test_an_error_event_mid_stream_is_an_api_error_503_in_js_after_the_earlier_chunks(
    runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    run = runs["error"]

    error = run.error
    assert (error["name"], error["status"]) == ("ApiError", 503)
    # docs/evidence.md#sdk-sse-acceptance: message `got status: UNAVAILABLE. {json}`
    prefix = "got status: UNAVAILABLE. "
    assert error["message"].startswith(prefix)
    assert json.loads(error["message"].removeprefix(prefix)) == OVERLOADED
    check_early_end(run, guide_examples["stream"])


def test_a_dropped_connection_mid_stream_is_a_terminated_type_error_in_js(
    runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    run = runs["abort"]

    # docs/evidence.md#sdk-sse-acceptance: `TypeError: terminated` (cause:
    # `SocketError: other side closed`).
    error = run.error
    assert (error["name"], error["message"]) == ("TypeError", "terminated")
    assert (error["cause"]["name"], error["cause"]["message"]) == (
        "SocketError",
        "other side closed",
    )
    check_early_end(run, guide_examples["stream"])


def test_a_clean_end_before_the_last_chunk_is_no_error_in_js_and_no_finish_reason(
    runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    run = runs["close"]

    assert run.line["ok"], run.line.get("error")
    assert run.line["text"] == "".join(t or "" for t in run.texts)
    check_early_end(run, guide_examples["stream"])
