"""``lastUserText`` by substring or regular expression, and sequences that fall through to the
fake's other answers after their last one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server.fixtures.format import FixtureError
from fake_server.fixtures.lint import lint_fixture
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, new_fake

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"


def ask(client: httpx.Client, text: str) -> httpx.Response:
    return client.post(GENERATE, json={"contents": [{"parts": [{"text": text}]}]})


def answer(client: httpx.Client, text: str) -> str:
    response = ask(client, text)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return str(body["candidates"][0]["content"]["parts"][0]["text"])


def test_contains_matches_a_substring(gemini_fake: Fake, client: httpx.Client) -> None:
    gemini_fake.stub(match={"lastUserText": {"contains": "weather"}}, answer={"text": "Sunny."})
    assert answer(client, "What is the weather in Paris?") == "Sunny."
    assert answer(client, "What is the time?") != "Sunny."


def test_regex_searches_the_text(gemini_fake: Fake, client: httpx.Client) -> None:
    gemini_fake.stub(match={"lastUserText": {"regex": r"^order #\d+$"}}, answer={"text": "Found."})
    assert answer(client, "order #42") == "Found."
    assert answer(client, "order #forty-two") != "Found."


def test_an_exact_text_outranks_nothing_but_is_still_exact(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    gemini_fake.stub(match={"lastUserText": "Hi there"}, answer={"text": "Exact."})
    assert answer(client, "Hi there") == "Exact."
    assert answer(client, "Hi there, friend") != "Exact."


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"regex": "("}, "regex does not compile"),
        ({"contains": 3}, '"lastUserText" is the text'),
        ({"startsWith": "Hi"}, '"lastUserText" is the text'),
        ({"contains": "a", "regex": "b"}, '"lastUserText" is the text'),
    ],
)
def test_a_bad_text_test_is_refused(gemini_fake: Fake, condition: Any, message: str) -> None:
    with pytest.raises(FixtureError, match=message):
        gemini_fake.stub(match={"lastUserText": condition}, answer={"text": "x"})


def test_lint_accepts_the_text_tests_and_after_last(tmp_path: Path) -> None:
    path = tmp_path / "weather.json"
    fixture = {
        "match": {"lastUserText": {"regex": "weather"}},
        "afterLast": "fallThrough",
        "answer": {"text": "Sunny."},
    }
    path.write_text(json.dumps(fixture))
    assert lint_fixture(path) == []


def test_a_sequence_that_falls_through_answers_as_if_it_were_not_there() -> None:
    fake = new_fake(strict=True, default_fixtures=False)
    client = fake.client(headers=KEY)
    fake.stub(match={"lastUserText": "Hi"}, answer={"text": "Fallback."})
    # a more specific sequence (it names the model), ahead of the fallback
    match = {"lastUserText": "Hi", "model": "gemini-2.5-flash"}
    fake.state.add_stubs(
        [
            {"match": match, "sequence": 1, "answer": {"text": "One."}},
            {"match": match, "sequence": 2, "answer": {"text": "Two."}, "afterLast": "fallThrough"},
        ]
    )
    assert [answer(client, "Hi") for _ in range(4)] == ["One.", "Two.", "Fallback.", "Fallback."]
    fake.reset()  # sequences start over (the stubs are gone too)
    assert ask(client, "Hi").json()["error"]["status"] == "FAILED_PRECONDITION"  # strict miss


def test_a_used_up_sequence_is_a_strict_miss_that_says_so() -> None:
    fake = new_fake(strict=True, default_fixtures=False)
    client = fake.client(headers=KEY)
    fake.stub(match={"lastUserText": "Hi"}, afterLast="fallThrough", answer={"text": "Once."})
    assert answer(client, "Hi") == "Once."
    missed = ask(client, "Hi").json()["error"]
    assert missed["status"] == "FAILED_PRECONDITION"
    assert "its sequence, whose answers are used up" in missed["message"]


def test_a_sequence_repeats_its_last_by_default(gemini_fake: Fake, client: httpx.Client) -> None:
    gemini_fake.stub(match={"lastUserText": "Hi"}, answer={"text": "Always."})
    assert [answer(client, "Hi") for _ in range(3)] == ["Always."] * 3


def test_after_last_takes_only_its_two_values(gemini_fake: Fake) -> None:
    with pytest.raises(FixtureError, match='"afterLast" is "repeat" or "fallThrough"'):
        gemini_fake.stub(match={}, afterLast="stop", answer={"text": "x"})
