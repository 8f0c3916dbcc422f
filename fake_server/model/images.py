"""Images as the service sees them: their size, read from the bytes, and what they cost.

The service decodes every image it is given; the fake reads just enough of the header to learn
the dimensions (PNG, JPEG, WebP; HEIC/HEIF are recognised but not measured), which is what the
token cost depends on, and refuses bytes that are not the image their MIME type says.

Token cost, as the guide states it for 2.0 and 2.5 models: 258 tokens when both sides are at
most 384 pixels; otherwise the image is cut into tiles of a crop unit of
``floor(min(w, h) / 1.5)`` pixels, ``ceil(w / unit) * ceil(h / unit)`` tiles of 258 tokens
each (960x540: unit 360, 3 x 2 tiles, 1,548 tokens).
"""

from __future__ import annotations

import math
import struct
import zlib

INVALID_IMAGE = "Provided image is not valid."  # the service's 400 for such bytes
HEADER_BYTES = 1 << 20  # enough of an image to find its size (a JPEG can bury it deep)
TILE_TOKENS = 258
SMALL_SIDE = 384
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class NotAnImage(ValueError):
    """Bytes that are not an image of the declared type."""


def image_tokens(width: int, height: int) -> int:
    if width <= SMALL_SIDE and height <= SMALL_SIDE:
        return TILE_TOKENS
    unit = max(1, math.floor(min(width, height) / 1.5))
    return math.ceil(width / unit) * math.ceil(height / unit) * TILE_TOKENS


def dimensions(data: bytes, mime_type: str) -> tuple[int, int] | None:
    """(width, height) of an image of ``mime_type``; None when the format is not measured.

    Raises :class:`NotAnImage` when the bytes are not that kind of image (corrupt, truncated,
    or mislabelled).
    """
    kind = mime_type.split(";", 1)[0].strip().lower()
    reader = {"image/png": _png, "image/jpeg": _jpeg, "image/webp": _webp}.get(kind)
    if reader is not None:
        try:
            return reader(data)
        except (struct.error, IndexError):
            raise NotAnImage(kind) from None
    if kind in ("image/heic", "image/heif"):
        if data[4:8] != b"ftyp":
            raise NotAnImage(kind)
        return None
    return None


def _png(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise NotAnImage("image/png")
    width, height = struct.unpack(">II", data[16:24])
    return _checked(width, height)


def _jpeg(data: bytes) -> tuple[int, int]:
    if data[:2] != b"\xff\xd8":
        raise NotAnImage("image/jpeg")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise NotAnImage("image/jpeg")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return _checked(width, height)
        position += 2 + length
    raise NotAnImage("image/jpeg")


def _webp(data: bytes) -> tuple[int, int]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise NotAnImage("image/webp")
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return _checked(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return _checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _checked(width, height)
    raise NotAnImage("image/webp")


def _checked(width: int, height: int) -> tuple[int, int]:
    if width <= 0 or height <= 0:
        raise NotAnImage("zero-sized image")
    return width, height


def encode_png(width: int, height: int, pixels: bytes, *, level: int = 6) -> bytes:
    """A grayscale 8-bit PNG of ``width`` x ``height`` from row-major ``pixels`` (one byte each)."""
    if len(pixels) != width * height:
        raise ValueError(f"{width}x{height} needs {width * height} pixels, not {len(pixels)}")
    rows = b"".join(b"\x00" + pixels[y * width : (y + 1) * width] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, level))
        + chunk(b"IEND", b"")
    )
