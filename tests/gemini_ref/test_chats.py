"""``client.chats``: which turns each request carries, and what both histories hold.

The answers come from an ``httpx.MockTransport``; the rules are the official Python SDK's
(docs/evidence.md#sdk-chat-history; tests/compat/test_chats_python_sdk.py checks them against the
SDK itself). The two request bodies of the guide's chat example are pinned as JSON snapshots under
``__snapshots__/`` (regenerate with ``pytest tests/gemini_ref --snapshot-update`` and review the
diff).
"""

from __future__ import annotations

import json
from contextlib import aclosing, closing
from typing import Any

import httpx
import pytest

import gemini_ref as genai
from conformance._guide import run
from gemini_ref import errors, types
from gemini_ref._chats import curate
from gemini_ref._wire import to_wire

MODEL = "gemini-2.5-flash"
BASE = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
BLOCKED = {"candidates": [{"finishReason": "SAFETY"}], "promptFeedback": {"blockReason": "SAFETY"}}


def answer(text: str, *, role: str | None = "model", finish: str | None = "STOP") -> dict[str, Any]:
    content: dict[str, Any] = {"parts": [{"text": text}]}
    if role is not None:
        content["role"] = role
    return with_content(content, finish)


def with_content(content: dict[str, Any] | None, finish: str | None = "STOP") -> dict[str, Any]:
    candidate: dict[str, Any] = {} if content is None else {"content": content}
    if finish is not None:
        candidate["finishReason"] = finish
    return {"candidates": [candidate | {"index": 0}], "modelVersion": MODEL}


def stream(*chunks: dict[str, Any], tail: bytes = b"") -> httpx.Response:
    """A 200 event stream of ``chunks``, framed as the service frames them, then ``tail``."""
    body = b"".join(b"data: " + json.dumps(chunk).encode() + b"\r\n\r\n" for chunk in chunks)
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body + tail)


HELLO = [answer("Hello", finish=None), answer(" from", finish=None), answer(" the fake stream.")]
ERROR_EVENT = (
    b'data: {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}\r\n\r\n'
)


def user(text: str) -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": "user"}


def model(text: str) -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": "model"}


EMPTY_MODEL_TURN = {"parts": [], "role": "model"}


def bodies(recorder) -> list[dict[str, Any]]:
    return [json.loads(request.content) for request in recorder.requests]


def sent(recorder, index: int = -1) -> list[dict[str, Any]]:
    """The ``contents`` of a request (the last one by default)."""
    contents: list[dict[str, Any]] = bodies(recorder)[index]["contents"]
    return contents


def history(chat, *, curated: bool = False) -> list[dict[str, Any]]:
    wire: list[dict[str, Any]] = to_wire(chat.get_history(curated=curated))
    return wire


# --- the guide's example -----------------------------------------------------------------------


def test_guide_chat_example_sends_the_first_turn_with_the_second(client, recorder, snapshot):
    recorder.answers = [
        answer("That's wonderful! What are their names?"),
        answer("There are **8 paws** in your house."),
    ]
    ran = run("chat", genai, types, client)

    chat, (first, second) = ran.names["chat"], ran.printed[:2]
    assert first == ("That's wonderful! What are their names?",)
    assert second == ("There are **8 paws** in your house.",)
    assert [str(request.url) for request in recorder.requests] == [f"{BASE}:generateContent"] * 2
    assert bodies(recorder) == [
        {"contents": [user("I have 2 dogs in my house.")]},
        {
            "contents": [
                user("I have 2 dogs in my house."),
                model("That's wonderful! What are their names?"),
                user("How many paws are in my house?"),
            ]
        },
    ]
    assert bodies(recorder) == snapshot
    # What the guide prints: each message's role and first part.
    assert [(message.role, message.parts[0].text) for message in chat.get_history()] == [
        ("user", "I have 2 dogs in my house."),
        ("model", "That's wonderful! What are their names?"),
        ("user", "How many paws are in my house?"),
        ("model", "There are **8 paws** in your house."),
    ]
    assert ran.printed[2:] == [
        ("role - user",),
        ("I have 2 dogs in my house.",),
        ("role - model",),
        ("That's wonderful! What are their names?",),
        ("role - user",),
        ("How many paws are in my house?",),
        ("role - model",),
        ("There are **8 paws** in your house.",),
    ]
    assert chat.get_history(curated=True) == chat.get_history()


