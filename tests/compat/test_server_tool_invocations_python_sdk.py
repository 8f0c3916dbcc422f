"""Server-side tool invocations through the official Python SDK (google-genai) over a socket: on
Gemini 3 with ``include_server_side_tool_invocations``, the SDK reads the search's and the URL
fetch's ``tool_call`` / ``tool_response`` parts, unary and streamed, and a chat that sends the
answer back in its history gets its next answer (docs/evidence.md#service-builtin-tools)."""

from __future__ import annotations

import json

import pytest
from google import genai
from google.genai import types

from fake_server.pytest_plugin import Fake
from tests.compat.test_builtin_tools_python_sdk import GEMINI_3, PROMPT, sdk_client

pytestmark = pytest.mark.sdk

CONFIG = types.GenerateContentConfig(
    tools=[
        types.Tool(google_search=types.GoogleSearch()),
        types.Tool(url_context=types.UrlContext()),
    ],
    tool_config=types.ToolConfig(include_server_side_tool_invocations=True),
)


def check_invocations(parts: list[types.Part]) -> None:
    search_call, search_response, url_call, url_response = parts[:4]
    for part in parts[:4]:
        assert part.thought_signature  # bytes, decoded from the standard base64
    assert search_call.tool_call is not None and search_response.tool_response is not None
    assert url_call.tool_call is not None and url_response.tool_response is not None
    assert search_call.tool_call.tool_type == types.ToolType.GOOGLE_SEARCH_WEB
    assert search_response.tool_response.tool_type == types.ToolType.GOOGLE_SEARCH_WEB
    assert url_call.tool_call.tool_type == types.ToolType.URL_CONTEXT
    assert url_response.tool_response.tool_type == types.ToolType.URL_CONTEXT
    queries = (search_call.tool_call.args or {})["queries"]
    assert queries and queries[0].startswith("qu'est-ce")
    assert (search_response.tool_response.response or {})["search_suggestions"].startswith(
        "<style>"
    )
    assert (url_call.tool_call.args or {}) == {
        "urls": ["https://example.com/guide", "http://localhost:9/x"]
    }
    fetched = (url_response.tool_response.response or {})["urls_metadata"]
    assert [m["url_retrieval_status"] for m in fetched] == [
        "URL_RETRIEVAL_STATUS_SUCCESS",
        "URL_RETRIEVAL_STATUS_ERROR",
    ]
    for call, response in ((search_call, search_response), (url_call, url_response)):
        assert call.tool_call is not None and response.tool_response is not None
        assert call.tool_call.id and len(call.tool_call.id) == 8
        assert response.tool_response.id == call.tool_call.id
    assert search_call.tool_call.id != url_call.tool_call.id
    assert all(p.tool_call is None and p.tool_response is None for p in parts[4:])
    assert "".join(p.text or "" for p in parts[4:])


def test_the_sdk_reads_the_invocations_of_a_unary_answer(gemini_fake_server: Fake) -> None:
    client = sdk_client(gemini_fake_server)
    response = client.models.generate_content(model=GEMINI_3, contents=PROMPT, config=CONFIG)
    (candidate,) = response.candidates or []
    assert candidate.content is not None
    check_invocations(candidate.content.parts or [])
    assert candidate.grounding_metadata is not None
    assert candidate.url_context_metadata is not None


def test_the_sdk_reads_the_invocations_of_a_stream(gemini_fake_server: Fake) -> None:
    client = sdk_client(gemini_fake_server)
    chunks = list(
        client.models.generate_content_stream(model=GEMINI_3, contents=PROMPT, config=CONFIG)
    )
    parts = [
        part
        for chunk in chunks
        for candidate in chunk.candidates or []
        if candidate.content is not None
        for part in candidate.content.parts or []
    ]
    check_invocations(parts)
    # One invocation part a chunk, before any text
    for chunk in chunks[:4]:
        (candidate,) = chunk.candidates or []
        assert candidate.content is not None and len(candidate.content.parts or []) == 1


