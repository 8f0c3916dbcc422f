"""The HTTP client ``Client`` makes for itself (``_transport``), against small servers on a socket.

Each test runs a stdlib ``http.server`` on a free loopback port whose handler says what that
test needs; the answers the fake gives are covered by ``against_fake/``, whose socket runs use
this client too.
"""

from __future__ import annotations

import gzip
import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

import gemini_ref as genai
from gemini_ref import errors
from gemini_ref._transport import LightClient, StdlibTransport

ANSWER = {"candidates": [{"content": {"parts": [{"text": "Hi"}], "role": "model"}}]}
Handler = Callable[[BaseHTTPRequestHandler], None]


def answer_json(handler: BaseHTTPRequestHandler, body: Any = ANSWER, **headers: str) -> None:
    data = json.dumps(body).encode()
    handler.send_response(200)
    handler.send_header("content-type", "application/json")
    handler.send_header("content-length", str(len(data)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], str]]:
    """``serve(handle)``: the base URL of an HTTP/1.1 server calling ``handle`` for each POST."""
    servers: list[ThreadingHTTPServer] = []

    def start(handle: Handler) -> str:
        class Answer(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive

            def do_POST(self) -> None:
                self.body = self.rfile.read(int(self.headers.get("content-length", 0)))
                handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def generate(client: genai.Client) -> str | None:
    return client.models.generate_content(model="gemini-2.5-flash", contents="Hello").text


def test_client_sends_with_its_light_client_unless_the_environment_names_a_proxy(monkeypatch):
    with genai.Client(api_key="k") as client:
        assert isinstance(client.models._caller.http, LightClient)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    with genai.Client(api_key="k") as client:
        assert isinstance(client.models._caller.http, httpx.Client)


def test_a_request_goes_out_as_httpx_builds_it(serve):
    seen: list[Any] = []  # the handlers, each with the body it read

    def handle(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler)
        answer_json(handler)

    base = serve(handle)
    with genai.Client(api_key="secret", base_url=base) as client:
        assert generate(client) == "Hi"
    (request,) = seen
    assert request.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert request.headers["x-goog-api-key"] == "secret"
    assert request.headers["host"] == base.removeprefix("http://")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.headers["user-agent"].startswith("gemini-ref/")
    assert json.loads(request.body) == {
        "contents": [{"parts": [{"text": "Hello"}], "role": "user"}]
    }


@pytest.mark.parametrize("poll", [True, False], ids=["poll", "select, without poll"])
def test_calls_reuse_one_keep_alive_connection(serve, monkeypatch, poll):
    if not poll:  # as on Windows: idle connections are then checked with select
        monkeypatch.delattr(select, "poll")
    ports: list[int] = []

    def handle(handler: BaseHTTPRequestHandler) -> None:
        ports.append(handler.client_address[1])
        answer_json(handler)

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        for _ in range(3):
            assert generate(client) == "Hi"
    assert len(set(ports)) == 1


def test_a_connection_the_server_closed_while_idle_is_not_reused(serve):
    ports: list[int] = []
    closed = threading.Event()

    def handle(handler: BaseHTTPRequestHandler) -> None:
        ports.append(handler.client_address[1])
        answer_json(handler)
        handler.close_connection = True  # closed after answering, without saying so
        handler.connection.shutdown(socket.SHUT_WR)
        closed.set()

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        assert generate(client) == "Hi"
        assert closed.wait(5)  # the connection is idle in the pool, and closed by the server
        assert generate(client) == "Hi"
    assert len(set(ports)) == 2


def test_an_answer_saying_connection_close_gives_its_connection_up(serve):
    base = serve(lambda handler: answer_json(handler, connection="close"))
    transport = StdlibTransport()
    http = LightClient(httpx.Timeout(5.0), transport)
    with genai.Client(api_key="k", base_url=base, http_client=http) as client:  # type: ignore[arg-type]
        assert generate(client) == "Hi"
    assert not any(transport._idle.values())


def test_a_refused_connection_raises_api_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        with genai.Client(api_key="k", base_url=f"http://127.0.0.1:{port}") as client:
            with pytest.raises(errors.APIConnectionError) as raised:
                generate(client)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_an_answer_slower_than_the_read_timeout_raises_api_timeout_error(serve):
    release = threading.Event()

    def handle(handler: BaseHTTPRequestHandler) -> None:
        release.wait(5)

    with genai.Client(api_key="k", base_url=serve(handle), timeout=0.2) as client:
        with pytest.raises(errors.APITimeoutError) as raised:
            generate(client)
    release.set()
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)


