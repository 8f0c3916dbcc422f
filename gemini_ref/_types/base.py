"""What every type of the API shares: the ``extra`` dict of JSON keys it does not model, and one
``__repr__`` and ``__eq__``.

The two methods are those ``dataclasses`` would write for each type (the same text, the same
comparison), written once here; each type says ``@dataclass(kw_only=True, repr=False,
eq=False)`` so that it inherits them. ``dataclasses`` writes a type's methods as source and
compiles them when the class is defined: for the package's 56 types, ``__repr__`` and
``__eq__`` took 5 of the 21 ms ``import gemini_ref`` spends in its own modules.
"""

from __future__ import annotations

import dataclasses
import reprlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(kw_only=True, repr=False, eq=False)
class Base:
    """The base of every API type: a keyword-only dataclass, read and written by ``_wire``."""

    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    """JSON keys this type does not model: kept when read, written back as they are."""

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = (f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
        return f"{type(self).__qualname__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = [f.name for f in dataclasses.fields(self) if f.compare]
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)

    __hash__ = None  # type: ignore[assignment]  # as dataclasses leaves a mutable type with __eq__
