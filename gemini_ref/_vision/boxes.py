"""Boxes: a ``box_2d`` in the 0-1000 frame to pixels and back, and every box of an answer."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from ..errors import InvalidBoxError
from .checks import check_size, is_int, is_number
from .fences import parse_json

SCALE = 1000
"""The side of the frame ``box_2d`` coordinates are written in."""


class Box(NamedTuple):
    """A box in pixels, ``(left, top, right, bottom)`` as PIL takes it; right and bottom are
    edges, not pixels, so the box holds ``width`` x ``height`` pixels."""

    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def width(self) -> int:
        return self.x2 - self.x1

    @property
    def height(self) -> int:
        return self.y2 - self.y1


@dataclass(frozen=True)
class Detection:
    """One entry of a detection or segmentation answer, its box converted to pixels."""

    box: Box
    box_2d: tuple[float, float, float, float]
    """As the model wrote it: ``(ymin, xmin, ymax, xmax)`` in the 0-1000 frame."""
    label: str | None = None
    mask: str | None = None
    """The segmentation mask as the model wrote it, for ``decode_mask(mask, box)``."""


def to_pixels(box_2d: Sequence[float], width: int, height: int) -> Box:
    """The pixel box of a ``box_2d`` (``[ymin, xmin, ymax, xmax]``, 0-1000) on a width x height
    image: each edge ``floor(v * size / 1000)``, computed exactly.

    Raises ``InvalidBoxError`` unless ``box_2d`` is four finite numbers in ``[0, 1000]`` with
    ``ymin < ymax`` and ``xmin < xmax``. The result may be empty for a box thinner than a pixel.
    """
    check_size(width, height)
    ymin, xmin, ymax, xmax = _normalized(box_2d)
    return Box(
        _edge_to_pixel(xmin, width),
        _edge_to_pixel(ymin, height),
        _edge_to_pixel(xmax, width),
        _edge_to_pixel(ymax, height),
    )


def to_normalized(box: Sequence[int], width: int, height: int) -> tuple[int, int, int, int]:
    """The ``box_2d`` (``(ymin, xmin, ymax, xmax)``, 0-1000) of a pixel box ``(x1, y1, x2, y2)``.

    Each edge is ``ceil(1000 * p / size)``, so ``to_pixels`` gives the box back exactly for
    sides up to 1000 px, within one pixel up to 2000 px. Raises ``InvalidBoxError`` unless
    ``0 <= x1 <= x2 <= width`` and ``0 <= y1 <= y2 <= height``, all integers.
    """
    check_size(width, height)
    if len(box) != 4 or not all(is_int(edge) for edge in box):
        raise InvalidBoxError(f"a pixel box is four integers (x1, y1, x2, y2), got {box!r}")
    x1, y1, x2, y2 = box
    if not (0 <= x1 <= x2 <= width and 0 <= y1 <= y2 <= height):
        raise InvalidBoxError(
            f"the pixel box {tuple(box)} is not inside a {width}x{height} image in order"
        )
    return (
        _edge_to_normalized(y1, height),
        _edge_to_normalized(x1, width),
        _edge_to_normalized(y2, height),
        _edge_to_normalized(x2, width),
    )


def boxes_from_response(text: str, width: int, height: int) -> list[Detection]:
    """Every usable box of a detection or segmentation answer, in pixels of a width x height
    image, in the answer's order.

    ``text`` is the answer's text: a JSON list of objects with ``box_2d`` and optionally
    ``label`` and ``mask``, in a Markdown fence or not. Entries that are not objects, have no
    valid ``box_2d`` (see ``to_pixels``) or an empty pixel box are skipped, as the guide skips
    them. Text that is not a JSON list raises ``ValueError``.
    """
    check_size(width, height)
    items = json.loads(parse_json(text))
    if not isinstance(items, list):
        raise ValueError(
            f"expected a JSON list of objects with 'box_2d', got a {type(items).__name__}"
        )
    detections: list[Detection] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            normalized = _normalized(item.get("box_2d"))
        except InvalidBoxError:
            continue
        box = to_pixels(normalized, width, height)
        if box.width == 0 or box.height == 0:
            continue
        label, mask = item.get("label"), item.get("mask")
        detections.append(
            Detection(
                box=box,
                box_2d=normalized,
                label=label if isinstance(label, str) else None,
                mask=mask if isinstance(mask, str) else None,
            )
        )
    return detections


def _normalized(box_2d: Any) -> tuple[float, float, float, float]:
    if (
        not isinstance(box_2d, Sequence)
        or isinstance(box_2d, str)
        or len(box_2d) != 4
        or not all(is_number(value) for value in box_2d)
    ):
        raise InvalidBoxError(f"box_2d is four numbers [ymin, xmin, ymax, xmax], got {box_2d!r}")
    ymin, xmin, ymax, xmax = box_2d
    if not all(0 <= value <= SCALE for value in box_2d):
        raise InvalidBoxError(f"box_2d {list(box_2d)} has a value outside 0-{SCALE}")
    if not (ymin < ymax and xmin < xmax):
        raise InvalidBoxError(
            f"box_2d {list(box_2d)} is empty or inverted: it needs ymin < ymax and xmin < xmax"
        )
    return (ymin, xmin, ymax, xmax)


def _edge_to_pixel(value: float, size: int) -> int:
    return math.floor(Fraction(value) * size / SCALE)


def _edge_to_normalized(pixel: int, size: int) -> int:
    return -(-pixel * SCALE // size)
