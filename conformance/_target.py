"""What the conformance suite runs against, chosen by ``GEMINI_CONFORMANCE_TARGET``.

=====================  ==================================================================
value                  target
=====================  ==================================================================
``both`` (or unset)    every server-side test twice: the fake in process, then the fake
                       under uvicorn on ``127.0.0.1`` (a free port)
``inprocess``          the fake in process only (``httpx`` calls the ASGI app, no socket)
``socket``             the fake on a loopback port only
``http(s)://HOST...``  any running server (``gemini-fake serve``, a proxy, a port of the
                       fake); the key is ``GEMINI_API_KEY``
=====================  ==================================================================

The real service (a ``*.googleapis.com`` URL) is refused unless ``GEMINI_CONFORMANCE_REAL=1``
is set too, with ``GEMINI_API_KEY``: every run costs quota, so it is never the default, and a
stray variable in CI cannot make it so.

A test reaches the target through a :class:`Target`: ``http()`` is an ``httpx.Client`` on the
target's base URL, ``client()`` a ``gemini_ref.Client`` and ``sdk()`` an official
``google.genai.Client`` on it. Tests that need the fake's own controls (its journal, fixtures,
pacing, configured keys) ask for :attr:`Target.fake`, or call :meth:`Target.configure`; both
skip the test, with the reason, on a URL target. On the fake targets every test gets a fresh
fake: no files, no journal entries, no fixture sequences carried over.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

import gemini_ref
from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.inprocess import AsyncASGITransport, SyncASGITransport
from fake_server.journal import Journal
from fake_server.server import ThreadedServer
from fake_server.state import FakeState

if TYPE_CHECKING:
    from google import genai

TARGET_VARIABLE = "GEMINI_CONFORMANCE_TARGET"
REAL_VARIABLE = "GEMINI_CONFORMANCE_REAL"
KEY_VARIABLE = "GEMINI_API_KEY"
FAKE_KEY = "conformance-key"  # any key will do for a fake that was not given --api-key
IN_PROCESS_URL = "http://gemini-fake.test"
FAKE_MODES = ("inprocess", "socket")


class TargetError(ValueError):
    """The target variables name nothing the suite can run against, or a refused one."""


@dataclass(frozen=True)
class Selection:
    """The targets one run covers: fake modes, or one URL."""

    modes: tuple[str, ...]  # "inprocess", "socket" or "url"
    url: str | None = None
    api_key: str = FAKE_KEY

    @property
    def ids(self) -> list[str]:
        return list(self.modes)


def is_google(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "googleapis.com" or host.endswith(".googleapis.com")


def select(env: dict[str, str] | os._Environ[str]) -> Selection:
    """The targets the environment asks for; :class:`TargetError` says what is wrong."""
    value = env.get(TARGET_VARIABLE, "").strip()
    if value in ("", "both"):
        return Selection(FAKE_MODES)
    if value in ("inprocess", "in-process"):
        return Selection(("inprocess",))
    if value == "socket":
        return Selection(("socket",))
    if not value.startswith(("http://", "https://")) or not urlsplit(value).hostname:
        raise TargetError(
            f"{TARGET_VARIABLE}={value!r} is not a target: use inprocess, socket, both, or the"
            " base URL of a running server (e.g. http://127.0.0.1:8080)"
        )
    key = env.get(KEY_VARIABLE, "")
    if is_google(value):
        if env.get(REAL_VARIABLE) != "1":
            raise TargetError(
                f"{TARGET_VARIABLE}={value} is the real Gemini API: every test costs quota and"
                f" needs a real key. Set {REAL_VARIABLE}=1 (and {KEY_VARIABLE}) to run against it"
                " on purpose; never in CI."
            )
        if not key:
            raise TargetError(f"the real Gemini API needs a key: set {KEY_VARIABLE}")
    return Selection(("url",), url=value.rstrip("/"), api_key=key or FAKE_KEY)


class SocketFake:
    """One loopback server for the session; each test swaps a fresh fake into it."""

    def __init__(self) -> None:
        self._server: ThreadedServer | None = None

    def serve(self, app: Starlette) -> str:
        if self._server is None:
            self._server = ThreadedServer(app).start()
        self._server.app = app
        return self._server.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


# Every test starts with this fake: the shipped fixtures, lenient, file ids from a fixed seed.
DEFAULT_FAKE: dict[str, Any] = {"seed": 8}


@dataclass
class Target:
    """One target of one test: where it is, how to reach it, and the fake behind it if any."""

    mode: str  # "inprocess", "socket" or "url"
    base_url: str
    api_key: str
    app: Starlette | None = None
    _socket: SocketFake | None = field(default=None, repr=False)
    _opened: list[httpx.Client | httpx.AsyncClient] = field(default_factory=list, repr=False)

    @classmethod
    def start(cls, mode: str, selection: Selection, socket: SocketFake) -> Target:
        if mode == "url":
            assert selection.url is not None
            return cls("url", selection.url, selection.api_key)
        target = cls(mode, IN_PROCESS_URL, FAKE_KEY, _socket=socket)
        return target.configure(**DEFAULT_FAKE)

    @classmethod
    def in_process(cls) -> Target:
        """A fresh fake in process, whatever the selection: for tests about a client, which
        need a server to talk to but not any server in particular."""
        return cls("inprocess", IN_PROCESS_URL, FAKE_KEY).configure(**DEFAULT_FAKE)

    # --- what the target is ----------------------------------------------------------------

    @property
    def is_fake(self) -> bool:
        return self.app is not None

    @property
    def is_google(self) -> bool:
        return is_google(self.base_url)

    @property
    def deterministic(self) -> bool:
        """The same request gets the same answer (a fake; the real model varies)."""
        return not self.is_google

    @property
    def fake(self) -> FakeState:
        """The fake's own state (journal, fixtures, config); skips the test on a URL target."""
        if self.app is None:
            pytest.skip(f"needs the fake's own controls; the target is {self.base_url}")
        state: FakeState = self.app.state.fake
        return state

    @property
    def journal(self) -> Journal:
        return self.fake.journal

    def configure(self, **fields: Any) -> Target:
        """A fresh fake built from ``FakeConfig(**fields)``, for the rest of the test.

        Call it before making clients: an in-process client keeps the app it was made with.
        Skips the test on a URL target, whose configuration is not the suite's to change.
        """
        if self.mode == "url":
            pytest.skip(f"needs a fake configured with {sorted(fields)}; the target is a URL")
        self.app = create_app(FakeConfig(**fields))
        if self.mode == "socket":
            assert self._socket is not None
            self.base_url = self._socket.serve(self.app)
        return self

    # --- clients ---------------------------------------------------------------------------

    def http(self, *, key: bool = False, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on the base URL; ``key=True`` sends the API key header."""
        if self.app is not None and self.mode == "inprocess":
            kwargs["transport"] = SyncASGITransport(self.app)
        if key:
            kwargs["headers"] = {"x-goog-api-key": self.api_key, **kwargs.get("headers", {})}
        kwargs.setdefault("timeout", 60.0)
        client = httpx.Client(base_url=self.base_url, **kwargs)
        self._opened.append(client)
        return client

    def async_http(self, **kwargs: Any) -> httpx.AsyncClient:
        if self.app is not None and self.mode == "inprocess":
            kwargs["transport"] = AsyncASGITransport(app=self.app)
        kwargs.setdefault("timeout", 60.0)
        client = httpx.AsyncClient(base_url=self.base_url, **kwargs)
        self._opened.append(client)
        return client

    def client(self, *, on_request: Sequence[Callable[..., Any]] = (), **kwargs: Any) -> Any:
        """A ``gemini_ref.Client`` on the target; ``on_request`` are httpx request hooks."""
        hooks = {"request": list(on_request)}
        return gemini_ref.Client(
            api_key=self.api_key,
            base_url=self.base_url,
            http_client=self.http(event_hooks=hooks),
            async_http_client=self.async_http(),
            **kwargs,
        )

    def sdk(
        self, *, on_request: Sequence[Callable[..., Any]] = (), api_version: str = "v1beta"
    ) -> genai.Client:
        """The official SDK's client on the target, through an httpx client of ours.

        On ``v1beta`` unless told otherwise, as gemini_ref (the SDK's own default is ``v1``),
        so that both send the same paths and get the same messages.
        """
        from google import genai
        from google.genai import types

        http = self.http(event_hooks={"request": list(on_request)})
        options = types.HttpOptions(
            base_url=self.base_url, api_version=api_version, httpx_client=http
        )
        return genai.Client(api_key=self.api_key, http_options=options)

    def close(self) -> None:
        for client in self._opened:
            if isinstance(client, httpx.Client):
                client.close()
        self._opened.clear()
