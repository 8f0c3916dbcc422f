"""The fake in process, and the requests tests send it."""

from __future__ import annotations

from typing import Any

import httpx

import gemini_ref
from fake_server import FakeConfig, create_app
from fake_server.pytest_plugin import TEST_API_KEY, Fake

KEY = {"x-goog-api-key": TEST_API_KEY}
BASE_URL = "http://gemini-fake.test"


def new_fake(**config: Any) -> Fake:
    """A fresh fake in process built from ``FakeConfig(**config)``."""
    return Fake(create_app(FakeConfig(**config)), BASE_URL)


def error(code: int, status: str, message: str) -> dict[str, Any]:
    """The ``error`` of the Google envelope, without details, its keys in the service's order."""
    return {"code": code, "message": message, "status": status}


def model_not_found(model: str, version: str) -> str:
    """The service's message for a model it does not serve (naming generateContent even on a
    stream: docs/evidence.md#service-errors)."""
    return (
        f"models/{model} is not found for API version {version}, or is not supported for "
        "generateContent. Call ModelService.ListModels to see the list of available models and "
        "their supported methods."
    )


def ask(text: str, **generation_config: Any) -> dict[str, Any]:
    """A generateContent body of one user text, with a ``generationConfig`` if given."""
    request: dict[str, Any] = {"contents": [{"parts": [{"text": text}]}]}
    if generation_config:
        request["generationConfig"] = generation_config
    return request


def client_for(fake: Fake, http: httpx.Client) -> gemini_ref.Client:
    """A ``gemini_ref.Client`` on ``fake``, through ``http`` (one of ``fake.client()``)."""
    return gemini_ref.Client(api_key=TEST_API_KEY, base_url=fake.base_url, http_client=http)


def text_answer(
    text: str, prompt_tokens: int, answer_tokens: int, response_id: str
) -> dict[str, Any]:
    """A finished generateContent answer of one text candidate from 2.5 Flash, its keys in the
    order the service writes them."""
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": answer_tokens,
            "totalTokenCount": prompt_tokens + answer_tokens,
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": response_id,
    }
