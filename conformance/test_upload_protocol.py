"""The resumable upload protocol, over HTTP against the target (docs/files.md,
docs/evidence.md#sdk-upload-protocol).

Start (``POST /upload/v1beta/files`` with the key) answers an absolute ``X-Goog-Upload-URL``;
commands on it (``upload``, ``upload, finalize``, ``finalize``, ``query``, ``cancel``) need no
key and every reply carries ``X-Goog-Upload-Status``. An offset other than the bytes received is
refused and appends nothing; ``query`` reports ``X-Goog-Upload-Size-Received`` and never
finalizes; finalizing with bytes missing is refused and the upload stays active; the file a
final reply holds has the size and ``sha256Hash`` of the bytes sent.

The state machine at the end drives random sequences of commands and checks every reply
against a model of a few lines. Files made here are deleted again (a URL target keeps them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance._target import Target
from conformance._uploads import (
    CHUNK,
    START,
    UploadModel,
    command_headers,
    sha256_hash,
    start_headers,
)

MIME = "text/plain"


class Uploads:
    """Raw protocol requests on one target, and clean-up of the files they made."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.http = target.http()
        self.made: list[str] = []

    def start(
        self,
        size: int | None,
        *,
        body: bytes | None = None,
        key: bool = True,
        mime: str = MIME,
    ) -> httpx.Response:
        headers = start_headers(size, mime, self.target.api_key if key else None)
        headers["Content-Type"] = "application/json"
        content = body if body is not None else b'{"file": {"display_name": "conformance"}}'
        return self.http.post(START, headers=headers, content=content)

    def session(self, size: int, mime: str = MIME) -> str:
        """A started upload's URL."""
        response = self.start(size, mime=mime)
        assert response.status_code == 200, response.text
        url: str = response.headers["x-goog-upload-url"]
        return url

    def send(
        self, url: str, command: str, offset: int | None = None, data: bytes = b""
    ) -> httpx.Response:
        response = self.http.post(url, headers=command_headers(command, offset), content=data)
        if response.headers.get("x-goog-upload-status") == "final" and response.status_code == 200:
            self.made.append(response.json()["file"]["name"])
        return response

    def close(self) -> None:
        for name in set(self.made):
            self.http.delete(f"/v1beta/{name}", headers={"x-goog-api-key": self.target.api_key})


@pytest.fixture
def uploads(target: Target) -> Iterator[Uploads]:
    made = Uploads(target)
    yield made
    made.close()


def status(response: httpx.Response) -> str | None:
    value: str | None = response.headers.get("x-goog-upload-status")
    return value


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == response.status_code
    return error


def check_file(file: dict[str, Any], data: bytes) -> None:
    assert re.fullmatch(r"files/[a-z0-9-]+", file["name"])
    assert file["sizeBytes"] == str(len(data))
    assert file["sha256Hash"] == sha256_hash(data)
    assert file["mimeType"] == MIME
    assert file["uri"] == f"https://generativelanguage.googleapis.com/v1beta/{file['name']}"
    assert file["source"] == "UPLOADED"


# --- start --------------------------------------------------------------------------------------


def test_start_answers_an_absolute_upload_url_and_no_body(uploads: Uploads) -> None:
    response = uploads.start(11)

    assert response.status_code == 200
    assert response.content == b""
    assert status(response) == "active"
    url = response.headers["x-goog-upload-url"]
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc
    assert parts.path == START
    query = parse_qs(parts.query)
    assert query["upload_protocol"] == ["resumable"]
    (upload_id,) = query["upload_id"]
    assert response.headers["x-goog-upload-control-url"] == url
    assert response.headers["x-goog-upload-chunk-granularity"] == str(CHUNK)
    assert response.headers["x-guploader-uploadid"] == upload_id
    # The documented curl script finds the URL with grep -i "x-goog-upload-url: ".
    lines = [f"{name.decode()}: {value.decode()}" for name, value in response.headers.raw]
    assert sum("x-goog-upload-url: " in line.lower() for line in lines) == 1


def test_start_needs_the_key_and_the_upload_url_does_not(uploads: Uploads) -> None:
    refused = uploads.start(3, key=False)
    url = uploads.session(3)

    assert refused.status_code == 403
    assert error_of(refused)["status"] == "PERMISSION_DENIED"
    final = uploads.send(url, "upload, finalize", 0, b"abc")
    assert (final.status_code, status(final)) == (200, "final")


def test_the_documented_curl_start_body_is_read_leniently(uploads: Uploads) -> None:
    url = uploads.start(5, body=b"{'file': {'display_name': 'AUDIO'}}").headers["x-goog-upload-url"]

    final = uploads.send(url, "upload, finalize", 0, b"hello")

    assert final.status_code == 200
    assert final.json()["file"]["displayName"] == "AUDIO"


