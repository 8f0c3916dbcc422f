"""The journal: every request the fake received, in its canonical form, and what answered it.

Tests read it to assert on what an app actually sent: ``journal.generate_calls()`` gives each
generate call parsed (model, contents, config, ...), ``journal.uploads()`` each upload session
with its steps, and ``journal.calls(rpc)`` the raw entries. The admin API serves the entries as
JSON (docs/pytest-plugin.md). Entries hold the canonical request (camelCase, standard base64), so
an assertion does not depend on which SDK or casing produced the call.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .protocol.requests import GENERATE_RPCS, last_user_text, text_of

_UPLOAD = "upload:"
INLINE_KEPT = 64 * 1024  # by default, inline data longer than this is kept as its digest
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_KEY_PARAM = re.compile(r"(?<![^&])key=[^&]*")


def journal_view(
    request: dict[str, Any] | None, inline_kept: int = INLINE_KEPT
) -> dict[str, Any] | None:
    """What the journal keeps of a canonical request: all of it, but each inline ``data`` of
    more than ``inline_kept`` bytes as ``{"sha256": ..., "size": ...}`` (the hex digest and
    the length of its bytes), so the journal does not hold whole files."""
    if request is None:
        return None
    return {key: _fold_data(value, key, inline_kept) for key, value in request.items()}


def _fold_data(value: Any, name: str, kept: int) -> Any:
    if name == "data" and isinstance(value, str) and len(value) * 3 // 4 > kept:
        data = base64.b64decode(value)  # canonical: standard base64, checked by the transcoder
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if isinstance(value, dict):
        return {key: _fold_data(item, key, kept) for key, item in value.items()}
    if isinstance(value, list):
        return [_fold_data(item, name, kept) for item in value]
    return value


def without_key(query: str) -> str:
    """The query string with any ``key=`` parameter's value cut: the journal never holds a key."""
    return _KEY_PARAM.sub("key=REDACTED", query) if "key=" in query else query


def upload_answered_by(upload_id: str) -> str:
    """What a journal entry says answered a step of upload ``upload_id``
    (:meth:`Journal.uploads` reads it back)."""
    return _UPLOAD + upload_id


