"""Uploads whose chunks are cut off mid-body over a real socket, then resumed as the protocol says.

"A connection dropped mid-chunk keeps what arrived, and ``query`` says how much, so the client
resumes from there" (fake_server/api/uploads.py, docs/files.md). Each of 30 trials uploads random
bytes (up to 3 MiB) to the fake on a loopback port, and cuts 1 to 4 chunks off at random points,
five ways: a raw socket that sends the headers and part of the body, then closes (``fin``) or
resets (``rst``: what the server had not read yet may be lost); an httpx request whose body
generator raises part-way (``generator``); and a raw socket the client gives up on while it is
still open, querying before it closes it (``stall``) or leaving it open until the upload is over
(``abandon``, a dead connection left to time out). After each cut the client asks with
``query`` and carries on from ``X-Goog-Upload-Size-Received``; then it sends the rest in one
``upload, finalize``. A resumed chunk may be refused for its offset when the server reads a
dropped chunk's bytes late (they came on another connection), or superseded by that late
request (409 ABORTED): the client then asks again and resumes from there, as the error says.
What must hold every time: the size received never goes back, never passes what the client
sent, never passes the declared size; and the File's ``sizeBytes`` and ``sha256Hash``, and the
bytes the fake stored, are the input's.

The last tests take the same rules one at a time, deterministically.
"""

from __future__ import annotations

import hashlib
import random
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from conformance._uploads import START, command_headers, sha256_hash_of_hex, start_headers
from fake_server import FakeConfig, create_app
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.fakes import KEY

TRIALS = 30
MAX_SIZE = 3 * 1024 * 1024  # past uvicorn's and asyncio's read buffers, so drops land mid-read
ENDINGS = ("fin", "abandon", "rst", "generator", "stall")


@pytest.fixture(scope="module")
def fake() -> Iterator[Fake]:
    app = create_app(FakeConfig(default_fixtures=False, seed=11))
    with ThreadedServer(app) as server:
        yield Fake(app, server.base_url, in_process=False)


class ClientGaveUp(Exception):
    """What the body generator raises half-way through a chunk."""


@dataclass
class Trial:
    """One upload and what happened to it."""

    fake: Fake
    url: str
    data: bytes
    rng: random.Random
    history: list[str] = field(default_factory=list)
    abandoned: list[socket.socket] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data)

    def command(self, offset: int, length: int) -> str:
        return "upload, finalize" if offset + length >= self.size else "upload"

    def query(self, client: httpx.Client) -> httpx.Response:
        response = client.post(self.url, headers=command_headers("query"))
        assert "x-goog-upload-status" in response.headers
        self.history.append(
            f"query -> {response.headers['x-goog-upload-status']} "
            f"{response.headers.get('x-goog-upload-size-received')}"
        )
        return response

    def drop(
        self, client: httpx.Client, ending: str, offset: int, length: int, cut: int
    ) -> httpx.Response:
        """Send a chunk of ``length`` bytes at ``offset``, but only ``cut`` of its body, drop
        the connection, and ``query``: the reply. A "stall" queries while the connection is
        still open (the client gave up waiting on it), then closes it; "abandon" leaves it
        open until the upload is over, as a client that lets a dead connection time out."""
        self.history.append(f"{ending}: chunk {offset}+{length}, cut after {cut}")
        chunk = self.data[offset : offset + length]
        headers = {
            **command_headers(self.command(offset, length), offset),
            "Content-Length": str(length),
        }
        if ending == "generator":

            def body() -> Iterator[bytes]:
                for start in range(0, cut, 65536):
                    yield chunk[start : min(start + 65536, cut)]
                raise ClientGaveUp

            with httpx.Client(base_url=self.fake.base_url) as dropping:
                try:
                    dropping.post(self.url, headers=headers, content=body())
                except ClientGaveUp:
                    pass
                else:
                    raise AssertionError("the body generator did not raise")
            return self.query(client)
        host, port = self.fake.base_url.removeprefix("http://").split(":")
        path = self.url.removeprefix(self.fake.base_url)
        head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        if ending == "abandon":
            sock = socket.create_connection((host, int(port)))
            self.abandoned.append(sock)
            sock.sendall(head.encode() + chunk[:cut])
            time.sleep(0.02)  # the server has read what was sent; the rest never comes
            return self.query(client)
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(head.encode() + chunk[:cut])
            if ending == "rst":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif ending == "stall":
                time.sleep(0.02)  # the server has read what was sent; the rest never comes
                return self.query(client)
        return self.query(client)

    def send_rest(self, client: httpx.Client, offset: int) -> httpx.Response:
        """The rest in one ``upload, finalize`` chunk."""
        self.history.append(f"rest: chunk {offset}+{self.size - offset}")
        response = client.post(
            self.url,
            headers=command_headers("upload, finalize", offset),
            content=self.data[offset:],
        )
        assert "x-goog-upload-status" in response.headers
        return response


