"""Conversations: the turn rules the service enforces, tool calls, and thought signatures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.kit.fakes import KEY, new_fake

WEATHER_TOOL = {
    "functionDeclarations": [
        {
            "name": "get_weather",
            "description": "Returns the current weather for a location.",
            "parametersJsonSchema": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        }
    ]
}


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def model(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "model", "parts": list(parts)}


def call(name: str = "get_weather", signature: str | None = None) -> dict[str, Any]:
    part: dict[str, Any] = {"functionCall": {"name": name, "args": {"location": "Boston"}}}
    if signature:
        part["thoughtSignature"] = signature
    return part


def result(name: str = "get_weather") -> dict[str, Any]:
    return {
        "role": "user",
        "parts": [{"functionResponse": {"name": name, "response": {"result": "sunny"}}}],
    }


def generate(
    client: httpx.Client, contents: list[Any], model_id: str = "gemini-2.5-flash", **extra: Any
) -> httpx.Response:
    body = {"contents": contents, "tools": [WEATHER_TOOL], **extra}
    return client.post(f"/v1beta/models/{model_id}:generateContent", json=body)


def message(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    text: str = response.json()["error"]["message"]
    return text


def test_runs_of_same_role_turns_are_accepted(client: httpx.Client) -> None:
    contents = [
        user("Hi"),
        model({"text": "Hello"}),
        model({"text": " there"}),
        user("a"),
        user("b"),
    ]
    assert generate(client, contents).status_code == 200


def test_a_function_call_turn_must_follow_a_user_turn(client: httpx.Client) -> None:
    assert message(generate(client, [model(call()), result(), user("ok?")])) == (
        "Please ensure that function call turn comes immediately after a user turn or after a "
        "function response turn."
    )


def test_a_function_response_must_follow_a_function_call(client: httpx.Client) -> None:
    contents = [user("Weather?"), model({"text": "Let me check."}), result()]
    assert message(generate(client, contents)) == (
        "Please ensure that function response turn comes immediately after a function call turn."
    )


def test_function_responses_must_answer_every_call(client: httpx.Client) -> None:
    contents = [user("Weather in two places?"), model(call(), call()), result()]
    assert message(generate(client, contents)) == (
        "Please ensure that the number of function response parts is equal to the number of "
        "function call parts of the function call turn."
    )


def test_a_streamed_call_followed_by_an_empty_chunk_still_pairs(client: httpx.Client) -> None:
    # The SDKs record each streamed chunk as its own model turn: the call, then {"text": ""}.
    contents = [user("Weather?"), model(call("get_weather", "c2ln")), model({"text": ""}), result()]
    assert generate(client, contents).status_code == 200


def test_gemini_3_needs_the_signature_on_the_current_turns_calls(client: httpx.Client) -> None:
    unsigned = [user("Weather?"), model(call()), result()]
    assert message(generate(client, unsigned, "gemini-3-flash-preview")) == (
        "Function call is missing a thought_signature in functionCall parts. This is required "
        "for tools to work correctly, and missing thought_signature may lead to degraded model "
        "performance. Additional data, function call `default_api:get_weather` , position 2. "
        "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more "
        "details."
    )
    signed = [user("Weather?"), model(call(signature="c2lnbmF0dXJl")), result()]
    assert generate(client, signed, "gemini-3-flash-preview").status_code == 200
    assert generate(client, unsigned, "gemini-2.5-flash").status_code == 200


def test_only_the_first_of_parallel_calls_needs_a_signature(client: httpx.Client) -> None:
    contents = [
        user("Two cities?"),
        model(call(signature="c2ln"), call()),
        result(),
    ]
    contents[-1]["parts"] *= 2
    assert generate(client, contents, "gemini-3-pro-preview").status_code == 200


def test_earlier_turns_are_not_checked_for_signatures(client: httpx.Client) -> None:
    contents = [
        user("Weather?"),
        model(call()),
        result(),
        model({"text": "Sunny."}),
        user("Thanks!"),
    ]
    assert generate(client, contents, "gemini-3-flash-preview").status_code == 200


def test_a_prompt_matching_a_tool_gets_a_signed_function_call(client: httpx.Client) -> None:
    body = generate(client, [user("What's the weather like in Boston?")]).json()
    candidate = body["candidates"][0]
    assert list(candidate) == ["content", "finishReason", "index", "finishMessage"]
    assert candidate["finishMessage"] == "Model generated function call(s)."
    [part] = candidate["content"]["parts"]
    assert list(part) == ["functionCall", "thoughtSignature"]
    assert part["functionCall"] == {"name": "get_weather", "args": {"location": "Boston"}}


def test_tool_results_get_an_answer_that_uses_them(client: httpx.Client) -> None:
    contents = [user("Weather in Boston?"), model(call(signature="c2ln")), result()]
    text = generate(client, contents).json()["candidates"][0]["content"]["parts"][0]["text"]
    assert 'get_weather returned {"result": "sunny"}' in text


def test_calling_mode_none_and_unrelated_prompts_get_text(client: httpx.Client) -> None:
    none: dict[str, Any] = {"toolConfig": {"functionCallingConfig": {"mode": "NONE"}}}
    assert (
        "text"
        in generate(client, [user("Weather in Boston?")], **none).json()["candidates"][0][
            "content"
        ]["parts"][0]
    )
    assert (
        "text"
        in generate(client, [user("Tell me a joke")]).json()["candidates"][0]["content"]["parts"][0]
    )
    anything: dict[str, Any] = {"toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}
    parts = generate(client, [user("Tell me a joke")], **anything).json()["candidates"][0][
        "content"
    ]["parts"]
    assert "functionCall" in parts[0]


def test_2_0_calls_tools_without_signature_or_finish_message(client: httpx.Client) -> None:
    candidate = generate(client, [user("Weather in Boston?")], "gemini-2.0-flash").json()[
        "candidates"
    ][0]
    assert list(candidate) == ["content", "finishReason", "avgLogprobs"]
    assert list(candidate["content"]["parts"][0]) == ["functionCall"]


def test_gemini_3_signs_plain_text_answers(client: httpx.Client) -> None:
    response = client.post(
        "/v1beta/models/gemini-3-flash-preview:generateContent", json={"contents": [user("Hi")]}
    )
    assert list(response.json()["candidates"][0]["content"]["parts"][0]) == [
        "text",
        "thoughtSignature",
    ]


@pytest.mark.parametrize(
    ("model_id", "level", "ok"),
    [
        ("gemini-3-flash-preview", "MINIMAL", True),
        ("gemini-3-pro-preview", "MINIMAL", False),
        ("gemini-3-pro-preview", "HIGH", True),
        ("gemini-2.5-flash", "LOW", False),
    ],
)
def test_thinking_levels_are_the_models_own(
    client: httpx.Client, model_id: str, level: str, ok: bool
) -> None:
    body = {
        "contents": [user("Hi")],
        "generationConfig": {"thinkingConfig": {"thinkingLevel": level}},
    }
    response = client.post(f"/v1beta/models/{model_id}:generateContent", json=body)
    assert (response.status_code == 200) is ok
    if model_id == "gemini-3-pro-preview" and not ok:
        assert message(response) == (
            "Thinking level MINIMAL is not supported for this model. Please retry with other "
            "thinking level."
        )


def test_a_fixture_can_answer_with_a_function_call(tmp_path: Path) -> None:
    fixture = {
        "match": {"lastUserText": "Q"},
        "answer": {"functionCalls": [{"name": "lookup", "args": {"q": 1}}]},
    }
    (tmp_path / "f.json").write_text(json.dumps(fixture))
    client = new_fake(fixture_dirs=(tmp_path,)).client(headers=KEY)
    body = client.post(
        "/v1beta/models/gemini-2.5-flash:generateContent", json={"contents": [user("Q")]}
    ).json()
    assert body["candidates"][0]["content"]["parts"][0]["functionCall"] == {
        "name": "lookup",
        "args": {"q": 1},
    }
