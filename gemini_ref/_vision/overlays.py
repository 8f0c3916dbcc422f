"""The guide's segmentation picture: boxes outlined and labelled, masks tinted, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .checks import require_pillow
from .masks import Mask

if TYPE_CHECKING:
    from PIL import Image

COLORS = (  # one per entry, in turn
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
    require_pillow("overlay")
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
        tint.paste((*COLORS[index % len(COLORS)], alpha), (x1, y1, x2, y2), stencil)
    result = Image.alpha_composite(base, tint)
    draw = ImageDraw.Draw(result)
    line = max(1, min(base.size) // 250)
    for index, (box, label) in enumerate(zip(boxes, labels, strict=True)):
        color = COLORS[index % len(COLORS)]
        x1, y1, x2, y2 = box
        # ImageDraw's rectangle includes its far corner; the box's right and bottom are edges.
        draw.rectangle((x1, y1, max(x1, x2 - 1), max(y1, y2 - 1)), outline=color, width=line)
        if label:
            draw.text((x1 + line, max(0, y1 - 12)), label, fill=color)
    return result
