"""Function calling through the JS SDK (@google/genai): ``node tests/js/tools.mjs`` against a
fake on a socket. ``functionCalls`` sees the calls the fake's model chose, unary and streamed; a
prompt needing no tool gets text; the results sent back get a text answer that uses them.
Parallel calls come in one turn, only the first signed
(docs/evidence.md#service-thought-signatures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.node import NodeRun

pytestmark = [pytest.mark.sdk, pytest.mark.node]

EXPECTED = [
    {"name": "get_weather", "args": {"city": "Rome"}},
    {"name": "get_weather", "args": {"city": "Madrid"}},
    {"name": "get_time", "args": {"location": "Tokyo"}},
]


@pytest.fixture(scope="module")
def lines(node_guide: Callable[..., NodeRun]) -> dict[str, Any]:
    """One node run of every example against a fake on a socket of its own."""
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url, in_process=False)
        examples = ("calls", "calls_stream", "no_call", "round_trip")
        found = node_guide(fake, *examples, script="tools.mjs").lines()
    for line in found.values():
        assert line["ok"], line
    return found


def signed(parts: list[dict[str, Any]]) -> list[bool]:
    return ["thoughtSignature" in p for p in parts if "functionCall" in p]


def test_function_calls_sees_the_parallel_calls_of_one_answer(lines: dict[str, Any]) -> None:
    assert lines["calls"]["functionCalls"] == EXPECTED
    assert signed(lines["calls"]["parts"]) == [True, False, False]


def test_a_stream_brings_the_same_calls_each_whole(lines: dict[str, Any]) -> None:
    per_chunk = [calls for calls in lines["calls_stream"]["functionCalls"] if calls]
    assert [call for calls in per_chunk for call in calls] == EXPECTED
    assert signed(lines["calls_stream"]["parts"]) == [True, False, False]


def test_a_prompt_needing_no_tool_gets_text(lines: dict[str, Any]) -> None:
    assert lines["no_call"]["functionCalls"] is None
    assert lines["no_call"]["text"]


def test_the_results_sent_back_get_an_answer_that_uses_them(lines: dict[str, Any]) -> None:
    line = lines["round_trip"]
    assert line["functionCalls"] == EXPECTED
    assert line["again"] is None
    for said in ("light rain in Rome, 12 degrees", "light rain in Madrid", "09:30 in Tokyo"):
        assert said in line["text"]
