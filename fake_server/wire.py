"""How the real service puts bytes on the wire (see docs/protocol.md, "Serialisation").

Unary bodies and error bodies are pretty-printed JSON with a two-space indent and a trailing
newline; non-ASCII stays raw UTF-8 and only ``<`` and ``>`` are escaped. Every function here is
pure, so the framing can be tested byte for byte without a server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"

# Headers the Google front end puts on every API answer. ``Vary`` comes three times.
_FRONT_END_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"vary", b"Origin"),
    (b"vary", b"X-Origin"),
    (b"vary", b"Referer"),
    (b"server", b"scaffolding on HTTPServer2"),
    (b"x-xss-protection", b"0"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
)


def _escape_angles(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def dumps_pretty(obj: Any) -> bytes:
    """A unary body: ``json.dumps(obj, indent=2, ensure_ascii=False) + "\\n"``, angles escaped."""
    return (_escape_angles(json.dumps(obj, indent=2, ensure_ascii=False)) + "\n").encode()


def _timing(started: float) -> bytes:
    """``Server-Timing`` as the front end writes it: whole milliseconds since ``started``."""
    return f"gfet4t7; dur={int((time.perf_counter() - started) * 1000)}".encode()


class GoogleResponse(Response):
    """A finished body sent the way the front end sends it: chunked, with its headers.

    The real service sends unary answers with ``Transfer-Encoding: chunked`` and no
    ``Content-Length``; leaving the length out is what makes the ASGI server chunk the body.
    """

    def __init__(
        self,
        body: bytes,
        status_code: int = 200,
        *,
        content_type: str = JSON_CONTENT_TYPE,
        started: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        chunked: bool = True,
    ) -> None:
        self.body = body
        self.status_code = status_code
        self.background = None
        headers: list[tuple[bytes, bytes]] = [(b"content-type", content_type.encode())]
        headers.extend(_FRONT_END_HEADERS)
        if started is not None:
            headers.append((b"server-timing", _timing(started)))
        for name, value in (extra_headers or {}).items():
            headers.append((name.lower().encode(), value.encode()))
        if not chunked:
            headers.append((b"content-length", str(len(body)).encode()))
        self.raw_headers = headers

    def retimed(self, started: float) -> GoogleResponse:
        """The same answer again, any ``server-timing`` measured anew from ``started``."""
        again = GoogleResponse.__new__(GoogleResponse)
        again.body, again.status_code, again.background = self.body, self.status_code, None
        again.raw_headers = [
            (name, _timing(started)) if name == b"server-timing" else (name, value)
            for name, value in self.raw_headers
        ]
        return again

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})
