"""What an image costs in prompt tokens, by the guide's "Token calculation"."""

from __future__ import annotations

import re

from .checks import check_size

TILE_TOKENS = 258
"""Tokens per image tile, and for a whole image of at most ``SMALL_SIDE`` px per side."""
SMALL_SIDE = 384

_FAMILY = re.compile(r"(?:models/)?gemini-(1\.5|2\.0|2\.5)(?:-|$)")


def image_tokens(width: int, height: int, model: str = "gemini-2.5-flash") -> int:
    """The prompt tokens an image of width x height px costs ``model``, by the guide's rules:
    ``TILE_TOKENS`` per tile (see ``image_tiles``)."""
    return image_tiles(width, height, model) * TILE_TOKENS


def image_tiles(width: int, height: int, model: str = "gemini-2.5-flash") -> int:
    """How many 258-token tiles an image counts as (1 when both sides are at most 384 px).

    Otherwise ``ceil(width / unit) * ceil(height / unit)`` with a crop unit of ``floor(min(width,
    height) / 1.5)`` px (computed as ``2 * min // 3``), at least 1, and for Gemini 1.5 clamped to
    ``[256, 768]``. ``model`` is a Gemini 1.5, 2.0 or 2.5 model name (``gemini-2.5-flash``,
    ``models/gemini-1.5-pro-002`` ...); the guide gives no rule for others: ``ValueError``.
    """
    unit = crop_unit(width, height, model)
    if unit is None:
        return 1
    return -(-width // unit) * -(-height // unit)


def crop_unit(width: int, height: int, model: str = "gemini-2.5-flash") -> int | None:
    """The side, in pixels, of the squares an image is cut into; ``None`` when it is one tile.

    ``floor(min(width, height) / 1.5)``, at least 1, clamped to ``[256, 768]`` for Gemini 1.5.
    """
    check_size(width, height)
    found = _FAMILY.match(model)
    if found is None:
        raise ValueError(
            f"the guide gives image token rules for Gemini 1.5, 2.0 and 2.5 models only, not"
            f" {model!r} (Gemini 3 prices an image by its media resolution, not its size, and an"
            " alias such as gemini-flash-latest by the model it names today); ask the service"
            " with models.count_tokens"
        )
    if width <= SMALL_SIDE and height <= SMALL_SIDE:
        return None
    unit = max(1, 2 * min(width, height) // 3)  # floor(min / 1.5), in integers
    if found.group(1) == "1.5":
        unit = min(max(unit, 256), 768)
    return unit
