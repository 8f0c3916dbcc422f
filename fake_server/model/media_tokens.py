"""What a media part costs, at the rates the Gemini docs publish (docs/tokens.md).

- **Audio**: 32 tokens a second, at every resolution, on every model
  (docs/evidence.md#docs-audio-tokens).
- **Video**: frames sampled at 1 a second (or ``videoMetadata.fps``), each 258 tokens on 2.x
  models, 66 at low resolution (docs/evidence.md#docs-video-tokens); on Gemini 3 70 tokens a
  frame, 280 at high resolution (docs/evidence.md#docs-media-resolution); and the sound track
  at 32 tokens a second.
- **PDF**: 258 tokens a page on 2.x models (docs/evidence.md#docs-pdf-tokens); on Gemini 3
  560 a page, 280 at low and 1,120 at high resolution.
- **Images**: on 2.x models the tiling rule of :mod:`fake_server.model.images` (64 tokens at
  low resolution, 256 at medium, docs/evidence.md#docs-media-resolution-2x); on Gemini 3 a
  fixed budget, 1,120 by default, 280 / 560 / 1,120 / 2,240 from low to ultra high.

The resolution is the part's own ``mediaResolution.level`` on Gemini 3 (the docs offer it on
Gemini 3 only; 2.x models ignore it), else ``generationConfig.mediaResolution``. The model family
is the fake's catalogue's (``ModelInfo.family``), handed in by the API layer. What cannot be
measured costs :data:`FALLBACK`, the cost of one recorded image.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import images, media

FALLBACK = 258  # a part whose size or length cannot be read (docs/evidence.md#service-usage)
AUDIO_PER_SECOND = 32
DEFAULT_FPS = 1.0
MAX_FPS = 24.0  # videoMetadata.fps above this counts as this (the fake's own bound)

LOW, MEDIUM, HIGH, ULTRA = "LOW", "MEDIUM", "HIGH", "ULTRA_HIGH"

# Gemini 3: tokens per image, per PDF page and per video frame, by level; None is the default.
GEMINI_3: dict[str, dict[str | None, int]] = {
    "image": {LOW: 280, MEDIUM: 560, HIGH: 1120, ULTRA: 2240, None: 1120},
    "document": {LOW: 280, MEDIUM: 560, HIGH: 1120, ULTRA: 1120, None: 560},
    "frame": {LOW: 70, MEDIUM: 70, HIGH: 280, ULTRA: 280, None: 70},
}
# 2.x models: an image at low and medium resolution (else tiled), a frame at low (else 258).
IMAGE_2X = {LOW: 64, MEDIUM: 256}
FRAME_2X = {LOW: 66}
FRAME_2X_DEFAULT = 258
PAGE_2X = 258


OpenFile = Callable[[dict[str, Any]], "tuple[str, media.Source] | None"]


@dataclass(frozen=True)
class MediaCosts:
    """What counting media needs beyond the request: the model's family, and the bytes of the
    uploaded files that ``fileData`` parts name (``(mimeType, source)``, or None if unknown)."""

    family: str = "2.5"
    open_file: OpenFile | None = None


def level(part: dict[str, Any], config_level: str | None, family: str) -> str | None:
    """The resolution level a media part is counted at (``LOW``, ...), None for the default."""
    chosen = None
    if family == "3":
        own = part.get("mediaResolution")
        chosen = own.get("level") if isinstance(own, dict) else None
    chosen = chosen or config_level
    name = str(chosen or "").removeprefix("MEDIA_RESOLUTION_")
    return name if name in (LOW, MEDIUM, HIGH, ULTRA) else None


def part_tokens(
    mime_type: str,
    source: media.Source,
    part: dict[str, Any],
    resolution: str | None,
    family: str,
) -> int:
    """Tokens of one inline or uploaded media part of ``mime_type``."""
    kind = mime_type.split(";", 1)[0].strip().lower()
    if kind.startswith("image/"):
        return _image(kind, source, resolution, family)
    if kind.startswith("audio/"):
        seconds = media.audio_seconds(source, mime_type.lower())
        return FALLBACK if seconds is None else _per_second(seconds, AUDIO_PER_SECOND)
    if kind.startswith("video/"):
        return _video(source, part, resolution, family)
    if kind == "application/pdf":
        pages = media.pdf_pages(source)
        if pages is None:
            return FALLBACK
        per_page = GEMINI_3["document"][resolution] if family == "3" else PAGE_2X
        return pages * per_page
    return FALLBACK


def _image(kind: str, source: media.Source, resolution: str | None, family: str) -> int:
    if family == "3":
        return GEMINI_3["image"][resolution]
    if resolution in IMAGE_2X:
        return IMAGE_2X[resolution]
    try:
        size = images.dimensions(source.read(0, images.HEADER_BYTES), kind)
    except images.NotAnImage:
        return FALLBACK  # validation refuses these before anything is counted
    return FALLBACK if size is None else images.image_tokens(*size)


def _video(source: media.Source, part: dict[str, Any], resolution: str | None, family: str) -> int:
    seconds = media.video_seconds(source)
    if seconds is None:
        return FALLBACK
    metadata = part.get("videoMetadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    start = _offset(metadata.get("startOffset"), 0.0)
    end = min(seconds, _offset(metadata.get("endOffset"), seconds))
    seconds = max(0.0, end - start)
    fps = _fps(metadata.get("fps"))
    if family == "3":
        per_frame = GEMINI_3["frame"][resolution]
    else:
        per_frame = FRAME_2X.get(resolution or "", FRAME_2X_DEFAULT)
    frames = _per_second(seconds, fps)
    return max(1, frames) * per_frame + _per_second(seconds, AUDIO_PER_SECOND)


def _per_second(seconds: float, rate: float) -> int:
    """``rate`` a second over ``seconds``, a started unit counted whole (rounded to a millionth
    first, so that 2.5 s at 32 a second is 80, not 81 from a float's last bit)."""
    return math.ceil(round(seconds * rate, 6))


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def _offset(value: Any, default: float) -> float:
    """A ``google.protobuf.Duration`` in its JSON form (``"1.5s"``) as seconds."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    return float(match.group(1)) if match else default


def _fps(value: Any) -> float:
    """``videoMetadata.fps`` (a double, which JSON may also send as a string)."""
    try:
        fps = float(value) if isinstance(value, int | float | str) else DEFAULT_FPS
    except ValueError:
        return DEFAULT_FPS
    return min(fps, MAX_FPS) if math.isfinite(fps) and fps > 0 else DEFAULT_FPS
