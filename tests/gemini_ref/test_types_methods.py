"""Every type's ``__repr__`` and ``__eq__`` (one pair, in ``_types/base.py``) behave as the ones
``dataclasses`` writes for a type of its own: checked against such a twin of each type."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from gemini_ref import types
from gemini_ref._types.base import Base

PUBLIC: list[Any] = [getattr(types, name) for name in types.__all__]
TYPES = sorted(
    {cls for cls in PUBLIC if isinstance(cls, type) and issubclass(cls, Base)},
    key=lambda cls: cls.__name__,
)


def twin(cls: type) -> Any:
    """A dataclass with ``cls``'s fields and name, and the methods ``dataclasses`` writes."""
    fields = [
        (f.name, f.type, dataclasses.field(default=None, repr=f.repr, compare=f.compare))
        for f in dataclasses.fields(cls)
    ]
    made = dataclasses.make_dataclass(cls.__name__, fields, kw_only=True)
    made.__qualname__ = cls.__qualname__
    return made


def test_every_public_type_shares_the_base_methods():
    assert len(TYPES) > 40
    assert not [cls for cls in TYPES if {"__repr__", "__eq__"} & set(vars(cls))]


@pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__name__)
def test_a_type_reprs_and_compares_as_a_dataclass_of_its_own(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls) if f.name != "extra"]
    values: dict[str, Any] = {name: f"value of {name}" for name in names[:2]}
    ours, reference = cls(**values, extra={"k": 1}), twin(cls)(**values, extra={"k": 1})

    assert repr(ours) == repr(reference)
    assert (ours == cls(**values, extra={"k": 1})) is True
    assert (ours == cls(**values)) is False  # extra counts, as every other field
    assert (ours == cls()) is (reference == twin(cls)()) is False
    assert ours.__eq__(reference) is NotImplemented
    with pytest.raises(TypeError):
        hash(ours)


def test_a_cycle_reprs_as_dots_instead_of_recursing():
    part = types.Part(text="hi")
    part.text = part  # type: ignore[assignment]

    assert repr(part).startswith("Part(text=..., thought=None")