def test_a_chat_sends_the_invocations_back_and_is_answered(gemini_fake_server: Fake) -> None:
    client: genai.Client = sdk_client(gemini_fake_server)
    chat = client.chats.create(model=GEMINI_3, config=CONFIG)
    first = chat.send_message(PROMPT)
    assert first.candidates and first.candidates[0].content is not None
    check_invocations(first.candidates[0].content.parts or [])
    second = chat.send_message("Und was heißt das genau?")
    assert second.text
    # What went over the wire: the model turn's invocation parts exactly as the fake gave them
    sent = gemini_fake_server.last_call().request["contents"]
    assert [turn.get("role") for turn in sent] == ["user", "model", "user"]
    given = gemini_fake_server.calls()[-2].entry.response_body
    assert given is not None
    answered = json.loads(given)["candidates"][0]["content"]["parts"]
    assert sent[1]["parts"][:4] == answered[:4]
    assert all("toolCall" in p or "toolResponse" in p for p in sent[1]["parts"][:4])
    echoed = chat.get_history()[1].parts or []
    # The second answer searched again: its own invocations, with ids of its own
    assert second.candidates and second.candidates[0].content is not None
    again = second.candidates[0].content.parts or []
    assert again[0].tool_call is not None
    assert again[0].tool_call.id not in {p.tool_call.id for p in echoed if p.tool_call}


WEATHER_PROMPT = "What is the weather like in Utqiagvik today?"
ran: list[str] = []


def get_weather(city: str) -> dict[str, str]:
    """Gets the weather for a requested city."""
    ran.append(city)
    return {"forecast": f"snow in {city}, -12 °C"}


def test_automatic_function_calling_beside_the_search_runs_the_function_and_answers(
    gemini_fake_server: Fake,
) -> None:
    """The tool-combination guide's flow: on Gemini 3 the search runs on the server, the model
    calls the app's function (with an id), the SDK runs it and sends its response back, and the
    answer reports it."""
    client: genai.Client = sdk_client(gemini_fake_server)
    ran.clear()
    response = client.models.generate_content(
        model=GEMINI_3,
        contents=WEATHER_PROMPT,
        config=types.GenerateContentConfig(
            tools=[types.Tool(google_search=types.GoogleSearch()), get_weather],
            tool_config=types.ToolConfig(include_server_side_tool_invocations=True),
        ),
    )
    assert ran == ["Utqiagvik"]
    assert "snow in Utqiagvik, -12 °C" in (response.text or "")
    first, second = (call.request for call in gemini_fake_server.calls()[-2:])
    answered = gemini_fake_server.calls()[-2].entry.response_body
    assert answered is not None
    parts = json.loads(answered)["candidates"][0]["content"]["parts"]
    assert [next(k for k in p if k != "thoughtSignature") for p in parts] == [
        "toolCall",
        "toolResponse",
        "functionCall",
    ]
    call_id = parts[2]["functionCall"]["id"]
    # The SDK sent the model's turn back as given, then the function's response (3.3.0's automatic
    # function calling leaves out the call's id; the fake takes it with or without)
    assert second["contents"][1]["parts"] == parts
    (reply,) = second["contents"][2]["parts"]
    assert reply["functionResponse"].get("id") in (None, call_id)
    assert reply["functionResponse"]["name"] == "get_weather"
    assert "functionDeclarations" in json.dumps(first["tools"])


@pytest.mark.parametrize(
    ("model", "invocations", "message"),
    [
        ("gemini-2.5-flash", True, "Tool use with function calling is unsupported by the model."),
        (
            GEMINI_3,
            False,
            "Please enable tool_config.include_server_side_tool_invocations to use Built-in "
            "tools with Function calling.",
        ),
    ],
)
def test_the_sdk_raises_the_services_refusal_of_tools_beside_functions(
    gemini_fake_server: Fake, model: str, invocations: bool, message: str
) -> None:
    client: genai.Client = sdk_client(gemini_fake_server)
    ran.clear()
    config = types.GenerateContentConfig(
        tools=[types.Tool(google_search=types.GoogleSearch()), get_weather],
        tool_config=types.ToolConfig(include_server_side_tool_invocations=invocations),
    )
    with pytest.raises(genai.errors.ClientError) as raised:
        client.models.generate_content(model=model, contents=WEATHER_PROMPT, config=config)
    assert raised.value.code == 400
    assert raised.value.status == "INVALID_ARGUMENT"
    assert raised.value.message == message
    assert ran == []
