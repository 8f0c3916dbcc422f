"""Fault rules: a test makes any call fail, slow down or break, as the service would."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors, types

from conformance._uploads import command_headers, start_headers
from fake_server import FakeConfig, create_app
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY

FLASH = "/v1beta/models/gemini-2.5-flash"
GENERATE = f"{FLASH}:generateContent"
STREAM = f"{FLASH}:streamGenerateContent?alt=sse"
ASK = {"contents": [{"parts": [{"text": "How does AI work?"}]}]}
OVERLOADED = "The model is overloaded. Please try again later."


def add(client: httpx.Client, **rule: Any) -> dict[str, Any]:
    added = client.post("/__fake__/faults", json=rule)
    assert added.status_code == 200, added.text
    body: dict[str, Any] = added.json()
    return body


def upload_url(client: httpx.Client, size: int) -> str:
    """The URL of a new upload of ``size`` bytes of text."""
    started = client.post("/upload/v1beta/files", headers=start_headers(size, "text/plain"))
    url: str = started.headers["x-goog-upload-url"]
    return url


def statuses(client: httpx.Client, count: int, path: str = GENERATE) -> list[int]:
    return [client.post(path, json=ASK).status_code for _ in range(count)]


# --- the admin API ---------------------------------------------------------------------------


def test_a_rule_is_added_listed_with_its_counters_and_removed(client: httpx.Client) -> None:
    rule = add(client, match={"rpc": "generateContent"}, calls=[2], error={"status": 503})
    assert rule["id"] == "fault-1" and rule["calls"] == [2] and rule["fired"] == 0
    assert statuses(client, 3) == [200, 503, 200]
    (listed,) = client.get("/__fake__/faults").json()["faults"]
    assert (listed["matched"], listed["fired"]) == (3, 1)
    assert client.delete(f"/__fake__/faults/{rule['id']}").json() == {}
    assert client.get("/__fake__/faults").json() == {"faults": []}
    missing = client.delete("/__fake__/faults/nope")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"


def test_a_list_of_rules_is_added_at_once_and_all_are_removed_at_once(
    client: httpx.Client,
) -> None:
    rules = [{"id": "a", "error": {"status": 500}}, {"id": "b", "delay": 0}]
    added = client.post("/__fake__/faults", json=rules).json()
    assert [rule["id"] for rule in added] == ["a", "b"]
    assert client.delete("/__fake__/faults").json() == {}
    assert client.get("/__fake__/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"error": {"status": 503}, "delay": 1}, "exactly one action"),
        ({"match": {"rpc": "predict"}, "delay": 1}, "Unknown rpc"),
        ({"match": {"command": "upload"}, "delay": 1}, "match only"),
        ({"calls": [0], "delay": 1}, '"calls" is a whole number'),
        ({"calls": [1], "every": 2, "delay": 1}, "at most one of"),
        ({"error": {"status": "NOPE"}}, '"status" is a canonical status'),
        ({"error": {"status": 429, "retryDelay": "soon"}}, '"retryDelay"'),
        ({"delay": [2, 1]}, '"delay" is seconds'),
        ({"stream": {"endAfter": 1}}, "only"),
        ({"drop": "sometimes"}, '"drop" is one of'),
        ({"match": {"tool": ""}, "delay": 1}, '"tool" is a built-in tool'),
        ({"match": {"rpc": "models.list", "tool": "googleSearch"}, "delay": 1}, "only the rpcs"),
        ({"eror": {"status": 503}}, "Unknown fault rule keys"),
        ([1], "a JSON object"),
    ],
)
def test_a_rule_the_fake_cannot_use_is_a_400_saying_why(
    client: httpx.Client, rule: Any, says: str
) -> None:
    refused = client.post("/__fake__/faults", json=rule)
    assert refused.status_code == 400
    assert says in refused.json()["error"]["message"]
    assert client.get("/__fake__/faults").json() == {"faults": []}


# --- which calls fire ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"calls": [1, 3]}, [503, 200, 503, 200, 200, 200]),
        ({"after": 4}, [200, 200, 200, 200, 503, 503]),
        ({"every": 2}, [200, 503, 200, 503, 200, 503]),
        ({"every": 2, "times": 2}, [200, 503, 200, 503, 200, 200]),
        ({"times": 1}, [503, 200, 200, 200, 200, 200]),
    ],
)
def test_a_rule_fires_on_the_calls_it_names_and_then_the_fake_behaves_normally(
    client: httpx.Client, selector: dict[str, Any], expected: list[int]
) -> None:
    add(client, match={"rpc": "generateContent"}, error={"status": 503}, **selector)
    assert statuses(client, 6) == expected


def test_a_probability_with_a_seed_fires_on_the_same_calls_every_run() -> None:
    def run() -> list[int]:
        fake = Fake(create_app(), "http://fake.test")
        with fake.client(headers=KEY) as client:
            add(client, probability=0.5, seed=7, error={"status": 503})
            return statuses(client, 12)

    first = run()
    assert first == run()
    assert 0 < first.count(503) < 12


def test_a_rule_matches_only_its_rpc_and_model(client: httpx.Client) -> None:
    add(client, match={"rpc": "countTokens", "model": "gemini-2.5-pro"}, error={"status": 500})
    assert statuses(client, 1, f"{FLASH}:countTokens") == [200]
    assert statuses(client, 1, "/v1beta/models/gemini-2.5-pro:countTokens") == [500]
    assert statuses(client, 1, "/v1beta/models/gemini-2.5-pro:generateContent") == [200]


def test_a_rule_matches_the_calls_that_declare_its_tool(client: httpx.Client) -> None:
    """A built-in tool by its name, in either spelling the service takes, or a declared function
    by its own: the app's other calls go on as before."""
    add(client, match={"tool": "googleSearch"}, error={"status": 503})
    add(
        client, match={"rpc": "streamGenerateContent", "tool": "get_weather"}, error={"status": 500}
    )
    search = {**ASK, "tools": [{"google_search": {}}]}
    weather = {"name": "get_weather", "description": "Weather for a city."}
    functions = {**ASK, "tools": [{"functionDeclarations": [weather]}]}
    assert client.post(GENERATE, json=search).status_code == 503
    assert client.post(f"{FLASH}:countTokens", json=search).status_code == 503
    assert client.post(GENERATE, json=functions).status_code == 200
    assert client.post(STREAM, json=functions).status_code == 500
    assert client.post(STREAM, json={**ASK, "tools": [{"codeExecution": {}}]}).status_code == 200
    assert statuses(client, 1) == [200]
    assert client.post(GENERATE, content=b"{not json").status_code == 400  # no tools to match
    counted = {
        rule["id"]: rule["matched"] for rule in client.get("/__fake__/faults").json()["faults"]
    }
    assert counted == {"fault-1": 2, "fault-2": 1}


