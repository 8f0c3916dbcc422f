"""Segmentation masks: a base64 PNG of probabilities, resized to its box and thresholded."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TypeAlias

from .._wire import decode_base64
from ..errors import InvalidBoxError, InvalidMaskError
from .checks import is_int, require_pillow

MASK_THRESHOLD = 127
"""A mask pixel is in the object when its value is greater than this (the 0-255 midpoint)."""

Mask: TypeAlias = list[list[bool]]
"""A binary mask: ``mask[row][column]``, one row per pixel of the box's height."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DATA_URL = "data:image/png;base64,"


def decode_mask(mask: str, box: Sequence[int], threshold: int = MASK_THRESHOLD) -> Mask:
    """The binary mask of a segmentation entry over its pixel ``box`` (from ``to_pixels``).

    ``mask_probabilities`` then ``binarize``: a pixel is in the object when its probability,
    resized to the box, is greater than ``threshold``. Needs Pillow.
    """
    return binarize(mask_probabilities(mask, box), threshold)


def mask_probabilities(mask: str, box: Sequence[int]) -> list[list[int]]:
    """The mask's probability map (0-255), resized to the box: ``box.height`` rows of
    ``box.width`` values.

    ``mask`` is base64 PNG, with or without the ``data:image/png;base64,`` prefix, in either
    base64 alphabet. A colour or palette PNG is read as grayscale (Pillow's ``convert("L")``);
    the resize is Pillow's bilinear filter, as in the guide, and is skipped when the map already
    has the box's size. Raises ``InvalidMaskError`` for anything that is not a PNG, and
    ``InvalidBoxError`` for an empty box. Needs Pillow.
    """
    require_pillow("mask_probabilities")
    from PIL import Image

    x1, y1, x2, y2 = box
    width, height = x2 - x1, y2 - y1
    if width <= 0 or height <= 0:
        raise InvalidBoxError(f"the box {tuple(box)} is empty: a mask needs at least one pixel")
    png = _png_bytes(mask)
    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as picture:
            gray = picture.convert("L")
    except (OSError, ValueError) as exc:  # UnidentifiedImageError is an OSError
        raise InvalidMaskError(f"the mask is not a readable PNG: {exc}") from exc
    if gray.size != (width, height):
        gray = gray.resize((width, height), Image.Resampling.BILINEAR)
    values = gray.tobytes()
    return [list(values[row * width : (row + 1) * width]) for row in range(height)]


def binarize(probabilities: Sequence[Sequence[int]], threshold: int = MASK_THRESHOLD) -> Mask:
    """``value > threshold`` for every value of a probability map.

    ``threshold`` is an integer 0-255, on the map's own scale (not a probability in 0-1):
    ``127`` keeps 128-255, ``0`` keeps everything but 0, ``255`` keeps nothing.
    """
    if not is_int(threshold) or not 0 <= threshold <= 255:
        raise ValueError(f"threshold is an integer 0-255 (the mask's scale), got {threshold!r}")
    return [[value > threshold for value in row] for row in probabilities]


def _png_bytes(mask: str) -> bytes:
    if not isinstance(mask, str):
        raise InvalidMaskError(f"a mask is a base64 PNG string, got {type(mask).__name__}")
    text = mask.strip()
    if text.startswith("data:"):
        if not text.startswith(_DATA_URL):
            raise InvalidMaskError(f"the mask is a data URL, but not {_DATA_URL!r}: {text[:40]!r}")
        text = text.removeprefix(_DATA_URL)
    try:
        data = decode_base64(text)
    except ValueError as exc:  # binascii.Error is a ValueError
        raise InvalidMaskError(f"the mask is not base64: {exc}") from exc
    if not data.startswith(_PNG_SIGNATURE):
        raise InvalidMaskError("the mask is not a PNG (no PNG signature)")
    return data
