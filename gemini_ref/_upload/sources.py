"""The bytes to upload, read a chunk at a time from a path, ``bytes`` or a binary stream.

Nothing is read before the upload asks, and never the whole file at once. A stream that cannot
seek keeps its last chunk, the only part of it an upload may need to send again (``machine``).
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO, Protocol, cast


class ReadableBinary(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _SeekableBinary(ReadableBinary, Protocol):
    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def tell(self) -> int: ...


FileInput = str | os.PathLike[str] | bytes | bytearray | memoryview | ReadableBinary


class Source:
    """The bytes to upload, read a chunk at a time: never the whole file at once."""

    size: int
    blocking = True
    """Whether a read may block on a disk or a stream: the async shell then runs it in a thread."""
    earliest = 0
    """The lowest offset that can still be read (a stream that cannot seek forgets the past)."""

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset``, or fewer when the source ends first."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class _BytesSource(Source):
    blocking = False

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._view = memoryview(data).cast("B")
        self.size = self._view.nbytes

    def read(self, offset: int, length: int) -> bytes:
        return bytes(self._view[offset : offset + length])


class _PathSource(Source):
    """A file on disk, opened at the first read and closed by ``close``."""

    def __init__(self, path: str, size: int) -> None:
        self._path = path
        self._handle: BinaryIO | None = None
        self._file: _SeekableSource | None = None
        self.size = size

    def read(self, offset: int, length: int) -> bytes:
        if self._file is None:
            self._handle = open(self._path, "rb")  # closed by close()
            self._file = _SeekableSource(self._handle, start=0, size=self.size)
        return self._file.read(offset, length)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


class _SeekableSource(Source):
    """A stream that can seek, read from where it stood when the upload was prepared."""

    def __init__(self, stream: _SeekableBinary, *, start: int, size: int) -> None:
        self._stream = stream
        self._start = start
        self._position = start
        self.size = size

    def read(self, offset: int, length: int) -> bytes:
        position = self._start + offset
        if position != self._position:
            self._stream.seek(position)
        data = _read_exactly(self._stream, length)
        self._position = position + len(data)
        return data


class _ForwardSource(Source):
    """A stream that cannot seek: the last chunk read is kept, to resend any part of it."""

    def __init__(self, stream: ReadableBinary, *, size: int) -> None:
        self._stream = stream
        self._chunk = b""
        self.earliest = 0  # where the kept chunk starts
        self.size = size

    def read(self, offset: int, length: int) -> bytes:
        end = self.earliest + len(self._chunk)
        if offset == end:  # the next chunk
            self._chunk = _read_exactly(self._stream, length)
            self.earliest = offset
            return self._chunk
        if self.earliest <= offset and offset + length <= end:  # part of the kept one, again
            return self._chunk[offset - self.earliest : offset - self.earliest + length]
        raise RuntimeError(f"cannot read {length} bytes at {offset} from a forward-only stream")


def _read_exactly(stream: ReadableBinary, length: int) -> bytes:
    """``length`` bytes from ``stream``, fewer only at its end (raw streams return short reads)."""
    parts: list[bytes] = []
    remaining = length
    while remaining > 0:
        data = stream.read(remaining)
        if data is None:
            raise TypeError("the stream is non-blocking and had no data: use a blocking one")
        if not isinstance(data, bytes | bytearray):
            raise TypeError(
                f"the stream gave {type(data).__name__}, not bytes: open files with mode 'rb'"
            )
        if not data:
            break
        parts.append(bytes(data))
        remaining -= len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def open_source(file: FileInput, size_bytes: int | None) -> tuple[Source, str | None]:
    """The source for ``file`` and, for a path, the name to guess a MIME type from.

    Nothing is read yet, and a path is opened only at the first read. A stream's size is what
    lies between its position and its end; one that cannot seek needs ``size_bytes``.
    """
    source: Source
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        if not isinstance(path, str):
            raise TypeError("give the path as a str or a str-based os.PathLike")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path!r} is not a file")
        source, name = _PathSource(path, os.path.getsize(path)), path
    elif isinstance(file, bytes | bytearray | memoryview):
        source, name = _BytesSource(file), None
    elif callable(getattr(file, "read", None)):
        source, name = _stream_source(file, size_bytes), None
    else:
        raise TypeError(
            f"cannot upload a {type(file).__name__}: pass a path, bytes or a binary file object"
        )
    if size_bytes is not None and size_bytes != source.size:
        raise ValueError(f"config size_bytes is {size_bytes}, but the file has {source.size} bytes")
    return source, name


def _stream_source(stream: ReadableBinary, size_bytes: int | None) -> Source:
    if isinstance(stream, io.TextIOBase) or "b" not in getattr(stream, "mode", "b"):
        raise TypeError("the file must be opened in binary mode ('rb'), not as text")
    seekable = getattr(stream, "seekable", None)
    if callable(seekable) and seekable():
        seeker = cast(_SeekableBinary, stream)
        start = seeker.tell()
        end = seeker.seek(0, os.SEEK_END)
        seeker.seek(start)
        return _SeekableSource(seeker, start=start, size=end - start)
    if size_bytes is None:
        raise ValueError(
            "the stream cannot seek, so its size is unknown: pass config={'size_bytes': ...}"
        )
    return _ForwardSource(stream, size=size_bytes)
