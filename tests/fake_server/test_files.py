"""The upload protocol's rules and the Files API, one rule per test, in process."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance._uploads import START, command_headers, sha256_hash, start_headers
from fake_server.pytest_plugin import Fake
from fake_server.store import progress as files
from tests.kit.fakes import BASE_URL, KEY, error, new_fake
from tests.kit.files import FILE_FIELDS, FakeClock


def start(client: httpx.Client, size: int | None, mime: str = "image/png", body: Any = None) -> str:
    headers = {**KEY, **start_headers(size, mime)}
    content = body if isinstance(body, bytes) else None
    response = client.post(
        START, headers=headers, content=content, json=None if content else (body or {"file": {}})
    )
    assert response.status_code == 200, response.text
    url: str = response.headers["x-goog-upload-url"]
    return url


def send(
    client: httpx.Client, url: str, command: str, offset: int | str | None = None, data: bytes = b""
) -> httpx.Response:
    return client.post(url, headers=command_headers(command, offset), content=data)


def upload(
    client: httpx.Client, data: bytes, mime: str = "image/png", body: Any = None
) -> dict[str, Any]:
    url = start(client, len(data), mime, body)
    response = send(client, url, "upload, finalize", 0, data)
    assert response.status_code == 200, response.text
    file: dict[str, Any] = response.json()["file"]
    return file


def test_start_answers_as_the_upload_server_does() -> None:
    client = new_fake().client()
    headers = {
        **KEY,
        "X-Goog-Upload-Protocol": "resumable",
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": "3",
        "X-Goog-Upload-Header-Content-Type": "image/png",
    }
    response = client.post(START, headers=headers, json={"file": {"display_name": "x"}})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == "0"
    assert response.headers["x-goog-upload-status"] == "active"
    assert response.headers["x-goog-upload-chunk-granularity"] == "8388608"
    assert response.headers["server"] == "UploadServer"
    url = response.headers["x-goog-upload-url"]
    upload_id = response.headers["x-guploader-uploadid"]
    assert url == f"{BASE_URL}/upload/v1beta/files?upload_id={upload_id}&upload_protocol=resumable"
    assert response.headers["x-goog-upload-control-url"] == url
    # The documented curl script finds the URL with grep -i "x-goog-upload-url: ": one line only.
    lines = [
        f"{k}: {v}"
        for k, v in response.headers.items()
        if "x-goog-upload-url: " in f"{k}: {v}".lower()
    ]
    assert len(lines) == 1


def test_start_needs_the_api_key_and_chunks_do_not() -> None:
    client = new_fake().client()
    response = client.post(START, headers={"X-Goog-Upload-Command": "start"}, json={"file": {}})
    assert response.status_code == 403
    url = start(client, 2)
    assert send(client, url, "upload, finalize", 0, b"hi").status_code == 200


def test_the_documented_curl_body_is_read_leniently() -> None:
    file = upload(new_fake().client(), b"abc", "audio/mpeg", b"{'file': {'display_name': 'AUDIO'}}")
    assert file["displayName"] == "AUDIO"
    assert file["mimeType"] == "audio/mpeg"


def test_a_finalized_file_has_the_services_fields_and_formats() -> None:
    clock = FakeClock()
    data = b"x" * 18810
    file = upload(
        new_fake(clock=clock, seed=7).client(),
        data,
        "application/pdf",
        {"file": {"displayName": "sample.pdf"}},
    )
    assert list(file) == list(FILE_FIELDS)
    file_id = file["name"].removeprefix("files/")
    assert len(file_id) == 12 and file_id.isalnum() and file_id.lower() == file_id
    assert file["sizeBytes"] == "18810"
    assert file["sha256Hash"] == sha256_hash(data)
    assert file["createTime"] == file["updateTime"] == "2026-11-25T12:00:00.123456Z"
    assert file["expirationTime"] == "2026-11-27T12:00:00.123456000Z"
    assert file["uri"] == f"https://generativelanguage.googleapis.com/v1beta/files/{file_id}"
    assert (file["state"], file["source"]) == ("ACTIVE", "UPLOADED")


def test_the_same_seed_gives_the_same_ids() -> None:
    first, second = new_fake(seed=3).client(), new_fake(seed=3).client()
    assert upload(first, b"a")["name"] == upload(second, b"b")["name"]


def test_a_given_name_becomes_the_id_once() -> None:
    client = new_fake().client()
    assert (
        upload(client, b"a", body={"file": {"name": "files/my-notes"}})["name"] == "files/my-notes"
    )
    headers = {**KEY, "X-Goog-Upload-Command": "start"}
    again = client.post(START, headers=headers, json={"file": {"name": "my-notes"}})
    assert again.status_code == 409 and again.json()["error"]["status"] == "ALREADY_EXISTS"
    bad = client.post(START, headers=headers, json={"file": {"name": "Bad_Name"}})
    assert bad.status_code == 400


def test_a_chunk_at_the_wrong_offset_is_refused_and_appends_nothing() -> None:
    client = new_fake().client()
    url = start(client, 6)
    assert send(client, url, "upload", 0, b"abc").headers["x-goog-upload-status"] == "active"
    wrong = send(client, url, "upload", 0, b"abc")
    assert wrong.status_code == 400
    assert wrong.headers["x-goog-upload-status"] == "active"
    assert "does not match the 3 bytes received so far" in wrong.json()["error"]["message"]
    query = send(client, url, "query")
    assert query.headers["x-goog-upload-size-received"] == "3"
    assert query.headers["x-goog-upload-status"] == "active"
    final = send(client, url, "upload, finalize", 3, b"def")
    assert final.headers["x-goog-upload-status"] == "final"
    assert final.json()["file"]["sizeBytes"] == "6"


def test_query_never_finalizes() -> None:
    client = new_fake().client()
    url = start(client, 3)
    send(client, url, "upload", 0, b"abc")
    for _ in range(3):
        assert send(client, url, "query").headers["x-goog-upload-status"] == "active"
    assert send(client, url, "finalize").headers["x-goog-upload-status"] == "final"


def test_finalize_checks_the_declared_size() -> None:
    client = new_fake().client()
    url = start(client, 10)
    short = send(client, url, "upload, finalize", 0, b"abc")
    assert short.status_code == 400
    assert short.headers["x-goog-upload-status"] == "active"
    assert "declared 10 bytes but 3 were received" in short.json()["error"]["message"]
    too_much = send(client, url, "upload", 3, b"x" * 20)
    assert too_much.status_code == 400
    assert "larger than its declared size" in too_much.json()["error"]["message"]


def test_cancel_ends_the_session() -> None:
    client = new_fake().client()
    url = start(client, 3)
    assert send(client, url, "cancel").headers["x-goog-upload-status"] == "cancelled"
    after = send(client, url, "upload", 0, b"abc")
    assert after.status_code == 499 and after.headers["x-goog-upload-status"] == "cancelled"


def test_an_unknown_session_or_command_says_so_with_a_status() -> None:
    client = new_fake().client()
    missing = client.post(
        START + "?upload_id=NOPE&upload_protocol=resumable",
        headers={"X-Goog-Upload-Command": "query"},
    )
    assert missing.status_code == 404 and missing.headers["x-goog-upload-status"] == "final"
    url = start(client, 1)
    odd = send(client, url, "jump")
    assert odd.status_code == 400 and odd.headers["x-goog-upload-status"] == "active"


@pytest.mark.parametrize(
    ("mime", "message"),
    [
        ("not a type", "Invalid MIME type not a type: a MIME type is type/subtype"),
        ("image/", "Invalid MIME type image/: a MIME type is type/subtype"),
        (None, "The upload has no MIME type: send it in X-Goog-Upload-Header-Content-Type or"),
    ],
)
def test_a_missing_or_malformed_mime_type_is_refused_at_the_start(
    mime: str | None, message: str
) -> None:
    client = new_fake().client()
    headers = {**KEY, **start_headers(2, mime or "")}
    if mime is None:
        del headers["X-Goog-Upload-Header-Content-Type"]

    refused = client.post(START, headers=headers, json={"file": {"display_name": "x"}})

    assert refused.status_code == 400
    assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert refused.json()["error"]["message"].startswith(message)
    # An ordinary API error: no upload exists, so no upload URL and no upload status.
    assert "x-goog-upload-url" not in refused.headers
    assert "x-goog-upload-status" not in refused.headers
    assert "x-guploader-uploadid" not in refused.headers


@pytest.mark.parametrize("mime", ["application/octet-stream", "application/zip", "bad/mime"])
def test_a_type_the_models_do_not_take_is_uploaded_and_refused_where_it_is_used(
    mime: str,
) -> None:
    client = new_fake().client()
    file = upload(client, b"PK\x05\x06" + bytes(18), mime)
    assert file["mimeType"] == mime and file["state"] == "ACTIVE"
    uses = {"parts": [{"text": "What is in it?"}, {"fileData": {"fileUri": file["uri"]}}]}
    for method in ("generateContent", "countTokens"):
        refused = client.post(
            f"/v1beta/models/gemini-2.5-flash:{method}", headers=KEY, json={"contents": [uses]}
        )
        assert refused.status_code == 400, method
        assert refused.json()["error"] == {
            "code": 400,
            "message": f"Unsupported MIME type: {mime}",
            "status": "INVALID_ARGUMENT",
        }


@pytest.mark.parametrize(
    "mime", ["image/png", "IMAGE/PNG", "audio/L16;codec=pcm;rate=24000", "jsonl", "text/plain"]
)
def test_a_supported_mime_type_starts_whatever_its_case_or_parameters(mime: str) -> None:
    file = upload(new_fake().client(), b"ok", mime)
    assert file["mimeType"] == mime


def test_the_mime_type_may_come_from_the_start_body() -> None:
    client = new_fake().client()
    headers = {**KEY, **start_headers(2, "")}
    del headers["X-Goog-Upload-Header-Content-Type"]
    body = {"file": {"mime_type": "text/plain"}}
    response = client.post(START, headers=headers, json=body)
    assert response.status_code == 200, response.text
    final = send(client, response.headers["x-goog-upload-url"], "upload, finalize", 0, b"ok")
    assert final.json()["file"]["mimeType"] == "text/plain"


def test_no_message_shows_a_python_value() -> None:
    """A missing header is named as missing, a sent value shown as sent: never None or quotes."""
    client = new_fake().client()
    url = start(client, 3)
    headers = {**KEY, "X-Goog-Upload-Command": "start", **start_headers(None, "image/png")}
    replies = {
        "no offset": send(client, url, "upload", None, b"abc"),
        "an offset that is not a number": send(client, url, "upload", "abc", b"abc"),
        "no command": client.post(url, content=b"abc"),
        "an unknown command": send(client, url, "jump"),
        "an unknown session": client.post(
            START + "?upload_id=nope&upload_protocol=resumable", headers=command_headers("query")
        ),
        "a bad size": client.post(
            START,
            headers={**headers, "X-Goog-Upload-Header-Content-Length": "lots"},
            json={"file": {}},
        ),
        "a bad name": client.post(START, headers=headers, json={"file": {"name": "Bad_Name"}}),
    }
    for case, reply in replies.items():
        message = reply.json()["error"]["message"]
        assert reply.status_code in (400, 404), case
        assert "None" not in message and "'" not in message, f"{case}: {message}"
    assert (
        "X-Goog-Upload-Offset (none sent) does not match the 0 bytes"
        in (replies["no offset"].json()["error"]["message"])
    )
    assert (
        "X-Goog-Upload-Offset abc does not match"
        in (replies["an offset that is not a number"].json()["error"]["message"])
    )
    assert "X-Goog-Upload-Command (none sent)" in replies["no command"].json()["error"]["message"]
    assert send(client, url, "query").headers["x-goog-upload-size-received"] == "0"


def test_the_size_limit_and_the_quota_are_enforced_at_the_start() -> None:
    client = new_fake(storage_quota_bytes=10).client()
    headers = {**KEY, "X-Goog-Upload-Command": "start"}
    huge = client.post(
        START,
        headers={**headers, "X-Goog-Upload-Header-Content-Length": str(2 * 1024**3 + 1)},
        json={"file": {}},
    )
    assert huge.status_code == 400
    upload(client, b"x" * 8)
    over = client.post(
        START, headers={**headers, "X-Goog-Upload-Header-Content-Length": "3"}, json={"file": {}}
    )
    assert over.status_code == 429 and over.json()["error"]["status"] == "RESOURCE_EXHAUSTED"


def test_get_list_and_delete() -> None:
    client = new_fake(seed=1).client(headers=KEY)
    names = [upload(client, bytes([i]))["name"] for i in range(3)]
    got = client.get(f"/v1beta/{names[0]}").json()
    assert got["name"] == names[0] and "file" not in got
    first = client.get("/v1beta/files", params={"pageSize": 2}).json()
    assert len(first["files"]) == 2 and first["nextPageToken"]
    second = client.get(
        "/v1beta/files", params={"pageSize": 2, "pageToken": first["nextPageToken"]}
    ).json()
    assert "nextPageToken" not in second
    assert sorted(f["name"] for f in first["files"] + second["files"]) == sorted(names)
    assert client.delete(f"/v1/{names[0]}").json() == {}
    gone = client.get(f"/v1/{names[0]}")
    assert gone.status_code == 403
    missing = f"You do not have permission to access the File {names[0][6:]} or it may not exist."
    assert gone.json()["error"] == error(403, "PERMISSION_DENIED", missing)
    assert client.get("/v1beta/files").json().keys() == {"files"}


def test_files_expire_48_hours_after_the_start() -> None:
    clock = FakeClock()
    client = new_fake(clock=clock).client(headers=KEY)
    name = upload(client, b"abc")["name"]
    clock.now += timedelta(hours=47, minutes=59)
    assert client.get(f"/v1beta/{name}").status_code == 200
    clock.now += timedelta(minutes=2)
    assert client.get(f"/v1beta/{name}").status_code == 403
    assert client.get("/v1beta/files").json() == {}


def prompt_with(file: dict[str, Any]) -> dict[str, Any]:
    part = {"file_data": {"mime_type": file["mimeType"], "file_uri": file["uri"]}}
    return {"contents": [{"parts": [part, {"text": "Describe this."}]}]}


def test_video_is_processing_before_it_is_active_and_cannot_be_used_until_then() -> None:
    clock = FakeClock()
    client = new_fake(clock=clock, processing_seconds={"video": 10.0}).client(headers=KEY)
    file = upload(client, b"\x00" * 32, "video/mp4")
    assert file["state"] == "PROCESSING"
    url = "/v1beta/models/gemini-2.5-flash:generateContent"
    refused = client.post(url, json=prompt_with(file))
    assert refused.status_code == 400
    not_active = f"The File {file['name'][6:]} is not in an ACTIVE state and usage is not allowed."
    assert refused.json()["error"] == error(400, "FAILED_PRECONDITION", not_active)
    clock.now += timedelta(seconds=10)
    assert client.get(f"/v1beta/{file['name']}").json()["state"] == "ACTIVE"
    answered = client.post(url, json=prompt_with(file))
    assert answered.status_code == 200
    modalities = [d["modality"] for d in answered.json()["usageMetadata"]["promptTokensDetails"]]
    assert modalities == ["TEXT", "VIDEO"]


def test_a_prompt_naming_a_missing_file_is_refused_and_not_remembered() -> None:
    client = new_fake().client(headers=KEY)
    file = upload(client, b"abc", "text/plain")
    url = "/v1beta/models/gemini-2.5-flash:generateContent"
    assert client.post(url, json=prompt_with(file)).status_code == 200
    client.delete(f"/v1beta/{file['name']}")
    assert client.post(url, json=prompt_with(file)).status_code == 403


def test_an_upload_continues_after_a_restart_with_a_data_directory(tmp_path: Path) -> None:
    first = new_fake(data_dir=tmp_path).client()
    url = start(first, 6)
    send(first, url, "upload", 0, b"abc")
    second = new_fake(data_dir=tmp_path).client()  # a new process over the same directory
    assert send(second, url, "query").headers["x-goog-upload-size-received"] == "3"
    file = send(second, url, "upload, finalize", 3, b"def").json()["file"]
    assert file["sha256Hash"] == sha256_hash(b"abcdef")  # the first 3 bytes read back
    third = new_fake(data_dir=tmp_path).client(headers=KEY)
    assert third.get(f"/v1beta/{file['name']}").json()["sizeBytes"] == "6"


SPARE_CPU = pytest.mark.parametrize(
    "spare_cpu", [True, False], ids=["hashed-on-a-thread", "hashed-on-the-loop"]
)


@SPARE_CPU
def test_the_sha256_of_uneven_chunks_is_the_sha256_of_their_bytes(
    spare_cpu: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sha256 follows the writes: on a worker thread when there is a CPU to spare, on the
    event loop when not. Chunks of 1 byte, across the worker's 1 MiB steps, and an odd tail."""
    monkeypatch.setattr(files, "_spare_cpu", lambda: spare_cpu)
    data = random.Random(5).randbytes(3 * 2**20 + 12345)
    client = new_fake().client()
    url = start(client, len(data), "application/pdf")
    cuts = [0, 1, 700_000, 2**20 + 1, 3 * 2**20, len(data)]
    for begin, end in zip(cuts, cuts[1:], strict=False):
        command = "upload, finalize" if end == len(data) else "upload"
        reply = send(client, url, command, begin, data[begin:end])
        assert reply.status_code == 200, reply.text
    assert reply.json()["file"]["sha256Hash"] == sha256_hash(data)


