"""The Files API end to end: our client against the fake, in process and on a socket.

Upload (1 MB in one chunk, 20 MB in many), get, list, delete, and a prompt using the uploaded
file. Recovery is tested against the fake's own ``query``: httpx event hooks break chunks the
way a network does, a request hook before the request leaves (the chunk never arrives), a
response hook after the fake handled it (the answer is lost).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path

import httpx
import pytest

import gemini_ref as genai
from conformance._uploads import sha256_hash
from fake_server.model.images import encode_png
from gemini_ref import errors, types

MODEL = "gemini-2.5-flash"
SMALL_CHUNKS = 1 << 20  # 1 MiB: the 20 MB upload in 20 chunks, quicker than 8 MiB on a socket


def content(size: int) -> bytes:
    blocks = (hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


@pytest.fixture
def image(tmp_path: Path) -> tuple[Path, bytes]:
    data = encode_png(1000, 1000, content(1_000_000), level=0)  # a real 1 MB image
    path = tmp_path / "sample.png"
    path.write_bytes(data)
    return path, data


def test_upload_1_mb_get_list_generate_delete(fake, client, image):
    path, data = image

    uploaded = client.files.upload(file=path, config={"display_name": "small image"})
    found = client.files.get(name=uploaded.name)
    listed = list(client.files.list())
    response = client.models.generate_content(
        model=MODEL, contents=[uploaded, "Caption this image."]
    )
    client.files.delete(name=uploaded.name)

    assert uploaded.name.startswith("files/")
    assert uploaded.display_name == "small image"
    assert uploaded.mime_type == "image/png"
    assert uploaded.size_bytes == len(data)
    assert uploaded.sha256_hash == sha256_hash(data)
    assert uploaded.state == types.FileState.ACTIVE
    assert uploaded.uri.endswith(f"/{uploaded.name}")
    assert uploaded.expiration_time > uploaded.create_time
    assert found == uploaded
    assert [file.name for file in listed] == [uploaded.name]
    assert response.text
    (generate,) = fake.journal.calls("generateContent")
    assert generate.request["contents"][0]["parts"][0] == {
        "fileData": {"fileUri": uploaded.uri, "mimeType": "image/png"}
    }
    with pytest.raises(errors.PermissionDeniedError, match="may not exist"):
        client.files.get(name=uploaded.name)


def test_upload_20_mb_in_chunks_with_a_name(client, tmp_path):
    data = content(20_000_000)
    path = tmp_path / "large.mp3"
    path.write_bytes(data)
    progress: list[int] = []

    uploaded = client.files.upload(
        file=path,
        config={"name": "my-audio"},
        chunk_size=SMALL_CHUNKS,
        progress=lambda sent, total: progress.append(sent),
    )

    assert uploaded.name == "files/my-audio"
    assert uploaded.mime_type == "audio/mpeg"
    assert uploaded.size_bytes == 20_000_000
    assert uploaded.sha256_hash == sha256_hash(data)
    assert len(progress) == 20
    assert progress[-1] == 20_000_000
    assert client.files.get(name="my-audio").sha256_hash == sha256_hash(data)


def test_upload_20_mb_in_8_mib_chunks(client):
    data = content(20_000_000)

    uploaded = client.files.upload(file=data, config={"mime_type": "video/mp4"})

    assert uploaded.size_bytes == 20_000_000
    assert uploaded.sha256_hash == sha256_hash(data)


def test_list_pages_through_the_fake(client):
    names = {
        client.files.upload(file=b"note %d" % i, config={"mime_type": "text/plain"}).name
        for i in range(5)
    }

    pager = client.files.list(config={"page_size": 2})
    listed = [file.name for file in pager]

    assert set(listed) == names
    assert len(listed) == 5


def test_upload_errors_from_the_fake(client):
    with pytest.raises(errors.BadRequestError, match="Invalid MIME type"):
        client.files.upload(file=b"abc", config={"mime_type": "not a type"})
    client.files.upload(file=b"abc", config={"mime_type": "text/plain", "name": "taken"})
    with pytest.raises(errors.ConflictError, match="already exists"):
        client.files.upload(file=b"abc", config={"mime_type": "text/plain", "name": "taken"})


def test_a_zero_byte_upload(client):
    uploaded = client.files.upload(file=b"", config={"mime_type": "text/plain"})

    assert uploaded.size_bytes == 0
    assert uploaded.sha256_hash == sha256_hash(b"")
    assert client.files.get(name=uploaded.name).name == uploaded.name


# --- Recovery against the fake's query ---------------------------------------------------------


class Breaker:
    """Event hooks that break chosen requests to the upload URL (counted from 0)."""

    def __init__(
        self, *, drop: AbstractSet[int] = frozenset(), lose: AbstractSet[int] = frozenset()
    ) -> None:
        self.drop, self.lose = drop, lose
        self.seen: list[str] = []

    def on_request(self, request: httpx.Request) -> None:
        if "upload_id" not in request.url.params:
            return
        self.seen.append(request.headers["x-goog-upload-command"])
        if len(self.seen) - 1 in self.drop:
            raise httpx.ConnectError("the chunk never left", request=request)

    def on_response(self, response: httpx.Response) -> None:
        request = response.request
        if "upload_id" in request.url.params and len(self.seen) - 1 in self.lose:
            raise httpx.ReadTimeout("the answer was lost", request=request)


def test_uploads_recover_from_dropped_chunks_and_lost_answers(fake, tmp_path):
    data = content(5_000_000)
    breaker = Breaker(drop={1, 5}, lose={3, 9})
    hooks = {"request": [breaker.on_request], "response": [breaker.on_response]}

    with fake.client(event_hooks=hooks) as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, http_client=http)
        uploaded = client.files.upload(
            file=data, config={"mime_type": "audio/wav"}, chunk_size=SMALL_CHUNKS, retry_delay=0
        )

    assert uploaded.sha256_hash == sha256_hash(data)
    assert breaker.seen == [
        "upload",
        "upload",  # dropped
        "query",
        "upload",  # handled, answer lost
        "query",
        "upload",  # dropped
        "query",
        "upload",
        "upload",
        "upload, finalize",  # handled, answer lost: the query finds the file final
        "query",
    ]


def test_giving_up_against_the_fake_names_the_offset(fake):
    breaker = Breaker(drop=set(range(2, 100)))
    hooks = {"request": [breaker.on_request]}

    with fake.client(event_hooks=hooks) as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, http_client=http)
        with pytest.raises(errors.UploadError, match="at byte 2097152") as caught:
            client.files.upload(
                file=content(3_000_000),
                config={"mime_type": "audio/wav"},
                chunk_size=SMALL_CHUNKS,
                max_retries=2,
                retry_delay=0,
            )

    assert caught.value.offset == 2 * SMALL_CHUNKS
    assert caught.value.upload_url is not None
    assert caught.value.upload_url.startswith(f"{fake.base_url}/upload/v1beta/files?upload_id=")


@pytest.mark.anyio
async def test_async_upload_get_list_delete_against_the_fake(fake, image):
    path, data = image

    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        uploaded = await client.aio.files.upload(file=path, chunk_size=256 * 1024)
        assert uploaded.name is not None
        found = await client.aio.files.get(name=uploaded.name)
        pager = await client.aio.files.list()
        listed = [file.name async for file in pager]
        response = await client.aio.models.generate_content(
            model=MODEL, contents=[uploaded, "Caption this image."]
        )
        await client.aio.files.delete(name=uploaded.name)
        after = await client.aio.files.list()
        client.close()

    assert uploaded.sha256_hash == sha256_hash(data)
    assert found == uploaded
    assert listed == [uploaded.name]
    assert response.text
    assert after.page == []


# --- Connections cut at random points, on a real socket ---------------------------------------


class CuttingTransport(httpx.HTTPTransport):
    """Sends chunk requests only in part, then drops the connection mid-body: always the first
    one, then each with the given odds."""

    def __init__(self, rng: random.Random, odds: float) -> None:
        super().__init__()
        self.rng, self.odds, self.cuts = rng, odds, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        command = request.headers.get("x-goog-upload-command", "")
        if (
            "upload" in command
            and "upload_id" in request.url.params
            and (not self.cuts or self.rng.random() < self.odds)
        ):
            body = request.read()
            keep = self.rng.randint(0, len(body))
            self.cuts += 1

            def partial() -> Iterator[bytes]:
                yield body[:keep]
                raise httpx.WriteError("connection dropped mid-chunk")

            request = httpx.Request(
                request.method, request.url, headers=request.headers, content=partial()
            )
        return super().handle_request(request)


@pytest.mark.parametrize("trial", range(12))
def test_uploads_cut_at_random_points_arrive_intact(gemini_fake_server, trial):
    rng = random.Random(trial)
    data = rng.randbytes(rng.randint(1, 3_000_000))
    transport = CuttingTransport(rng, odds=0.4)
    with httpx.Client(transport=transport) as http:
        client = genai.Client(
            api_key="test-key", base_url=gemini_fake_server.base_url, http_client=http
        )
        uploaded = client.files.upload(
            file=data,
            config={"mime_type": "audio/wav"},
            chunk_size=256 * 1024,
            retry_delay=0,
            max_retries=20,
        )
    assert uploaded.size_bytes == len(data)
    assert uploaded.sha256_hash == sha256_hash(data)
    assert transport.cuts >= 1
