"""``models.embed_content``: the request the official SDK sends, and the answer read."""

from __future__ import annotations

import pytest

from gemini_ref import types

ANSWER = {"embeddings": [{"values": [0.5, -0.25]}, {"values": [4.623822e-05, 1.0]}]}


def test_each_text_is_its_own_request_with_the_config_copied_in(client, recorder):
    recorder.answers = [ANSWER]

    result = client.models.embed_content(
        model="gemini-embedding-001",
        contents=["first", "second"],
        config=types.EmbedContentConfig(task_type="RETRIEVAL_DOCUMENT", title="T"),
    )

    assert recorder.request.url.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert recorder.body == {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": text}], "role": "user"},
                "taskType": "RETRIEVAL_DOCUMENT",
                "title": "T",
            }
            for text in ("first", "second")
        ]
    }
    assert result.embeddings == [
        types.ContentEmbedding(values=[0.5, -0.25]),
        types.ContentEmbedding(values=[4.623822e-05, 1.0]),
    ]


def test_a_dict_config_and_a_single_text(client, recorder):
    recorder.answers = [{"embeddings": [{"values": [1.0]}]}]

    client.models.embed_content(
        model="models/gemini-embedding-001", contents="one", config={"outputDimensionality": 128}
    )

    (sent,) = recorder.body["requests"]
    assert sent["outputDimensionality"] == 128
    assert sent["content"]["parts"] == [{"text": "one"}]


def test_gemini_embedding_2_takes_a_list_as_one_input_and_reads_its_usage(client, recorder):
    recorder.answers = [
        {
            "embeddings": [{"values": [0.1]}],
            "usageMetadata": {
                "promptTokenCount": 3,
                "promptTokenDetails": [{"modality": "TEXT", "tokenCount": 3}],
            },
        }
    ]

    result = client.models.embed_content(model="gemini-embedding-2", contents=["a", "b"])

    (sent,) = recorder.body["requests"]
    assert sent["content"]["parts"] == [{"text": "a"}, {"text": "b"}]
    assert result.usage_metadata is not None
    assert result.usage_metadata.prompt_token_count == 3
    assert result.usage_metadata.extra["promptTokenDetails"][0]["tokenCount"] == 3


def test_no_contents_or_a_config_typo_are_refused_before_sending(client, recorder):
    with pytest.raises(ValueError, match="contents are required"):
        client.models.embed_content(model="gemini-embedding-001", contents=[])
    with pytest.raises(TypeError, match="task"):
        client.models.embed_content(model="gemini-embedding-001", contents="x", config={"task": 1})
    assert recorder.requests == []


@pytest.mark.anyio
async def test_the_async_client_sends_the_same(client, recorder):
    recorder.answers = [ANSWER]
    result = await client.aio.models.embed_content(
        model="gemini-embedding-001", contents=["first", "second"]
    )
    assert [e.values for e in result.embeddings or []] == [[0.5, -0.25], [4.623822e-05, 1.0]]
    assert recorder.request.url.path.endswith(":batchEmbedContents")
