"""Log probabilities (docs/evidence.md#service-logprobs): a 2.0 model answers
``responseLogprobs`` with a ``logprobsResult`` whose chosen tokens join to the answer and count
to its ``candidatesTokenCount``; a stream spreads them over its chunks; 2.5 and Gemini 3 models
refuse; the official SDKs read them."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from google import genai
from google.genai import types

from fake_server.model import logprobs, tokens
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, ask, new_fake

MODEL = "gemini-2.0-flash"
CONFIG = {"responseLogprobs": True, "logprobs": 3}


def generate(fake: Fake, model: str, **config: Any) -> tuple[int, dict[str, Any]]:
    with fake.client(headers=KEY) as http:
        answer = http.post(
            f"/v1beta/models/{model}:generateContent", json=ask("How does AI work?", **config)
        )
    return answer.status_code, answer.json()


def test_a_20_model_gives_chosen_and_top_candidates_that_agree_with_its_answer() -> None:
    status, body = generate(new_fake(), MODEL, **CONFIG)
    assert status == 200
    (candidate,) = body["candidates"]
    result = candidate["logprobsResult"]
    text = candidate["content"]["parts"][0]["text"]
    chosen = result["chosenCandidates"]
    assert "".join(entry["token"] for entry in chosen) == text.rstrip()
    assert len(chosen) == tokens.count_text(text) == body["usageMetadata"]["candidatesTokenCount"]
    assert list(candidate) == ["content", "finishReason", "avgLogprobs", "logprobsResult"]
    mean = sum(entry["logProbability"] for entry in chosen) / len(chosen)
    assert candidate["avgLogprobs"] == pytest.approx(mean, abs=1e-6)
    assert len(result["topCandidates"]) == len(chosen)
    for step, entry in zip(result["topCandidates"], chosen, strict=True):
        ranked = step["candidates"]
        assert len(ranked) == 3 and ranked[0] == entry  # the chosen token is the likeliest
        probabilities = [c["logProbability"] for c in ranked]
        assert probabilities == sorted(probabilities, reverse=True)
        assert sum(math.exp(p) for p in probabilities) <= 1
        assert all(isinstance(c["tokenId"], int) for c in ranked)


def test_without_logprobs_n_only_the_chosen_tokens_come_and_the_answer_is_repeatable() -> None:
    fake = new_fake()
    _, first = generate(fake, MODEL, responseLogprobs=True)
    _, again = generate(fake, MODEL, responseLogprobs=True)
    assert list(first["candidates"][0]["logprobsResult"]) == ["chosenCandidates"]
    assert first == again


def test_a_stream_spreads_the_tokens_over_its_chunks() -> None:
    fake = new_fake()
    _, whole = generate(fake, MODEL, **CONFIG)
    with fake.client(headers=KEY) as http:
        answer = http.post(
            f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse",
            json=ask("How does AI work?", **CONFIG),
        )
    events = [
        json.loads(line.removeprefix("data: "))
        for line in answer.text.splitlines()
        if line.startswith("data: ")
    ]
    assert len(events) > 1
    streamed = []
    for event in events:
        (candidate,) = event["candidates"]
        result = candidate["logprobsResult"]
        assert len(result["topCandidates"]) == len(result["chosenCandidates"])
        streamed += result["chosenCandidates"]
    assert streamed == whole["candidates"][0]["logprobsResult"]["chosenCandidates"]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview"])
def test_other_families_refuse_logprobs(model: str) -> None:
    for config in ({"responseLogprobs": True}, {"logprobs": 2}):
        status, body = generate(new_fake(), model, **config)
        assert status == 400
        assert body["error"] == {
            "code": 400,
            "message": f"Logprobs is not enabled for models/{model}",
            "status": "INVALID_ARGUMENT",
        }


def test_more_than_20_top_candidates_are_refused() -> None:
    status, body = generate(new_fake(), MODEL, responseLogprobs=True, logprobs=21)
    assert status == 400 and "logprobs value of 21" in body["error"]["message"]


def test_token_spans_count_as_the_fake_counts_tokens() -> None:
    for text in ("", "Hi!", "  internationalization is long", "a,b;c\nd", "émigré café"):
        spans = logprobs.token_spans(text)
        assert len(spans) == tokens.count_text(text)
        assert "".join(token for _, token in spans) == text.rstrip()
        assert all(
            text[at:].startswith(token.lstrip()) or token[0].isspace() for at, token in spans
        )


def test_the_python_sdk_reads_the_log_probabilities(gemini_fake_server: Fake) -> None:
    client = genai.Client(
        api_key="any-key",
        http_options=types.HttpOptions(base_url=gemini_fake_server.base_url, api_version="v1beta"),
    )
    config = types.GenerateContentConfig(response_logprobs=True, logprobs=2)
    response = client.models.generate_content(
        model=MODEL, contents="How does AI work?", config=config
    )
    (candidate,) = response.candidates or []
    assert candidate.logprobs_result is not None
    chosen = candidate.logprobs_result.chosen_candidates or []
    assert "".join(c.token or "" for c in chosen) == (response.text or "").rstrip()
    assert all(
        len(step.candidates or []) == 2 for step in candidate.logprobs_result.top_candidates or []
    )
    assert candidate.avg_logprobs is not None and candidate.avg_logprobs < 0
    refused = genai.errors.ClientError
    with pytest.raises(refused) as raised:
        client.models.generate_content(model="gemini-2.5-flash", contents="Hi", config=config)
    assert raised.value.code == 400
