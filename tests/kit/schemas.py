"""Schemas at the edge of what the fake takes: the largest of a family that fits its budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fake_server.model.schema_instances import MAX_CHARS, MAX_ITEMS, MAX_STEPS, Budget, measure
from fake_server.protocol.errors import ApiError


def largest(schema_of: Callable[[int], dict[str, Any]], candidates: int = 1) -> dict[str, Any]:
    """``schema_of(n)`` for the largest ``n`` (up to ``MAX_ITEMS``) whose widest instance fits
    the budget of one of ``candidates`` candidates."""

    def fits(n: int) -> bool:
        try:
            measure(schema_of(n), Budget(MAX_STEPS // candidates, MAX_CHARS // candidates))
        except ApiError:
            return False
        return True

    return schema_of(max(n for n in range(MAX_ITEMS + 1) if fits(n)))
