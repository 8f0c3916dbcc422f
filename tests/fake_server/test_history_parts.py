"""Turns the service takes back in a chat: server-side tool turns, code with ids, and function
responses carrying media (``functionResponse.parts``)."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.kit.files import FilesKit

G3 = "/v1beta/models/gemini-3-flash-preview"
SIGNATURE = base64.b64encode(b"a signature the fake made").decode()
PNG = base64.b64encode(FilesKit.png(64, 48)).decode()


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def answer_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return "".join(p.get("text", "") for p in response.json()["candidates"][0]["content"]["parts"])


SEARCH_TURN = {
    "role": "model",
    "parts": [
        {
            "toolCall": {
                "toolType": "GOOGLE_SEARCH_WEB",
                "args": {"queries": ["weather in Lisbon"]},
                "id": "t8f3k2qa",
            },
            "thoughtSignature": SIGNATURE,
        },
        {
            "toolResponse": {
                "toolType": "GOOGLE_SEARCH_WEB",
                "response": {"search_suggestions": "weather in Lisbon"},
                "id": "t8f3k2qa",
            },
            "thoughtSignature": SIGNATURE,
        },
        {"text": "It is sunny in Lisbon."},
    ],
}


def test_a_server_side_tool_turn_is_taken_back_with_the_flag_that_asked_for_it(
    client: httpx.Client,
) -> None:
    request = {
        "contents": [user("Weather in Lisbon?"), SEARCH_TURN, user("And tomorrow?")],
        "tools": [{"googleSearch": {}}],
        "toolConfig": {"includeServerSideToolInvocations": True},
    }
    assert answer_text(client.post(f"{G3}:generateContent", json=request))


def test_the_server_side_tools_flag_reads_in_either_spelling(client: httpx.Client) -> None:
    for spelling in ("includeServerSideToolInvocations", "include_server_side_tool_invocations"):
        request = {"contents": [user("Hi")], "tool_config": {spelling: False}}
        assert answer_text(client.post(f"{G3}:generateContent", json=request))


def test_code_and_its_result_are_taken_back_with_their_ids(client: httpx.Client) -> None:
    code_turn = {
        "role": "model",
        "parts": [
            {"executableCode": {"language": "PYTHON", "code": "print(6 * 7)", "id": "c1"}},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "42\n", "id": "c1"}},
            {"text": "The answer is 42."},
        ],
    }
    request = {
        "contents": [user("Compute 6 * 7"), code_turn, user("Now double it")],
        "tools": [{"codeExecution": {}}],
    }
    assert answer_text(client.post(f"{G3}:generateContent", json=request))


def function_turns(*media: dict[str, Any]) -> list[dict[str, Any]]:
    """A signed call for a photo, and its response carrying ``media`` beside its JSON."""
    call = {"functionCall": {"name": "take_photo", "args": {}}, "thoughtSignature": SIGNATURE}
    response: dict[str, Any] = {"name": "take_photo", "response": {"image": {"$ref": "photo.png"}}}
    if media:
        response["parts"] = list(media)
    return [
        user("Take a photo of the shelf"),
        {"role": "model", "parts": [call]},
        {"role": "user", "parts": [{"functionResponse": response}]},
    ]


TOOLS = [{"functionDeclarations": [{"name": "take_photo", "description": "Takes a photo"}]}]
PHOTO = {"inlineData": {"mimeType": "image/png", "data": PNG, "displayName": "photo.png"}}


def test_a_function_response_carrying_an_image_is_answered(client: httpx.Client) -> None:
    request = {"contents": function_turns(PHOTO), "tools": TOOLS}
    text = answer_text(client.post(f"{G3}:generateContent", json=request))
    assert "take_photo" in text  # the answer reads the function's result


def test_a_function_responses_image_costs_image_tokens(client: httpx.Client) -> None:
    with_image = {"contents": function_turns(PHOTO), "tools": TOOLS}
    without = {"contents": function_turns(), "tools": TOOLS}
    counted = client.post(f"{G3}:countTokens", json={"generateContentRequest": with_image}).json()
    plain = client.post(f"{G3}:countTokens", json={"generateContentRequest": without}).json()
    details = {d["modality"]: d["tokenCount"] for d in counted["promptTokensDetails"]}
    # An image at Gemini 3's default resolution: 1,120 tokens (docs/tokens.md), not the
    # thousands its base64 would be as text.
    assert details["IMAGE"] == 1120
    assert details["TEXT"] == plain["totalTokens"]
    generated = client.post(f"{G3}:generateContent", json=with_image).json()
    assert generated["usageMetadata"]["promptTokenCount"] == counted["totalTokens"]


def test_a_function_responses_media_are_checked_as_parts_are(client: httpx.Client) -> None:
    bad_mime = {"inlineData": {"mimeType": "bad/mime", "data": PNG}}
    refused = client.post(
        f"{G3}:generateContent", json={"contents": function_turns(bad_mime), "tools": TOOLS}
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "Unsupported MIME type: bad/mime"

    missing = {"fileData": {"mimeType": "image/png", "fileUri": "files/nosuchfile1"}}
    refused = client.post(
        f"{G3}:generateContent", json={"contents": function_turns(missing), "tools": TOOLS}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["status"] == "PERMISSION_DENIED"


def test_an_unknown_field_in_a_function_responses_media_is_still_refused(
    client: httpx.Client,
) -> None:
    media = {"inlineData": {"mimeType": "image/png", "data": PNG, "caption": "x"}}
    response = client.post(
        f"{G3}:generateContent", json={"contents": function_turns(media), "tools": TOOLS}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "caption" at '
        "'contents[2].parts[0].function_response.parts[0].inline_data': Cannot find field."
    )