@pytest.mark.parametrize("mime", ["application/octet-stream", "bad/mime"])
def test_a_type_the_models_do_not_take_is_uploaded_and_refused_where_used(
    uploads: Uploads, mime: str
) -> None:
    """An upload takes any MIME type; a request using the file is refused
    (docs/files.md#mime-types)."""
    url = uploads.session(3, mime=mime)
    final = uploads.send(url, "upload, finalize", 0, b"abc")
    assert final.status_code == 200
    assert final.json()["file"]["mimeType"] == mime
    uses = {"parts": [{"fileData": {"fileUri": final.json()["file"]["uri"]}}]}
    refused = uploads.http.post(
        "/v1beta/models/gemini-2.5-flash:generateContent",
        headers={"x-goog-api-key": uploads.target.api_key},
        json={"contents": [uses]},
    )
    assert refused.status_code == 400
    assert error_of(refused) == {
        "code": 400,
        "message": f"Unsupported MIME type: {mime}",
        "status": "INVALID_ARGUMENT",
    }


def test_a_malformed_mime_type_is_refused_at_the_start(uploads: Uploads) -> None:
    refused = uploads.start(3, mime="not a type")
    assert refused.status_code == 400
    assert error_of(refused)["message"].startswith("Invalid MIME type not a type:")
    assert "x-goog-upload-url" not in refused.headers


def test_commands_on_the_upload_url_are_posts(uploads: Uploads) -> None:
    url = uploads.session(3)

    for method in ("PUT", "PATCH", "GET"):
        other = uploads.http.request(method, url, headers=command_headers("query", None))
        assert other.status_code == 404, method
        assert error_of(other)["status"] == "NOT_FOUND"
    final = uploads.send(url, "upload, finalize", 0, b"abc")
    assert (final.status_code, status(final)) == (200, "final")


# --- chunks ----------------------------------------------------------------------------------


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(min_size=0, max_size=2000),
    cuts=st.lists(st.integers(1, 1999), max_size=4),
)
def test_chunks_at_the_right_offsets_make_the_file_of_those_bytes(
    uploads: Uploads, data: bytes, cuts: list[int]
) -> None:
    url = uploads.session(len(data))
    bounds = [0, *sorted({c for c in cuts if c < len(data)}), len(data)]
    chunks = [(start, data[start:end]) for start, end in zip(bounds, bounds[1:], strict=False)]

    for index, (offset, chunk) in enumerate(chunks):
        last = index == len(chunks) - 1
        reply = uploads.send(url, "upload, finalize" if last else "upload", offset, chunk)
        assert reply.status_code == 200, reply.text
        if not last:
            assert (status(reply), reply.content) == ("active", b"")

    assert status(reply) == "final"
    assert reply.headers["content-type"].startswith("application/json")
    file = reply.json()["file"]
    check_file(file, data)
    got = uploads.http.get(
        f"/v1beta/{file['name']}", headers={"x-goog-api-key": uploads.target.api_key}
    )
    assert got.status_code == 200 and got.json() == file, "files.get answers the File unwrapped"


@pytest.mark.parametrize("offset", [0, 3, 7, -1])
def test_a_chunk_at_another_offset_is_refused_and_appends_nothing(
    uploads: Uploads, offset: int
) -> None:
    url = uploads.session(10)
    assert uploads.send(url, "upload", 0, b"abcde").status_code == 200

    refused = uploads.send(url, "upload", offset, b"XYZ")

    assert refused.status_code == 400
    assert error_of(refused)["status"] == "INVALID_ARGUMENT"
    assert status(refused) == "active"
    query = uploads.send(url, "query")
    assert query.headers["x-goog-upload-size-received"] == "5"
    final = uploads.send(url, "upload, finalize", 5, b"fghij")
    assert final.status_code == 200
    check_file(final.json()["file"], b"abcdefghij")


def test_a_chunk_without_an_offset_is_refused(uploads: Uploads) -> None:
    url = uploads.session(3)

    refused = uploads.send(url, "upload", None, b"abc")

    assert refused.status_code == 400 and status(refused) == "active"
    assert "None" not in error_of(refused)["message"], "a missing header is not a Python None"
    assert uploads.send(url, "query").headers["x-goog-upload-size-received"] == "0"


def test_query_reports_the_bytes_received_and_never_finalizes(uploads: Uploads) -> None:
    url = uploads.session(6)
    empty = uploads.send(url, "query")
    uploads.send(url, "upload", 0, b"abcdef")

    first, second = uploads.send(url, "query"), uploads.send(url, "query")

    assert (empty.status_code, empty.headers["x-goog-upload-size-received"]) == (200, "0")
    for reply in (first, second):
        assert (reply.status_code, status(reply)) == (200, "active")
        assert reply.headers["x-goog-upload-size-received"] == "6"
    final = uploads.send(url, "finalize")
    assert (final.status_code, status(final)) == (200, "final")
    check_file(final.json()["file"], b"abcdef")


