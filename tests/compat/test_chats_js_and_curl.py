"""The guide's chats ("Multi-turn conversations (Chat)") through the JS SDK and through curl.

* JS (@google/genai 2.32.0): one ``node tests/js/chats.mjs chat chat_stream chat_history`` run
  against ``gemini_fake_server`` (environment as in tests/js/README.md). The answers must be the
  shipped ``guide-chat-*`` fixtures' answers; every request must carry the whole conversation
  so far (the initial history, then the previous turns); in the streamed chat the SDK records
  one ``model`` content per chunk (docs/evidence.md#sdk-chat-history), so the second request holds
  consecutive ``model`` contents, which the fake must accept as the service does; ``getHistory()``
  and ``getHistory(true)`` are what was sent plus the last answer.
* curl: the guide's two REST chat commands (the plain one and the ``?alt=sse`` one), verbatim
  but for the host and the output options appended, run through ``bash``. The guide is not part
  of this repository, so they are copied here; ``test_the_copied_chat_commands_are_still_the_
  guides`` checks the copies against the guide when it is around (``GEMINI_API_GUIDE``, default
  ``/work/shared/guide/gemini-api-guide.txt``).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import fake_server
from conformance._guide import guide_code, read_guide
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from tests.kit.node import JS_API, NodeRun
from tests.kit.wire import sse_events

MODEL = "gemini-2.5-flash"
SHIPPED_FIXTURES = Path(fake_server.__file__).parent / "fixtures" / "data"
REAL_HOST = "https://generativelanguage.googleapis.com"
CHAT_SECTION = "## Multi-turn conversations (Chat)\n"

DOGS = "I have 2 dogs in my house."
PAWS = "How many paws are in my house?"
# The JS examples' initial history, as the guide writes it (and as the SDK sends it).
INITIAL_HISTORY = [
    {"role": "user", "parts": [{"text": "Hello"}]},
    {"role": "model", "parts": [{"text": "Great to meet you. What would you like to know?"}]},
]

needs_curl = pytest.mark.needs("curl")

# "Multi-turn conversations (Chat)", the first ### REST (generateContent).
CHAT = """\
curl https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -X POST \\
  -d '{
    "contents": [
      {
        "role": "user",
        "parts": [
          {
            "text": "Hello"
          }
        ]
      },
      {
        "role": "model",
        "parts": [
          {
            "text": "Great to meet you. What would you like to know?"
          }
        ]
      },
      {
        "role": "user",
        "parts": [
          {
            "text": "I have two dogs in my house. How many paws are in my house?"
          }
        ]
      }
    ]
  }'
"""

# "Multi-turn conversations (Chat)", the second ### REST ("Streaming can also be used for
# multi-turn conversations."): the URL unquoted, with ?alt=sse.
CHAT_STREAM = """\
curl https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -X POST \\
  -d '{
    "contents": [
      {
        "role": "user",
        "parts": [
          {
            "text": "Hello"
          }
        ]
      },
      {
        "role": "model",
        "parts": [
          {
            "text": "Great to meet you. What would you like to know?"
          }
        ]
      },
      {
        "role": "user",
        "parts": [
          {
            "text": "I have two dogs in my house. How many paws are in my house?"
          }
        ]
      }
    ]
  }'
