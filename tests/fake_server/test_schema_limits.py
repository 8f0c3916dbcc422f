"""Response and parameter schemas never crash, hang or stall the fake.

Whatever a generate request carries in ``responseJsonSchema``, ``responseSchema``,
``parameters`` or ``parametersJsonSchema``, the answer is a 200 or a 400 in the Google envelope,
and it comes at once: a keyword of the wrong type names itself, a ``$ref`` loop with no way out
gets the service's ref-loop message, and a schema past a limit gets the service's "too many
states" message. bench/schema_limits.py measures the worst of these cases (well under 100 ms
each); :data:`BOUND` here is looser, for busy CI machines.
"""

from __future__ import annotations

import json
import math
import random
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_server import FakeConfig, create_app
from fake_server.model.schema_checks import REF_LOOP, check_schemas
from fake_server.model.schema_instances import (
    MAX_DEPTH,
    MAX_ENUM,
    MAX_ITEMS,
    MAX_PROPERTIES,
    MAX_REF_CHAIN,
    MAX_STRING_LENGTH,
    TOO_MANY_STATES,
    Budget,
    instance,
    measure,
)
from fake_server.protocol.errors import ApiError
from fake_server.pytest_plugin import Fake
from tests.kit.schemas import largest

KEY = {"x-goog-api-key": "test-key", "content-type": "application/json"}
GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
BOUND = 1.0  # seconds a request may take here; the fake's own figures are in the benchmark
RESPONSE_JSON = "GenerateContentRequest.generation_config.response_json_schema"
PARAMETERS_JSON = "GenerateContentRequest.tools[0].function_declarations[0].parameters_json_schema"


@pytest.fixture
def client(gemini_fake: Fake) -> httpx.Client:
    return gemini_fake.client(headers=KEY)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt a request that runs past ``seconds`` (a spinning fake fails, not hangs)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def send(client: httpx.Client, request: dict[str, Any] | bytes, path: str = GENERATE) -> Any:
    """POST the request (a dict, or raw JSON text); the answer, checked to be in time."""
    content = request if isinstance(request, bytes) else json.dumps(request).encode()
    started = time.perf_counter()
    with deadline(10 * BOUND):
        response = client.post(path, content=content)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND, f"{elapsed:.2f} s for one request"
    assert response.status_code < 500, response.text
    return response


def json_mode(schema: Any, text: str = "Describe a film", **config: Any) -> dict[str, Any]:
    config = {"responseMimeType": "application/json", "responseJsonSchema": schema, **config}
    return {"contents": [{"parts": [{"text": text}]}], "generationConfig": config}


def openapi(schema: Any) -> dict[str, Any]:
    config = {"responseMimeType": "application/json", "responseSchema": schema}
    return {"contents": [{"parts": [{"text": "List cookie recipes"}]}], "generationConfig": config}


