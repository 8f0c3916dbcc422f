"""The journal's entries read as an app made them: generate calls and upload sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..protocol.requests import last_user_text, text_of
from .entry import Entry


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
