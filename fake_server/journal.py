"""The journal: every request the fake received, in its canonical form, and what answered it.

Tests read it to assert on what an app actually sent (``journal.calls("generateContent")``);
the admin API serves it as JSON. Entries hold the canonical request (camelCase, standard base64),
so an assertion does not depend on which SDK or casing produced the call.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Entry:
    seq: int
    method: str  # HTTP method
    path: str
    rpc: str  # "generateContent", "countTokens", "models.get", ...
    api_version: str
    model: str | None = None
    request: dict[str, Any] | None = None  # canonical body, None when it could not be read
    status: int = 200
    answered_by: str = ""  # "fixture:<name>", "synthetic", "error:<STATUS>"
    key: str | None = None  # the request's canonical key (see fixtures.request_key)
    query: str = ""  # the query string as received, ``key=`` included (e.g. "alt=sse")
    extra: dict[str, Any] = field(default_factory=dict)

    def stream_progress(self, sent: int, finished: bool) -> None:
        """Kept up to date while a stream answer goes out: the events handed to the server so
        far, and whether the whole answer has gone (False for a stream that ended early)."""
        self.extra["eventsSent"] = sent
        self.extra["streamFinished"] = finished

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {_camel(k): v for k, v in data.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


class Journal:
    """An append-only, thread-safe list of :class:`Entry` (the socket fake serves from a thread).

    With a ``limit`` it keeps only the latest entries, so a long-running fake holds flat memory;
    ``seq`` keeps counting, so a gap shows what was dropped.
    """

    def __init__(self, limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=limit or None)
        self._count = 0

    def record(self, entry: Entry) -> Entry:
        with self._lock:
            self._count += 1
            entry.seq = self._count
            self._entries.append(entry)
        return entry

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries)

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
        with self._lock:
            self._entries.clear()
            self._count = 0
