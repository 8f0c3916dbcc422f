"""Fixtures of the client's tests: clients on a recording stand-in (``tests/kit/stand_ins.py``),
an upload service run by the protocol's model, and a clean environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import gemini_ref as genai
from gemini_ref._types import responses as types
from tests.kit.stand_ins import Recorder, SocketLikeTransport, UploadService


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fresh_text_warnings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # ``.text`` logs each of its warnings once per process; give every test a fresh process.
    monkeypatch.setattr(types, "_warned", set())
    yield


def client_on(transport: Any, **kwargs: Any) -> genai.Client:
    """A Client (with the test key unless given another) whose sync and async traffic goes
    through ``transport``."""
    kwargs.setdefault("api_key", "test-key")
    return genai.Client(
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        **kwargs,
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(recorder: Recorder) -> Callable[..., genai.Client]:
    """``make_client(**kwargs)``: a Client whose sync and async traffic goes to ``recorder``."""

    def make(**kwargs: Any) -> genai.Client:
        return client_on(httpx.MockTransport(recorder), **kwargs)

    return make


@pytest.fixture
def client(make_client: Callable[..., genai.Client]) -> genai.Client:
    return make_client()


@pytest.fixture
def new_upload_client() -> Callable[..., tuple[UploadService, genai.Client]]:
    """``new_upload_client(socket_like=False, **service_kwargs)``: an ``UploadService`` and a
    client using it (through ``SocketLikeTransport`` if ``socket_like``).

    A factory, so that each hypothesis example gets its own service.
    """

    def make(socket_like: bool = False, **kwargs: Any) -> tuple[UploadService, genai.Client]:
        service = UploadService(**kwargs)
        transport: Any = (
            SocketLikeTransport(service) if socket_like else httpx.MockTransport(service)
        )
        return service, client_on(transport)

    return make


@pytest.fixture
def _upload_pair(
    new_upload_client: Callable[..., tuple[UploadService, genai.Client]],
) -> tuple[UploadService, genai.Client]:
    return new_upload_client()


@pytest.fixture
def service(_upload_pair: tuple[UploadService, genai.Client]) -> UploadService:
    """The upload service of ``upload_client``."""
    return _upload_pair[0]


@pytest.fixture
def upload_client(_upload_pair: tuple[UploadService, genai.Client]) -> genai.Client:
    """A client (sync and ``aio``) whose traffic goes to ``service``."""
    return _upload_pair[1]


@pytest.fixture
def answering() -> Callable[..., tuple[list[httpx.Request], genai.Client]]:
    """``answering(*answers)``: a client whose requests get ``answers`` in order.

    The last answer is repeated; an exception is raised as a failing network would. For the
    answers no well-behaved service gives.
    """

    def make(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], genai.Client]:
        recorder = Recorder(*answers)
        return recorder.requests, client_on(httpx.MockTransport(recorder))

    return make
