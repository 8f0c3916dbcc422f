"""What every type of the API shares: the ``extra`` dict of JSON keys it does not model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(kw_only=True)
class Base:
    """The base of every API type: a keyword-only dataclass, read and written by ``_wire``."""

    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    """JSON keys this type does not model: kept when read, written back as they are."""
