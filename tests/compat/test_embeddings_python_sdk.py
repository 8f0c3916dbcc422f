"""The official Python SDK (google-genai 3.3.0) on embeddings, configured as the guide does.

``client.models.embed_content`` always sends ``:batchEmbedContents`` to the Developer API, one
request per content, the config copied into each (docs/evidence.md#service-embeddings); the
async client does the same. Each test runs on ``/v1`` and ``/v1beta``.
"""

from __future__ import annotations

import json
import math

import pytest
from google import genai
from google.genai import errors, types

from fake_server.pytest_plugin import Fake

pytestmark = pytest.mark.sdk


def texts(*values: str) -> list[types.ContentUnion]:
    """Texts as ``contents`` (typed as the SDK's signature takes a list of them)."""
    return list(values)


def cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


def test_embed_content_gives_one_3072_vector_per_text(
    client: genai.Client, api_version: str, gemini_fake_server: Fake
) -> None:
    result = client.models.embed_content(
        model="gemini-embedding-001",
        contents=texts("What is the meaning of life?", "How do I bake a cake?"),
    )

    assert result.embeddings is not None and len(result.embeddings) == 2
    first, second = (e.values for e in result.embeddings)
    assert first is not None and second is not None
    assert len(first) == len(second) == 3072
    assert math.fsum(v * v for v in first) == pytest.approx(1.0, abs=1e-5)
    assert result.usage_metadata is None
    (call,) = gemini_fake_server.journal.calls("batchEmbedContents")
    assert (call.path, call.status) == (
        f"/{api_version}/models/gemini-embedding-001:batchEmbedContents",
        200,
    )
    assert call.request == {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": text}], "role": "user"},
            }
            for text in ("What is the meaning of life?", "How do I bake a cake?")
        ]
    }


def test_the_config_reaches_every_request_and_sizes_the_output(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    config = types.EmbedContentConfig(
        task_type="RETRIEVAL_DOCUMENT", title="Astronomy", output_dimensionality=768
    )
    result = client.models.embed_content(
        model="gemini-embedding-001", contents=texts("Mars is red.", "Venus is hot."), config=config
    )

    assert result.embeddings is not None
    assert [len(e.values or []) for e in result.embeddings] == [768, 768]
    (call,) = gemini_fake_server.journal.calls("batchEmbedContents")
    assert call.request is not None
    for sent in call.request["requests"]:
        assert (sent["taskType"], sent["title"], sent["outputDimensionality"]) == (
            "RETRIEVAL_DOCUMENT",
            "Astronomy",
            768,
        )


def test_a_query_finds_its_document_by_cosine(client: genai.Client) -> None:
    documents = [
        "The Eiffel Tower is a wrought-iron tower in Paris, France.",
        "Bees make honey from the nectar of flowers.",
        "The violin is a string instrument played with a bow.",
    ]
    stored = client.models.embed_content(
        model="gemini-embedding-001",
        contents=texts(*documents),
        config=types.EmbedContentConfig(task_type="RETRIEVAL_DOCUMENT"),
    ).embeddings
    asked = client.models.embed_content(
        model="gemini-embedding-001",
        contents="Which insects make honey?",
        config=types.EmbedContentConfig(task_type="RETRIEVAL_QUERY"),
    ).embeddings
    assert stored is not None and asked is not None
    query = asked[0].values or []
    scores = [cosine(query, d.values or []) for d in stored]
    assert scores.index(max(scores)) == 1


def test_gemini_embedding_2_reports_its_usage(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    small = types.EmbedContentConfig(output_dimensionality=128)  # the journal keeps its body
    result = client.models.embed_content(model="gemini-embedding-2", contents="a b c", config=small)

    assert result.embeddings is not None and len(result.embeddings) == 1
    assert result.usage_metadata is not None
    assert result.usage_metadata.prompt_token_count == 3
    (entry,) = gemini_fake_server.journal.calls("batchEmbedContents")
    assert entry.response_body is not None
    assert json.loads(entry.response_body)["usageMetadata"] == {
        "promptTokenCount": 3,
        "promptTokenDetails": [{"modality": "TEXT", "tokenCount": 3}],
    }


@pytest.mark.anyio
async def test_the_async_client_embeds_the_same(sdk_env: Fake) -> None:
    client = genai.Client()
    try:
        sync = client.models.embed_content(model="gemini-embedding-001", contents="tides")
        later = await client.aio.models.embed_content(
            model="gemini-embedding-001", contents="tides"
        )
    finally:
        await client.aio.aclose()
        client.close()
    assert sync.embeddings is not None and later.embeddings is not None
    assert later.embeddings[0].values == sync.embeddings[0].values


def test_a_generation_model_is_the_404_naming_embed_content(
    client: genai.Client, api_version: str
) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.embed_content(model="gemini-2.5-flash", contents="hi")

    assert (caught.value.code, caught.value.status) == (404, "NOT_FOUND")
    assert caught.value.message == (
        f"models/gemini-2.5-flash is not found for API version {api_version}, or is not "
        "supported for embedContent. Call ModelService.ListModels to see the list of available "
        "models and their supported methods."
    )


def test_more_than_100_texts_is_the_services_400(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.embed_content(model="gemini-embedding-001", contents=texts(*["x"] * 101))

    assert (caught.value.code, caught.value.status) == (400, "INVALID_ARGUMENT")
    assert caught.value.message == (
        "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
    )


def test_an_output_size_out_of_range_is_a_400(client: genai.Client) -> None:
    config = types.EmbedContentConfig(output_dimensionality=4000)
    with pytest.raises(errors.ClientError) as caught:
        client.models.embed_content(model="gemini-embedding-001", contents="x", config=config)

    assert caught.value.code == 400
    assert "output_dimensionality" in (caught.value.message or "")


def test_the_embedding_model_lists_what_it_answers_and_counts_tokens(
    client: genai.Client,
) -> None:
    model = client.models.get(model="gemini-embedding-001")
    assert model.supported_actions == ["embedContent", "countTokens"]
    assert (model.input_token_limit, model.output_token_limit) == (2048, 1)
    listed = {m.name: m for m in client.models.list(config={"page_size": 5})}
    assert listed["models/gemini-embedding-2"].supported_actions == ["embedContent", "countTokens"]
    counted = client.models.count_tokens(model="gemini-embedding-001", contents="a b c")
    assert counted.total_tokens == 3