def start(fake: Fake, client: httpx.Client, size: int) -> str:
    response = client.post(
        START,
        headers={**KEY, **start_headers(size, "application/pdf")},
        json={"file": {"display_name": "interrupted"}},
    )
    assert response.status_code == 200, response.text
    url: str = response.headers["x-goog-upload-url"]
    assert url.startswith(fake.base_url)
    return url


@pytest.mark.parametrize("trial", range(TRIALS))
def test_an_upload_cut_off_at_random_points_resumes_to_the_same_bytes(
    trial: int, fake: Fake
) -> None:
    rng = random.Random(trial)
    data = rng.randbytes(rng.choice([rng.randint(2, 4096), rng.randint(2, MAX_SIZE)]))
    with httpx.Client(base_url=fake.base_url) as client:
        run = Trial(fake, start(fake, client, len(data)), data, rng)
        offset, sent_up_to, final = 0, 0, None
        # Chunks dropped part-way, each followed at once by a query, as a client does.
        for attempt in range(rng.randint(1, 4)):
            if offset >= run.size:
                break
            length = rng.randint(1, run.size - offset)
            cut = min(length, rng.choice([rng.randint(0, 8192), rng.randint(0, length)]))
            ending = ENDINGS[(trial + attempt) % len(ENDINGS)]
            reply = run.drop(client, ending, offset, length, cut)
            sent_up_to = max(sent_up_to, offset + cut)
            if reply.headers["x-goog-upload-status"] == "final":
                # Every byte got there and the chunk had finalize: the query has the File.
                final = reply
                break
            assert reply.headers["x-goog-upload-status"] == "active", run.history
            received = int(reply.headers["x-goog-upload-size-received"])
            # What arrived is kept, and nothing else: no position the client never sent.
            assert offset <= received <= sent_up_to, run.history
            offset = received
        # Resume from Size-Received to the end. The server may still be reading a dropped
        # chunk (another connection): then the resume is refused for its offset (400), or
        # the late request supersedes it (409 ABORTED). Either way: ask again, as the error
        # says, and resume from there.
        for _ in range(10):
            if final is not None:
                break
            reply = run.send_rest(client, offset)
            if reply.status_code == 200:
                final = reply
                break
            run.history.append(f"  -> {reply.status_code} {reply.json()['error']['status']}")
            assert (reply.status_code, reply.json()["error"]["status"]) in (
                (400, "INVALID_ARGUMENT"),
                (409, "ABORTED"),
            ), (run.history, reply.text)
            assert reply.headers["x-goog-upload-status"] == "active", run.history
            query = run.query(client)
            if query.headers["x-goog-upload-status"] == "final":
                final = query
                break
            offset = int(query.headers["x-goog-upload-size-received"])
            assert offset <= run.size, (run.history, "more bytes than the declared size")
        for sock in run.abandoned:
            sock.close()
        assert final is not None, run.history
        assert (final.status_code, final.headers["x-goog-upload-status"]) == (200, "final")
        file = final.json()["file"]
        digest = hashlib.sha256(data).hexdigest()
        assert file["sizeBytes"] == str(len(data)), run.history
        assert file["sha256Hash"] == sha256_hash_of_hex(digest), run.history
        file_id = file["name"].removeprefix("files/")
        time.sleep(0.05)  # let any handler still draining a dropped chunk end
        got = client.get(f"/v1beta/files/{file_id}", headers=KEY).json()
        assert (got["sizeBytes"], got["sha256Hash"]) == (file["sizeBytes"], file["sha256Hash"])
        stored = fake.state.store.data_path(file_id).read_bytes()
        assert (len(stored), hashlib.sha256(stored).hexdigest()) == (len(data), digest), run.history


