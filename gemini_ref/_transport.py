"""The HTTP client ``Client`` makes for itself: ``LightClient`` over a ``StdlibTransport``.

Sent through an ``httpx.Client``, a call to the API spends two thirds of its CPU in httpx: in
the client's per-request machinery (URL merging, cookies, auth and redirect flows, event hooks)
and in httpcore and h11, which parse HTTP in pure Python. This package uses none of the first
(no cookies, no auth, no redirects: the API answers every success with 200), and the standard
library's ``http.client`` parses HTTP with less Python per request. So, when you pass no
``http_client``:

* ``LightClient`` stands in for ``httpx.Client``: the same ``build_request`` / ``send`` /
  ``close`` the ``Caller`` uses, building the same ``httpx.Request`` (with httpx's default
  headers; ``Accept-Encoding`` is ``gzip, deflate``, which httpx always decodes) and returning
  the same ``httpx.Response``, without the machinery in between;
* ``StdlibTransport`` is an ``httpx.BaseTransport`` on ``http.client``: keep-alive connections
  pooled per origin and safe to share between threads (an idle one the server closed is dropped
  before reuse); TLS verified with httpx's own context (certifi, ``SSL_CERT_FILE``); the
  request's ``connect``, ``write`` and ``read`` timeouts; failures raised as httpx's exceptions
  (``ConnectTimeout``, ``ReadTimeout``, ``ConnectError``, ``RemoteProtocolError`` …), so the
  errors you see are the same whichever client sent the request; a body read as it arrives, so
  streams stay streams.

When the environment names a proxy (``HTTPS_PROXY`` …), ``Client`` makes a plain
``httpx.Client`` instead, which honours it; HTTP/2 or any other configuration is yours to set
on an ``httpx.Client`` you pass in. ``bench/client_overhead.py`` measures the difference.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

Origin = tuple[str, str, int]
_READ_SIZE = 64 * 1024
# What httpx.Client sends unless told otherwise (its User-Agent aside: ours replaces it).
_DEFAULT_HEADERS = {"accept": "*/*", "accept-encoding": "gzip, deflate", "connection": "keep-alive"}


class LightClient:
    """``httpx.Client``'s ``build_request``, ``send`` and ``close``, straight onto a transport."""

    def __init__(self, timeout: httpx.Timeout, transport: httpx.BaseTransport | None = None):
        self.headers = httpx.Headers(_DEFAULT_HEADERS)
        self.timeout = timeout
        self.transport = transport if transport is not None else StdlibTransport()
        self.is_closed = False

    def build_request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: httpx.Headers | None = None,
        timeout: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Request:
        merged = self.headers.copy()
        merged.update(headers or {})
        if timeout is httpx.USE_CLIENT_DEFAULT:
            timeout = self.timeout
        extensions = {"timeout": timeout.as_dict()}
        return httpx.Request(
            method, url, params=params, json=json, headers=merged, extensions=extensions
        )

    def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        response = self.transport.handle_request(request)
        response.request = request
        if not stream:
            try:
                response.read()
            finally:
                response.close()
        return response

    def close(self) -> None:
        self.is_closed = True
        self.transport.close()


class StdlibTransport(httpx.BaseTransport):
    """Sends each request on an idle keep-alive connection to its origin, or on a new one."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        connection = self._checkout(origin, request, timeouts.get("connect"))
        # The body is joined here, not read into the request: an upload chunk's request must
        # not hold on to its bytes (see ``_upload.steps``).
        assert isinstance(request.stream, httpx.SyncByteStream)
        body = b"".join(request.stream)
        with _mapped_errors(request, connection, httpx.WriteTimeout, httpx.WriteError):
            connection.sock.settimeout(timeouts.get("write"))
            # The request's own headers, Host and Content-Length included, as httpx built them.
            target = url.raw_path.decode("ascii")
            connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.raw:
                connection.putheader(name, value)
            connection.endheaders(body or None)
        with _mapped_errors(request, connection, httpx.ReadTimeout, httpx.ReadError):
            connection.sock.settimeout(timeouts.get("read"))
            answer = connection.getresponse()
        return httpx.Response(
            answer.status,
            headers=answer.getheaders(),
            stream=_Body(request, answer, connection, lambda: self._checkin(origin, connection)),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason.encode()},
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _checkout(
        self, origin: Origin, request: httpx.Request, timeout: float | None
    ) -> http.client.HTTPConnection:
        with self._lock:
            pool = self._idle.get(origin, [])
            while pool:
                connection = pool.pop()
                if _still_open(connection):
                    return connection
                connection.close()
        connection = self._connection(origin, timeout)
        with _mapped_errors(request, connection, httpx.ConnectTimeout, httpx.ConnectError):
            connection.connect()
        # As httpcore does: without it, the body's write waits for the head's ACK (Nagle).
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _connection(self, origin: Origin, timeout: float | None) -> http.client.HTTPConnection:
        scheme, host, port = origin
        if scheme != "https":
            return http.client.HTTPConnection(host, port, timeout=timeout)
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._ssl_context)

    def _checkin(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.setdefault(origin, []).append(connection)


def _still_open(connection: http.client.HTTPConnection) -> bool:
    # An idle keep-alive connection has nothing to read; when it has, the server closed it.
    if not hasattr(select, "poll"):  # Windows (select.select takes no descriptor past 1023)
        return not select.select([connection.sock], [], [], 0)[0]
    poller = select.poll()
    poller.register(connection.sock, select.POLLIN)
    return not poller.poll(0)


class _Body(httpx.SyncByteStream):
    """A response's body as it arrives; its connection goes back to the pool once it is read."""

    def __init__(
        self,
        request: httpx.Request,
        answer: http.client.HTTPResponse,
        connection: http.client.HTTPConnection,
        release: Callable[[], None],
    ) -> None:
        self._request = request
        self._answer = answer
        self._connection = connection
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        with _mapped_errors(self._request, self._connection, httpx.ReadTimeout, httpx.ReadError):
            while chunk := self._answer.read1(_READ_SIZE):
                yield chunk

    def close(self) -> None:
        release, self._release = self._release, None  # a connection goes back once at most
        if release is None:
            return
        # Read to its end? (http.client closes a chunked body there, but not a sized one.)
        read = self._answer.isclosed() or self._answer.length == 0
        self._answer.close()
        if read and not self._answer.will_close:
            release()  # and the server keeps the connection open
        else:
            self._connection.close()


@contextmanager
def _mapped_errors(
    request: httpx.Request,
    connection: http.client.HTTPConnection,
    timeout: type[httpx.TimeoutException],
    failure: type[httpx.TransportError],
) -> Iterator[None]:
    """Re-raise a failure of ``connection`` as httpx would, and close the connection."""
    try:
        yield
    except TimeoutError as exc:
        connection.close()
        raise timeout(str(exc) or "timed out", request=request) from exc
    except http.client.HTTPException as exc:
        connection.close()
        raise httpx.RemoteProtocolError(str(exc) or repr(exc), request=request) from exc
    except OSError as exc:
        connection.close()
        raise failure(str(exc) or repr(exc), request=request) from exc
