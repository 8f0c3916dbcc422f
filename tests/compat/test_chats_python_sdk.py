"""Chats: the official Python SDK (google-genai 3.3.0) and ``gemini_ref`` side by side.

Both clients hold the same conversation against the same fake, turn by turn, configured the way
the guide configures them: only the environment (``GOOGLE_GEMINI_BASE_URL``, ``GEMINI_API_KEY``,
and ``GOOGLE_GENAI_API_VERSION=v1beta`` so that the SDK uses ``/v1beta`` as we do).

* The guide's chat examples, and a tool chat on Gemini 3 whose thought signature both clients
  echo: for every turn the two requests the fake journalled are the same once what the service
  treats as "not set" is folded away (the SDK sends ``"generationConfig": {}`` in every chat
  request, and a role on the system instruction); both bodies of every turn are pinned as JSON
  snapshots.
* A stream left midway (``break``, or an error event) leaves both histories as they were.
* A property test over generated conversations (each turn unary or streamed, answered by a
  recorded body: a valid text, empty parts, an empty part, a content without a role, a SAFETY
  block with no content or an empty one, a recorded stream without ``finishReason`` or ending in
  a chunk without parts): both histories, comprehensive and curated, are the SDK's, as JSON.
* ``curate`` (how an initial history is curated) against the SDK's own function, and the one
  place where we differ on purpose: a part of a kind the SDK does not know.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google import genai
from google.genai import chats as sdk_chats
from google.genai import errors as sdk_errors
from google.genai import types as sdk_types
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import gemini_ref
from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.fixtures.key import Call, request_key
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from gemini_ref import errors as ref_errors
from gemini_ref import types as ref_types
from gemini_ref._chats import curate
from gemini_ref._wire import decode_base64, from_wire, to_wire

pytestmark = pytest.mark.sdk

MODEL = "gemini-2.5-flash"
OVERRIDING_ENV = ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI")
DOGS = "I have 2 dogs in my house."
PAWS = "How many paws are in my house?"
GREETING = "Great to meet you. What would you like to know?"
WEATHER_TOOL = {
    "function_declarations": [
        {
            "name": "get_weather",
            "description": "Returns the current weather for a location.",
            "parameters_json_schema": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        }
    ]
}


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch, gemini_fake_server: Fake) -> dict[str, str]:
    """The guide's environment, pointed at the session's fake port, on /v1beta."""
    for name in OVERRIDING_ENV:
        monkeypatch.delenv(name, raising=False)
    env = {**gemini_fake_server.env, "GOOGLE_GENAI_API_VERSION": "v1beta"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def clients(sdk_env: dict[str, str]) -> Iterator[tuple[genai.Client, gemini_ref.Client]]:
    """Both clients, each configured by the environment only (kept in variables:
    docs/evidence.md#sdk-client-lifetime)."""
    sdk = genai.Client()
    ours = gemini_ref.Client()
    yield sdk, ours
    sdk.close()
    ours.close()


@pytest.fixture
def serve_fake(_gemini_fake_listener: ThreadedServer) -> Callable[..., Fake]:
    """``serve_fake(**fields)``: a fresh fake from ``FakeConfig(**fields)``, served on the port
    ``gemini_fake_server`` uses (so the environment set for it stays right)."""

    def serve(**fields: Any) -> Fake:
        app = create_app(FakeConfig(**fields))
        _gemini_fake_listener.app = app
        return Fake(app, _gemini_fake_listener.base_url, in_process=False)

    return serve


def folded(entry: Entry) -> dict[str, Any]:
    """A journalled request without what the service reads as unset: an empty
    ``generationConfig`` and the system instruction's role (what ``request_key`` folds too)."""
    assert entry.request is not None
    request = {k: v for k, v in entry.request.items() if v != {}}
    if isinstance(request.get("systemInstruction"), dict):
        request["systemInstruction"] = {
            k: v for k, v in request["systemInstruction"].items() if k != "role"
        }
    return request


def key(entry: Entry) -> str:
    assert entry.model is not None and entry.request is not None
    return request_key(Call(entry.rpc, entry.model, entry.request))


def sdk_history(chat: Any, curated: bool = False) -> list[dict[str, Any]]:
    """The SDK's history as JSON, signatures decoded (it writes them in URL-safe base64)."""
    history: list[dict[str, Any]] = signed(
        [
            content.model_dump(mode="json", by_alias=True, exclude_none=True)
            for content in chat.get_history(curated=curated)
        ]
    )
    return history


def ref_history(chat: gemini_ref.chats.Chat, curated: bool = False) -> list[dict[str, Any]]:
    """Ours, the same way (we write signatures in standard base64)."""
    history: list[dict[str, Any]] = signed(to_wire(chat.get_history(curated=curated)))
    return history


def signed(value: Any) -> Any:
    """``value`` with each ``thoughtSignature`` decoded, whichever base64 alphabet it is in."""
    if isinstance(value, list):
        return [signed(item) for item in value]
    if isinstance(value, dict):
        return {
            k: decode_base64(v) if k == "thoughtSignature" else signed(v) for k, v in value.items()
        }
    return value


def send(chat: Any, message: Any, *, streamed: bool, config: Any = None) -> str:
    """One turn; the answer's text (chunks joined)."""
    if streamed:
        return "".join(chunk.text or "" for chunk in chat.send_message_stream(message, config))
    return chat.send_message(message, config).text or ""


# --- the guide's chat examples and a tool chat, both clients ---------------------------------


@dataclass(frozen=True)
class Conversation:
    """A chat and its messages, written once for either client's ``types`` module."""

    messages: Callable[[Any], list[Any]]
    streamed: bool = False
    history: tuple[dict[str, Any], ...] = ()
    config: dict[str, Any] | None = None
    model: str = MODEL
    answered_by: str = "fixture:guide-chat-"  # the start of each turn's answerer


CONVERSATIONS = {
    "guide": Conversation(lambda types: [DOGS, PAWS]),
    "guide_stream": Conversation(lambda types: [DOGS, PAWS], streamed=True),
    # The guide's JavaScript example (a starting history), with a chat config.
    "history_and_config": Conversation(
        lambda types: [DOGS, PAWS],
        history=(
            {"role": "user", "parts": [{"text": "Hello"}]},
            {"role": "model", "parts": [{"text": GREETING}]},
        ),
        config={"system_instruction": "Answer briefly.", "temperature": 0.1},
    ),
    # Messages as a Part and as a list of parts (one turn, its texts joined to PAWS).
    "parts": Conversation(
        lambda types: [
            types.Part(text=DOGS),
            ["How many paws ", types.Part(text="are in my house?")],
        ]
    ),
    # Tools on Gemini 3: the fake calls get_weather, with a thought signature that both clients
    # must echo (the SDK in URL-safe base64, we in standard: the same bytes).
    **{
        name: Conversation(
            lambda types: [
                "What's the weather like in Boston?",
                types.Part.from_function_response(name="get_weather", response={"result": "sunny"}),
            ],
            streamed=streamed,
            config={"tools": [WEATHER_TOOL]},
            model="gemini-3-flash-preview",
            answered_by="synthetic",
        )
        for name, streamed in [("tools_gemini_3", False), ("tools_gemini_3_stream", True)]
    },
    # Plain text on Gemini 3, streamed: the signature comes in a last chunk of its own
    # ({"text": "", "thoughtSignature": ...}), which both clients keep in the history.
    "text_gemini_3_stream": Conversation(
        lambda types: ["Hello", "How many paws are in my house?"],
        streamed=True,
        model="gemini-3-flash-preview",
    ),
}


@pytest.mark.parametrize("conversation", CONVERSATIONS.values(), ids=CONVERSATIONS.keys())
def test_both_clients_send_the_same_turns_of_each_chat(
    clients, gemini_fake_server: Fake, snapshot, conversation: Conversation
):
    sdk, ours = clients
    sdk_chat = sdk.chats.create(
        model=conversation.model, config=conversation.config, history=list(conversation.history)
    )
    ref_chat = ours.chats.create(
        model=conversation.model, config=conversation.config, history=list(conversation.history)
    )
    turns: list[dict[str, Any]] = []

    for sdk_message, ref_message in zip(
        conversation.messages(sdk_types), conversation.messages(ref_types), strict=True
    ):
        sdk_text = send(sdk_chat, sdk_message, streamed=conversation.streamed)
        ref_text = send(ref_chat, ref_message, streamed=conversation.streamed)
        sdk_call, ref_call = gemini_fake_server.journal.calls()[-2:]

        assert ref_text == sdk_text
        assert sdk_call.answered_by == ref_call.answered_by
        assert sdk_call.answered_by.startswith(conversation.answered_by)
        assert (ref_call.path, ref_call.status) == (sdk_call.path, sdk_call.status)
        assert (ref_call.api_version, ref_call.status) == ("v1beta", 200)
        assert folded(ref_call) == folded(sdk_call)
        assert key(ref_call) == key(sdk_call)
        turns.append({"sdk": sdk_call.request, "gemini_ref": ref_call.request})

    assert turns == snapshot
    assert ref_history(ref_chat) == sdk_history(sdk_chat)
    assert ref_history(ref_chat, curated=True) == sdk_history(sdk_chat, curated=True)
    last = turns[-1]["gemini_ref"]["contents"]
    assert last[: len(conversation.history)] == list(conversation.history)
    assert len(last) > 2 + len(conversation.history)  # the first turn went with the second


# --- abandoned streams record nothing, in both ------------------------------------------------


def abandon(chat: Any, message: str) -> int:
    """Read one chunk of the answer, then leave the loop; the chunks read."""
    read = 0
    for _ in chat.send_message_stream(message):
        read += 1
        break
    return read


def fail(chat: Any, message: str) -> int:
    """Read the answer until the fake's error event; the chunks read before it."""
    read = 0
    with pytest.raises((sdk_errors.ServerError, ref_errors.ServiceUnavailableError)) as caught:
        for _ in chat.send_message_stream(message):
            read += 1
    error = caught.value
    assert isinstance(error, sdk_errors.ServerError | ref_errors.ServiceUnavailableError)
    assert error.code == 503
    return read


@pytest.mark.parametrize(
    "leave",
    [
        abandon,
        pytest.param(
            fail, marks=pytest.mark.gemini_fake(streaming={"endAfter": 1, "end": "error"})
        ),
    ],
    ids=["break", "error event"],
)
def test_a_stream_abandoned_midway_leaves_both_histories_as_they_were(
    clients, gemini_fake_server: Fake, leave: Callable[[Any, str], int]
):
    sdk, ours = clients
    sdk_chat = sdk.chats.create(model=MODEL)
    ref_chat = ours.chats.create(model=MODEL)

    for chat in (sdk_chat, ref_chat):
        chat.send_message("Hello")
        assert leave(chat, DOGS) == 1
        chat.send_message(PAWS)

    sdk_calls = gemini_fake_server.journal.calls()[:3]
    ref_calls = gemini_fake_server.journal.calls()[3:]
    assert [folded(call) for call in ref_calls] == [folded(call) for call in sdk_calls]
    assert ref_calls[2].request is not None
    assert ref_calls[2].request["contents"] == [
        {"parts": [{"text": "Hello"}], "role": "user"},
        *ref_history(ref_chat)[1:2],
        {"parts": [{"text": PAWS}], "role": "user"},
    ]
    assert ref_history(ref_chat) == sdk_history(sdk_chat)
    assert ref_history(ref_chat, curated=True) == sdk_history(sdk_chat, curated=True)
    assert len(ref_history(ref_chat)) == 4


# --- generated conversations: both histories are the SDK's -------------------------------------


def body(content: dict[str, Any] | None, finish: str | None = "STOP") -> dict[str, Any]:
    candidate: dict[str, Any] = {}
    if content is not None:
        candidate["content"] = content
    if finish is not None:
        candidate["finishReason"] = finish
    candidate["index"] = 0
    return {"candidates": [candidate], "modelVersion": MODEL}


TEXT = "Dogs have four paws each. So two dogs have eight paws in all, and that is that."
ANSWERS: dict[str, dict[str, Any]] = {
    "text": body({"parts": [{"text": TEXT}], "role": "model"}),
    "empty_parts": body({"parts": [], "role": "model"}),
    "empty_part": body({"parts": [{"text": "Half an answer."}, {}], "role": "model"}),
    "no_role": body({"parts": [{"text": "An answer without a role."}]}),
    "safety": {  # the captured example (docs/evidence.md#sdk-chat-history)
        "candidates": [{"finishReason": "SAFETY"}],
        "promptFeedback": {"blockReason": "SAFETY"},
    },
    # As recorded from the service (docs/evidence.md#service-blocked-answers)
    "safety_empty_content": body({}, "SAFETY"),
}
RECORDED_STREAMS: dict[str, list[dict[str, Any]]] = {
    # A stream that ends cleanly without a finishReason.
    "no_finish": [
        body({"parts": [{"text": "This stream "}], "role": "model"}, None),
        body({"parts": [{"text": "never finishes."}], "role": "model"}, None),
    ],
    # The last chunk a real 2.5 stream sometimes ends with: no parts
    # (docs/evidence.md#service-stream-chunks).
    "bare_end": [
        body({"parts": [{"text": "This stream ends "}], "role": "model"}, None),
        body({"parts": [{"text": "on a bare chunk."}], "role": "model"}, None),
        body({"role": "model"}),
    ],
}
KINDS = [*ANSWERS, *RECORDED_STREAMS]


@dataclass(frozen=True)
class Turn:
    kind: str
    streamed: bool
    config: dict[str, Any] | None


turn_strategy = st.builds(
    Turn,
    kind=st.sampled_from(KINDS),
    streamed=st.booleans(),
    config=st.sampled_from([None, {"temperature": 0.5}]),
)
INITIAL_HISTORIES = [
    (),
    (
        {"role": "user", "parts": [{"text": "Hello"}]},
        {"role": "model", "parts": [{"text": GREETING}]},
    ),
    ({"role": "user", "parts": [{"text": "Hello"}]}, {"role": "model", "parts": []}),
]


def write_fixtures(directory: Path, conversation: list[Turn]) -> list[str]:
    """One fixture per turn, matched by the turn's own prompt; returns the prompts."""
    prompts = []
    for index, turn in enumerate(conversation):
        prompt = f"Turn {index}: answer with {turn.kind}."
        fixture: dict[str, Any] = {"match": {"lastUserText": prompt}}
        if turn.kind in RECORDED_STREAMS:
            chunks = RECORDED_STREAMS[turn.kind]
            events = "".join(f"data: {json.dumps(chunk)}\r\n\r\n" for chunk in chunks)
            (directory / f"turn-{index}.sse").write_text(events, "utf-8")
            fixture["sse"] = f"turn-{index}.sse"
        else:
            fixture["response"] = ANSWERS[turn.kind]
        (directory / f"turn-{index}.json").write_text(json.dumps(fixture), "utf-8")
        prompts.append(prompt)
    return prompts


@settings(
    max_examples=50,
    deadline=None,
    # serve_fake is a factory: each example gets its own fake from it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    conversation=st.lists(turn_strategy, min_size=1, max_size=4),
    initial=st.sampled_from(INITIAL_HISTORIES),
)
def test_both_histories_are_the_sdks_for_any_conversation(
    sdk_env, serve_fake: Callable[..., Fake], conversation: list[Turn], initial: tuple[Any, ...]
):
    with tempfile.TemporaryDirectory() as directory:
        prompts = write_fixtures(Path(directory), conversation)
        fake = serve_fake(fixture_dirs=(Path(directory),), default_fixtures=False, strict=True)
        with closing(genai.Client()) as sdk, gemini_ref.Client() as ours:
            sdk_chat = sdk.chats.create(model=MODEL, history=list(initial))
            ref_chat = ours.chats.create(model=MODEL, history=list(initial))

            for prompt, turn in zip(prompts, conversation, strict=True):
                event(f"{turn.kind}, {'streamed' if turn.streamed else 'unary'}")
                sdk_text = send(sdk_chat, prompt, streamed=turn.streamed, config=turn.config)
                ref_text = send(ref_chat, prompt, streamed=turn.streamed, config=turn.config)
                sdk_call, ref_call = fake.journal.calls()[-2:]
                assert ref_text == sdk_text
                assert (ref_call.status, sdk_call.status) == (200, 200)
                assert folded(ref_call) == folded(sdk_call)

            assert ref_history(ref_chat) == sdk_history(sdk_chat)
            assert ref_history(ref_chat, curated=True) == sdk_history(sdk_chat, curated=True)


# --- curating a given history: the same function -----------------------------------------------

parts = st.sampled_from([{"text": "a"}, {"text": ""}, {}, {"thought": False}])
contents = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "model", "model"])},
    optional={"parts": st.lists(parts, max_size=2)},
)


