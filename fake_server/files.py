"""Files and upload sessions, kept on disk behind one small store.

Uploaded bytes go straight to disk, a piece at a time, and are never held whole in memory; their
sha256 follows them as they are written (on a thread of its own when there is a CPU to spare),
so finalizing a file does not read it back. A session's metadata and partial bytes, and each
file's metadata and bytes, are files under one root directory
(``<root>/sessions/<upload id>.{json,part}``, ``<root>/files/<id>.{json,bin}``), so with a data
directory an upload can continue after a restart, or on another worker that shares the
directory. Without one, the root is a temporary directory that lives as long as the fake.

Times come from an injectable clock, and ids from a seeded generator, so tests can pin both.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

Clock = Callable[[], datetime]

MAX_FILE_BYTES = 2 * 1024**3  # the service's limit per file
DEFAULT_QUOTA_BYTES = 20 * 1024**3  # the service's storage per project
LIFETIME = timedelta(hours=48)
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
NAME_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?")


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime, digits: int) -> str:
    """RFC 3339 in UTC with ``digits`` fractional digits (the service uses 6, or 9 for expiry)."""
    moment = moment.astimezone(UTC)
    fraction = f"{moment.microsecond:06d}".ljust(digits, "0")[:digits]
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "Z"


@dataclass
class Session:
    """An upload in progress: what was declared at the start, and where it is going."""

    upload_id: str
    file_id: str
    mime_type: str
    display_name: str | None
    declared_size: int | None
    started: str  # ISO time of the start call; the file expires 48 h after it
    api_version: str
    base_url: str  # scheme://host of the start request, for the file's uri
    state: str = "active"  # active, final, cancelled


@dataclass
class StoredFile:
    """A file's metadata; :meth:`resource` renders it as the Files API does."""

    file_id: str
    mime_type: str
    display_name: str | None
    size: int
    sha256_hex: str
    created: str  # ISO times
    expires: str
    ready: str  # when PROCESSING turns ACTIVE
    uri: str

    def state(self, now: datetime) -> str:
        return "ACTIVE" if now >= datetime.fromisoformat(self.ready) else "PROCESSING"

    def expired(self, now: datetime) -> bool:
        return now >= datetime.fromisoformat(self.expires)

    def resource(self, now: datetime) -> dict[str, Any]:
        created = datetime.fromisoformat(self.created)
        body: dict[str, Any] = {"name": f"files/{self.file_id}"}
        if self.display_name:
            body["displayName"] = self.display_name
        body.update(
            mimeType=self.mime_type,
            sizeBytes=str(self.size),  # int64 travels as a string
            createTime=timestamp(created, 6),
            updateTime=timestamp(created, 6),
            expirationTime=timestamp(datetime.fromisoformat(self.expires), 9),
            # As the service computes it: base64 of the lowercase hex digest, not of the digest.
            sha256Hash=base64.b64encode(self.sha256_hex.encode()).decode(),
            uri=self.uri,
            state=self.state(now),
            source="UPLOADED",
        )
        return body


class _Progress:
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


def _steady_heap() -> None:
    """Allocate and free one block of 1 MiB: glibc's malloc then serves blocks up to that size
    from its heap, and trims the heap only when 2 MiB of it are free. Until a block that large
    has been freed, the ASGI server's buffers for each read of an upload (256 KiB and more) can
    grow the heap and trim it again, a system call and a page fault per page every time, which
    took up to 40 % off an upload's speed on one CPU. (Hashing a file back at finalize used to
    do this as a side effect; other allocators ignore it.)"""
    bytearray(_READ_BLOCK)


class Appender:
    """One request's bytes, appended to an upload's part file from the event loop, with the
    upload's sha256 following them (see :class:`_Progress`)."""

    STEP = 1 << 20  # bytes written between two wake-ups of the worker that hashes them

    def __init__(self, progress: _Progress, epoch: int, part: Path, position: int) -> None:
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


