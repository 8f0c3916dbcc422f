"""Embeddings through the JS SDK (@google/genai): ``node tests/js/embeddings.mjs`` against a
fake on a socket. ``ai.models.embedContent`` gets one vector per text, sized by its config; a
question finds its document by cosine; gemini-embedding-2 reports its usage; the service's 404
and 400 reach the app as the SDK's errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.fakes import KEY
from tests.kit.node import JS_API, NodeRun

pytestmark = [pytest.mark.sdk, pytest.mark.node]


@pytest.fixture(scope="module")
def run(node_guide: Callable[..., NodeRun]) -> tuple[dict[str, Any], Fake]:
    """One node run of every example against a fake on a socket of its own."""
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url, in_process=False)
        examples = ("texts", "one", "retrieval", "usage", "generation", "too_many")
        found = node_guide(fake, *examples, script="embeddings.mjs").lines()
    return found, fake


@pytest.fixture(scope="module")
def lines(run: tuple[dict[str, Any], Fake]) -> dict[str, Any]:
    return run[0]


def test_each_text_gets_a_vector_of_the_size_asked(
    lines: dict[str, Any], run: tuple[dict[str, Any], Fake]
) -> None:
    assert lines["texts"]["ok"], lines["texts"]
    assert lines["texts"]["sizes"] == [768, 768, 768]
    assert lines["one"]["sizes"] == [3072]
    fake = run[1]
    sent = fake.journal.calls("batchEmbedContents")[0]
    assert sent.path == f"/{JS_API}/models/gemini-embedding-001:batchEmbedContents"
    assert sent.request is not None
    assert [r["taskType"] for r in sent.request["requests"]] == ["SEMANTIC_SIMILARITY"] * 3


def test_the_same_texts_get_the_same_values_in_python(
    lines: dict[str, Any], gemini_fake: Fake
) -> None:
    body = {
        "content": {"parts": [{"text": "What is the meaning of life?"}]},
        "taskType": "SEMANTIC_SIMILARITY",
        "outputDimensionality": 768,
    }
    client = gemini_fake.client(headers=KEY)
    answer = client.post("/v1beta/models/gemini-embedding-001:embedContent", json=body).json()
    assert answer["embedding"]["values"][:4] == lines["texts"]["first"]


def test_a_question_finds_its_document(lines: dict[str, Any]) -> None:
    assert lines["retrieval"]["ok"], lines["retrieval"]
    assert lines["retrieval"]["nearest"] == 4


def test_gemini_embedding_2_answers_with_its_usage(
    lines: dict[str, Any], run: tuple[dict[str, Any], Fake]
) -> None:
    assert lines["usage"]["sizes"] == [128]
    # The fake sends the usage; this SDK's converter (2.32) drops it, as it would the service's.
    (entry,) = run[1].journal.calls("batchEmbedContents", model="gemini-embedding-2")
    assert entry.response_body is not None
    assert json.loads(entry.response_body)["usageMetadata"]["promptTokenCount"] == 3


def test_a_generation_model_is_the_404_naming_embed_content(lines: dict[str, Any]) -> None:
    line = lines["generation"]
    assert not line["ok"]
    assert line["error"]["status"] == 404
    assert "is not supported for embedContent." in line["error"]["message"]


def test_more_than_100_texts_is_the_services_400(lines: dict[str, Any]) -> None:
    line = lines["too_many"]
    assert not line["ok"]
    assert line["error"]["status"] == 400
    assert "at most 100 requests can be in one batch" in line["error"]["message"]
