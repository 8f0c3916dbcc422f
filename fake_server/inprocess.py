"""httpx transports that call the fake in process, with no socket.

httpx ships :class:`httpx.ASGITransport` for async clients only; :class:`SyncASGITransport` is
its sync twin (each request runs the async transport on a short-lived event loop). Both hand the
response over once the app has finished, so they cannot show a stream arriving incrementally,
and a stream configured to drop its connection fails the whole request with
:class:`httpx.RemoteProtocolError` (what a client sees on a socket, only sooner). Use the fake on
a loopback port (:mod:`fake_server.server`) to see either as it happens on the network.
"""

from __future__ import annotations

import anyio
import httpx
from starlette.types import ASGIApp

from .http.responses import StreamAborted

_DROPPED = "peer closed connection without sending complete message body (gemini-fake: end=abort)"


class AsyncASGITransport(httpx.ASGITransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except StreamAborted:
            raise httpx.RemoteProtocolError(_DROPPED, request=request) from None


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._transport = AsyncASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()  # a sync stream cannot be read from the event loop

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            replay = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self._transport.handle_async_request(replay)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = anyio.run(call)
        # A stream, not content=: httpx would add a Content-Length the app never sent.
        stream = httpx.ByteStream(content)
        return httpx.Response(status, headers=headers, stream=stream, request=request)
