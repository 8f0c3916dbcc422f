"""embedContent and batchEmbedContents: shapes, sizes, limits and errors as the service has
them, and vectors in which related texts lie near each other."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import httpx
import pytest

from fake_server.model.embedding import float32_values
from tests.kit.files import FilesKit

EMBED = "/v1beta/models/gemini-embedding-001:embedContent"
BATCH = "/v1beta/models/gemini-embedding-001:batchEmbedContents"
BATCH_2 = "/v1beta/models/gemini-embedding-2:batchEmbedContents"


def text(value: str, **fields: Any) -> dict[str, Any]:
    return {"content": {"parts": [{"text": value}]}, **fields}


def batch(*texts: str, model: str = "gemini-embedding-001", **fields: Any) -> dict[str, Any]:
    return {"requests": [{"model": f"models/{model}", **text(t, **fields)} for t in texts]}


def cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(math.fsum(x * x for x in a) * math.fsum(y * y for y in b))


def norm(values: list[float]) -> float:
    return math.sqrt(math.fsum(v * v for v in values))


def message(response: httpx.Response) -> str:
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and response.status_code == 400
    return str(error["message"])


def test_embed_content_answers_one_normalised_vector_of_3072(client: httpx.Client) -> None:
    response = client.post(EMBED, json=text("What is the meaning of life?"))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["embedding"]
    values = body["embedding"]["values"]
    assert len(values) == 3072
    assert norm(values) == pytest.approx(1.0, abs=1e-5)


def test_batch_answers_one_vector_per_request_in_order(client: httpx.Client) -> None:
    texts = ("red apples", "green pears", "red apples")
    body = client.post(BATCH, json=batch(*texts)).json()
    assert list(body) == ["embeddings"]  # gemini-embedding-001 reports no usage
    first, second, third = (e["values"] for e in body["embeddings"])
    assert first == third != second
    single = client.post(EMBED, json=text("green pears")).json()["embedding"]["values"]
    assert single == second


def test_a_smaller_output_is_the_full_vectors_start_and_not_normalised(
    client: httpx.Client,
) -> None:
    full = client.post(EMBED, json=text("the ocean tides")).json()["embedding"]["values"]
    short = client.post(EMBED, json=text("the ocean tides", outputDimensionality=768)).json()
    values = short["embedding"]["values"]
    assert values == full[:768]
    assert 0.2 < norm(values) < 0.95


def test_a_small_output_size_is_taken_as_the_sdks_own_tests_ask(client: httpx.Client) -> None:
    answer = client.post(EMBED, json=text("x", outputDimensionality=10)).json()
    assert len(answer["embedding"]["values"]) == 10


@pytest.mark.parametrize("size", [3073, -1])
def test_an_output_size_outside_1_to_3072_is_refused(client: httpx.Client, size: int) -> None:
    response = client.post(EMBED, json=text("x", outputDimensionality=size))
    assert message(response) == (
        f"* EmbedContentRequest.output_dimensionality: must be between 1 and 3072, not {size}\n"
    )


def test_the_nearest_document_is_the_one_a_person_would_pick(client: httpx.Client) -> None:
    documents = (
        "Mars is called the Red Planet because iron oxide gives its surface a reddish colour.",
        "The Pacific is the largest and deepest of the oceans on our planet.",
        "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen.",
        "The Great Wall of China was built to protect against northern invasions.",
        "Python is a programming language with a readable syntax.",
    )
    body = batch(*documents, taskType="RETRIEVAL_DOCUMENT")
    vectors = [e["values"] for e in client.post(BATCH, json=body).json()["embeddings"]]
    questions = {
        "Which planet looks red?": 0,
        "How do plants make sugar from sunlight?": 2,
        "Which programming language is readable?": 4,
        "What is the deepest ocean?": 1,
    }
    for question, expected in questions.items():
        query = text(question, taskType="RETRIEVAL_QUERY", outputDimensionality=768)
        asked = client.post(EMBED, json=query).json()["embedding"]["values"]
        scores = [cosine(asked, v[:768]) for v in vectors]
        assert scores.index(max(scores)) == expected, (question, scores)


def test_word_forms_and_shared_pieces_bring_texts_closer(client: httpx.Client) -> None:
    texts = ("astronomers observe planets", "an astronomer observed a planet", "cooking pasta")
    a, b, c = (e["values"] for e in client.post(BATCH, json=batch(*texts)).json()["embeddings"])
    assert cosine(a, b) > cosine(a, c) + 0.2


def test_the_task_type_and_a_documents_title_change_the_vector(client: httpx.Client) -> None:
    def vector(**fields: Any) -> list[float]:
        values: list[float] = client.post(EMBED, json=text("tides", **fields)).json()["embedding"][
            "values"
        ]
        return values

    plain = vector()
    assert vector(taskType="RETRIEVAL_QUERY") != plain
    assert vector(taskType="CLUSTERING") != vector(taskType="RETRIEVAL_QUERY")
    assert vector(taskType=2, title="Moon") == vector(taskType="RETRIEVAL_DOCUMENT", title="Moon")
    assert vector(taskType="RETRIEVAL_DOCUMENT", title="Moon") != vector(
        taskType="RETRIEVAL_DOCUMENT"
    )
    # A title means something only to a retrieval document: elsewhere it is taken and unused.
    assert vector(taskType="CLUSTERING", title="Moon") == vector(taskType="CLUSTERING")


def test_an_unknown_task_type_is_the_transcoders_invalid_value(client: httpx.Client) -> None:
    response = client.post(EMBED, json=text("x", taskType="SEARCH"))
    assert message(response).startswith("Invalid value at 'task_type' (type.googleapis.com/")


def test_values_are_float32_written_shortest(client: httpx.Client) -> None:
    np = pytest.importorskip("numpy")
    raw = client.post(EMBED, json=text("floating point")).content.decode()
    written = [line.strip().rstrip(",") for line in raw.splitlines() if line.startswith("      ")]
    assert len(written) == 3072
    for literal in written:
        assert literal == str(np.float32(literal)) or float(literal) == 0.0
    assert any("e-" in literal for literal in written)  # as recorded: 4.623822e-05


def test_float32_values_round_to_the_shortest_float32_spelling() -> None:
    assert float32_values([0.1, 4.623822e-05, 1 / 3, 0.013796286]) == [
        0.1,
        4.623822e-05,
        0.33333334,
        0.013796286,
    ]
    assert json.dumps(float32_values([4.6238221e-05])) == "[4.623822e-05]"


def test_a_batch_of_more_than_100_is_the_services_error(client: httpx.Client) -> None:
    response = client.post(BATCH, json=batch(*["t"] * 101))
    assert message(response) == (
        "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n"
    )
    assert client.post(BATCH, json=batch(*["t"] * 100)).status_code == 200


def test_an_empty_batch_or_content_is_refused(client: httpx.Client) -> None:
    empty = client.post(BATCH, json={"requests": []})
    assert message(empty) == "* BatchEmbedContentsRequest.requests: requests is not specified\n"
    no_parts = client.post(BATCH, json={"requests": [{"content": {"parts": []}}]})
    assert message(no_parts) == (
        "* BatchEmbedContentsRequest.requests[0].content.parts: contents.parts must not be empty.\n"
    )
    no_content = client.post(EMBED, json={})
    assert message(no_content) == "* EmbedContentRequest.content: content is not specified\n"
    no_data = client.post(EMBED, json={"content": {"parts": [{"thought": True}, {"text": "x"}]}})
    assert message(no_data) == (
        "* EmbedContentRequest.content.parts[0].data: "
        "required oneof field 'data' must have one initialized field\n"
    )


def test_a_request_naming_another_model_is_refused(client: httpx.Client) -> None:
    body = batch("x", model="gemini-embedding-2")
    assert message(client.post(BATCH, json=body)) == (
        "* BatchEmbedContentsRequest.requests[0].model: the request names "
        "models/gemini-embedding-2, the URL models/gemini-embedding-001\n"
    )


def test_a_generation_model_asked_to_embed_is_the_404_naming_embed_content(
    client: httpx.Client,
) -> None:
    for path in (":embedContent", ":batchEmbedContents"):
        response = client.post(f"/v1beta/models/gemini-2.5-flash{path}", json=batch("x"))
        assert response.status_code == 404
        assert response.json()["error"]["message"] == (
            "models/gemini-2.5-flash is not found for API version v1beta, or is not supported "
            "for embedContent. Call ModelService.ListModels to see the list of available models "
            "and their supported methods."
        )


def test_an_embedding_model_asked_to_generate_is_the_404_naming_generate_content(
    client: httpx.Client,
) -> None:
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    response = client.post("/v1/models/gemini-embedding-001:generateContent", json=body)
    assert response.status_code == 404
    assert "is not supported for generateContent." in response.json()["error"]["message"]


def test_count_tokens_works_for_an_embedding_model(client: httpx.Client) -> None:
    body = {"contents": [{"parts": [{"text": "What is the meaning of life?"}]}]}
    response = client.post("/v1beta/models/gemini-embedding-001:countTokens", json=body)
    assert response.json() == {
        "totalTokens": 8,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
    }


def test_gemini_embedding_2_reports_usage_with_the_recorded_singular_name(
    client: httpx.Client,
) -> None:
    body = client.post(BATCH_2, json=batch("a b c", "d e", model="gemini-embedding-2")).json()
    assert list(body) == ["embeddings", "usageMetadata"]
    assert body["usageMetadata"] == {
        "promptTokenCount": 5,
        "promptTokenDetails": [{"modality": "TEXT", "tokenCount": 5}],
    }


def test_gemini_embedding_2_embeds_an_image_and_001_refuses_one(client: httpx.Client) -> None:
    png = base64.b64encode(FilesKit.png()).decode()
    image = {"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": png}}]}}
    answer = client.post(BATCH_2, json={"requests": [image]}).json()
    assert len(answer["embeddings"][0]["values"]) == 3072
    assert answer["usageMetadata"]["promptTokenDetails"][0]["modality"] == "IMAGE"
    refused = client.post(BATCH, json={"requests": [image]})
    assert message(refused) == (
        "* BatchEmbedContentsRequest.requests[0].content.parts[0].data: "
        "models/gemini-embedding-001 embeds text only\n"
    )


def test_several_parts_of_one_content_make_one_vector(client: httpx.Client) -> None:
    content = {"parts": [{"text": "red"}, {"text": "apples"}]}
    body = client.post(BATCH_2, json={"requests": [{"content": content}]}).json()
    assert len(body["embeddings"]) == 1


def test_text_past_the_input_limit_is_cut_not_refused(client: httpx.Client) -> None:
    head = "alpha beta gamma " * 700  # 2,100 tokens: the limit is 2,048
    long = client.post(EMBED, json=text(head + "omega " * 50)).json()["embedding"]["values"]
    same_head = client.post(EMBED, json=text(head + "zeta " * 50)).json()["embedding"]["values"]
    assert long == same_head


def test_a_fault_rule_can_fail_the_embedding_calls(client: httpx.Client, gemini_fake: Any) -> None:
    gemini_fake.fault(match={"rpc": "batchEmbedContents"}, error={"status": 503})
    failed = client.post(BATCH, json=batch("x"))
    assert failed.status_code == 503
    assert failed.json()["error"]["status"] == "UNAVAILABLE"
    assert client.post(EMBED, json=text("x")).status_code == 200  # another rpc: untouched


def test_gemini_embedding_2_embeds_an_uploaded_file_and_a_missing_one_is_refused(
    client: httpx.Client,
) -> None:
    png = FilesKit.png(seed=3)
    started = client.post(
        "/upload/v1beta/files",
        headers={
            "x-goog-upload-protocol": "resumable",
            "x-goog-upload-command": "start",
            "x-goog-upload-header-content-length": str(len(png)),
            "x-goog-upload-header-content-type": "image/png",
        },
        json={"file": {}},
    )
    url = started.headers["x-goog-upload-url"]
    finished = client.post(
        url,
        headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
        content=png,
    )
    uri = finished.json()["file"]["uri"]

    def embed_file(file_uri: str) -> httpx.Response:
        part = {"fileData": {"mimeType": "image/png", "fileUri": file_uri}}
        return client.post(BATCH_2, json={"requests": [{"content": {"parts": [part]}}]})

    answer = embed_file(uri).json()
    assert len(answer["embeddings"][0]["values"]) == 3072
    assert answer["usageMetadata"]["promptTokenDetails"][0]["modality"] == "IMAGE"
    missing = embed_file(uri.rsplit("/", 1)[0] + "/nosuchfile")
    assert missing.status_code == 403


def test_a_part_that_is_not_media_or_text_cannot_be_embedded(client: httpx.Client) -> None:
    call = {"functionCall": {"name": "f", "args": {}}}
    response = client.post(BATCH_2, json={"requests": [{"content": {"parts": [call]}}]})
    assert message(response) == (
        "* BatchEmbedContentsRequest.requests[0].content.parts[0].data: "
        "functionCall cannot be embedded\n"
    )
