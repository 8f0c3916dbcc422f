"""How long a sound or a video lasts, and how many pages a PDF has, read from the bytes.

The service decodes every medium it is given; the fake reads only what the token cost depends on
(docs/tokens.md), from a :class:`Source` that hands out bounded slices of the bytes: an inline
part's base64 text is decoded a slice at a time, an uploaded file is read where it is needed.
Every reader here reads a fixed number of bytes at most (a few header boxes or chunks, the last
64 KiB of an Ogg stream, the first and last megabytes of a PDF) and none decodes the medium.

A reader returns None when the bytes are not what it can measure; the caller then charges the
fake's flat fallback. Nothing here raises on malformed input.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib
from collections.abc import Callable
from typing import Protocol

MAX_BOXES = 64  # chunks, boxes or elements walked in one container
TAIL_BYTES = 1 << 16  # where an Ogg stream's last page is looked for
PDF_WINDOW = 1 << 20  # of a PDF: this much from the start and this much from the end
PDF_STREAM_BYTES = 1 << 18  # inflated from one object stream, at most
PDF_STREAMS = 32  # object streams inflated per PDF, at most
MAX_PAGES = 1000  # the most pages the service reads of one document


class Source(Protocol):
    """Bytes of known size, read a slice at a time."""

    size: int

    def read(self, offset: int, length: int) -> bytes: ...


class BytesSource:
    def __init__(self, data: bytes) -> None:
        self.data, self.size = data, len(data)

    def read(self, offset: int, length: int) -> bytes:
        return self.data[max(0, offset) : max(0, offset) + max(0, length)]


class Base64Source:
    """An inline part's data, decoded only where it is read (standard or URL-safe base64)."""

    def __init__(self, text: str) -> None:
        self.text = text.rstrip("=")
        self.size = len(self.text) * 3 // 4

    def read(self, offset: int, length: int) -> bytes:
        offset = max(0, offset)
        end = min(self.size, offset + max(0, length))
        if end <= offset:
            return b""
        first, last = offset // 3, -(-end // 3)
        chunk = self.text[4 * first : 4 * last]
        chunk += "=" * (-len(chunk) % 4)
        try:
            decoded = base64.b64decode(chunk.replace("-", "+").replace("_", "/"))
        except (binascii.Error, ValueError):
            return b""
        return decoded[offset - 3 * first : end - 3 * first]


# --- audio ----------------------------------------------------------------------------------