def test_guide_streaming_chat_example_sends_each_chunk_as_a_model_turn(client, recorder, snapshot):
    recorder.answers = [stream(*HELLO), stream(answer("8 paws."))]
    chat = client.chats.create(model="gemini-2.5-flash")

    first = [chunk.text for chunk in chat.send_message_stream("I have 2 dogs in my house.")]
    second = [chunk.text for chunk in chat.send_message_stream("How many paws are in my house?")]

    assert (first, second) == (["Hello", " from", " the fake stream."], ["8 paws."])
    assert str(recorder.requests[1].url) == f"{BASE}:streamGenerateContent?alt=sse"
    assert sent(recorder) == [
        user("I have 2 dogs in my house."),
        model("Hello"),
        model(" from"),
        model(" the fake stream."),
        user("How many paws are in my house?"),
    ]
    assert bodies(recorder) == snapshot
    assert history(chat) == history(chat, curated=True) == [*sent(recorder), model("8 paws.")]


# --- which turns count -------------------------------------------------------------------------


def test_a_safety_blocked_answer_drops_out_with_its_question(client, recorder):
    """The captured example (``py:chat_curated``, docs/evidence.md#sdk-chat-history)."""
    recorder.answers = [answer("first answer"), BLOCKED, answer("third answer")]
    chat = client.chats.create(model=MODEL)

    chat.send_message("first")
    blocked = chat.send_message("second (will be blocked)")
    chat.send_message("third")

    assert blocked.text is None
    assert blocked.prompt_feedback.block_reason == "SAFETY"
    assert history(chat) == [
        user("first"),
        model("first answer"),
        user("second (will be blocked)"),
        EMPTY_MODEL_TURN,
        user("third"),
        model("third answer"),
    ]
    assert history(chat, curated=True) == [
        user("first"),
        model("first answer"),
        user("third"),
        model("third answer"),
    ]
    assert sent(recorder) == [user("first"), model("first answer"), user("third")]


def one_then_two(client, recorder, first: dict[str, Any]):
    """A chat that sent "one", got ``first``, then sent "two" and got "fine"."""
    recorder.answers = [first, answer("fine")]
    chat = client.chats.create(model=MODEL)
    chat.send_message("one")
    chat.send_message("two")
    return chat


INVALID_ANSWERS = {
    "no candidates": {"promptFeedback": {"blockReason": "OTHER"}},
    "a candidate without content": with_content(None, "SAFETY"),
    "a content without parts": with_content({"role": "model"}, "MAX_TOKENS"),
    "empty parts": with_content({"parts": [], "role": "model"}),
    "an empty part": with_content({"parts": [{"text": "a"}, {}], "role": "model"}),
}


@pytest.mark.parametrize("body", INVALID_ANSWERS.values(), ids=INVALID_ANSWERS.keys())
def test_an_invalid_answer_is_only_in_the_comprehensive_history(client, recorder, body):
    chat = one_then_two(client, recorder, body)

    candidates = body.get("candidates") or [{}]
    recorded = candidates[0].get("content", EMPTY_MODEL_TURN)  # kept as it came, if it came
    assert history(chat) == [user("one"), recorded, user("two"), model("fine")]
    assert history(chat, curated=True) == [user("two"), model("fine")]
    assert sent(recorder) == [user("two")]


