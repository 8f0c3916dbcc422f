"""``coerce``: a config as users give it (a ``types.…Config`` or a dict), checked once.

Every public method that takes a ``config`` checks it once, here, before anything is sent: a dict
may use snake_case or camelCase keys, and a key the type does not model is refused with a
``TypeError`` that names it (in user input it is almost always a typo). Dicts nested in an
instance (``GenerateContentConfig(thinking_config={"thinking_budget": 0})``) are converted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ._wire import from_wire

C = TypeVar("C")


def coerce(cls: type[C], value: C | Mapping[str, Any]) -> C:
    """``value`` validated as a ``cls``: from an instance (nested dicts converted) or a mapping."""
    if isinstance(value, cls):
        return from_wire(cls, value, strict=True)
    if isinstance(value, Mapping):
        return from_wire(cls, dict(value), strict=True)
    raise TypeError(f"expected a {cls.__name__} or a dict, got {type(value).__name__}")
