"""The one converter: dataclass ⇄ camelCase JSON, driven by type hints."""

from __future__ import annotations

import pytest

from gemini_ref import types
from gemini_ref._wire import camel_case, from_wire, to_wire


def test_to_wire_writes_camel_case_and_drops_none_fields():
    config = types.ThinkingConfig(thinking_budget=0, include_thoughts=None)

    assert to_wire(config) == {"thinkingBudget": 0}


def test_to_wire_writes_bytes_as_standard_base64():
    part = types.Part.from_bytes(data=b"\xfb\xff\xfe", mime_type="application/octet-stream")

    assert to_wire(part) == {"inlineData": {"data": "+//+", "mimeType": "application/octet-stream"}}


def test_to_wire_writes_enum_members_as_their_values():
    setting = types.SafetySetting(
        category=types.HarmCategory.HARM_CATEGORY_HARASSMENT,
        threshold=types.HarmBlockThreshold.BLOCK_NONE,
    )

    assert to_wire(setting) == {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}


def test_to_wire_leaves_the_keys_of_user_data_alone():
    call = types.FunctionCall(name="book", args={"snake_case_key": {"nested_key": 1}})

    assert to_wire(call) == {"name": "book", "args": {"snake_case_key": {"nested_key": 1}}}


def test_from_wire_reads_either_spelling_of_a_key():
    assert from_wire(types.Blob, {"mime_type": "a/b"}) == from_wire(types.Blob, {"mimeType": "a/b"})


def test_from_wire_reads_int64_strings_as_int():
    usage = from_wire(types.UsageMetadata, {"promptTokenCount": "7", "totalTokenCount": 12})

    assert (usage.prompt_token_count, usage.total_token_count) == (7, 12)


@pytest.mark.parametrize("encoded", ["+/8=", "-_8=", "-_8"])
def test_from_wire_reads_base64_in_either_alphabet_padded_or_not(encoded):
    assert from_wire(types.Blob, {"data": encoded}).data == b"\xfb\xff"


def test_from_wire_follows_a_wire_rename():
    found = from_wire(types.Model, {"supportedGenerationMethods": ["generateContent"]})

    assert found.supported_actions == ["generateContent"]
    assert to_wire(found) == {"supportedGenerationMethods": ["generateContent"]}


def test_unknown_keys_from_the_service_survive_a_round_trip():
    turn = {"parts": [{"executableCode": {"language": "PYTHON", "code": "1+1"}}], "role": "model"}

    content = from_wire(types.Content, turn)

    assert content.parts is not None
    assert content.parts[0].extra == {"executableCode": {"language": "PYTHON", "code": "1+1"}}
    assert to_wire(content) == turn


def test_unknown_keys_from_a_user_dict_are_refused():
    with pytest.raises(TypeError, match=r"ThinkingConfig has no field 'thinking_budgit'"):
        from_wire(types.ThinkingConfig, {"thinking_budgit": 0}, strict=True)


def test_a_dataclass_holding_dicts_is_normalised_all_the_way_down():
    config = types.GenerateContentConfig(
        thinking_config={"thinking_budget": 0},  # type: ignore[arg-type]  # dicts, on purpose
        safety_settings=[{"category": "HARM_CATEGORY_HATE_SPEECH"}],  # type: ignore[list-item]
    )

    normalised = from_wire(types.GenerateContentConfig, config, strict=True)

    assert normalised.thinking_config == types.ThinkingConfig(thinking_budget=0)
    assert normalised.safety_settings == [types.SafetySetting(category="HARM_CATEGORY_HATE_SPEECH")]


def test_extra_on_a_user_value_is_sent_verbatim():
    config = types.GenerateContentConfig(
        temperature=0.5, extra={"enableEnhancedCivicAnswers": True}
    )

    assert to_wire(config) == {"temperature": 0.5, "enableEnhancedCivicAnswers": True}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"text": 3}, r"Part\.text: expected str"),
        ({"thought": "yes"}, r"Part\.thought: expected bool"),
        ({"inlineData": "abc"}, "Blob must be a JSON object"),
    ],
)
def test_from_wire_rejects_values_of_the_wrong_type(data, message):
    with pytest.raises(TypeError, match=message):
        from_wire(types.Part, data)


def test_camel_case():
    assert camel_case("response_json_schema") == "responseJsonSchema"
    assert camel_case("seed") == "seed"