def tool(schema: Any, field: str = "parametersJsonSchema") -> dict[str, Any]:
    declaration = {"name": "describe_film", "description": "Describe a film", field: schema}
    return {
        "contents": [{"parts": [{"text": "Describe the film Alien"}]}],
        "tools": [{"functionDeclarations": [declaration]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY"}},
    }


def refused(response: httpx.Response, message: str) -> None:
    """A 400 INVALID_ARGUMENT in the Google envelope, with exactly this message."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"] == {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
    assert list(body["error"]) == ["code", "message", "status"]


def answer_json(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.json()["candidates"][0]["content"]["parts"][0]["text"])


def ref_loop(path: str) -> str:
    return REF_LOOP.format(path=path)


# --- keywords of the wrong type -----------------------------------------------------------

WRONG_TYPES = [
    ({"type": "array", "minItems": "abc"}, "minItems", 'a non-negative integer, not "abc"'),
    ({"type": "integer", "minimum": "a"}, "minimum", 'a finite number, not "a"'),
    ({"type": 5}, "type", "a type name or a list of type names, not 5"),
    ({"anyOf": {}}, "anyOf", "a list of schemas, not {}"),
    ({"anyOf": {"a": 1}}, "anyOf", 'a list of schemas, not {"a": 1}'),
    ({"type": "object", "propertyOrdering": 5}, "propertyOrdering", "a list of strings, not 5"),
    ({"type": "string", "format": []}, "format", "a string, not []"),
    ({"enum": 5}, "enum", "a list, not 5"),
    ({"type": "object", "properties": [1]}, "properties", "an object of schemas, not [1]"),
    ({"type": "object", "required": 5}, "required", "a list of strings, not 5"),
    ({"type": "array", "items": 5}, "items", "a schema or a list of schemas, not 5"),
    ({"$ref": 5}, "$ref", "a string, not 5"),
    ({"type": "string", "minLength": -1}, "minLength", "a non-negative integer, not -1"),
    ({"type": "array", "maxItems": 1.5}, "maxItems", "a non-negative integer, not 1.5"),
    ({"type": "array", "minItems": True}, "minItems", "a non-negative integer, not true"),
    ({"exclusiveMinimum": "x"}, "exclusiveMinimum", 'a finite number or a boolean, not "x"'),
    ({"$defs": []}, "$defs", "an object of schemas, not []"),
    ({"type": ["string", 5]}, "type", 'a type name or a list of type names, not ["string", 5]'),
]


@pytest.mark.parametrize(("schema", "keyword", "expected"), WRONG_TYPES)
@pytest.mark.parametrize(
    ("where", "request_of"), [(RESPONSE_JSON, json_mode), (PARAMETERS_JSON, tool)]
)
def test_a_wrongly_typed_keyword_in_a_schema_is_a_400_naming_it(
    client: httpx.Client,
    schema: dict[str, Any],
    keyword: str,
    expected: str,
    where: str,
    request_of: Callable[[Any], dict[str, Any]],
) -> None:
    refused(send(client, request_of(schema)), f"* {where}.{keyword}: must be {expected}\n")


def test_every_wrongly_typed_keyword_is_named_with_its_path(client: httpx.Client) -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "minItems": "abc"}, "n": {"maximum": "x"}},
        "required": 5,
    }
    refused(
        send(client, json_mode(schema)),
        f"* {RESPONSE_JSON}.required: must be a list of strings, not 5\n"
        f'* {RESPONSE_JSON}.properties.tags.minItems: must be a non-negative integer, not "abc"\n'
        f'* {RESPONSE_JSON}.properties.n.maximum: must be a finite number, not "x"\n',
    )


@pytest.mark.parametrize("schema", [5, "object", [1], 1.5])
def test_a_schema_that_is_not_an_object_or_a_boolean_is_a_400(
    client: httpx.Client, schema: Any
) -> None:
    shown = json.dumps(schema)
    message = f"* {PARAMETERS_JSON}: must be a schema (an object or a boolean), not {shown}\n"
    refused(send(client, tool(schema)), message)


@pytest.mark.parametrize("schema", [True, False, {}])
def test_a_boolean_or_empty_parameter_schema_gets_a_call(client: httpx.Client, schema: Any) -> None:
    body = send(client, tool(schema)).json()
    assert body["candidates"][0]["content"]["parts"][0]["functionCall"]["name"] == "describe_film"


def test_an_openapi_response_schema_of_the_wrong_type_is_refused_by_the_transcoder(
    client: httpx.Client,
) -> None:
    response = send(client, openapi({"type": "ARRAY", "minItems": "abc"}))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Invalid value at 'generation_config.response_schema.min_items' (TYPE_INT64), \"abc\""
    )
    response = send(client, tool({"type": "OBJECT", "propertyOrdering": {}}, "parameters"))
    assert response.status_code == 400


def test_an_openapi_schema_with_a_negative_count_is_a_400(client: httpx.Client) -> None:
    refused(
        send(client, openapi({"type": "ARRAY", "minItems": -1})),
        "* GenerateContentRequest.generation_config.response_schema.minItems: "
        "must be a non-negative integer, not -1\n",
    )
    refused(
        send(client, tool({"type": "STRING", "minLength": "-3"}, "parameters")),
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.minLength: "
        "must be a non-negative integer, not -3\n",
    )


TOO_LARGE = "Number exceeds the range of double."


# What is not a finite number never reaches the schema checks: the service's JSON parser
# refuses it first (docs/protocol.md#reading-request-bodies).
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type": "integer", "minimum": 1e400}', "Number exceeds the range of double."),
        ('{"type": "number", "maximum": -Infinity}', "Unable to parse number."),
        ('{"type": "number", "minimum": NaN}', "Unexpected token."),
        ('{"type": "number", "minimum": ' + "9" * 400 + "}", "Number exceeds the range of double."),
        (
            '{"type": "integer", "minimum": ' + "9" * 5000 + "}",
            "Number exceeds the range of double.",
        ),
        ('{"const": 1e400}', "Number exceeds the range of double."),
        ('{"enum": ["a", NaN]}', "Unexpected token."),
    ],
)
def test_a_schema_number_that_is_not_finite_is_refused_as_the_service_reads_json(
    client: httpx.Client, text: str, reason: str
) -> None:
    body = json.dumps(json_mode("SCHEMA")).replace('"SCHEMA"', text).encode()
    response = send(client, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith(f"Invalid JSON payload received. {reason}\n")


def test_an_enum_mode_schema_with_a_wrong_enum_is_a_400(client: httpx.Client) -> None:
    request = json_mode({"enum": {"a": 1}}, responseMimeType="text/x.enum")
    refused(send(client, request), f'* {RESPONSE_JSON}.enum: must be a list, not {{"a": 1}}\n')


def test_a_type_name_the_generator_does_not_know_is_a_string(client: httpx.Client) -> None:
    for name in ("bounds", "_object", "resolve", "Text"):
        assert isinstance(answer_json(send(client, json_mode({"type": name}))), str)


def test_an_integer_range_holding_no_integer_is_answered(client: httpx.Client) -> None:
    schema = {"type": "integer", "minimum": 0.5, "maximum": 0.7}
    assert answer_json(send(client, json_mode(schema))) == 1


def test_a_number_range_wider_than_a_float_is_answered_with_a_finite_number(
    client: httpx.Client,
) -> None:
    schema = {"type": "number", "minimum": -1e308, "maximum": 1e308}
    value = answer_json(send(client, json_mode(schema)))
    assert math.isfinite(value) and -1e308 <= value <= 1e308


# --- $ref loops -----------------------------------------------------------------------------


def node(**fields: Any) -> dict[str, Any]:
    return {"$defs": {"n": {"type": "object", **fields}}, "$ref": "#/$defs/n"}


N = {"$ref": "#/$defs/n"}
LOOPS = [
    ({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}, "$defs.a"),
    (
        {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}},
        "$defs.b",
    ),
    (node(properties={"next": N}, required=["next"]), "$defs.n.properties.next"),
    (
        node(properties={"kids": {"type": "array", "items": N, "minItems": 1}}, required=["kids"]),
        "$defs.n.properties.kids.items",
    ),
    ({"$defs": {"n": {"anyOf": [{"type": "string"}, N]}}, "$ref": "#/$defs/n"}, "$defs.n.anyOf.1"),
    ({"$defs": {"n": {"oneOf": [{"allOf": [N]}]}}, "$ref": "#/$defs/n"}, "$defs.n.oneOf.0.allOf.0"),
    (
        {
            "type": "object",
            "properties": {"x": {"anyOf": [{"$ref": "#/properties/x"}, {"type": "null"}]}},
            "required": ["x"],
        },
        "properties.x.anyOf.0",
    ),
]


@pytest.mark.parametrize(("schema", "path"), LOOPS)
def test_a_ref_loop_with_no_way_out_gets_the_services_message(
    client: httpx.Client, schema: dict[str, Any], path: str
) -> None:
    refused(send(client, json_mode(schema)), ref_loop(path))
    refused(send(client, tool(schema)), ref_loop(path))


def test_a_ref_to_itself_is_refused_on_a_socket_too_and_the_fake_goes_on(
    gemini_fake_server: Fake,
) -> None:
    cycle = {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}
    with gemini_fake_server.client(headers=KEY, timeout=5 * BOUND) as client:
        refused(send(client, json_mode(cycle)), ref_loop("$defs.a"))
        assert send(client, json_mode({"type": "string"})).status_code == 200


@pytest.mark.parametrize(
    "schema",
    [
        node(properties={"name": {"type": "string"}, "next": N}, required=["name"]),
        node(
            properties={"name": {"type": "string"}, "kids": {"type": "array", "items": N}},
            required=["name", "kids"],
        ),
        node(properties={"a": {"type": "array", "items": N}, "b": {"type": "array", "items": N}}),
    ],
)
def test_recursion_with_a_way_out_is_answered_with_a_valid_instance(
    client: httpx.Client, schema: dict[str, Any]
) -> None:
    for seed in range(5):
        value = answer_json(send(client, json_mode(schema, f"A tree, take {seed}")))
        jsonschema.validate(value, schema)


@pytest.mark.parametrize(
    "schema",
    [
        node(properties={"p": {"type": "array", "prefixItems": [N]}}, additionalProperties=N),
        node(properties={"p": {"not": N, "if": N, "then": N}}, required=["p"]),
        {"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["child"]},
    ],
)
def test_recursion_through_keywords_the_generator_does_not_follow_is_answered(
    client: httpx.Client, schema: dict[str, Any]
) -> None:
    answer_json(send(client, json_mode(schema)))


def test_deep_inside_a_recursion_arrays_hold_only_their_minimum() -> None:
    schema = node(
        properties={"kids": {"type": "array", "items": N, "maxItems": 2}}, required=["kids"]
    )

    def depth(value: Any) -> int:
        return 1 + max((depth(kid) for kid in value["kids"]), default=0)

    for seed in range(50):
        value = instance(schema, random.Random(seed))
        jsonschema.validate(value, schema)
        assert depth(value) <= 5  # node depths 0, 2, 4, 6, then the floor: no more kids


# --- limits ---------------------------------------------------------------------------------


def strings(count: int, length: int = 0) -> dict[str, Any]:
    item = {"type": "string", "minLength": length} if length else {"type": "string"}
    return {"type": "array", "minItems": count, "maxItems": count, "items": item}


def nested(levels: int) -> dict[str, Any]:
    """Arrays of arrays: one JSON object a level, so that the body stays within the JSON
    parser's 100 levels of objects while the schema reaches the fake's own depth limit."""
    schema: dict[str, Any] = {"type": "null"}
    for _ in range(levels):
        schema = {"type": "array", "items": schema, "minItems": 1, "maxItems": 1}
    return schema


def chain(hops: int) -> dict[str, Any]:
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(hops)}
    defs[f"d{hops}"] = {"type": "integer"}
    return {"$defs": defs, "$ref": "#/$defs/d0"}


def fan(width: int, levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        schema = {"anyOf": [schema] * width}
    return schema


def wide(count: int) -> dict[str, Any]:
    return {"type": "object", "properties": {f"p{i}": {"type": "null"} for i in range(count)}}


AT_LIMITS = {
    "minItems": strings(MAX_ITEMS) | {"items": {"type": "null"}},
    "minLength": {"type": "string", "minLength": MAX_STRING_LENGTH},
    "properties": wide(MAX_PROPERTIES),
    "enum": {"enum": list(range(MAX_ENUM))},
    "nesting": nested(MAX_DEPTH - 1),
    "$ref chain": chain(MAX_REF_CHAIN - 1),
    "schemas walked": fan(21, 3),
}
PAST_LIMITS = {
    "minItems 2,000,000": {"type": "array", "minItems": 2_000_000},
    "minItems": strings(MAX_ITEMS + 1) | {"items": {"type": "null"}},
    "minLength 10^12": {"type": "string", "minLength": 10**12},
    "minLength": {"type": "string", "minLength": MAX_STRING_LENGTH + 1},
    "properties": wide(MAX_PROPERTIES + 1),
    "required": {"type": "object", "required": [f"p{i}" for i in range(MAX_PROPERTIES + 1)]},
    "enum": {"enum": list(range(MAX_ENUM + 1))},
    "nesting": nested(MAX_DEPTH + 1),
    "$ref chain": chain(MAX_REF_CHAIN + 1),
    "schemas walked": fan(22, 3),
    "steps": {"type": "array", "minItems": MAX_ITEMS, "items": nested(3)},
    "characters": strings(10, MAX_STRING_LENGTH),
    "optional recursion": node(properties={k: N for k in "abcdefgh"}),
}


@pytest.mark.parametrize("name", AT_LIMITS)
def test_a_schema_at_a_limit_is_answered(client: httpx.Client, name: str) -> None:
    send(client, json_mode(AT_LIMITS[name])).raise_for_status()


@pytest.mark.parametrize("name", PAST_LIMITS)
def test_a_schema_past_a_limit_gets_the_services_too_many_states(
    client: httpx.Client, name: str
) -> None:
    refused(send(client, json_mode(PAST_LIMITS[name])), TOO_MANY_STATES)
    refused(send(client, tool(PAST_LIMITS[name])), TOO_MANY_STATES)


def test_each_candidate_spends_from_the_same_budget(client: httpx.Client) -> None:
    schema = strings(MAX_ITEMS // 2) | {"items": {"type": "null"}}
    send(client, json_mode(schema)).raise_for_status()
    refused(send(client, json_mode(schema, candidateCount=8)), TOO_MANY_STATES)


def test_all_the_tools_of_a_request_spend_from_one_budget(client: httpx.Client) -> None:
    schema = strings(MAX_ITEMS // 2) | {"items": {"type": "null"}}
    declarations = [
        {"name": f"f{i}", "description": "d", "parametersJsonSchema": schema} for i in range(8)
    ]
    request = tool({}) | {"tools": [{"functionDeclarations": declarations}]}
    refused(send(client, request), TOO_MANY_STATES)
    request["tools"][0]["functionDeclarations"] = declarations[:1]
    send(client, request).raise_for_status()


def test_the_worst_schemas_take_no_longer_than_the_bound(client: httpx.Client) -> None:
    pairs = {"type": "object", "properties": {"a": {}, "b": {}}}
    chained = chain(MAX_REF_CHAIN - 1) | {"type": "array", "items": {"$ref": "#/$defs/d0"}}
    worst = [
        (1, largest(lambda n: strings(n) | {"items": pairs}, 1)),
        (8, largest(lambda n: strings(n) | {"items": pairs}, 8)),
        (8, largest(lambda n: strings(n) | {"items": {"type": "boolean"}}, 8)),
        (1, largest(lambda n: chained | {"minItems": n}, 1)),
        (1, fan(21, 3)),
    ]
    for candidates, schema in worst:
        for path in (GENERATE, STREAM):
            response = send(client, json_mode(schema, candidateCount=candidates), path)
            assert response.status_code == 200


# --- the same request is refused, whatever answers it -------------------------------------

CYCLE = {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("text", ["How does AI work?", "A prompt no fixture has"])
def test_a_bad_schema_is_refused_whether_or_not_a_fixture_matches(text: str, strict: bool) -> None:
    config = FakeConfig(strict=strict, default_fixtures=True)
    fake = Fake(create_app(config), "http://gemini-fake.test")
    with fake.client(headers=KEY) as client:
        # With a good schema: the fixture's answer, a synthetic one, or the strict miss.
        good = send(client, json_mode({"type": "string"}, text)).status_code
        assert good == (400 if strict and text != "How does AI work?" else 200)
        refused(send(client, json_mode(CYCLE, text)), ref_loop("$defs.a"))
        wrong = f'* {RESPONSE_JSON}.minItems: must be a non-negative integer, not "abc"\n'
        refused(send(client, json_mode({"minItems": "abc"}, text)), wrong)
        huge = {"type": "array", "minItems": 10**7}
        refused(send(client, json_mode(huge, text)), TOO_MANY_STATES)
    answered_by = [entry.answered_by for entry in fake.journal.entries]
    assert answered_by[1:] == ["error:INVALID_ARGUMENT"] * 3


def test_a_fixture_answer_in_json_mode_gets_a_valid_instance(client: httpx.Client) -> None:
    schema = {"type": "object", "properties": {"summary": {"type": "string"}}}
    value = answer_json(send(client, json_mode(schema, "How does AI work?")))
    jsonschema.validate(value, schema)


def test_a_stream_is_refused_with_the_same_status(client: httpx.Client) -> None:
    response = send(client, json_mode(CYCLE), STREAM)
    assert response.status_code == 400
    assert ref_loop("$defs.a") in response.text


# --- any JSON value -------------------------------------------------------------------------

KEYWORDS = [
    "type", "properties", "required", "items", "prefixItems", "additionalProperties", "anyOf",
    "oneOf", "allOf", "enum", "const", "format", "$ref", "$defs", "definitions", "minItems",
    "maxItems", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "propertyOrdering", "nullable", "description",
]  # fmt: skip
TYPES = ["object", "array", "string", "integer", "number", "boolean", "null", "OBJECT", "x"]
REFS = ["#/$defs/a", "#/$defs/b", "#/definitions/a", "#", "#/properties/a", "#/items"]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([0, 1, 2, 3, 1000, 10**6, 10**400, 1.5, -1, 1e308])
    | st.floats()
    | st.sampled_from(TYPES + REFS + ["date", "a", "b"])
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(KEYWORDS + ["a", "b"]) | st.text(max_size=4), inner, max_size=5
        )
    ),
    max_leaves=40,
)


def body_of(request: dict[str, Any]) -> bytes:
    return json.dumps(request, allow_nan=True).encode()  # NaN and Infinity as Python reads them


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=values, place=st.sampled_from(["json", "openapi", "tool", "parameters", "enum"]))
def test_any_json_value_as_a_schema_gets_an_answer_or_a_400_in_time(
    schema: Any, place: str
) -> None:
    fake = Fake(create_app(FakeConfig()), "http://gemini-fake.test")
    request = {
        "json": lambda: json_mode(schema),
        "openapi": lambda: openapi(schema),
        "tool": lambda: tool(schema),
        "parameters": lambda: tool(schema, "parameters"),
        "enum": lambda: json_mode(schema, responseMimeType="text/x.enum"),
    }[place]()
    with fake.client(headers=KEY) as client:
        for path in (GENERATE, STREAM):
            response = send(client, body_of(request), path)
            if response.status_code != 200:
                error = json.loads(response.text.removeprefix("data: "))["error"]
                assert list(error)[:3] == ["code", "message", "status"]
                assert error["code"] == response.status_code
            elif path == GENERATE and place in ("json", "openapi"):
                part = response.json()["candidates"][0]["content"]["parts"][0]
                json.loads(part["text"])


@settings(max_examples=300, deadline=None)
@given(schema=values, seed=st.integers(0, 2**32))
def test_no_seeded_instance_spends_more_than_the_widest(schema: Any, seed: int) -> None:
    try:
        check_schemas({"generationConfig": {"responseJsonSchema": schema}})
    except ApiError:
        return
    widest = Budget()
    measure(schema, widest)
    seeded = Budget()
    value = instance(schema, random.Random(seed), seeded)
    assert seeded.steps >= widest.steps and seeded.chars >= widest.chars
    json.dumps(value, allow_nan=False)
