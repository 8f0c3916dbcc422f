"""Fault rules: which calls fail, slow down or break, as a test says (docs/faults.md).

A rule is JSON, the same from ``POST /__fake__/faults``, ``gemini-fake serve --faults FILE``
and the pytest plugin::

    {"match": {"rpc": "generateContent", "model": "gemini-2.5-flash"},
     "calls": [1, 2],                      # or "after": 3, "every": 2, "probability": 0.25
     "times": 2,                           # then the fake behaves normally again
     "error": {"status": "UNAVAILABLE"}}   # or "delay", "stream", "drop", "garbage"; uploads
                                           # "noUploadStatus" or "lose"

:class:`FaultSet` holds the rules and, for each call the adapter shows it, says which rule
fires (the first that matches and is due), counting matches and firings. It is pure: the
adapter (:mod:`fake_server.http.adapter`) carries the actions out.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ..protocol.errors import ApiError, invalid_argument
from .errors import fault_error

RPCS = (
    "generateContent",
    "streamGenerateContent",
    "countTokens",
    "embedContent",
    "batchEmbedContents",
    "models.get",
    "models.list",
    "files.get",
    "files.list",
    "files.delete",
    "files.upload",
    "cachedContents.create",
    "cachedContents.list",
    "cachedContents.get",
    "cachedContents.patch",
    "cachedContents.delete",
    "files.download",
    "media.download",
    "batchGenerateContent",
    "batches.get",
    "batches.list",
    "batches.cancel",
    "batches.delete",
)
COMMANDS = ("start", "upload", "finalize", "query", "cancel")
UPLOAD_ACTIONS = ("noUploadStatus", "lose")
ACTIONS = ("error", "delay", "stream", "drop", "garbage", *UPLOAD_ACTIONS)
GARBAGE = ("invalid-json", "malformed-event")
SELECTORS = ("calls", "after", "every", "probability")
RULE_KEYS = ("id", "match", *SELECTORS, "seed", "times", *ACTIONS)
MATCH_KEYS = ("rpc", "model", "command", "chunk", "tool")
TOOL_RPCS = ("generateContent", "streamGenerateContent", "countTokens")  # bodies with tools
STREAM_ENDS = ("close", "abort", "error")
DROPS = ("mid-body",)
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
UPLOADS_COUNTED = 10_000  # uploads whose chunks are counted at once (ids are the clients')


@dataclass(frozen=True)
class Call:
    """What a rule can match: the RPC, the model, the request's body (for the tools it
    declares), and for an upload its commands and, for a command that carries bytes, its place
    among its upload's byte-carrying commands."""

    rpc: str
    model: str | None = None
    commands: frozenset[str] = frozenset()
    chunk: int | None = None
    body: bytes = b""


def declared_tools(body: bytes) -> frozenset[str]:
    """What a request body declares in ``tools``: each built-in tool by its name in camel case
    (``googleSearch``, also when sent as ``google_search``) and each declared function by its
    own name; nothing when the body is not JSON."""
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return frozenset()
    tools = request.get("tools") if isinstance(request, dict) else None
    names: set[str] = set()
    for tool in tools if isinstance(tools, list) else []:
        for key, value in tool.items() if isinstance(tool, dict) else ():
            key = _CAMEL.sub(lambda m: m.group(1).upper(), key)
            if key != "functionDeclarations":
                names.add(key)
            elif isinstance(value, list):
                names.update(
                    d["name"]
                    for d in value
                    if isinstance(d, dict) and isinstance(d.get("name"), str)
                )
    return frozenset(names)


_CAMEL = re.compile(r"_([a-z])")


