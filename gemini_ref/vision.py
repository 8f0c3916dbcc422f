"""What Gemini says about images, made usable: JSON answers, boxes, masks, and token costs.

The guide's image sections ("Object detection", "Segmentation", "Token calculation") as small
functions, with the cases the guide leaves open decided and written down here. Nothing but
``decode_mask``/``mask_probabilities`` and ``overlay`` needs Pillow (``pip install
'gemini-ref[vision]'``); it is imported when they are called.

**JSON answers.** ``parse_json(text)`` is the guide's helper: the text between a line that
opens a Markdown fence (```` ```json ````) and the next ```` ``` ````, or the text unchanged when
it has no fence. (The guide's own version computes that but returns everything after the
opening line, closing fence included, which ``json.loads`` refuses.)

**Boxes.** The model writes a box as ``box_2d = [ymin, xmin, ymax, xmax]``, each in a 0-1000
frame over the image, whatever its size. ``to_pixels`` turns one into a pixel ``Box(x1, y1,
x2, y2)`` (PIL's order: left, top, right, bottom; edges, so ``image.crop(box)`` is the object)::

    x1 = floor(xmin * width / 1000)     y1 = floor(ymin * height / 1000)
    x2 = floor(xmax * width / 1000)     y2 = floor(ymax * height / 1000)

That is the guide's ``int(v / 1000 * size)``, computed exactly (in rationals): the guide's
floating-point expression now and then lands one pixel low (``int(290 / 1000 * 100)`` is 28,
not 29). A valid ``box_2d`` has four finite numbers in ``[0, 1000]`` with ``ymin < ymax`` and
``xmin < xmax``; anything else raises ``InvalidBoxError``. The pixel box is then inside the
image (``0 <= x1 <= x2 <= width``, the same for y) and in order, but may be empty (``x1 ==
x2``) when the box is thinner than a pixel. ``boxes_from_response`` reads a whole answer and
skips, as the guide's segmentation code does, every entry that is invalid or empty in pixels.

``to_normalized`` goes back: ``ceil(1000 * p / size)`` for each edge, the smallest 0-1000 value
that ``to_pixels`` maps to ``p`` or beyond. So ``to_pixels(to_normalized(box))`` never moves an
edge left or up, and moves it by less than ``size / 1000`` pixels: not at all for sides up to
1000 px, at most one pixel up to 2000 px. Beyond that a 0-1000 unit is wider than two pixels,
and no rounding can do better.

**Masks.** Segmentation adds ``"mask"``: a base64 PNG (usually a ``data:image/png;base64,`` URL)
of probabilities 0-255 over the box. ``decode_mask`` decodes it, resizes it to the box's pixel
size with Pillow's bilinear filter (as the guide) and keeps the pixels whose value is
**strictly greater than** ``threshold``. The default, ``MASK_THRESHOLD = 127``, is the midpoint
the guide's text names: ``value > 127`` splits the 256 levels in two halves of 128 (0-127 out,
128-255 in). The guide's code writes ``> 128``, which leaves 128 out too; the two differ only
for pixels of exactly 128. Pass ``threshold=128`` to match the code.

**Tokens.** ``image_tokens(width, height, model=...)`` follows the guide's "Token calculation":
258 tokens when both sides are at most 384 px; otherwise a crop unit of ``floor(min(width,
height) / 1.5)`` px and ``ceil(width / unit) * ceil(height / unit)`` tiles of 258 tokens each
(960x540: unit 360, 3 x 2 = 6 tiles, 1,548 tokens). For Gemini 1.5 the guide adds "min tile
256px, max 768px", read here as the unit clamped to ``[256, 768]``; for 2.0 and 2.5 it only says
each tile is scaled to 768x768, which changes no count. Decisions where the guide is silent:
the unit is at least 1 px (the formula divides by zero for a side of 1 px; the fake server does
the same), and other model families (Gemini 3 prices images by ``media_resolution``) raise
``ValueError`` rather than get a guess. The formula is not monotone: widening 600x1000 to
750x1000 grows the unit from 400 to 500 and the count from 6 tiles to 4. It is monotone in the
longer side while the shorter one stays fixed.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from ._wire import decode_base64
from .errors import InvalidBoxError, InvalidMaskError

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "MASK_THRESHOLD",
    "TILE_TOKENS",
    "Box",
    "Detection",
    "Mask",
    "binarize",
    "boxes_from_response",
    "crop_unit",
    "decode_mask",
    "image_tiles",
    "image_tokens",
    "mask_probabilities",
    "overlay",
    "parse_json",
    "to_normalized",
    "to_pixels",
]

SCALE = 1000
"""The side of the frame ``box_2d`` coordinates are written in."""
MASK_THRESHOLD = 127
"""A mask pixel is in the object when its value is greater than this (the 0-255 midpoint)."""
TILE_TOKENS = 258
"""Tokens per image tile, and for a whole image of at most ``SMALL_SIDE`` px per side."""
SMALL_SIDE = 384

Mask: TypeAlias = list[list[bool]]
"""A binary mask: ``mask[row][column]``, one row per pixel of the box's height."""


