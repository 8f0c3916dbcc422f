"""The guide's Java examples with the official Java SDK (google-genai 2.6.0), against the fake.

``tests/java`` holds each "### Java" example of the guide as a class of its own, verbatim but for
the fixes in ``FIXES`` (tests/java/README.md); ``test_the_java_examples_are_the_guides_but_for_
the_documented_fixes`` proves those are the only differences. The JVM starts slowly, so the
classes are compiled once (``java_classpath``) and one ``java GuideRun <every example>`` run
serves the module, against a fake of its own served on a loopback port. Each test reads its
example's JSON line (what the example printed, what the SDK logged, the files it uploaded) and
that example's part of the fake's journal (the RPCs the SDK called and the exact bodies it
sent). A second run, with a key the fake refuses, shows the SDK's exception for the service's
error. The child's environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``
only (tests/kit/java.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from conformance._guide import guide_code, read_guide
from conformance._uploads import sha256_hash
from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit import java
from tests.kit.files import SERVICE_FILES, FilesKit
from tests.kit.guide_answers import EXAMPLES, SHIPPED_FIXTURES
from tests.kit.java import SOURCES, start_java
from tests.kit.wire import Exchange, sse_events, tap

pytestmark = [pytest.mark.sdk, pytest.mark.java]

MODEL_PATH = "/v1/models/gemini-2.5-flash"  # the Java SDK's default API version is v1
DOGS = "I have 2 dogs in my house."
PAWS = "How many paws are in my house?"

# Each example (named as tests/js names the same one; its class in GuideRun.java) and the RPCs
# it calls, in order.
RPCS = {
    "basic": ["generateContent"],
    "thinking_off": ["generateContent"],
    "system_instruction": ["generateContent"],
    "temperature": ["generateContent"],
    "multimodal": ["files.upload", "files.upload", "generateContent"],  # start, then the bytes
    "stream": ["streamGenerateContent"],
    "chat": ["generateContent", "generateContent"],
    "chat_stream": ["streamGenerateContent", "streamGenerateContent"],
}
TEXT_EXAMPLES = ("basic", "thinking_off", "system_instruction", "temperature")

# What had to change in the guide's code for it to compile and run (tests/java/README.md).
FIXES = {
    "GenerateContentWithMultiModalInputs": [
        # Content lives in com.google.genai.types, as every other example imports it.
        ("import com.google.genai.Content;", "import com.google.genai.types.Content;"),
        # Part.fromUri takes a URI: the reader's file, uploaded (GuideFiles.java).
        ('"/path/to/organ.jpg"', 'GuideFiles.uri("/path/to/organ.jpg")'),
    ],
    "MultiTurnConversation": [
        # The example declares an ImmutableList without importing it.
        (
            "import com.google.genai.Chat;\n",
            "import com.google.common.collect.ImmutableList;\nimport com.google.genai.Chat;\n",
        ),
    ],
}
# the driver's classes and the examples beyond the guide (test_app_features_go_java.py)
HARNESS = {"GuideRun", "GuideFiles", "AppFeatures"}

ORGAN = FilesKit.jpeg()
# Content{parts=Optional[[Part{..., text=Optional[T], ...}]], role=Optional[R]}: Content's
# toString, one text part each.
HISTORY_ITEM = re.compile(
    r"Content\{parts=Optional\[\[Part\{[^{}]*?text=Optional\[(.*?)\], thought=[^{}]*\}\]\], "
    r"role=Optional\[(\w+)\]\}"
)


def text_of(answer: dict[str, Any]) -> str:
    (candidate,) = answer["candidates"]
    (part,) = candidate["content"]["parts"]
    text: str = part["text"]
    return text


def fixture_text(name: str) -> str:
    data = json.loads((SHIPPED_FIXTURES / f"{name}.json").read_text("utf-8"))
    text: str = data["answer"]["text"]
    return text


def history(printed: str) -> list[tuple[str, str]]:
    """The (role, text) of each Content in the ``History: [...]`` an example printed."""
    listed = printed[printed.index("History: [") :]
    return [(role, text) for text, role in HISTORY_ITEM.findall(listed)]


@dataclass
class Run:
    """One example's outcome: its JSON line, the requests the fake journalled for it and its
    HTTP exchanges as the fake's socket saw them (the same requests, in the same order)."""

    line: dict[str, Any]
    calls: list[Entry]
    exchanges: list[Exchange] = field(default_factory=list)

    def answers(self, index: int = 0) -> list[dict[str, Any]]:
        """The responses the SDK received for request ``index``: the body, or each SSE event."""
        exchange = self.exchanges[index]
        assert exchange.complete and exchange.status == 200, exchange
        if exchange.query == "alt=sse":
            return sse_events(exchange.body)
        answer: dict[str, Any] = json.loads(exchange.body)
        return [answer]

    def answered_text(self, index: int = 0) -> str:
        """The text the SDK received for request ``index``, every chunk's joined."""
        return "".join(text_of(answer) for answer in self.answers(index))

    @property
    def printed(self) -> str:
        assert self.line["ok"], self.line.get("error")
        assert (self.line["stderr"], self.line["logged"]) == ("", []), self.line
        printed: str = self.line["printed"]
        return printed