VALID_ANSWERS = {
    "an empty text": with_content({"parts": [{"text": ""}], "role": "model"}),
    "no finish reason": answer("cut", finish=None),  # only streams need one
    "MAX_TOKENS": answer("cut", finish="MAX_TOKENS"),
    "a part with only a key we don't model": with_content(
        {"parts": [{"executableCode": {"code": "print(1)"}}], "role": "model"}
    ),
    # The SDK drops keys it does not know, making this part empty (see _chats): we keep it.
    "a part with only a key nobody models": with_content(
        {"parts": [{"brandNewPart": {"x": 1}}], "role": "model"}
    ),
}


@pytest.mark.parametrize("body", VALID_ANSWERS.values(), ids=VALID_ANSWERS.keys())
def test_an_answer_with_parts_none_empty_is_valid(client, recorder, body):
    chat = one_then_two(client, recorder, body)

    assert sent(recorder) == [user("one"), body["candidates"][0]["content"], user("two")]
    assert history(chat, curated=True) == history(chat)


def test_a_model_turn_without_a_role_is_kept_and_sent_back_without_one(client, recorder):
    """As the Python SDK (``py:norole``); the JS SDK would drop the turn."""
    chat = one_then_two(client, recorder, answer("no role here", role=None))

    assert chat.get_history()[1].role is None
    assert sent(recorder) == [user("one"), {"parts": [{"text": "no role here"}]}, user("two")]


def test_the_model_turn_is_echoed_with_its_thought_signature_and_unknown_keys(client, recorder):
    signed = {
        "parts": [
            {"text": "thinking...", "thought": True},
            {
                "functionCall": {"name": "get_weather", "args": {"location": "Boston"}},
                "thoughtSignature": "c2lnbmF0dXJlLz8+/w==",
                "brandNewField": {"kept": True},
            },
        ],
        "role": "model",
    }
    recorder.answers = [with_content(signed), answer("sunny")]
    chat = client.chats.create(model=MODEL)

    chat.send_message("What's the weather in Boston?")
    chat.send_message(
        types.Part.from_function_response(name="get_weather", response={"result": "sunny"})
    )

    assert chat.get_history()[1].parts[1].thought_signature == b"signature/?>\xff"
    assert sent(recorder) == [
        user("What's the weather in Boston?"),
        signed,
        {
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"result": "sunny"}}}
            ],
            "role": "user",
        },
    ]


# --- streamed turns ----------------------------------------------------------------------------


def test_a_stream_without_a_finish_reason_is_not_sent_again(client, recorder):
    recorder.answers = [stream(*HELLO[:2]), answer("fine")]
    chat = client.chats.create(model=MODEL)

    list(chat.send_message_stream("one"))
    chat.send_message("two")

    assert history(chat) == [
        user("one"),
        model("Hello"),
        model(" from"),
        user("two"),
        model("fine"),
    ]
    assert sent(recorder) == [user("two")]


STREAM_ENDS = {
    # The service's last chunk often has an empty text part: that is a valid part.
    "an empty text with the finish reason": (
        [*HELLO[:2], with_content({"parts": [{"text": ""}], "role": "model"})],
        True,
    ),
    "a content without parts with the finish reason": (
        [*HELLO[:2], with_content({"role": "model"})],
        False,
    ),
    "no candidate in the last chunk": ([*HELLO, {"usageMetadata": {"totalTokenCount": 9}}], False),
    "a blocked chunk": ([HELLO[0], BLOCKED], False),
    "a finish reason before the end": ([HELLO[2], *HELLO[:2]], True),
}


@pytest.mark.parametrize(("chunks", "valid"), STREAM_ENDS.values(), ids=STREAM_ENDS.keys())
def test_a_streamed_turn_is_valid_when_every_chunk_is_and_one_finishes(
    client, recorder, chunks, valid
):
    recorder.answers = [stream(*chunks), answer("fine")]
    chat = client.chats.create(model=MODEL)

    list(chat.send_message_stream("one"))
    chat.send_message("two")

    outputs = [c["candidates"][0].get("content") for c in chunks if c.get("candidates")]
    outputs = [content for content in outputs if content is not None]
    assert history(chat)[:-2] == [user("one"), *outputs]
    assert sent(recorder) == ([user("one"), *outputs] if valid else []) + [user("two")]


