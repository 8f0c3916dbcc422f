"""The guide's Python text examples (``conformance/_guide.py``, verbatim) run with gemini_ref:
what goes on the wire.

Each request body is also pinned as a JSON snapshot under ``__snapshots__/`` (regenerate with
``pytest tests/gemini_ref --snapshot-update`` and review the diff).
"""

from __future__ import annotations

import json

import httpx
import pytest

import gemini_ref as genai
from conformance._guide import Assets, run
from gemini_ref import types

URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"


def test_basic_example_posts_one_user_turn(client, recorder, snapshot):
    response = run("text_generation", genai, types, client).names["response"]

    assert response.text == "AI learns patterns from data."
    request = recorder.request
    assert (request.method, str(request.url)) == ("POST", URL)
    assert request.headers["x-goog-api-key"] == "test-key"
    assert request.headers["content-type"] == "application/json"
    assert recorder.body == {
        "contents": [{"parts": [{"text": "How does AI work?"}], "role": "user"}]
    }
    assert recorder.body == snapshot


def test_streaming_example_posts_the_same_turn_to_stream_generate_content_sse(
    client, recorder, snapshot
):
    recorder.answers = [
        httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=b'data: {"candidates": [{"content": {"parts": [{"text": "AI learns"}],'
            b'"role": "model"},"finishReason": "STOP","index": 0}]}\r\n\r\n',
        )
    ]

    texts = [text for text, *_ in run("streaming", genai, types, client).printed]

    assert texts == ["AI learns"]
    request = recorder.request
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    recorded = {"url": str(request.url), "body": recorder.body}
    assert recorded == {
        "url": URL.replace(":generateContent", ":streamGenerateContent?alt=sse"),
        "body": {"contents": [{"parts": [{"text": "Explain how AI works"}], "role": "user"}]},
    }
    assert recorded == snapshot


def test_thinking_budget_zero_goes_into_generation_config(client, recorder, snapshot):
    run("thinking_off", genai, types, client)

    assert recorder.body["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 0}}
    assert recorder.body == snapshot


def test_system_instruction_is_a_root_level_user_content(client, recorder, snapshot):
    run("system_instruction", genai, types, client)

    assert recorder.body == {
        "contents": [{"parts": [{"text": "Hello there"}], "role": "user"}],
        "systemInstruction": {
            "parts": [{"text": "You are a cat. Your name is Neko."}],
            "role": "user",
        },
    }
    assert recorder.body == snapshot


def test_temperature_example_sends_a_list_of_one_string_as_one_turn(client, recorder, snapshot):
    run("temperature", genai, types, client)

    assert recorder.body == {
        "contents": [{"parts": [{"text": "Explain how AI works"}], "role": "user"}],
        "generationConfig": {"temperature": 0.1},
    }
    assert recorder.body == snapshot


def test_full_config_example_splits_root_fields_from_generation_config(client, recorder, snapshot):
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Explain how AI works",
        config=types.GenerateContentConfig(
            temperature=0.1,
            top_p=0.95,
            top_k=20,
            candidate_count=1,
            max_output_tokens=256,
            stop_sequences=["\n\n", "END"],
            presence_penalty=0.0,
            frequency_penalty=0.0,
            seed=5,
            response_mime_type="application/json",
            safety_settings=[
                types.SafetySetting(
                    category=types.HarmCategory.HARM_CATEGORY_HATE_SPEECH,
                    threshold=types.HarmBlockThreshold.BLOCK_ONLY_HIGH,
                )
            ],
        ),
    )

    assert recorder.body == {
        "contents": [{"parts": [{"text": "Explain how AI works"}], "role": "user"}],
        "safetySettings": [
            {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}
        ],
        "generationConfig": {
            "temperature": 0.1,
            "topP": 0.95,
            "topK": 20,
            "candidateCount": 1,
            "maxOutputTokens": 256,
            "stopSequences": ["\n\n", "END"],
            "presencePenalty": 0.0,
            "frequencyPenalty": 0.0,
            "seed": 5,
            "responseMimeType": "application/json",
        },
    }
    assert recorder.body == snapshot


def test_inline_image_example_sends_standard_base64_before_the_text(
    client, recorder, snapshot, tmp_path
):
    image_bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\xfb\xff"  # the start of a JPEG
    (tmp_path / "small-sample.jpg").write_bytes(image_bytes)

    run("inline_image_bytes", genai, types, client, Assets(tmp_path))

    (turn,) = recorder.body["contents"]
    assert turn == {
        "parts": [
            {"inlineData": {"data": "/9j/4AAQSkZJRgAB+/8=", "mimeType": "image/jpeg"}},
            {"text": "Caption this image."},
        ],
        "role": "user",
    }
    assert recorder.body == snapshot


def test_config_as_a_snake_case_dict_sends_the_same_body_as_the_dataclass(client, recorder):
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="How does AI work?",
        config={"thinking_config": {"thinking_budget": 0}, "system_instruction": "Be brief."},
    )
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="How does AI work?",
        config=types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(thinking_budget=0), system_instruction="Be brief."
        ),
    )

    first, second = (json.loads(request.content) for request in recorder.requests)
    assert first == second


def test_config_as_a_camel_case_dict_is_accepted(client, recorder):
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Hi",
        config={"thinkingConfig": {"thinkingBudget": 0}, "responseMimeType": "application/json"},
    )

    assert recorder.body["generationConfig"] == {
        "thinkingConfig": {"thinkingBudget": 0},
        "responseMimeType": "application/json",
    }


def test_a_config_holding_only_root_fields_sends_no_generation_config(client, recorder):
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Hi",
        config=types.GenerateContentConfig(
            tools=[types.Tool(google_search=types.GoogleSearch())],
            tool_config={"function_calling_config": {"mode": "AUTO"}},  # type: ignore[arg-type]
            cached_content="abc123",
            labels={"team": "docs"},
        ),
    )

    assert recorder.body == {
        "contents": [{"parts": [{"text": "Hi"}], "role": "user"}],
        "tools": [{"googleSearch": {}}],
        "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
        "cachedContent": "cachedContents/abc123",
        "labels": {"team": "docs"},
    }


def test_a_misspelt_config_key_raises_a_type_error_naming_it(client):
    with pytest.raises(TypeError, match="'temperatur'"):
        client.models.generate_content(
            model="gemini-2.5-flash", contents="Hi", config={"temperatur": 0.1}
        )


def test_fields_this_client_does_not_model_can_be_sent_through_extra(client, recorder):
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Hi",
        config=types.GenerateContentConfig(
            temperature=0.2, extra={"enableEnhancedCivicAnswers": True}
        ),
    )

    assert recorder.body["generationConfig"] == {
        "temperature": 0.2,
        "enableEnhancedCivicAnswers": True,
    }
