"""What a prompt is made of: ``Content`` turns of parts (text, bytes, files, function calls)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Base


@dataclass(kw_only=True, repr=False, eq=False)
class Blob(Base):
    """Bytes sent inline (``inlineData``); base64 on the wire, ``bytes`` here."""

    data: bytes | None = None
    mime_type: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class FileData(Base):
    """A reference to an uploaded file (``fileData``)."""

    file_uri: str | None = None
    mime_type: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class FunctionCall(Base):
    id: str | None = None
    name: str | None = None
    args: dict[str, Any] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class FunctionResponse(Base):
    id: str | None = None
    name: str | None = None
    response: dict[str, Any] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class Part(Base):
    """One piece of a turn: text, inline bytes, a file reference or a function call/result."""

    text: str | None = None
    thought: bool | None = None
    thought_signature: bytes | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None

    @classmethod
    def from_text(cls, *, text: str) -> Part:
        return cls(text=text)

    @classmethod
    def from_bytes(cls, *, data: bytes, mime_type: str) -> Part:
        return cls(inline_data=Blob(data=data, mime_type=mime_type))

    @classmethod
    def from_uri(cls, *, file_uri: str, mime_type: str | None = None) -> Part:
        return cls(file_data=FileData(file_uri=file_uri, mime_type=mime_type))

    @classmethod
    def from_function_call(cls, *, name: str, args: dict[str, Any]) -> Part:
        return cls(function_call=FunctionCall(name=name, args=args))

    @classmethod
    def from_function_response(cls, *, name: str, response: dict[str, Any]) -> Part:
        return cls(function_response=FunctionResponse(name=name, response=response))


@dataclass(kw_only=True, repr=False, eq=False)
class Content(Base):
    """One turn of a conversation: its ``role`` (``"user"`` or ``"model"``) and its parts."""

    parts: list[Part] | None = None
    role: str | None = None