def test_an_answer_that_is_not_http_raises_api_connection_error(serve):
    def handle(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"nonsense\r\n\r\n")
        handler.close_connection = True

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        with pytest.raises(errors.APIConnectionError) as raised:
            generate(client)
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)


def test_an_error_answer_is_read_as_an_api_error(serve):
    envelope = {"error": {"code": 404, "message": "no such model", "status": "NOT_FOUND"}}

    def handle(handler: BaseHTTPRequestHandler) -> None:
        data = json.dumps(envelope).encode()
        handler.send_response(404)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        with pytest.raises(errors.NotFoundError) as raised:
            generate(client)
    assert raised.value.message == "no such model"
    assert raised.value.response is not None and raised.value.response.status_code == 404


def test_a_stream_left_early_closes_its_connection_instead_of_pooling_it(serve):
    ports: list[int] = []
    event = b"data: " + json.dumps(ANSWER).encode() + b"\r\n\r\n"

    def handle(handler: BaseHTTPRequestHandler) -> None:
        ports.append(handler.client_address[1])
        if "stream" not in handler.path:
            return answer_json(handler)
        handler.send_response(200)
        handler.send_header("content-type", "text/event-stream")
        handler.send_header("transfer-encoding", "chunked")
        handler.end_headers()
        for _ in range(3):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        handler.wfile.write(b"0\r\n\r\n")

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        stream = client.models.generate_content_stream(model="gemini-2.5-flash", contents="Hi")
        assert next(stream).text == "Hi"
        stream.close()
        assert not any(client.models._caller.http.transport._idle.values())  # type: ignore[union-attr]
        chunks = list(
            client.models.generate_content_stream(model="gemini-2.5-flash", contents="Hi")
        )
        assert [chunk.text for chunk in chunks] == ["Hi"] * 3
        assert generate(client) == "Hi"  # on the connection the whole stream left open
    assert len(ports) == 3 and len(set(ports)) == 2


def test_https_goes_through_tls_and_a_failed_handshake_is_a_connect_error(serve):
    base = serve(answer_json).replace("http://", "https://")  # the server speaks plain HTTP
    with genai.Client(api_key="k", base_url=base) as client:
        with pytest.raises(errors.APIConnectionError) as raised:
            generate(client)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_a_gzipped_answer_is_decoded(serve):
    def handle(handler: BaseHTTPRequestHandler) -> None:
        data = gzip.compress(json.dumps(ANSWER).encode())
        handler.send_response(200)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-encoding", "gzip")
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        assert generate(client) == "Hi"


def test_threads_sharing_a_client_each_get_a_connection_of_their_own(serve):
    ports: list[int] = []

    def handle(handler: BaseHTTPRequestHandler) -> None:
        ports.append(handler.client_address[1])
        time.sleep(0.01)  # long enough for the threads' requests to overlap
        answer_json(handler)

    with genai.Client(api_key="k", base_url=serve(handle)) as client:
        with ThreadPoolExecutor(4) as pool:
            texts = list(pool.map(lambda _: generate(client), range(20)))
    assert texts == ["Hi"] * 20
    assert 1 < len(set(ports)) <= 4  # overlapping requests on their own connections, reused


def test_a_body_closed_twice_gives_its_connection_back_once(serve):
    transport = StdlibTransport()
    http = LightClient(httpx.Timeout(5.0), transport)
    request = http.build_request("POST", serve(answer_json) + "/x", json={})
    response = http.send(request, stream=True)
    response.read()
    assert isinstance(response.stream, httpx.SyncByteStream)
    response.stream.close()
    response.stream.close()
    assert [len(idle) for idle in transport._idle.values()] == [1]
    http.close()
