"""Fixtures: recorded or hand-written answers, and how a request finds its own.

A fixture is one JSON file, one interaction, named by scenario (docs/fixtures.md)::

    {
      "description": "The guide's basic example",
      "match": {"lastUserText": "How does AI work?"},
      "answer": {"text": "...", "thoughts": "**...**\\n\\n...", "json": {...}}
    }

``match`` holds any of: ``rpc`` (default: generateContent and streamGenerateContent), ``model``,
``lastUserText``, ``systemInstruction`` (its text), ``contents`` (the whole conversation) and
``generationConfig`` (a subset that must agree). Every condition given must hold; the match
with the most conditions wins, and a user's fixture outranks a shipped one. ``answer`` is shaped
by the request's settings like a synthetic answer; ``response`` instead is a whole recorded body,
replayed as it is.

Requests are compared in canonical form (:mod:`fake_server.schema`): casing, base64 alphabet and
key order never matter. :func:`request_key` names a request for journals and error messages.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .errors import ApiError
from .schema import transcode
from .streams import Pacing, event_json, parse_sse

MATCH_KEYS = (
    "rpc",
    "model",
    "lastUserText",
    "systemInstruction",
    "contents",
    "generationConfig",
    "request",
)
GENERATE_RPCS = ("generateContent", "streamGenerateContent")
SHIPPED_RANK = 1_000  # the fixtures shipped with the package rank after every user directory


class FixtureError(ValueError):
    """A fixture file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Fixture:
    name: str
    match: dict[str, Any]
    answer: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    sse: bytes | None = None  # a recorded event stream, replayed byte for byte
    streaming: Pacing | None = None  # this fixture's stream pacing, over the server's
    source: str = ""  # the file it came from
    rank: int = 0  # lower outranks higher: user directories first, shipped fixtures last
    description: str = ""
    status: int = 200  # a recorded error's HTTP status (``response`` is then its envelope)
    sequence: int = 0  # place among fixtures with the same ``match`` (answered first to last)
    recorded: dict[str, Any] | None = None  # where and when ``gemini-fake record`` made it

    def specificity(self) -> int:
        return len(self.match)

    def precedence(self) -> tuple[bool, bool, int, bool, int, str]:
        """Sort key among matching fixtures: a user's fixture before a shipped one; hand-written
        before recorded; then the most conditions (of two otherwise equal, one for
        ``streamGenerateContent`` alone before one for ``generateContent``, which covers both);
        then earlier directories first; then by name."""
        shipped = self.rank >= SHIPPED_RANK
        broad = self.match.get("rpc") != "streamGenerateContent"
        recorded = self.recorded is not None
        return (shipped, recorded, -self.specificity(), broad, self.rank, self.name)

    def group(self) -> str:
        """Fixtures with equal conditions (from one directory) form one FIFO sequence."""
        return json.dumps(
            [self.rank, self.recorded is not None, self.match], sort_keys=True, ensure_ascii=False
        )


@dataclass(frozen=True)
class Call:
    """What matching looks at: the RPC, the model as requested and the canonical body."""

    rpc: str
    model: str
    request: dict[str, Any]

    @cached_property
    def canonical(self) -> dict[str, Any]:
        return canonical_request(self.request)

    @cached_property
    def key(self) -> str:
        return _digest(self.rpc, self.model, self.canonical)

    def facts(self) -> dict[str, Any]:
        return {
            "rpc": self.rpc,
            "model": self.model.removeprefix("models/"),
            "lastUserText": last_user_text(self.request),
            "systemInstruction": text_of(self.request.get("systemInstruction")),
            "contents": self.canonical.get("contents", []),
            "generationConfig": self.request.get("generationConfig", {}),
            "request": self.canonical,
        }


def request_key(call: Call) -> str:
    """A short, stable name for a request: the first 16 hex digits of the SHA-256 of its
    canonical form (:func:`canonical_request`). Unary and streamed calls share a key."""
    return call.key