def test_a_stream_of_no_chunks_records_an_empty_model_turn(client, recorder):
    recorder.answers = [stream(), answer("fine")]
    chat = client.chats.create(model=MODEL)

    assert list(chat.send_message_stream("one")) == []
    chat.send_message("two")

    assert history(chat)[:2] == [user("one"), EMPTY_MODEL_TURN]
    assert sent(recorder) == [user("two")]


def test_the_stream_is_sent_after_the_history_as_it_is_when_first_read(client, recorder):
    """As in the SDK: the request is built when the first chunk is asked for."""
    recorder.answers = [answer("unary"), stream(answer("streamed"))]
    chat = client.chats.create(model=MODEL)

    chunks = chat.send_message_stream("streamed question")
    chat.send_message("unary question")
    assert len(recorder.requests) == 1
    list(chunks)

    assert sent(recorder) == [user("unary question"), model("unary"), user("streamed question")]


# --- abandoned streams and failed calls record nothing ----------------------------------------


def test_a_stream_left_early_records_nothing(client, recorder):
    recorder.answers = [answer("fine"), stream(*HELLO), stream(*HELLO), answer("fine again")]
    chat = client.chats.create(model=MODEL)
    chat.send_message("one")

    for _ in chat.send_message_stream("abandoned"):
        break
    with closing(chat.send_message_stream("closed")) as chunks:
        next(chunks)
    before = history(chat)
    chat.send_message("three")

    assert before == [user("one"), model("fine")]
    assert sent(recorder) == [user("one"), model("fine"), user("three")]


def test_a_stream_read_to_its_last_chunk_but_not_to_its_end_records_nothing(client, recorder):
    recorder.answers = [stream(*HELLO)]
    chat = client.chats.create(model=MODEL)

    chunks = chat.send_message_stream("one")
    assert [next(chunks).text for _ in HELLO] == ["Hello", " from", " the fake stream."]
    assert chat.get_history() == []
    with pytest.raises(StopIteration):
        next(chunks)  # the end of the stream: now it is recorded

    assert len(chat.get_history()) == 1 + len(HELLO)


FAILURES = {
    "an error event": (ERROR_EVENT, errors.ServiceUnavailableError),
    "a body cut mid-event": (b'data: {"candidates": [{"con', errors.StreamInterruptedError),
}


@pytest.mark.parametrize(("tail", "error"), FAILURES.values(), ids=FAILURES.keys())
def test_a_stream_that_fails_records_nothing(client, recorder, tail, error):
    recorder.answers = [stream(*HELLO[:2], tail=tail), answer("fine")]
    chat = client.chats.create(model=MODEL)
    received = []

    with pytest.raises(error):
        for chunk in chat.send_message_stream("failed"):
            received.append(chunk.text)
    chat.send_message("next")

    assert received == ["Hello", " from"]
    assert history(chat) == [user("next"), model("fine")]


def test_a_failed_call_records_nothing(client, recorder):
    overloaded = {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}
    recorder.answers = [
        httpx.Response(503, json=overloaded),
        httpx.Response(503, json=overloaded),
        answer("fine"),
    ]
    chat = client.chats.create(model=MODEL)

    with pytest.raises(errors.ServiceUnavailableError):
        chat.send_message("one")
    with pytest.raises(errors.ServiceUnavailableError):
        list(chat.send_message_stream("two"))
    chat.send_message("three")

    assert history(chat) == [user("three"), model("fine")]


# --- initial history, messages and config -----------------------------------------------------