class FileStore:
    """Upload sessions and files under ``root``; safe to share between threads."""

    def __init__(self, root: Path | None, *, seed: int = 0, clock: Clock = utc_now) -> None:
        if root is None:  # a directory of its own, removed with the store
            root = Path(tempfile.mkdtemp(prefix="gemini-fake-"))
            weakref.finalize(self, shutil.rmtree, root, ignore_errors=True)
        self.root = root
        self.clock = clock
        (root / "sessions").mkdir(parents=True, exist_ok=True)
        (root / "files").mkdir(parents=True, exist_ok=True)
        self._ids = random.Random(seed)
        self._lock = threading.Lock()
        self._progress: dict[str, _Progress] = {}  # upload id -> its latest request and hash
        self._epochs = itertools.count(1)  # request numbers, never reused
        _steady_heap()

    # --- ids ---

    def new_id(self, length: int = 12) -> str:
        with self._lock:
            while True:
                candidate = "".join(self._ids.choice(_ID_ALPHABET) for _ in range(length))
                if not self._meta(candidate).exists() and not self._session(candidate).exists():
                    return candidate

    # --- sessions ---

    def _session(self, upload_id: str) -> Path:
        return self.root / "sessions" / f"{upload_id}.json"

    def part_path(self, upload_id: str) -> Path:
        return self.root / "sessions" / f"{upload_id}.part"

    def open_session(self, session: Session) -> None:
        self.part_path(session.upload_id).touch()
        self.save_session(session)

    def save_session(self, session: Session) -> None:
        _write_json(self._session(session.upload_id), asdict(session))

    def session(self, upload_id: str) -> Session | None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", upload_id):
            return None
        path = self._session(upload_id)
        return Session(**json.loads(path.read_text())) if path.exists() else None

    def received(self, upload_id: str) -> int:
        path = self.part_path(upload_id)
        return path.stat().st_size if path.exists() else 0

    def _progress_of(self, upload_id: str) -> _Progress:
        with self._lock:
            progress = self._progress.get(upload_id)
            if progress is None:
                progress = self._progress[upload_id] = _Progress(self.part_path(upload_id))
            return progress

    def begin(self, upload_id: str) -> _Progress:
        """A new request on an upload: it supersedes any still in flight, whose Appender
        writes no more."""
        progress = self._progress_of(upload_id)
        progress.epoch = next(self._epochs)
        return progress

    def append(self, upload_id: str, offset: int | None) -> tuple[int, Appender | None]:
        """The bytes received so far, and an Appender for a request that sends more from
        ``offset``: None, superseding nothing, unless ``offset`` is that size; else the request
        begins (see :meth:`begin`)."""
        received = self.received(upload_id)
        if offset != received:
            return received, None
        progress = self.begin(upload_id)
        part = self.part_path(upload_id)
        return received, Appender(progress, progress.epoch, part, received)

    def settle(self, upload_id: str) -> None:
        """Bring the upload's sha256 up to the bytes received (blocks: call it from a thread),
        so that :meth:`commit` has little or nothing left to hash."""
        self._progress_of(upload_id).hash_up_to(self.received(upload_id))

    def _end(self, upload_id: str) -> _Progress:
        """Forget an upload's progress: none of its requests writes any more."""
        with self._lock:
            progress = self._progress.pop(upload_id, None)
        if progress is None:
            progress = _Progress(self.part_path(upload_id))
        progress.end()
        return progress

    def drop_session(self, upload_id: str) -> None:
        self._end(upload_id)
        self.part_path(upload_id).unlink(missing_ok=True)

    # --- files ---

    def _meta(self, file_id: str) -> Path:
        return self.root / "files" / f"{file_id}.json"

    def data_path(self, file_id: str) -> Path:
        return self.root / "files" / f"{file_id}.bin"

    def exists(self, file_id: str) -> bool:
        return self._meta(file_id).exists()

    def commit(self, session: Session, ready_after: timedelta) -> StoredFile:
        """Turn a finished session's bytes into a file: hash them, move them, describe them.

        The bytes were hashed as they were written; only those this process did not write (an
        upload begun before a restart, or on another worker) are read back.
        """
        part = self.part_path(session.upload_id)
        size = part.stat().st_size
        sha256_hex = self._end(session.upload_id).hash_up_to(size)
        now = self.clock()
        started = datetime.fromisoformat(session.started)
        stored = StoredFile(
            file_id=session.file_id,
            mime_type=session.mime_type,
            display_name=session.display_name,
            size=size,
            sha256_hex=sha256_hex,
            created=now.isoformat(),
            expires=(started + LIFETIME).isoformat(),
            ready=(now + ready_after).isoformat(),
            uri=f"{session.base_url}/{session.api_version}/files/{session.file_id}",
        )
        os.replace(part, self.data_path(session.file_id))
        _write_json(self._meta(session.file_id), asdict(stored))
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file, unless it does not exist or has expired (an expired file is removed)."""
        if not NAME_PATTERN.fullmatch(file_id):
            return None
        path = self._meta(file_id)
        try:
            stored = StoredFile(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        if stored.expired(self.clock()):
            self.delete(file_id)
            return None
        return stored

    def delete(self, file_id: str) -> None:
        self._meta(file_id).unlink(missing_ok=True)
        self.data_path(file_id).unlink(missing_ok=True)

    def files(self) -> Iterator[StoredFile]:
        """Every live file, newest first."""
        found = []
        for meta in (self.root / "files").glob("*.json"):
            stored = self.get(meta.stem)
            if stored is not None:
                found.append(stored)
        yield from sorted(found, key=lambda f: (f.created, f.file_id), reverse=True)

    def used_bytes(self) -> int:
        """Bytes held by files and by uploads in progress, against the storage quota."""
        total = sum(f.size for f in self.files())
        return total + sum(p.stat().st_size for p in (self.root / "sessions").glob("*.part"))


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically, so a reader (or a restart) never sees half a file."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data))
    os.replace(temporary, path)
