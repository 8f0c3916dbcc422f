"""What went over the wire: every HTTP exchange a fake served, as its socket saw it.

``tap(app)`` records, for each request a fresh fake app serves, the query string (which the
journal does not keep), the request headers and body size, the response headers and bytes.
``sse_events(body)`` reads an event stream, checking it is framed as the service frames it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Exchange:
    """One HTTP exchange as the fake's socket saw it, filled in while the response goes out."""

    method: str
    path: str
    query: str
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    complete: bool = False  # the last body message (``more_body`` false) was sent
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_size: int = 0  # the request body's bytes, as the app read them

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name.lower()]
        return ", ".join(values) if values else None

    def request_header(self, name: str) -> str | None:
        values = [v for k, v in self.request_headers if k == name.lower()]
        return ", ".join(values) if values else None


class _WireTap:
    """A pure ASGI middleware that records every exchange; it changes nothing it passes on."""

    def __init__(self, app: ASGIApp, exchanges: list[Exchange]) -> None:
        self.app = app
        self.exchanges = exchanges

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = Exchange(scope["method"], scope["path"], scope["query_string"].decode())
        exchange.request_headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
        ]
        self.exchanges.append(exchange)

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.request_size += len(message.get("body", b""))
            return message

        async def tapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.headers = [(k.decode(), v.decode()) for k, v in message["headers"]]
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")
                exchange.complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, counted, tapped)


def tap(app: Starlette) -> list[Exchange]:
    """The list the exchanges of a fresh fake ``app`` will be recorded in, in the order they
    began. Call it before the app serves its first request (Starlette builds its middleware
    then)."""
    exchanges: list[Exchange] = []
    app.add_middleware(_WireTap, exchanges=exchanges)
    return exchanges


def sse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of an SSE body, checked to be framed exactly as the service frames them
    (docs/evidence.md#service-sse-framing): ``data: `` + one line of JSON (``", "``-less, ``": "``
    separators) + ``\\r\\n\\r\\n``."""
    assert body.endswith(b"\r\n\r\n"), body[-200:]
    events = []
    for event in body.split(b"\r\n\r\n")[:-1]:
        assert event.startswith(b"data: "), event
        line = event.removeprefix(b"data: ")
        assert b"\n" not in line and b"\r" not in line, event
        obj = json.loads(line)
        compact = json.dumps(obj, separators=(",", ": "), ensure_ascii=False)
        assert line.decode() == compact.replace("<", "\\u003c").replace(">", "\\u003e")
        events.append(obj)
    return events
