"""The service's serialisation never fails on a string UTF-8 cannot hold: a lone surrogate is
written as the ``\\udXXX`` escape ``json.dumps`` writes with ``ensure_ascii``, and nothing else
changes (docs/protocol.md#serialisation)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_server.http.responses import error_response
from fake_server.journal import Entry
from fake_server.protocol.errors import invalid_argument
from fake_server.protocol.wire import (
    dumps_array,
    dumps_element,
    dumps_event,
    dumps_pretty,
    event_json,
)
from fake_server.pytest_plugin import Fake

LONE = {"text\ud800": "a\udc00b", "list": ["\udfff"]}


def test_a_unary_body_escapes_a_lone_surrogate_and_reads_back() -> None:
    body = dumps_pretty(LONE)
    assert body == (b'{\n  "text\\ud800": "a\\udc00b",\n  "list": [\n    "\\udfff"\n  ]\n}\n')
    assert json.loads(body) == LONE


def test_a_stream_event_and_an_array_element_escape_it_too() -> None:
    assert dumps_event({"t": "\ud83d"}) == b'data: {"t": "\\ud83d"}\r\n\r\n'
    assert event_json(dumps_event({"t": "\ud83d"})) == {"t": "\ud83d"}
    assert dumps_element(["\udc00"]) == b'[\n  "\\udc00"\n]'
    assert json.loads(dumps_array([LONE, LONE])) == [LONE, LONE]


def test_surrogate_halves_side_by_side_read_back_as_their_character() -> None:
    assert json.loads(dumps_pretty({"t": "\ud83d\ude00"})) == {"t": "\U0001f600"}


@pytest.mark.parametrize(
    "value",
    [{"t": "é 😀 <b> \\u003c"}, {"n": [1, 2.5, None, True]}, {}],
    ids=["text", "scalars", "empty"],
)
def test_everything_else_is_written_as_before(value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    assert (
        dumps_pretty(value)
        == (text.replace("<", "\\u003c").replace(">", "\\u003e") + "\n").encode()
    )


def test_an_error_that_quotes_a_lone_surrogate_is_still_written_in_the_envelope() -> None:
    error = invalid_argument('Invalid JSON payload received. Unknown name "\udead": Cannot find.')
    for framing in ("json", "sse", "array"):
        response = error_response(error, framing=framing)
        assert response.status_code == 400
        assert b'Unknown name \\"\\udead\\"' in bytes(response.body)


def test_the_journal_serves_an_entry_holding_a_lone_surrogate(gemini_fake: Fake) -> None:
    gemini_fake.journal.record(
        Entry(seq=0, method="POST", path="/x", rpc="countTokens", api_version="v1beta",
              request={"contents": [{"parts": [{"text": "\ud800"}]}]})
    )  # fmt: skip
    response = gemini_fake.client().get("/__fake__/journal")
    assert response.status_code == 200
    text = response.json()["entries"][-1]["request"]["contents"][0]["parts"][0]["text"]
    assert text == "\ud800"
