"""Deterministic JSON instances for a response schema, built in bounded time and memory.

Two dialects reach the fake: ``responseJsonSchema`` (JSON Schema) and ``responseSchema`` (the
OpenAPI subset with ``"type": "OBJECT"``). Both are walked by one generator; a seeded
``random.Random`` picks enum members, lengths and numbers, so the same request always gets the
same instance, and the instance is valid against the schema it came from.

Whatever the schema, the work is bounded. Every value built spends from a :class:`Budget`, and
:func:`measure` builds the widest instance the schema allows (every array at its longest), which
no seeded instance exceeds: the service's checks (:mod:`.schema_checks`) run it before answering,
so a schema too big to serve is refused whether or not a fixture answers the request. A
recursive schema ends: past :data:`SHALLOW` levels an object holds only its required
properties, and past :data:`FLOOR` levels inside a recursion an array holds only its
``minItems``; a loop with no such way out is refused before any instance is built.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from typing import Any, TypeGuard

from ..protocol.errors import ApiError, invalid_argument

# The limits. Real response and parameter schemas describe tens or hundreds of values a few
# levels deep, and the service refuses far less than these ("too many states", reported past
# array bounds summing to about a thousand), so only a schema built to stall a server reaches
# them. Together they keep the worst request well under 100 ms of work (bench/schema_limits.py).
MAX_DEPTH = 64  # schemas nested while building one value: properties, items, anyOf branches
MAX_REF_CHAIN = 32  # `$ref`s followed in a row to reach one schema
MAX_ITEMS = 1_000  # the largest `minItems` an array may demand
MAX_STRING_LENGTH = 10_000  # the largest `minLength` a string may demand
MAX_PROPERTIES = 1_000  # properties of one object schema
MAX_ENUM = 1_000  # members of one `enum`
MAX_STEPS = 4_000  # steps to build one request's answers: values, `$ref`s, properties weighed
MAX_CHARS = 100_000  # characters of JSON those values take, about 25,000 tokens

SHALLOW = 4  # deeper than this, an object holds only its required properties
FLOOR = 6  # deeper than this inside a recursion, an array holds only its `minItems`

# The service's words for a schema it cannot compile (docs/evidence.md#service-schema-errors).
TOO_MANY_STATES = (
    "The specified schema produces a constraint that has too many states for serving. Typical "
    "causes of this error are schemas with lots of text (for example, very long property or enum "
    "names), schemas with long array length limits (especially when nested), or schemas using "
    "complex value matchers (for example, integers or numbers with minimum/maximum bounds or "
    "strings with complex formats like date-time)"
)

_WORDS = (
    "alpha",
    "bravo",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "meadow",
    "nectar",
    "orchid",
    "prism",
    "quartz",
    "river",
)
_LONGEST_TEXT = 3 * max(map(len, _WORDS)) + 2  # three words and two spaces
_FORMATS = {
    "date-time": "2025-06-17T12:00:00Z",
    "date": "2025-06-17",
    "time": "12:00:00",
    "email": "neko@example.com",
    "uri": "https://example.com/",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
}
_KINDS = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_NUMBER_CHARS = 24  # the longest float repr, as in -1.2345678901234567e-308


def too_many_states() -> ApiError:
    return invalid_argument(TOO_MANY_STATES)


class Budget:
    """What is left to spend: steps (a value built, a `$ref` followed, a property weighed) and
    characters of JSON."""

    def __init__(self, steps: int = MAX_STEPS, chars: int = MAX_CHARS) -> None:
        self.steps = steps
        self.chars = chars

    def spend(self, steps: int, chars: int) -> None:
        self.steps -= steps
        self.chars -= chars
        if self.steps < 0 or self.chars < 0:
            raise too_many_states()


def instance(schema: Any, rng: random.Random, budget: Budget | None = None) -> Any:
    """An instance of ``schema`` (either dialect); ``{}`` for an empty or boolean schema."""
    root = schema if isinstance(schema, dict) else {}
    return _Generator(root, rng, budget or Budget()).value(schema, 0)


def measure(schema: Any, budget: Budget) -> None:
    """Build the widest instance of ``schema``, spending ``budget``: every array at its longest,
    every enum member at the longest's cost. A seeded instance never spends more."""
    root = schema if isinstance(schema, dict) else {}
    _Generator(root, random.Random(0), budget, widest=True).value(schema, 0)


