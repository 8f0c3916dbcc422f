"""The cached contents a fake holds (``cachedContents``): each a prefix of a prompt, kept until
its expiry on the fake's clock, and bounded in number and in size.

A cache is a :class:`CachedContent`: what was cached (contents, system instruction, tools, tool
configuration), what it costs in tokens per modality, and its times. :meth:`CachedContent.merged`
is a generate request with the cache put in front of it, which the answering code reads as if
the app had sent it all. Expired caches are gone: every call first drops them.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .records import timestamp

ID_LENGTH = 40  # cachedContents/<40 [a-z0-9]> (docs/evidence.md#service-caches)
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
MAX_CACHES = 200  # caches held at once
MAX_CACHED_BYTES = 256 * 1024 * 1024  # request bytes held by all caches together


@dataclass(frozen=True)
class CachedContent:
    """One cache: what it holds, its cost, and its times."""

    name: str  # cachedContents/<id>
    model: str  # models/<id>, as the app named it
    display_name: str
    contents: list[dict[str, Any]]
    system_instruction: dict[str, Any] | None
    tools: list[dict[str, Any]] | None
    tool_config: dict[str, Any] | None
    tokens: dict[str, int]  # per modality, as countTokens would count them
    created: datetime
    updated: datetime
    expires: datetime
    size: int  # the bytes of the request that made it, for the store's bound

    def resource(self) -> dict[str, Any]:
        """The resource as create, get, list and update show it: no contents, and
        ``displayName`` even when empty."""
        return {
            "name": self.name,
            "model": self.model,
            "createTime": timestamp(self.created, 6),
            "updateTime": timestamp(self.updated, 6),
            "expireTime": timestamp(self.expires, 9),
            "displayName": self.display_name,
            "usageMetadata": {"totalTokenCount": sum(self.tokens.values())},
        }

    def merged(self, request: dict[str, Any]) -> dict[str, Any]:
        """``request`` as if the cache had been sent with it: its contents first, and its
        system instruction, tools and tool configuration (which the request may not set)."""
        merged = {k: v for k, v in request.items() if k != "cachedContent"}
        merged["contents"] = [*self.contents, *request.get("contents", ())]
        for key, value in (
            ("systemInstruction", self.system_instruction),
            ("tools", self.tools),
            ("toolConfig", self.tool_config),
        ):
            if value is not None:
                merged[key] = value
        return merged


class TooManyCaches(Exception):
    """The store holds as many caches, or as many bytes of them, as it may."""


@dataclass
class CacheStore:
    """The live caches, by name; safe to share between threads. Ids come from a seeded
    generator, so a fresh fake names its caches the same way on every run."""

    seed: int = 0
    max_caches: int = MAX_CACHES
    max_bytes: int = MAX_CACHED_BYTES
    _caches: dict[str, CachedContent] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._ids = random.Random(self.seed)

    def add(self, now: datetime, make: Callable[[str], CachedContent]) -> CachedContent:
        """The cache ``make`` builds under a new name, kept (or :class:`TooManyCaches`)."""
        with self._lock:
            self._drop_expired(now)
            name = self._new_name()
            cache = make(name)
            held = sum(c.size for c in self._caches.values())
            if len(self._caches) >= self.max_caches or held + cache.size > self.max_bytes:
                raise TooManyCaches
            self._caches[name] = cache
            return cache

    def get(self, name: str, now: datetime) -> CachedContent | None:
        with self._lock:
            self._drop_expired(now)
            return self._caches.get(name)

    def all(self, now: datetime) -> list[CachedContent]:
        """The live caches, oldest first."""
        with self._lock:
            self._drop_expired(now)
            return list(self._caches.values())

    def expire_at(self, name: str, expires: datetime, now: datetime) -> CachedContent | None:
        """The cache with its new expiry (``None`` if there is no such cache)."""
        with self._lock:
            self._drop_expired(now)
            cache = self._caches.get(name)
            if cache is None:
                return None
            cache = replace(cache, expires=expires, updated=now)
            self._caches[name] = cache
            return cache

    def delete(self, name: str, now: datetime) -> bool:
        with self._lock:
            self._drop_expired(now)
            return self._caches.pop(name, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._caches.clear()

    def _drop_expired(self, now: datetime) -> None:
        for name in [n for n, c in self._caches.items() if c.expires <= now]:
            del self._caches[name]

    def _new_name(self) -> str:
        while True:
            name = "cachedContents/" + "".join(
                self._ids.choice(_ID_ALPHABET) for _ in range(ID_LENGTH)
            )
            if name not in self._caches:
                return name
