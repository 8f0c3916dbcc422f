"""The fake's clock: real time (or the configured clock), moved forward when a test says so.

``POST /__fake__/clock {"advance": "60s"}`` moves it; quotas, file expiry and PROCESSING times
follow it, so a test never sleeps. Fault delays and stream pacing stay in real time, so that
clients' timeouts really trip. A reset brings it back to the configured clock.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

from ..config import Clock
from ..protocol.errors import invalid_argument

_SECONDS = re.compile(r"(\d+(?:\.\d+)?)s")
MAX_ADVANCE = timedelta(days=3650)


class TestClock:
    """The configured clock plus however far tests have moved it."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return self._base() + offset

    def advance(self, by: object) -> datetime:
        """Move the clock forward by ``by``: seconds as a number or as ``"60s"``."""
        seconds = _seconds(by)
        with self._lock:
            if seconds > (MAX_ADVANCE - self._offset).total_seconds():
                raise invalid_argument("The clock moves at most ten years ahead.")
            self._offset += timedelta(seconds=seconds)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta()


def _seconds(value: object) -> float:
    if isinstance(value, str) and (match := _SECONDS.fullmatch(value)):
        return float(match.group(1))
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise invalid_argument('"advance" is seconds, 0 or more: 60 or "60s".')
