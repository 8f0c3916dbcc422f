"""Everything one fake instance remembers, in one object the adapter hands to every handler."""

from __future__ import annotations

import ctypes
import gc
from dataclasses import dataclass, field

from .config import FakeConfig, utc_now
from .control.clock import TestClock
from .control.faults import FaultSet
from .control.quotas import QuotaSet
from .fixtures.matching import FixtureSet
from .http.memo import AnswerMemo
from .journal import Journal
from .store import FileStore


@dataclass
class FakeState:
    """One fake's configuration, fixtures, files, journal and remembered answers; tests get a
    fresh one per app."""

    config: FakeConfig
    fixtures: FixtureSet
    store: FileStore
    journal: Journal = field(default_factory=Journal)
    memo: AnswerMemo = field(default_factory=AnswerMemo)
    faults: FaultSet = field(default_factory=FaultSet)
    quotas: QuotaSet = field(default_factory=QuotaSet)
    clock: TestClock = field(default_factory=lambda: TestClock(utc_now))

    def reset(self) -> None:
        """Start over without a restart: journal, fixture sequences, remembered answers, and
        fault rules and quotas as at start-up, the clock back to real time (files and uploads stay;
        delete them through the Files API)."""
        held = self.journal.bytes_held()
        self.journal.reset()
        self.fixtures.reset()
        self.memo.clear()
        self.faults.reset()
        self.quotas.reset()
        self.clock.reset()
        give_back_memory(held)


GIVE_BACK_BYTES = 16 * 1024 * 1024  # freed bodies worth handing back to the system


def give_back_memory(freed: int) -> None:
    """Return freed memory to the system (glibc keeps it, in every thread's arena, until asked),
    so that a fake's memory falls back after a reset or an emptied journal: when ``freed``
    bytes of request bodies were let go, enough to be worth the few milliseconds it takes."""
    if freed < GIVE_BACK_BYTES:
        return
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim  # noqa: B018 (glibc only)
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()
