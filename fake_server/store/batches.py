"""Batches of generate requests: what each holds, the states it passes through on the fake's
clock, and how the service shows it (an operation whose metadata is the batch).

A batch is PENDING from its creation, RUNNING from a fifth of its delay, and done once its
delay has passed (docs/batches.md#states-and-timing). Nothing runs in the background: the first
call that looks at a batch after its delay finds it due, and the handler works out its answers
then (:meth:`Batch.finish`). A batch whose delay runs past the service's 48 hours expires
instead. The store keeps a bounded number of batches, in memory: a reset forgets them.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..protocol.errors import ApiError
from .records import timestamp

TYPE_PREFIX = "type.googleapis.com/google.ai.generativelanguage.v1main."
BATCH_TYPE = TYPE_PREFIX + "GenerateContentBatch"
OUTPUT_TYPE = TYPE_PREFIX + "GenerateContentBatchOutput"

PENDING = "BATCH_STATE_PENDING"
RUNNING = "BATCH_STATE_RUNNING"
SUCCEEDED = "BATCH_STATE_SUCCEEDED"
FAILED = "BATCH_STATE_FAILED"
CANCELLED = "BATCH_STATE_CANCELLED"
EXPIRED = "BATCH_STATE_EXPIRED"
DONE = frozenset({SUCCEEDED, FAILED, CANCELLED, EXPIRED})

# The fake's own bounds (docs/deviations.md#batches): a batch not done within 48 hours expires
# (the service has the state, BATCH_STATE_EXPIRED; the lifetime is a file's), at most 100 run
# at once, and the store keeps 500 in all, forgetting the oldest finished ones first.
BATCH_LIFETIME = timedelta(hours=48)
MAX_ACTIVE_BATCHES = 100
MAX_KEPT_BATCHES = 500
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
BATCH_ID_LENGTH = 40  # like a cached content's id (docs/evidence.md#service-batches)

# google.rpc.Code numbers, for the Status objects inside a batch (not HTTP codes).
RPC_CODES = {
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


def status_of(error: ApiError) -> dict[str, Any]:
    """An error as a ``google.rpc.Status`` inside a body: the gRPC code, the message, any
    details (an HTTP error's envelope carries the HTTP code and the status name instead)."""
    status: dict[str, Any] = {"code": RPC_CODES.get(error.status, 2), "message": error.message}
    if error.details:
        status["details"] = list(error.details)
    return status


@dataclass
class Outcome:
    """What a finished batch produced: its responses inline, or the file holding them."""

    succeeded: int = 0
    failed: int = 0
    inlined: list[dict[str, Any]] | None = None
    responses_file: str | None = None  # "files/<id>"
    error: dict[str, Any] | None = None  # a Status: why the whole batch failed

    def output(self) -> dict[str, Any]:
        if self.responses_file is not None:
            return {"responsesFile": self.responses_file}
        if self.inlined is not None:
            return {"inlinedResponses": {"inlinedResponses": self.inlined}}
        return {}


@dataclass
class Batch:
    """One batch: its input (inline requests, or the name of a JSONL file), its timing, and
    once done its outcome."""

    batch_id: str
    model: str  # "models/<name>"
    display_name: str
    created: datetime
    delay: timedelta  # creation to done
    request_count: int
    api_version: str
    requests: list[dict[str, Any]] | None = None  # the InlinedRequest objects, canonical
    file_name: str | None = None  # "files/<id>", for a batch read from a file
    held_bytes: int = 0  # the size of the inline requests, against the store's bound
    priority: int = 0
    ended: datetime | None = None
    final_state: str | None = None
    outcome: Outcome | None = None
    # Held while its answers are worked out, so that two calls finding it due do it once.
    settling: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"batches/{self.batch_id}"

    @property
    def started(self) -> datetime:
        """When it turns RUNNING: after a fifth of its delay."""
        return self.created + self.delay / 5

    @property
    def due(self) -> datetime:
        return self.created + self.delay

    def state(self, now: datetime) -> str:
        """Its state at ``now``; a due batch counts as RUNNING until :meth:`finish` is called."""
        if self.final_state is not None:
            return self.final_state
        return RUNNING if now >= self.started else PENDING

    def is_due(self, now: datetime) -> bool:
        """Whether it should be finished now (the caller then works out its outcome)."""
        return self.final_state is None and now >= min(self.due, self.expires)

    @property
    def expires(self) -> datetime:
        return self.created + BATCH_LIFETIME

    def overdue(self) -> bool:
        """Its delay runs past the service's lifetime: it expires instead of finishing."""
        return self.due > self.expires

    def finish(self, state: str, outcome: Outcome, at: datetime) -> None:
        self.final_state, self.outcome, self.ended = state, outcome, at
        self.requests, self.held_bytes = None, 0  # the input is no longer needed

    def operation(self, now: datetime) -> dict[str, Any]:
        """The batch as the service shows it: an operation with the batch as its metadata,
        and once done its output (or error)."""
        state = self.state(now)
        metadata: dict[str, Any] = {
            "@type": BATCH_TYPE,
            "model": self.model,
            "name": self.name,
            "displayName": self.display_name,
        }
        if self.file_name is not None:
            metadata["inputConfig"] = {"fileName": self.file_name}
        outcome = self.outcome
        if outcome is not None and outcome.output():
            metadata["output"] = {"@type": OUTPUT_TYPE, **outcome.output()}
        metadata["createTime"] = timestamp(self.created, 6)
        if self.ended is not None:
            metadata["endTime"] = timestamp(self.ended, 6)
        metadata["updateTime"] = timestamp(self._updated(now), 6)
        metadata["batchStats"] = self._stats(state)
        metadata["state"] = state
        if self.priority:
            metadata["priority"] = str(self.priority)
        body: dict[str, Any] = {"name": self.name, "metadata": metadata}
        if state in DONE:
            body["done"] = True
            if outcome is not None and outcome.error is not None:
                body["error"] = outcome.error
            elif outcome is not None and state == SUCCEEDED:
                body["response"] = {"@type": OUTPUT_TYPE, **outcome.output()}
        return body

    def _updated(self, now: datetime) -> datetime:
        if self.ended is not None:
            return self.ended
        return self.started if now >= self.started else self.created

    def _stats(self, state: str) -> dict[str, str]:
        """BatchStats: int64 counts as strings, zeros left out."""
        counts = {"requestCount": self.request_count}
        outcome = self.outcome
        if state == SUCCEEDED and outcome is not None:
            counts["successfulRequestCount"] = outcome.succeeded
            counts["failedRequestCount"] = outcome.failed
        elif state in (PENDING, RUNNING, CANCELLED, EXPIRED):
            counts["pendingRequestCount"] = self.request_count
        elif state == FAILED:
            counts["failedRequestCount"] = self.request_count
        return {name: str(value) for name, value in counts.items() if value}


@dataclass
class BatchStore:
    """The batches of one fake, newest last; safe to share between threads."""

    seed: int = 0
    _batches: dict[str, Batch] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._ids = random.Random(self.seed)

    def new_id(self) -> str:
        with self._lock:
            while True:
                candidate = "".join(self._ids.choice(_ID_ALPHABET) for _ in range(BATCH_ID_LENGTH))
                if candidate not in self._batches:
                    return candidate

    def active(self, now: datetime) -> int:
        with self._lock:
            return sum(1 for b in self._batches.values() if b.final_state is None)

    def held_bytes(self) -> int:
        with self._lock:
            return sum(b.held_bytes for b in self._batches.values())

    def add(self, batch: Batch) -> None:
        with self._lock:
            self._batches[batch.batch_id] = batch
            finished = [b for b in self._batches.values() if b.final_state is not None]
            while len(self._batches) > MAX_KEPT_BATCHES and finished:
                del self._batches[finished.pop(0).batch_id]

    def get(self, batch_id: str) -> Batch | None:
        with self._lock:
            return self._batches.get(batch_id)

    def delete(self, batch_id: str) -> None:
        with self._lock:
            self._batches.pop(batch_id, None)

    def all(self) -> Iterator[Batch]:
        """Every batch, newest first."""
        with self._lock:
            batches = list(self._batches.values())
        yield from reversed(batches)

    def clear(self) -> None:
        with self._lock:
            self._batches.clear()
