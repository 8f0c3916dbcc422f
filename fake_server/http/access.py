"""The access log: one line per request, for the console of ``gemini-fake serve``.

Each line holds the time, method, path (and query, the key cut), status, milliseconds until
the answer was complete and what answered it, e.g.::

    12:00:01.123 POST /v1beta/models/gemini-2.5-flash:generateContent 200 3.1ms fixture:guide-basic

A stream's line is written when the stream ends, with how it ended if it did not finish.
``gemini-fake serve`` writes the lines to stderr in batches (:class:`Batched`, at most a tenth
of a second late; ``--quiet`` and ``--log-level`` turn them off), which costs a request about a
microsecond; elsewhere (a test process) they go to the ``gemini_fake.access`` logger at INFO,
printed only where a test sets up logging. ``gemini-fake journal`` prints the same lines from
the journal API (:func:`line_of`).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol, TextIO

from ..journal import Entry

logger = logging.getLogger("gemini_fake.access")


class Sink(Protocol):
    def write(self, text: str, /) -> Any: ...


_sink: Sink | None = None  # where lines go, bypassing the logger, when set
_second: tuple[int, str] = (-1, "")  # the last whole second formatted, and its text


def write_to(sink: Sink | None) -> None:
    """Write the lines to ``sink`` (None: back to the logger)."""
    global _sink
    _sink = sink


class Batched:
    """Lines written to ``stream`` in batches, one write a tenth of a second at most (and at
    exit), from a thread of its own: a request pays for a list append, not a system call."""

    def __init__(self, stream: TextIO, interval: float = 0.1) -> None:
        self.stream = stream
        self.interval = interval
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._run, name="gemini-fake access log", daemon=True).start()
        atexit.register(self.flush)

    def write(self, line: str) -> None:
        self._pending.append(line)  # atomic: no lock on the request's path

    def flush(self) -> None:
        with self._lock:
            lines, self._pending = self._pending, []
            if lines:
                try:
                    self.stream.write("".join(lines))
                    self.stream.flush()
                except (OSError, ValueError):  # the console went away: nothing to tell
                    pass

    def close(self) -> None:
        """Write what is pending, and stop the thread."""
        self._closed.set()
        self.flush()
        atexit.unregister(self.flush)

    def _run(self) -> None:
        while not self._closed.wait(self.interval):
            self.flush()


def log(entry: Entry) -> None:
    if _sink is not None:
        _sink.write(
            _line(
                entry.received,
                entry.method,
                entry.path,
                entry.query,
                entry.status,
                entry.duration_ms,
                entry.answered_by,
                entry.stream_end,
            )
        )
    elif logger.isEnabledFor(logging.INFO):
        logger.info("%s", line_of(entry.to_json(exchange=False)))


def line_of(entry: Mapping[str, Any]) -> str:
    """An entry's line (see the module docstring), from its JSON summary, without the newline."""
    return _line(
        float(entry.get("received") or 0.0),
        str(entry.get("method")),
        str(entry.get("path", "")),
        str(entry.get("query") or ""),
        entry.get("status"),
        entry.get("durationMs"),
        str(entry.get("answeredBy") or ""),
        entry.get("streamEnd"),
    ).rstrip("\n")


def _line(
    received: float,
    method: str,
    path: str,
    query: str,
    status: object,
    duration: float | None,
    answered_by: str,
    end: str | None,
) -> str:
    global _second
    whole = int(received)
    if _second[0] != whole:
        _second = (whole, time.strftime("%H:%M:%S", time.localtime(whole)))
    millis = int((received - whole) * 1000)
    target = f"{path}?{query}" if query else path
    took = "-" if duration is None else f"{duration:.1f}ms"
    ending = "" if end is None or end == "finished" else f" ({end})"
    return (
        f"{_second[1]}.{millis:03d} {method} {target} {status} {took} "
        f"{answered_by or '-'}{ending}\n"
    )
