"""``Client``, the entry point, and its async twin ``client.aio``."""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from ._caller import AsyncCaller, Caller
from ._settings import DEFAULT_TIMEOUT, Settings, resolve
from ._transport import LightClient
from .batches import AsyncBatches, Batches
from .caches import AsyncCaches, Caches
from .chats import AsyncChats, Chats
from .files import AsyncFiles, Files
from .models import AsyncModels, Models
from .types import HttpOptions


class Client:
    """A client for the Gemini API (generativelanguage), shaped like ``google.genai.Client``.

    ::

        client = gemini_ref.Client()  # key from GOOGLE_API_KEY or GEMINI_API_KEY
        response = client.models.generate_content(model="gemini-2.5-flash", contents="Hi")
        print(response.text)

    The network is the injectable seam: pass ``http_client`` (an ``httpx.Client``, e.g. one with
    an ``httpx.MockTransport`` or Starlette's ``TestClient``) and/or ``async_http_client``.
    Without one, the sync calls go through a ``LightClient`` (``_transport``: the same
    ``httpx.Request`` and ``httpx.Response``, with less work in between), or through a plain
    ``httpx.Client`` when the environment names a proxy.
    Clients you pass in are yours to close; the ones this class creates are closed by
    ``close()`` / ``client.aio.aclose()`` or by leaving the ``with`` block.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        api_version: str | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        http_options: HttpOptions | Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        self._settings = resolve(
            api_key=api_key,
            base_url=base_url,
            api_version=api_version,
            http_options=http_options,
            timeout=timeout,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else _default_http_client()
        self._async_http_client = async_http_client
        self._aio: AsyncClient | None = None
        caller = Caller(self._settings, self._http)
        self.models = Models(caller)
        self.files = Files(caller)
        self.caches = Caches(caller)
        self.batches = Batches(caller)
        self.chats = Chats(caller)

    @property
    def aio(self) -> AsyncClient:
        """The async twin of this client, sharing its settings (created on first use)."""
        if self._aio is None:
            self._aio = AsyncClient(self._settings, self._async_http_client)
        return self._aio

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def api_version(self) -> str:
        return self._settings.api_version

    def close(self) -> None:
        """Close the sync HTTP client if this class created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _default_http_client() -> httpx.Client | LightClient:
    # httpx routes requests through the proxies the environment names; LightClient does not.
    if urllib.request.getproxies():
        return httpx.Client(timeout=DEFAULT_TIMEOUT)
    return LightClient(DEFAULT_TIMEOUT)


class AsyncClient:
    """``client.aio``: the same API with ``await``. Get it from ``Client.aio``."""

    def __init__(self, settings: Settings, http_client: httpx.AsyncClient | None = None) -> None:
        self._owns_http = http_client is None
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        )
        caller = AsyncCaller(settings, self._http)
        self.models = AsyncModels(caller)
        self.files = AsyncFiles(caller)
        self.caches = AsyncCaches(caller)
        self.batches = AsyncBatches(caller)
        self.chats = AsyncChats(caller)

    async def aclose(self) -> None:
        """Close the async HTTP client if this class created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
