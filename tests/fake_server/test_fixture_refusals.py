"""A fixture the fake cannot serve is refused at load with every problem named at once."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from fake_server.fixtures.format import FixtureError, parse_object, read_all


def refusal(data: object) -> str:
    with pytest.raises(FixtureError) as raised:
        parse_object(data, "bad", "dir/bad.json")
    return str(raised.value)


def test_every_problem_is_named_at_once() -> None:
    message = refusal(
        {
            "stauts": 429,
            "match": {"model": "models/gemini-2.5-flash", "lastUserText": {"regex": "("}},
            "answer": "hello",
            "sequence": "first",
        }
    )
    assert message.startswith("dir/bad.json: ")
    for part in (
        "'stauts': unknown field; a fixture has only description, match, answer",
        '"model" is matched without "models/": write \'gemini-2.5-flash\'',
        '"lastUserText" regex does not compile',
        '"answer" is an object such as {"text": "..."}',
        '"sequence" is a whole number',
    ):
        assert part in message
    assert message.count("; ") >= 4


def test_a_snake_case_key_is_named_with_its_camel_case() -> None:
    message = refusal({"match": {}, "answer": {"text": "x"}, "after_last": "fallThrough"})
    assert 'snake_case field name; the service sends "afterLast"' in message


def test_unknown_match_conditions_and_a_missing_answer_together() -> None:
    message = refusal({"match": {"lastUserTxt": "Hi"}})
    assert "unknown match conditions ['lastUserTxt']" in message
    assert "give exactly one of 'answer', 'response', 'sse'" in message


def test_a_directory_with_a_bad_fixture_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "typo.json").write_text(json.dumps({"match": {}, "answr": {"text": "x"}}))
    with pytest.raises(FixtureError, match="typo.json: 'answr': unknown field.*give exactly"):
        read_all([tmp_path], include_defaults=False)


def test_the_admin_api_names_every_problem(client: httpx.Client) -> None:
    refused = client.post("/__fake__/fixtures", json={"stauts": 1, "answer": []})
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert "'stauts': unknown field" in message and '"answer" is an object' in message
