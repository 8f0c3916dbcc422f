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

import itertools
import json
import os
import random
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import Clock, utc_now
from ..protocol.limits import FILE_LIFETIME
from .progress import Appender, UploadProgress, steady_heap
from .records import SERVICE_ORIGIN, PendingUpload, StoredFile

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
NAME_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?")


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
        self._progress: dict[str, UploadProgress] = {}  # upload id -> its latest request and hash
        self._epochs = itertools.count(1)  # request numbers, never reused
        self._uploaded: dict[str, int] = {}  # file id -> its place in upload order, from 1
        steady_heap()

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

    def open_session(self, session: PendingUpload) -> None:
        self.part_path(session.upload_id).touch()
        self.save_session(session)

    def save_session(self, session: PendingUpload) -> None:
        _write_json(self._session(session.upload_id), asdict(session))

    def session(self, upload_id: str) -> PendingUpload | None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", upload_id):
            return None
        path = self._session(upload_id)
        if not path.exists():
            return None
        saved = json.loads(path.read_text())
        known = {f.name for f in fields(PendingUpload)}  # a session saved by an older release
        return PendingUpload(**{k: v for k, v in saved.items() if k in known})

    def received(self, upload_id: str) -> int:
        path = self.part_path(upload_id)
        return path.stat().st_size if path.exists() else 0

    def _progress_of(self, upload_id: str) -> UploadProgress:
        with self._lock:
            progress = self._progress.get(upload_id)
            if progress is None:
                progress = self._progress[upload_id] = UploadProgress(self.part_path(upload_id))
            return progress

    def begin(self, upload_id: str) -> UploadProgress:
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

    def _end(self, upload_id: str) -> UploadProgress:
        """Forget an upload's progress: none of its requests writes any more."""
        with self._lock:
            progress = self._progress.pop(upload_id, None)
        if progress is None:
            progress = UploadProgress(self.part_path(upload_id))
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

    def commit(
        self, session: PendingUpload, ready_after: timedelta, source: str = "UPLOADED"
    ) -> StoredFile:
        """Turn a finished session's bytes into a file: hash them, move them, describe them
        (``source`` GENERATED for a file the service made, such as a batch's results).

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
            expires=(started + FILE_LIFETIME).isoformat(),
            ready=(now + ready_after).isoformat(),
            uri=f"{SERVICE_ORIGIN}/{session.api_version}/files/{session.file_id}",
            source=source,
        )
        os.replace(part, self.data_path(session.file_id))
        _write_json(self._meta(session.file_id), asdict(stored))
        with self._lock:
            self._uploaded[session.file_id] = len(self._uploaded) + 1
        return stored

    def upload_order(self, file_id: str) -> int | None:
        """1 for the first file uploaded since the store was made or :meth:`restart_order`
        was called, 2 for the next, ...; None for a file uploaded before."""
        with self._lock:
            return self._uploaded.get(file_id)

    def restart_order(self) -> None:
        with self._lock:
            self._uploaded.clear()

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
