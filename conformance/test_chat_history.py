"""Chat history: ``vectors/chat_history.json``, made by the official SDK, passed by gemini_ref.

The vectors' expected values are **generated with the official Python SDK** (google-genai
3.3.0), the reference for these rules: ``curate`` cases through its
``chats._extract_curated_history``, conversations through its ``Chat`` over a mock transport
that gives the case's answers. After changing a case (or upgrading the SDK), rewrite the file
and review the diff::

    .venv/bin/python -m conformance.test_chat_history

The tests check that the file is what the SDK gives today, that gemini_ref gives the same
(``curate``, and every conversation through ``gemini_ref.Client`` on a mock transport), and,
against the target, that every conversation replayed through the fake (its answers served as
fixtures, over HTTP) sends the same turns. The guide's two chat examples run against any target
with both libraries; what each turn sends must be the curated history before it plus the new
message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import chats as sdk_chats
from google.genai import types as sdk_types

import gemini_ref
from conformance._capture import Recorder, read_as_service
from conformance._target import Target
from conformance._vectors import VECTORS, cases, header, load, render
from gemini_ref import types as ref_types
from gemini_ref._chats import curate
from gemini_ref._wire import from_wire, to_wire

FILE = "chat_history.json"
MODEL = "gemini-2.5-flash"


# --- the cases -------------------------------------------------------------------------------


def user(text: str) -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": "user"}


def model(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"parts": list(parts), "role": "model"}


def text(value: str) -> dict[str, Any]:
    return {"text": value}


def answer(content: dict[str, Any] | None, finish: str | None = "STOP") -> dict[str, Any]:
    """A GenerateContentResponse body with one candidate."""
    candidate: dict[str, Any] = {} if content is None else {"content": content}
    if finish:
        candidate["finishReason"] = finish
    candidate["index"] = 0
    return {"candidates": [candidate], "modelVersion": MODEL}


def curate_case(name: str, *history: dict[str, Any], note: str = "") -> dict[str, Any]:
    case: dict[str, Any] = {"name": name, "comprehensive": list(history)}
    return case | ({"note": note} if note else {})


A, B, C, D = user("a"), model(text("b")), user("c"), model(text("d"))
CURATE: list[dict[str, Any]] = [
    curate_case("empty"),
    curate_case("valid-turns", A, B, C, D),
    curate_case("an-invalid-turn-goes-with-its-question", A, B, C, model(), user("e"), D),
    curate_case("an-empty-part-is-invalid", A, model({}), C, D),
    curate_case("no-parts-at-all-is-invalid", A, {"role": "model"}),
    curate_case("an-empty-text-is-valid", A, model(text(""))),
    curate_case("a-run-of-model-turns-is-one-answer", A, B, B, C, D, model()),
    curate_case("a-run-with-one-invalid-turn-is-dropped-whole", A, B, model({}), B, C, D),
    curate_case(
        "consecutive-user-turns",
        A,
        user("b"),
        model(),
        C,
        note="only the user turn right before the invalid answer is dropped",
    ),
    curate_case(
        "starting-with-an-invalid-model-turn",
        model(),
        A,
        B,
        note="there is no question to drop with it",
    ),
    curate_case("a-user-turn-at-the-end", A, B, C),
    curate_case("a-role-other-than-user-or-model", A, {"parts": [text("b")], "role": "system"}),
    curate_case("a-turn-without-a-role", {"parts": [text("a")]}),
]

SIGNATURE = "c2lnbmF0dXJl"  # the same in both base64 alphabets
ANSWERS: dict[str, dict[str, Any]] = {
    "valid": answer(model(text("Two dogs have eight paws."))),
    "empty-parts": answer(model(), "STOP"),
    "empty-part": answer(model({})),
    "no-role": answer({"parts": [text("An answer without a role.")]}),
    "safety-no-content": {
        "candidates": [{"finishReason": "SAFETY"}],
        "promptFeedback": {"blockReason": "SAFETY"},
    },
    "safety-empty-content": answer({}, "SAFETY"),
    "no-candidates": {"promptFeedback": {"blockReason": "OTHER"}},
    "thoughts": answer(
        model(
            {"text": "**Counting paws**", "thought": True},
            {"text": "Eight.", "thoughtSignature": SIGNATURE},
        )
    ),
}
STREAMS: dict[str, list[dict[str, Any]]] = {
    "stream": [
        answer(model(text("Two dogs ")), None),
        answer(model(text("have eight paws.")), "STOP"),
    ],
    "stream-without-finish": [
        answer(model(text("This stream ")), None),
        answer(model(text("never finishes.")), None),
    ],
    "stream-ending-bare": [
        answer(model(text("This stream ends ")), None),
        answer({"role": "model"}, "STOP"),
    ],
    # A chunk without a candidate, or whose candidate has no content, adds no turn to the
    # history but makes the whole turn invalid.
    "stream-with-a-chunk-without-candidates": [
        answer(model(text("Two dogs ")), None),
        answer(model(text("have eight paws.")), "STOP"),
        {"usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9}},
    ],
    "stream-blocked-without-content": [
        answer(model(text("Two dogs ")), None),
        {"candidates": [{"finishReason": "SAFETY", "index": 0}]},
    ],
    "stream-without-any-content": [{"promptFeedback": {"blockReason": "OTHER"}}],
}


def turns(*kinds: str) -> list[dict[str, Any]]:
    return [
        {"message": f"Turn {index}: {kind}.", "stream": kind in STREAMS, "answer": kind}
        for index, kind in enumerate(kinds)
    ]


GREETING = [user("Hello"), model(text("Great to meet you. What would you like to know?"))]


def conversation(
    name: str, *kinds: str, history: list[dict[str, Any]] | None = None, note: str = ""
) -> dict[str, Any]:
    case: dict[str, Any] = {"name": name}
    if history is not None:
        case["history"] = history
    case["turns"] = turns(*kinds)
    return case | ({"note": note} if note else {})


CONVERSATIONS: list[dict[str, Any]] = [
    conversation("unary-turns", "valid", "valid"),
    conversation(
        "streamed-turns", "stream", "stream", note="each chunk is a model turn of its own"
    ),
    conversation("safety-block-without-content", "valid", "safety-no-content", "valid"),
    conversation("safety-block-with-empty-content", "valid", "safety-empty-content", "valid"),
    conversation("no-candidates", "no-candidates", "valid"),
    conversation("empty-parts", "valid", "empty-parts", "valid"),
    conversation("an-empty-part", "empty-part", "valid"),
    conversation(
        "an-answer-without-a-role",
        "no-role",
        "valid",
        note="kept as it came and sent back without a role",
    ),
    conversation("thoughts-and-signature-are-sent-back", "thoughts", "valid"),
    conversation("a-stream-without-finish-reason", "stream-without-finish", "valid"),
    conversation("a-stream-ending-on-a-chunk-without-parts", "stream-ending-bare", "valid"),
    conversation(
        "a-stream-with-a-chunk-without-candidates",
        "stream-with-a-chunk-without-candidates",
        "valid",
    ),
    conversation("a-stream-blocked-without-content", "stream-blocked-without-content", "valid"),
    conversation("a-stream-without-any-content", "stream-without-any-content", "valid"),
    conversation("unary-then-streamed", "valid", "stream", "empty-part", "stream"),
    conversation("initial-history", "valid", history=GREETING),
    conversation(
        "initial-history-curated-once", "valid", history=[user("Hello"), model(), *GREETING]
    ),
]

DESCRIPTION = [
    "Chat history, as the official Python SDK (google-genai 3.3.0) keeps it; generated with it.",
    "A chat keeps two histories. comprehensive: every turn, as sent and as received. curated:",
    "the valid turns only, which is what each request sends before the new message. A model",
    "turn is valid when its content has a non-empty parts list and no empty part ({}). Curating",
    "walks the history: a run of consecutive model turns is kept whole if every turn in it is",
    "valid; otherwise it is dropped together with the user turn just before it (if any).",
    "A role other than user or model (or none) in a history to curate is an error.",
    "Unary turn: the answer's first candidate's content is recorded as received (without a",
    "role if it had none; an empty {} as {}); no candidate or no content records {role: model,",
    "parts: []}; the turn is valid when that content is. Streamed turn: each chunk's content is",
    "recorded as its own model turn; valid when every chunk's content is valid and some chunk",
    "has a finishReason. A chunk without a candidate or without a content records nothing and",
    "makes the turn invalid; if no chunk had a content, {role: model, parts: []} is recorded.",
    "A history given when the chat is created is curated once.",
    "Fields. curate: comprehensive (a list of Content, JSON as on the wire) -> curated, or",
    "  error ('invalid_role'). answers: named GenerateContentResponse bodies; streams: named",
    "  lists of chunks, each a GenerateContentResponse.",
    "conversations: history (optional, given to chats.create), then turns, each {message: the",
    "  user's text, stream: sent with streamGenerateContent?alt=sse, answer: a key of answers",
    "  (a GenerateContentResponse) or of streams (its chunks)}. sends: for each turn, the",
    "  contents of its request. comprehensive, curated: both histories after the last turn.",
    "  Contents are in canonical form: camelCase keys, base64 in the standard alphabet.",
    "  name: a case's name (a turn's answer names one of answers or streams); note: for people.",
    "  The only numbers (index) are integers.",
]
PINS = ["docs/chats.md#the-clients-two-histories"]


# --- generation with the official SDK --------------------------------------------------------


def sse_body(chunks: list[dict[str, Any]]) -> bytes:
    return b"".join(b"data: " + json.dumps(c).encode() + b"\r\n\r\n" for c in chunks)


def scripted(turns: list[dict[str, Any]], recorder: Recorder) -> httpx.MockTransport:
    """A transport answering each request with the next turn's answer or stream."""
    queue = list(turns)

    def handle(request: httpx.Request) -> httpx.Response:
        recorder(request)
        kind = queue.pop(0)["answer"]
        if kind in STREAMS:
            headers = {"content-type": "text/event-stream"}
            return httpx.Response(200, headers=headers, content=sse_body(STREAMS[kind]))
        return httpx.Response(200, json=ANSWERS[kind])

    return httpx.MockTransport(handle)