@dataclass
class Runs:
    fake: Fake
    by_example: dict[str, Run]

    def __getitem__(self, example: str) -> Run:
        return self.by_example[example]

    def answer(self, request: dict[str, Any] | None) -> str:
        """The fake's (non-streamed) answer's text to ``request``, asked again now."""
        response = httpx.post(
            f"{self.fake.base_url}{MODEL_PATH}:generateContent",
            json=request,
            headers={"x-goog-api-key": self.fake.env["GEMINI_API_KEY"]},
        )
        assert response.status_code == 200, response.text
        text: str = response.json()["candidates"][0]["content"]["parts"][0]["text"]
        return text


def split_journal(
    entries: list[Entry], exchanges: list[Exchange], examples: list[str]
) -> dict[str, Run]:
    """The journal and the exchanges cut into each example's (they run one after another)."""
    assert [(e.method, e.path) for e in exchanges] == [(e.method, e.path) for e in entries]
    calls: dict[str, Run] = {}
    for example in examples:
        taken = len(RPCS[example])
        run = Run({}, entries[:taken], exchanges[:taken])
        entries, exchanges = entries[taken:], exchanges[taken:]
        assert [e.rpc for e in run.calls] == RPCS[example], (example, run.calls)
        calls[example] = run
    assert not entries, entries
    return calls


@pytest.fixture(scope="module")
def runs(java_classpath: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    organ = tmp_path_factory.mktemp("java") / "organ.jpg"
    organ.write_bytes(ORGAN)
    examples = list(RPCS)
    app = create_app(FakeConfig())
    exchanges = tap(app)
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url, in_process=False)
        java = start_java(fake, java_classpath, *examples, env={"GUIDE_ORGAN_JPG": str(organ)})
        lines = java.lines()  # once the JVM is done
        by_example = split_journal(list(fake.journal.entries), list(exchanges), examples)
        for example, line in lines.items():
            by_example[example].line = line
        yield Runs(fake, by_example)


def java_classes() -> dict[str, str]:
    return {path.stem: path.read_text("utf-8") for path in SOURCES.glob("*.java")}


def test_the_java_examples_are_the_guides_but_for_the_documented_fixes() -> None:
    guide = guide_code(read_guide(), "Java")
    copies = java_classes()
    names = []
    for code in guide:
        match = re.search(r"public class (\w+)", code)
        assert match is not None, code
        name = match.group(1)
        names.append(name)
        for printed, fixed in FIXES.get(name, []):
            assert code.count(printed) == 1, (name, printed)
            code = code.replace(printed, fixed)
        assert copies[name] == code, f"tests/java/.../{name}.java is not the guide's, fixed"
    assert len(names) == 8
    assert set(copies) - HARNESS == set(names)
    assert set(FIXES) <= set(names)


@pytest.mark.parametrize("example", TEXT_EXAMPLES)
def test_a_text_example_prints_its_fixture_answer_through_the_java_sdk(
    example: str, runs: Runs
) -> None:
    run = runs[example]
    guide = EXAMPLES[example]

    assert run.printed == guide.expected_text() + "\n"
    # response.text() is the answer's one text part; the rest of it is as the service's.
    (answer,) = run.answers()
    assert run.printed == text_of(answer) + "\n"
    assert answer["candidates"][0]["finishReason"] == "STOP"
    guide.check_usage(answer["usageMetadata"])
    # The SDK's request, exactly: v1, the body (an empty generationConfig ignored).
    guide.check_call(run.calls[0], "v1")