# --- the same rules, one at a time and deterministic --------------------------------------------


def raw_chunk(fake: Fake, url: str, command: str, offset: int, length: int) -> socket.socket:
    """A socket that has sent a chunk's headers (declaring ``length`` body bytes), no body."""
    host, port = fake.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    path = url.removeprefix(fake.base_url)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nX-Goog-Upload-Command: {command}\r\n"
        f"X-Goog-Upload-Offset: {offset}\r\nContent-Length: {length}\r\n\r\n".encode()
    )
    return sock


def settle(client: httpx.Client, url: str) -> int:
    """The size received once it stops changing (polled for up to a second)."""
    last, deadline = -1, time.monotonic() + 1
    while time.monotonic() < deadline:
        size = int(
            client.post(url, headers=command_headers("query")).headers[
                "x-goog-upload-size-received"
            ]
        )
        if size == last:
            return size
        last = size
        time.sleep(0.05)
    return last


def test_a_query_during_a_chunk_reports_the_bytes_that_have_arrived(fake: Fake) -> None:
    """ "Bytes go to disk as they arrive ... query says how much" (fake_server/api/uploads.py)."""
    data = bytes(range(10))
    with httpx.Client(base_url=fake.base_url) as client:
        url = start(fake, client, len(data))
        with raw_chunk(fake, url, "upload", 0, len(data)) as sock:
            sock.sendall(data[:4])
            time.sleep(0.2)  # the server has long read them

            reply = client.post(url, headers=command_headers("query"))

        assert reply.headers["x-goog-upload-status"] == "active"
        assert reply.headers["x-goog-upload-size-received"] == "4"
        assert settle(client, url) == 4


def test_a_dropped_chunk_cannot_add_bytes_to_the_file_after_the_upload_resumed_and_finished(
    fake: Fake,
) -> None:
    """A client whose chunk stalls queries, resumes from Size-Received and finishes; the stalled
    connection then closes. The File (its sizeBytes and sha256Hash, and the bytes behind them)
    must be the input: a finished file does not change."""
    data = bytes(range(10))
    with httpx.Client(base_url=fake.base_url) as client:
        url = start(fake, client, len(data))
        with raw_chunk(fake, url, "upload", 0, len(data)) as sock:
            sock.sendall(data[:4])
            time.sleep(0.2)
            received = int(
                client.post(url, headers=command_headers("query")).headers[
                    "x-goog-upload-size-received"
                ]
            )
            final = client.post(
                url,
                headers=command_headers("upload, finalize", received),
                content=data[received:],
            )
            assert (final.status_code, final.headers["x-goog-upload-status"]) == (200, "final")
        time.sleep(0.2)  # the stalled chunk's connection is gone; its handler has ended

        file = final.json()["file"]
        file_id = file["name"].removeprefix("files/")
        got = client.get(f"/v1beta/{file['name']}", headers=KEY).json()
        stored = fake.state.store.data_path(file_id).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert (file["sizeBytes"], got["sizeBytes"]) == ("10", "10")
    assert got["sha256Hash"] == sha256_hash_of_hex(digest)
    assert stored == data


@pytest.mark.parametrize("extra", [1, 10, 3 * 1024 * 1024])
def test_a_chunk_past_the_declared_size_is_a_400_with_the_upload_status_over_a_socket(
    extra: int, fake: Fake
) -> None:
    """In process the same chunk is a 400 (httpx's ASGI transport ends every body with an
    empty message); on a socket a body that arrives whole must be answered the same way."""
    with httpx.Client(base_url=fake.base_url) as client:
        url = start(fake, client, 10)
        reply = client.post(
            url,
            headers=command_headers("upload", 0),
            content=b"x" * (10 + extra),
        )

    assert reply.headers.get("x-goog-upload-status") == "active", (reply.status_code, reply.text)
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"
