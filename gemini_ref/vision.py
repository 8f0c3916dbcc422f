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

This module is the helpers' public face; they are defined by concern in ``_vision/``.
"""

from __future__ import annotations

from ._vision.boxes import SCALE as SCALE
from ._vision.boxes import Box, Detection, boxes_from_response, to_normalized, to_pixels
from ._vision.fences import parse_json
from ._vision.masks import MASK_THRESHOLD, Mask, binarize, decode_mask, mask_probabilities
from ._vision.overlays import overlay
from ._vision.tokens import SMALL_SIDE as SMALL_SIDE
from ._vision.tokens import TILE_TOKENS, crop_unit, image_tiles, image_tokens

# The helpers' errors, importable from here as from ``errors``.
from .errors import InvalidBoxError as InvalidBoxError
from .errors import InvalidMaskError as InvalidMaskError

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