def test_finalizing_with_bytes_missing_is_refused_and_the_upload_stays_active(
    uploads: Uploads,
) -> None:
    url = uploads.session(6)
    uploads.send(url, "upload", 0, b"abc")

    refused = uploads.send(url, "finalize")

    assert refused.status_code == 400 and status(refused) == "active"
    assert uploads.send(url, "upload, finalize", 3, b"def").status_code == 200


def test_a_body_past_the_declared_size_is_refused(uploads: Uploads) -> None:
    url = uploads.session(3)

    refused = uploads.send(url, "upload, finalize", 0, b"abcdef")

    assert refused.status_code == 400
    assert error_of(refused)["status"] == "INVALID_ARGUMENT"
    assert status(refused) is not None


def test_commands_on_a_finished_upload_answer_its_file(uploads: Uploads) -> None:
    url = uploads.session(2)
    file = uploads.send(url, "upload, finalize", 0, b"ok").json()["file"]

    again = uploads.send(url, "query")

    assert (again.status_code, status(again)) == (200, "final")
    assert again.json()["file"] == file


def test_cancel_ends_the_upload(uploads: Uploads) -> None:
    url = uploads.session(4)
    uploads.send(url, "upload", 0, b"ab")

    cancelled = uploads.send(url, "cancel")
    later = uploads.send(url, "upload", 2, b"cd")

    assert (cancelled.status_code, status(cancelled)) == (200, "cancelled")
    assert later.status_code >= 400
    assert status(later) == "cancelled"
    assert error_of(later)["status"] == "CANCELLED"


def test_an_unknown_upload_or_command_is_refused_with_a_status(uploads: Uploads) -> None:
    url = uploads.session(1)
    unknown_session = re.sub(r"upload_id=[^&]+", "upload_id=NOSUCHUPLOAD", url)

    missing = uploads.send(unknown_session, "query")
    nonsense = uploads.send(url, "frobnicate")

    assert missing.status_code == 404 and status(missing) is not None
    assert error_of(missing)["status"] == "NOT_FOUND"
    assert nonsense.status_code == 400 and status(nonsense) == "active"


# --- the state machine ------------------------------------------------------------------------

SIZE = 12
DATA = bytes(range(65, 65 + SIZE))


class UploadProtocol(RuleBasedStateMachine):
    """Random commands on one upload; each reply must be what the model says."""

    target: Target

    def __init__(self) -> None:
        super().__init__()
        self.uploads = Uploads(self.target)
        self.model = UploadModel(SIZE)

    @initialize()
    def start(self) -> None:
        self.url = self.uploads.session(SIZE)

    def send(self, command: str, offset: int | None = None, data: bytes = b"") -> httpx.Response:
        """``command`` to the target and to the model: the reply must be the model's."""
        expected = self.model.command(command, offset, len(data))
        reply = self.uploads.send(self.url, command, offset, data)
        assert status(reply) == expected.status
        if expected.status == "cancelled" and expected.code != 200:
            assert reply.status_code >= 400, reply.text  # the service's is a 499
        else:
            assert reply.status_code == expected.code, reply.text
        if command == "query" and expected.received is not None:
            assert reply.headers["x-goog-upload-size-received"] == str(expected.received)
        return reply

    @precondition(lambda self: self.model.state == "active")
    @rule(length=st.integers(0, 5), finalize=st.booleans())
    def upload_at_the_right_offset(self, length: int, finalize: bool) -> None:
        received = self.model.received
        chunk = DATA[received : received + length]
        reply = self.send("upload, finalize" if finalize else "upload", received, chunk)
        if self.model.state == "final":
            check_file(reply.json()["file"], DATA)

    @precondition(lambda self: self.model.state == "active")
    @rule(shift=st.sampled_from([-2, -1, 1, 3]))
    def upload_at_a_wrong_offset(self, shift: int) -> None:
        self.send("upload", self.model.received + shift, b"zz")

    @rule()
    def query(self) -> None:
        self.send("query")

    @precondition(lambda self: self.model.state == "active")
    @rule()
    def finalize(self) -> None:
        self.send("finalize")

    @precondition(lambda self: self.model.state == "active")
    @rule()
    def cancel(self) -> None:
        self.send("cancel")

    @invariant()
    def never_more_than_declared(self) -> None:
        assert 0 <= self.model.received <= SIZE

    def teardown(self) -> None:
        self.uploads.close()


def test_random_command_sequences_follow_the_protocol(target: Target) -> None:
    machine = type("Machine", (UploadProtocol,), {"target": target})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_every_reply_names_its_content_type(uploads: Uploads) -> None:
    """Empty replies are text/plain, file replies JSON (docs/evidence.md#service-files)."""
    url = uploads.session(2)
    active = uploads.send(url, "upload", 0, b"o")
    final = uploads.send(url, "upload, finalize", 1, b"k")

    assert active.headers["content-type"].startswith("text/plain")
    assert final.headers["content-type"] == "application/json; charset=UTF-8"
    json.loads(final.content)