@dataclass
class Rule:
    """One rule, read and checked; ``matched`` and ``fired`` count what it has seen and done."""

    id: str
    match: dict[str, Any]
    action: str  # one of ACTIONS
    spec: Any  # the action's value, as given
    calls: frozenset[int] | None = None
    after: int | None = None
    every: int | None = None
    probability: float | None = None
    seed: int = 0
    times: int | None = None
    from_start: bool = False  # given at start-up: kept by a reset, its counters zeroed
    matched: int = 0
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def applies_to(self, call: Call) -> bool:
        match = self.match
        if "rpc" in match and match["rpc"] != call.rpc:
            return False
        if "model" in match and (call.model or "").removeprefix("models/") != match["model"]:
            return False
        if "command" in match and match["command"] not in call.commands:
            return False
        if "tool" in match and match["tool"] not in declared_tools(call.body):
            return False
        return "chunk" not in match or match["chunk"] == call.chunk

    def due(self) -> bool:
        """Counts one more matching call; whether the rule fires on it."""
        self.matched += 1
        if self.times is not None and self.fired >= self.times:
            return False
        n = self.matched
        if self.calls is not None and n not in self.calls:
            return False
        if self.after is not None and n <= self.after:
            return False
        if self.every is not None and n % self.every:
            return False
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        self.fired += 1
        return True

    def restart(self) -> None:
        self.matched = self.fired = 0
        self._rng = random.Random(self.seed)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "match": self.match}
        if self.calls is not None:
            data["calls"] = sorted(self.calls)
        for name in ("after", "every", "probability", "times"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.probability is not None:
            data["seed"] = self.seed
        data[self.action] = self.spec
        data.update(matched=self.matched, fired=self.fired, fromStart=self.from_start)
        return data


class FaultSet:
    """The rules in force, first added first; safe to share between threads."""

    def __init__(self, rules: list[dict[str, Any]] | tuple[dict[str, Any], ...] = ()) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._rules: list[Rule] = [self._read(data, from_start=True) for data in rules]
        self._chunks: dict[str, int] = {}  # upload id -> byte-carrying commands seen

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, data: Any) -> Rule:
        rule = self._read(data, from_start=False)
        with self._lock:
            if any(existing.id == rule.id for existing in self._rules):
                raise invalid_argument(f'A fault rule with id "{rule.id}" already exists.')
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            kept = [rule for rule in self._rules if rule.id != rule_id]
            removed = len(kept) != len(self._rules)
            self._rules = kept
        return removed

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def reset(self) -> None:
        """Back to start-up: rules given then, counters zeroed; the others gone."""
        with self._lock:
            self._rules = [rule for rule in self._rules if rule.from_start]
            for rule in self._rules:
                rule.restart()
            self._chunks.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def chunk(self, upload_id: str) -> int:
        """The 1-based place of a byte-carrying command within its upload (counts it); the
        counts of the oldest uploads are forgotten past :data:`UPLOADS_COUNTED`."""
        with self._lock:
            count = self._chunks.pop(upload_id, 0) + 1
            self._chunks[upload_id] = count  # the most recent last
            if len(self._chunks) > UPLOADS_COUNTED:
                del self._chunks[next(iter(self._chunks))]
            return count

    def pick(self, call: Call) -> Rule | None:
        """The rule that fires on ``call``: each matching rule counts the call, in order, and
        the first one due fires."""
        fired = None
        with self._lock:
            for rule in self._rules:
                if rule.applies_to(call) and rule.due() and fired is None:
                    fired = rule
        return fired

    def _read(self, data: Any, *, from_start: bool) -> Rule:
        try:
            return _rule(data, from_start=from_start, default_id=f"fault-{next(self._ids)}")
        except ApiError:
            raise
        except (TypeError, ValueError) as exc:  # a value of the wrong kind somewhere
            raise invalid_argument(f"Invalid fault rule: {exc}") from None


def _rule(data: Any, *, from_start: bool, default_id: str) -> Rule:
    if not isinstance(data, dict):
        raise invalid_argument("A fault rule is a JSON object.")
    unknown = sorted(set(data) - set(RULE_KEYS))
    if unknown:
        raise invalid_argument(f"Unknown fault rule keys {unknown}; use {list(RULE_KEYS)}.")
    actions = [name for name in ACTIONS if name in data]
    if len(actions) != 1:
        raise invalid_argument(f"A fault rule has exactly one action of {list(ACTIONS)}.")
    selectors = [name for name in SELECTORS if name in data]
    if len(selectors) > 1:
        raise invalid_argument(f"A fault rule has at most one of {list(SELECTORS)}.")
    rule_id = str(data.get("id", default_id))
    if not _ID.fullmatch(rule_id):
        raise invalid_argument("A fault rule's id is 1 to 64 letters, digits, '.', '_' or '-'.")
    action = actions[0]
    return Rule(
        id=rule_id,
        match=_match(data.get("match", {})),
        action=action,
        spec=_action(action, data[action], data.get("match", {})),
        calls=frozenset(_counts(data["calls"], "calls")) if "calls" in data else None,
        after=_count(data["after"], "after", 0) if "after" in data else None,
        every=_count(data["every"], "every") if "every" in data else None,
        probability=_probability(data["probability"]) if "probability" in data else None,
        seed=_count(data.get("seed", 0), "seed", 0),
        times=_count(data["times"], "times", 0) if "times" in data else None,
        from_start=from_start,
    )