def test_initial_history_is_sent_as_given(client, recorder):
    """The guide's JavaScript example, in Python."""
    recorder.answers = [answer("Two dogs!")]
    chat = client.chats.create(
        model=MODEL,
        history=[
            types.Content(role="user", parts=[types.Part(text="Hello")]),
            {
                "role": "model",
                "parts": [{"text": "Great to meet you. What would you like to know?"}],
            },
        ],
    )

    chat.send_message("I have 2 dogs in my house.")

    assert sent(recorder) == [
        user("Hello"),
        model("Great to meet you. What would you like to know?"),
        user("I have 2 dogs in my house."),
    ]


def test_initial_history_is_curated_once_by_runs_of_model_turns(client, recorder):
    given = [
        user("a"),
        model("valid"),
        EMPTY_MODEL_TURN,  # spoils the run it ends, so the run goes with "a"
        user("b"),
        user("c"),
        {"parts": [{}], "role": "model"},  # goes with "c" only
        user("d"),
        model("kept"),
        model("kept too"),
    ]
    recorder.answers = [answer("fine")]
    chat = client.chats.create(model=MODEL, history=given)
    chat.send_message("e")

    curated = [user("b"), user("d"), model("kept"), model("kept too")]
    assert history(chat) == [*given, user("e"), model("fine")]
    assert history(chat, curated=True) == [*curated, user("e"), model("fine")]
    assert sent(recorder) == [*curated, user("e")]


def test_curating_a_history_that_starts_with_an_invalid_model_turn_drops_only_that():
    history = [types.Content(role="model", parts=[]), types.Content(role="user", parts=[])]

    assert curate(history) == history[1:]


@pytest.mark.parametrize("role", [None, "system", "function"])
def test_initial_history_needs_user_and_model_roles(client, role):
    with pytest.raises(ValueError, match="roles are 'user' or 'model'"):
        client.chats.create(model=MODEL, history=[{"parts": [{"text": "Hi"}], "role": role}])


def test_a_message_is_a_part_or_a_list_of_parts_as_in_the_sdk(client, recorder):
    recorder.answers = [answer("ok")]
    chat = client.chats.create(model=MODEL)
    file = types.File(name="files/abc", uri="https://example.test/files/abc", mime_type="image/png")

    chat.send_message(["Describe", types.Part(text="this"), file])
    chat.send_message(types.Part(text="a part"))
    chat.send_message(types.Part.from_function_call(name="f", args={}))

    assert [body["contents"][-1] for body in bodies(recorder)] == [
        {
            "parts": [
                {"text": "Describe"},
                {"text": "this"},
                {
                    "fileData": {
                        "fileUri": "https://example.test/files/abc",
                        "mimeType": "image/png",
                    }
                },
            ],
            "role": "user",
        },
        user("a part"),
        {"parts": [{"functionCall": {"name": "f", "args": {}}}], "role": "model"},
    ]


@pytest.mark.parametrize(
    "message",
    [
        {"text": "a dict"},
        types.Content(role="user", parts=[types.Part(text="a content")]),
        [],
        [["nested"]],
        ("a", "tuple"),
        None,
    ],
    ids=["dict", "content", "empty list", "nested list", "tuple", "none"],
)
def test_other_messages_are_refused_before_anything_is_sent(client, recorder, message):
    chat = client.chats.create(model=MODEL)

    with pytest.raises(ValueError, match="chat message"):
        chat.send_message(message)
    with pytest.raises(ValueError, match="chat message"):
        chat.send_message_stream(message)

    assert recorder.requests == []
    assert chat.get_history() == []


