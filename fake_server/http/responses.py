"""The fake's answers as ASGI responses, sent the way Google's front end sends them.

:class:`GoogleResponse` is a finished body (unary answers, errors, upload replies);
:class:`EventStreamResponse` a stream, paced and perhaps ended early as configured;
:func:`error_response` is the one place an :class:`~fake_server.protocol.errors.ApiError`
becomes bytes. The bytes themselves come from :mod:`fake_server.protocol.wire`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..config import Pacing
from ..protocol.errors import ApiError
from ..protocol.wire import (
    JSON_CONTENT_TYPE,
    SSE_CONTENT_TYPE,
    dumps_array,
    dumps_pretty,
)

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


def _timing(started: float) -> tuple[bytes, bytes]:
    """``Server-Timing`` as the front end writes it: whole milliseconds since ``started``.
    (The header of each of the first thousand values is made once and shared.)"""
    ms = int((time.perf_counter() - started) * 1000)
    header = _TIMINGS.get(ms)
    if header is None:
        header = (b"server-timing", f"gfet4t7; dur={ms}".encode())
        if ms < 1000:
            _TIMINGS[ms] = header
    return header


_TIMINGS: dict[int, tuple[bytes, bytes]] = {}


def _retimed(
    headers: list[tuple[bytes, bytes]], at: int | None, started: float
) -> list[tuple[bytes, bytes]]:
    """``headers`` with the ``server-timing`` at ``at`` (if any) measured anew from ``started``
    (the same list when that is what it says already)."""
    if at is None:
        return headers
    timing = _timing(started)
    if headers[at] is timing:
        return headers
    again = headers.copy()
    again[at] = timing
    return again


def for_http10(
    scope: Scope, headers: list[tuple[bytes, bytes]], length: int
) -> list[tuple[bytes, bytes]]:
    """``headers``, with the body's length for an HTTP/1.0 client: HTTP/1.0 has no chunked
    framing, and an answer that says its length is framed alike by both HTTP stacks
    (docs/protocol.md#http-stacks)."""
    if scope.get("http_version") != "1.0":
        return headers
    return [*headers, (b"content-length", str(length).encode())]


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
        front_end: bool = True,
    ) -> None:
        self.body = body
        self.status_code = status_code
        self.background = None
        headers: list[tuple[bytes, bytes]] = [(b"content-type", content_type.encode())]
        # The upload server answers with fewer headers than the API front end
        # (docs/evidence.md#service-headers).
        headers.extend(_FRONT_END_HEADERS if front_end else [(b"server", b"UploadServer")])
        if started is not None:
            self.timing_at: int | None = len(headers)
            headers.append(_timing(started))
        else:
            self.timing_at = None
        for name, value in (extra_headers or {}).items():
            headers.append((name.lower().encode(), value.encode()))
        if not chunked:
            headers.append((b"content-length", str(len(body)).encode()))
        self.chunked = chunked
        self.raw_headers = headers

    def retimed(self, started: float) -> GoogleResponse:
        """The same answer again, any ``server-timing`` measured anew from ``started`` (itself,
        when that reads the same: a response is never changed once made)."""
        headers = _retimed(self.raw_headers, self.timing_at, started)
        if headers is self.raw_headers:
            return self
        again = GoogleResponse.__new__(GoogleResponse)
        again.body, again.status_code, again.background = self.body, self.status_code, None
        again.chunked, again.timing_at = self.chunked, self.timing_at
        again.raw_headers = headers
        return again

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = self.raw_headers
        if self.chunked and scope.get("http_version") == "1.0":
            headers = for_http10(scope, headers, len(self.body))
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


class StreamAborted(Exception):
    """Raised inside the app to drop a connection mid-body (a stream ``end`` of ``"abort"``)."""


ProgressCallback = Callable[[int, bool], None]  # (events sent, finished cleanly)
# (how the stream ended: finished, closed, error, aborted or gone; the closing error event sent)
EndCallback = Callable[[str, bytes | None], None]


