"""The access log: one line per request on the ``gemini_fake.access`` logger, at INFO.

``gemini-fake serve`` sends it to the console (``--quiet`` and ``--log-level`` change that);
in a test process nothing is printed unless the test sets up logging. Each line holds the
time, method, path (and query, the key cut), status, milliseconds until the answer was complete
and what answered it, e.g.::

    12:00:01.123 POST /v1beta/models/gemini-2.5-flash:generateContent 200 3.1ms fixture:guide-basic

A stream's line is written when the stream ends, with how it ended if it did not finish.
``gemini-fake journal`` prints the same lines from the journal API (:func:`line_of`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from ..journal import Entry

logger = logging.getLogger("gemini_fake.access")


def log(entry: Entry) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info("%s", line_of(entry.to_json(exchange=False)))


def line_of(entry: Mapping[str, Any]) -> str:
    """An entry's line (see the module docstring), from its JSON summary."""
    received = float(entry.get("received") or 0.0)
    clock = time.strftime("%H:%M:%S", time.localtime(received)) + f".{int(received % 1 * 1000):03d}"
    query = entry.get("query")
    target = f"{entry.get('path', '')}" + (f"?{query}" if query else "")
    duration = entry.get("durationMs")
    took = "-" if duration is None else f"{duration:.1f}ms"
    end = entry.get("streamEnd")
    ending = f" ({end})" if end not in (None, "finished") else ""
    by = entry.get("answeredBy") or "-"
    return f"{clock} {entry.get('method')} {target} {entry.get('status')} {took} {by}{ending}"
