"""Everything one fake instance remembers, in one object the adapter hands to every handler."""

from __future__ import annotations

import ctypes
import gc
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .config import FakeConfig, utc_now
from .control.clock import TestClock
from .control.faults import FaultSet
from .control.quotas import QuotaSet
from .fixtures.format import Fixture, FixtureError, parse_object, read_all
from .fixtures.matching import FixtureSet
from .http.memo import AnswerMemo
from .journal import Journal
from .store import FileStore
from .store.batches import BatchStore
from .store.caches import CacheStore


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
    caches: CacheStore = field(default_factory=CacheStore)
    batches: BatchStore = field(default_factory=BatchStore)
    _stub_numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _fixtures_lock: threading.Lock = field(default_factory=threading.Lock)

    def add_stubs(self, items: Iterable[Any]) -> list[Fixture]:
        """Adds fixtures given at run time (each a fixture file's JSON value), named
        ``stub-1``, ``stub-2``, ...; they outrank every fixture read from a directory. None is
        added unless all can be: :class:`FixtureError` names every problem of every one."""
        with self._fixtures_lock:
            added, problems = [], []
            for index, item in enumerate(items):
                name = f"stub-{next(self._stub_numbers):04d}"
                try:
                    added.append(parse_object(item, name, f"{RUN_TIME}/{name}", RUN_TIME_RANK))
                except FixtureError as exc:
                    problems.append(f"[{index}] {exc}")
            if problems:
                raise FixtureError("; ".join(problems))
            self._use(FixtureSet([*self.fixtures.fixtures, *added]))
        return added

    def remove_stubs(self) -> None:
        """Removes the fixtures added at run time; the others keep their sequences' places."""
        with self._fixtures_lock:
            kept = [f for f in self.fixtures.fixtures if f.rank != RUN_TIME_RANK]
            self._use(FixtureSet(kept))

    def reload_fixtures(self) -> int:
        """Reads the fixture directories again (a broken fixture raises :class:`FixtureError`
        and changes nothing), keeping the run-time fixtures and every sequence's place; the
        number of fixtures now loaded."""
        config = self.config
        read = read_all(config.fixture_dirs, include_defaults=config.shipped_fixtures)
        with self._fixtures_lock:
            stubs = [f for f in self.fixtures.fixtures if f.rank == RUN_TIME_RANK]
            self._use(FixtureSet([*read, *stubs]))
            return len(self.fixtures)

    def _use(self, fixtures: FixtureSet) -> None:
        fixtures.continue_from(self.fixtures)
        self.fixtures = fixtures
        self.memo.clear()  # a remembered answer may come from a fixture that changed

    def reset(self) -> None:
        """Start over without a restart: journal, fixture sequences, remembered answers, and
        fault rules and quotas as at start-up, the clock back to real time, run-time fixtures
        and cached contents removed, batches forgotten (files and uploads stay, delete them
        through the Files API, but upload order starts over)."""
        held = self.journal.bytes_held()
        self.journal.reset()
        self.remove_stubs()
        self.fixtures.reset()
        self.memo.clear()
        self.faults.reset()
        self.quotas.reset()
        self.clock.reset()
        self.caches.clear()
        self.batches.clear()
        self.store.restart_order()
        give_back_memory(held)


RUN_TIME = "run-time"  # where fixtures added at run time say they come from
RUN_TIME_RANK = -1  # they outrank every directory's fixtures


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
