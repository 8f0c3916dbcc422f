"""Files and upload sessions, kept on disk behind one small store.

Uploaded bytes go straight to disk, a piece at a time, and are never held whole in memory. A
session's metadata and partial bytes, and each file's metadata and bytes, are files under one
root directory (``<root>/sessions/<upload id>.{json,part}``, ``<root>/files/<id>.{json,bin}``),
so with a data directory an upload can continue after a restart, or on another worker that
shares the directory. Without one, the root is a temporary directory that lives as long as the
fake.

Times come from an injectable clock, and ids from a seeded generator, so tests can pin both.
"""

from __future__ import annotations

import base64
import hashlib
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
        self._epochs: dict[str, int] = {}  # upload id -> number of its latest request

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

    def begin(self, upload_id: str) -> int:
        """A new request on an upload; it supersedes any still in flight (see is_current)."""
        with self._lock:
            self._epochs[upload_id] = self._epochs.get(upload_id, 0) + 1
            return self._epochs[upload_id]

    def is_current(self, upload_id: str, epoch: int) -> bool:
        return self._epochs.get(upload_id) == epoch

    def drop_session(self, upload_id: str) -> None:
        self.part_path(upload_id).unlink(missing_ok=True)

    # --- files ---

    def _meta(self, file_id: str) -> Path:
        return self.root / "files" / f"{file_id}.json"

    def data_path(self, file_id: str) -> Path:
        return self.root / "files" / f"{file_id}.bin"

    def exists(self, file_id: str) -> bool:
        return self._meta(file_id).exists()

    def commit(self, session: Session, ready_after: timedelta) -> StoredFile:
        """Turn a finished session's bytes into a file: hash them, move them, describe them."""
        part = self.part_path(session.upload_id)
        digest = hashlib.sha256()
        with part.open("rb") as data:
            while block := data.read(1 << 20):
                digest.update(block)
        now = self.clock()
        started = datetime.fromisoformat(session.started)
        stored = StoredFile(
            file_id=session.file_id,
            mime_type=session.mime_type,
            display_name=session.display_name,
            size=part.stat().st_size,
            sha256_hex=digest.hexdigest(),
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
