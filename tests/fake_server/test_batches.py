"""Batches: creation, the states on the fake's clock, the answers inline and in a result file,
cancel, delete, list, and the bounds, in process."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from fake_server.api import batches
from fake_server.cli import build_parser, config_from
from fake_server.store.batches import BATCH_TYPE, MAX_ACTIVE_BATCHES, OUTPUT_TYPE
from tests.kit.fakes import KEY, ask, error, new_fake

GOOD = {"request": ask("How does AI work?"), "metadata": {"key": "good"}}
EMPTY = {"request": {"contents": []}, "metadata": {"key": "empty"}}
CREATE = "/v1beta/models/gemini-2.5-flash:batchGenerateContent"


def inline(*requests: dict[str, Any], name: str = "my batch") -> dict[str, Any]:
    return {"batch": {"displayName": name, "inputConfig": {"requests": {"requests": requests}}}}


def create(client: httpx.Client, body: dict[str, Any], path: str = CREATE) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    operation: dict[str, Any] = response.json()
    return operation


def get(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.get(f"/v1beta/{name}")
    assert response.status_code == 200, response.text
    operation: dict[str, Any] = response.json()
    return operation


def upload_jsonl(client: httpx.Client, data: bytes, mime: str = "jsonl") -> str:
    headers = {
        **KEY,
        "x-goog-upload-protocol": "resumable",
        "x-goog-upload-command": "start",
        "x-goog-upload-header-content-length": str(len(data)),
        "x-goog-upload-header-content-type": mime,
    }
    started = client.post("/upload/v1beta/files", headers=headers, json={"file": {}})
    url = started.headers["x-goog-upload-url"]
    command = {"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"}
    finished = client.post(url, headers=command, content=data)
    assert finished.status_code == 200, finished.text
    name: str = finished.json()["file"]["name"]
    return name


def test_a_new_batch_is_a_pending_operation_with_the_batch_as_its_metadata() -> None:
    client = new_fake().client(headers=KEY)
    operation = create(client, inline(GOOD, EMPTY))
    name = operation["name"]
    assert name.startswith("batches/") and len(name) == len("batches/") + 40
    metadata = operation["metadata"]
    assert list(metadata) == [
        "@type",
        "model",
        "name",
        "displayName",
        "createTime",
        "updateTime",
        "batchStats",
        "state",
    ]
    assert metadata["@type"] == BATCH_TYPE
    assert metadata["model"] == "models/gemini-2.5-flash"
    assert metadata["displayName"] == "my batch"
    assert metadata["batchStats"] == {"requestCount": "2", "pendingRequestCount": "2"}
    assert metadata["state"] == "BATCH_STATE_PENDING"
    assert "done" not in operation


def test_a_batch_runs_after_a_fifth_of_its_delay_and_is_done_after_all_of_it() -> None:
    fake = new_fake(batch_delay=100)
    client = fake.client(headers=KEY)
    name = create(client, inline(GOOD))["name"]
    fake.advance_clock(19)
    assert get(client, name)["metadata"]["state"] == "BATCH_STATE_PENDING"
    fake.advance_clock(1)
    running = get(client, name)
    assert running["metadata"]["state"] == "BATCH_STATE_RUNNING"
    assert running["metadata"]["updateTime"] != running["metadata"]["createTime"]
    fake.advance_clock(79)
    assert "done" not in get(client, name)
    fake.advance_clock(1)
    done = get(client, name)
    assert done["done"] is True
    assert done["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"
    assert done["metadata"]["endTime"] == done["metadata"]["updateTime"]


def test_each_answer_is_what_generate_content_answers_and_a_bad_request_gets_its_error() -> None:
    client = new_fake(batch_delay=0).client(headers=KEY)
    operation = create(client, inline(GOOD, EMPTY))
    assert operation["done"] is True
    direct = client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=GOOD["request"])
    refused = client.post("/v1beta/models/gemini-2.5-flash:generateContent", json={"contents": []})
    assert refused.status_code == 400
    refusal = {"code": 3, "message": refused.json()["error"]["message"]}  # INVALID_ARGUMENT
    output = {"@type": OUTPUT_TYPE, "inlinedResponses": {"inlinedResponses": [
        {"metadata": {"key": "good"}, "response": direct.json()},
        {"metadata": {"key": "empty"}, "error": refusal},
    ]}}  # fmt: skip
    assert operation["response"] == output
    assert operation["metadata"]["output"] == output  # where both SDKs read it
    assert operation["metadata"]["batchStats"] == {
        "requestCount": "2",
        "successfulRequestCount": "1",
        "failedRequestCount": "1",
    }


def test_a_fixture_answers_a_request_in_a_batch() -> None:
    fake = new_fake(batch_delay=0)
    fake.stub(match={"lastUserText": "Hi"}, answer={"text": "Hello from a fixture"})
    operation = create(fake.client(headers=KEY), inline({"request": ask("Hi")}))
    (answer,) = operation["response"]["inlinedResponses"]["inlinedResponses"]
    assert answer["response"]["candidates"][0]["content"]["parts"][0]["text"] == (
        "Hello from a fixture"
    )


def test_a_strict_fake_reports_a_miss_inside_the_batch_not_for_the_batch() -> None:
    client = new_fake(batch_delay=0, strict=True).client(headers=KEY)
    operation = create(client, inline(GOOD))
    (answer,) = operation["response"]["inlinedResponses"]["inlinedResponses"]
    assert answer["error"]["code"] == 9  # FAILED_PRECONDITION
    assert "no fixture matches" in answer["error"]["message"]
    assert operation["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"


def test_a_batch_from_a_file_writes_its_answers_to_a_file_to_download() -> None:
    client = new_fake(batch_delay=0).client(headers=KEY)
    lines = (
        b'{"key": "a", "request": {"contents": [{"parts": [{"text": "How does AI work?"}]}]}}\n'
        b"\n"
        b'{"key": "b", "request": {"contents": []}}\n'
        b"not json\n"
    )
    source = upload_jsonl(client, lines)
    operation = create(client, {"batch": {"inputConfig": {"fileName": source}}})
    assert operation["metadata"]["inputConfig"] == {"fileName": source}
    assert operation["metadata"]["batchStats"]["requestCount"] == "3"
    result = operation["response"]["responsesFile"]
    assert operation["metadata"]["output"] == {"@type": OUTPUT_TYPE, "responsesFile": result}
    assert result.startswith("files/batch-")
    listed = client.get("/v1beta/files").json()["files"]
    shown = next(f for f in listed if f["name"] == result)
    assert shown["source"] == "GENERATED"
    assert shown["downloadUri"] == f"{shown['uri']}:download?alt=media"
    assert shown["mimeType"] == "application/jsonl"
    redirect = client.get(f"/v1beta/{result}:download", params={"alt": "media"})
    assert redirect.status_code == 302
    assert redirect.json() == {"error": error(302, "UNKNOWN", "Unknown Error.")}
    location = redirect.headers["location"]
    assert location.endswith(f"/download/v1beta/{result}:download?alt=media")
    media = client.get(location)
    assert media.status_code == 200
    assert client.get(location.split("?")[0]).status_code == 400  # alt=media is needed
    assert media.headers["server"] == "UploadServer"
    assert media.headers["content-disposition"] == "attachment"
    assert int(shown["sizeBytes"]) == len(media.content)
    answers = [json.loads(line) for line in media.content.splitlines()]
    direct = client.post(
        CREATE.replace("batchGenerateContent", "generateContent"), json=GOOD["request"]
    )
    assert answers[0] == {"key": "a", "response": direct.json()}
    assert answers[1]["key"] == "b" and answers[1]["error"]["code"] == 3
    assert answers[2]["error"]["code"] == 3 and "key" not in answers[2]


def test_an_uploaded_file_cannot_be_downloaded() -> None:
    client = new_fake().client(headers=KEY)
    source = upload_jsonl(client, b'{"key": "a"}\n')
    response = client.get(f"/v1beta/{source}:download", params={"alt": "media"})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_a_file_batch_fails_when_its_input_file_is_gone_before_it_runs() -> None:
    fake = new_fake(batch_delay=10)
    client = fake.client(headers=KEY)
    source = upload_jsonl(client, b'{"key": "a", "request": {"contents": []}}\n')
    name = create(client, {"batch": {"inputConfig": {"fileName": source}}})["name"]
    assert client.delete(f"/v1beta/{source}").status_code == 200
    fake.advance_clock(10)
    operation = get(client, name)
    assert operation["metadata"]["state"] == "BATCH_STATE_FAILED"
    assert operation["done"] is True and operation["error"]["code"] == 5
    assert "response" not in operation


def test_cancel_makes_a_running_batch_cancelled_and_a_done_one_stays_done() -> None:
    fake = new_fake(batch_delay=60)
    client = fake.client(headers=KEY)
    name = create(client, inline(GOOD))["name"]
    response = client.post(f"/v1beta/{name}:cancel")
    assert response.status_code == 200 and response.json() == {}
    operation = get(client, name)
    assert operation["metadata"]["state"] == "BATCH_STATE_CANCELLED"
    assert operation["done"] is True and operation["error"]["code"] == 1
    assert "output" not in operation["metadata"]
    fake.advance_clock(60)
    assert get(client, name)["metadata"]["state"] == "BATCH_STATE_CANCELLED"
    finished = create(new_client := new_fake(batch_delay=0).client(headers=KEY), inline(GOOD))
    new_client.post(f"/v1beta/{finished['name']}:cancel")
    assert get(new_client, finished["name"])["metadata"]["state"] == "BATCH_STATE_SUCCEEDED"


def test_a_batch_longer_than_48_hours_expires() -> None:
    fake = new_fake(batch_delay=3 * 24 * 3600)
    client = fake.client(headers=KEY)
    name = create(client, inline(GOOD))["name"]
    fake.advance_clock(48 * 3600)
    operation = get(client, name)
    assert operation["metadata"]["state"] == "BATCH_STATE_EXPIRED"
    assert operation["done"] is True and operation["error"]["code"] == 4


def test_delete_forgets_a_batch() -> None:
    client = new_fake().client(headers=KEY)
    name = create(client, inline(GOOD))["name"]
    response = client.delete(f"/v1beta/{name}")
    assert response.status_code == 200 and response.json() == {}
    missing = client.get(f"/v1beta/{name}")
    assert missing.status_code == 404
    assert missing.json() == {"error": error(404, "NOT_FOUND", f"Batch {name} not found.")}
    assert client.delete(f"/v1beta/{name}").status_code == 404
    assert client.post(f"/v1beta/{name}:cancel").status_code == 404


def test_list_pages_through_batches_newest_first() -> None:
    client = new_fake().client(headers=KEY)
    names = [create(client, inline(GOOD, name=f"b{i}"))["name"] for i in range(3)]
    first = client.get("/v1beta/batches", params={"pageSize": 2}).json()
    assert [op["name"] for op in first["operations"]] == names[::-1][:2]
    second = client.get(
        "/v1beta/batches", params={"pageSize": 2, "pageToken": first["nextPageToken"]}
    ).json()
    assert [op["name"] for op in second["operations"]] == names[:1]
    assert "nextPageToken" not in second
    assert client.get("/v1beta/batches", params={"pageToken": "x"}).status_code == 400
    assert new_fake().client(headers=KEY).get("/v1beta/batches").json() == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "BatchGenerateContentRequest.batch is required."),
        ({"batch": {}}, "exactly one of file_name and requests"),
        (inline(), "A batch needs at least one request."),
        (inline(*[GOOD] * (batches.MAX_BATCH_REQUESTS + 1)), "at most 2000 requests"),
    ],
)
def test_a_batch_without_requests_or_with_too_many_is_refused(
    body: dict[str, Any], message: str
) -> None:
    response = new_fake().client(headers=KEY).post(CREATE, json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_a_batch_of_a_file_that_does_not_exist_is_refused_as_files_are() -> None:
    client = new_fake().client(headers=KEY)
    response = client.post(CREATE, json={"batch": {"inputConfig": {"fileName": "files/nope"}}})
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


def test_a_model_without_batches_is_not_found_for_batch_generate_content() -> None:
    client = new_fake().client(headers=KEY)
    response = client.post(
        "/v1beta/models/gemini-embedding-001:batchGenerateContent", json=inline(GOOD)
    )
    assert response.status_code == 404
    assert "not supported for batchGenerateContent" in response.json()["error"]["message"]


def test_at_most_so_many_batches_run_at_once() -> None:
    client = new_fake().client(headers=KEY)
    for _ in range(MAX_ACTIVE_BATCHES):
        create(client, inline(GOOD))
    response = client.post(CREATE, json=inline(GOOD))
    assert response.status_code == 429
    assert response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"


def test_a_fault_can_target_batches_get_and_the_journal_names_the_calls() -> None:
    fake = new_fake()
    client = fake.client(headers=KEY)
    name = create(client, inline(GOOD))["name"]
    fake.fault(match={"rpc": "batches.get"}, calls=[1], error={"status": 503})
    assert client.get(f"/v1beta/{name}").status_code == 503
    assert client.get(f"/v1beta/{name}").status_code == 200
    rpcs = [entry.rpc for entry in fake.journal.entries]
    assert rpcs == ["batchGenerateContent", "batches.get", "batches.get"]


def test_a_reset_forgets_batches() -> None:
    fake = new_fake()
    client = fake.client(headers=KEY)
    name = create(client, inline(GOOD))["name"]
    fake.reset()
    assert client.get(f"/v1beta/{name}").status_code == 404


def test_batch_delay_comes_from_the_command_line() -> None:
    args = build_parser().parse_args(["serve", "--batch-delay", "0"])
    assert config_from(args).batch_delay == 0
    assert config_from(build_parser().parse_args(["serve"])).batch_delay == 300
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--batch-delay", "-1"])


def test_calls_that_find_a_batch_due_at_once_answer_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = batches._lines

    def slow_read(state: Any, name: str) -> list[bytes]:
        time.sleep(0.05)  # every call is inside at once, unless they take turns
        return read(state, name)

    monkeypatch.setattr(batches, "_lines", slow_read)
    fake = new_fake(batch_delay=10)
    client = fake.client(headers=KEY)
    source = upload_jsonl(client, b'{"key": "a", "request": {"contents": []}}\n')
    name = create(client, {"batch": {"inputConfig": {"fileName": source}}})["name"]
    fake.advance_clock(10)
    batch = fake.state.batches.get(name.removeprefix("batches/"))
    assert batch is not None
    now = fake.state.clock.now()
    threads = [
        threading.Thread(target=batches.settle, args=(fake.state, batch, now)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = [f for f in fake.state.store.files() if f.source == "GENERATED"]
    assert len(results) == 1
    assert get(client, name)["response"]["responsesFile"] == f"files/{results[0].file_id}"


def test_a_recorded_error_answers_its_request_in_a_batch_and_a_file_line_needs_a_request() -> None:
    fake = new_fake(batch_delay=0)
    overloaded = "The model is overloaded. Please try again later."
    fake.stub(
        match={"lastUserText": "Hi"},
        status=503,
        response={"error": {"code": 503, "message": overloaded, "status": "UNAVAILABLE"}},
    )
    client = fake.client(headers=KEY)
    operation = create(client, inline({"request": ask("Hi")}))
    (answer,) = operation["response"]["inlinedResponses"]["inlinedResponses"]
    assert answer == {"error": {"code": 14, "message": overloaded}}  # UNAVAILABLE
    source = upload_jsonl(client, b'{"key": "k", "request": "Hi"}\n[1]\n')
    result = create(client, {"batch": {"inputConfig": {"fileName": source}}})
    media = client.get(f"/download/v1beta/{result['response']['responsesFile']}:download?alt=media")
    first, second = (json.loads(line) for line in media.content.splitlines())
    assert first["key"] == "k" and first["error"]["code"] == 3
    assert "key" not in second and second["error"]["code"] == 3
