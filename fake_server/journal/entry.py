"""A journal entry: one request as the fake read it, as it travelled, and what answered it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

UPLOAD_PREFIX = "upload:"
INLINE_KEPT = 64 * 1024  # by default, inline data longer than this is kept as its digest
_KEY_PARAM = re.compile(r"(?<![^&])key=[^&]*")


def journal_view(
    request: dict[str, Any] | None, inline_kept: int = INLINE_KEPT
) -> dict[str, Any] | None:
    """What the journal keeps of a canonical request: all of it, but each inline ``data`` of
    more than ``inline_kept`` bytes as ``{"sha256": ..., "size": ...}`` (the hex digest and
    the length of its bytes), so the journal does not hold whole files."""
    if request is None:
        return None
    return {key: _fold_data(value, key, inline_kept) for key, value in request.items()}


def _fold_data(value: Any, name: str, kept: int) -> Any:
    if name == "data" and isinstance(value, str) and len(value) * 3 // 4 > kept:
        data = base64.b64decode(value)  # canonical: standard base64, checked by the transcoder
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if isinstance(value, dict):
        return {key: _fold_data(item, key, kept) for key, item in value.items()}
    if isinstance(value, list):
        return [_fold_data(item, name, kept) for item in value]
    return value


def without_key(query: str) -> str:
    """The query string with any ``key=`` parameter's value cut: the journal never holds a key."""
    return _KEY_PARAM.sub("key=REDACTED", query) if "key=" in query else query


def upload_answered_by(upload_id: str) -> str:
    """What a journal entry says answered a step of upload ``upload_id``
    (:meth:`Journal.uploads` reads it back)."""
    return UPLOAD_PREFIX + upload_id


REDACTED_HEADERS = frozenset({"x-goog-api-key", "authorization", "proxy-authorization", "cookie"})
_REDACTED = frozenset(name.encode() for name in REDACTED_HEADERS)
Headers = Sequence[tuple[bytes, bytes]]


class _NoExtra(dict[str, Any]):
    """An empty ``extra`` that refuses to be filled: one is shared by every entry without extra
    (the one thing written to an entry's ``extra``, a stream's progress, gets its own dict)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a journal entry is read-only")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse


NO_EXTRA: dict[str, Any] = _NoExtra()


def shown_headers(raw: Headers) -> list[list[str]]:
    """A request's headers as the journal shows them: as sent, credentials cut. (The entry
    keeps the server's own list, and cuts them only here, when it is read.)"""
    return [
        [
            name.decode("latin-1"),
            "REDACTED" if name.lower() in _REDACTED else value.decode("latin-1"),
        ]
        for name, value in raw
    ]