def test_a_messages_config_replaces_the_chats_for_that_message(client, recorder):
    recorder.answers = [answer("ok")] * 3 + [stream(answer("ok")), answer("ok")]
    chat = client.chats.create(
        model=MODEL,
        config=types.GenerateContentConfig(system_instruction="Be brief.", temperature=0.1),
    )

    chat.send_message("chat config")
    chat.send_message("own config", config={"max_output_tokens": 50})
    chat.send_message("empty dict", config={})
    list(chat.send_message_stream("own config, streamed", config={"top_k": 3}))
    chat.send_message("empty config object", config=types.GenerateContentConfig())

    chat_config = {
        "systemInstruction": {"parts": [{"text": "Be brief."}], "role": "user"},
        "generationConfig": {"temperature": 0.1},
    }
    assert [{k: v for k, v in b.items() if k != "contents"} for b in bodies(recorder)] == [
        chat_config,
        {"generationConfig": {"maxOutputTokens": 50}},
        chat_config,
        {"generationConfig": {"topK": 3}},
        {},  # not falsy, so it replaces the chat's config, as in the SDK
    ]


def test_a_bad_config_or_model_is_refused_at_once(client, recorder):
    with pytest.raises(TypeError, match="no field 'temprature'"):
        client.chats.create(model=MODEL, config={"temprature": 0.1})
    with pytest.raises(ValueError, match="model is required"):
        client.chats.create(model="")
    chat = client.chats.create(model=MODEL)
    with pytest.raises(TypeError, match="no field 'temprature'"):
        chat.send_message_stream("Hi", config={"temprature": 0.1})

    assert recorder.requests == []


def test_get_history_returns_a_new_list_each_time(client, recorder):
    chat = client.chats.create(model=MODEL, history=[user("Hello"), model("Hi")])

    chat.get_history().clear()
    chat.get_history(curated=True).append(types.Content(role="user"))

    assert history(chat) == history(chat, curated=True) == [user("Hello"), model("Hi")]


# --- async -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_chat_keeps_the_same_histories(client, recorder):
    recorder.answers = [answer("first answer"), BLOCKED, stream(*HELLO), answer("last")]
    chat = client.aio.chats.create(model=MODEL, history=[user("Hello"), model("Hi")])

    await chat.send_message("first")
    await chat.send_message("blocked")
    streamed = [chunk.text async for chunk in await chat.send_message_stream("streamed")]
    await chat.send_message("last question")

    assert streamed == ["Hello", " from", " the fake stream."]
    assert history(chat, curated=True) == [
        user("Hello"),
        model("Hi"),
        user("first"),
        model("first answer"),
        user("streamed"),
        model("Hello"),
        model(" from"),
        model(" the fake stream."),
        user("last question"),
        model("last"),
    ]
    assert history(chat)[4:6] == [user("blocked"), EMPTY_MODEL_TURN]
    assert sent(recorder) == history(chat, curated=True)[:-1]


@pytest.mark.anyio
async def test_async_stream_left_early_or_failed_records_nothing(client, recorder):
    recorder.answers = [
        stream(*HELLO),
        stream(*HELLO),
        stream(*HELLO[:1], tail=ERROR_EVENT),
        stream(*HELLO[:2]),  # no finish reason
        answer("fine"),
    ]
    chat = client.aio.chats.create(model=MODEL)

    async for _ in await chat.send_message_stream("left"):
        break
    async with aclosing(await chat.send_message_stream("closed")) as chunks:
        await chunks.__anext__()
    with pytest.raises(errors.ServiceUnavailableError):
        async for _ in await chat.send_message_stream("failed"):
            pass
    async for _ in await chat.send_message_stream("unfinished"):
        pass
    await chat.send_message("last")

    assert history(chat) == [
        user("unfinished"),
        model("Hello"),
        model(" from"),
        user("last"),
        model("fine"),
    ]
    assert sent(recorder) == [user("last")]


@pytest.mark.anyio
async def test_async_messages_are_checked_when_the_stream_is_asked_for(client, recorder):
    chat = client.aio.chats.create(model=MODEL)

    with pytest.raises(ValueError, match="chat message"):
        await chat.send_message_stream({"text": "a dict"})
    with pytest.raises(ValueError, match="chat message"):
        await chat.send_message([])

    assert recorder.requests == []
