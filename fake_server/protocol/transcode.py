"""The transcoder: a request body read the way the real service reads it into its messages.

The real service reads a JSON body into protocol buffers before any handler sees it, and this
module plays that part: it accepts each field under its JSON name (``thinkingBudget``) or its proto
name (``thinking_budget``) at any depth, turns both base64 alphabets into standard base64, folds
``null`` to "not set", and rejects what the real transcoder rejects (unknown names, wrong JSON
types, bad base64, bad enum values) with the real messages. Its output is the *canonical*
request: camelCase keys, standard base64, integral floats as ints, every turn with a role;
matching, validation and the journal all work on that one form.

The messages and their field kinds are :mod:`.messages`.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request_detail, invalid_argument
from .messages import ENUMS, MESSAGES

_SCALAR_TYPE_NAMES = {
    "string": "TYPE_STRING",
    "bool": "TYPE_BOOL",
    "int32": "TYPE_INT32",
    "count": "TYPE_INT32",
    "int64": "TYPE_INT64",
    "float": "TYPE_FLOAT",
    "double": "TYPE_DOUBLE",
    "bytes": "TYPE_BYTES",
}
_INT_LIMITS = {"int32": 2**31, "int64": 2**63, "count": 2**31}


def snake(name: str) -> str:
    """``thinkingBudget`` → ``thinking_budget``: the proto name the real messages quote."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


# For every message: both spellings of each field → (JSON name, kind).
_LOOKUP: dict[str, dict[str, tuple[str, str]]] = {
    message: {
        spelling: (json_name, kind)
        for json_name, kind in fields.items()
        for spelling in (json_name, snake(json_name))
    }
    for message, fields in MESSAGES.items()
}


@dataclass
class _Problems:
    """What the transcoder found wrong: every unknown name, reported at once like the real one."""

    api_version: str
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (name, parent path)


def transcode(body: Any, message: str, api_version: str = "v1beta") -> dict[str, Any]:
    """Read a parsed JSON body as ``message`` and return its canonical form, or raise ApiError."""
    problems = _Problems(api_version)
    if not isinstance(body, dict):
        raise invalid_argument(
            "Invalid JSON payload received. Expected an object at the top level."
        )
    result = _message(body, message, "", problems)
    if problems.unknown:
        raise _unknown_names_error(problems.unknown)
    _fold_default_roles(result)
    return result


def _fold_default_roles(request: dict[str, Any]) -> None:
    """A turn without a role is the user's (the guide's curl bodies send none)."""
    for content in request.get("contents", []):
        if not content.get("role"):
            content["role"] = "user"
    inner = request.get("generateContentRequest")
    if inner is not None:
        _fold_default_roles(inner)


def _unknown_names_error(unknown: list[tuple[str, str]]) -> ApiError:
    descriptions = []
    details = []
    for name, parent in unknown:
        where = f" at '{parent}'" if parent else ""
        text = f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
        descriptions.append(text)
        details.append(bad_request_detail(text, parent or None))
    violations = [v for d in details for v in d["fieldViolations"]]
    detail = {"@type": details[0]["@type"], "fieldViolations": violations}
    return invalid_argument("\n".join(descriptions), [detail])


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_url(message: str, api_version: str) -> str:
    return f"type.googleapis.com/google.ai.generativelanguage.{api_version}.{message}"


def _invalid_value(path: str, type_name: str, value: Any) -> ApiError:
    shown = json.dumps(value, ensure_ascii=False)
    text = f"Invalid value at '{path}' ({type_name}), {shown}"
    return invalid_argument(text, [bad_request_detail(text, path)])


def _message(value: Any, message: str, path: str, problems: _Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid_value(path, _type_url(message, problems.api_version), value)
    fields = _LOOKUP[message]
    out: dict[str, Any] = {}
    for key, item in value.items():
        spec = fields.get(key)
        if spec is None:
            problems.unknown.append((key, path))
            continue
        if item is None:
            continue
        json_name, kind = spec
        out[json_name] = _field(item, kind, _join(path, snake(json_name)), problems)
    return out


def _field(value: Any, kind: str, path: str, problems: _Problems) -> Any:
    if kind.endswith("[]"):
        item_kind = kind[:-2]
        if not isinstance(value, list):
            value = [value]  # the transcoder takes a lone value for a one-element list
        return [_field(v, item_kind, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if kind.startswith("map:"):
        if not isinstance(value, dict):
            raise _invalid_value(path, "map", value)
        return {k: _field(v, kind[4:], f"{path}[{k}]", problems) for k, v in value.items()}
    if kind.startswith("enum:"):
        return _enum(value, kind[5:], path, problems.api_version)
    if kind in MESSAGES:
        return _message(value, kind, path, problems)
    return _scalar(value, kind, path)


def _enum(value: Any, enum: str, path: str, api_version: str) -> str:
    names = ENUMS[enum]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.upper() in names:
        return value.upper()
    raise _invalid_value(path, _type_url(enum, api_version), value)


def _scalar(value: Any, kind: str, path: str) -> Any:
    if kind == "value":
        return _json_value(value)
    if kind == "struct":
        if not isinstance(value, dict):
            raise _invalid_value(path, "type.googleapis.com/google.protobuf.Struct", value)
        return _json_value(value)
    type_name = _SCALAR_TYPE_NAMES[kind]
    if kind == "string":
        if isinstance(value, str):
            return value
    elif kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "bytes":
        if isinstance(value, str):
            return _standard_base64(value, path)
    elif kind in _INT_LIMITS:
        number = _number(value)
        limit = _INT_LIMITS[kind]
        if number is not None and number == int(number) and -limit <= number < limit:
            return int(number)
    else:  # float, double
        number = _number(value)
        if number is not None:
            return int(number) if number == int(number) else number
    raise _invalid_value(path, type_name, value)


def _json_value(value: Any) -> Any:
    """A Struct or Value as the service holds it: every key and ``null`` kept, numbers as
    doubles, so a whole one (``10.0``) is the integer it equals (``10``)."""
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def _standard_base64(value: str, path: str) -> str:
    """Either alphabet, padded or not, in; standard padded base64 out."""
    text = value.replace("-", "+").replace("_", "/").strip()
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        message = f"Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for \"{value}\""
        raise invalid_argument(message, [bad_request_detail(message, path)]) from None
    return base64.b64encode(raw).decode()