# --- JSON answers ------------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json)?", re.IGNORECASE)


def parse_json(text: str) -> str:
    """The JSON inside a Markdown fence in ``text``, or ``text`` itself when there is none.

    The fence opens on a line of its own, ```` ```json ```` or a bare ```` ``` ```` (case and
    surrounding spaces don't matter); the JSON ends at the next ```` ``` ````. Like the guide's
    helper this returns text: ``json.loads(parse_json(response.text))``.
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _FENCE.fullmatch(line.strip()):
            return "\n".join(lines[index + 1 :]).split("```")[0]
    return text


# --- Boxes -------------------------------------------------------------------------------------


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
    _check_size(width, height)
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
    _check_size(width, height)
    if len(box) != 4 or not all(_is_int(edge) for edge in box):
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
    _check_size(width, height)
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
        or not all(_is_number(value) for value in box_2d)
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_size(width: int, height: int) -> None:
    if not (_is_int(width) and _is_int(height) and width > 0 and height > 0):
        raise ValueError(f"an image's width and height are positive integers: {width}x{height}")


# --- Masks -------------------------------------------------------------------------------------

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
    _require_pillow("mask_probabilities")
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
    if not _is_int(threshold) or not 0 <= threshold <= 255:
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


# --- Drawing -----------------------------------------------------------------------------------

_COLORS = (
    (230, 25, 75),
    (60, 180, 75),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (255, 225, 25),
)


def overlay(
    image: Image.Image,
    masks: Sequence[Mask | None] | None,
    boxes: Sequence[Sequence[int]],
    labels: Sequence[str | None] | None = None,
    *,
    alpha: int = 128,
) -> Image.Image:
    """A copy of ``image`` (RGBA) with each box outlined and labelled, and its mask tinted.

    The guide's segmentation picture, in one call: entry ``i`` gets a colour of its own; its
    mask (``masks[i]``, box-sized, from ``decode_mask``) is painted in that colour at ``alpha``
    over ``boxes[i]``, then the box is outlined and ``labels[i]`` written above it. ``masks``
    and ``labels`` may be ``None``, or hold ``None`` for entries without one. Needs Pillow.
    """
    _require_pillow("overlay")
    from PIL import Image, ImageDraw

    masks = masks if masks is not None else [None] * len(boxes)
    labels = labels if labels is not None else [None] * len(boxes)
    if not len(masks) == len(boxes) == len(labels):
        raise ValueError(
            f"one mask and one label per box: {len(masks)} masks, {len(boxes)} boxes,"
            f" {len(labels)} labels"
        )
    base = image.convert("RGBA")
    tint = Image.new("RGBA", base.size, (0, 0, 0, 0))
    for index, (mask, box) in enumerate(zip(masks, boxes, strict=True)):
        if mask is None:
            continue
        x1, y1, x2, y2 = box
        if len(mask) != y2 - y1 or any(len(row) != x2 - x1 for row in mask):
            raise ValueError(f"mask {index} is not the size of its box {tuple(box)}")
        stencil = Image.frombytes(
            "L", (x2 - x1, y2 - y1), bytes(255 if value else 0 for row in mask for value in row)
        )
        tint.paste((*_COLORS[index % len(_COLORS)], alpha), (x1, y1, x2, y2), stencil)
    result = Image.alpha_composite(base, tint)
    draw = ImageDraw.Draw(result)
    line = max(1, min(base.size) // 250)
    for index, (box, label) in enumerate(zip(boxes, labels, strict=True)):
        color = _COLORS[index % len(_COLORS)]
        x1, y1, x2, y2 = box
        # ImageDraw's rectangle includes its far corner; the box's right and bottom are edges.
        draw.rectangle((x1, y1, max(x1, x2 - 1), max(y1, y2 - 1)), outline=color, width=line)
        if label:
            draw.text((x1 + line, max(0, y1 - 12)), label, fill=color)
    return result


def _require_pillow(what: str) -> None:
    if importlib.util.find_spec("PIL") is None:
        raise ImportError(f"{what} needs Pillow: pip install 'gemini-ref[vision]'")


# --- Tokens ------------------------------------------------------------------------------------

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
    _check_size(width, height)
    found = _FAMILY.match(model)
    if found is None:
        raise ValueError(
            f"the guide gives image token rules for Gemini 1.5, 2.0 and 2.5 models only, not"
            f" {model!r}; ask the service with models.count_tokens"
        )
    if width <= SMALL_SIDE and height <= SMALL_SIDE:
        return None
    unit = max(1, 2 * min(width, height) // 3)  # floor(min / 1.5), in integers
    if found.group(1) == "1.5":
        unit = min(max(unit, 256), 768)
    return unit