# --- errors ------------------------------------------------------------------------------------


def test_an_unavailable_error_is_the_services_overload_and_the_journal_names_the_rule(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    add(client, id="overload", match={"rpc": "generateContent"}, error={"status": "UNAVAILABLE"})
    answered = client.post(GENERATE, json=ASK)
    assert answered.json() == {
        "error": {"code": 503, "message": OVERLOADED, "status": "UNAVAILABLE"}
    }
    entry = gemini_fake.journal.last("generateContent")
    assert (entry.answered_by, entry.extra["fault"], entry.status) == (
        "fault:overload",
        "overload",
        503,
    )


def test_a_quota_error_is_the_services_429_with_its_details_and_retry_delay(
    client: httpx.Client,
) -> None:
    add(client, error={"status": "RESOURCE_EXHAUSTED", "retryDelay": "7.5s"})
    answered = client.post(GENERATE, json=ASK)
    assert answered.status_code == 429
    assert answered.headers["x-gemini-service-tier"] == "standard"
    error = answered.json()["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith("You exceeded your current quota")
    assert error["message"].endswith("model: gemini-2.5-flash\nPlease retry in 7.5s.")
    assert [d["@type"].rsplit(".", 1)[1] for d in error["details"]] == [
        "Help",
        "QuotaFailure",
        "RetryInfo",
    ]
    assert error["details"][2]["retryDelay"] == "7s"  # whole seconds, as the service writes it
    assert error["details"][1]["violations"][0]["quotaDimensions"]["model"] == "gemini-2.5-flash"


def test_an_error_with_a_message_of_its_own(client: httpx.Client) -> None:
    add(client, error={"status": 504, "message": "Too slow.", "retryDelay": "2s"})
    error = client.post(GENERATE, json=ASK).json()["error"]
    assert (error["code"], error["status"], error["message"]) == (
        504,
        "DEADLINE_EXCEEDED",
        "Too slow.",
    )
    assert error["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}
    ]


def test_a_stream_fails_before_its_first_event_or_after_some(client: httpx.Client) -> None:
    add(client, match={"rpc": "streamGenerateContent"}, calls=[1], error={"status": 503})
    add(
        client,
        match={"rpc": "streamGenerateContent"},
        calls=[2],
        error={"status": 503, "afterEvents": 1},
    )
    refused = client.post(STREAM, json=ASK)
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "text/event-stream"
    assert refused.json()["error"]["message"] == OVERLOADED
    cut = client.post(STREAM, json=ASK)
    assert cut.status_code == 200
    events = [json.loads(line[6:]) for line in cut.text.split("\r\n\r\n") if line]
    assert len(events) == 2 and "candidates" in events[0]
    assert events[1] == {"error": {"code": 503, "message": OVERLOADED, "status": "UNAVAILABLE"}}


def test_a_stream_ends_early_as_a_rule_says(client: httpx.Client) -> None:
    whole = client.post(STREAM, json=ASK).text.count("data: ")
    add(client, match={"rpc": "streamGenerateContent"}, stream={"endAfter": 1, "end": "close"})
    assert whole > 1
    assert client.post(STREAM, json=ASK).text.count("data: ") == 1


# --- delays and drops --------------------------------------------------------------------------


def test_a_delay_holds_a_unary_answer(client: httpx.Client) -> None:
    add(client, match={"rpc": "models.list"}, delay=[0.3, 0.3])
    began = time.perf_counter()
    assert client.get("/v1beta/models").status_code == 200
    assert time.perf_counter() - began >= 0.3


def test_a_drop_cuts_the_connection_mid_body(gemini_fake_server: Fake) -> None:
    with gemini_fake_server.client(headers=KEY) as client:
        add(client, match={"rpc": "generateContent"}, calls=[1], drop="mid-body")
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(GENERATE, json=ASK)
        assert client.post(GENERATE, json=ASK).status_code == 200


def test_garbage_answers_a_body_that_is_not_json(gemini_fake_server: Fake) -> None:
    with gemini_fake_server.client(headers=KEY) as client:
        add(client, match={"rpc": "generateContent"}, calls=[1], garbage="invalid-json")
        broken = client.post(GENERATE, json=ASK)
        assert broken.status_code == 200
        assert broken.headers["content-type"].startswith("application/json")
        with pytest.raises(json.JSONDecodeError):
            broken.json()
        assert client.post(GENERATE, json=ASK).json()["candidates"]


def test_garbage_breaks_a_streams_second_event(gemini_fake_server: Fake) -> None:
    with gemini_fake_server.client(headers=KEY) as client:
        add(client, match={"rpc": "streamGenerateContent"}, garbage="malformed-event")
        events = [e for e in client.post(STREAM, json=ASK).text.split("\r\n\r\n") if e]
        assert len(events) == 2 and events[0].startswith("data: ")
        json.loads(events[0].removeprefix("data: "))
        with pytest.raises(json.JSONDecodeError):
            json.loads(events[1].removeprefix("data: "))
        array = client.post(f"{FLASH}:streamGenerateContent", json=ASK).text
        with pytest.raises(json.JSONDecodeError):
            json.loads(array)


@pytest.mark.parametrize(
    ("rpc", "garbage"),
    [
        ("generateContent", "malformed-event"),
        ("streamGenerateContent", "invalid-json"),
        ("generateContent", "html"),
    ],
)
def test_garbage_fits_the_call(client: httpx.Client, rpc: str, garbage: str) -> None:
    refused = client.post("/__fake__/faults", json={"match": {"rpc": rpc}, "garbage": garbage})
    assert refused.status_code == 400


# --- uploads -----------------------------------------------------------------------------------


def test_an_uploads_second_chunk_fails_and_the_upload_stays_active(client: httpx.Client) -> None:
    add(client, match={"rpc": "files.upload", "chunk": 2}, error={"status": 503})
    url = upload_url(client, 6)

    def chunk(offset: int, data: bytes, command: str = "upload") -> httpx.Response:
        return client.post(url, headers=command_headers(command, offset), content=data)

    assert chunk(0, b"abc").status_code == 200
    failed = chunk(3, b"def", "upload, finalize")
    assert failed.status_code == 503
    assert failed.headers["x-goog-upload-status"] == "active"
    query = client.post(url, headers={"x-goog-upload-command": "query"})
    assert query.headers["x-goog-upload-size-received"] == "3"  # the failed chunk kept nothing
    done = chunk(3, b"def", "upload, finalize")
    assert done.status_code == 200 and done.json()["file"]["sizeBytes"] == "6"


def send(client: httpx.Client, url: str, offset: int, data: bytes, command: str) -> httpx.Response:
    headers = {"x-goog-upload-command": command, "x-goog-upload-offset": str(offset)}
    return client.post(url, headers=headers, content=data)


def test_a_chunks_reply_can_come_without_its_upload_status(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    add(client, match={"rpc": "files.upload", "chunk": 1}, noUploadStatus=True)
    url = upload_url(client, 6)
    bare = send(client, url, 0, b"abc", "upload")
    assert bare.status_code == 200 and "x-goog-upload-status" not in bare.headers
    # The bytes were kept: a client that resends them is refused at that offset, as by the
    # service, and resumes from the size a query reports.
    assert send(client, url, 0, b"abc", "upload").status_code == 400
    query = client.post(url, headers={"x-goog-upload-command": "query"})
    assert query.headers["x-goog-upload-size-received"] == "3"
    done = send(client, url, 3, b"def", "upload, finalize")
    assert done.status_code == 200 and done.headers["x-goog-upload-status"] == "final"
    chunks = [e for e in gemini_fake.journal.calls("files.upload") if e.extra["command"] != "start"]
    assert chunks[0].extra["fault"] == "fault-1" and "uploadStatus" not in chunks[0].extra


def test_a_lost_chunk_is_answered_as_kept_and_the_next_offset_is_refused(
    client: httpx.Client,
) -> None:
    add(client, match={"rpc": "files.upload", "chunk": 1}, lose=True)
    url = upload_url(client, 6)
    lost = send(client, url, 0, b"abc", "upload")
    assert lost.status_code == 200 and lost.headers["x-goog-upload-status"] == "active"
    refused = send(client, url, 3, b"def", "upload, finalize")
    assert refused.status_code == 400 and refused.headers["x-goog-upload-status"] == "active"
    assert "does not match the 0 bytes received" in refused.json()["error"]["message"]
    query = client.post(url, headers={"x-goog-upload-command": "query"})
    assert query.headers["x-goog-upload-size-received"] == "0"
    assert send(client, url, 0, b"abcdef", "upload, finalize").status_code == 200


@pytest.mark.parametrize("action", ["noUploadStatus", "lose"])
def test_the_upload_actions_act_only_on_uploads(client: httpx.Client, action: str) -> None:
    wrong = client.post("/__fake__/faults", json={"match": {"rpc": "countTokens"}, action: True})
    assert wrong.status_code == 400 and "files.upload" in wrong.json()["error"]["message"]
    anywhere = client.post("/__fake__/faults", json={action: True})
    assert anywhere.status_code == 400
    not_true = client.post(
        "/__fake__/faults", json={"match": {"rpc": "files.upload"}, action: "yes"}
    )
    assert not_true.status_code == 400


# --- start-up rules, the plugin ----------------------------------------------------------------


def test_a_reset_keeps_the_start_up_rules_with_their_counters_zeroed() -> None:
    config = FakeConfig(faults=({"id": "boot", "calls": [1], "error": {"status": 503}},))
    fake = Fake(create_app(config), "http://fake.test")
    with fake.client(headers=KEY) as client:
        add(client, id="later", delay=0)
        assert statuses(client, 2) == [503, 200]
        fake.reset()
        assert [rule["id"] for rule in client.get("/__fake__/faults").json()["faults"]] == ["boot"]
        assert statuses(client, 2) == [503, 200]


@pytest.mark.gemini_fake(faults=[{"match": {"rpc": "countTokens"}, "error": {"status": 500}}])
def test_the_marker_gives_rules_and_the_fixture_adds_them(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    assert statuses(client, 1, f"{FLASH}:countTokens") == [500]
    assert gemini_fake.fault(match={"rpc": "generateContent"}, error={"status": 503}) == "fault-2"
    assert statuses(client, 1) == [503]


# --- the official SDK --------------------------------------------------------------------------


@pytest.mark.sdk
def test_the_python_sdk_retries_two_overloads_and_succeeds_on_the_third_attempt(
    gemini_fake_server: Fake,
) -> None:
    gemini_fake_server.fault(match={"rpc": "generateContent"}, calls=[1, 2], error={"status": 503})
    retry = types.HttpRetryOptions(attempts=3, initial_delay=0.01, max_delay=0.05)
    options = types.HttpOptions(base_url=gemini_fake_server.base_url, retry_options=retry)
    client = genai.Client(api_key="k", http_options=options)
    response = client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert response.text
    assert [e.status for e in gemini_fake_server.journal.calls("generateContent")] == [
        503,
        503,
        200,
    ]


@pytest.mark.sdk
def test_the_python_sdk_raises_the_quota_error_with_its_details(gemini_fake_server: Fake) -> None:
    gemini_fake_server.fault(error={"status": "RESOURCE_EXHAUSTED", "retryDelay": "3s"})
    options = types.HttpOptions(base_url=gemini_fake_server.base_url)
    client = genai.Client(api_key="k", http_options=options)
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert (raised.value.code, raised.value.status) == (429, "RESOURCE_EXHAUSTED")
    assert raised.value.details["error"]["details"][2]["retryDelay"] == "3s"


@pytest.mark.sdk
def test_a_delay_trips_the_python_sdks_timeout(gemini_fake_server: Fake) -> None:
    gemini_fake_server.fault(match={"rpc": "generateContent"}, delay=2)
    options = types.HttpOptions(base_url=gemini_fake_server.base_url, timeout=300)  # ms
    client = genai.Client(api_key="k", http_options=options)
    began = time.perf_counter()
    with pytest.raises(Exception) as raised:  # the SDK's own httpx fork's ReadTimeout
        client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert type(raised.value).__name__ == "ReadTimeout"
    assert time.perf_counter() - began < 1.5


# --- quotas and the clock --------------------------------------------------------------------


def quota_of(response: httpx.Response) -> tuple[str, str, str]:
    """The violated quota's id and value, and the retry delay, of a quota 429."""
    details = response.json()["error"]["details"]
    violation = details[1]["violations"][0]
    return violation["quotaId"], violation["quotaValue"], details[2]["retryDelay"]


def test_an_rpm_quota_refuses_the_third_call_and_frees_a_minute_later(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    assert client.post("/__fake__/quota", json={"model": "gemini-2.5-flash", "rpm": 2}).is_success
    assert statuses(client, 3) == [200, 200, 429]
    refused = client.post(GENERATE, json=ASK)
    assert quota_of(refused) == ("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "2", "60s")
    assert refused.json()["error"]["message"].endswith(
        "limit: 2, model: gemini-2.5-flash\nPlease retry in 60s."
    )
    client.post("/__fake__/clock", json={"advance": "30s"})
    assert quota_of(client.post(GENERATE, json=ASK))[2] == "30s"  # the oldest call leaves then
    client.post("/__fake__/clock", json={"advance": 30})
    ahead = datetime.fromisoformat(client.get("/__fake__/clock").json()["now"]) - datetime.now(UTC)
    assert timedelta(seconds=59) < ahead <= timedelta(seconds=60)
    assert statuses(client, 3) == [200, 200, 429]
    assert statuses(client, 1, "/v1beta/models/gemini-2.5-pro:generateContent") == [200]


def test_a_token_quota_counts_each_calls_input_tokens(client: httpx.Client) -> None:
    counted = client.post(f"{FLASH}:countTokens", json=ASK).json()["totalTokens"]
    client.post("/__fake__/quota", json={"model": "gemini-2.5-flash", "tpm": counted * 2})
    assert statuses(client, 3) == [200, 200, 429]
    quota_id, value, _ = quota_of(client.post(GENERATE, json=ASK))
    assert (quota_id, value) == (
        "GenerateContentInputTokensPerModelPerMinute-FreeTier",
        str(counted * 2),
    )


def test_a_daily_quota_frees_at_midnight_pacific_time(gemini_fake: Fake) -> None:
    gemini_fake.quota("gemini-2.5-flash", rpd=1)
    with gemini_fake.client(headers=KEY) as client:
        assert statuses(client, 2) == [200, 429]
        _, _, delay = quota_of(client.post(GENERATE, json=ASK))
        seconds = int(delay.removesuffix("s"))
        assert 0 < seconds <= 25 * 3600
        gemini_fake.advance_clock(seconds)
        assert statuses(client, 2) == [200, 429]


@pytest.mark.gemini_fake(quotas=["gemini-2.5-flash:rpm=1"])
def test_quotas_from_the_start_survive_a_reset_counted_afresh(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    assert statuses(client, 2) == [200, 429]
    client.post("/__fake__/quota", json={"model": "gemini-2.5-pro", "rpm": 1})
    gemini_fake.reset()
    assert [q["model"] for q in client.get("/__fake__/quota").json()["quotas"]] == [
        "gemini-2.5-flash"
    ]
    assert statuses(client, 2) == [200, 429]


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/__fake__/quota", {"model": "gemini-2.5-flash", "rph": 1}, "any of"),
        ("/__fake__/quota", {"model": "gemini-2.5-flash", "rpm": 0}, "1 or more"),
        ("/__fake__/clock", {"advance": -1}, '"advance" is seconds'),
        ("/__fake__/clock", {"advance": 1e300}, "ten years"),
    ],
)
def test_a_quota_or_a_clock_move_the_fake_cannot_use_is_a_400(
    client: httpx.Client, path: str, body: dict[str, Any], says: str
) -> None:
    refused = client.post(path, json=body)
    assert refused.status_code == 400 and says in refused.json()["error"]["message"]


def test_the_clock_moves_file_expiry(gemini_fake: Fake, client: httpx.Client) -> None:
    url = upload_url(client, 2)
    headers = {"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"}
    name = client.post(url, headers=headers, content=b"hi").json()["file"]["name"]
    assert client.get(f"/v1beta/{name}").status_code == 200
    gemini_fake.advance_clock(48 * 3600)
    assert client.get(f"/v1beta/{name}").status_code == 403  # expired, as after 48 hours


@pytest.mark.sdk
def test_the_python_sdk_meets_a_quota_and_gets_through_after_the_clock_moves(
    gemini_fake_server: Fake,
) -> None:
    gemini_fake_server.quota("gemini-2.5-flash", rpm=2)
    options = types.HttpOptions(base_url=gemini_fake_server.base_url)
    client = genai.Client(api_key="k", http_options=options)
    for _ in range(2):
        client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    assert raised.value.code == 429
    assert raised.value.details["error"]["details"][2]["retryDelay"] == "60s"
    with httpx.Client(base_url=gemini_fake_server.base_url) as admin:
        admin.post("/__fake__/clock", json={"advance": "60s"}).raise_for_status()
    assert client.models.generate_content(model="gemini-2.5-flash", contents="Hi").text


# --- the verdict -------------------------------------------------------------------------------


@pytest.mark.sdk
def test_the_verdict_passes_a_client_that_backs_off_and_fails_one_that_does_not(
    gemini_fake_server: Fake,
) -> None:
    gemini_fake_server.fault(match={"rpc": "generateContent"}, calls=[1, 2], error={"status": 503})
    retry = types.HttpRetryOptions(attempts=3, initial_delay=0.05, max_delay=1, jitter=0)
    options = types.HttpOptions(base_url=gemini_fake_server.base_url, retry_options=retry)
    client = genai.Client(api_key="k", http_options=options)  # kept: the SDK needs it kept
    client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
    gemini_fake_server.assert_resilient()
    assert gemini_fake_server.verdict()["retries"] == 2

    with httpx.Client(base_url=gemini_fake_server.base_url, headers=KEY) as impatient:
        add(impatient, match={"rpc": "countTokens"}, calls=[1], error={"status": 429})
        first = impatient.post(f"{FLASH}:countTokens", json=ASK)
        second = impatient.post(f"{FLASH}:countTokens", json=ASK)  # at once, against RetryInfo
        assert (first.status_code, second.status_code) == (429, 200)
        verdict = impatient.get("/__fake__/verdict").json()
    assert not verdict["ok"]
    (finding,) = verdict["findings"]
    assert finding["rule"] == "retry-too-soon"
    entries = [e.seq for e in gemini_fake_server.journal.calls("countTokens")]
    assert finding["entries"] == entries
    with pytest.raises(AssertionError, match="retry-too-soon"):
        gemini_fake_server.assert_resilient()


def test_the_verdict_finds_a_retry_of_what_no_retry_changes(client: httpx.Client) -> None:
    add(client, calls=[1], error={"status": 400, "message": "Bad."})
    assert statuses(client, 2) == [400, 200]
    (finding,) = client.get("/__fake__/verdict").json()["findings"]
    assert finding["rule"] == "retried-non-retryable"


def test_the_verdict_finds_an_upload_resent_blindly(client: httpx.Client) -> None:
    add(client, match={"rpc": "files.upload", "chunk": 2}, error={"status": 503})
    url = upload_url(client, 6)

    def chunk(offset: int, data: bytes) -> int:
        return client.post(url, headers=command_headers("upload", offset), content=data).status_code

    assert [chunk(0, b"abc"), chunk(3, b"def"), chunk(0, b"abcdef")] == [200, 503, 400]
    rules = [f["rule"] for f in client.get("/__fake__/verdict").json()["findings"]]
    assert rules == ["upload-resent-without-query", "upload-resent-wrong-offset"]


def test_chunk_counts_are_kept_for_a_bounded_number_of_uploads() -> None:
    from fake_server.control import faults

    counted = faults.FaultSet()
    for n in range(faults.UPLOADS_COUNTED + 5):
        counted.chunk(f"upload-{n}")
    assert counted.chunk("upload-0") == 1  # forgotten: counted afresh
    assert counted.chunk(f"upload-{faults.UPLOADS_COUNTED + 4}") == 2
