"""An upload's bytes on their way to disk, with their sha256 following them (see
:class:`UploadProgress`)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path


class UploadProgress:
    """What this process knows of an upload in progress (none of it survives a restart): its
    latest request, and the sha256 of the part file's first bytes.

    Bytes land at the end of the part file only (a request starts at the size received so
    far), so the file never changes below what has been hashed, and the digest can follow it
    from anywhere, at any distance: from the event loop as each piece is written (:meth:`hash`),
    or by reading the file back (:meth:`hash_up_to`). With a second CPU to run it, a worker
    thread does the latter while the loop receives and writes the next pieces (the reads and
    hashlib release the GIL): the loop only says how far the file has grown (:meth:`grown`),
    and holds on to nothing. With one CPU a thread would only add switches, and the loop hashes
    each piece while it is still in the cache.
    """

    LINGER = 1.0  # seconds an idle worker waits for more before it ends

    def __init__(self, part: Path) -> None:
        self.epoch = 0  # the latest request's number: only it may write
        self.threaded = _spare_cpu()
        self._part = part
        self._state = threading.Condition()  # over the three below
        self._target = 0  # bytes written, for the worker to hash
        self._working = False  # a worker thread is running
        self._ended = False
        self._hashing = threading.Lock()  # over the two below
        self._digest = hashlib.sha256()
        self._hashed = 0  # the digest covers the part file's first ``_hashed`` bytes

    def grown(self, size: int) -> None:
        """The part file now has ``size`` bytes: have the worker hash them."""
        with self._state:
            self._target = max(self._target, size)
            if not self._working:
                self._working = True
                threading.Thread(target=self._work, name="upload-sha256", daemon=True).start()
            self._state.notify()

    def end(self) -> None:
        """No more bytes: no request may write, and the worker ends."""
        self.epoch = 0  # no request's number
        with self._state:
            self._ended = True
            self._state.notify()

    def hash(self, offset: int, data: bytes) -> None:
        """Take ``data``, the part file's bytes from ``offset``, into the digest."""
        with self._hashing:
            if self._hashed < offset:
                self._read_up_to(offset)
            skip = self._hashed - offset  # bytes already taken in, read back from the file
            if skip < len(data):
                self._digest.update(memoryview(data)[skip:] if skip else data)
                self._hashed = offset + len(data)

    def hash_up_to(self, end: int) -> str:
        """The hex digest of the part file's first ``end`` bytes (blocks on the disk)."""
        with self._hashing:
            if self._hashed > end:  # the file shrank (it never does here): start again
                self._digest, self._hashed = hashlib.sha256(), 0
            self._read_up_to(end)
            return self._digest.hexdigest()

    def _work(self) -> None:
        buffer = bytearray(_READ_BLOCK)  # the worker's only memory, whatever the upload's size
        try:
            with open(self._part, "rb", buffering=0) as part:
                while (end := self._next()) is not None:
                    with self._hashing:
                        end = min(end, self._hashed + _READ_BLOCK)
                        self._read_up_to(end, part.fileno(), buffer)
        except OSError:  # the file went (a cancel) or failed: the digest stays whole without
            with self._state:  # these bytes, and hash_up_to reads them, or raises to the
                self._working = False  # request that needs them

    def _next(self) -> int | None:
        """How far to hash; None (and the worker ends) once there is nothing left."""
        with self._state:
            if self._hashed >= self._target and not self._ended:
                self._state.wait(self.LINGER)
            if self._hashed >= self._target or self._ended:
                self._working = False
                return None
            return self._target

    def _read_up_to(self, end: int, fd: int | None = None, buffer: bytearray | None = None) -> None:
        """Hash the part file's bytes from ``_hashed`` to ``end``, read into ``buffer``."""
        if self._hashed >= end:
            return
        if fd is None:
            with open(self._part, "rb", buffering=0) as part:
                self._read_up_to(end, part.fileno(), buffer)
            return
        view = memoryview(buffer if buffer is not None else bytearray(_READ_BLOCK))
        while self._hashed < end:
            length = os.preadv(fd, [view[: end - self._hashed]], self._hashed)
            if not length:
                raise OSError(f"{self._part} ends at {self._hashed} bytes, not {end}")
            self._digest.update(view[:length])
            self._hashed += length


def _spare_cpu() -> bool:
    """Whether this process may run on more than one CPU."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) > 1
    return (os.cpu_count() or 1) > 1


_READ_BLOCK = 1 << 20


def steady_heap() -> None:
    """Allocate and free one block of 1 MiB: glibc's malloc then serves blocks up to that size
    from its heap, and trims the heap only when 2 MiB of it are free. Until a block that large
    has been freed, the ASGI server's buffers for each read of an upload (256 KiB and more) can
    grow the heap and trim it again, a system call and a page fault per page every time, which
    took up to 40 % off an upload's speed on one CPU. (Hashing a file back at finalize used to
    do this as a side effect; other allocators ignore it.)"""
    bytearray(_READ_BLOCK)


class Appender:
    """One request's bytes, appended to an upload's part file from the event loop, with the
    upload's sha256 following them (see :class:`UploadProgress`)."""

    STEP = 1 << 20  # bytes written between two wake-ups of the worker that hashes them

    def __init__(self, progress: UploadProgress, epoch: int, part: Path, position: int) -> None:
        self._progress = progress
        self._epoch = epoch
        self.position = position
        self._told = position  # how far the worker was told the file goes
        self._fd = os.open(part, os.O_WRONLY)
        os.lseek(self._fd, position, os.SEEK_SET)

    def write(self, data: bytes) -> bool:
        """Append ``data`` (unbuffered: a query sees it at once); False, writing nothing,
        once a newer request has the upload."""
        if self._progress.epoch != self._epoch:
            return False
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        self.position += len(data)
        if not self._progress.threaded:  # hashed at once, while the bytes are in the cache
            self._progress.hash(self.position - len(data), data)
        elif self.position - self._told >= self.STEP:
            self._progress.grown(self.position)
            self._told = self.position
        return True

    def close(self) -> None:
        """Close the file; the worker hashes up to its end."""
        if self._progress.threaded and self.position > self._told:
            self._progress.grown(self.position)
        os.close(self._fd)
