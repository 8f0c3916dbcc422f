"""Deterministic JSON instances for a response schema.

Two dialects reach the fake: ``responseJsonSchema`` (JSON Schema) and ``responseSchema`` (the
OpenAPI subset with ``"type": "OBJECT"``). Both are walked by one generator; a seeded
``random.Random`` picks enum members, lengths and numbers, so the same request always gets the
same instance, and the instance is valid against the schema it came from.
"""

from __future__ import annotations

import random
from typing import Any

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
_FORMATS = {
    "date-time": "2025-06-17T12:00:00Z",
    "date": "2025-06-17",
    "time": "12:00:00",
    "email": "neko@example.com",
    "uri": "https://example.com/",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
}


def instance(schema: Any, rng: random.Random) -> Any:
    """An instance of ``schema`` (either dialect); ``{}`` for an empty or boolean schema."""
    return _Generator(schema if isinstance(schema, dict) else {}, rng).value(schema, 0)


class _Generator:
    def __init__(self, root: dict[str, Any], rng: random.Random) -> None:
        self.root = root
        self.rng = rng

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        while isinstance(ref, str) and ref.startswith("#/"):
            target: Any = self.root
            for key in ref[2:].split("/"):
                target = target.get(key, {}) if isinstance(target, dict) else {}
            schema = target if isinstance(target, dict) else {}
            ref = schema.get("$ref")
        return schema

    def value(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, dict):
            return {}
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf", "allOf"):
            if schema.get(key):
                return self.value(schema[key][0], depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        kind = (kind or ("object" if "properties" in schema else "string")).lower()
        return getattr(self, "_" + kind, self._string)(schema, depth)

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties") or {}
        order = [*schema.get("propertyOrdering", ()), *properties]
        keys = list(dict.fromkeys(k for k in order if k in properties))
        if depth > 4:  # recursive schemas: only what is required
            keys = [k for k in keys if k in schema.get("required", ())]
        return {key: self.value(properties[key], depth + 1) for key in keys}

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        low = int(schema.get("minItems", 1 if depth <= 4 else 0))
        high = max(low, min(int(schema.get("maxItems", 3)), low + 2))
        count = self.rng.randint(low, high)
        return [self.value(schema.get("items", {}), depth + 1) for _ in range(count)]

    def _string(self, schema: dict[str, Any], depth: int) -> str:
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        text = " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(1, 3)))
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", 10**6))
        text = text.ljust(low, "x")[: max(high, 0)]
        return text

    def _number(self, schema: dict[str, Any], depth: int) -> float:
        low, high = self._bounds(schema, 0.0, 100.0)
        return round(self.rng.uniform(low, high), 2) if low < high else float(low)

    def _integer(self, schema: dict[str, Any], depth: int) -> int:
        low, high = self._bounds(schema, 0, 100)
        return self.rng.randint(int(-(-low // 1)), int(high // 1))

    def _bounds(self, schema: dict[str, Any], low: float, high: float) -> tuple[float, float]:
        low = schema.get("minimum", low)
        high = schema.get("maximum", max(high, low))
        if "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        if "exclusiveMaximum" in schema:
            high = schema["exclusiveMaximum"] - 1
        return low, max(low, high)

    def _boolean(self, schema: dict[str, Any], depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: dict[str, Any], depth: int) -> None:
        return None
