"""The two ends of every exchange, without the I/O: the request out, the answer read back.

``build_request`` turns a ``Call`` into the ``httpx.Request`` to send. ``read_response`` reads a
whole answer: a 200 body parsed by the call, any other status the mapped ``APIError``. A streamed
answer is read by a ``ChunkReader``, fed the body's bytes as they arrive. ``transport_errors``
and ``ChunkReader.interruptions`` turn httpx's network failures into this package's errors. So
everything that can go wrong between a request and its answer is decided here, once; the sync and
async ``Caller``\\ s in ``_caller`` only move the bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._calls import Call
from ._settings import Settings
from ._sse import ServerSentEvent, SSEDecoder
from .errors import (
    APIConnectionError,
    APITimeoutError,
    MalformedResponseError,
    StreamInterruptedError,
    error_from_event,
    error_from_response,
)

if TYPE_CHECKING:  # the cores don't import the I/O
    from ._transport import LightClient

T = TypeVar("T")


def build_request(
    http: httpx.Client | httpx.AsyncClient | LightClient, settings: Settings, call: Call[Any]
) -> httpx.Request:
    # Built by the httpx client so its own defaults (headers, auth, event hooks) still apply.
    return http.build_request(
        call.method,
        settings.url(call.path),
        params=call.params,
        json=call.body,
        headers=settings.headers,
        timeout=settings.request_timeout,
    )


@contextmanager
def transport_errors(request: httpx.Request) -> Iterator[None]:
    """Re-raise httpx's network failures as ``APIConnectionError`` / ``APITimeoutError``."""
    try:
        yield
    except httpx.TransportError as exc:
        raise connection_error(request, exc) from exc


def connection_error(request: httpx.Request, exc: httpx.TransportError) -> APIConnectionError:
    """The ``APIConnectionError`` (``APITimeoutError`` for a timeout) for ``exc``."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{request.method} {request.url} timed out", request=request)
    return APIConnectionError(f"{request.method} {request.url} failed: {exc!r}", request=request)


def read_response(call: Call[T], response: httpx.Response) -> T:
    """The parsed body of a 200 answer; any other status raises the mapped ``APIError``."""
    if response.status_code != 200:
        raise error_from_response(response)
    try:
        data = {} if call.empty_ok and not response.content else response.json()
    except ValueError as exc:
        raise MalformedResponseError(
            f"{call.method} {call.path} answered 200 without a JSON body: {response.text[:200]!r}",
            response=response,
        ) from exc
    try:
        return call.parse(data)
    except (TypeError, ValueError) as exc:
        raise MalformedResponseError(
            f"{call.method} {call.path} answered 200 with an unexpected body: {exc}",
            response=response,
        ) from exc


# --- Streams -----------------------------------------------------------------------------------


def stream_reader(call: Call[T], response: httpx.Response) -> ChunkReader[T]:
    """The reader for a streamed answer, once its status line and headers are in.

    Any status but 200 raises its ``APIError``; the callers read that body first. It is one JSON
    envelope, not events, even though the service labels it ``text/event-stream``.
    """
    if response.status_code != 200:
        raise error_from_response(response)
    media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "text/event-stream":
        raise MalformedResponseError(
            f"{call.method} {call.path} answered 200 with content-type {media_type!r},"
            " not text/event-stream",
            response=response,
        )
    return ChunkReader(call, response)


class ChunkReader(Generic[T]):
    """The body of a streamed answer: bytes in as they arrive, parsed chunks out.

    Each event's data is one JSON chunk for ``call.parse``. An event holding ``{"error": ...}``
    raises that error, and one that is not JSON a ``MalformedResponseError``, each only after
    the chunks before it were yielded. A body or a connection that stops in the middle of an
    event raises ``StreamInterruptedError``. A body that ends after a whole event is a clean
    end, whatever the last chunk says: the official SDKs don't check for a ``finishReason``
    either. Event types, ids and ``retry`` are not used: the service sends none, and a
    generation cannot be resumed anyway.
    """

    def __init__(self, call: Call[T], response: httpx.Response) -> None:
        self.call = call
        self.response = response
        self.chunks = 0
        """How many chunks were read so far."""
        self._decoder = SSEDecoder()

    def feed(self, data: bytes) -> Iterator[T]:
        """The chunks that ``data``, the next bytes of the body, completes."""
        for event in self._decoder.feed(data):
            chunk = self._chunk(event)
            self.chunks += 1
            yield chunk

    def end(self) -> None:
        """The body is over: fine after a whole event, ``StreamInterruptedError`` within one."""
        if unfinished := self._decoder.close():
            raise self._cut_short(
                f"the body ended in the middle of an event ({len(unfinished)} bytes:"
                f" {unfinished!r:.120})"
            )

    @contextmanager
    def interruptions(self) -> Iterator[None]:
        """Re-raise httpx's failures while the body is read as ``StreamInterruptedError``.

        Timeouts included: a stream that stops arriving is cut short all the same (the
        ``httpx.TimeoutException`` stays the ``__cause__``).
        """
        try:
            yield
        except httpx.TransportError as exc:
            raise self._cut_short(repr(exc)) from exc

    def _chunk(self, event: ServerSentEvent) -> T:
        where = f"{self.call.method} {self.call.path}: event {self.chunks + 1} of the stream"
        try:
            data = json.loads(event.data)
        except ValueError as exc:
            raise MalformedResponseError(
                f"{where} is not JSON: {event.data!r:.200}", response=self.response
            ) from exc
        if (error := error_from_event(data, self.response)) is not None:
            raise error
        try:
            return self.call.parse(data)
        except (TypeError, ValueError) as exc:
            raise MalformedResponseError(
                f"{where} is not a chunk: {exc}", response=self.response
            ) from exc

    def _cut_short(self, reason: str) -> StreamInterruptedError:
        request = self.response.request
        chunks = f"{self.chunks} chunk{'' if self.chunks == 1 else 's'}"
        return StreamInterruptedError(
            f"{request.method} {request.url}: the stream was cut short after {chunks}: {reason}",
            chunks=self.chunks,
            request=request,
        )
