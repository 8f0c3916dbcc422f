"""How ``contents`` becomes the turns of a request (the official SDK's rules)."""

from __future__ import annotations

import pytest

from gemini_ref import types
from gemini_ref._contents import to_content, to_contents
from gemini_ref._wire import to_wire


def wire(contents):
    return to_wire(to_contents(contents))


def test_a_string_is_one_user_turn():
    assert wire("Hi") == [{"parts": [{"text": "Hi"}], "role": "user"}]


def test_a_part_is_one_user_turn():
    assert wire(types.Part.from_text(text="Hi")) == [{"parts": [{"text": "Hi"}], "role": "user"}]


def test_a_list_of_strings_and_parts_is_one_user_turn_in_order():
    image = types.Part.from_uri(file_uri="https://x/v1beta/files/abc", mime_type="image/png")

    assert wire(["What is this?", image, "Be brief."]) == [
        {
            "parts": [
                {"text": "What is this?"},
                {"fileData": {"fileUri": "https://x/v1beta/files/abc", "mimeType": "image/png"}},
                {"text": "Be brief."},
            ],
            "role": "user",
        }
    ]


def test_contents_are_kept_as_turns():
    history = [
        types.Content(role="user", parts=[types.Part(text="Hello")]),
        types.Content(role="model", parts=[types.Part(text="Great to meet you.")]),
    ]

    assert wire(history) == [
        {"parts": [{"text": "Hello"}], "role": "user"},
        {"parts": [{"text": "Great to meet you."}], "role": "model"},
    ]


def test_content_dicts_in_either_spelling_are_turns():
    contents = [
        {"role": "user", "parts": [{"file_data": {"file_uri": "u", "mime_type": "audio/mpeg"}}]},
        {"role": "model", "parts": [{"inlineData": {"data": "AAE=", "mimeType": "image/png"}}]},
    ]

    assert wire(contents) == [
        {"parts": [{"fileData": {"fileUri": "u", "mimeType": "audio/mpeg"}}], "role": "user"},
        {"parts": [{"inlineData": {"data": "AAE=", "mimeType": "image/png"}}], "role": "model"},
    ]


def test_a_part_dict_is_a_part_of_a_user_turn():
    assert wire([{"text": "a"}, "b"]) == [{"parts": [{"text": "a"}, {"text": "b"}], "role": "user"}]


def test_url_safe_base64_in_a_dict_is_resent_as_standard_base64():
    (turn,) = wire({"parts": [{"inline_data": {"data": "_9j_-w", "mime_type": "image/jpeg"}}]})

    assert turn["parts"][0]["inlineData"]["data"] == "/9j/+w=="


def test_parts_around_a_function_call_split_into_user_and_model_turns():
    call = types.Part.from_function_call(name="get_weather", args={"location": "Boston"})
    result = types.Part.from_function_response(name="get_weather", response={"result": "sunny"})

    assert [turn["role"] for turn in wire(["Weather?", call, result])] == ["user", "model", "user"]


def test_a_nested_list_is_a_user_turn_of_its_own():
    assert wire(["a", ["b", "c"]]) == [
        {"parts": [{"text": "a"}], "role": "user"},
        {"parts": [{"text": "b"}, {"text": "c"}], "role": "user"},
    ]


@pytest.mark.parametrize("empty", [None, [], ()])
def test_empty_contents_are_refused(empty):
    with pytest.raises(ValueError, match="contents are required"):
        to_contents(empty)


def test_an_unsupported_input_raises_a_type_error_naming_its_type():
    class Image:
        pass

    with pytest.raises(TypeError, match=r"Image as a part"):
        to_contents(["Describe this", Image()])


def test_a_system_instruction_string_becomes_a_user_content():
    assert to_content("You are a cat.") == types.Content(
        role="user", parts=[types.Part(text="You are a cat.")]
    )


def test_a_system_instruction_content_keeps_its_role():
    content = types.Content(parts=[types.Part(text="Be terse.")])

    assert to_content(content) == content
