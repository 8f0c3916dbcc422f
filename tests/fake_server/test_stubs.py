"""Fixtures added at run time: over the admin API, through the plugin's ``stub``, and what a
reload, a reset and the answer memo make of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import types

from fake_server.fixtures.format import FixtureError
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, new_fake

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
HI = {"match": {"lastUserText": "Hi"}, "answer": {"text": "Hello from a stub."}}


def ask(client: httpx.Client, text: str) -> httpx.Response:
    return client.post(GENERATE, json={"contents": [{"parts": [{"text": text}]}]})


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return str(body["candidates"][0]["content"]["parts"][0]["text"])


def test_a_posted_fixture_answers_and_is_listed(client: httpx.Client) -> None:
    added = client.post("/__fake__/fixtures", json=HI)
    assert added.status_code == 200, added.text
    entry = added.json()
    assert entry["names"] == ["stub-0001"]
    assert entry["sources"] == ["run-time/stub-0001"]
    assert entry["match"] == {"lastUserText": "Hi"}
    assert text_of(ask(client, "Hi")) == "Hello from a stub."
    listed = client.get("/__fake__/fixtures").json()["fixtures"]
    assert listed[0]["names"] == ["stub-0001"] and listed[0]["answered"] == 1


def test_a_list_of_fixtures_forms_a_sequence_answered_in_order(client: httpx.Client) -> None:
    first = {"match": {"lastUserText": "Roll"}, "answer": {"text": "4"}}
    second = {"match": {"lastUserText": "Roll"}, "answer": {"text": "2"}}
    added = client.post("/__fake__/fixtures", json=[first, second])
    assert [entry["names"] for entry in added.json()] == [["stub-0001", "stub-0002"]] * 2
    assert [text_of(ask(client, "Roll")) for _ in range(3)] == ["4", "2", "2"]


def test_a_stub_outranks_a_directory_fixture_and_the_memo(tmp_path: Path) -> None:
    (tmp_path / "hi.json").write_text(json.dumps({**HI, "answer": {"text": "From disk."}}))
    fake = new_fake(fixture_dirs=(tmp_path,))
    client = fake.client(headers=KEY)
    assert text_of(ask(client, "Hi")) == "From disk."
    fake.stub(match={"lastUserText": "Hi"}, answer={"text": "Stubbed."})
    assert text_of(ask(client, "Hi")) == "Stubbed."  # not the remembered answer
    assert client.delete("/__fake__/fixtures").json() == {}
    assert text_of(ask(client, "Hi")) == "From disk."


def test_a_bad_fixture_is_a_400_naming_every_problem(client: httpx.Client) -> None:
    bad = [HI, {"match": {"lastUserTxt": "Hi"}, "answer": {"text": "x"}}, {"match": {}}]
    refused = client.post("/__fake__/fixtures", json=bad)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert "[1] run-time/stub-0002: unknown match conditions ['lastUserTxt']" in error["message"]
    assert "[2] run-time/stub-0003: give exactly one of" in error["message"]
    assert len(client.get("/__fake__/fixtures").json()["fixtures"]) == len(
        new_fake().state.fixtures.describe()
    )  # none of the three was added


def test_a_body_that_is_not_json_is_the_services_400(client: httpx.Client) -> None:
    refused = client.post("/__fake__/fixtures", content=b"{not json")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("Invalid JSON payload received.")


def test_reset_removes_stubs_and_reload_keeps_them(tmp_path: Path) -> None:
    fake = new_fake(fixture_dirs=(tmp_path,), default_fixtures=False, strict=True)
    client = fake.client(headers=KEY)
    fake.stub(**HI)
    (tmp_path / "bye.json").write_text(
        json.dumps({"match": {"lastUserText": "Bye"}, "answer": {"text": "Goodbye."}})
    )
    assert ask(client, "Bye").status_code != 200  # not read yet
    reloaded = client.post("/__fake__/reload")
    assert reloaded.json() == {"fixtures": 2}
    assert text_of(ask(client, "Bye")) == "Goodbye."
    assert text_of(ask(client, "Hi")) == "Hello from a stub."
    assert client.post("/__fake__/reset").status_code == 200
    assert ask(client, "Hi").status_code != 200
    assert text_of(ask(client, "Bye")) == "Goodbye."


def test_a_reload_keeps_a_sequences_place_and_refuses_a_broken_file(tmp_path: Path) -> None:
    for number, text in enumerate(["one", "two", "three"], 1):
        fixture = {"match": {"lastUserText": "Count"}, "sequence": number, "answer": {"text": text}}
        (tmp_path / f"count-{number}.json").write_text(json.dumps(fixture))
    fake = new_fake(fixture_dirs=(tmp_path,), default_fixtures=False)
    client = fake.client(headers=KEY)
    assert text_of(ask(client, "Count")) == "one"
    assert client.post("/__fake__/reload").status_code == 200
    assert text_of(ask(client, "Count")) == "two"
    (tmp_path / "broken.json").write_text("{")
    refused = client.post("/__fake__/reload")
    assert refused.status_code == 400
    assert "broken.json" in refused.json()["error"]["message"]
    assert text_of(ask(client, "Count")) == "three"


def test_the_admin_routes_ask_for_a_key_when_the_fake_has_keys() -> None:
    fake = new_fake(api_keys=frozenset({"secret"}))
    client = fake.client()
    assert client.post("/__fake__/fixtures", json=HI).status_code in (400, 401, 403)
    assert client.post("/__fake__/reload").status_code in (400, 401, 403)
    assert client.delete("/__fake__/fixtures").status_code in (400, 401, 403)
    assert (
        fake.client(headers={"x-goog-api-key": "secret"})
        .post("/__fake__/fixtures", json=HI)
        .status_code
        == 200
    )


def test_stub_refuses_a_fixture_the_fake_cannot_serve(gemini_fake: Fake) -> None:
    with pytest.raises(FixtureError, match="give exactly one of"):
        gemini_fake.stub(match={"lastUserText": "Hi"})


@pytest.mark.sdk
def test_the_python_sdk_gets_a_stubbed_answer(gemini_fake_server: Fake) -> None:
    gemini_fake_server.stub(match={"lastUserText": "Hi"}, answer={"text": "Stubbed for the SDK."})
    options = types.HttpOptions(base_url=gemini_fake_server.base_url)
    client = genai.Client(api_key="k", http_options=options)
    response = client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert response.text == "Stubbed for the SDK."
