"""``GenerateContentResponse.text`` and friends, with the official SDKs' semantics."""

from __future__ import annotations

import logging

import pytest

from gemini_ref import types
from gemini_ref._wire import from_wire


def response(*candidates, **fields):
    return from_wire(types.GenerateContentResponse, {"candidates": list(candidates), **fields})


def candidate(*parts, **fields):
    return {"content": {"parts": list(parts), "role": "model"}, **fields}


def test_text_concatenates_the_text_parts_of_the_first_candidate():
    assert response(candidate({"text": "Hello"}, {"text": ", world"})).text == "Hello, world"


def test_text_skips_thought_parts():
    thinking = {"text": "**Planning**\n\nThe user wants…", "thought": True}

    assert response(candidate(thinking, {"text": "Answer"})).text == "Answer"


def test_text_keeps_parts_whose_thought_flag_is_false():
    assert response(candidate({"text": "Answer", "thought": False})).text == "Answer"


def test_text_is_none_when_only_thoughts_came_back():
    assert response(candidate({"text": "hmm", "thought": True})).text is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"candidates": []},
        {"candidates": [{"finishReason": "RECITATION"}]},
        {"candidates": [{"content": {}, "finishReason": "SAFETY"}]},
        {"candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS"}]},
        {"candidates": [{"content": {"parts": [], "role": "model"}}]},
        {"promptFeedback": {"blockReason": "SAFETY"}},
    ],
)
def test_text_is_none_when_there_is_no_text_part(body):
    assert from_wire(types.GenerateContentResponse, body).text is None


def test_text_of_an_empty_string_part_stays_an_empty_string():
    assert response(candidate({"text": ""})).text == ""


def test_text_ignores_function_calls_and_logs_that_it_did(caplog):
    call = {"functionCall": {"name": "get_weather", "args": {"location": "Boston"}}}

    with caplog.at_level(logging.WARNING, logger="gemini_ref"):
        text = response(candidate(call)).text

    assert text is None
    assert "non-text parts" in caplog.text
    assert "function_call" in caplog.text


def test_text_reads_the_first_of_several_candidates_and_warns_once(caplog):
    several = response(candidate({"text": "first"}), candidate({"text": "second"}))

    with caplog.at_level(logging.WARNING, logger="gemini_ref"):
        texts = [several.text, several.text]

    assert texts == ["first", "first"]
    assert [record.message for record in caplog.records] == [
        "there are 2 candidates, returning text from the first one."
        " Read response.candidates for the others."
    ]


def test_function_calls_lists_the_calls_of_the_first_candidate():
    call = {"functionCall": {"name": "get_weather", "args": {"location": "Boston"}}}

    calls = response(candidate({"text": "Let me check."}, call)).function_calls

    assert calls == [types.FunctionCall(name="get_weather", args={"location": "Boston"})]


def test_function_calls_is_none_without_calls():
    assert response(candidate({"text": "Hi"})).function_calls is None


def test_a_full_answer_parses_into_typed_fields():
    parsed = from_wire(
        types.GenerateContentResponse,
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"text": "Hi", "thoughtSignature": "c2lnbmF0dXJl"}],
                        "role": "model",
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": "7",
                "candidatesTokenCount": 5,
                "totalTokenCount": 12,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 7}],
            },
            "modelVersion": "gemini-2.5-flash",
            "responseId": "d441192f787a4a48aff32d",
        },
    )

    assert parsed.candidates is not None
    (first,) = parsed.candidates
    assert first.finish_reason == types.FinishReason.STOP
    assert first.content is not None and first.content.parts is not None
    assert first.content.parts[0].thought_signature == b"signature"
    assert parsed.usage_metadata == types.UsageMetadata(
        prompt_token_count=7,
        candidates_token_count=5,
        total_token_count=12,
        prompt_tokens_details=[types.ModalityTokenCount(modality="TEXT", token_count=7)],
    )
    assert parsed.model_version == "gemini-2.5-flash"
    assert parsed.response_id == "d441192f787a4a48aff32d"
