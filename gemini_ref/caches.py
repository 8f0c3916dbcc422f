"""``client.caches`` and ``client.aio.caches``: keep the start of a prompt on the service and
name it in later requests (context caching).

::

    cache = client.caches.create(
        model="gemini-2.5-flash",
        config=types.CreateCachedContentConfig(contents=[long_document], ttl="600s"),
    )
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Summarise the document.",
        config=types.GenerateContentConfig(cached_content=cache.name),
    )

A cache holds contents, a system instruction and tools for one model; a request naming it may
not set its own system instruction, tools or tool configuration. ``usage_metadata`` of each
answer counts the cached tokens as ``cached_content_token_count``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._caller import AsyncCaller, Caller
from ._calls import (
    create_cached_content,
    delete_cached_content,
    get_cached_content,
    list_cached_contents,
    update_cached_content,
)
from .pagers import AsyncPager, Pager
from .types import (
    CachedContent,
    CreateCachedContentConfig,
    DeleteCachedContentResponse,
    ListCachedContentsConfig,
    UpdateCachedContentConfig,
)

__all__ = ["AsyncCaches", "Caches"]

CreateConfigLike = CreateCachedContentConfig | Mapping[str, Any]
UpdateConfigLike = UpdateCachedContentConfig | Mapping[str, Any]
ListConfigLike = ListCachedContentsConfig | Mapping[str, Any]


class Caches:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def create(self, *, model: str, config: CreateConfigLike | None = None) -> CachedContent:
        """A new cache of ``config.contents`` (and ``system_instruction``, ``tools``,
        ``tool_config``) for ``model``, kept for ``config.ttl`` (``"300s"``) or until
        ``config.expire_time``; an hour if neither is given. Too few tokens for the model is
        an ``errors.ClientError`` (400)."""
        return self._caller.send(create_cached_content(model, config))

    def get(self, *, name: str) -> CachedContent:
        """The cache ``name`` (``"cachedContents/abc"`` or ``"abc"``); a missing or expired one
        is an ``errors.ClientError`` (403)."""
        return self._caller.send(get_cached_content(name))

    def list(self, *, config: ListConfigLike | None = None) -> Pager[CachedContent]:
        """Every live cache; iterating the pager fetches further pages as needed."""
        return self._caller.pager(list_cached_contents(config))

    def update(self, *, name: str, config: UpdateConfigLike | None = None) -> CachedContent:
        """Move the cache's expiry: ``config.ttl`` from now, or ``config.expire_time``."""
        return self._caller.send(update_cached_content(name, config))

    def delete(self, *, name: str) -> DeleteCachedContentResponse:
        """Delete the cache ``name`` (``"cachedContents/abc"`` or ``"abc"``)."""
        return self._caller.send(delete_cached_content(name))


class AsyncCaches:
    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create(self, *, model: str, config: CreateConfigLike | None = None) -> CachedContent:
        """As ``client.caches.create``."""
        return await self._caller.send(create_cached_content(model, config))

    async def get(self, *, name: str) -> CachedContent:
        """As ``client.caches.get``."""
        return await self._caller.send(get_cached_content(name))

    async def list(self, *, config: ListConfigLike | None = None) -> AsyncPager[CachedContent]:
        """Every live cache; ``async for`` over the pager fetches further pages."""
        return await self._caller.pager(list_cached_contents(config))

    async def update(self, *, name: str, config: UpdateConfigLike | None = None) -> CachedContent:
        """As ``client.caches.update``."""
        return await self._caller.send(update_cached_content(name, config))

    async def delete(self, *, name: str) -> DeleteCachedContentResponse:
        """As ``client.caches.delete``."""
        return await self._caller.send(delete_cached_content(name))
