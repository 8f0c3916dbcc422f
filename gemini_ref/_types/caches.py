"""The ``CachedContent`` resource (``caches.create``, ``get``, ``update``), what creating and
updating one take, its listing and its deletion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import Base
from .configs import Tool, ToolConfig
from .contents import Content, Part


@dataclass(kw_only=True, repr=False, eq=False)
class CachedContentUsageMetadata(Base):
    total_token_count: int | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class CachedContent(Base):
    """A cache of a prompt's start, for one model; name it in
    ``GenerateContentConfig(cached_content=cache.name)``. The times are timezone-aware
    ``datetime`` values in UTC, as in the SDK. The service does not send the contents back."""

    name: str | None = None
    display_name: str | None = None
    model: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    expire_time: datetime | None = None
    usage_metadata: CachedContentUsageMetadata | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class CreateCachedContentConfig(Base):
    """What a cache holds, and how long: ``ttl`` (``"300s"``) or ``expire_time``, at most one;
    one hour when neither is given."""

    ttl: str | None = None
    expire_time: datetime | None = None
    display_name: str | None = None
    contents: Any = None  # what generate_content takes as contents
    system_instruction: str | Part | Content | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class UpdateCachedContentConfig(Base):
    """The new expiry: ``ttl`` from now, or ``expire_time``."""

    ttl: str | None = None
    expire_time: datetime | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListCachedContentsConfig(Base):
    page_size: int | None = None
    page_token: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListCachedContentsResponse(Base):
    cached_contents: list[CachedContent] | None = None
    next_page_token: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class DeleteCachedContentResponse(Base):
    """The (empty) answer to ``caches.delete``."""