@dataclass
class Entry:
    seq: int
    method: str  # HTTP method
    path: str
    rpc: str  # "generateContent", "countTokens", "models.get", ...
    api_version: str
    model: str | None = None
    request: dict[str, Any] | None = None  # canonical body, None when it could not be read
    status: int = 200
    # What answered: "fixture:<name>", "synthetic", "computed", "catalogue", "files",
    # "upload:<upload id>", "file:<id>", "error:<STATUS>"
    answered_by: str = ""
    key: str | None = None  # the request's canonical key (see fake_server.fixtures.key)
    query: str = ""  # the query string as received, a ``key=`` value cut (e.g. "alt=sse")
    received: float = 0.0  # when the request arrived, in seconds since the epoch
    extra: dict[str, Any] = field(default_factory=dict)

    def stream_progress(self, sent: int, finished: bool) -> None:
        """Kept up to date while a stream answer goes out: the events handed to the server so
        far, and whether the whole answer has gone (False for a stream that ended early)."""
        self.extra["eventsSent"] = sent
        self.extra["streamFinished"] = finished

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {_camel(k): v for k, v in data.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


class Journal:
    """An append-only, thread-safe list of :class:`Entry` (the socket fake serves from a thread).

    It keeps only the latest entries: at most ``limit`` of them, whose bodies add up to at most
    ``max_bytes`` (the newest is always kept), so a long-running fake holds flat memory;
    ``seq`` keeps counting, so a gap shows what was dropped.
    """

    def __init__(self, limit: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._lock = threading.Lock()
        self._limit = limit or None
        self._max_bytes = max_bytes
        self._entries: deque[tuple[Entry, int]] = deque()
        self._bytes = 0
        self._count = 0

    def record(self, entry: Entry, size: int = 0) -> Entry:
        """Keep ``entry``, whose request body was ``size`` bytes, dropping the oldest if need be."""
        with self._lock:
            self._count += 1
            entry.seq = self._count
            self._entries.append((entry, size))
            self._bytes += size
            while len(self._entries) > 1 and (
                self._bytes > self._max_bytes
                or (self._limit is not None and len(self._entries) > self._limit)
            ):
                self._bytes -= self._entries.popleft()[1]
        return entry

    def bytes_held(self) -> int:
        """How many bytes of request bodies the kept entries hold."""
        with self._lock:
            return self._bytes

    @property
    def entries(self) -> list[Entry]:
        with self._lock:
            return [entry for entry, _ in self._entries]

    def calls(self, rpc: str | None = None, *, model: str | None = None) -> list[Entry]:
        """Entries for one RPC (and model), oldest first."""
        return [
            e
            for e in self.entries
            if (rpc is None or e.rpc == rpc) and (model is None or e.model == model)
        ]

    def last(self, rpc: str | None = None) -> Entry:
        calls = self.calls(rpc)
        if not calls:
            raise LookupError(f"the fake received no {rpc or 'request'}")
        return calls[-1]

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._count = 0

    def generate_calls(self, model: str | None = None) -> list[GenerateCall]:
        """generateContent and streamGenerateContent calls (on ``model``), oldest first."""
        wanted = model.removeprefix("models/") if model else None
        return [
            GenerateCall(e)
            for e in self.entries
            if e.rpc in GENERATE_RPCS
            and (wanted is None or (e.model or "").removeprefix("models/") == wanted)
        ]

    def uploads(self) -> list[UploadSession]:
        """Every resumable upload the fake was asked to start, with each step on its URL
        (a session whose start the journal's ``limit`` has dropped is left out)."""
        sessions: dict[str, UploadSession] = {}
        for entry in self.entries:
            if entry.rpc != "files.upload":
                continue
            if entry.extra.get("command") == "start":
                if entry.answered_by.startswith(_UPLOAD):  # else it was refused
                    upload_id = entry.answered_by.removeprefix(_UPLOAD)
                    sessions[upload_id] = UploadSession(upload_id, entry)
                continue
            upload_id = parse_qs(entry.query).get("upload_id", [""])[0]
            if upload_id in sessions:
                sessions[upload_id].steps.append(entry)
        return list(sessions.values())


@dataclass(frozen=True)
class GenerateCall:
    """One generate call as an app made it: what a test asserts on."""

    entry: Entry

    @property
    def request(self) -> dict[str, Any]:
        return self.entry.request or {}

    @property
    def model(self) -> str:
        """The model as requested, without ``models/``."""
        return (self.entry.model or "").removeprefix("models/")

    @property
    def stream(self) -> bool:
        return self.entry.rpc == "streamGenerateContent"

    @property
    def contents(self) -> list[dict[str, Any]]:
        contents: list[dict[str, Any]] = self.request.get("contents", [])
        return contents

    @property
    def config(self) -> dict[str, Any]:
        """The ``generationConfig`` (canonical names: ``thinkingConfig``, ``temperature``...)."""
        config: dict[str, Any] = self.request.get("generationConfig", {})
        return config

    @property
    def system_instruction(self) -> str | None:
        return text_of(self.request.get("systemInstruction"))

    @property
    def tools(self) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = self.request.get("tools", [])
        return tools

    @property
    def last_user_text(self) -> str | None:
        """As the ``lastUserText`` condition reads it: the last user turn's text, stripped."""
        return last_user_text(self.request)

    @property
    def history(self) -> list[tuple[str, str]]:
        """The conversation as ``(role, text)`` pairs, text parts joined (others left out)."""
        return [(c.get("role", "user"), text_of(c) or "") for c in self.contents]

    @property
    def answered_by(self) -> str:
        return self.entry.answered_by

    @property
    def status(self) -> int:
        return self.entry.status


@dataclass
class UploadSession:
    """One resumable upload: its start and each command sent to its upload URL."""

    upload_id: str
    start: Entry
    steps: list[Entry] = field(default_factory=list)

    @property
    def metadata(self) -> dict[str, Any]:
        """The ``file`` object the start sent (``displayName``, ``mimeType``, ``name``...)."""
        file: dict[str, Any] = (self.start.request or {}).get("file", {})
        return file

    @property
    def display_name(self) -> str | None:
        name = self.metadata.get("displayName", self.metadata.get("display_name"))
        return None if name is None else str(name)

    @property
    def declared_size(self) -> int | None:
        size = self.start.extra.get("declaredSize")
        return None if size is None else int(size)

    @property
    def mime_type(self) -> str | None:
        mime = self.start.extra.get("mimeType")
        return None if mime is None else str(mime)

    @property
    def commands(self) -> list[str]:
        """Each step's ``X-Goog-Upload-Command``, e.g. ``["upload", "upload, finalize"]``."""
        return [str(step.extra.get("command", "")) for step in self.steps]

    @property
    def bytes_sent(self) -> int:
        return sum(int(step.extra.get("bytes", 0)) for step in self.steps)

    @property
    def status(self) -> str:
        """The last ``X-Goog-Upload-Status`` answered: ``active``, ``final`` or ``cancelled``."""
        last = self.steps[-1] if self.steps else self.start
        return str(last.extra.get("uploadStatus", ""))

    @property
    def file_name(self) -> str | None:
        """``files/<id>`` once finalized."""
        for step in self.steps:
            if "fileName" in step.extra:
                return str(step.extra["fileName"])
        return None
