"""Finished answers remembered by the exact request that produced them.

Most of what the fake answers is a pure function of its configuration, its fixtures and the
request (the same request gets the same bytes: that is the determinism promise). So once such a
request has been read, validated, matched and answered, the next identical request, byte for
byte, can skip straight to the bytes. This is what makes replaying fixtures cheap: the fake's own
work on a repeated request is a dictionary lookup and a journal entry.

Only what the handler leaves repeatable is remembered: an answer that depends on state (the next
answer of a fixture sequence, a request naming uploaded files) opts out through
``ApiCall.repeatable``, and routes whose answers always do (the Files API, uploads) are never
remembered. Only bodies up to :data:`MAX_BODY` bytes are kept, and at most :data:`SIZE` answers,
least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .responses import EventStreamResponse, GoogleResponse

SIZE = 4096
MAX_BODY = 64 * 1024

MemoKey = tuple[str, str, bytes, bytes]  # HTTP method, path, query string, body


@dataclass(frozen=True)
class Answered:
    """A finished answer: the response to send again, and what the journal says about it.

    ``canonical`` is shared by every journal entry that replays this answer; journal entries are
    read-only.
    """

    response: GoogleResponse | EventStreamResponse
    canonical: dict[str, Any] | None
    key: str | None
    answered_by: str
    extra: dict[str, Any] = field(default_factory=dict)  # copied into each journal entry

    def replay(self, started: float) -> GoogleResponse | EventStreamResponse:
        return self.response.retimed(started)


class AnswerMemo:
    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._answers: OrderedDict[MemoKey, Answered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: MemoKey) -> Answered | None:
        # No lock: each step is one operation on the dict, and an answer dropped between the
        # two (by a put from another thread) is no harm.
        answer = self._answers.get(key)
        if answer is not None:
            try:
                self._answers.move_to_end(key)
            except KeyError:
                pass
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def put(self, key: MemoKey, answer: Answered) -> None:
        if len(key[3]) > MAX_BODY:
            return
        with self._lock:
            self._answers[key] = answer
            if len(self._answers) > self._size:
                self._answers.popitem(last=False)
