"""``client.aio.files``: the same uploads and calls, awaited."""

from __future__ import annotations

import io
import threading

import anyio
import httpx
import pytest

from gemini_ref import errors, types

pytestmark = pytest.mark.anyio

MIME = {"mime_type": "application/octet-stream"}
DATA = bytes(range(256)) * 4


async def test_aio_upload_sends_the_same_chunks_as_sync(new_upload_client, tmp_path):
    path = tmp_path / "large.mp3"
    path.write_bytes(DATA * 20)
    async_service, async_client = new_upload_client()
    sync_service, sync_client = new_upload_client()

    file = await async_client.aio.files.upload(file=path, chunk_size=4096)
    sync_client.files.upload(file=path, chunk_size=4096)

    assert async_service.commands() == sync_service.commands()
    assert async_service.commands()[-1] == ("upload, finalize", 16384, 4096)
    assert async_service.start_body == sync_service.start_body
    assert async_service.session.data == path.read_bytes()
    assert file.size_bytes == 20480
    assert file.mime_type == "audio/mpeg"


async def test_aio_upload_reads_files_in_a_worker_thread(service, upload_client, tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(DATA)
    readers: list[threading.Thread] = []
    real_read = io.BufferedReader.read

    class Spy(io.BufferedReader):
        def read(self, size=-1):
            readers.append(threading.current_thread())
            return real_read(self, size)

    with open(path, "rb") as raw:
        stream = Spy(raw.raw)
        await upload_client.aio.files.upload(file=stream, config=MIME, chunk_size=300)

    assert readers
    assert threading.main_thread() not in readers
    assert service.session.data == DATA


async def test_aio_upload_of_bytes_and_progress(service, upload_client):
    progress: list[tuple[int, int]] = []

    await upload_client.aio.files.upload(
        file=DATA, config=MIME, chunk_size=512, progress=lambda *args: progress.append(args)
    )

    assert service.commands() == [("upload", 0, 512), ("upload, finalize", 512, 512)]
    assert progress == [(512, 1024), (1024, 1024)]


async def test_aio_upload_recovers_and_sleeps_with_anyio(service, upload_client, monkeypatch):
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(anyio, "sleep", fake_sleep)  # the anyio gemini_ref sleeps with
    service.fail(1, "partial", keep=7)
    service.fail(2, "drop")  # the first query

    await upload_client.aio.files.upload(file=DATA, config=MIME, chunk_size=300, retry_delay=0.5)

    assert slept == [0.5, 1.0]
    assert ("upload", 307, 293) in service.commands()
    assert service.session.data == DATA


async def test_aio_upload_gives_up_like_sync(service, upload_client):
    for n in range(100):
        service.fail(n, "5xx")

    with pytest.raises(errors.UploadError, match="gave up after 3 failures") as caught:
        await upload_client.aio.files.upload(file=DATA, config=MIME, max_retries=2, retry_delay=0)

    assert isinstance(caught.value.__cause__, errors.ServiceUnavailableError)


async def test_aio_upload_errors(answering):
    started = httpx.Response(200, headers={"X-Goog-Upload-URL": "https://u.example/up?id=1"})
    _, client = answering(started, httpx.Response(200))

    with pytest.raises(errors.UploadProtocolError, match="X-Goog-Upload-Status"):
        await client.aio.files.upload(file=b"abc", config=MIME)
    with pytest.raises(errors.UnknownMimeTypeError):
        await client.aio.files.upload(file=b"abc")


async def test_aio_upload_through_a_socket_like_transport(new_upload_client):
    # Bodies read from their streams, not from request.content: the chunks' one-shot streams.
    service, client = new_upload_client(socket_like=True)
    service.fail(1, "partial", keep=50)

    await client.aio.files.upload(file=DATA, config=MIME, chunk_size=300, retry_delay=0)

    assert service.session.data == DATA


async def test_aio_get_list_delete(client, recorder):
    recorder.answers = [
        {"name": "files/a", "sizeBytes": "3"},
        {"files": [{"name": "files/a"}], "nextPageToken": "t1"},
        {"files": [{"name": "files/b"}]},
        {},
    ]

    file = await client.aio.files.get(name="a")
    pager = await client.aio.files.list(config={"page_size": 1})
    names = [found.name async for found in pager]
    deleted = await client.aio.files.delete(name="files/a")

    assert file == types.File(name="files/a", size_bytes=3)
    assert names == ["files/a", "files/b"]
    assert deleted == types.DeleteFileResponse()
    assert [(r.method, r.url.path, r.url.query) for r in recorder.requests] == [
        ("GET", "/v1beta/files/a", b""),
        ("GET", "/v1beta/files", b"pageSize=1"),
        ("GET", "/v1beta/files", b"pageSize=1&pageToken=t1"),
        ("DELETE", "/v1beta/files/a", b""),
    ]


async def test_aio_uploads_run_concurrently(new_upload_client):
    service, client = new_upload_client()
    results: list[types.File] = []

    async def one(data: bytes) -> None:
        results.append(await client.aio.files.upload(file=data, config=MIME, chunk_size=100))

    async with anyio.create_task_group() as group:
        group.start_soon(one, DATA)
        group.start_soon(one, DATA[::-1])

    assert sorted(bytes(s.data) for s in service.sessions.values()) == sorted([DATA, DATA[::-1]])
    assert len(results) == 2