def _match(match: Any) -> dict[str, Any]:
    if not isinstance(match, dict) or set(match) - set(MATCH_KEYS):
        raise invalid_argument(f'"match" is an object of any of {list(MATCH_KEYS)}.')
    if "rpc" in match and match["rpc"] not in RPCS:
        raise invalid_argument(f'Unknown rpc "{match["rpc"]}"; use one of {", ".join(RPCS)}.')
    if "command" in match and match["command"] not in COMMANDS:
        raise invalid_argument(
            f'Unknown command "{match["command"]}"; use one of {", ".join(COMMANDS)}.'
        )
    if ("command" in match or "chunk" in match) and match.get("rpc") != "files.upload":
        raise invalid_argument('"command" and "chunk" match only {"rpc": "files.upload"}.')
    if "chunk" in match:
        _count(match["chunk"], "chunk")
    if "tool" in match:
        if not isinstance(match["tool"], str) or not match["tool"]:
            raise invalid_argument(
                '"tool" is a built-in tool ("googleSearch") or a declared function\'s name.'
            )
        if match.get("rpc", TOOL_RPCS[0]) not in TOOL_RPCS:
            raise invalid_argument(f'"tool" matches only the rpcs {list(TOOL_RPCS)}.')
    if "model" in match:
        if not isinstance(match["model"], str):
            raise invalid_argument('"model" is a model id, such as "gemini-2.5-flash".')
        match = {**match, "model": match["model"].removeprefix("models/")}
    return dict(match)


def _action(action: str, spec: Any, match: dict[str, Any]) -> Any:
    if action == "error":
        fault_error(spec, None)  # checked now, built when it fires
    elif action == "delay":
        _delay_range(spec)
    elif action == "stream":
        if match.get("rpc") != "streamGenerateContent":
            raise invalid_argument('"stream" ends only {"rpc": "streamGenerateContent"} early.')
        if not isinstance(spec, dict) or set(spec) - {"endAfter", "end"} or "endAfter" not in spec:
            raise invalid_argument('"stream" is {"endAfter": N, "end": "close"|"abort"|"error"}.')
        _count(spec["endAfter"], "endAfter", 0)
        if spec.get("end", "close") not in STREAM_ENDS:
            raise invalid_argument(f'"end" is one of {list(STREAM_ENDS)}.')
    elif action == "garbage":
        if spec not in GARBAGE:
            raise invalid_argument(f'"garbage" is one of {list(GARBAGE)}.')
        streams = match.get("rpc") == "streamGenerateContent"
        if (spec == "malformed-event") != streams:
            raise invalid_argument(
                '"malformed-event" acts only on {"rpc": "streamGenerateContent"}, '
                '"invalid-json" only on unary calls.'
            )
    elif action in UPLOAD_ACTIONS:
        if match.get("rpc") != "files.upload":
            raise invalid_argument(f'"{action}" acts only on {{"rpc": "files.upload"}}.')
        if spec is not True:
            raise invalid_argument(f'"{action}" is true.')
    elif spec not in DROPS:  # drop
        raise invalid_argument(f'"drop" is one of {list(DROPS)}.')
    return spec


def delay_of(rule: Rule) -> float:
    """Seconds to wait before answering, drawn for this firing (seeded) when given a range."""
    low, high = _delay_range(rule.spec)
    return low if low == high else rule._rng.uniform(low, high)


def _delay_range(spec: Any) -> tuple[float, float]:
    bounds = spec if isinstance(spec, list) else [spec, spec]
    if (
        len(bounds) != 2
        or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        or not 0 <= bounds[0] <= bounds[1] <= 600
    ):
        raise invalid_argument('"delay" is seconds (at most 600), or [low, high].')
    return float(bounds[0]), float(bounds[1])


def _count(value: Any, name: str, least: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise invalid_argument(f'"{name}" is a whole number, {least} or more.')
    return value


def _counts(value: Any, name: str) -> list[int]:
    if not isinstance(value, list) or not value:
        raise invalid_argument(f'"{name}" is a list of call numbers, such as [1, 2].')
    return [_count(item, name) for item in value]


def _probability(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise invalid_argument('"probability" is a number from 0 to 1.')
    return float(value)
