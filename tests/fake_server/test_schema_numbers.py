"""Numbers in JSON answers: values a person would give, and always valid against the schema.

A zod ``z.number().int()`` allows +-2**53; a model asked for an age answers 34, not
3502101366624269. The fake draws near 0 (or near the bound that keeps 0 out) where a schema
allows a vast range, and from the whole range where the schema narrows it.
"""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fake_server.model.schema_instances import instance

SAFE = 2**53 - 1  # Number.MAX_SAFE_INTEGER, zod's bounds for .int()
ZOD_PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": -SAFE, "maximum": SAFE},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
    "$schema": "http://json-schema.org/draft-07/schema#",
}


def draws(schema: dict[str, Any], count: int = 200) -> list[Any]:
    return [instance(schema, random.Random(seed)) for seed in range(count)]


def test_an_age_from_a_zod_schema_is_a_human_one(client: httpx.Client) -> None:
    config = {"responseMimeType": "application/json", "responseJsonSchema": ZOD_PERSON}
    request = {"contents": [{"parts": [{"text": "A person"}]}], "generationConfig": config}
    response = client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=request)
    assert response.status_code == 200, response.text
    person = json.loads(response.json()["candidates"][0]["content"]["parts"][0]["text"])
    assert 0 <= person["age"] <= 100


@pytest.mark.parametrize(
    ("schema", "low", "high"),
    [
        ({"type": "integer", "minimum": -SAFE, "maximum": SAFE}, 0, 100),
        ({"type": "integer"}, 0, 100),
        ({"type": "integer", "minimum": 18, "maximum": SAFE}, 18, 118),
        ({"type": "integer", "exclusiveMinimum": 0, "maximum": SAFE}, 1, 101),
        ({"type": "integer", "maximum": -5}, -105, -5),
        ({"type": "integer", "minimum": 10**6}, 10**6, 10**6 + 100),
        ({"type": "number", "minimum": -1e308, "maximum": 1e308}, 0, 100),
        ({"type": "number", "minimum": 1500.5}, 1500.5, 1600.5),
        ({"type": "NUMBER", "minimum": -SAFE, "maximum": SAFE}, 0, 100),
    ],
    ids=[
        "zod-int",
        "unbounded",
        "a-minimum",
        "zod-positive",
        "a-negative-maximum",
        "a-large-minimum",
        "number-wider-than-a-float",
        "number-minimum",
        "openapi-number",
    ],
)
def test_a_vast_range_is_drawn_near_zero_or_the_bound_that_keeps_it_out(
    schema: dict[str, Any], low: float, high: float
) -> None:
    values = draws(schema)
    assert all(low <= v <= high for v in values), (min(values), max(values))
    assert len(set(values)) > 20  # still drawn, not one fixed value


def test_a_range_the_schema_narrows_is_drawn_from_whole() -> None:
    values = draws({"type": "integer", "minimum": 0, "maximum": 150})
    assert min(values) >= 0 and max(values) <= 150
    assert max(values) > 100  # the schema's own range, not the human window


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
        {"type": "number", "minimum": 0.001, "maximum": 0.002},
        {"type": "number", "minimum": 5, "exclusiveMinimum": True},  # draft 4
        {"type": "integer", "minimum": 5, "maximum": 10, "exclusiveMaximum": True},
        {"type": "number", "minimum": -SAFE, "exclusiveMaximum": -SAFE + 1},
    ],
)
def test_every_value_is_valid_against_its_schema(schema: dict[str, Any]) -> None:
    for value in draws(schema, 50):
        validator = jsonschema.Draft4Validator if "True" in repr(schema) else None
        jsonschema.validate(value, {**schema, "type": schema["type"]}, cls=validator)


@given(
    low=st.one_of(st.none(), st.integers(-(2**60), 2**60)),
    width=st.one_of(st.none(), st.integers(0, 2**61)),
    kind=st.sampled_from(["integer", "number"]),
    seed=st.integers(0, 2**32),
)
@example(low=2**53 + 1, width=0, kind="number", seed=0)  # no float is that number
def test_any_bounds_give_a_valid_value(
    low: int | None, width: int | None, kind: str, seed: int
) -> None:
    schema: dict[str, Any] = {"type": kind}
    if low is not None:
        schema["minimum"] = low
    if width is not None:
        schema["maximum"] = (low or 0) + width
    value = instance(schema, random.Random(seed))
    jsonschema.validate(value, schema)
