"""Repeated requests are answered from memory, and nothing an app can observe changes."""

from __future__ import annotations

import pytest

from fake_server.http.memo import MAX_BODY, Answered, AnswerMemo
from fake_server.http.responses import GoogleResponse
from fake_server.pytest_plugin import Fake

URL = "/v1beta/models/gemini-2.5-flash:generateContent"
ASK = {"contents": [{"parts": [{"text": "How does AI work?"}]}]}


@pytest.mark.gemini_fake(api_keys=["good"])
def test_a_repeated_request_gets_the_same_answer_and_is_journaled_each_time(
    gemini_fake: Fake,
) -> None:
    client = gemini_fake.client()
    first = client.post(URL, json=ASK, headers={"x-goog-api-key": "good"})
    second = client.post(URL, json=ASK, headers={"x-goog-api-key": "good"})
    assert second.content == first.content
    assert second.headers["server-timing"].startswith("gfet4t7; dur=")
    entries = gemini_fake.journal.calls("generateContent")
    assert len(entries) == 2
    assert entries[0].request == entries[1].request
    assert [e.answered_by for e in entries] == ["fixture:guide-how-does-ai-work"] * 2
    assert [e.seq for e in entries] == [1, 2]


@pytest.mark.gemini_fake(api_keys=["good"])
def test_a_remembered_answer_still_checks_the_key(gemini_fake: Fake) -> None:
    client = gemini_fake.client()
    assert client.post(URL, json=ASK, headers={"x-goog-api-key": "good"}).status_code == 200
    assert client.post(URL, json=ASK, headers={"x-goog-api-key": "bad"}).status_code == 400
    assert client.post(URL, json=ASK).status_code == 403


def test_a_remembered_error_is_the_same_error(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers={"x-goog-api-key": "k"})
    bad = {"contents": [{"role": "system", "parts": [{"text": "x"}]}]}
    first, second = (client.post(URL, json=bad) for _ in range(2))
    assert first.status_code == second.status_code == 400
    assert first.content == second.content
    assert "server-timing" not in second.headers
    assert [e.status for e in gemini_fake.journal.entries] == [400, 400]


def answered(body: bytes = b"{}") -> Answered:
    return Answered(GoogleResponse(body), None, None, "synthetic")


def test_the_memo_forgets_the_least_recently_used_answer() -> None:
    memo = AnswerMemo(size=2)
    keys = [("POST", "/p", b"", bytes([i])) for i in range(3)]
    memo.put(keys[0], answered())
    memo.put(keys[1], answered())
    assert memo.get(keys[0]) is not None  # now the most recently used
    memo.put(keys[2], answered())
    assert memo.get(keys[1]) is None
    assert memo.get(keys[0]) is not None and memo.get(keys[2]) is not None


def test_the_memo_does_not_keep_large_bodies() -> None:
    memo = AnswerMemo()
    key = ("POST", "/p", b"", b"x" * (MAX_BODY + 1))
    memo.put(key, answered())
    assert memo.get(key) is None


def test_alike_requests_share_what_their_journal_entries_hold(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers={"x-goog-api-key": "k"})
    for _ in range(3):
        client.post(URL, json=ASK)
    client.post(URL, json=ASK, headers={"x-extra": "1"})
    first, second, third, other = gemini_fake.journal.calls("generateContent")
    # equal values are held once: the same objects, not copies, across entries
    assert first.headers is second.headers is third.headers
    assert first.path is second.path and first.sent is second.sent
    assert first.model is third.model
    # what differs is kept as it came
    assert other.headers is not first.headers
    assert ("x-extra", "1") in [tuple(pair) for pair in other.to_json()["sent"]["headers"]]
    assert other.sent is first.sent  # the same body all the same


def test_a_streams_progress_is_its_own(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers={"x-goog-api-key": "k"})
    stream = URL.replace(":generateContent", ":streamGenerateContent") + "?alt=sse"
    unary = [client.post(URL, json=ASK) for _ in range(2)]
    assert all(r.status_code == 200 for r in unary)
    assert client.post(stream, json=ASK).status_code == 200
    plain, again, streamed = gemini_fake.journal.entries
    assert streamed.extra["streamFinished"] is True and streamed.extra["eventsSent"] > 0
    assert plain.extra == again.extra == {}  # the entries without extra are untouched
    assert len(streamed.to_json()["response"]["events"]) == streamed.extra["eventsSent"]


def test_an_entry_without_extra_cannot_be_filled_for_the_others(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers={"x-goog-api-key": "k"})
    for _ in range(2):
        client.post(URL, json=ASK)
    first, second = gemini_fake.journal.entries
    with pytest.raises(TypeError, match="read-only"):
        first.extra["mine"] = 1
    with pytest.raises(TypeError, match="read-only"):
        first.to_json()["extra"].update(mine=1)
    assert second.extra == {} and second.to_json()["extra"] == {}


def test_a_reset_journal_keeps_no_value_of_the_requests_before_it(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers={"x-goog-api-key": "k"})
    client.post(URL, json=ASK)
    before = gemini_fake.journal.entries[0]
    gemini_fake.journal.reset()
    client.post(URL, json=ASK)
    after = gemini_fake.journal.entries[0]
    assert after.headers == before.headers and after.headers is not before.headers
