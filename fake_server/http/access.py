"""The access log: one line per request on the ``gemini_fake.access`` logger, at INFO.

``gemini-fake serve`` sends it to the console (``--quiet`` and ``--log-level`` change that);
in a test process nothing is printed unless the test sets up logging. Each line holds the
time, method, path (and query, the key cut), status, milliseconds until the answer was complete
and what answered it, e.g.::

    12:00:01.123 POST /v1beta/models/gemini-2.5-flash:generateContent 200 3.1ms fixture:guide-basic

A stream's line is written when the stream ends, with how it ended if it did not finish.
"""

from __future__ import annotations

import logging
import time

from ..journal import Entry

logger = logging.getLogger("gemini_fake.access")


def log(entry: Entry) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info("%s", line(entry))


def line(entry: Entry) -> str:
    """The entry's line (see the module docstring)."""
    moment = time.localtime(entry.received)
    clock = time.strftime("%H:%M:%S", moment) + f".{int(entry.received % 1 * 1000):03d}"
    target = entry.path + (f"?{entry.query}" if entry.query else "")
    took = "-" if entry.duration_ms is None else f"{entry.duration_ms:.1f}ms"
    end = f" ({entry.stream_end})" if entry.stream_end not in (None, "finished") else ""
    by = entry.answered_by or "-"
    return f"{clock} {entry.method} {target} {entry.status} {took} {by}{end}"
