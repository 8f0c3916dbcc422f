"""The service's checks on the schemas of a generate request, before anything answers it.

A request carries schemas in ``generationConfig.responseSchema`` (the OpenAPI subset, already
typed by the transcoder), ``generationConfig.responseJsonSchema`` (JSON Schema, any JSON value)
and each function declaration's ``parameters`` / ``parametersJsonSchema``. Each is checked in
three steps, and the first that fails refuses the request with a 400 ``INVALID_ARGUMENT``:

1. **Keywords of the wrong type** (``"minItems": "abc"``, ``"type": 5``, ``"anyOf": {}``), and
   numbers that are not finite: one line each, ``* <field>.<path>.<keyword>: must be ...``.
   The service's wording for these is not recorded; this is the fake's
   (docs/deviations.md#validation).
2. **A ``$ref`` loop with no way out**: the service compiles a schema into a constraint and
   accepts a loop only through an optional property or an array that may be empty; it names the
   place the loop closes (docs/evidence.md#service-schema-errors).
3. **Size**: the widest instance of every schema is built against one budget for the request
   (:func:`.schema_instances.measure`), and past any limit of :mod:`.schema_instances` the
   service's "too many states" message answers.

They run with the other value rules (:mod:`.validate`), so the same request is refused whether
or not a fixture would answer it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from ..protocol.errors import invalid_argument
from .schema_instances import (
    MAX_CHARS,
    MAX_ENUM,
    MAX_ITEMS,
    MAX_PROPERTIES,
    MAX_STEPS,
    MAX_STRING_LENGTH,
    Budget,
    followed,
    kind_of,
    measure,
    pointer,
    too_many_states,
)

# Schemas walked in one request. A real response schema has tens; all the parameter schemas of
# an app with a hundred tools, a few thousand.
MAX_SCHEMA_NODES = 10_000

REF_LOOP = (
    "ref loops are only supported if they include optional or nullable property values, or a "
    "potentially-zero-length array items, but a ref loop of required fields was found at {path}"
)

_SCHEMA = "a schema (an object or a boolean)"
_COUNT = "a non-negative integer"
_NUMBER = "a finite number"
# keyword: what it must be. The generator reads all of these.
_KEYWORDS: dict[str, str] = {
    "$ref": "a string",
    "type": "a type name or a list of type names",
    "format": "a string",
    "enum": "a list",
    "required": "a list of strings",
    "propertyOrdering": "a list of strings",
    "properties": "an object of schemas",
    "$defs": "an object of schemas",
    "definitions": "an object of schemas",
    "items": "a schema or a list of schemas",
    "prefixItems": "a list of schemas",
    "additionalProperties": _SCHEMA,
    "not": _SCHEMA,
    "anyOf": "a list of schemas",
    "oneOf": "a list of schemas",
    "allOf": "a list of schemas",
    "minItems": _COUNT,
    "maxItems": _COUNT,
    "minLength": _COUNT,
    "maxLength": _COUNT,
    "minProperties": _COUNT,
    "maxProperties": _COUNT,
    "minimum": _NUMBER,
    "maximum": _NUMBER,
    "exclusiveMinimum": "a finite number or a boolean",
    "exclusiveMaximum": "a finite number or a boolean",
}
# Beyond these a schema cannot be served at all (schema_instances' limits, read statically).
_LARGEST = {"minItems": MAX_ITEMS, "minLength": MAX_STRING_LENGTH}
_LONGEST = {
    "properties": MAX_PROPERTIES,
    "required": MAX_PROPERTIES,
    "propertyOrdering": MAX_PROPERTIES,
    "enum": MAX_ENUM,
}
_FIELDS = (
    ("responseSchema", "response_schema"),
    ("responseJsonSchema", "response_json_schema"),
)
_PARAMETERS = (("parameters", "parameters"), ("parametersJsonSchema", "parameters_json_schema"))


def check_schemas(request: dict[str, Any]) -> None:
    """Every schema of a generate request, in the order they appear; raises ApiError."""
    config = request.get("generationConfig", {})
    candidates = max(1, int(config.get("candidateCount", 1)))
    walked = [0]
    left = Budget()  # what all the request's schemas may describe together
    for field, schema in _schemas(request):
        problems = _problems(schema, walked)
        if problems:
            raise invalid_argument("".join(f"* {field}{path}: {text}\n" for path, text in problems))
        loop = _required_loop(schema)
        if loop is not None:
            raise invalid_argument(REF_LOOP.format(path=loop))
        # Each answer (one per candidate) holds one instance of the schema it uses.
        steps = min(left.steps, MAX_STEPS // candidates)
        chars = min(left.chars, MAX_CHARS // candidates)
        budget = Budget(steps, chars)
        measure(schema, budget)
        left.spend(steps - budget.steps, chars - budget.chars)


def _schemas(request: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(the field's path, the schema) for each schema of the request."""
    config = request.get("generationConfig", {})
    for name, field in _FIELDS:
        if name in config:
            yield f"GenerateContentRequest.generation_config.{field}", config[name]
    for i, tool in enumerate(request.get("tools", [])):
        for j, declaration in enumerate(tool.get("functionDeclarations", [])):
            for name, field in _PARAMETERS:
                if name in declaration:
                    at = f"GenerateContentRequest.tools[{i}].function_declarations[{j}].{field}"
                    yield at, declaration[name]