@dataclass(slots=True)
class Entry:
    seq: int
    method: str  # HTTP method
    path: str
    rpc: str  # "generateContent", "countTokens", "models.get", ..., "unknown" (no such route)
    api_version: str
    model: str | None = None
    request: dict[str, Any] | None = None  # canonical body, None when it could not be read
    status: int = 200
    # What answered: "fixture:<name>", "synthetic", "computed", "catalogue", "files",
    # "upload:<upload id>", "file:<id>", "fault:<id>", "error:<STATUS>"
    answered_by: str = ""
    key: str | None = None  # the request's canonical key (see fake_server.fixtures.key)
    query: str = ""  # the query string as received, a ``key=`` value cut (e.g. "alt=sse")
    received: float = 0.0  # when the request arrived, in seconds since the epoch
    extra: dict[str, Any] = field(default_factory=lambda: NO_EXTRA)
    # Until the answer was complete, in milliseconds (a stream: until it ended; None before),
    # rounded to the microsecond when shown.
    duration_ms: float | None = None
    # As it travelled (rendered by :meth:`exchange`): the request's headers (credentials cut
    # when shown), and its body when it is at most the journal's inline size; the answer's
    # headers and body (a unary answer within that size) or a stream's events, each with when
    # it was sent.
    headers: Headers = field(default=(), repr=False)
    sent: bytes | None = field(default=None, repr=False)
    sent_size: int = 0
    response_headers: Headers = field(default=(), repr=False)
    response_body: bytes | None = field(default=None, repr=False)
    response_size: int = 0
    events: list[bytes] | None = field(default=None, repr=False)
    event_times: list[float] | None = field(default=None, repr=False)  # perf_counter readings
    stream_end: str | None = None  # how a stream ended: finished, closed, error, aborted, gone
    closing_event: bytes | None = field(default=None, repr=False)  # the error a stream ended with
    started: float = field(default=0.0, repr=False, compare=False)  # perf_counter at arrival

    @property
    def done(self) -> bool:
        """Whether the answer is complete (a unary one always is once journalled)."""
        return self.events is None or self.stream_end is not None

    def stream_progress(self, sent: int, finished: bool) -> None:
        """Kept up to date while a stream answer goes out: the events handed to the server so
        far (each one's time noted), and whether the whole answer has gone (False for a stream
        that ended early)."""
        times = self.event_times
        if times is None:
            times = self.event_times = []
        if len(times) < sent:  # clock readings; exchange() turns them into milliseconds
            times.extend([time.perf_counter()] * (sent - len(times)))
        extra = self.extra
        if extra is NO_EXTRA:
            extra = self.extra = {}
        extra["eventsSent"] = sent
        extra["streamFinished"] = finished

    def ended(self, how: str, closing_event: bytes | None = None) -> None:
        """The stream is over (``how``: finished, closed, error, aborted or gone); an ``error``
        end sent ``closing_event`` as one more event."""
        if closing_event is not None:
            self.closing_event = closing_event
            if self.event_times is None:
                self.event_times = []
            self.event_times.append(time.perf_counter())
        self.stream_end = how
        self.duration_ms = self._elapsed()

    def _elapsed(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def to_json(self, *, exchange: bool = True) -> dict[str, Any]:
        """The entry as the admin API serves it; without ``exchange``, the summary (no headers,
        bodies or events), as the journal feed sends it."""
        data = {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "rpc": self.rpc,
            "apiVersion": self.api_version,
            "model": self.model,
            "request": self.request,
            "status": self.status,
            "answeredBy": self.answered_by,
            "key": self.key,
            "query": self.query,
            "received": self.received,
            "durationMs": None if self.duration_ms is None else round(self.duration_ms, 3),
            "done": self.done,
            "streamEnd": self.stream_end,
            "extra": self.extra,
        }
        if exchange:
            data.update(self.exchange())
        return data

    def exchange(self) -> dict[str, Any]:
        """What travelled: ``sent`` (headers, size, body) and ``response`` (headers, size, and
        the body, or the stream's events with their times and how it ended)."""
        sent: dict[str, Any] = {"headers": shown_headers(self.headers), "size": self.sent_size}
        sent["body"] = _readable(self.sent)
        response: dict[str, Any] = {"headers": _header_list(self.response_headers)}
        if self.events is not None:
            closing = [] if self.closing_event is None else [self.closing_event]
            times = self.event_times or []
            shown = self.events[: len(times) - len(closing)] + closing
            response["events"] = [
                {"atMs": round((at - self.started) * 1000, 3), "data": _readable(event)}
                for at, event in zip(times, shown, strict=False)
            ]
            response["end"] = self.stream_end
        else:
            response["size"] = self.response_size
            response["body"] = _readable(self.response_body)
        return {"sent": sent, "response": response}


def _header_list(headers: Headers) -> list[list[str]]:
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in headers]


def _readable(body: bytes | None) -> Any:
    """A body as the journal shows it: its JSON, else its text, else None (not kept). A stream
    event's SSE framing (``data: ``) is taken off."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace")
    stripped = text.strip()
    if stripped.startswith("data:"):
        stripped = stripped[len("data:") :].strip()
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):  # not JSON, or nested past what the reader walks
        return text
