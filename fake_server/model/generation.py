"""Answering a validated generate request: a fixture's answer if one matches, else a synthetic one.

Both kinds are shaped by :func:`.shaping.compose`, so a fixture's prose gets the
same thinking, JSON mode, stop sequences, token limits and candidates as a synthetic answer. A
fixture holding a whole recorded ``response`` is returned as it is, and one holding a recorded
stream (``sse``) is replayed as it is on a stream and joined into one response on a unary call.
Everything is seeded by the request's key: the same request gets the same answer on every run,
unary or streamed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ..config import Pacing
from ..fixtures.format import Fixture
from ..fixtures.key import Call, request_key
from ..fixtures.matching import FixtureSet, Miss
from ..protocol.wire import event_json, parse_sse
from ..store.caches import CachedContent
from .answer import Answer
from .catalog import ModelInfo
from .chunking import aggregate, chunk
from .shaping import compose
from .synthesis import synthesize
from .tokens import FileTokens
from .validate import missing_cache


class NoFixture(Exception):
    """Strict mode: no fixture matches; ``miss`` says which came nearest and how it differs."""

    def __init__(self, miss: Miss) -> None:
        super().__init__(miss.explain())
        self.miss = miss


class RecordedError(Exception):
    """The matching fixture is a recorded error: answer its status and envelope."""

    def __init__(self, fixture: Fixture, *, repeatable: bool) -> None:
        assert fixture.response is not None
        super().__init__(fixture.response["error"]["message"])
        self.fixture = fixture
        self.error: dict[str, Any] = fixture.response["error"]
        self.repeatable = repeatable


@dataclass(frozen=True)
class Generated:
    body: dict[str, Any]  # the unary response
    key: str
    source: str  # "fixture:<name>" or "synthetic"
    recorded: list[bytes] | None = None  # a recorded stream's events, to replay as they are
    pacing: Pacing | None = None  # the fixture's own stream pacing
    repeatable: bool = True  # False when the answer is one of a sequence
    miss: Miss | None = None  # a synthetic answer's nearest fixture, for the journal

    def chunks(self) -> list[dict[str, Any]]:
        """The stream chunks: the recorded ones, or the body cut as the service streams."""
        if self.recorded is not None:
            return [event_json(event) for event in self.recorded]
        return chunk(self.body, random.Random(self.key))


def generate(
    fixtures: FixtureSet,
    call: Call,
    model: ModelInfo,
    *,
    strict: bool,
    file_tokens: FileTokens | None = None,
    files: Mapping[str, str] | None = None,
    cache: CachedContent | None = None,
) -> Generated:
    """The response body for ``call`` on the concrete ``model``; strict raises NoFixture.
    ``files`` names the recorded file each upload the request names stands for, in matching.
    ``cache`` is the cached content the request names: matching sees the request as sent,
    the answer is to the request with the cache in front of it."""
    key = request_key(call)
    seed = key.encode()
    found = fixtures.find(call, files=files)
    request = cache.merged(call.request) if cache is not None else call.request
    cached = cache.tokens if cache is not None else None

    def with_candidates(first: Answer) -> dict[str, Any]:
        # Candidates after the first are always synthetic; the first is the fixture's, if any.
        count = int(request.get("generationConfig", {}).get("candidateCount", 1))
        others = [synthesize(request, candidate_rng(seed, i)) for i in range(1, count)]
        return compose(request, model, [first, *others], seed, file_tokens, cached)

    named = call.request.get("cachedContent")
    if named is not None and cache is None and not _names_cache(found, named):
        raise missing_cache()
    if isinstance(found, Miss):
        if strict:
            raise NoFixture(found)
        body = with_candidates(synthesize(request, candidate_rng(seed, 0)))
        return Generated(body, key, "synthetic", miss=found)
    repeatable = not fixtures.is_sequence(found)
    if found.status != 200:
        raise RecordedError(found, repeatable=repeatable)
    replay = partial(
        Generated,
        key=key,
        source=f"fixture:{found.name}",
        pacing=found.streaming,
        repeatable=repeatable,
    )
    if found.sse is not None:
        events = parse_sse(found.sse)
        return replay(aggregate([event_json(event) for event in events]), recorded=events)
    if found.response is not None:
        return replay(found.response)
    return replay(with_candidates(fixture_answer(found, request, seed)))


def _names_cache(found: Fixture | Miss, cache: str) -> bool:
    """Whether ``found`` was recorded (or written) for a request naming ``cache``: such a
    fixture answers a request naming a cache the fake does not hold (a recording's)."""
    if isinstance(found, Miss):
        return False
    return bool(found.match.get("request", {}).get("cachedContent") == cache)


def candidate_rng(seed: bytes, index: int) -> random.Random:
    """The generator for candidate ``index`` of a request: its own, so candidates differ."""
    digest = hashlib.sha256(seed + b"/candidate/" + str(index).encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def fixture_answer(fixture: Fixture, request: dict[str, Any], seed: bytes) -> Answer:
    """The fixture's answer; one without a thought summary borrows a synthetic one's."""
    assert fixture.answer is not None
    given = Answer.from_fixture(fixture.answer)
    if given.thoughts is not None:
        return given
    return replace(given, thoughts=synthesize(request, candidate_rng(seed, 0)).thoughts)
