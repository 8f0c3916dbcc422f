"""Where the client sends its requests and what it sends with them, resolved once.

Precedence, for each setting, is the explicit argument, then ``http_options``, then the
environment, then the default:

* key: ``api_key``, then ``GOOGLE_API_KEY``, then ``GEMINI_API_KEY`` (the SDK's order);
* base URL: ``base_url``, ``http_options.base_url``, ``GOOGLE_GEMINI_BASE_URL``, then
  ``https://generativelanguage.googleapis.com``; a path prefix in it is kept;
* API version: ``api_version``, ``http_options.api_version``, then ``v1beta`` (the JS SDK's and
  the REST docs' default; the Python SDK defaults to ``v1``);
* timeout: ``timeout`` in seconds, then ``http_options.timeout`` in milliseconds (the SDK's
  unit, which also sends it to the server as ``X-Server-Timeout``).
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from ._coerce import coerce
from ._version import __version__
from .errors import MissingAPIKeyError
from .types import HttpOptions

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
DEFAULT_API_VERSION = "v1beta"
# Generation can take minutes; httpx's 5 s default would cut most answers off.
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
USER_AGENT = f"gemini-ref/{__version__} gl-python/{platform.python_version()}"


@dataclass(frozen=True)
class Settings:
    api_key: str
    base_url: str  # without a trailing slash
    api_version: str
    headers: httpx.Headers
    timeout: httpx.Timeout | None  # None: whatever the httpx client is configured with

    @property
    def request_timeout(self) -> httpx.Timeout | UseClientDefault:
        """The timeout each request is built with: the httpx client's own when none was set."""
        return self.timeout if self.timeout is not None else httpx.USE_CLIENT_DEFAULT

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.api_version}/{path}"

    def upload_url(self, path: str) -> str:
        """Where uploads start: ``{base_url}/upload/{api_version}/{path}``."""
        return f"{self.base_url}/upload/{self.api_version}/{path}"


def resolve(
    *,
    api_key: str | None,
    base_url: str | None,
    api_version: str | None,
    http_options: HttpOptions | Mapping[str, Any] | None,
    timeout: float | httpx.Timeout | None,
    env: Mapping[str, str] = os.environ,
) -> Settings:
    options = coerce(HttpOptions, http_options if http_options is not None else {})
    key = api_key or env.get("GOOGLE_API_KEY") or env.get("GEMINI_API_KEY")
    if not key:
        raise MissingAPIKeyError(
            "No API key: pass Client(api_key=...) or set GOOGLE_API_KEY or GEMINI_API_KEY."
        )
    url = base_url or options.base_url or env.get("GOOGLE_GEMINI_BASE_URL") or DEFAULT_BASE_URL
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an absolute http(s) URL, got {url!r}")
    headers = httpx.Headers(
        {"x-goog-api-key": key, "user-agent": USER_AGENT, "x-goog-api-client": USER_AGENT}
    )
    headers.update(options.headers or {})  # case-insensitive: the caller's spelling wins
    if timeout is None and options.timeout is not None:
        timeout = options.timeout / 1000
        headers.setdefault("X-Server-Timeout", str(math.ceil(timeout)))
    return Settings(
        api_key=key,
        base_url=url.rstrip("/"),
        api_version=api_version or options.api_version or DEFAULT_API_VERSION,
        headers=headers,
        timeout=httpx.Timeout(timeout) if timeout is not None else None,
    )
