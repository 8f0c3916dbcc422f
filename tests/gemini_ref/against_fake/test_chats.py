"""The guide's chat examples through our client against the fake: in process and on a socket.

As in ``test_generate.py``, each test runs twice: through ``fake.client()`` in process and
over a real loopback port. The answers come from the fake's shipped ``guide-chat-*`` fixtures
(read from the files here, never copied), and the journal shows what each turn sent: the whole
history before the new message. The tool tests use the fake's synthetic function calls on
``gemini-3-flash-preview``, whose turn rules need the model's thought signature echoed back.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import fake_server
import gemini_ref as genai
from gemini_ref import errors, types
from gemini_ref._wire import to_wire

MODEL = "gemini-2.5-flash"
GEMINI_3 = "gemini-3-flash-preview"
FIXTURES = Path(fake_server.__file__).parent / "fixtures" / "data"
DOGS = "I have 2 dogs in my house."
PAWS = "How many paws are in my house?"
WEATHER = types.Tool(
    function_declarations=[
        types.FunctionDeclaration(
            name="get_weather",
            description="Returns the current weather for a location.",
            parameters_json_schema={
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        )
    ]
)
SUNNY = types.Part.from_function_response(name="get_weather", response={"result": "sunny"})


def fixture_text(name: str) -> str:
    text: str = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))["answer"]["text"]
    return text


def user(text: str) -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": "user"}


def wire(contents: list[types.Content]) -> list[dict[str, Any]]:
    """Contents as the journal keeps requests: camelCase, standard base64."""
    out: list[dict[str, Any]] = to_wire(contents)
    return out


def test_guide_chat_example_gets_the_fixture_answers_and_sends_the_history(fake, client):
    chat = client.chats.create(model="gemini-2.5-flash")

    first = chat.send_message(DOGS)
    second = chat.send_message(PAWS)

    assert first.text == fixture_text("guide-chat-two-dogs")
    assert second.text == fixture_text("guide-chat-how-many-paws")
    calls = fake.journal.calls("generateContent")
    assert [call.answered_by for call in calls] == [
        "fixture:guide-chat-two-dogs",
        "fixture:guide-chat-how-many-paws",
    ]
    assert [call.request["contents"] for call in calls] == [
        [user(DOGS)],
        [user(DOGS), *wire([first.candidates[0].content]), user(PAWS)],
    ]
    history = chat.get_history()
    assert [(message.role, message.parts[0].text) for message in history] == [
        ("user", DOGS),
        ("model", first.text),
        ("user", PAWS),
        ("model", second.text),
    ]
    assert chat.get_history(curated=True) == history


def test_guide_streaming_chat_example_sends_one_model_turn_per_chunk(fake, client):
    chat = client.chats.create(model="gemini-2.5-flash")

    first = list(chat.send_message_stream(DOGS))
    second = list(chat.send_message_stream(PAWS))

    assert len(first) > 1
    assert "".join(chunk.text or "" for chunk in first) == fixture_text("guide-chat-two-dogs")
    assert "".join(chunk.text or "" for chunk in second) == fixture_text("guide-chat-how-many-paws")
    calls = fake.journal.calls("streamGenerateContent")
    assert [call.answered_by for call in calls] == [
        "fixture:guide-chat-two-dogs",
        "fixture:guide-chat-how-many-paws",
    ]
    chunk_turns = wire([chunk.candidates[0].content for chunk in first])
    assert all(turn["role"] == "model" for turn in chunk_turns)
    assert calls[1].request["contents"] == [user(DOGS), *chunk_turns, user(PAWS)]
    assert wire(chat.get_history(curated=True)) == [
        *calls[1].request["contents"],
        *wire([chunk.candidates[0].content for chunk in second]),
    ]


def test_guide_javascript_example_starts_from_the_given_history(fake, client):
    greeting = fixture_text("guide-chat-hello")
    chat = client.chats.create(
        model="gemini-2.5-flash",
        history=[
            {"role": "user", "parts": [{"text": "Hello"}]},
            {"role": "model", "parts": [{"text": greeting}]},
        ],
    )

    response = chat.send_message(DOGS)

    assert response.text == fixture_text("guide-chat-two-dogs")
    (call,) = fake.journal.calls("generateContent")
    assert call.request["contents"] == [
        user("Hello"),
        {"parts": [{"text": greeting}], "role": "model"},
        user(DOGS),
    ]


@pytest.mark.anyio
async def test_async_guide_chat_examples_against_the_fake(fake):
    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        chat = client.aio.chats.create(model="gemini-2.5-flash")
        first = await chat.send_message(DOGS)
        second = [chunk async for chunk in await chat.send_message_stream(PAWS)]
        client.close()

    assert first.text == fixture_text("guide-chat-two-dogs")
    assert "".join(chunk.text or "" for chunk in second) == fixture_text("guide-chat-how-many-paws")
    (streamed,) = fake.journal.calls("streamGenerateContent")
    assert streamed.answered_by == "fixture:guide-chat-how-many-paws"
    assert first.candidates is not None and first.candidates[0].content is not None
    assert streamed.request["contents"] == [
        user(DOGS),
        *wire([first.candidates[0].content]),
        user(PAWS),
    ]
    assert len(chat.get_history()) == 3 + len(second)


# --- tools and thought signatures on Gemini 3 --------------------------------------------------


def signature_of(content: types.Content) -> str:
    """The thought signature on a model turn's function call, as the journal writes it."""
    (call,) = [part for part in content.parts or () if part.function_call is not None]
    assert call.thought_signature
    return base64.b64encode(call.thought_signature).decode()


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "streamed"])
def test_a_tool_chat_on_gemini_3_echoes_the_thought_signature(fake, client, streamed):
    chat = client.chats.create(model=GEMINI_3, config=types.GenerateContentConfig(tools=[WEATHER]))

    def send(message: Any) -> list[types.GenerateContentResponse]:
        if streamed:
            return list(chat.send_message_stream(message))
        return [chat.send_message(message)]

    asked = send("What's the weather like in Boston?")
    calls = [call for response in asked for call in response.function_calls or ()]
    answered = send(SUNNY)

    assert [(call.name, call.args) for call in calls] == [("get_weather", {"location": "Boston"})]
    text = "".join(response.text or "" for response in answered)
    assert 'get_weather returned {"result": "sunny"}' in text
    entries = fake.journal.calls()
    assert [(entry.status, entry.answered_by) for entry in entries] == [(200, "synthetic")] * 2
    model_turns = chat.get_history()[1 : 1 + len(asked)]
    sent = entries[1].request["contents"]
    assert sent == [
        user("What's the weather like in Boston?"),
        *wire(model_turns),
        {"parts": [to_wire(SUNNY)], "role": "user"},
    ]
    signed = [turn for turn in model_turns if any(p.function_call for p in turn.parts or ())]
    (call_turn,) = signed
    sent_call = next(p for turn in sent for p in turn["parts"] if "functionCall" in p)
    assert sent_call["thoughtSignature"] == signature_of(call_turn)
    assert chat.get_history(curated=True) == chat.get_history()


def test_without_the_signature_the_fake_refuses_the_function_response(fake, client):
    """The control: the same conversation with the signature dropped breaks Gemini 3's rule."""
    config = types.GenerateContentConfig(tools=[WEATHER])
    chat = client.chats.create(model=GEMINI_3, config=config)
    chat.send_message("What's the weather like in Boston?")
    history = chat.get_history()
    for part in history[1].parts or ():
        part.thought_signature = None
    unsigned = client.chats.create(model=GEMINI_3, config=config, history=history)

    with pytest.raises(errors.BadRequestError, match="missing a thought_signature"):
        unsigned.send_message(SUNNY)

    assert len(unsigned.get_history()) == 2  # the refused message was not recorded