def audio_seconds(source: Source, mime_type: str) -> float | None:
    """The length of a WAV, MP3, FLAC or Ogg (Vorbis, Opus) recording, whatever the MIME type
    says among audio types: the bytes' own signature decides. Raw 16-bit PCM
    (``audio/L16;rate=24000``, ``audio/pcm``) has no header: its length is its size over the
    rate (and ``channels``) the MIME type's parameters give."""
    kind, _, parameters = mime_type.partition(";")
    head = source.read(0, 16)
    reader: Callable[[Source], float | None]
    if kind.strip().lower() in ("audio/l16", "audio/pcm"):
        reader = lambda raw: _pcm(raw.size, parameters)  # noqa: E731
    elif head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        reader = _wav
    elif head[:4] == b"OggS":
        reader = _ogg
    elif head[:4] == b"fLaC" or (head[:3] == b"ID3" and "flac" in mime_type):
        reader = _flac
    else:
        reader = _mp3
    try:
        seconds = reader(source)
    except (struct.error, IndexError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return seconds if seconds is not None and 0 < seconds < 1e7 else None


def _pcm(size: int, parameters: str) -> float | None:
    values = dict(
        (name.strip().lower(), value.strip())
        for name, _, value in (item.partition("=") for item in parameters.split(";"))
    )
    rate, channels = values.get("rate", "24000"), values.get("channels", "1")
    if not (rate.isdigit() and channels.isdigit()) or int(rate) * int(channels) == 0:
        return None
    return size / (2 * int(rate) * int(channels))


def _wav(source: Source) -> float | None:
    """RIFF chunks: ``fmt `` gives the byte rate, ``data`` the length of the samples."""
    position, byte_rate = 12, 0
    for _ in range(MAX_BOXES):
        header = source.read(position, 8)
        if len(header) < 8:
            return None
        kind, length = header[:4], struct.unpack("<I", header[4:])[0]
        if kind == b"fmt ":
            byte_rate = struct.unpack("<I", source.read(position + 16, 4))[0]
        elif kind == b"data":
            length = min(length, source.size - position - 8)  # a stream's header may lie
            return length / byte_rate if byte_rate else None
        position += 8 + length + (length & 1)
    return None


def _id3_end(source: Source) -> int:
    """Where the audio starts after any ID3v2 tag."""
    header = source.read(0, 10)
    if header[:3] != b"ID3" or len(header) < 10:
        return 0
    size = 0
    for byte in header[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if header[5] & 0x10 else 0)


def _flac(source: Source) -> float | None:
    start = _id3_end(source)
    block = source.read(start, 4 + 4 + 34)
    if block[:4] != b"fLaC" or block[4] & 0x7F != 0:  # STREAMINFO comes first
        return None
    info = block[8:]
    bits = int.from_bytes(info[10:18], "big")
    rate, samples = bits >> 44, bits & ((1 << 36) - 1)
    return samples / rate if rate and samples else None


# MPEG audio: bitrates in kbit/s by (MPEG-1?, layer) and sample rates by version.
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_BITRATES[(False, 3)] = _BITRATES[(False, 2)]
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
MP3_SCAN = 1 << 16  # how far past the tag the first frame is looked for


def _mp3(source: Source) -> float | None:
    """The first frame's header; then the Xing/Info or VBRI frame count if there is one, else
    the stream taken to be at the first frame's bitrate throughout (CBR)."""
    start = _id3_end(source)
    window = source.read(start, MP3_SCAN)
    for found in re.finditer(rb"\xff[\xe0-\xff]", window):
        frame = _mp3_frame(window[found.start() : found.start() + 4])
        if frame is None:
            continue
        mpeg1, channels_mono, bitrate, rate, samples, length = frame
        at = start + found.start()
        after = found.start() + length  # a real frame is followed by another, or by the end
        following = window[after : after + 4] if after + 4 <= len(window) else None
        if (
            at + length < source.size
            and _mp3_frame(following if following is not None else source.read(at + length, 4))
            is None
        ):
            continue
        side = (17 if channels_mono else 32) if mpeg1 else (9 if channels_mono else 17)
        xing = source.read(at + 4 + side, 12)
        if xing[:4] in (b"Xing", b"Info") and struct.unpack(">I", xing[4:8])[0] & 1:
            frames: int = struct.unpack(">I", xing[8:12])[0]
            return frames * samples / rate
        vbri = source.read(at + 36, 18)
        if vbri[:4] == b"VBRI":
            frames = struct.unpack(">I", vbri[14:18])[0]
            return frames * samples / rate
        end = source.size - (128 if source.read(source.size - 128, 3) == b"TAG" else 0)
        return (end - at) * 8 / (bitrate * 1000)
    return None


def _mp3_frame(header: bytes) -> tuple[bool, bool, int, int, int, int] | None:
    """(MPEG-1?, mono?, bitrate kbit/s, sample rate, samples per frame, frame length in bytes)
    of a valid frame header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] < 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    samples = 384 if layer == 1 else 1152 if layer == 2 or mpeg1 else 576
    bitrate, rate = _BITRATES[(mpeg1, layer)][bitrate_index], _SAMPLE_RATES[version][rate_index]
    padding = ((header[2] >> 1) & 1) * (4 if layer == 1 else 1)
    length = samples // 8 * bitrate * 1000 // rate + padding
    return mpeg1, header[3] >> 6 == 3, bitrate, rate, samples, length


def _ogg(source: Source) -> float | None:
    """The first page's identification header gives the rate (Vorbis) or the pre-skip (Opus,
    always counted at 48 kHz); the last page's granule position is the stream's length."""
    first = source.read(0, 27 + 255)
    segments = first[26]
    packet = source.read(27 + segments, 32)
    if packet[:7] == b"\x01vorbis":
        rate, skip = struct.unpack("<I", packet[12:16])[0], 0
    elif packet[:8] == b"OpusHead":
        rate, skip = 48000, struct.unpack("<H", packet[10:12])[0]
    else:
        return None
    tail_start = max(0, source.size - TAIL_BYTES)
    tail = source.read(tail_start, TAIL_BYTES)
    position = tail.rfind(b"OggS")
    while position >= 0:
        granule = struct.unpack("<q", tail[position + 6 : position + 14].ljust(8, b"\xff"))[0]
        if granule > 0:
            return float(granule - skip) / rate if rate else None
        position = tail.rfind(b"OggS", 0, position)
    return None


# --- video ----------------------------------------------------------------------------------


def video_seconds(source: Source) -> float | None:
    """The length of an MP4 or QuickTime movie (``moov/mvhd``) or of a WebM or Matroska one
    (``Segment/Info``)."""
    try:
        if source.read(0, 4) == b"\x1a\x45\xdf\xa3":
            seconds = _matroska(source)
        else:
            seconds = _mp4(source)
    except (struct.error, IndexError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return seconds if seconds is not None and 0 < seconds < 1e7 else None


def _boxes(source: Source, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, body start, body end) of the ISO boxes between ``start`` and ``end``."""
    found: list[tuple[bytes, int, int]] = []
    position = start
    while position + 8 <= end and len(found) < MAX_BOXES:
        header = source.read(position, 16)
        size, kind = struct.unpack(">I", header[:4])[0], header[4:8]
        body = position + 8
        if size == 1:
            size, body = struct.unpack(">Q", header[8:16])[0], position + 16
        elif size == 0:
            size = end - position
        if size < body - position:
            break
        found.append((kind, body, min(end, position + size)))
        position += size
    return found