@SPARE_CPU
def test_bytes_another_worker_wrote_are_read_back_into_the_sha256(
    spare_cpu: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two fakes sharing a data directory, as two workers: the one that finalizes hashed only
    the bytes it wrote, and reads the others back."""
    monkeypatch.setattr(files, "_spare_cpu", lambda: spare_cpu)
    data = random.Random(6).randbytes(5 * 2**20 // 2)
    one, two = new_fake(data_dir=tmp_path).client(), new_fake(data_dir=tmp_path).client()
    url = start(one, len(data), "application/pdf")
    assert send(one, url, "upload", 0, data[: 2**20 + 3]).status_code == 200
    assert send(two, url, "upload", 2**20 + 3, data[2**20 + 3 : 2**21]).status_code == 200
    final = send(one, url, "upload, finalize", 2**21, data[2**21 :])
    assert final.json()["file"]["sha256Hash"] == sha256_hash(data)


def test_no_hashing_thread_outlives_its_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    """A finalized or cancelled upload's worker ends at once (an idle one, within a second)."""
    monkeypatch.setattr(files, "_spare_cpu", lambda: True)
    client = new_fake().client()
    upload(client, b"x" * (2**20 + 1), "application/pdf")
    url = start(client, 2**21)
    send(client, url, "upload", 0, b"y" * 2**20)
    send(client, url, "cancel")
    deadline = time.monotonic() + 5
    while any(t.name == "upload-sha256" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "a hashing thread is still running"
        time.sleep(0.01)


def test_a_refused_chunk_does_not_cancel_a_valid_one_in_flight(gemini_fake_server: Fake) -> None:
    import socket
    from urllib.parse import urlsplit

    with gemini_fake_server.client() as client:
        url = start(client, 10)
        target = urlsplit(url)
        with socket.create_connection((target.hostname, target.port)) as sock:
            sock.sendall(
                f"POST {target.path}?{target.query} HTTP/1.1\r\nHost: {target.netloc}\r\n"
                "X-Goog-Upload-Command: upload, finalize\r\nX-Goog-Upload-Offset: 0\r\n"
                "Content-Length: 10\r\n\r\n0123".encode()
            )
            wrong = send(client, url, "upload", 7, b"789")
            assert wrong.status_code == 400
            sock.sendall(b"456789")
            sock.settimeout(5)
            reply = b""
            while b'"source"' not in reply:  # the whole reply: headers, then the File
                reply += sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 200")
    assert b'"sizeBytes": "10"' in reply