def sdk_json(contents: list[sdk_types.Content]) -> list[Any]:
    return [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in contents]


def sent_contents(recorder: Recorder) -> list[Any]:
    return [read_as_service(sent.json())["contents"] for sent in recorder.sent]


def converse(chat: Any, conversation: dict[str, Any]) -> None:
    for turn in conversation["turns"]:
        if turn["stream"]:
            for _ in chat.send_message_stream(turn["message"]):
                pass
        else:
            chat.send_message(turn["message"])


def sdk_conversation(conversation: dict[str, Any]) -> dict[str, Any]:
    recorder = Recorder()
    http = httpx.Client(transport=scripted(conversation["turns"], recorder))
    options = sdk_types.HttpOptions(base_url="http://vectors.test", httpx_client=http)
    client = genai.Client(api_key="conformance-key", http_options=options)
    chat = client.chats.create(model=MODEL, history=conversation.get("history", []))
    converse(chat, conversation)
    return {
        "sends": sent_contents(recorder),
        "comprehensive": sdk_json(chat.get_history()),
        "curated": sdk_json(chat.get_history(curated=True)),
    }


def sdk_curate(case: dict[str, Any]) -> dict[str, Any]:
    contents = [sdk_types.Content.model_validate(c) for c in case["comprehensive"]]
    try:
        return {"curated": sdk_json(sdk_chats._extract_curated_history(contents))}
    except ValueError:
        return {"error": "invalid_role"}


