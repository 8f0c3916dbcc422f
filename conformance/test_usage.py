"""Usage and token counts over HTTP, against the target.

The rules (docs/evidence.md#service-usage, #service-stream-chunks, docs/tokens.md,
docs/images.md, docs/protocol.md "Streaming"):

* ``totalTokenCount = promptTokenCount + candidatesTokenCount + thoughtsTokenCount +
  toolUsePromptTokenCount``, an absent count being 0; zero counts are left out:
  ``thoughtsTokenCount`` is absent with ``thinkingBudget: 0`` and on 2.0 models;
* a budget of 0 turns thinking off: no thought parts even when thoughts are asked for;
* a stream's usage is cumulative; thought-only chunks report no thoughts yet
  (``totalTokenCount = promptTokenCount``), and the last chunk's usage is the unary call's;
* ``countTokens`` on a request gives the ``promptTokenCount`` that ``generateContent`` reports
  for it, system instruction and tools included;
* an image on a 2.x model: 258 tokens when both sides are at most 384 pixels, else
  ``ceil(w / unit) * ceil(h / unit)`` tiles of 258, ``unit = floor(min(w, h) / 1.5)``; on
  Gemini 3, 1,120 at the default resolution; a part's own ``mediaResolution`` is a Gemini 3
  setting, which 2.x models ignore.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest

from conformance._target import Target
from fake_server.model.images import encode_png

V = "/v1beta/models"


def ask(text: str, **config: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"contents": [{"parts": [{"text": text}], "role": "user"}]}
    if config:
        request["generationConfig"] = config
    return request


def check_sum(usage: dict[str, Any]) -> None:
    parts = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount")
    total = sum(usage.get(k, 0) for k in (*parts, "toolUsePromptTokenCount"))
    assert usage["totalTokenCount"] == total, usage
    for key in parts:
        assert usage.get(key, 1) != 0, f"a zero {key} is sent; zero counts are left out"


def parts_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        part
        for candidate in body.get("candidates", [])
        for part in (candidate.get("content") or {}).get("parts", [])
    ]


def sse_chunks(raw: bytes) -> list[dict[str, Any]]:
    events = raw.decode("utf-8").split("\r\n\r\n")
    return [json.loads(event.removeprefix("data: ")) for event in events if event]


OFF = {"thinkingConfig": {"thinkingBudget": 0, "includeThoughts": True}}


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.5-flash-lite"])
def test_a_budget_of_zero_means_no_thoughts_and_no_thoughts_count(
    target: Target, model: str
) -> None:
    reply = target.http(key=True).post(
        f"{V}/{model}:generateContent", json=ask("Why is the sky blue?", **OFF)
    )
    assert reply.status_code == 200
    body = reply.json()
    assert not [p for p in parts_of(body) if p.get("thought")]
    assert "thoughtsTokenCount" not in body["usageMetadata"]
    check_sum(body["usageMetadata"])


def test_a_20_model_sends_no_thoughts_count(target: Target) -> None:
    reply = target.http(key=True).post(
        f"{V}/gemini-2.0-flash:generateContent", json=ask("Why is the sky blue?")
    )
    assert reply.status_code == 200
    usage = reply.json()["usageMetadata"]
    assert "thoughtsTokenCount" not in usage
    check_sum(usage)


def test_a_thinking_answer_counts_its_thoughts_in_the_total(target: Target) -> None:
    config = {"thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}
    reply = target.http(key=True).post(
        f"{V}/gemini-2.5-flash:generateContent", json=ask("Why is the sky blue?", **config)
    )
    usage = reply.json()["usageMetadata"]
    assert usage.get("thoughtsTokenCount", 0) > 0
    check_sum(usage)


def test_thought_only_stream_chunks_report_no_thoughts_yet(target: Target) -> None:
    config = {"thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}
    request = ask("Why is the sky blue?", **config)
    http = target.http(key=True)
    reply = http.post(f"{V}/gemini-2.5-flash:streamGenerateContent?alt=sse", json=request)
    chunks = sse_chunks(reply.content)
    answered = False
    for chunk in chunks:
        usage = chunk["usageMetadata"]
        check_sum(usage)
        parts = parts_of(chunk)
        answered = answered or any(not p.get("thought") for p in parts)
        if not answered:  # nothing but thoughts so far
            assert "thoughtsTokenCount" not in usage, usage
            assert usage["totalTokenCount"] == usage["promptTokenCount"]
    assert answered
    unary = http.post(f"{V}/gemini-2.5-flash:generateContent", json=request).json()
    if target.deterministic:
        assert chunks[-1]["usageMetadata"] == unary["usageMetadata"]


def test_count_tokens_gives_generates_prompt_token_count(target: Target) -> None:
    request = ask("What is the weather in Paris, in a word?", thinkingConfig={"thinkingBudget": 0})
    request["systemInstruction"] = {"parts": [{"text": "You are a terse weather assistant."}]}
    request["tools"] = [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "The weather in a city today.",
                    "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
                }
            ]
        }
    ]
    http = target.http(key=True)
    generated = http.post(f"{V}/gemini-2.5-flash:generateContent", json=request)
    assert generated.status_code == 200
    counted = http.post(
        f"{V}/gemini-2.5-flash:countTokens",
        json={"generateContentRequest": {"model": "models/gemini-2.5-flash", **request}},
    )
    assert counted.status_code == 200
    assert counted.json()["totalTokens"] == generated.json()["usageMetadata"]["promptTokenCount"]


def png(width: int, height: int) -> dict[str, Any]:
    data = encode_png(width, height, bytes(width * height), level=1)
    return {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()}}


def image_tokens(target: Target, model: str, part: dict[str, Any]) -> int:
    body = {"contents": [{"parts": [part], "role": "user"}]}
    reply = target.http(key=True).post(f"{V}/{model}:countTokens", json=body)
    assert reply.status_code == 200
    details = {d["modality"]: d["tokenCount"] for d in reply.json()["promptTokensDetails"]}
    tokens: int = details["IMAGE"]
    return tokens


def tiled(width: int, height: int) -> int:
    if width <= 384 and height <= 384:
        return 258
    unit = math.floor(min(width, height) / 1.5)
    return math.ceil(width / unit) * math.ceil(height / unit) * 258


@pytest.mark.parametrize("size", [(384, 384), (384, 200), (385, 384), (600, 385), (960, 540)])
def test_an_images_tokens_on_a_2x_model(target: Target, size: tuple[int, int]) -> None:
    assert image_tokens(target, "gemini-2.5-flash", png(*size)) == tiled(*size)


def test_an_images_tokens_on_gemini_3_and_the_parts_own_resolution(target: Target) -> None:
    assert image_tokens(target, "gemini-3-flash-preview", png(64, 64)) == 1120
    low = {**png(960, 540), "mediaResolution": {"level": "MEDIA_RESOLUTION_LOW"}}
    assert image_tokens(target, "gemini-3-flash-preview", low) == 280
    assert image_tokens(target, "gemini-2.5-flash", low) == tiled(960, 540)
