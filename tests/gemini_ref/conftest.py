"""Shared helpers: a recording ``httpx.MockTransport`` handler and a clean environment."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import gemini_ref as genai
from gemini_ref import types

TEXT_ANSWER: dict[str, Any] = {
    "candidates": [
        {
            "content": {"parts": [{"text": "AI learns patterns from data."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 6, "totalTokenCount": 13},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "d441192f787a4a48aff32d",
}


Answer = httpx.Response | dict[str, Any] | Exception


class Recorder:
    """A MockTransport handler that records every request.

    It answers from ``answers`` in order, repeating the last one: a response as is, a dict as a
    200 JSON body, an exception by raising it (as a failing network would).
    """

    def __init__(self, *answers: Answer) -> None:
        self.answers: list[Answer] = list(answers) or [TEXT_ANSWER]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer)

    @property
    def request(self) -> httpx.Request:
        (request,) = self.requests
        return request

    @property
    def body(self) -> Any:
        return json.loads(self.request.content)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def fresh_text_warnings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # ``.text`` logs each of its warnings once per process; give every test a fresh process.
    monkeypatch.setattr(types, "_warned", set())
    yield


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(recorder: Recorder) -> Callable[..., genai.Client]:
    """``make_client(**kwargs)``: a Client whose sync and async traffic goes to ``recorder``."""

    def make(**kwargs: Any) -> genai.Client:
        kwargs.setdefault("api_key", "test-key")
        transport = httpx.MockTransport(recorder)
        return genai.Client(
            http_client=httpx.Client(transport=transport),
            async_http_client=httpx.AsyncClient(transport=transport),
            **kwargs,
        )

    return make


@pytest.fixture
def client(make_client: Callable[..., genai.Client]) -> genai.Client:
    return make_client()
