"""Argument checks the vision helpers share, and the check that Pillow is installed."""

from __future__ import annotations

import importlib.util
import math
from typing import Any


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_size(width: int, height: int) -> None:
    if not (is_int(width) and is_int(height) and width > 0 and height > 0):
        raise ValueError(f"an image's width and height are positive integers: {width}x{height}")


def require_pillow(what: str) -> None:
    """Pillow is optional: the helpers that need it import it when called, after this check."""
    if importlib.util.find_spec("PIL") is None:
        raise ImportError(f"{what} needs Pillow: pip install 'gemini-ref[vision]'")