@given(history=st.lists(contents, max_size=8))
def test_curate_is_the_sdks_extract_curated_history(history: list[dict[str, Any]]) -> None:
    ours = to_wire(curate([from_wire(ref_types.Content, content) for content in history]))
    theirs = sdk_chats._extract_curated_history(
        [sdk_types.Content.model_validate(content) for content in history]
    )

    assert ours == [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in theirs]


def test_both_refuse_an_initial_history_turn_without_a_role(clients) -> None:
    sdk, ours = clients
    history = [{"parts": [{"text": "Hi"}]}]

    with pytest.raises(ValueError):
        sdk.chats.create(model=MODEL, history=history)
    with pytest.raises(ValueError):
        ours.chats.create(model=MODEL, history=history)


# --- where we differ on purpose -------------------------------------------------------------------


def test_a_part_kind_unknown_to_the_sdk_is_where_the_histories_differ(
    clients, serve_fake: Callable[..., Fake], tmp_path: Path
):
    """The one deliberate difference (gemini_ref/_chats.py): the SDK drops keys it does not
    know, so such a part is empty to it and the turn invalid; we keep the part and send it back."""
    part = {"brandNewPart": {"x": 1}}
    fixture = {
        "match": {"lastUserText": "new"},
        "response": body({"parts": [part], "role": "model"}),
    }
    (tmp_path / "new.json").write_text(json.dumps(fixture), "utf-8")
    serve_fake(fixture_dirs=(tmp_path,))
    sdk, ours = clients
    sdk_chat = sdk.chats.create(model=MODEL)
    ref_chat = ours.chats.create(model=MODEL)

    sdk_chat.send_message("new")
    ref_chat.send_message("new")

    asked = {"parts": [{"text": "new"}], "role": "user"}
    assert sdk_history(sdk_chat) == [asked, {"parts": [{}], "role": "model"}]
    assert sdk_history(sdk_chat, curated=True) == []
    assert ref_history(ref_chat) == ref_history(ref_chat, curated=True)
    assert ref_history(ref_chat) == [asked, {"parts": [part], "role": "model"}]