def _mp4(source: Source) -> float | None:
    for kind, body, end in _boxes(source, 0, source.size):
        if kind == b"moov":
            for inner, start, _ in _boxes(source, body, end):
                if inner == b"mvhd":
                    header = source.read(start, 32)
                    if header[0] == 1:
                        scale, duration = struct.unpack(">IQ", header[20:32])
                    else:
                        scale, duration = struct.unpack(">II", header[12:20])
                    return duration / scale if scale else None
            return None
    return None


_SEGMENT, _INFO, _SCALE, _DURATION = 0x18538067, 0x1549A966, 0x2AD7B1, 0x4489


def _vint(data: bytes, position: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``position``: (value, where the next one starts)."""
    first = data[position]
    length = 9 - first.bit_length()
    if not 1 <= length <= 8:
        raise ValueError("not an EBML number")
    value = int.from_bytes(data[position : position + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, position + length


def _matroska(source: Source) -> float | None:
    data = source.read(0, 1 << 16)  # Info comes early: after the header and the seek head
    _, position = _vint(data, 0, keep_marker=True)
    size, position = _vint(data, position, keep_marker=False)
    position += size  # past the EBML header
    element, position = _vint(data, position, keep_marker=True)
    if element != _SEGMENT:
        return None
    _, position = _vint(data, position, keep_marker=False)  # the Segment's size, often unknown
    for _ in range(MAX_BOXES):
        element, position = _vint(data, position, keep_marker=True)
        size, position = _vint(data, position, keep_marker=False)
        if element == _INFO:
            return _matroska_info(data[position : position + size])
        position += size
    return None


def _matroska_info(info: bytes) -> float | None:
    scale, duration, position = 1_000_000, None, 0
    while position < len(info):
        element, position = _vint(info, position, keep_marker=True)
        size, position = _vint(info, position, keep_marker=False)
        value = info[position : position + size]
        if element == _SCALE:
            scale = int.from_bytes(value, "big")
        elif element == _DURATION:
            duration = struct.unpack(">f" if size == 4 else ">d", value)[0]
        position += size
    return duration * scale / 1e9 if duration is not None else None


# --- documents ------------------------------------------------------------------------------

_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")
_PAGES_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]{0,200}?/Count\s+(\d{1,7})")
_COUNT_PAGES = re.compile(rb"/Count\s+(\d{1,7})[^>]{0,200}?/Type\s*/Pages\b")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b[^>]*>>\s*stream\r?\n")


def pdf_pages(source: Source) -> int | None:
    """Pages of a PDF: the ``/Type /Page`` objects found in its first and last megabyte, object
    streams there inflated (a megabyte each, 32 at most); a larger count that a ``/Pages`` node
    states stands in for pages in the unread middle. None when nothing says."""
    head = source.read(0, 8)
    if not head.startswith(b"%PDF-"):
        return None
    if source.size <= 2 * PDF_WINDOW:
        windows = [source.read(0, source.size)]
    else:
        windows = [source.read(0, PDF_WINDOW), source.read(source.size - PDF_WINDOW, PDF_WINDOW)]
    pages, stated = 0, 0
    for text in windows + _object_streams(windows):
        pages += len(_PAGE.findall(text))
        for count in _PAGES_COUNT.findall(text) + _COUNT_PAGES.findall(text):
            stated = max(stated, int(count))
    found = max(pages, stated)
    return min(found, MAX_PAGES) if found else None


def _object_streams(windows: list[bytes]) -> list[bytes]:
    inflated: list[bytes] = []
    for text in windows:
        for match in _OBJECT_STREAM.finditer(text):
            if len(inflated) == PDF_STREAMS:
                return inflated
            try:
                inflated.append(
                    zlib.decompressobj().decompress(text[match.end() :], PDF_STREAM_BYTES)
                )
            except zlib.error:
                continue
    return inflated
