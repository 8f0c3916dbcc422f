"""The pytest plugin: a fresh fake per test, in process and on a loopback port."""

from __future__ import annotations

import httpx
import pytest

from fake_server.pytest_plugin import Fake

ASK = {"contents": [{"parts": [{"text": "hi"}]}]}
URL = "/v1beta/models/gemini-2.5-flash:generateContent"


def test_in_process_fake_records_what_it_received(gemini_fake: Fake) -> None:
    gemini_fake.client(headers={"x-goog-api-key": "k"}).post(URL, json=ASK)
    [entry] = gemini_fake.journal.calls("generateContent", model="gemini-2.5-flash")
    assert entry.request == {"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}
    assert entry.api_version == "v1beta"
    assert entry.answered_by == "synthetic"


@pytest.mark.anyio
async def test_async_client_reaches_the_fake_in_process(gemini_fake: Fake) -> None:
    async with gemini_fake.async_client(headers={"x-goog-api-key": "k"}) as client:
        response = await client.post(URL, json=ASK)
    assert response.status_code == 200


@pytest.mark.parametrize("turn", [1, 2])
def test_socket_fake_starts_every_test_with_an_empty_journal(
    gemini_fake_server: Fake, turn: int
) -> None:
    assert gemini_fake_server.journal.entries == []
    response = httpx.post(
        gemini_fake_server.base_url + URL, json=ASK, headers={"x-goog-api-key": "k"}
    )
    assert response.status_code == 200
    assert len(gemini_fake_server.journal.entries) == 1


def test_socket_fake_serves_the_journal_over_http(gemini_fake_server: Fake) -> None:
    base = gemini_fake_server.base_url
    httpx.post(base + URL, json=ASK, headers={"x-goog-api-key": "k"})
    entries = httpx.get(base + "/__fake__/journal").json()["entries"]
    assert [(e["rpc"], e["status"], e["apiVersion"]) for e in entries] == [
        ("generateContent", 200, "v1beta")
    ]
    assert httpx.delete(base + "/__fake__/journal").json() == {}
    assert gemini_fake_server.journal.entries == []


def test_env_names_what_an_sdk_needs(gemini_fake_server: Fake) -> None:
    assert gemini_fake_server.env["GOOGLE_GEMINI_BASE_URL"].startswith("http://127.0.0.1:")
    assert gemini_fake_server.env["GEMINI_API_KEY"]


@pytest.mark.gemini_fake(strict=True, default_fixtures=False, allow_misses=True)
def test_marker_configures_the_fake(gemini_fake: Fake) -> None:
    response = gemini_fake.client(headers={"x-goog-api-key": "k"}).post(URL, json=ASK)
    assert response.status_code == 400
    assert "There are no fixtures loaded." in response.json()["error"]["message"]


def test_a_journal_with_a_limit_keeps_the_latest_entries() -> None:
    from fake_server.journal import Entry, Journal

    journal = Journal(limit=2)
    for _ in range(3):
        journal.record(
            Entry(seq=0, method="GET", path="/v1/models", rpc="models.list", api_version="v1")
        )
    assert [e.seq for e in journal.entries] == [2, 3]
    journal.reset()  # seq goes on: a follower never mistakes a new entry for one it has seen
    assert journal.record(Entry(0, "GET", "/", "x", "v1")).seq == 4
    assert (journal.resets, journal.reset_after, journal.last_seq) == (1, 3, 4)


def test_the_journal_keeps_the_query_string(gemini_fake: Fake) -> None:
    url = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    gemini_fake.client(headers={"x-goog-api-key": "k"}).post(url, json=ASK)
    assert gemini_fake.journal.last().query == "alt=sse"
