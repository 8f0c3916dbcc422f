"""Hostile input and hostile neighbours: limits, capabilities, the journal's bounds, a stop."""

from __future__ import annotations

import base64
import hashlib
import json
import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server import FakeConfig, create_app
from fake_server.journal import Entry, Journal
from fake_server.model import catalog, tokens
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.serving import serve

KEY = {"x-goog-api-key": "test-key"}
FLASH = "/v1beta/models/gemini-2.5-flash:generateContent"
COUNT = "/v1beta/models/gemini-2.5-flash:countTokens"
LIMIT = 20 * 1024 * 1024  # the service's request size limit, in bytes
START = {
    **KEY,
    "x-goog-upload-command": "start",
    "x-goog-upload-header-content-length": "5",
    "x-goog-upload-header-content-type": "text/plain",
}


def ask(text: str) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


def envelope(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == response.status_code
    return error


# --- the request size limit ----------------------------------------------------------------


def test_a_body_past_20_mib_is_refused_as_the_service_refuses_it(gemini_fake: Fake) -> None:
    body = json.dumps(ask("x" * LIMIT)).encode()
    with gemini_fake.client(headers=KEY) as client:
        response = client.post(FLASH, content=body)
    assert response.status_code == 400
    assert envelope(response) == {
        "code": 400,
        "message": "Request payload size exceeds the limit: 20971520 bytes.",
        "status": "INVALID_ARGUMENT",
    }


def test_a_body_just_under_the_limit_is_answered(gemini_fake: Fake) -> None:
    text = "word " * ((LIMIT - 100) // 5)
    body = json.dumps(ask(text)).encode()
    assert len(body) <= LIMIT
    with gemini_fake.client(headers=KEY) as client:
        assert client.post(COUNT, content=body).status_code == 200


def test_a_refused_large_body_is_read_to_its_end_so_the_client_gets_the_answer(
    gemini_fake_server: Fake,
) -> None:
    def chunks() -> Any:
        for _ in range(30):
            yield b"x" * (1024 * 1024)

    with gemini_fake_server.client(headers=KEY, timeout=60) as client:
        response = client.post(FLASH, content=chunks())
        assert response.status_code == 400
        assert "exceeds the limit" in envelope(response)["message"]
        assert client.get("/v1beta/models", headers=KEY).status_code == 200  # still serving


def test_an_upload_start_body_is_limited_too(gemini_fake: Fake) -> None:
    body = json.dumps({"file": {"displayName": "x", "junk": "y" * 100_000}})
    with gemini_fake.client() as client:
        response = client.post("/upload/v1beta/files", headers=START, content=body)
    assert response.status_code == 400
    assert "exceeds the limit: 65536 bytes" in envelope(response)["message"]


def test_a_display_name_longer_than_the_files_api_allows_is_refused(gemini_fake: Fake) -> None:
    body = json.dumps({"file": {"displayName": "n" * 513}})
    with gemini_fake.client() as client:
        response = client.post("/upload/v1beta/files", headers=START, content=body)
        assert response.status_code == 400
        assert "no more than 512 characters" in envelope(response)["message"]
        fine = json.dumps({"file": {"displayName": "n" * 512}})
        assert client.post("/upload/v1beta/files", headers=START, content=fine).status_code == 200


@pytest.mark.parametrize("size", ["1e999", "-1e999", "1" * 5000])
def test_a_declared_size_too_large_for_any_integer_is_a_400(gemini_fake: Fake, size: str) -> None:
    headers = {key: value for key, value in START.items() if "content-length" not in key}
    body = '{"file": {"sizeBytes": ' + size + "}}"
    with gemini_fake.client() as client:
        response = client.post("/upload/v1beta/files", headers=headers, content=body)
    assert response.status_code == 400
    assert envelope(response)["status"] == "INVALID_ARGUMENT"


# --- the journal's bounds --------------------------------------------------------------------


def test_the_journal_keeps_large_inline_data_as_its_digest_and_size(gemini_fake: Fake) -> None:
    large, small = b"\x00" * 100_000, b"\x01" * 1000
    parts = [
        {"inlineData": {"mimeType": "audio/wav", "data": base64.b64encode(large).decode()}},
        {"inlineData": {"mimeType": "audio/wav", "data": base64.b64encode(small).decode()}},
        {"text": "What is this?"},
    ]
    with gemini_fake.client(headers=KEY) as client:
        body = {"contents": [{"role": "user", "parts": parts}]}
        assert client.post(COUNT, json=body).status_code == 200
        assert client.post(FLASH, json=body).status_code == 200
        assert client.post(FLASH, json=body).status_code == 200  # the memo's replay
    for entry in gemini_fake.journal.entries:
        kept = entry.request["contents"][0]["parts"] if entry.request else []
        assert kept[0]["inlineData"]["data"] == {
            "sha256": hashlib.sha256(large).hexdigest(),
            "size": len(large),
        }
        assert kept[1] == parts[1] and kept[2] == parts[2]
    assert gemini_fake.last_call().last_user_text == "What is this?"


def test_the_journal_drops_its_oldest_entries_past_its_byte_budget() -> None:
    journal = Journal(limit=None, max_bytes=1000)
    for _ in range(5):
        journal.record(
            Entry(seq=0, method="POST", path="/", rpc="countTokens", api_version="v1"), 400
        )
    assert [entry.seq for entry in journal.entries] == [4, 5]
    journal.record(Entry(seq=0, method="POST", path="/", rpc="x", api_version="v1"), 5000)
    assert [entry.seq for entry in journal.entries] == [6]  # the newest is always kept


def test_a_key_given_in_the_query_never_reaches_the_journal() -> None:
    fake = Fake(create_app(FakeConfig(api_keys=frozenset({"sekret-key"}))), "http://fake.test")
    with fake.client() as client:
        assert client.get("/v1beta/models?pageSize=2&key=sekret-key").status_code == 200
        assert client.get("/v1beta/models?key=sekret-key&pageSize=2").status_code == 200
        journal = client.get("/__fake__/journal", params={"key": "sekret-key"})
    assert journal.status_code == 200
    assert "sekret-key" not in journal.text
    assert [entry.query for entry in fake.journal.entries] == [
        "pageSize=2&key=REDACTED",
        "key=REDACTED&pageSize=2",
    ]


def test_long_prompts_leave_nothing_in_the_token_cache() -> None:
    before = tokens._count_short.cache_info().currsize
    assert tokens.count_text("word " * 10_000) == 10_000
    assert tokens._count_short.cache_info().currsize == before


# --- capabilities and the admin routes -----------------------------------------------------


def _upload_id(fake: Fake) -> str:
    with fake.client() as client:
        started = client.post("/upload/v1beta/files", headers=START, json={"file": {}})
    url = httpx.URL(started.headers["x-goog-upload-url"])
    return str(url.params["upload_id"])


def test_upload_ids_are_not_the_same_from_one_fresh_fake_to_the_next() -> None:
    first = _upload_id(Fake(create_app(FakeConfig(seed=0)), "http://fake.test"))
    second = _upload_id(Fake(create_app(FakeConfig(seed=0)), "http://fake.test"))
    assert first != second
    assert len(first) == len(second) == 40


def test_with_keys_the_admin_routes_ask_for_one_but_health_does_not() -> None:
    fake = Fake(create_app(FakeConfig(api_keys=frozenset({"k1"}))), "http://fake.test")
    with fake.client() as client:
        for method, path in [
            ("GET", "/__fake__/journal"),
            ("DELETE", "/__fake__/journal"),
            ("GET", "/__fake__/fixtures"),
            ("POST", "/__fake__/reset"),
        ]:
            refused = client.request(method, path)
            assert refused.status_code == 403, path
            assert envelope(refused)["status"] == "PERMISSION_DENIED"
            wrong = client.request(method, path, headers={"x-goog-api-key": "k2"})
            assert wrong.status_code == 400, path
            assert client.request(method, path, headers={"x-goog-api-key": "k1"}).is_success
            assert client.request(method, path, params={"key": "k1"}).is_success
        assert client.get("/__fake__/health").json() == {"status": "ok"}


def test_without_keys_the_admin_routes_stay_open(gemini_fake: Fake) -> None:
    with gemini_fake.client() as client:
        assert client.get("/__fake__/journal").status_code == 200
        assert client.get("/__fake__/health").status_code == 200


# --- headers, redirects and the last resort --------------------------------------------------


@pytest.mark.parametrize("upload_id", ["%00", "%0d%0a", "a%0d%0aSet-Cookie:%20x=1", "x" * 300])
def test_a_made_up_upload_id_is_never_echoed_into_a_header(
    gemini_fake_server: Fake, upload_id: str
) -> None:
    url = f"{gemini_fake_server.base_url}/upload/v1beta/files?upload_id={upload_id}"
    with httpx.Client() as client:  # over the socket: a bad header would drop the connection
        response = client.post(url, headers={"x-goog-upload-command": "query"})
    assert response.status_code == 404
    assert envelope(response)["status"] == "NOT_FOUND"
    assert "x-guploader-uploadid" not in response.headers
    assert response.headers["x-goog-upload-status"] == "final"


def test_a_trailing_slash_is_an_unknown_path_not_a_redirect_built_from_host(
    gemini_fake_server: Fake,
) -> None:
    with httpx.Client(base_url=gemini_fake_server.base_url) as client:
        response = client.get("/v1beta/files/?key=k", headers={"host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert envelope(response)["message"] == "Method not found."


def test_a_fault_of_the_fakes_own_is_a_500_in_the_envelope(
    gemini_fake_server: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(name: str) -> None:
        raise RuntimeError("a planted fault")

    monkeypatch.setattr(catalog, "lookup", broken)
    monkeypatch.setattr(Journal, "since", broken)
    with gemini_fake_server.client(headers=KEY) as client:
        for path in ("/v1beta/models/gemini-2.5-flash", "/__fake__/journal"):
            response = client.get(path)
            assert response.status_code == 500, path
            assert envelope(response)["status"] == "INTERNAL", path


# --- a clean stop ----------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_an_idle_fake_with_status_0(tmp_path: Path, sig: signal.Signals) -> None:
    process, _ = serve("--data-dir", str(tmp_path))
    process.send_signal(sig)
    assert process.wait(timeout=10) == 0


def test_a_stop_does_not_wait_for_an_upload_chunk_that_never_ends(tmp_path: Path) -> None:
    process, base = serve("--data-dir", str(tmp_path))
    started = httpx.post(f"{base}/upload/v1beta/files", headers=START, json={"file": {}})
    url = httpx.URL(started.headers["x-goog-upload-url"])
    with socket.create_connection((url.host, url.port)) as chunk:
        head = (
            f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: x\r\n"
            "X-Goog-Upload-Command: upload, finalize\r\nX-Goog-Upload-Offset: 0\r\n"
            "Content-Length: 5\r\n\r\nab"
        )
        chunk.sendall(head.encode())
        time.sleep(0.5)
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert time.monotonic() - began < 8
    sessions = list((tmp_path / "sessions").glob("*.json"))
    assert [json.loads(path.read_text())["state"] for path in sessions] == ["active"]
    assert [path.stat().st_size for path in (tmp_path / "sessions").glob("*.part")] == [2]


def test_the_threaded_server_still_stops_when_asked() -> None:
    with ThreadedServer(create_app()) as server:
        assert httpx.get(f"{server.base_url}/__fake__/health").status_code == 200


def test_a_float_that_rounds_past_float32s_largest_is_folded_not_a_500(
    gemini_fake: Fake,
) -> None:
    # 3.4025e38 is a float32, but its 4-digit rounding, 3.403e38, is past the largest one.
    config = {"responseMimeType": "application/json", "responseJsonSchema": {"x": 3.4025e38}}
    with gemini_fake.client(headers=KEY) as client:
        answered = client.post(FLASH, json={**ask("hi"), "generationConfig": config})
    assert answered.status_code == 200
