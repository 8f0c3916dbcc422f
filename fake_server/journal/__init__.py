"""The journal: every request the fake received, in its canonical form, and what answered it.

Tests read it to assert on what an app actually sent: ``journal.generate_calls()`` gives each
generate call parsed (model, contents, config, ...), ``journal.uploads()`` each upload session
with its steps, and ``journal.calls(rpc)`` the raw entries. The admin API serves the entries as
JSON (docs/pytest-plugin.md). Entries hold the canonical request (camelCase, standard base64), so
an assertion does not depend on which SDK or casing produced the call.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Hashable
from typing import TypeVar
from urllib.parse import parse_qs

from ..protocol.requests import GENERATE_RPCS
from .entry import (
    INLINE_KEPT,
    NO_EXTRA,
    UPLOAD_PREFIX,
    Entry,
    journal_view,
    shown_headers,
    upload_answered_by,
    without_key,
)
from .views import GenerateCall, UploadSession

__all__ = [
    "DEFAULT_MAX_BYTES",
    "INLINE_KEPT",
    "NO_EXTRA",
    "Entry",
    "GenerateCall",
    "Journal",
    "UploadSession",
    "journal_view",
    "shown_headers",
    "upload_answered_by",
    "without_key",
]

H = TypeVar("H", bound=Hashable)
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
ALIKE_KEPT = 512  # how many distinct values :meth:`Journal.alike` remembers before it starts over


class Journal:
    """An append-only, thread-safe list of :class:`Entry` (the socket fake serves from a thread).

    It keeps only the latest entries: at most ``limit`` of them, whose bodies add up to at most
    ``max_bytes`` (the newest is always kept), so a long-running fake holds flat memory;
    ``seq`` keeps counting, so a gap shows what was dropped.
    """

    def __init__(self, limit: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._lock = threading.Lock()
        self._kept = limit or sys.maxsize  # entries kept at most
        self._max_bytes = max_bytes
        self._entries: deque[tuple[Entry, int]] = deque()
        self._bytes = 0
        self._count = 0
        self.resets = 0  # how many times it was emptied
        self.reset_after = 0  # the last seq before the latest reset
        self._alike: dict[Hashable, Hashable] = {}

    def alike(self, value: H) -> H:
        """``value``, or an equal one an earlier entry holds: requests to a fake are alike
        (the same headers, paths, models, often bodies), and a journal of thousands of them
        keeps each such value once. So a request's own objects are freed as soon as it is
        answered, instead of living on, a few dozen per entry, in the journal; on a busy fake
        that is most of what the journal costs per request."""
        kept = self._alike.get(value)
        if kept is None:
            if len(self._alike) >= ALIKE_KEPT:
                self._alike.clear()
            self._alike[value] = kept = value
        return kept  # type: ignore[return-value]

    def record(self, entry: Entry, size: int = 0) -> Entry:
        """Keep ``entry``, whose request body was ``size`` bytes, dropping the oldest if need be."""
        with self._lock:
            self._count += 1
            entry.seq = self._count
            entries = self._entries
            entries.append((entry, size))
            self._bytes += size
            if len(entries) > self._kept or self._bytes > self._max_bytes:
                while len(entries) > 1 and (
                    self._bytes > self._max_bytes or len(entries) > self._kept
                ):
                    self._bytes -= entries.popleft()[1]
        return entry

    def bytes_held(self) -> int:
        """How many bytes of request bodies the kept entries hold."""
        with self._lock:
            return self._bytes

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return [entry for entry, _ in self._entries]

    def calls(self, rpc: str | None = None, *, model: str | None = None) -> list[Entry]:
        """Entries for one RPC (and model), oldest first."""
        return [
            e
            for e in self.entries
            if (rpc is None or e.rpc == rpc) and (model is None or e.model == model)
        ]

    def last(self, rpc: str | None = None) -> Entry:
        calls = self.calls(rpc)
        if not calls:
            raise LookupError(f"the fake received no {rpc or 'request'}")
        return calls[-1]

    def reset(self) -> None:
        """Empty it; ``seq`` goes on counting, and :attr:`resets` says a reset happened (the
        journal feed sends a ``reset`` event), so a follower never mistakes new entries for
        ones it has seen."""
        with self._lock:
            self._entries.clear()
            self._alike.clear()
            self._bytes = 0
            self.resets += 1
            self.reset_after = self._count

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the latest entry ever recorded (0 before the first)."""
        with self._lock:
            return self._count

    def since(self, seq: int) -> list[Entry]:
        """The kept entries after ``seq``, oldest first."""
        with self._lock:
            newer = []
            for entry, _ in reversed(self._entries):
                if entry.seq <= seq:
                    break
                newer.append(entry)
        return newer[::-1]

    def find(self, seq: int) -> Entry | None:
        """The kept entry numbered ``seq``."""
        with self._lock:
            for entry, _ in reversed(self._entries):
                if entry.seq == seq:
                    return entry
                if entry.seq < seq:
                    break
        return None

    def generate_calls(self, model: str | None = None) -> list[GenerateCall]:
        """generateContent and streamGenerateContent calls (on ``model``), oldest first."""
        wanted = model.removeprefix("models/") if model else None
        return [
            GenerateCall(e)
            for e in self.entries
            if e.rpc in GENERATE_RPCS
            and (wanted is None or (e.model or "").removeprefix("models/") == wanted)
        ]

    def uploads(self) -> list[UploadSession]:
        """Every resumable upload the fake was asked to start, with each step on its URL
        (a session whose start the journal's ``limit`` has dropped is left out)."""
        sessions: dict[str, UploadSession] = {}
        for entry in self.entries:
            if entry.rpc != "files.upload":
                continue
            if entry.extra.get("command") == "start":
                if entry.answered_by.startswith(UPLOAD_PREFIX):  # else it was refused
                    upload_id = entry.answered_by.removeprefix(UPLOAD_PREFIX)
                    sessions[upload_id] = UploadSession(upload_id, entry)
                continue
            upload_id = parse_qs(entry.query).get("upload_id", [""])[0]
            if upload_id in sessions:
                sessions[upload_id].steps.append(entry)
        return list(sessions.values())