def _digest(rpc: str, model: str, canonical: dict[str, Any]) -> str:
    text = json.dumps(
        [rpc.replace("stream", "").lower(), model.removeprefix("models/"), canonical],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Fields whose value means the same as leaving them out (the service's documented defaults).
DEFAULT_VALUES: dict[str, Any] = {
    "candidateCount": 1,
    "responseMimeType": "text/plain",
    "presencePenalty": 0,
    "frequencyPenalty": 0,
    "includeThoughts": False,
}
# Built-in tools are switched on by an empty object: those are never folded away.
PRESENCE_FIELDS = frozenset(
    {
        "googleSearch",
        "googleSearchRetrieval",
        "codeExecution",
        "urlContext",
        "googleMaps",
        "computerUse",
        "fileSearch",
        "enterpriseWebSearch",
    }
)
# Fields that differ from run to run of the same app: opaque signatures the service hands out
# and ids it generates. A conversation echoing them is the same conversation.
VOLATILE_FIELDS = ("thoughtSignature",)
VOLATILE_IDS = ("functionCall", "functionResponse")
FILE_NAME = re.compile(r"(files/[a-z0-9-]+)$")


def canonical_request(request: dict[str, Any]) -> dict[str, Any]:
    """A transcoded request body as the key sees it (docs/fixtures.md#the-request-key).

    On top of the transcoder's work (camelCase names, standard base64, ``role: user`` on
    unlabelled turns), what the service treats as "not set" is folded away: empty objects and
    lists (but a built-in tool's ``{}``), the system instruction's role, and fields at their
    default value; volatile fields (thought signatures, generated call ids) are dropped; a file
    URI is its ``files/<id>``; floats are the shortest decimal with the same float32 value,
    whole ones integers. The conversation is folded as the model reads it: empty text parts
    dropped, consecutive turns of one role joined, adjacent text parts joined. Key order never
    matters (keys are sorted).
    """
    folded: dict[str, Any] = _fold(request)
    if isinstance(folded.get("systemInstruction"), dict):
        folded["systemInstruction"].pop("role", None)
        if not folded["systemInstruction"]:
            del folded["systemInstruction"]
    if isinstance(folded.get("contents"), list):
        folded["contents"] = _join_turns(folded["contents"])
        if not folded["contents"]:
            del folded["contents"]
    return folded


def _fold(value: Any, parent: str = "") -> Any:
    if isinstance(value, dict):
        folded = {}
        for key, item in value.items():
            if key in VOLATILE_FIELDS or (key == "id" and parent in VOLATILE_IDS):
                continue
            item = _fold(item, key)
            if key == "fileUri" and isinstance(item, str):
                named = FILE_NAME.search(item)
                item = named.group(1) if named else item
            if (item == {} and key not in PRESENCE_FIELDS) or item == [] or item is None:
                continue
            if key in DEFAULT_VALUES and _same(item, DEFAULT_VALUES[key]):
                continue
            folded[key] = item
        return folded
    if isinstance(value, list):
        return [_fold(item, parent) for item in value]
    if isinstance(value, float):
        return _float32(value)
    return value


def _float32(value: float) -> float | int:
    """The shortest decimal with ``value``'s float32 value: the ``0.949999988079071`` a float32
    round trip makes of 0.95 is 0.95 again, and so is every double that rounds to it."""
    try:
        packed = struct.pack("<f", value)
    except OverflowError:  # beyond float32: kept as it is
        shortest = value
    else:
        for digits in range(1, 10):
            shortest = float(f"{value:.{digits}g}")
            if struct.pack("<f", shortest) == packed:
                break
    return int(shortest) if shortest.is_integer() else shortest


def _same(value: Any, default: Any) -> bool:
    """Equal, and not merely because ``False == 0`` in Python."""
    return bool(value == default) and isinstance(value, bool) == isinstance(default, bool)


def _join_turns(contents: list[Any]) -> list[dict[str, Any]]:
    """A conversation as the model reads it: a streamed turn kept chunk by chunk (as the SDKs
    keep it) equals the same turn kept whole."""
    turns: list[dict[str, Any]] = []
    for content in contents:
        if not isinstance(content, dict):
            continue
        parts = [p for p in content.get("parts", []) if p != {"text": ""}]
        if not parts:
            continue
        role = content.get("role", "user")
        if turns and turns[-1]["role"] == role:
            turns[-1]["parts"].extend(parts)
        else:
            turns.append({**content, "role": role, "parts": list(parts)})
    for turn in turns:
        joined: list[Any] = []
        for part in turn["parts"]:
            if _plain_text(part) and joined and _plain_text(joined[-1]):
                joined[-1] = {"text": joined[-1]["text"] + part["text"]}
            else:
                joined.append(part)
        turn["parts"] = joined
    return turns


def _plain_text(part: Any) -> bool:
    return isinstance(part, dict) and set(part) == {"text"} and isinstance(part["text"], str)


def last_user_text(request: dict[str, Any]) -> str | None:
    for content in reversed(request.get("contents", [])):
        if content.get("role", "user") == "user":
            return text_of(content)
    return None


def text_of(content: dict[str, Any] | None) -> str | None:
    """A turn's text parts joined and stripped (None without any)."""
    if not content:
        return None
    texts = [p["text"] for p in content.get("parts", []) if isinstance(p.get("text"), str)]
    return "".join(texts).strip() if texts else None


# --- matching -------------------------------------------------------------------------------


def unmet(fixture: Fixture, facts: dict[str, Any]) -> list[str]:
    """The conditions of ``fixture`` that the call does not meet (none: it matches)."""
    missed = [key for key, wanted in fixture.match.items() if not _holds(key, wanted, facts)]
    if "rpc" not in fixture.match and facts["rpc"] not in GENERATE_RPCS:
        missed.append("rpc")
    return missed


def _holds(key: str, wanted: Any, facts: dict[str, Any]) -> bool:
    got = facts.get(key)
    if key == "rpc":
        return got in ([wanted] if wanted != "generateContent" else GENERATE_RPCS)
    if key == "generationConfig":
        return _subset(wanted, got or {})
    if key in ("lastUserText", "systemInstruction"):
        return isinstance(got, str) and got == str(wanted).strip()
    return _equal(wanted, got)


DIFFERENCES_SHOWN = 3  # per condition: the first few places where a whole body differs


def differences(fixture: Fixture, facts: dict[str, Any]) -> list[str]:
    """Each unmet condition, as ``field: fixture X, request Y`` (for messages, not matching);
    for a body (``request``, ``contents``, ``generationConfig``) each place inside it that
    differs, as ``request.generationConfig.temperature: fixture 0.5, request 0.6``."""
    found = []
    for key in unmet(fixture, facts):
        wanted, got = fixture.match.get(key, "generateContent"), facts.get(key)
        if key in ("request", "contents", "generationConfig"):
            places = _places(wanted, got, key, subset=key == "generationConfig")
            found += places[:DIFFERENCES_SHOWN]
            if len(places) > DIFFERENCES_SHOWN:
                found.append(f"{key}: {len(places) - DIFFERENCES_SHOWN} more differences")
        else:
            found.append(f"{key}: fixture {_show(wanted)}, request {_show(got)}")
    return found


_ABSENT = object()


def _places(wanted: Any, got: Any, path: str, *, subset: bool = False) -> list[str]:
    """Where two JSON values differ, by path (a ``subset`` ignores what only ``got`` has)."""
    if isinstance(wanted, dict) and isinstance(got, dict):
        keys = sorted(wanted) if subset else sorted(set(wanted) | set(got))
        return [
            place
            for key in keys
            for place in _places(
                wanted.get(key, _ABSENT), got.get(key, _ABSENT), f"{path}.{key}", subset=subset
            )
        ]
    if isinstance(wanted, list) and isinstance(got, list):
        places = [
            place
            for i, (a, b) in enumerate(zip(wanted, got, strict=False))
            for place in _places(a, b, f"{path}[{i}]", subset=subset)
        ]
        if len(wanted) != len(got):
            places.append(f"{path}: fixture has {len(wanted)} items, request {len(got)}")
        return places
    if wanted is not _ABSENT and got is not _ABSENT and _equal(wanted, got):
        return []
    return [f"{path}: fixture {_shown(wanted)}, request {_shown(got)}"]


def _shown(value: Any) -> str:
    return "(absent)" if value is _ABSENT else _show(value)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _equal(a: Any, b: Any) -> bool:
    """Equality with a float tolerance: a float32 0.95 may come back as 0.949999988079071."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _subset(wanted: Any, got: Any) -> bool:
    if isinstance(wanted, dict) and isinstance(got, dict):
        return all(k in got and _subset(v, got[k]) for k, v in wanted.items())
    return _equal(wanted, got)


@dataclass
class Miss:
    key: str
    nearest: Fixture | None
    differences: list[str] = field(default_factory=list)

    def explain(self) -> str:
        if self.nearest is None:
            return "There are no fixtures loaded."
        diffs = "; ".join(self.differences)
        nearest = self.nearest
        return f"Nearest fixture: {nearest.name} ({nearest.source}), which differs in {diffs}."

    def to_json(self) -> dict[str, Any]:
        """What the journal keeps of a miss (``extra.miss``)."""
        if self.nearest is None:
            return {"key": self.key, "nearest": None}
        return {
            "key": self.key,
            "nearest": self.nearest.name,
            "source": self.nearest.source,
            "differences": self.differences,
        }


class FixtureSet:
    """The loaded fixtures; :meth:`find` returns the best match or explains the miss.

    Fixtures with equal conditions form a sequence: the first matching request gets the first
    of them (by ``sequence``, then name), the next one the second, and so on; after the last,
    the last repeats. Each sequence counts on its own, so unrelated requests may interleave in
    any order. :meth:`reset` starts every sequence over.
    """

    def __init__(self, fixtures: Iterable[Fixture]) -> None:
        self.fixtures = sorted(fixtures, key=Fixture.precedence)
        groups: dict[str, list[Fixture]] = {}
        for fixture in self.fixtures:
            groups.setdefault(fixture.group(), []).append(fixture)
        for members in groups.values():
            members.sort(key=lambda f: (f.sequence, f.name))
        # one entry per sequence, best first; its head stands for it in matching
        self._sequences = [members for members in groups.values()]
        self._sequences.sort(key=lambda members: members[0].precedence())
        self._in_sequence = {f.source for m in self._sequences if len(m) > 1 for f in m}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.fixtures)

    def find(self, call: Call, *, advance: bool = True) -> Fixture | Miss:
        """The fixture answering ``call``; with ``advance`` its sequence moves on by one."""
        facts = call.facts()
        for members in self._sequences:
            if not unmet(members[0], facts):
                return self._next(members, advance)
        if not self.fixtures:
            return Miss(call.key, None)
        scored = [(unmet(f, facts), f) for f in self.fixtures]
        _, nearest = min(scored, key=lambda item: _distance(item[1], facts, len(item[0])))
        return Miss(call.key, nearest, differences(nearest, facts))

    def _next(self, members: list[Fixture], advance: bool) -> Fixture:
        group = members[0].group()
        with self._lock:
            served = self._served.get(group, 0)
            if advance:
                self._served[group] = served + 1
        return members[min(served, len(members) - 1)]

    def is_sequence(self, fixture: Fixture) -> bool:
        """Whether ``fixture`` is one of several answers to the same request (so the answer
        a request gets depends on how many came before it)."""
        return fixture.source in self._in_sequence

    def names_model(self, model: str | None) -> bool:
        """Whether a user's fixture matches on ``model`` by name (shipped ones never do)."""
        wanted = (model or "").removeprefix("models/")
        return any(f.match.get("model") == wanted for f in self.fixtures if f.rank < SHIPPED_RANK)

    def reset(self) -> None:
        with self._lock:
            self._served.clear()

    def continue_from(self, other: FixtureSet) -> None:
        """Take over ``other``'s places in the sequences both have (a reloaded set)."""
        with other._lock:
            served = dict(other._served)
        with self._lock:
            self._served.update(served)

    def describe(self) -> list[dict[str, Any]]:
        """The loaded fixtures, best first, with how far each sequence has been served."""
        with self._lock:
            served = dict(self._served)
        return [
            {
                "names": [f.name for f in members],
                "sources": [f.source for f in members],
                "match": members[0].match,
                "recorded": members[0].recorded is not None,
                "served": served.get(members[0].group(), 0),
            }
            for members in self._sequences
        ]


COMPARED_CHARS = 2_000


def _distance(fixture: Fixture, facts: dict[str, Any], misses: int) -> tuple[int, float, int]:
    """How far a call is from a fixture: conditions missed, then how unlike the values are."""
    unlike = 0.0
    for key, wanted in fixture.match.items():
        # The first characters are enough to tell near from far, and keep a miss cheap
        # however large the bodies (inline images) are.
        a = json.dumps(wanted, sort_keys=True, ensure_ascii=False)[:COMPARED_CHARS]
        b = json.dumps(facts.get(key), sort_keys=True, ensure_ascii=False)[:COMPARED_CHARS]
        unlike += 1 - difflib.SequenceMatcher(None, a, b).ratio()
    return misses, unlike, fixture.rank


# --- loading --------------------------------------------------------------------------------


def load(directories: Iterable[Path], *, include_defaults: bool = True) -> FixtureSet:
    fixtures: list[Fixture] = []
    for rank, directory in enumerate(directories):
        if not directory.is_dir():
            raise FixtureError(f"fixture directory {directory} does not exist")
        fixtures += _load_directory(directory, str(directory), rank)
    if include_defaults:
        shipped = resources.files("fake_server") / "fixtures"
        fixtures += _load_directory(shipped, "default", SHIPPED_RANK)
    return FixtureSet(fixtures)


def _load_directory(directory: Traversable, label: str, rank: int) -> list[Fixture]:
    files = sorted(
        (item for item in directory.iterdir() if item.name.endswith(".json")), key=lambda t: t.name
    )
    return [
        parse(
            item.read_text(encoding="utf-8"),
            item.name.removesuffix(".json"),
            f"{label}/{item.name}",
            rank,
            directory,
        )
        for item in files
    ]


ANSWER_KINDS = ("answer", "response", "sse")


def parse(
    text: str, name: str, source: str, rank: int = 0, directory: Traversable | None = None
) -> Fixture:
    """Read one fixture file; anything unusable raises :class:`FixtureError` naming the file.

    ``directory`` is where a recorded ``sse`` file named by the fixture is read from.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{source}: a fixture is a JSON object")
    match = data.get("match", {})
    if not isinstance(match, dict) or set(match) - set(MATCH_KEYS):
        unknown = sorted(set(match) - set(MATCH_KEYS)) if isinstance(match, dict) else match
        raise FixtureError(f"{source}: unknown match conditions {unknown}; use {list(MATCH_KEYS)}")
    if sum(kind in data for kind in ANSWER_KINDS) != 1:
        raise FixtureError(f"{source}: give exactly one of {', '.join(map(repr, ANSWER_KINDS))}")
    try:  # compare in canonical form, whatever casing and base64 alphabet the file uses
        if "contents" in match:
            contents = transcode(match, "CountTokensRequest")["contents"]
            match = {
                **match,
                "contents": canonical_request({"contents": contents}).get("contents", []),
            }
        if "generationConfig" in match:
            request = transcode(
                {"generationConfig": match["generationConfig"]}, "GenerateContentRequest"
            )
            match = {**match, "generationConfig": request["generationConfig"]}
        if "request" in match:
            if not isinstance(match["request"], dict):
                raise FixtureError(f'{source}: "request" is a whole request body (an object)')
            body = transcode(match["request"], "GenerateContentRequest")
            match = {**match, "request": canonical_request(body)}
    except ApiError as exc:
        raise FixtureError(f"{source}: the match is not a valid request: {exc.message}") from None
    try:
        streaming = Pacing.from_json(data["streaming"]) if "streaming" in data else None
    except (ValueError, TypeError) as exc:
        raise FixtureError(f"{source}: {exc}") from None
    status, sequence, recorded = (
        data.get("status", 200),
        data.get("sequence", 0),
        data.get("recorded"),
    )
    if not isinstance(status, int) or not 200 <= status <= 599:
        raise FixtureError(f'{source}: "status" is an HTTP status code, e.g. 429')
    if status != 200 and not is_error_envelope(data.get("response"), status):
        raise FixtureError(
            f'{source}: with "status" {status}, "response" is the error envelope '
            f'{{"error": {{"code": {status}, "message": ..., "status": ...}}}}'
        )
    if not isinstance(sequence, int) or isinstance(sequence, bool):
        raise FixtureError(f'{source}: "sequence" is a whole number (1 is answered first)')
    if recorded is not None and not isinstance(recorded, dict):
        raise FixtureError(f'{source}: "recorded" is an object')
    return Fixture(
        name=name,
        match=match,
        answer=data.get("answer"),
        response=data.get("response"),
        sse=_read_sse(data["sse"], directory, source) if "sse" in data else None,
        streaming=streaming,
        source=source,
        rank=rank,
        description=str(data.get("description", "")),
        status=status,
        sequence=sequence,
        recorded=recorded,
    )


def is_error_envelope(body: Any, status: int) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(error, dict)
        and error.get("code") == status
        and isinstance(error.get("message"), str)
        and isinstance(error.get("status"), str)
    )


def stream_events(data: bytes) -> list[dict[str, Any]]:
    """The JSON objects of a recorded event stream; ValueError when it is not one."""
    try:
        events = [event_json(event) for event in parse_sse(data)]
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a stream of JSON events ({exc})") from None
    if not all(isinstance(event, dict) for event in events):
        raise ValueError("not a stream of JSON objects")
    return events


def _read_sse(name: Any, directory: Traversable | None, source: str) -> bytes:
    """The recorded stream a fixture names, checked to be events of JSON objects."""
    if not isinstance(name, str) or directory is None or "/" in name or name.startswith("."):
        raise FixtureError(f'{source}: "sse" names a file beside the fixture, e.g. "x.sse"')
    item = directory / name
    if not item.is_file():
        raise FixtureError(f"{source}: the recorded stream {name} is missing")
    data = item.read_bytes()
    try:
        stream_events(data)
    except ValueError as exc:
        raise FixtureError(f"{source}: {name} is {exc}") from None
    return data