def test_every_java_request_carries_the_key_header_and_the_sdk_version(runs: Runs) -> None:
    exchanges = [e for run in runs.by_example.values() for e in run.exchanges]
    key = runs.fake.env["GEMINI_API_KEY"]

    assert len(exchanges) == sum(len(rpcs) for rpcs in RPCS.values())
    for exchange in exchanges:
        assert exchange.request_header("x-goog-api-key") == key
        assert "key=" not in exchange.query
        for header in ("user-agent", "x-goog-api-client"):
            assert re.fullmatch(
                rf"google-genai-sdk/{re.escape(java.sdk_version())} gl-java/[0-9.]+",
                exchange.request_header(header) or "",
            ), exchange.request_headers


def test_thinking_budget_zero_goes_over_the_wire_from_java(runs: Runs) -> None:
    request = runs["thinking_off"].calls[0].request
    assert request is not None
    assert request["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 0}}


def test_the_system_instruction_is_sent_as_a_user_content_from_java(runs: Runs) -> None:
    assert runs["system_instruction"].calls[0].request == {
        "contents": [{"parts": [{"text": "Hello there"}], "role": "user"}],
        "systemInstruction": {
            "parts": [{"text": EXAMPLES["system_instruction"].system_instruction}],
            "role": "user",
        },
        "generationConfig": {},
    }


def test_the_multimodal_example_uploads_the_image_and_sends_its_uri(runs: Runs) -> None:
    run = runs["multimodal"]
    printed = run.printed
    start, finish, generate = run.calls
    (file,) = run.line["files"]

    assert (start.method, start.path, start.status) == ("POST", "/upload/v1/files", 200)
    assert start.request == {"file": {"mimeType": "image/jpeg"}}
    assert (finish.path, finish.status) == ("/upload/v1/files", 200)
    assert finish.answered_by == f"file:{file['name'].removeprefix('files/')}"
    # The File as the SDK parsed it.
    assert re.fullmatch(r"files/[a-z0-9]{12}", file["name"])
    assert file["uri"] == f"{SERVICE_FILES}/v1/{file['name']}"
    assert (file["mimeType"], file["sizeBytes"]) == ("image/jpeg", len(ORGAN))
    assert file["sha256Hash"] == sha256_hash(ORGAN)
    assert (file["state"], file["source"]) == ("ACTIVE", "UPLOADED")
    # The guide's Content, text then the file, as the user's turn.
    assert generate.path == f"{MODEL_PATH}:generateContent"
    assert generate.request == {
        "contents": [
            {
                "parts": [
                    {"text": "Tell me about this instrument"},
                    {"fileData": {"fileUri": file["uri"], "mimeType": "image/jpeg"}},
                ],
                "role": "user",
            }
        ]
    }
    assert printed == run.answered_text(2) + "\n" == runs.answer(generate.request) + "\n"


def test_the_streamed_story_prints_every_chunk_without_a_newline(runs: Runs) -> None:
    run = runs["stream"]
    (call,) = run.calls

    assert (call.method, call.path, call.query, call.status) == (
        "POST",
        f"{MODEL_PATH}:streamGenerateContent",
        "alt=sse",
        200,
    )
    assert call.request == {
        "contents": [{"parts": [{"text": "Write a story about a magic backpack."}], "role": "user"}]
    }
    # System.out.print of each chunk's text: the whole answer, as the unstreamed call gives it.
    assert run.printed == run.answered_text() == runs.answer(call.request)
    chunks = run.answers()
    assert len(chunks) > 1
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"


def test_the_chat_sends_the_whole_conversation_and_prints_its_history(runs: Runs) -> None:
    run = runs["chat"]
    first, second = run.calls
    dogs, paws = fixture_text("guide-chat-two-dogs"), fixture_text("guide-chat-how-many-paws")

    assert run.printed.startswith(f"First response: {dogs}\nSecond response: {paws}\nHistory: [")
    assert run.printed.endswith("]\n")
    turns = [("user", DOGS), ("model", dogs), ("user", PAWS), ("model", paws)]
    assert history(run.printed) == turns
    assert [(c.path, c.answered_by) for c in run.calls] == [
        (f"{MODEL_PATH}:generateContent", "fixture:guide-chat-two-dogs"),
        (f"{MODEL_PATH}:generateContent", "fixture:guide-chat-how-many-paws"),
    ]
    assert first.request == {"contents": [{"parts": [{"text": DOGS}], "role": "user"}]}
    assert second.request == {
        "contents": [{"parts": [{"text": text}], "role": role} for role, text in turns[:3]]
    }


def test_the_streamed_chat_keeps_one_model_content_per_chunk(runs: Runs) -> None:
    run = runs["chat_stream"]
    first, second = run.calls
    dogs, paws = fixture_text("guide-chat-two-dogs"), fixture_text("guide-chat-how-many-paws")

    assert run.printed.startswith(f"{dogs}{paws}History: [")
    assert run.printed.endswith("]\n")
    turns = history(run.printed)  # getHistory(false): each chunk as a model content of its own
    asked = turns.index(("user", PAWS))
    first_answer, second_answer = turns[1:asked], turns[asked + 1 :]
    assert turns[0] == ("user", DOGS)
    assert {role for role, _ in first_answer + second_answer} == {"model"}
    assert "".join(text for _, text in first_answer) == dogs
    assert "".join(text for _, text in second_answer) == paws
    assert [text for _, text in first_answer] == [text_of(chunk) for chunk in run.answers(0)]
    assert [text for _, text in second_answer] == [text_of(chunk) for chunk in run.answers(1)]
    assert len(first_answer) > 1 and len(second_answer) > 1  # the fake streamed them in chunks
    assert [(c.path, c.query, c.answered_by) for c in run.calls] == [
        (f"{MODEL_PATH}:streamGenerateContent", "alt=sse", "fixture:guide-chat-two-dogs"),
        (f"{MODEL_PATH}:streamGenerateContent", "alt=sse", "fixture:guide-chat-how-many-paws"),
    ]
    assert first.request == {"contents": [{"parts": [{"text": DOGS}], "role": "user"}]}
    # The second request holds the history so far, chunk by chunk, as the service accepts.
    assert second.request == {
        "contents": [{"parts": [{"text": text}], "role": role} for role, text in turns[: asked + 1]]
    }


REFUSED = ("basic", "stream", "chat")


@pytest.fixture(scope="module")
def refused(java_classpath: str) -> Iterator[Runs]:
    """``REFUSED`` run with a key the fake does not take (a second JVM: the fake's keys are
    fixed when it starts)."""
    app = create_app(FakeConfig(api_keys=frozenset({"the-only-key"})))
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url, in_process=False)
        run = start_java(fake, java_classpath, *REFUSED, env={"GEMINI_API_KEY": "not-the-key"})
        lines = run.lines()
        entries = list(fake.journal.entries)
        assert len(entries) == len(REFUSED)  # each fails at its first call
        yield Runs(fake, {e: Run(lines[e], [c]) for e, c in zip(REFUSED, entries, strict=True)})


BAD_KEY = "API key not valid. Please pass a valid API key."
# The details the service sends with it (docs/evidence.md#service-errors).
BAD_KEY_DETAILS = [
    {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"},
    },
    {
        "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
        "locale": "en-US",
        "message": BAD_KEY,
    },
]


@pytest.mark.parametrize("example", REFUSED)
def test_a_refused_key_is_a_client_exception_400_in_java(example: str, refused: Runs) -> None:
    line = refused[example].line
    (call,) = refused[example].calls

    assert (line["ok"], line["printed"], line["files"]) == (False, "", [])
    error = line["error"]
    # ClientException, the SDK's ApiException for a 4xx answer.
    assert (error["class"], error["code"], error["status"]) == (
        "com.google.genai.errors.ClientException",
        400,
        "INVALID_ARGUMENT",
    )
    # message(): the error's message, then each of its details as one line of JSON.
    message, details = error["apiMessage"].split("\nDetails: ")
    assert message == BAD_KEY
    assert [json.loads(detail) for detail in details.splitlines()] == BAD_KEY_DETAILS
    assert error["message"] == f"400 INVALID_ARGUMENT. {error['apiMessage']}"
    assert (call.status, call.answered_by) == (400, "error:INVALID_ARGUMENT")
