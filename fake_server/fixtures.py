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
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .errors import ApiError
from .schema import transcode
from .streams import Pacing, event_json, parse_sse

MATCH_KEYS = ("rpc", "model", "lastUserText", "systemInstruction", "contents", "generationConfig")
GENERATE_RPCS = ("generateContent", "streamGenerateContent")


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

    def specificity(self) -> int:
        return len(self.match)


@dataclass(frozen=True)
class Call:
    """What matching looks at: the RPC, the model as requested and the canonical body."""

    rpc: str
    model: str
    request: dict[str, Any]

    def facts(self) -> dict[str, Any]:
        return {
            "rpc": self.rpc,
            "model": self.model.removeprefix("models/"),
            "lastUserText": last_user_text(self.request),
            "systemInstruction": _text_of(self.request.get("systemInstruction")),
            "contents": self.request.get("contents", []),
            "generationConfig": self.request.get("generationConfig", {}),
        }


def request_key(call: Call) -> str:
    """A short, stable name for a request: the same for every casing and base64 alphabet.

    What the service treats as "not set" is folded away first, so the Python SDK's
    ``"generationConfig": {}`` and the role it puts on the system instruction do not make its
    request differ from the same request sent by curl. Unary and streamed calls share a key.
    """
    request = _without_empty(call.request)
    if isinstance(request.get("systemInstruction"), dict):
        request["systemInstruction"].pop("role", None)
    canonical = json.dumps(
        [call.rpc.replace("stream", "").lower(), call.model.removeprefix("models/"), request],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _without_empty(value: Any) -> Any:
    """A copy without empty objects and lists, at any depth."""
    if isinstance(value, dict):
        items = ((k, _without_empty(v)) for k, v in value.items())
        return {k: v for k, v in items if v != {} and v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def last_user_text(request: dict[str, Any]) -> str | None:
    for content in reversed(request.get("contents", [])):
        if content.get("role", "user") == "user":
            return _text_of(content)
    return None


def _text_of(content: dict[str, Any] | None) -> str | None:
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


def differences(fixture: Fixture, facts: dict[str, Any]) -> list[str]:
    """Each unmet condition, as ``field: fixture X, request Y`` (for messages, not matching)."""
    return [
        f"{key}: fixture {_show(fixture.match.get(key, 'generateContent'))}, "
        f"request {_show(facts.get(key))}"
        for key in unmet(fixture, facts)
    ]


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


class FixtureSet:
    """The loaded fixtures; :meth:`find` returns the best match or explains the miss."""

    def __init__(self, fixtures: Iterable[Fixture]) -> None:
        self.fixtures = sorted(fixtures, key=lambda f: (f.rank, -f.specificity(), f.name))

    def __len__(self) -> int:
        return len(self.fixtures)

    def find(self, call: Call) -> Fixture | Miss:
        facts = call.facts()
        scored = [(unmet(f, facts), f) for f in self.fixtures]
        matches = [f for missed, f in scored if not missed]
        if matches:
            # Most specific first, then user fixtures before shipped ones.
            return min(matches, key=lambda f: (-f.specificity(), f.rank, f.name))
        if not scored:
            return Miss(request_key(call), None)
        _, nearest = min(scored, key=lambda item: _distance(item[1], facts, len(item[0])))
        return Miss(request_key(call), nearest, differences(nearest, facts))


def _distance(fixture: Fixture, facts: dict[str, Any], misses: int) -> tuple[int, float, int]:
    """How far a call is from a fixture: conditions missed, then how unlike the values are."""
    unlike = 0.0
    for key, wanted in fixture.match.items():
        a = json.dumps(wanted, sort_keys=True, ensure_ascii=False)
        b = json.dumps(facts.get(key), sort_keys=True, ensure_ascii=False)
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
        fixtures += _load_directory(resources.files("fake_server") / "fixtures", "default", 1_000)
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
            match = {**match, "contents": transcode(match, "CountTokensRequest")["contents"]}
        if "generationConfig" in match:
            request = transcode(
                {"generationConfig": match["generationConfig"]}, "GenerateContentRequest"
            )
            match = {**match, "generationConfig": request["generationConfig"]}
    except ApiError as exc:
        raise FixtureError(f"{source}: the match is not a valid request: {exc.message}") from None
    try:
        streaming = Pacing.from_json(data["streaming"]) if "streaming" in data else None
    except (ValueError, TypeError) as exc:
        raise FixtureError(f"{source}: {exc}") from None
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
    )


def _read_sse(name: Any, directory: Traversable | None, source: str) -> bytes:
    """The recorded stream a fixture names, checked to be events of JSON objects."""
    if not isinstance(name, str) or directory is None or "/" in name or name.startswith("."):
        raise FixtureError(f'{source}: "sse" names a file beside the fixture, e.g. "x.sse"')
    item = directory / name
    if not item.is_file():
        raise FixtureError(f"{source}: the recorded stream {name} is missing")
    data = item.read_bytes()
    try:
        for event in parse_sse(data):
            event_json(event)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{source}: {name} is not a stream of JSON events ({exc})") from None
    return data
