"""The wire format: the one converter between our dataclasses and the JSON the API speaks.

``to_wire(obj)`` turns a dataclass into a camelCase JSON value: ``None`` fields are dropped,
``bytes`` become standard base64, enum members become their values. ``from_wire(cls, data)``
goes the other way, driven by the dataclass's type hints: it accepts camelCase *and*
snake_case keys (so user dicts in either spelling work), turns int64-as-string into ``int``,
base64 (either alphabet) into ``bytes`` and RFC 3339 timestamps into aware ``datetime`` values
(written back as UTC with a ``Z``).

Two conventions keep every type in ``_types/`` free of hand-written conversion code:

* A field's wire name is its camelCase name unless its metadata says otherwise, for the few
  places where the SDK renames a field (``field(metadata={"wire": "supportedGenerationMethods"})``).
* Every type has an ``extra`` dict. Keys the dataclass does not model land there when reading
  the service's answers, and are written back verbatim by ``to_wire``, so a model turn with a
  part kind we don't model yet (``executableCode``, ``toolCall`` …) survives a round trip.
  User input is stricter: ``from_wire(..., strict=True)`` rejects an unknown key with a
  ``TypeError`` that names it, because there it is almost always a typo.

Values typed ``Any`` or ``dict[str, Any]`` (function arguments, JSON schemas, labels) are user
data, not API structure: their keys are never renamed.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import re
import types
import typing
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class _FieldSpec:
    attr: str  # the Python name, snake_case
    wire: str  # the JSON name, camelCase
    hint: Any  # the resolved type hint, without its ``| None`` (a ``None`` value is kept as is)


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


_FIELDS: dict[type, tuple[_FieldSpec, ...]] = {}
_KEYS: dict[type, frozenset[str]] = {}


def _fields(cls: type) -> tuple[_FieldSpec, ...]:
    """The fields of a dataclass with their wire names and resolved hints, computed once."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = tuple(
            _FieldSpec(f.name, f.metadata.get("wire", camel_case(f.name)), _optional(hints[f.name]))
            for f in dataclasses.fields(cls)
            if f.name != "extra"
        )
    return _FIELDS[cls]


def _keys(cls: type) -> frozenset[str]:
    """Every key ``from_wire`` reads for ``cls``: each field's wire name and Python name."""
    if cls not in _KEYS:
        _KEYS[cls] = frozenset(name for spec in _fields(cls) for name in (spec.wire, spec.attr))
    return _KEYS[cls]


def _optional(hint: Any) -> Any:
    """``X`` for ``X | None``; any other hint as it is."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [member for member in typing.get_args(hint) if member is not type(None)]
        if len(options) == 1:
            return options[0]
    return hint


def to_wire(value: Any) -> Any:
    """A dataclass (or a list/dict holding them) as a JSON-ready value with camelCase keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for spec in _fields(type(value)):
            item = getattr(value, spec.attr)
            if item is not None:
                out[spec.wire] = to_wire(item)
        for key, item in getattr(value, "extra", {}).items():
            out.setdefault(key, to_wire(item))
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    return value


def from_wire(cls: type[T], data: Any, *, strict: bool = False) -> T:
    """Build ``cls`` from a JSON object, following the type hints of its fields.

    ``data`` may also be an instance of ``cls``: it is rebuilt field by field, so dicts a caller
    nested inside it (``GenerateContentConfig(thinking_config={"thinking_budget": 0})``) are
    converted too. Raises ``TypeError`` or ``ValueError`` when ``data`` does not fit; ``strict``
    rejects keys that ``cls`` does not model instead of keeping them in ``extra``.
    """
    if isinstance(data, cls):
        extra = dict(getattr(data, "extra", {}))
        data = {spec.attr: getattr(data, spec.attr) for spec in _fields(cls)}
    elif isinstance(data, dict):
        extra = {}
    else:
        raise TypeError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    kwargs: dict[str, Any] = {}
    for spec in _fields(cls):
        key = spec.wire if spec.wire in data else spec.attr
        if key in data:
            where = f"{cls.__name__}.{spec.attr}"
            kwargs[spec.attr] = _convert(spec.hint, data[key], strict, where)
    known = _keys(cls)
    unknown = {key: value for key, value in data.items() if key not in known}
    if unknown and strict:
        names = ", ".join(sorted(spec.attr for spec in _fields(cls)))
        raise TypeError(f"{cls.__name__} has no field {next(iter(unknown))!r} (fields: {names})")
    result: T = typing.cast(Any, cls)(**kwargs)
    if extra or unknown:
        typing.cast(Any, result).extra.update(extra | unknown)
    return result


def _convert(hint: Any, value: Any, strict: bool, where: str) -> Any:
    if value is None or hint is Any:
        return value
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        # ``X | None`` is read as ``X`` (a field's was already, in ``_fields``). An ambiguous
        # union (``str | Part | Content``) is left as given when it is not already one of its
        # members: the code that uses the field knows how to normalise it.
        member = _optional(hint)
        return value if member is hint else _convert(member, value, strict, where)
    if origin is list:
        if not isinstance(value, list):
            raise TypeError(f"{where}: expected a list, got {type(value).__name__}")
        (item_hint,) = typing.get_args(hint)
        return [_convert(item_hint, item, strict, where) for item in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object, got {type(value).__name__}")
        return value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_wire(hint, value, strict=strict)
    return _convert_scalar(hint, value, where)


def _convert_scalar(hint: Any, value: Any, where: str) -> Any:
    if hint is bytes:
        return value if isinstance(value, bytes) else decode_base64(_expect(str, value, where))
    if hint is datetime:
        return value if isinstance(value, datetime) else parse_timestamp(_expect(str, value, where))
    if isinstance(value, bool) and hint is not bool:
        raise TypeError(f"{where}: expected {hint.__name__}, got bool")
    if hint is int:
        # proto3 JSON writes int64 values as strings ("sizeBytes": "18810").
        return int(value) if isinstance(value, str) else _expect(int, value, where)
    if hint is float:
        return float(value) if isinstance(value, str) else _expect(int | float, value, where)
    return _expect(hint, value, where)


def _expect(hint: Any, value: Any, where: str) -> Any:
    if not isinstance(value, hint):
        raise TypeError(f"{where}: expected {getattr(hint, '__name__', hint)}, got {value!r}")
    return value


_URL_SAFE = str.maketrans("-_", "+/")


def decode_base64(text: str) -> bytes:
    """Bytes from base64 in either alphabet, padded or not (the Python SDK sends URL-safe)."""
    text = re.sub(r"\s", "", text).translate(_URL_SAFE)
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def parse_timestamp(text: str) -> datetime:
    """An aware ``datetime`` from RFC 3339 (``2026-08-21T14:34:13.503405945Z``; UTC if naive).

    Digits past the microsecond are dropped, as ``datetime`` cannot hold them.
    """
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as proto3 JSON writes a ``Timestamp``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"