def pointer(root: dict[str, Any], ref: str) -> dict[str, Any]:
    """The schema a local ``$ref`` (``#/$defs/name``) points at; ``{}`` for none."""
    target: Any = root
    for key in ref[2:].split("/"):
        target = target.get(key, {}) if isinstance(target, dict) else {}
    return target if isinstance(target, dict) else {}


def followed(ref: Any) -> TypeGuard[str]:
    """Whether the generator follows this ``$ref``: local pointers only."""
    return isinstance(ref, str) and ref.startswith("#/")


def kind_of(schema: dict[str, Any]) -> str:
    """The type an instance takes: the first non-null of a list; unknown names are strings."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    kind = (kind or ("object" if "properties" in schema else "string")).lower()
    return kind if kind in _KINDS else "string"


def _json_chars(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer past the largest float
        return False


class _Generator:
    def __init__(
        self, root: dict[str, Any], rng: random.Random, budget: Budget, *, widest: bool = False
    ) -> None:
        self.root = root
        self.rng = rng
        self.budget = budget
        self.widest = widest
        self.nesting = 0
        self.expanding: dict[int, int] = {}  # ids of `$ref` targets being built: how many times
        self.recursions = 0  # targets on that stack more than once: inside a recursion
        self.enum_chars: dict[int, int] = {}
        self.targets: dict[str, dict[str, Any]] = {}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        hops = 0
        while followed(ref := schema.get("$ref")):
            hops += 1
            if hops > MAX_REF_CHAIN:
                raise too_many_states()
            self.budget.spend(1, 0)
            if ref not in self.targets:
                self.targets[ref] = pointer(self.root, ref)
            schema = self.targets[ref]
        return schema

    def value(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, dict):
            self.budget.spend(1, 2)
            return {}
        self.budget.spend(1, 0)
        self.nesting += 1
        try:
            if self.nesting > MAX_DEPTH:
                raise too_many_states()
            target = self.resolve(schema)
            if target is schema:
                return self._build(schema, depth)
            return self._expand(target, depth)
        finally:
            self.nesting -= 1

    def _expand(self, target: dict[str, Any], depth: int) -> Any:
        key = id(target)
        again = key in self.expanding
        self.expanding[key] = self.expanding.get(key, 0) + 1
        self.recursions += again
        try:
            return self._build(target, depth)
        finally:
            self.recursions -= again
            self.expanding[key] -= 1
            if not self.expanding[key]:
                del self.expanding[key]

    def _build(self, schema: dict[str, Any], depth: int) -> Any:
        if "const" in schema:
            self.budget.spend(0, _json_chars(schema["const"]))
            return schema["const"]
        if schema.get("enum"):
            return self._member(schema["enum"])
        for key in ("anyOf", "oneOf", "allOf"):
            if schema.get(key):
                return self.value(schema[key][0], depth)
        kind = kind_of(schema)
        builder = getattr(self, "_" + kind)
        return builder(schema, depth)

    def _member(self, members: list[Any]) -> Any:
        if self.widest:
            key = id(members)
            if key not in self.enum_chars:
                self.enum_chars[key] = max(map(_json_chars, members))
            self.budget.spend(0, self.enum_chars[key])
            return members[0]
        chosen = self.rng.choice(members)
        self.budget.spend(0, _json_chars(chosen))
        return chosen

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        if len(properties) > MAX_PROPERTIES:
            raise too_many_states()
        order = [*schema.get("propertyOrdering", ()), *properties]
        keys = list(dict.fromkeys(k for k in order if k in properties))
        weighed = len(order)
        if depth > SHALLOW:  # recursive schemas: only what is required
            required = set(schema.get("required", ()))
            weighed += len(required)
            keys = [k for k in keys if k in required]
        self.budget.spend(weighed - len(keys), 2 + sum(len(k) + 4 for k in keys))
        return {key: self.value(properties[key], depth + 1) for key in keys}

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 1 if depth <= SHALLOW else 0))
        if low > MAX_ITEMS:
            raise too_many_states()
        high = max(low, min(int(schema.get("maxItems", 3)), low + 2))
        if depth > FLOOR and self.recursions:  # deep in a recursion: the way out
            count = low
        elif self.widest:
            count = high
        else:
            count = self.rng.randint(low, high)
        self.budget.spend(0, 2 + count)
        return [self.value(schema.get("items", {}), depth + 1) for _ in range(count)]

    def _string(self, schema: dict[str, Any], depth: int) -> str:
        if schema.get("format") in _FORMATS:
            self.budget.spend(0, len(_FORMATS[schema["format"]]) + 2)
            return _FORMATS[schema["format"]]
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", 10**6))
        if low > MAX_STRING_LENGTH:
            raise too_many_states()
        self.budget.spend(0, min(max(low, _LONGEST_TEXT), max(high, 0)) + 2)
        if self.widest:  # its size is spent; its words would cost as much again
            return ""
        text = " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(1, 3)))
        text = text.ljust(low, "x")[: max(high, 0)]
        return text

    def _number(self, schema: dict[str, Any], depth: int) -> float:
        low, low_open, high, high_open = _limits(schema)
        first, last = _human_range(low, high)
        self.budget.spend(0, _NUMBER_CHARS)
        if self.widest or not first < last:
            return _exact(first)
        drawn = round(self.rng.uniform(first, last), 2)
        # Two decimals can fall on an open bound, or outside a tiny range; a float far from 0
        # has no midpoint between close bounds.
        for value in (drawn, (first + last) / 2, _exact(first), _exact(last)):
            if _inside(value, low, low_open, high, high_open):
                return value
        return _exact(first)  # no number between the bounds: the lower, as for integers

    def _integer(self, schema: dict[str, Any], depth: int) -> int:
        low, low_open, high, high_open = _limits(schema)
        lowest = None if low is None else math.floor(low) + 1 if low_open else math.ceil(low)
        highest = None if high is None else math.ceil(high) - 1 if high_open else math.floor(high)
        if lowest is not None and highest is not None and lowest > highest:
            self.budget.spend(0, len(str(lowest)))
            return lowest  # none between the bounds: the lower, as for min > max
        first, last = (int(bound) for bound in _human_range(lowest, highest))
        self.budget.spend(0, max(len(str(first)), len(str(last))))
        if self.widest:
            return first
        return self.rng.randint(first, last)

    def _boolean(self, schema: dict[str, Any], depth: int) -> bool:
        self.budget.spend(0, 5)
        return self.rng.random() < 0.5

    def _null(self, schema: dict[str, Any], depth: int) -> None:
        self.budget.spend(0, 4)
        return None


# A value a person would give where the schema allows a vast range (a zod ``int()`` allows
# +-2**53): within HUMAN_SPAN of 0, or of the bound that keeps 0 out. A range no wider than
# NARROW_SPAN is the schema's own choice, and drawn from whole.
HUMAN_SPAN = 100
NARROW_SPAN = 1000


def _exact(bound: float) -> float:
    """A bound as a JSON number: as a float when that is the same number, else as it is (an
    integer past 2**53 that no float holds)."""
    return float(bound) if float(bound) == bound else bound


def _human_range(low: float | None, high: float | None) -> tuple[float, float]:
    """Where to draw a number between ``low`` and ``high`` (either may be missing)."""
    if low is not None and high is not None and _finite(high - low) and high - low <= NARROW_SPAN:
        return low, max(low, high)
    first: float = 0 if low is None else max(0, low)
    if high is not None:
        first = min(first, high - HUMAN_SPAN)
    last = first + HUMAN_SPAN if high is None else min(first + HUMAN_SPAN, high)
    return first, last


def _limits(schema: dict[str, Any]) -> tuple[float | None, bool, float | None, bool]:
    """``(low, low is open, high, high is open)``: ``minimum``/``maximum`` with the exclusive
    bounds of either JSON Schema draft (a number of its own, or a boolean on the other)."""
    low, high = schema.get("minimum"), schema.get("maximum")
    low, low_open = _tighter(low, schema.get("exclusiveMinimum"), max)
    high, high_open = _tighter(high, schema.get("exclusiveMaximum"), min)
    return low, low_open, high, high_open


def _tighter(
    bound: float | None, exclusive: Any, pick: Callable[[float, float], float]
) -> tuple[float | None, bool]:
    if isinstance(exclusive, bool):  # draft 4: the inclusive bound made open
        return bound, exclusive and bound is not None
    if exclusive is None:
        return bound, False
    if bound is None or pick(bound, exclusive) == exclusive:
        return exclusive, True
    return bound, False


def _inside(
    value: float, low: float | None, low_open: bool, high: float | None, high_open: bool
) -> bool:
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    return above and below
