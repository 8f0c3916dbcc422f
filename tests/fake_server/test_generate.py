"""generateContent answers: the real shapes, the usage arithmetic, and every setting honoured."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from fake_server.model import tokens
from fake_server.model.images import encode_png
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, ask, new_fake, text_answer

FIXTURES = Path(__file__).parents[2] / "fake_server" / "fixtures" / "data"
PNG_B64 = base64.b64encode(encode_png(2, 2, b"\x00\x40\x80\xff")).decode()


def shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def generate(client: httpx.Client, request: dict[str, Any], model: str = "gemini-2.5-flash") -> Any:
    response = client.post(f"/v1beta/models/{model}:generateContent", json=request)
    assert response.status_code == 200, response.text
    return response.json()


def check_usage(usage: dict[str, Any]) -> None:
    total = sum(
        usage.get(k, 0) for k in ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount")
    )
    assert usage["totalTokenCount"] == total
    assert sum(d["tokenCount"] for d in usage["promptTokensDetails"]) == usage["promptTokenCount"]


def test_response_has_the_real_key_order_for_2_5(client: httpx.Client) -> None:
    body = generate(client, ask("Why is the sky blue?"))
    assert list(body) == ["candidates", "usageMetadata", "modelVersion", "responseId"]
    candidate = body["candidates"][0]
    assert list(candidate) == ["content", "finishReason", "index"]
    assert list(candidate["content"]) == ["parts", "role"]
    assert candidate["content"]["role"] == "model"
    assert candidate["finishReason"] == "STOP"
    assert list(body["usageMetadata"]) == [
        "promptTokenCount",
        "candidatesTokenCount",
        "totalTokenCount",
        "promptTokensDetails",
        "thoughtsTokenCount",
        "serviceTier",
    ]
    check_usage(body["usageMetadata"])
    assert body["modelVersion"] == "gemini-2.5-flash"
    assert len(body["responseId"]) == 23


def test_2_0_flash_has_avg_logprobs_instead_of_index_and_no_thoughts(client: httpx.Client) -> None:
    body = generate(client, ask("Why is the sky blue?"), model="gemini-2.0-flash")
    candidate = body["candidates"][0]
    assert list(candidate) == ["content", "finishReason", "avgLogprobs"]
    assert candidate["avgLogprobs"] < 0
    usage = body["usageMetadata"]
    assert "thoughtsTokenCount" not in usage
    assert usage["candidatesTokensDetails"] == [
        {"modality": "TEXT", "tokenCount": usage["candidatesTokenCount"]}
    ]
    check_usage(usage)


def test_alias_reports_the_concrete_model_version(client: httpx.Client) -> None:
    body = generate(client, ask("hi"), model="gemini-flash-latest")
    assert body["modelVersion"] == "gemini-2.5-flash"


def test_same_request_gets_the_same_bytes_whatever_its_spelling(client: httpx.Client) -> None:
    camel = {
        "contents": [
            {"parts": [{"inlineData": {"mimeType": "image/png", "data": "+/+/"}}, {"text": "x?"}]}
        ],
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 512}, "topK": 20},
    }
    snake = {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"inline_data": {"mime_type": "image/png", "data": "-_-_"}},
                    {"text": "x?"},
                ],
            }
        ],
        "generation_config": {"thinking_config": {"thinking_budget": 512}, "top_k": 20.0},
    }
    url = "/v1beta/models/gemini-2.5-flash:generateContent"
    first = client.post(url, json=camel).content
    assert client.post(url, json=camel).content == first
    assert client.post(url, json=snake).content == first


def test_different_requests_get_different_answers(client: httpx.Client) -> None:
    a = generate(client, ask("What is a comet?"))
    b = generate(client, ask("What is a planet?"))
    assert a["responseId"] != b["responseId"]
    assert a["candidates"][0]["content"] != b["candidates"][0]["content"]


def test_thinking_budget_zero_reports_no_thoughts(client: httpx.Client) -> None:
    body = generate(client, ask("Why is the sky blue?", thinkingConfig={"thinkingBudget": 0}))
    assert "thoughtsTokenCount" not in body["usageMetadata"]
    check_usage(body["usageMetadata"])


def test_thinking_stays_within_its_budget(client: httpx.Client) -> None:
    body = generate(client, ask("Why is the sky blue?", thinkingConfig={"thinkingBudget": 200}))
    assert 0 < body["usageMetadata"]["thoughtsTokenCount"] <= 200


def test_flash_lite_does_not_think_unless_asked(client: httpx.Client) -> None:
    quiet = generate(client, ask("hi"), model="gemini-2.5-flash-lite")
    assert "thoughtsTokenCount" not in quiet["usageMetadata"]
    asked = generate(
        client, ask("hi", thinkingConfig={"thinkingBudget": 1024}), model="gemini-2.5-flash-lite"
    )
    assert asked["usageMetadata"]["thoughtsTokenCount"] > 0


def test_include_thoughts_adds_a_thought_part_first(client: httpx.Client) -> None:
    body = generate(client, ask("How does AI work?", thinkingConfig={"includeThoughts": True}))
    thought, answer = body["candidates"][0]["content"]["parts"]
    assert list(thought) == ["text", "thought"]
    assert thought["thought"] is True
    assert thought["text"] == shipped("guide-how-does-ai-work")["answer"]["thoughts"]
    assert list(answer) == ["text", "thoughtSignature"], "the signature is the last key"
    assert answer["text"] == shipped("guide-how-does-ai-work")["answer"]["text"]


def test_guide_prompts_are_answered_by_their_shipped_fixtures(
    client: httpx.Client, gemini_fake: Fake
) -> None:
    body = generate(client, ask("How does AI work?"))
    assert (
        body["candidates"][0]["content"]["parts"][0]["text"]
        == shipped("guide-how-does-ai-work")["answer"]["text"]
    )
    assert gemini_fake.journal.last().answered_by == "fixture:guide-how-does-ai-work"


def test_system_instruction_fixture_needs_the_system_instruction(client: httpx.Client) -> None:
    neko = shipped("guide-system-instruction-neko")["answer"]["text"]
    with_system = ask("Hello there")
    with_system["system_instruction"] = {"parts": [{"text": "You are a cat. Your name is Neko."}]}
    assert generate(client, with_system)["candidates"][0]["content"]["parts"][0]["text"] == neko
    assert (
        generate(client, ask("Hello there"))["candidates"][0]["content"]["parts"][0]["text"] != neko
    )


def test_json_mode_returns_pretty_json_text(client: httpx.Client) -> None:
    body = generate(
        client, ask("What is the average size of a swallow?", responseMimeType="application/json")
    )
    text = body["candidates"][0]["content"]["parts"][0]["text"]
    assert json.loads(text) == shipped("guide-average-size-of-a-swallow")["answer"]["json"]
    assert text.startswith("{\n  ")


SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 3},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2030},
        "genres": {"type": "array", "items": {"enum": ["drama", "comedy"]}, "minItems": 1},
        "rating": {"type": "number", "exclusiveMaximum": 10},
    },
    "required": ["title", "year"],
}


def test_json_mode_answer_is_valid_against_a_json_schema(client: httpx.Client) -> None:
    body = generate(
        client,
        ask("Describe a film", responseMimeType="application/json", responseJsonSchema=SCHEMA),
    )
    value = json.loads(body["candidates"][0]["content"]["parts"][0]["text"])
    jsonschema.validate(value, SCHEMA)
    assert set(value) == set(SCHEMA["properties"])


def test_json_mode_answer_is_valid_against_an_openapi_response_schema(client: httpx.Client) -> None:
    schema = {
        "type": "ARRAY",
        "items": {
            "type": "OBJECT",
            "properties": {"recipe_name": {"type": "STRING"}, "minutes": {"type": "INTEGER"}},
            "propertyOrdering": ["recipe_name", "minutes"],
            "required": ["recipe_name"],
        },
    }
    body = generate(
        client,
        ask("List cookie recipes", responseMimeType="application/json", response_schema=schema),
    )
    value = json.loads(body["candidates"][0]["content"]["parts"][0]["text"])
    assert isinstance(value, list) and value
    for item in value:
        assert list(item) == ["recipe_name", "minutes"]
        assert isinstance(item["recipe_name"], str) and isinstance(item["minutes"], int)


def test_enum_mode_answers_one_member(client: httpx.Client) -> None:
    schema = {"type": "STRING", "enum": ["Percussion", "String", "Woodwind"]}
    body = generate(
        client, ask("Which family?", responseMimeType="text/x.enum", responseSchema=schema)
    )
    assert body["candidates"][0]["content"]["parts"][0]["text"] in schema["enum"]


def test_max_output_tokens_truncates_with_max_tokens(client: httpx.Client) -> None:
    body = generate(
        client, ask("How does AI work?", maxOutputTokens=30, thinkingConfig={"thinkingBudget": 0})
    )
    candidate = body["candidates"][0]
    assert candidate["finishReason"] == "MAX_TOKENS"
    text = candidate["content"]["parts"][0]["text"]
    assert shipped("guide-how-does-ai-work")["answer"]["text"].startswith(text)
    assert tokens.count_text(text) <= 30
    assert body["usageMetadata"]["candidatesTokenCount"] == tokens.count_text(text)


def test_thinking_counts_against_max_output_tokens(client: httpx.Client) -> None:
    body = generate(client, ask("How does AI work?", maxOutputTokens=5))
    candidate = body["candidates"][0]
    assert candidate["finishReason"] == "MAX_TOKENS"
    assert candidate["content"] == {"role": "model"}, "no parts when the budget ran out thinking"
    usage = body["usageMetadata"]
    assert "candidatesTokenCount" not in usage
    assert usage["thoughtsTokenCount"] == 5, "thinking stops at the output budget"
    check_usage(usage)


@pytest.mark.parametrize("limit", [40, 300, 700])
def test_thoughts_and_answer_together_stay_within_max_output_tokens(
    client: httpx.Client, limit: int
) -> None:
    body = generate(client, ask("How does AI work?", maxOutputTokens=limit))
    usage = body["usageMetadata"]
    assert 0 < usage["thoughtsTokenCount"] <= limit
    assert usage["thoughtsTokenCount"] + usage.get("candidatesTokenCount", 0) <= limit
    check_usage(usage)


def test_stop_sequences_end_the_answer_before_them(client: httpx.Client) -> None:
    full = shipped("guide-explain-how-ai-works")["answer"]["text"]
    body = generate(client, ask("Explain how AI works", stopSequences=["neural network", "Zebra"]))
    candidate = body["candidates"][0]
    assert candidate["finishReason"] == "STOP"
    assert candidate["content"]["parts"][0]["text"] == full[: full.index("neural network")]


def test_candidate_count_gives_that_many_distinct_candidates(client: httpx.Client) -> None:
    body = generate(client, ask("Name a colour", candidateCount=3))
    candidates = body["candidates"]
    assert [c["index"] for c in candidates] == [0, 1, 2]
    texts = {c["content"]["parts"][0]["text"] for c in candidates}
    assert len(texts) == 3
    counted = sum(tokens.count_text(t) for t in texts)
    assert body["usageMetadata"]["candidatesTokenCount"] == counted
    check_usage(body["usageMetadata"])


def test_count_tokens_equals_the_prompt_token_count(client: httpx.Client) -> None:
    contents = [
        {"role": "user", "parts": [{"text": "I have 2 dogs in my house."}]},
        {"role": "model", "parts": [{"text": "Nice! What are their names?"}]},
        {
            "role": "user",
            "parts": [
                {"text": "How many paws are in my house?"},
                {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
            ],
        },
    ]
    counted = client.post(
        "/v1beta/models/gemini-2.5-flash:countTokens", json={"contents": contents}
    )
    assert counted.status_code == 200
    assert list(counted.json()) == ["totalTokens", "promptTokensDetails"]
    usage = generate(client, {"contents": contents})["usageMetadata"]
    assert counted.json()["totalTokens"] == usage["promptTokenCount"]
    assert counted.json()["promptTokensDetails"] == usage["promptTokensDetails"]
    modalities = [d["modality"] for d in usage["promptTokensDetails"]]
    assert modalities == ["TEXT", "IMAGE"]


def test_count_tokens_takes_a_whole_generate_request(client: httpx.Client) -> None:
    inner = {"model": "models/gemini-2.5-flash", **ask("How does AI work?")}
    inner["systemInstruction"] = {"parts": [{"text": "Be brief."}]}
    counted = client.post(
        "/v1/models/gemini-2.5-flash:countTokens", json={"generateContentRequest": inner}
    )
    usage = generate(client, {k: v for k, v in inner.items() if k != "model"})["usageMetadata"]
    assert counted.json()["totalTokens"] == usage["promptTokenCount"]


def test_strict_mode_is_opt_in(client: httpx.Client, gemini_fake: Fake) -> None:
    generate(client, ask("An unrecorded question"))
    assert gemini_fake.journal.last().answered_by == "synthetic"


@pytest.mark.gemini_fake(strict=True, default_fixtures=True, allow_misses=True)
def test_strict_miss_names_the_key_and_the_nearest_fixture(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers=KEY)
    response = client.post(
        "/v1beta/models/gemini-2.5-flash:generateContent", json=ask("How does AI works?")
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == "FAILED_PRECONDITION"
    key = gemini_fake.journal.last().key
    assert key and f"(key {key})" in error["message"]
    assert (
        "Nearest fixture: guide-how-does-ai-work (default/guide-how-does-ai-work.json)"
        in error["message"]
    )
    assert (
        'lastUserText: fixture "How does AI work?", request "How does AI works?"'
        in error["message"]
    )
    ok = client.post(
        "/v1beta/models/gemini-2.5-flash:generateContent", json=ask("How does AI work?")
    )
    assert ok.status_code == 200


def write_fixture(directory: Path, name: str, data: dict[str, Any]) -> None:
    (directory / f"{name}.json").write_text(json.dumps(data))


def test_user_fixtures_outrank_shipped_ones(tmp_path: Path) -> None:
    write_fixture(
        tmp_path,
        "mine",
        {"match": {"lastUserText": "How does AI work?"}, "answer": {"text": "Mine."}},
    )

    fake = new_fake(fixture_dirs=(tmp_path,))
    body = generate(fake.client(headers=KEY), ask("How does AI work?"))
    assert body["candidates"][0]["content"]["parts"][0]["text"] == "Mine."


def test_more_specific_fixture_wins(tmp_path: Path) -> None:
    write_fixture(
        tmp_path, "any-model", {"match": {"lastUserText": "Q"}, "answer": {"text": "any"}}
    )
    write_fixture(
        tmp_path,
        "pro",
        {"match": {"lastUserText": "Q", "model": "gemini-2.5-pro"}, "answer": {"text": "pro"}},
    )
    write_fixture(
        tmp_path,
        "cold",
        {
            "match": {"lastUserText": "Q", "generationConfig": {"temperature": 0.1}},
            "answer": {"text": "cold"},
        },
    )

    client = new_fake(fixture_dirs=(tmp_path,), default_fixtures=False).client(headers=KEY)

    def text(request: dict[str, Any], model: str = "gemini-2.5-flash") -> str:
        return str(generate(client, request, model)["candidates"][0]["content"]["parts"][0]["text"])

    assert text(ask("Q")) == "any"
    assert text(ask("Q"), "gemini-2.5-pro") == "pro"
    assert text(ask("Q", temperature=0.1)) == "cold"
    assert text(ask("Q", temperature=0.2)) == "any"


def test_a_recorded_response_is_replayed_as_it_is(tmp_path: Path) -> None:
    recorded = text_answer("recorded <b>", 3, 2, "bzlXaa_EE_aHqtsPi_zw8Ao")
    write_fixture(tmp_path, "rec", {"match": {"lastUserText": "Q"}, "response": recorded})

    client = new_fake(fixture_dirs=(tmp_path,)).client(headers=KEY)
    response = client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=ask("Q"))
    expected = json.dumps(recorded, indent=2).replace("<", "\\u003c").replace(">", "\\u003e") + "\n"
    assert response.text == expected


def test_sdk_and_curl_spellings_of_one_request_share_an_answer(client: httpx.Client) -> None:
    from_sdk = {
        "contents": [{"parts": [{"text": "Tell me a fact"}], "role": "user"}],
        "systemInstruction": {"parts": [{"text": "Be brief."}], "role": "user"},
        "generationConfig": {},
    }
    from_curl = {
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"parts": [{"text": "Tell me a fact"}]}],
    }
    assert generate(client, from_sdk) == generate(client, from_curl)