class EventStreamResponse(Response):
    """A stream answer: its events paced, and perhaps ended early, as ``pacing`` says.

    The body is ``head``, then the ``events`` with ``separator`` between them, then ``tail``:
    SSE events need none of the three; a JSON-array stream is ``[``, elements joined by
    ``\n,\r\n``, ``\n]``. Ending early after N events: ``"close"`` closes the body at once,
    ``"error"`` sends ``error_event`` as one more event first, and ``"abort"`` raises
    :class:`StreamAborted`, which makes the ASGI server drop the connection without the final
    chunk, as a network failure would.
    """

    def __init__(
        self,
        events: list[bytes],
        *,
        pacing: Pacing,
        error_event: bytes,
        content_type: str,
        head: bytes = b"",
        separator: bytes = b"",
        tail: bytes = b"",
        started: float | None = None,
    ) -> None:
        self.events = events
        self.head, self.separator, self.tail = head, separator, tail
        self.pacing = pacing
        self.error_event = error_event
        self.status_code = 200
        self.background = None
        self.on_progress: ProgressCallback | None = None
        self.on_end: EndCallback | None = None
        headers: list[tuple[bytes, bytes]] = [(b"content-type", content_type.encode())]
        if content_type == SSE_CONTENT_TYPE:
            headers.append((b"content-disposition", b"attachment"))
        headers.extend(_FRONT_END_HEADERS)
        if started is not None:
            self.timing_at: int | None = len(headers)
            headers.append(_timing(started))
        else:
            self.timing_at = None
        self.raw_headers = headers

    def paced(self, pacing: Pacing, error_event: bytes | None = None) -> EventStreamResponse:
        """The same stream under another pacing (and, if given, another closing error)."""
        again = copy.copy(self)
        again.pacing = pacing
        if error_event is not None:
            again.error_event = error_event
        return again

    def retimed(self, started: float) -> EventStreamResponse:
        again = copy.copy(self)
        again.on_progress = again.on_end = None
        again.raw_headers = _retimed(self.raw_headers, self.timing_at, started)
        return again

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Stop as soon as the client goes away, so a paced stream nobody reads does not keep
        # the server busy (or keep it from shutting down).
        how = "gone"  # unless the stream gets to its end

        headers = self.raw_headers
        if scope.get("http_version") == "1.0":
            headers = for_http10(scope, headers, self._length())

        async def stream() -> None:
            nonlocal how
            how = await self._stream(send, headers)
            group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            group.start_soon(stream)
            while (await receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()
        if self.on_end is not None:
            self.on_end(how, self.error_event if how == "error" else None)
        if how == "aborted":
            raise StreamAborted("the stream was dropped mid-body, as its pacing says")

    def _length(self) -> int:
        """How many bytes the body will have, as :meth:`_stream` sends it (an aborted stream's
        full length: the client sees it cut short)."""
        pacing, events = self.pacing, self.events
        if pacing.end_after is not None and pacing.end_after < len(events):
            if pacing.end != "abort":
                events = events[: pacing.end_after]
                if pacing.end == "error":
                    events = [*events, self.error_event]
        if not events:
            return len(self.head) + len(self.tail)
        joins = len(self.separator) * (len(events) - 1)
        return len(self.head) + sum(map(len, events)) + joins + len(self.tail)

    async def _stream(self, send: Send, headers: list[tuple[bytes, bytes]]) -> str:
        """Send the events; how the stream ended: ``finished``, ``closed`` or ``error`` early
        (as its pacing says), or ``aborted``: the connection is to be dropped instead of ended.

        Progress is recorded as each event is handed to the server, so a client never holds
        bytes the journal does not yet count.
        """
        pacing = self.pacing
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        self._progress(0, False)
        if pacing.unpaced and self.events:  # the usual case, the loop below without its checks
            progress, separator, count = self.on_progress, self.separator, len(self.events)
            body = self.head + self.events[0]
            for sent, event in enumerate(self.events[1:], 1):
                if progress is not None:
                    progress(sent, False)
                await send({"type": "http.response.body", "body": body, "more_body": True})
                body = separator + event
            if progress is not None:
                progress(count, True)
            await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": self.tail, "more_body": False})
            return "finished"
        opened = False  # whether the head has gone out (with the first element)

        async def element(data: bytes) -> None:
            nonlocal opened
            prefix = self.separator if opened else self.head
            opened = True
            await send({"type": "http.response.body", "body": prefix + data, "more_body": True})

        how = "finished"
        for sent, event in enumerate(self.events):
            if pacing.end_after is not None and sent >= pacing.end_after:
                if pacing.end == "abort":
                    return "aborted"
                how = "error" if pacing.end == "error" else "closed"
                if how == "error":
                    await element(self.error_event)
                break
            delay = pacing.first_event_delay if sent == 0 else pacing.event_interval
            if delay:
                await anyio.sleep(delay)
            self._progress(sent + 1, sent + 1 == len(self.events))
            await element(event)
        closing = self.tail if opened else self.head + self.tail
        await send({"type": "http.response.body", "body": closing, "more_body": False})
        return how

    def _progress(self, sent: int, finished: bool) -> None:
        if self.on_progress is not None:
            self.on_progress(sent, finished)


def error_response(error: ApiError, *, framing: str = "json") -> GoogleResponse:
    """The error as the service sends it for a request framed as ``framing``.

    ``"json"``: a unary call. ``"sse"``: a stream with ``alt=sse``, where the body is the same
    JSON, not an event, with ``Content-Type: text/event-stream`` and a length
    (docs/evidence.md#service-stream-errors). ``"array"``: a JSON-array stream, where the envelope
    is the array's one element.
    """
    headers = error.headers or None
    if framing == "sse":
        body = dumps_pretty(error.envelope())
        return GoogleResponse(
            body, error.code, content_type=SSE_CONTENT_TYPE, chunked=False, extra_headers=headers
        )
    if framing == "array":
        return GoogleResponse(dumps_array([error.envelope()]), error.code, extra_headers=headers)
    return GoogleResponse(dumps_pretty(error.envelope()), error.code, extra_headers=headers)