"""  # noqa: E501

# What both curl commands send: the whole conversation, each turn with its role.
REST_CONVERSATION = [
    *INITIAL_HISTORY,
    {
        "role": "user",
        "parts": [{"text": "I have two dogs in my house. How many paws are in my house?"}],
    },
]


def fixture_text(name: str) -> str:
    """The answer a shipped fixture gives (read from the file, never copied)."""
    data = json.loads((SHIPPED_FIXTURES / f"{name}.json").read_text("utf-8"))
    text: str = data["answer"]["text"]
    return text


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def model_content(response: dict[str, Any]) -> dict[str, Any]:
    """``candidates[0].content`` of a response or chunk, as the SDK records it in the history."""
    content: dict[str, Any] = response["candidates"][0]["content"]
    return content


def sent_contents(call: Entry) -> list[dict[str, Any]]:
    """A chat request's contents; nothing else may be set (the JS SDK sends an empty
    ``generationConfig``, which the service reads as unset)."""
    assert call.request is not None
    assert set(call.request) <= {"contents", "generationConfig"}, call.request
    assert call.request.get("generationConfig", {}) == {}, call.request
    contents: list[dict[str, Any]] = call.request["contents"]
    return contents


def check_call(call: Entry, rpc: str, fixture: str, version: str = "v1beta") -> None:
    """The journal entry of a chat turn; ``version``: the API version the client called (curl
    the guide's, the JS SDK its default)."""
    assert (call.method, call.path, call.api_version, call.model, call.status) == (
        "POST",
        f"/{version}/models/{MODEL}:{rpc}",
        version,
        MODEL,
        200,
    ), call
    assert call.answered_by == f"fixture:{fixture}"
    if rpc == "streamGenerateContent":
        assert call.query == "alt=sse"


def check_answer(response: dict[str, Any], *, last_chunk: bool = True) -> None:
    """One candidate, a ``model`` content; ``finishReason`` STOP on a whole answer (or a
    stream's last chunk) only."""
    assert response["modelVersion"] == MODEL
    (candidate,) = response["candidates"]
    assert candidate["content"]["role"] == "model"
    assert candidate["index"] == 0
    assert candidate.get("finishReason") == ("STOP" if last_chunk else None), candidate


# --- the JS SDK ------------------------------------------------------------------------------


@pytest.mark.sdk
@pytest.mark.node
def test_the_guides_js_chats_send_the_whole_history_and_get_the_fixture_answers(
    gemini_fake_server: Fake, node_guide: Callable[..., NodeRun]
) -> None:
    examples = ("chat", "chat_stream", "chat_history")
    lines = node_guide(gemini_fake_server, *examples, script="chats.mjs").lines()
    for line in lines.values():
        assert line["ok"], line
    calls = gemini_fake_server.journal.entries
    assert [call.rpc for call in calls] == [
        *["generateContent"] * 2,  # chat
        *["streamGenerateContent"] * 2,  # chat_stream
        *["generateContent"] * 2,  # chat_history
    ]
    dogs_answer = fixture_text("guide-chat-two-dogs")
    paws_answer = fixture_text("guide-chat-how-many-paws")

    # chat: sendMessage twice; each request is the whole conversation so far.
    chat = lines["chat"]
    assert chat["texts"] == [dogs_answer, paws_answer]
    first, second = chat["responses"]
    check_answer(first)
    check_answer(second)
    check_call(calls[0], "generateContent", "guide-chat-two-dogs", JS_API)
    check_call(calls[1], "generateContent", "guide-chat-how-many-paws", JS_API)
    assert sent_contents(calls[0]) == [*INITIAL_HISTORY, user(DOGS)]
    assert model_content(first) == {"role": "model", "parts": [{"text": dogs_answer}]}
    assert sent_contents(calls[1]) == [
        *INITIAL_HISTORY,
        user(DOGS),
        model_content(first),
        user(PAWS),
    ]

    # chat_stream: sendMessageStream twice; the chunks join to the same answers.
    stream = lines["chat_stream"]
    assert stream["texts"] == [dogs_answer, paws_answer]
    for chunks, raw in zip(stream["chunks"], stream["raw"], strict=True):
        assert len(chunks) == len(raw) >= 2, "a stream of one chunk would test nothing here"
        assert chunks == [model_content(c)["parts"][0]["text"] for c in raw]
        for position, chunk in enumerate(raw):
            check_answer(chunk, last_chunk=position == len(raw) - 1)
        assert len({chunk["responseId"] for chunk in raw}) == 1
    check_call(calls[2], "streamGenerateContent", "guide-chat-two-dogs", JS_API)
    check_call(calls[3], "streamGenerateContent", "guide-chat-how-many-paws", JS_API)
    assert sent_contents(calls[2]) == [*INITIAL_HISTORY, user(DOGS)]
    # One model content per chunk of the first answer: consecutive model turns, accepted.
    first_chunks = [model_content(chunk) for chunk in stream["raw"][0]]
    assert sent_contents(calls[3]) == [*INITIAL_HISTORY, user(DOGS), *first_chunks, user(PAWS)]
    assert [c["role"] for c in sent_contents(calls[3])[3:-1]] == ["model"] * len(first_chunks)
    second_chunks = [model_content(chunk) for chunk in stream["raw"][1]]
    assert stream["history"]["comprehensive"] == [*sent_contents(calls[3]), *second_chunks]
    assert stream["history"]["curated"] == stream["history"]["comprehensive"]

    # chat_history: the same chat as `chat`, then getHistory() and getHistory(true).
    history = lines["chat_history"]
    assert history["texts"] == [dogs_answer, paws_answer]
    check_call(calls[4], "generateContent", "guide-chat-two-dogs", JS_API)
    check_call(calls[5], "generateContent", "guide-chat-how-many-paws", JS_API)
    assert [sent_contents(call) for call in calls[4:]] == [
        sent_contents(call) for call in calls[:2]
    ]
    paws_content = {"role": "model", "parts": [{"text": paws_answer}]}
    assert history["history"]["comprehensive"] == [*sent_contents(calls[5]), paws_content]
    assert history["history"]["curated"] == history["history"]["comprehensive"]


# --- curl ------------------------------------------------------------------------------------


def test_the_copied_chat_commands_are_still_the_guides() -> None:
    # The curl blocks under "### REST" in the guide's chat section.
    section = read_guide().split(CHAT_SECTION, 1)[1].split("\n## ", 1)[0]
    assert guide_code(section, "REST") == [CHAT, CHAT_STREAM]


def run_curl(command: str, fake: Fake, tmp_path: Path) -> tuple[int, str, bytes]:
    """Run a guide command in bash (in an empty directory: the streaming URL is an unquoted
    glob), pointed at ``fake``; the status, content type and body it got."""
    assert command.count(REAL_HOST) == 1
    command = command.replace(REAL_HOST, fake.base_url).rstrip("\n")
    out = tmp_path / "body"
    command += f" -sS -o '{out}' -w '%{{http_code}} %{{content_type}}'"
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["GEMINI_API_KEY"] = "test-key"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    status, _, content_type = done.stdout.partition(" ")
    return int(status), content_type, out.read_bytes()


@needs_curl
def test_the_guides_rest_chat_gets_the_fixture_answer_for_the_whole_conversation(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    status, content_type, body = run_curl(CHAT, gemini_fake_server, tmp_path)

    assert (status, content_type) == (200, "application/json; charset=UTF-8")
    data = json.loads(body)
    # As the guide's Apps Script reads it.
    assert data["candidates"][0]["content"]["parts"][0]["text"] == fixture_text(
        "guide-chat-two-dogs-how-many-paws"
    )
    check_answer(data)
    (call,) = gemini_fake_server.journal.calls()
    check_call(call, "generateContent", "guide-chat-two-dogs-how-many-paws")
    assert call.request == {"contents": REST_CONVERSATION}


@needs_curl
def test_the_guides_streaming_rest_chat_prints_sse_events_for_the_whole_conversation(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    status, content_type, body = run_curl(CHAT_STREAM, gemini_fake_server, tmp_path)

    assert (status, content_type) == (200, "text/event-stream")
    events = sse_events(body)
    assert len(events) >= 2
    for position, event in enumerate(events):
        check_answer(event, last_chunk=position == len(events) - 1)
    assert len({event["responseId"] for event in events}) == 1
    text = "".join(model_content(event)["parts"][0]["text"] for event in events)
    assert text == fixture_text("guide-chat-two-dogs-how-many-paws")
    (call,) = gemini_fake_server.journal.calls()
    check_call(call, "streamGenerateContent", "guide-chat-two-dogs-how-many-paws")
    assert call.request == {"contents": REST_CONVERSATION}
