"""Small media files of a known length or page count, written byte by byte (no binary fixtures):
WAV, MP3 (constant bitrate, or with a Xing or VBRI frame count), FLAC, Ogg Vorbis and Opus,
MP4 and WebM, and PDF (plain, or with its pages in a compressed object stream)."""

from __future__ import annotations

import io
import struct
import wave
import zlib

# --- audio ------------------------------------------------------------------------------------


def wav(seconds: float, *, rate: int = 8000, channels: int = 1) -> bytes:
    """Silence of ``seconds``, 16-bit, through the standard library's writer."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes(2 * channels * round(seconds * rate)))
    return out.getvalue()


MP3_FRAME_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, stereo
MP3_FRAME_BYTES = 417  # 144 * 128000 / 44100, rounded down
MP3_FRAME_SAMPLES = 1152


def mp3(frames: int, *, id3: bool = False, tag: bool = False) -> bytes:
    """``frames`` constant-bitrate frames, after an ID3v2 tag and before an ID3v1 ``TAG`` if
    asked (neither counts towards the length)."""
    body = (MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - 4)) * frames
    head = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + bytes(20) if id3 else b""
    return head + body + (b"TAG" + bytes(125) if tag else b"")


def mp3_xing(frames: int, *, stored_frames: int = 3) -> bytes:
    """A Xing header saying ``frames`` frames, then only ``stored_frames`` of them (so the length
    can only come from the header)."""
    first = bytearray(MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - 4))
    first[4 + 32 : 4 + 32 + 12] = b"Xing" + struct.pack(">II", 1, frames)
    return bytes(first) + (MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - 4)) * stored_frames


def mp3_vbri(frames: int) -> bytes:
    first = bytearray(MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - 4))
    first[36 : 36 + 18] = b"VBRI" + bytes(10) + struct.pack(">I", frames)
    return bytes(first) + MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - 4)


def flac(samples: int, *, rate: int = 44100) -> bytes:
    """``fLaC`` and a STREAMINFO block (the last metadata block) stating ``samples`` samples."""
    bits = (rate << 44) | (1 << 41) | (15 << 36) | samples  # mono, 16-bit
    info = struct.pack(">HH", 4096, 4096) + bytes(6) + bits.to_bytes(8, "big") + bytes(16)
    return b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info + bytes(64)


def _ogg_page(packet: bytes, granule: int, sequence: int, *, first: bool = False) -> bytes:
    segments = [255] * (len(packet) // 255) + [len(packet) % 255]
    header = b"OggS\x00" + bytes([2 if first else 0]) + struct.pack("<qII", granule, 1, sequence)
    page = header + b"\x00\x00\x00\x00" + bytes([len(segments)]) + bytes(segments) + packet
    return page


def ogg_vorbis(seconds: float, *, rate: int = 44100) -> bytes:
    ident = b"\x01vorbis" + struct.pack("<IBIiii", 0, 1, rate, 0, 128000, 0) + b"\xb8\x01"
    last = round(seconds * rate)
    return (
        _ogg_page(ident, 0, 0, first=True)
        + _ogg_page(bytes(300), last // 2, 1)
        + _ogg_page(bytes(300), last, 2)
    )


def ogg_opus(seconds: float, *, pre_skip: int = 312) -> bytes:
    ident = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    last = round(seconds * 48000) + pre_skip
    return _ogg_page(ident, 0, 0, first=True) + _ogg_page(bytes(200), last, 1)


# --- video ------------------------------------------------------------------------------------


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(
    seconds: float, *, timescale: int = 1000, version: int = 0, moov_last: bool = False
) -> bytes:
    """``ftyp``, ``mdat`` and a ``moov`` holding just ``mvhd`` with the duration; the ``moov``
    before the media data (a "fast start" file) or after it."""
    duration = round(seconds * timescale)
    if version == 1:
        times = struct.pack(">QQIQ", 0, 0, timescale, duration)
    else:
        times = struct.pack(">IIII", 0, 0, timescale, duration)
    mvhd = _box(b"mvhd", bytes([version, 0, 0, 0]) + times + bytes(80))
    moov = _box(b"moov", mvhd)
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    mdat = _box(b"mdat", bytes(2000))
    return ftyp + (mdat + moov if moov_last else moov + mdat)


def _ebml(element: int, body: bytes) -> bytes:
    ident = element.to_bytes((element.bit_length() + 7) // 8, "big")
    return ident + (0x01 << 56 | len(body)).to_bytes(8, "big") + body


def webm(seconds: float) -> bytes:
    """An EBML header, then a Segment of unknown size with an Info (1 ms timecodes, a 4-byte
    float duration) and an empty Cluster."""
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    info = _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big")) + _ebml(
        0x4489, struct.pack(">f", seconds * 1000)
    )
    segment = bytes.fromhex("18538067") + b"\x01\xff\xff\xff\xff\xff\xff\xff"
    return header + segment + _ebml(0x1549A966, info) + _ebml(0x1F43B675, bytes(100))


# --- documents --------------------------------------------------------------------------------


def pdf(pages: int, *, compressed: bool = False, stated: int | None = None) -> bytes:
    """A PDF of ``pages`` empty pages, its page tree saying ``/Count stated`` (``pages`` unless
    told): each object on its own, or (``compressed``) the page tree and the pages in one
    Flate-compressed object stream, as PDF 1.5 writers do, so that no page shows uncompressed."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    tree = f"<< /Type /Pages /Kids [{kids}] /Count {pages if stated is None else stated} >>"
    page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    out = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    if not compressed:
        for number, body in enumerate([tree] + [page] * pages, start=2):
            out += f"{number} 0 obj\n{body}\nendobj\n".encode()
        return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    bodies = [tree.ljust(200)] + [page.ljust(80)] * pages
    starts = [sum(len(b) for b in bodies[:i]) for i in range(len(bodies))]
    offsets = " ".join(f"{2 + i} {start}" for i, start in enumerate(starts)) + " "
    stream = zlib.compress(offsets.encode() + "".join(bodies).encode())
    header = f"<< /Type /ObjStm /N {len(bodies)} /First {len(offsets)} /Length {len(stream)}"
    out += f"{3 + pages} 0 obj\n{header} /Filter /FlateDecode >>\nstream\n".encode()
    out += stream + b"\nendstream\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
