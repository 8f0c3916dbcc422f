"""Resumable uploads: recovering from failed chunks without losing or repeating a byte.

``service.faults[n]`` breaks the n-th request to the upload URL (the stand-in
``tests.kit.stand_ins.UploadService``, which refuses any chunk whose offset is not the number of
bytes it holds).
"""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conformance._uploads import sha256_hash
from gemini_ref import _caller, _settings, errors
from gemini_ref._upload import MAX_RETRY_DELAY, Read, Send, Sleep, Upload

MIME = {"mime_type": "application/octet-stream"}
DATA = bytes(range(256)) * 4  # 1024 bytes
URL = "https://upload.example.test/upload/v1beta/files?upload_id=U1"
STARTED = httpx.Response(200, headers={"X-Goog-Upload-URL": URL})


def active(received: int | None = None) -> httpx.Response:
    headers = {"X-Goog-Upload-Status": "active"}
    if received is not None:
        headers["X-Goog-Upload-Size-Received"] = str(received)
    return httpx.Response(200, headers=headers)


class ForwardOnly(io.RawIOBase):
    """A stream that cannot seek (a pipe, a socket), giving at most 97 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(min(len(buffer), 97))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def upload(client, data=DATA, **kwargs):
    kwargs.setdefault("chunk_size", 300)
    kwargs.setdefault("retry_delay", 0)
    return client.files.upload(file=data, config=kwargs.pop("config", MIME), **kwargs)


# --- Recovery ----------------------------------------------------------------------------------


def test_a_dropped_chunk_is_resent_after_a_query(service, upload_client):
    service.fail(1, "drop")

    file = upload(upload_client)

    assert service.commands() == [
        ("upload", 0, 300),
        ("upload", 300, 300),  # dropped: nothing arrived
        ("query", None, 0),
        ("upload", 300, 300),
        ("upload", 600, 300),
        ("upload, finalize", 900, 124),
    ]
    assert service.session.data == DATA
    assert file.size_bytes == len(DATA)


def test_a_partly_received_chunk_resumes_from_the_reported_offset(service, upload_client):
    service.fail(1, "partial", keep=120)
    progress: list[tuple[int, int]] = []

    upload(upload_client, progress=lambda *args: progress.append(args))

    assert service.commands() == [
        ("upload", 0, 300),
        ("upload", 300, 300),  # 120 bytes arrived
        ("query", None, 0),  # X-Goog-Upload-Size-Received: 420
        ("upload", 420, 180),  # the rest of the chunk, up to the next chunk boundary
        ("upload", 600, 300),
        ("upload, finalize", 900, 124),
    ]
    assert hashlib.sha256(service.session.data).digest() == hashlib.sha256(DATA).digest()
    assert progress == [(300, 1024), (420, 1024), (600, 1024), (900, 1024), (1024, 1024)]


def test_a_lost_answer_to_a_middle_chunk_goes_on_after_it(service, upload_client):
    service.fail(1, "lost")

    upload(upload_client)

    assert service.commands()[1:4] == [
        ("upload", 300, 300),  # arrived; the answer did not
        ("query", None, 0),  # Size-Received: 600
        ("upload", 600, 300),
    ]
    assert service.session.data == DATA


def test_a_lost_answer_to_the_last_chunk_is_found_final_by_the_query(service, upload_client):
    service.fail(3, "lost")

    file = upload(upload_client)

    assert service.commands()[3:] == [("upload, finalize", 900, 124), ("query", None, 0)]
    assert file.name == f"files/{service.session.id}"
    assert service.session.data == DATA


def test_a_5xx_on_a_chunk_is_recovered(service, upload_client):
    service.fail(0, "5xx")

    upload(upload_client)

    assert service.commands()[:3] == [("upload", 0, 300), ("query", None, 0), ("upload", 0, 300)]
    assert service.session.data == DATA


def test_failing_queries_are_retried(service, upload_client):
    service.fail(1, "drop")
    service.fail(2, "5xx")
    service.fail(3, "drop")

    upload(upload_client, max_retries=3)

    assert [command for command, _, _ in service.commands()[1:6]] == [
        "upload",
        "query",
        "query",
        "query",
        "upload",
    ]
    assert service.session.data == DATA


def test_recovery_requests_carry_no_api_key(service, upload_client):
    service.fail(0, "drop")

    upload(upload_client)

    assert {exchange.api_key for exchange in service.exchanges} == {None}
    assert service.start.headers["x-goog-api-key"] == "test-key"


def test_the_upload_gives_up_after_max_retries_failures_in_a_row(service, upload_client):
    for n in range(1, 100):
        service.fail(n, "drop")

    with pytest.raises(errors.UploadError, match="gave up after 4 failures.*at byte 300") as caught:
        upload(upload_client, max_retries=3)

    error = caught.value
    assert not isinstance(error, errors.UploadProtocolError)
    assert (error.offset, error.size) == (300, 1024)
    assert error.upload_url == str(service.chunk_requests[0].url)
    assert isinstance(error.__cause__, errors.APIConnectionError)
    assert isinstance(error.__cause__.__cause__, httpx.ConnectError)
    assert [command for command, _, _ in service.commands()] == ["upload"] * 2 + ["query"] * 3


def test_giving_up_on_5xx_keeps_the_server_error_as_the_cause(service, upload_client):
    for n in range(100):
        service.fail(n, "5xx")

    with pytest.raises(errors.UploadError) as caught:
        upload(upload_client, max_retries=0)

    assert isinstance(caught.value.__cause__, errors.ServiceUnavailableError)
    assert caught.value.offset == 0
    assert service.commands() == [("upload", 0, 300)]  # max_retries=0: no recovery at all


def test_progress_forgives_earlier_failures(service, upload_client):
    # Four failures with max_retries=1, but each one after some bytes arrived: slow, not stuck.
    for n in (0, 2, 4, 6):
        service.fail(n, "partial", keep=100)

    upload(upload_client, max_retries=1)

    assert service.commands()[:9] == [
        ("upload", 0, 300),
        ("query", None, 0),
        ("upload", 100, 200),
        ("query", None, 0),
        ("upload", 200, 100),
        ("query", None, 0),
        ("upload", 300, 300),
        ("query", None, 0),
        ("upload", 400, 200),
    ]
    assert service.session.data == DATA


def test_no_progress_is_not_forgiven(service, upload_client):
    # Every byte arrives with the last chunk, whose answer is lost; then the empty
    # ``upload, finalize`` that completes it keeps failing, and so do the queries.
    service.fail(1, "partial", keep=300)
    for n in range(3, 100):
        service.fail(n, "drop")

    with pytest.raises(errors.UploadError, match="2 failures? .*at byte 600 of 600") as caught:
        upload(upload_client, data=DATA[:600], max_retries=1)

    assert service.commands() == [
        ("upload", 0, 300),
        ("upload, finalize", 300, 300),  # all 300 bytes arrived, not the finalize
        ("query", None, 0),  # Size-Received: 600, status active
        ("upload, finalize", 600, 0),
        ("query", None, 0),
    ]
    assert caught.value.offset == 600


def test_a_4xx_on_a_query_raises_its_api_error(answering):
    gone = httpx.Response(
        404, json={"error": {"code": 404, "message": "No such upload.", "status": "NOT_FOUND"}}
    )
    _, client = answering(STARTED, httpx.ReadError("reset"), gone)

    with pytest.raises(errors.NotFoundError, match="No such upload"):
        upload(client)


@pytest.mark.parametrize(
    ("query_answer", "message"),
    [
        (active(), "X-Goog-Upload-Size-Received: ''"),
        (active(received=301), "received 301 bytes, but 300 were sent"),
        (active(received=-1), "received -1 bytes"),
    ],
    ids=["missing", "beyond-what-was-sent", "negative"],
)
def test_a_query_answer_out_of_the_protocol(answering, query_answer, message):
    _, client = answering(STARTED, httpx.ReadError("reset"), query_answer)

    with pytest.raises(errors.UploadProtocolError, match=message):
        upload(client)


# --- Streams that cannot seek ------------------------------------------------------------------


def test_a_stream_that_cannot_seek_resends_from_its_kept_chunk(service, upload_client):
    service.fail(1, "partial", keep=10)
    service.fail(4, "lost")

    upload(upload_client, data=ForwardOnly(DATA), config=MIME | {"size_bytes": len(DATA)})

    assert service.session.data == DATA
    assert ("upload", 310, 290) in service.commands()


def test_a_stream_that_cannot_seek_needs_its_size(upload_client):
    with pytest.raises(ValueError, match="size_bytes"):
        upload(upload_client, data=ForwardOnly(DATA))


def test_a_stream_that_cannot_seek_cannot_go_back_before_its_chunk(answering):
    # The service forgot bytes of an earlier chunk: a path or a seekable stream could resend
    # them, a pipe cannot.
    _, client = answering(STARTED, active(), httpx.ReadError("reset"), active(received=100))

    with pytest.raises(errors.UploadError, match="cannot seek back before byte 300") as caught:
        upload(client, data=ForwardOnly(DATA), config=MIME | {"size_bytes": len(DATA)})

    assert caught.value.offset == 100


def test_a_seekable_source_can_go_back_when_the_service_forgot(answering):
    final = httpx.Response(200, headers={"X-Goog-Upload-Status": "final"}, json={"file": {}})
    requests, client = answering(
        STARTED, active(), httpx.ReadError("reset"), active(received=100), active(), active(), final
    )

    upload(client, data=DATA[:700], chunk_size=300)

    offsets = [r.headers.get("x-goog-upload-offset") for r in requests[1:]]
    assert offsets == ["0", "300", None, "100", "300", "600"]
    assert [r.content for r in requests[4:]] == [DATA[100:300], DATA[300:600], DATA[600:700]]


def test_a_stream_shorter_than_announced_is_an_upload_error(service, upload_client):
    with pytest.raises(errors.UploadError, match="ended at byte 1024, short of the 2000") as caught:
        upload(upload_client, data=ForwardOnly(DATA), config=MIME | {"size_bytes": 2000})

    assert caught.value.offset == 900


# --- Backoff, through the steps themselves (no I/O) --------------------------------------------


def steps_of(upload: Upload, answer):
    """Drive ``upload.steps()`` by hand, yielding each step: ``answer(send)`` answers requests."""
    steps = upload.steps()
    reply = None
    while True:
        try:
            step = steps.send(reply)
        except StopIteration:
            return
        yield step
        if isinstance(step, Read):
            reply = upload.source.read(step.offset, step.length)
        elif isinstance(step, Sleep):
            reply = None
        else:
            assert isinstance(step, Send)
            reply = answer(step)


def test_the_backoff_doubles_up_to_its_ceiling():
    settings = _settings.resolve(
        api_key="k", base_url=None, api_version=None, http_options=None, timeout=None
    )
    request = httpx.Request("POST", URL)

    def answer(step: Send):
        if step.headers["x-goog-upload-command"] == "start":
            return httpx.Response(200, headers={"X-Goog-Upload-URL": URL}, request=request)
        return httpx.ConnectError("down", request=request)

    delays: list[float] = []
    with pytest.raises(errors.UploadError, match="gave up after 6 failures"):
        for step in steps_of(Upload(settings, b"abc", MIME, retry_delay=4.0), answer):
            if isinstance(step, Sleep):
                delays.append(step.seconds)

    assert delays == [4.0, 8.0, 16.0, MAX_RETRY_DELAY, MAX_RETRY_DELAY]  # 5 = MAX_RETRIES


def test_the_sync_shell_sleeps_between_attempts(service, upload_client, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(_caller, "time", SimpleNamespace(sleep=slept.append))
    service.fail(1, "drop")
    service.fail(2, "drop")

    upload(upload_client, retry_delay=0.25)

    assert slept == [0.25, 0.5]
    assert service.session.data == DATA


# --- Properties --------------------------------------------------------------------------------

faults = st.tuples(st.sampled_from(["drop", "partial", "lost", "5xx"]), st.integers(0, 700))


@st.composite
def uploads(draw):
    """Bytes, a chunk size, and faults placed among the requests the upload will make."""
    data = draw(st.binary(max_size=3000))
    chunk_size = draw(st.integers(1, 800) | st.integers(1, max(1, len(data) // 3)))
    requests = -(-len(data) // chunk_size) or 1
    plan = draw(st.dictionaries(st.integers(0, 2 * requests + 3), faults, max_size=8))
    return data, chunk_size, plan


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(upload=uploads(), max_retries=st.integers(0, 5), seekable=st.booleans())
def test_random_failures_never_lose_or_repeat_a_byte(
    new_upload_client, upload, max_retries, seekable
):
    data, chunk_size, plan = upload
    service, client = new_upload_client()
    for index, (kind, keep) in plan.items():
        service.fail(index, kind, keep)
    source = io.BytesIO(data) if seekable else ForwardOnly(data)

    try:
        file = client.files.upload(
            file=source,
            config=MIME | {"size_bytes": len(data)},
            chunk_size=chunk_size,
            max_retries=max_retries,
            retry_delay=0,
        )
    except errors.UploadError as error:
        event("gave up")
        # Only running out of retries may stop it, and only with more faults than retries.
        assert not isinstance(error, errors.UploadProtocolError)
        assert len(plan) > max_retries
        assert isinstance(error.__cause__, errors.APIConnectionError | errors.ServerError)
        session = service.session
        assert error.offset <= session.received
        assert bytes(session.data) == data[: session.received]  # a clean prefix, no repeats
    else:
        event("completed")
        assert bytes(service.session.data) == data
        assert file.size_bytes == len(data)
        assert file.sha256_hash == sha256_hash(data)
    finally:
        fired = sum(1 for index in plan if index < len(service.exchanges))
        event(f"faults that fired: {min(fired, 3)}{'+' if fired >= 3 else ''}")


# --- Memory ------------------------------------------------------------------------------------


def test_a_1_gib_upload_keeps_memory_flat(tmp_path: Path, new_upload_client):
    path = tmp_path / "huge.bin"
    with open(path, "wb") as sparse:
        sparse.truncate(1 << 30)  # 1 GiB of zeros, nothing on the disk
    service, client = new_upload_client(keep_bytes=False, socket_like=True)

    tracemalloc.start()
    try:
        client.files.upload(file=path, config=MIME)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert service.session.received == 1 << 30
    assert len(service.exchanges) == 128
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
