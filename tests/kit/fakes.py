"""The fake in process, and the requests tests send it."""

from __future__ import annotations

from typing import Any

from fake_server import FakeConfig, create_app
from fake_server.pytest_plugin import TEST_API_KEY, Fake

KEY = {"x-goog-api-key": TEST_API_KEY}
BASE_URL = "http://gemini-fake.test"


def new_fake(**config: Any) -> Fake:
    """A fresh fake in process built from ``FakeConfig(**config)``."""
    return Fake(create_app(FakeConfig(**config)), BASE_URL)


def ask(text: str, **generation_config: Any) -> dict[str, Any]:
    """A generateContent body of one user text, with a ``generationConfig`` if given."""
    request: dict[str, Any] = {"contents": [{"parts": [{"text": text}]}]}
    if generation_config:
        request["generationConfig"] = generation_config
    return request
