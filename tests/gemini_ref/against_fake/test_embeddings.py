"""``models.embed_content`` against the fake, in process and on a socket: vectors of the size
asked, the nearest document found by cosine, and the service's errors as typed errors."""

from __future__ import annotations

import math

import pytest

import gemini_ref as genai
from fake_server.pytest_plugin import Fake
from gemini_ref import errors, types


def cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


def test_a_question_finds_its_document(client: genai.Client, fake: Fake) -> None:
    documents = ["Cats purr when content.", "Rain falls from clouds.", "Stars shine at night."]
    stored = client.models.embed_content(
        model="gemini-embedding-001",
        contents=documents,
        config=types.EmbedContentConfig(task_type="RETRIEVAL_DOCUMENT", output_dimensionality=768),
    )
    asked = client.models.embed_content(
        model="gemini-embedding-001",
        contents="Where does rain come from?",
        config={"task_type": "RETRIEVAL_QUERY", "output_dimensionality": 768},
    )

    vectors = [e.values or [] for e in stored.embeddings or []]
    assert [len(v) for v in vectors] == [768, 768, 768]
    query = (asked.embeddings or [])[0].values or []
    scores = [cosine(query, v) for v in vectors]
    assert scores.index(max(scores)) == 1
    assert [c.status for c in fake.journal.calls("batchEmbedContents")] == [200, 200]


def test_a_generation_model_is_a_not_found_error(client: genai.Client) -> None:
    with pytest.raises(errors.NotFoundError) as caught:
        client.models.embed_content(model="gemini-2.5-flash", contents="hi")
    assert "is not supported for embedContent." in caught.value.message


def test_gemini_embedding_2_reports_usage(client: genai.Client) -> None:
    result = client.models.embed_content(
        model="gemini-embedding-2", contents="a b c", config={"output_dimensionality": 128}
    )
    assert result.usage_metadata is not None
    assert result.usage_metadata.prompt_token_count == 3


def test_more_than_100_texts_is_the_services_bad_request(client: genai.Client) -> None:
    with pytest.raises(errors.BadRequestError) as caught:
        client.models.embed_content(model="gemini-embedding-001", contents=["x"] * 101)
    assert caught.value.message == (
        "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
    )