def _problems(schema: Any, walked: list[int]) -> list[tuple[str, str]]:
    """(path, what is wrong) for every keyword of the wrong type, walking every subschema.

    A schema past a size limit is refused as too big once its keywords are all of their types.
    """
    problems: list[tuple[str, str]] = []
    too_big = False
    stack: list[tuple[Any, str]] = [(schema, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            problems.append((path, f"must be {_SCHEMA}, not {_shown(node)}"))
            continue
        walked[0] += 1
        if walked[0] > MAX_SCHEMA_NODES:
            raise too_many_states()
        children: list[tuple[Any, str]] = []
        for keyword, value in node.items():
            expected = _KEYWORDS.get(keyword)
            if expected is None:
                continue
            if not _fits(keyword, value, children, f"{path}.{keyword}"):
                problems.append((f"{path}.{keyword}", f"must be {expected}, not {_shown(value)}"))
            elif keyword in _LARGEST:
                too_big = too_big or value > _LARGEST[keyword]
            elif keyword in _LONGEST:
                too_big = too_big or len(value) > _LONGEST[keyword]
        for keyword in ("const", "enum"):
            if keyword in node and not _all_finite(node[keyword]):
                problems.append((f"{path}.{keyword}", "must hold only finite numbers"))
        stack.extend(reversed(children))
    if too_big and not problems:
        raise too_many_states()
    return problems


def _fits(keyword: str, value: Any, children: list[tuple[Any, str]], path: str) -> bool:
    """Whether ``value`` has the type ``keyword`` takes; its subschemas go to ``children``."""
    expected = _KEYWORDS[keyword]
    if expected == _SCHEMA:
        children.append((value, path))
        return True
    if expected == _COUNT:
        return _number(value) and value >= 0 and float(value).is_integer()
    if expected == _NUMBER:
        return _number(value)
    if keyword.startswith("exclusive"):
        return isinstance(value, bool) or _number(value)
    if keyword == "type":
        return isinstance(value, str) or _strings(value)
    if expected == "a string":
        return isinstance(value, str)
    if expected == "a list":
        return isinstance(value, list)
    if expected == "a list of strings":
        return _strings(value)
    if expected == "an object of schemas":
        if not isinstance(value, dict):
            return False
        children.extend((sub, f"{path}.{name}") for name, sub in value.items())
        return True
    if keyword == "items" and isinstance(value, dict | bool):
        children.append((value, path))
        return True
    if not isinstance(value, list):  # a list of schemas (items in the older tuple form too)
        return False
    children.extend((sub, f"{path}.{index}") for index, sub in enumerate(value))
    return True


def _number(value: Any) -> bool:
    """A JSON number a float holds: not a boolean, not NaN, not past the float range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _all_finite(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float | int) and not isinstance(item, bool) and not _number(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _required_loop(schema: Any) -> str | None:
    """Where a ``$ref`` loop closes that no instance can leave, or None.

    The edges are the steps a minimal instance must take: a ``$ref``; every branch of ``anyOf``,
    ``oneOf`` or ``allOf``; a required property of an object; the items of an array with a
    ``minItems`` of one or more. An optional property or an array that may be empty is the way
    out the service accepts (docs/evidence.md#service-schema-errors). The place named is the
    schema holding the ``$ref`` that closes the loop, as the service names it.
    """
    if not isinstance(schema, dict):
        return None
    on_path: dict[int, bool] = {id(schema): True}  # False once every step from it is followed
    stack = [(schema, _steps(schema, "", schema))]
    while stack:
        node, steps = stack[-1]
        for child, path, where in steps:
            seen = on_path.get(id(child))
            if seen:
                return where
            if seen is None:
                on_path[id(child)] = True
                stack.append((child, _steps(child, path, schema)))
                break
        else:
            on_path[id(node)] = False
            stack.pop()
    return None


def _steps(
    node: dict[str, Any], path: str, root: dict[str, Any]
) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(schema, its path, where the step is taken) for each step a minimal instance takes."""
    ref = node.get("$ref")
    if followed(ref):
        yield pointer(root, ref), ref[2:].replace("/", "."), path
        return
    if "const" in node or node.get("enum"):
        return
    children: list[tuple[Any, str]] = []
    for key in ("anyOf", "oneOf", "allOf"):
        if node.get(key):
            children = [(sub, _join(path, f"{key}.{i}")) for i, sub in enumerate(node[key])]
            break
    else:
        kind = kind_of(node)
        if kind == "object":
            properties = node.get("properties") or {}
            required = set(node.get("required", ()))
            children = [
                (sub, _join(path, f"properties.{name}"))
                for name, sub in properties.items()
                if name in required
            ]
        elif kind == "array" and node.get("minItems", 0) >= 1:
            children = [(node.get("items"), _join(path, "items"))]
    for child, at in children:
        if isinstance(child, dict):
            yield child, at, at


def _join(path: str, step: str) -> str:
    return f"{path}.{step}" if path else step