def with_outcome(case: dict[str, Any], outcome: dict[str, Any]) -> dict[str, Any]:
    note = {"note": case["note"]} if "note" in case else {}
    return {k: v for k, v in case.items() if k != "note"} | outcome | note


def generate() -> dict[str, Any]:
    return {
        **header(DESCRIPTION, PINS),
        "curate": [with_outcome(c, sdk_curate(c)) for c in CURATE],
        "answers": [{"name": name, "response": body} for name, body in ANSWERS.items()],
        "streams": [{"name": name, "chunks": chunks} for name, chunks in STREAMS.items()],
        "conversations": [with_outcome(c, sdk_conversation(c)) for c in CONVERSATIONS],
    }


def main() -> None:
    (VECTORS / FILE).write_text(render(generate()), "utf-8")
    print(f"wrote {VECTORS / FILE}")


# --- the file -------------------------------------------------------------------------------


def test_the_file_is_what_the_official_sdk_gives() -> None:
    path = VECTORS / FILE
    assert path.exists() and path.read_text("utf-8") == render(generate()), (
        f"{path} is not what the SDK gives: run .venv/bin/python -m conformance.test_chat_history"
        " and review the diff"
    )


def answers_of(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = {a["name"]: a["response"] for a in document["answers"]}
    streams = {s["name"]: s["chunks"] for s in document["streams"]}
    return answers, streams


# --- gemini_ref passes them --------------------------------------------------------------------


@pytest.mark.parametrize("case", cases(FILE, "curate", key="name"))
def test_gemini_ref_curates_as_the_vector_says(case: dict[str, Any]) -> None:
    history = [from_wire(ref_types.Content, c) for c in case["comprehensive"]]

    if "error" in case:
        with pytest.raises(ValueError):
            curate(history)
        return
    assert to_wire(curate(history)) == case["curated"]


@pytest.mark.parametrize("case", cases(FILE, "conversations", key="name"))
def test_gemini_ref_sends_and_keeps_what_the_vector_says(case: dict[str, Any]) -> None:
    recorder = Recorder()
    http = httpx.Client(transport=scripted(case["turns"], recorder))
    client = gemini_ref.Client(api_key="conformance-key", http_client=http)
    chat = client.chats.create(model=MODEL, history=case.get("history", []))

    converse(chat, case)

    assert sent_contents(recorder) == case["sends"]
    assert to_wire(chat.get_history()) == case["comprehensive"]
    assert to_wire(chat.get_history(curated=True)) == case["curated"]


# --- against the target ----------------------------------------------------------------------


def write_fixtures(directory: Path, conversation: dict[str, Any]) -> None:
    """Each turn's answer as a fixture matched by the turn's message."""
    answers, streams = answers_of(load(FILE))
    for index, turn in enumerate(conversation["turns"]):
        fixture: dict[str, Any] = {"match": {"lastUserText": turn["message"]}}
        if turn["answer"] in streams:
            (directory / f"turn-{index}.sse").write_bytes(sse_body(streams[turn["answer"]]))
            fixture["sse"] = f"turn-{index}.sse"
        else:
            fixture["response"] = answers[turn["answer"]]
        (directory / f"turn-{index}.json").write_text(json.dumps(fixture), "utf-8")


def with_roles(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As the service reads them (and the fake journals them): no role is the user's."""
    return [{**content, "role": content.get("role", "user")} for content in contents]


@pytest.mark.parametrize("case", cases(FILE, "conversations", key="name"))
def test_a_vector_conversation_through_the_fake_sends_the_same_turns(
    case: dict[str, Any], target: Target, tmp_path: Path
) -> None:
    write_fixtures(tmp_path, case)
    target.configure(fixture_dirs=(tmp_path,), default_fixtures=False, strict=True)
    recorder = Recorder()
    chat = target.client(on_request=[recorder]).chats.create(
        model=MODEL, history=case.get("history", [])
    )

    converse(chat, case)

    assert sent_contents(recorder) == case["sends"]
    journalled = [entry.request["contents"] for entry in target.journal.calls() if entry.request]
    assert journalled == [with_roles(sends) for sends in case["sends"]]
    assert to_wire(chat.get_history(curated=True)) == case["curated"]


GUIDE_TURNS = ("I have 2 dogs in my house.", "How many paws are in my house?")


@pytest.fixture(params=["unary", "stream"])
def streamed(request: pytest.FixtureRequest) -> bool:
    return bool(request.param == "stream")


def talk(chat: Any, message: str, streamed: bool) -> list[Any]:
    """The model contents one turn adds to the history, as the client read them."""
    if streamed:
        return [chunk.candidates[0].content for chunk in chat.send_message_stream(message)]
    return [chat.send_message(message).candidates[0].content]


LIBRARIES: dict[str, Callable[[Target, Recorder], Any]] = {
    "gemini_ref": lambda target, recorder: target.client(on_request=[recorder]),
    "google-genai": lambda target, recorder: target.sdk(on_request=[recorder]),
}


@pytest.fixture(params=list(LIBRARIES))
def library(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def as_json(content: Any) -> Any:
    if isinstance(content, sdk_types.Content):
        return content.model_dump(mode="json", by_alias=True, exclude_none=True)
    return to_wire(content)


def test_each_guide_chat_turn_sends_the_history_before_it_and_the_message(
    target: Target, streamed: bool, library: str
) -> None:
    recorder = Recorder()
    chat = LIBRARIES[library](target, recorder).chats.create(model="gemini-2.5-flash")
    expected_history: list[Any] = []

    for index, message in enumerate(GUIDE_TURNS):
        received = talk(chat, message, streamed)
        sent = read_as_service(recorder.sent[index].json())["contents"]
        assert sent == [*expected_history, user(message)]
        expected_history += [user(message), *(as_json(c) for c in received)]

    assert len(recorder.sent) == len(GUIDE_TURNS)
    path = ":streamGenerateContent" if streamed else ":generateContent"
    assert all(s.url.path.endswith(path) for s in recorder.sent)
    assert [as_json(c) for c in chat.get_history()] == expected_history
    assert [as_json(c) for c in chat.get_history(curated=True)] == expected_history
    if streamed:
        assert len(expected_history) > 4, "a streamed answer is several model turns"


if __name__ == "__main__":
    main()
