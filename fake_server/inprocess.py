"""A synchronous httpx transport that calls an ASGI app in process, with no socket.

httpx ships :class:`httpx.ASGITransport` for async clients only. This is its sync twin: each
request runs the async transport on a short-lived event loop. Like the async one, it hands the
response over once the app has finished, so it cannot show a stream arriving incrementally; use
the fake on a loopback port (:mod:`fake_server.server`) for that.
"""

from __future__ import annotations

import anyio
import httpx
from starlette.types import ASGIApp


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._transport = httpx.ASGITransport(app=app)

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
