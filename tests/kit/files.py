"""Media files made here (no binary fixtures), an injectable clock, and the checks of a File and
of an upload's chunks that every client's test shares."""

from __future__ import annotations

import random
import re
import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from conformance._uploads import CHUNK, planned_chunks, sha256_hash
from fake_server.journal import Entry
from tests.kit.wire import Exchange

# The File's fields in the order the service sends them (docs/evidence.md#service-file-resource);
# displayName only when the upload gave one.
FILE_FIELDS = tuple(
    "name displayName mimeType sizeBytes createTime updateTime expirationTime sha256Hash uri "
    "state source".split()
)
# A File's uri names the service whichever host served the upload (the same evidence).
SERVICE_FILES = "https://generativelanguage.googleapis.com"
TIME_6 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
TIME_9 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")


class FakeClock:
    """An injectable clock for ``FakeConfig.clock``: it moves only when a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _parse_time(text: str) -> datetime:
    """An RFC 3339 UTC time with up to 9 fractional digits (microseconds kept)."""
    head, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return moment + timedelta(microseconds=int((fraction + "000000")[:6]))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class FilesKit:
    """Media files made here (no binary fixtures), and the checks every client's test shares."""

    @staticmethod
    def png(width: int = 16, height: int = 16, *, size: int | None = None, seed: int = 0) -> bytes:
        """A real RGB PNG of random pixels; ``size`` pads it to exactly that many bytes with a
        ``tEXt`` comment (``file`` and any decoder still read it as the same image)."""
        rng = random.Random(seed)
        rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
        head = b"\x89PNG\r\n\x1a\n" + _png_chunk(
            b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        )
        tail = _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b"")
        if size is None:
            return head + tail
        filler = size - len(head) - len(tail) - 12 - len(b"Comment\x00")
        assert filler >= 0, f"a {width}x{height} PNG does not fit in {size} bytes"
        text = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(filler))
        data = head + _png_chunk(b"tEXt", b"Comment\x00" + text) + tail
        assert len(data) == size
        return data

    @staticmethod
    def jpeg() -> bytes:
        """A real baseline JPEG (JFIF, 8x8 grey): one-code Huffman tables, one all-zero block."""
        ones = bytes([1] * 64)
        one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
        segments = [
            b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
            b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + ones,
            b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00",
            b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + one_code,
            b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + one_code,
            b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00",
        ]
        # DC difference 0 ("0"), then end of block ("0"), padded with ones.
        return b"\xff\xd8" + b"".join(segments) + b"\x3f" + b"\xff\xd9"

    @staticmethod
    def mp3(frames: int = 24) -> bytes:
        """MPEG-1 layer III frames (128 kbit/s, 44.1 kHz) that ``file`` calls audio/mpeg."""
        return (b"\xff\xfb\x90\x64" + bytes(413)) * frames

    def check_file(
        self,
        file: dict[str, Any],
        data: bytes,
        *,
        version: str,
        mime_type: str,
        display_name: str | None = None,
        file_id: str | None = None,
        state: str = "ACTIVE",
    ) -> str:
        """A File as it went over the wire (camelCase, ``sizeBytes`` a string) against the
        bytes uploaded and docs/evidence.md#service-file-resource; returns its id."""
        assert list(file) == [k for k in FILE_FIELDS if k != "displayName" or display_name], file
        name = file["name"]
        if file_id is None:
            assert re.fullmatch(r"files/[a-z0-9]{12}", name), name
        else:
            assert name == f"files/{file_id}"
        found_id: str = name.removeprefix("files/")
        assert file.get("displayName") == display_name
        assert file["mimeType"] == mime_type
        assert file["sizeBytes"] == str(len(data))
        assert file["sha256Hash"] == sha256_hash(data)
        assert file["uri"] == f"{SERVICE_FILES}/{version}/files/{found_id}"
        assert (file["state"], file["source"]) == (state, "UPLOADED")
        assert TIME_6.fullmatch(file["createTime"]), file["createTime"]
        assert file["updateTime"] == file["createTime"]
        assert TIME_9.fullmatch(file["expirationTime"]), file["expirationTime"]
        # 48 hours after the start call, which came (a little) before the file was created.
        lifetime = _parse_time(file["expirationTime"]) - _parse_time(file["createTime"])
        assert timedelta(hours=48) - timedelta(minutes=1) <= lifetime <= timedelta(hours=48)
        return found_id

    @staticmethod
    def sessions(exchanges: list[Exchange]) -> dict[str, list[Exchange]]:
        """Each upload's exchanges, start first, by upload id (in the order they started)."""
        found: dict[str, list[Exchange]] = {}
        for exchange in exchanges:
            if not exchange.path.startswith("/upload/"):
                continue
            match = re.search(r"(?:^|&)upload_id=([^&]+)", exchange.query)
            upload_id = match.group(1) if match else exchange.header("x-guploader-uploadid")
            assert upload_id is not None, exchange
            found.setdefault(upload_id, []).append(exchange)
        return found

    @staticmethod
    def chunks(session: list[Exchange]) -> list[tuple[str | None, int, int]]:
        """An upload's chunks as docs/evidence.md#sdk-upload-chunks tabulates them: command, offset,
        body length (the declared ``Content-Length`` must be the length that arrived)."""
        table = []
        for exchange in session[1:]:
            assert exchange.request_header("content-length") == str(exchange.request_size)
            offset = exchange.request_header("x-goog-upload-offset")
            assert offset is not None, exchange.request_headers
            table.append(
                (
                    exchange.request_header("x-goog-upload-command"),
                    int(offset),
                    exchange.request_size,
                )
            )
        return table

    @staticmethod
    def expected_chunks(size: int) -> list[tuple[str, int, int]]:
        """What both SDKs send for a file of ``size`` bytes: 8 MiB chunks, the last finalizes."""
        return planned_chunks(size, CHUNK)


def check_two_images_prompt(call: Entry, file_uri: str) -> dict[str, Any]:
    """The guide's "Prompting with multiple images" request as the fake journalled it: the
    question, the uploaded JPEG as ``fileData``, then a PNG inline (returned)."""
    assert call.status == 200
    assert call.request is not None
    (content,) = call.request["contents"]
    text, file_part, inline = content["parts"]
    assert text == {"text": "What is different between these two images?"}
    assert file_part == {"fileData": {"fileUri": file_uri, "mimeType": "image/jpeg"}}
    assert inline["inlineData"]["mimeType"] == "image/png"
    inline_part: dict[str, Any] = inline
    return inline_part
