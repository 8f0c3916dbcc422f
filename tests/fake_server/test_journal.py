"""The complete journal: every request (unknown paths and refused ones too), what travelled each
way, how long it took, a stream's events with their times; the journal API (``since``, one
entry, the live feed), the access log and ``gemini-fake journal``."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_server import FakeConfig, create_app
from fake_server.config import Pacing
from fake_server.follow import JournalClient, show
from fake_server.pytest_plugin import TEST_API_KEY, Fake
from fake_server.server import ThreadedServer
from tests.kit.fakes import KEY, ask, new_fake

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"


def entries(http: httpx.Client, **params: Any) -> dict[str, Any]:
    answer = http.get("/__fake__/journal", params=params)
    assert answer.status_code == 200
    data: dict[str, Any] = answer.json()
    return data


def test_an_unknown_path_is_journalled_with_what_the_app_sent() -> None:
    fake = new_fake()
    with fake.client() as http:
        sent = {"instances": [{"prompt": "a lighthouse"}]}
        answer = http.post("/v1beta/models/gemini-2.5-flash:predict?key=secret-key", json=sent)
        assert answer.status_code == 404
        http.get("/__fake__/no-such-admin-route")  # the fake's own paths are not journalled
        (entry,) = entries(http)["entries"]
    assert (entry["rpc"], entry["status"], entry["answeredBy"]) == (
        "unknown",
        404,
        "error:NOT_FOUND",
    )
    assert (entry["apiVersion"], entry["model"], entry["query"]) == (
        "v1beta",
        "gemini-2.5-flash",
        "key=REDACTED",
    )
    assert entry["sent"]["body"] == sent
    assert entry["response"]["body"]["error"]["message"] == "Method not found."
    assert entry["durationMs"] >= 0


def test_a_refused_request_is_journalled_and_its_key_is_not() -> None:
    fake = new_fake(api_keys=frozenset({"the-right-key"}))
    with fake.client() as http:
        http.post(GENERATE, json=ask("hi"), headers={"x-goog-api-key": "a-wrong-key"})
        http.post(GENERATE, json=ask("hi"))  # no key at all
        first, second = entries(http, key="the-right-key")["entries"]
    assert (first["status"], first["answeredBy"]) == (400, "error:INVALID_ARGUMENT")
    assert ["x-goog-api-key", "REDACTED"] in first["sent"]["headers"]
    assert "a-wrong-key" not in json.dumps(first)
    assert (second["status"], second["answeredBy"]) == (403, "error:PERMISSION_DENIED")


def test_a_fault_is_journalled_with_the_rule_that_fired() -> None:
    fake = new_fake()
    rule = fake.fault(match={"rpc": "generateContent"}, error={"status": "UNAVAILABLE"})
    with fake.client(headers=KEY) as http:
        http.post(GENERATE, json=ask("hi"))
        (entry,) = entries(http)["entries"]
    assert (entry["status"], entry["answeredBy"], entry["extra"]["fault"]) == (
        503,
        f"fault:{rule}",
        rule,
    )
    assert entry["response"]["body"]["error"]["status"] == "UNAVAILABLE"


def test_a_unary_answer_is_kept_with_its_headers_and_body() -> None:
    fake = new_fake()
    with fake.client(headers=KEY) as http:
        answer = http.post(GENERATE, json=ask("How does AI work?"))
        (entry,) = entries(http)["entries"]
    assert entry["response"]["body"] == answer.json()
    assert entry["response"]["size"] == len(answer.content)
    headers = dict(entry["response"]["headers"])
    assert headers["content-type"] == answer.headers["content-type"]
    assert entry["sent"]["size"] == len(json.dumps(ask("How does AI work?"), separators=(",", ":")))
    assert entry["done"] is True


def test_a_body_past_the_inline_size_is_kept_as_its_size_only() -> None:
    fake = new_fake(journal_inline_bytes=100)
    with fake.client(headers=KEY) as http:
        http.post(GENERATE, json=ask("x" * 500))
        (entry,) = entries(http)["entries"]
    assert entry["sent"]["body"] is None and entry["sent"]["size"] > 500
    assert entry["response"]["body"] is None and entry["response"]["size"] > 100


@pytest.fixture
def served() -> Iterator[Fake]:
    pacing = Pacing(event_interval=0.02)
    app = create_app(FakeConfig(streaming=pacing))
    with ThreadedServer(app) as server:
        yield Fake(app, server.base_url)


def test_a_streams_events_are_kept_with_their_times_and_how_it_ended(served: Fake) -> None:
    with served.client(headers=KEY) as http:
        with http.stream("POST", STREAM, json=ask("How does AI work?")) as answer:
            body = b"".join(answer.iter_bytes())
        served.fault(match={"rpc": "streamGenerateContent"}, stream={"endAfter": 1, "end": "error"})
        with http.stream("POST", STREAM, json=ask("How does AI work?")) as answer:
            cut = b"".join(answer.iter_bytes())
        whole, ended = entries(http)["entries"]
    events = whole["response"]["events"]
    assert [e["data"] for e in events] == [
        json.loads(chunk.removeprefix(b"data: ")) for chunk in body.split(b"\r\n\r\n") if chunk
    ]
    times = [e["atMs"] for e in events]
    assert times == sorted(times) and times[-1] - times[0] >= 0.02 * 1000 * (len(times) - 1) * 0.5
    assert (whole["streamEnd"], whole["done"]) == ("finished", True)
    assert whole["durationMs"] >= times[-1]
    assert ended["streamEnd"] == "error"
    assert len(ended["response"]["events"]) == 2
    assert ended["response"]["events"][-1]["data"]["error"]["code"] == 503
    assert b"The model is overloaded" in cut


def test_seq_goes_on_after_a_reset_and_since_and_one_entry_read_it() -> None:
    fake = new_fake()
    with fake.client(headers=KEY) as http:
        for text in ("one", "two", "three"):
            http.post(GENERATE, json=ask(text))
        assert [e["seq"] for e in entries(http, since=1)["entries"]] == [2, 3]
        assert http.get("/__fake__/journal/2").json()["request"] == ask("two") | {
            "contents": [{"parts": [{"text": "two"}], "role": "user"}]
        }
        http.post("/__fake__/reset")
        http.post(GENERATE, json=ask("four"))
        listed = entries(http, summary="true")
        missing = http.get("/__fake__/journal/2")
        bad = http.get("/__fake__/journal", params={"since": "later"})
    assert [e["seq"] for e in listed["entries"]] == [4]
    assert (listed["lastSeq"], listed["resets"]) == (4, 1)
    assert "sent" not in listed["entries"][0]  # a summary
    assert missing.status_code == 404 and "no longer kept" in missing.json()["error"]["message"]
    assert bad.status_code == 400


def test_what_the_journal_keeps_of_answers_counts_against_its_byte_budget() -> None:
    fake = new_fake(journal_bytes=3000)
    with fake.client(headers=KEY) as http:
        for n in range(6):
            http.post(GENERATE, json=ask(f"question {n}"))
    kept = fake.journal.entries
    assert 1 <= len(kept) < 6  # each answer is ~0.9 kB: they no longer all fit
    assert kept[-1].seq == 6


def test_the_feed_sends_entries_stream_ends_and_resets_as_they_happen(served: Fake) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    ready = threading.Event()

    def follow() -> None:
        with JournalClient(served.base_url) as client:
            for event, data in client.feed(0):
                seen.append((event, data))
                ready.set()
                if event == "reset":
                    return

    with served.client(headers=KEY) as http:
        http.post(GENERATE, json=ask("before the feed opened"))
        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        assert ready.wait(5)
        with http.stream("POST", STREAM, json=ask("How does AI work?")) as answer:
            b"".join(answer.iter_bytes())
        http.post("/__fake__/reset")
        reader.join(5)
    assert not reader.is_alive()
    events = [(event, data.get("seq"), data.get("done")) for event, data in seen]
    assert events[0] == ("entry", 1, True)
    stream_events = [e for e in events if e[1] == 2]
    # sent once journalled; if it was still going then, again when it ended
    assert stream_events[-1][2] is True
    assert events[-1] == ("reset", None, None) and seen[-1][1] == {"after": 2, "resets": 1}


def test_the_access_log_has_a_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    fake = new_fake()
    with caplog.at_level(logging.INFO, logger="gemini_fake.access"), fake.client() as http:
        http.post(GENERATE, json=ask("How does AI work?"), headers=KEY)
        http.get("/v1beta/nowhere")
    first, second = (r.getMessage() for r in caplog.records)
    assert first.split()[1:4] == ["POST", GENERATE, "200"]
    assert first.split()[4].endswith("ms") and first.split()[5].startswith("fixture:")
    assert second.split()[1:4] == ["GET", "/v1beta/nowhere", "404"]
    assert second.endswith("error:NOT_FOUND")


def test_gemini_fake_journal_prints_lines_one_entry_and_json(served: Fake) -> None:
    with served.client(headers=KEY) as http:
        http.post(GENERATE, json=ask("How does AI work?"))
        http.get("/v1beta/nowhere")
    out = io.StringIO()
    assert show(served.base_url, api_key=None, follow=False, as_json=False, seq=None, out=out) == 0
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2"]
    assert lines[1].split()[2:5] == ["GET", "/v1beta/nowhere", "404"]
    out = io.StringIO()
    show(served.base_url, api_key=None, follow=False, as_json=False, seq=1, out=out)
    assert json.loads(out.getvalue())["sent"]["body"] == ask("How does AI work?")
    out = io.StringIO()
    show(served.base_url, api_key=None, follow=False, as_json=True, seq=None, out=out)
    assert [json.loads(line)["seq"] for line in out.getvalue().splitlines()] == [1, 2]


def test_gemini_fake_journal_says_when_it_cannot_read_the_journal() -> None:
    app = create_app(FakeConfig(api_keys=frozenset({TEST_API_KEY})))
    with ThreadedServer(app) as server:
        with pytest.raises(SystemExit, match="answered 403 PERMISSION_DENIED"):
            show(
                server.base_url,
                api_key=None,
                follow=False,
                as_json=False,
                seq=None,
                out=io.StringIO(),
            )
        base_url = server.base_url
    with pytest.raises(SystemExit, match="cannot reach a fake at"):
        show(base_url, api_key=None, follow=False, as_json=False, seq=None, out=io.StringIO())


def test_a_feed_that_does_not_follow_ends_and_one_that_resumes_starts_after_its_id() -> None:
    fake = new_fake()  # in process: no socket, so a following feed would never end
    with fake.client(headers=KEY) as http:
        for text in ("one", "two", "three"):
            http.post(GENERATE, json=ask(text))
        whole = http.get("/__fake__/journal/stream", params={"follow": "false"})
        resumed = http.get(
            "/__fake__/journal/stream",
            params={"follow": "false"},
            headers={"last-event-id": "2"},
        )
    assert whole.headers["content-type"].startswith("text/event-stream")
    assert [line for line in whole.text.splitlines() if line.startswith("id:")] == [
        "id: 1",
        "id: 2",
        "id: 3",
    ]
    assert [line for line in resumed.text.splitlines() if line.startswith("id:")] == ["id: 3"]
