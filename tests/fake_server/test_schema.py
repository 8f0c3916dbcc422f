"""The transcoder: every spelling the SDKs send reads into one canonical request."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_server.protocol.errors import ApiError
from fake_server.protocol.transcode import camel, snake, transcode


def test_python_sdk_mixed_casing_reads_as_camel_case() -> None:
    body = {
        "contents": [
            {
                "parts": [{"inlineData": {"data": "_9j_4A==", "mime_type": "image/jpeg"}}],
                "role": "user",
            }
        ],
        "generationConfig": {
            "thinkingConfig": {"thinking_budget": 0, "include_thoughts": True},
            "topK": 20.0,
        },
        "system_instruction": {"parts": [{"text": "Be brief."}], "role": "user"},
    }
    assert transcode(body, "GenerateContentRequest") == {
        "contents": [
            {
                "parts": [{"inlineData": {"data": "/9j/4A==", "mimeType": "image/jpeg"}}],
                "role": "user",
            }
        ],
        "generationConfig": {
            "thinkingConfig": {"thinkingBudget": 0, "includeThoughts": True},
            "topK": 20,
        },
        "systemInstruction": {"parts": [{"text": "Be brief."}], "role": "user"},
    }


def test_a_turn_without_a_role_is_the_users() -> None:
    read = transcode(
        {"contents": [{"parts": [{"text": "hi"}]}, {"role": "", "parts": [{"text": "x"}]}]},
        "GenerateContentRequest",
    )
    assert [c["role"] for c in read["contents"]] == ["user", "user"]


@pytest.mark.parametrize(
    "part",
    [
        {"executableCode": {"language": "PYTHON", "code": "print(1)", "id": "c1"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1", "id": "c1"}},
    ],
)
def test_a_code_part_an_answer_carried_reads_back_when_a_chat_echoes_it(
    part: dict[str, Any],
) -> None:
    # One message table for requests and answers: what the service sends, it reads back.
    history = [
        {"role": "user", "parts": [{"text": "Run it"}]},
        {"role": "model", "parts": [part]},
        {"role": "user", "parts": [{"text": "And again"}]},
    ]
    read = transcode({"contents": history}, "GenerateContentRequest")
    assert read["contents"][1]["parts"] == [part]


def test_null_means_not_set() -> None:
    assert transcode(
        {"contents": None, "generationConfig": {"temperature": None}}, "GenerateContentRequest"
    ) == {"generationConfig": {}}


@given(st.binary(max_size=64), st.booleans(), st.booleans())
def test_both_base64_alphabets_padded_or_not_read_as_the_same_bytes(
    data: bytes, url_safe: bool, strip_padding: bool
) -> None:
    encoded = (base64.urlsafe_b64encode if url_safe else base64.b64encode)(data).decode()
    if strip_padding:
        encoded = encoded.rstrip("=")
    part = {"inline_data": {"mime_type": "image/png", "data": encoded}}
    read = transcode({"contents": [{"parts": [part]}]}, "GenerateContentRequest")
    assert read["contents"][0]["parts"][0]["inlineData"]["data"] == base64.b64encode(data).decode()


@given(st.from_regex(r"[a-z]+(_[a-z]+){0,3}", fullmatch=True))
def test_snake_and_camel_names_round_trip(name: str) -> None:
    assert snake(camel(name)) == name


def test_bad_base64_names_the_field() -> None:
    with pytest.raises(ApiError) as caught:
        transcode(
            {"contents": [{"parts": [{"inlineData": {"data": "!!", "mimeType": "image/png"}}]}]},
            "GenerateContentRequest",
        )
    assert caught.value.message == (
        "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), "
        'Base64 decoding failed for "!!"'
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"candidateCount": 1.5},
            "Invalid value at 'generation_config.candidate_count' (TYPE_INT32), 1.5",
        ),
        (
            {"responseModalities": ["SMELL"]},
            "Invalid value at 'generation_config.response_modalities[0]' "
            '(type.googleapis.com/google.ai.generativelanguage.v1beta.Modality), "SMELL"',
        ),
        (
            {"stopSequences": [1]},
            "Invalid value at 'generation_config.stop_sequences[0]' (TYPE_STRING), 1",
        ),
    ],
)
def test_wrong_types_are_refused_as_the_transcoder_refuses_them(
    config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApiError) as caught:
        transcode({"generationConfig": config}, "GenerateContentRequest")
    assert caught.value.message == message


def test_enum_numbers_and_lower_case_names_are_accepted() -> None:
    read = transcode(
        {"safetySettings": [{"category": 8, "threshold": "block_none"}]}, "GenerateContentRequest"
    )
    assert read["safetySettings"] == [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}
    ]
