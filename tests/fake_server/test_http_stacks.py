"""The two HTTP stacks (docs/protocol.md#http-stacks): the fast one (httptools on uvloop) and
the pure-Python one (h11 on asyncio) answer the same bytes, frame them alike, and refuse the
same malformed requests with the same 400, over a real socket.

The bytes are compared once the parts that differ by nature are set aside: the ``Date`` and
``Server-Timing`` values, and the spelling and place of the framing headers the h11 library
writes itself (``Transfer-Encoding``, ``Connection``), which HTTP reads without regard to case
or order.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from fake_server import FakeConfig, create_app
from fake_server.http import stacks
from fake_server.server import ThreadedServer
from tests.kit.fakes import KEY

STACKS = ("h11", "httptools")
GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = b'{"contents":[{"parts":[{"text":"How does AI work?"}]}]}'
REFUSED = {
    "error": {
        "code": 400,
        "message": "Invalid HTTP request received.",
        "status": "INVALID_ARGUMENT",
    }
}


def post(
    path: str, body: bytes = BODY, version: str = "1.1", extra: bytes = b"", last: bool = True
) -> bytes:
    """A request; the ``last`` on its connection asks the server to close it after answering."""
    host = b"Host: fake.test\r\n" if version == "1.1" else b""
    if last and version == "1.1":
        extra += b"Connection: close\r\n"
    return (
        f"POST {path} HTTP/{version}\r\n".encode()
        + host
        + f"x-goog-api-key: {KEY['x-goog-api-key']}\r\nContent-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


MALFORMED = {
    "not HTTP": b"HELLO\r\n\r\n",
    "an unknown HTTP version": b"GET /v1beta/models HTTP/9.9\r\nHost: x\r\n\r\n",
    "a header name with a space": b"GET /v1beta/models HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n",
    "a length that is not a number": re.sub(
        rb"Content-Length: \d+", b"Content-Length: x", post(GENERATE)
    ),
    "two lengths": post(GENERATE, extra=b"Content-Length: 3\r\n"),
    "a chunk size that is not hex": (
        f"POST {GENERATE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".encode()
    ),
    "HTTP/1.1 without Host": b"GET /__fake__/health HTTP/1.1\r\n\r\n",
    "both Transfer-Encoding and Content-Length": post(
        GENERATE, extra=b"Transfer-Encoding: chunked\r\n"
    ),
    "a NUL in the path": b"GET /v1beta/mod\x00els HTTP/1.1\r\nHost: x\r\n\r\n",
    "a space in the path": b"GET /v1beta/mod els HTTP/1.1\r\nHost: x\r\n\r\n",
    "lines ended by LF alone": b"GET /__fake__/health HTTP/1.1\nHost: x\n\n",
    "LF alone on the last line only": b"GET /__fake__/health HTTP/1.1\r\nHost: x\r\n\n",
}
ANSWERED = {
    "a unary answer": post(GENERATE),
    "an SSE stream": post(GENERATE.replace("generateContent", "streamGenerateContent?alt=sse")),
    "a JSON-array stream": post(GENERATE.replace("generateContent", "streamGenerateContent")),
    "a unary answer to HTTP/1.0": post(GENERATE, version="1.0"),
    "an SSE stream to HTTP/1.0": post(
        GENERATE.replace("generateContent", "streamGenerateContent?alt=sse"), version="1.0"
    ),
    "an error in the envelope": post(GENERATE, body=b'{"contents": []}'),
    "a body broken across lines": post(GENERATE, body=BODY.replace(b",", b",\n")),
    "two requests on one connection": post(GENERATE, last=False) + post(GENERATE),
    "a long header section": post(GENERATE, extra=b"X-Big: " + b"a" * 12_000 + b"\r\n"),
}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, ThreadedServer]]:
    running = {stack: ThreadedServer(create_app(FakeConfig()), http=stack) for stack in STACKS}
    for server in running.values():
        server.start()
    yield running
    for server in running.values():
        server.stop()


def exchange(server: ThreadedServer, data: bytes) -> bytes:
    """What the server sends back for ``data`` until it closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=10) as client:
        client.sendall(data)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
        return received


def comparable(answer: bytes) -> bytes:
    """The answer without what differs by nature; ``Connection: close`` (which each stack puts
    in its own place among the framing headers) left out, as the closed connection says it."""
    answer = re.sub(rb"(?im)^(date|server-timing): [^\r]*", rb"\1: -", answer)
    answer = re.sub(rb"(?im)^connection: close\r\n", b"", answer)
    return re.sub(rb"(?im)^transfer-encoding: ", b"transfer-encoding: ", answer)


def test_the_fast_stack_is_the_default_where_it_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(stacks.ENV, raising=False)
    assert stacks.fast_stack_installed()  # a dependency of the package on this platform
    assert stacks.resolve() == stacks.resolve("auto") == "httptools"
    monkeypatch.setenv(stacks.ENV, "h11")
    assert stacks.resolve() == "h11"
    with ThreadedServer(create_app()) as server:
        assert server.stack == "h11"
    monkeypatch.setenv(stacks.ENV, "nonsense")  # an unknown value is not a choice
    assert stacks.resolve() == "httptools"
    with pytest.raises(ValueError, match="unknown HTTP stack"):
        stacks.resolve("http3")


@pytest.mark.parametrize("case", MALFORMED)
def test_both_stacks_refuse_malformed_http_with_the_same_400(
    servers: dict[str, ThreadedServer], case: str
) -> None:
    answers = {stack: exchange(server, MALFORMED[case]) for stack, server in servers.items()}
    assert comparable(answers["h11"]) == comparable(answers["httptools"])
    head, _, body = answers["httptools"].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"\r\ncontent-type: application/json; charset=UTF-8" in head
    assert b"\r\nconnection: close" in head
    assert json.loads(body) == REFUSED


@pytest.mark.parametrize("case", ANSWERED)
def test_both_stacks_send_the_same_answer_byte_for_byte(
    servers: dict[str, ThreadedServer], case: str
) -> None:
    answers = {stack: exchange(server, ANSWERED[case]) for stack, server in servers.items()}
    assert answers["h11"].startswith(b"HTTP/1.1 ")
    assert comparable(answers["h11"]) == comparable(answers["httptools"])


def test_an_http_1_0_client_gets_lengths_never_chunks(servers: dict[str, ThreadedServer]) -> None:
    for case in ("a unary answer to HTTP/1.0", "an SSE stream to HTTP/1.0"):
        head, _, body = exchange(servers["httptools"], ANSWERED[case]).partition(b"\r\n\r\n")
        assert b"transfer-encoding" not in head.lower()
        (length,) = re.findall(rb"(?i)\r\ncontent-length: (\d+)", head)
        assert int(length) == len(body) > 0


def test_the_banner_says_which_stack_serves(tmp_path: object) -> None:
    for choice, said in (("h11", "h11 on asyncio"), ("auto", "httptools on uvloop")):
        process = subprocess.Popen(
            [sys.executable, "-m", "fake_server", "serve", "--port", "0", "--http", choice],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(6)]
            assert f"  HTTP: {said}\n" in lines, lines
        finally:
            process.terminate()
            process.communicate(timeout=10)
