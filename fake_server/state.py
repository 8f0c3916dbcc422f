"""Everything one fake instance remembers, in one object the adapter hands to every handler."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import FakeConfig
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

    def reset(self) -> None:
        """Start over without a restart: journal, fixture sequences and remembered answers
        (files and uploads stay; delete them through the Files API)."""
        self.journal.reset()
        self.fixtures.reset()
        self.memo.clear()
