"""The official Go SDK (google.golang.org/genai v1.79.1) against the fake, through the guide's
own Go examples (tests/go/README.md).

The twelve examples are built into one program, once (``tests/kit/go_guide.py`` caches it under
``.cache/go``), and one run of it serves the whole module: it talks to a fake of its own, and
each test reads its example's JSON line (what it printed, what the SDK read back) and its part of
that fake's journal (what the SDK sent). The program's environment is the guide's:
``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``, without what would override them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance._guide import Assets, guide_code, picture, read_guide
from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit import go_guide
from tests.kit.files import FilesKit
from tests.kit.go_examples import EXAMPLES, REPAIRS
from tests.kit.go_guide import (
    Build,
    build,
    gofmt,
    imports,
    missing_modules,
    prepared,
    start_go,
    without_imports,
)
from tests.kit.guide_answers import EXAMPLES as GUIDE_ANSWERS
from tests.kit.guide_answers import MODEL, GuideExample
from tests.kit.toolchains import require

pytestmark = [pytest.mark.sdk, pytest.mark.go]

SDK_VERSION = go_guide.sdk_version()  # tests/go/go.mod pins 1.79.1
UPLOAD = ("files.upload", "files.upload")  # the start, then one chunk that finalizes
# Each example, in the guide's order, and the RPCs the fake journals for it, in order.
RPCS: dict[str, tuple[str, ...]] = {
    "text_generation": ("generateContent",),
    "thinking_off": ("generateContent",),
    "system_instruction": ("generateContent",),
    "config_full": ("generateContent",),
    "multimodal_image": ("generateContent",),
    "streaming": ("streamGenerateContent",),
    "chat": ("generateContent",),
    "chat_streaming": ("streamGenerateContent",),
    "inline_image_bytes": ("generateContent",),
    "image_from_url": ("generateContent",),
    "uploaded_image": (*UPLOAD, "generateContent"),
    "several_images": (*UPLOAD, "generateContent"),
}
# The text examples a shipped fixture answers (tests/kit/guide_answers.py).
FIXTURE_ANSWERED = {
    "text_generation": GuideExample(
        "Explain how AI works in a few words", "guide-explain-how-ai-works-in-a-few-words"
    ),
    "thinking_off": GUIDE_ANSWERS["thinking_off"],
    "system_instruction": GUIDE_ANSWERS["system_instruction"],
    "config_full": GUIDE_ANSWERS["config_full"],
}
HISTORY = [
    {"parts": [{"text": "Hi nice to meet you! I have 2 dogs in my house."}], "role": "user"},
    {"parts": [{"text": "Great to meet you. What would you like to know?"}], "role": "model"},
    {"parts": [{"text": "How many paws are in my house?"}], "role": "user"},
]
# The images each image example sends, and their prompt tokens by the guide's rule (258 a
# tile; both sides <= 384 px is one tile; 960x540 is 6 tiles of 360 px, 400x300 4 of 200).
IMAGE_TOKENS = {
    "multimodal_image": 258,
    "inline_image_bytes": 1548,
    "image_from_url": 1032,
    "uploaded_image": 258,
    "several_images": 258 + 258,
}


def make_assets(directory: Path) -> Assets:
    """The Python examples' files, and the two JPEGs only the Go examples name."""
    assets = Assets.make(directory)
    picture(320, 240, 1).save(directory / "organ.jpg")
    picture(150, 200, 6).save(directory / "image2.jpeg")
    return assets


@dataclass
class Run:
    """One example's outcome: its JSON line and the requests the fake journalled for it."""

    line: dict[str, Any]
    calls: list[Entry]
    assets: Assets
    base_url: str

    @property
    def exchanges(self) -> list[dict[str, Any]]:
        assert self.line["ok"], self.line.get("error")
        exchanges: list[dict[str, Any]] = self.line["exchanges"]
        return exchanges

    @property
    def generate(self) -> Entry:
        """The example's one generateContent (or streamGenerateContent) call."""
        return self.calls[-1]

    def answer(self) -> list[dict[str, Any]]:
        """The GenerateContentResponse(s) the SDK read for that call: one, or a stream's."""
        body: str = self.exchanges[-1]["body"]
        if self.exchanges[-1]["query"] == "alt=sse":
            return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
        return [json.loads(body)]


@pytest.fixture(scope="module")
def built() -> Build:
    require("go", "gofmt", missing=missing_modules())
    return build()


@pytest.fixture(scope="module")
def runs(built: Build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    assets = make_assets(tmp_path_factory.mktemp("go-guide"))
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        lines = start_go(built.binary, fake, assets.directory, *RPCS).lines()
        entries = list(fake.journal.entries)
    runs = {}
    for example, rpcs in RPCS.items():
        calls, entries = entries[: len(rpcs)], entries[len(rpcs) :]
        assert tuple(e.rpc for e in calls) == rpcs, (example, calls)
        runs[example] = Run(lines[example], calls, assets, fake.base_url)
    assert entries == []
    return runs


# --- the examples are the guide's --------------------------------------------------------------


def test_the_go_examples_are_still_the_guides() -> None:
    assert [example.text for example in EXAMPLES.values()] == guide_code(read_guide(), "Go")


@pytest.mark.parametrize("example", EXAMPLES)
def test_only_the_imports_of_a_go_example_are_left_to_goimports(example: str, built: Build) -> None:
    ours = gofmt(prepared(example))
    compiled = built.example_file(example)
    assert without_imports(compiled) == without_imports(ours)
    # Every block calls log.Fatal without importing log; most import os and never use it.
    assert imports(compiled) - imports(ours) == {"log"}
    assert imports(ours) - imports(compiled) == ({"os"} if "os." not in ours else set())


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_go_example_prepared_is_the_guides_text_but_for_the_changes_listed(
    example: str,
) -> None:
    code = prepared(example)
    # Undo the changes tests/go/README.md lists: the rest must be the guide's text.
    code = code.split("\nfunc init() {")[0]
    code = re.sub(r"func example\w+\(\) \{", "func main() {", code)
    for path, file in EXAMPLES[example].paths.items():
        code = re.sub(rf'asset(URL)?\("{re.escape(file)}"\)', f'"{path}"', code)
    for printed, fixed in reversed(REPAIRS.get(example, [])):
        assert code.count(fixed) == 1
        code = code.replace(fixed, printed)
    if not EXAMPLES[example].text.startswith("package main"):
        body = code.split("  }\n\n", 1)[1].removesuffix("}\n")
        code = "".join(line.removeprefix("  ") for line in body.splitlines(True))
    assert code == EXAMPLES[example].text


# --- what each example shows, and what the SDK sent --------------------------------------------


def test_every_go_example_ran_without_a_warning_from_the_sdk(runs: dict[str, Run]) -> None:
    for example, run in runs.items():
        assert run.line["ok"], (example, run.line.get("error"))
        assert run.line["logged"] == "", (example, run.line["logged"])
        for exchange in run.exchanges:
            assert exchange["status"] == 200, (example, exchange)
            client = exchange["requestHeaders"]["x-goog-api-client"]
            assert client.startswith(f"google-genai-sdk/{SDK_VERSION} gl-go/"), client


def check_answer(run: Run, thinks: bool = True) -> str:
    """The answer as the service shapes it (per chunk when streamed); returns its text."""
    answers = run.answer()
    for answer in answers:
        assert answer["modelVersion"] == MODEL
        assert re.fullmatch(r"[A-Za-z0-9_-]{23}", answer["responseId"])
        assert "usageMetadata" in answer  # on every chunk: docs/evidence.md#service-stream-chunks
        (candidate,) = answer["candidates"]
        assert candidate["content"]["role"] == "model"
    *_, last = answers
    (candidate,) = last["candidates"]
    assert candidate["finishReason"] == "STOP"
    assert [a["candidates"][0].get("finishReason") for a in answers[:-1]] == [None] * (
        len(answers) - 1
    )
    usage = last["usageMetadata"]
    thoughts = usage.get("thoughtsTokenCount", 0)
    assert usage["totalTokenCount"] == (
        usage["promptTokenCount"] + usage["candidatesTokenCount"] + thoughts
    )
    assert (thoughts > 0) == thinks, usage
    return "".join(a["candidates"][0]["content"]["parts"][0]["text"] for a in answers)


@pytest.mark.parametrize("example", FIXTURE_ANSWERED)
def test_a_go_text_example_prints_its_fixture_answer(example: str, runs: dict[str, Run]) -> None:
    run, guide = runs[example], FIXTURE_ANSWERED[example]
    printed = run.line["output"]
    assert printed.endswith("\n")  # fmt.Println
    guide.check_text(printed.removesuffix("\n"))
    assert printed == check_answer(run, guide.thinks) + "\n"
    guide.check_usage(run.answer()[0]["usageMetadata"])
    guide.check_call(run.generate, "v1")


def test_the_go_streaming_example_prints_every_chunk_of_the_answer(runs: dict[str, Run]) -> None:
    run = runs["streaming"]
    assert len(run.answer()) > 1
    assert run.line["output"] == check_answer(run)  # fmt.Print of each chunk's text
    assert (run.generate.path, run.generate.query) == (
        f"/v1/models/{MODEL}:streamGenerateContent",
        "alt=sse",
    )
    assert run.generate.request == {
        "contents": [{"parts": [{"text": "Write a story about a magic backpack."}], "role": "user"}]
    }
    assert run.generate.answered_by == "synthetic"


@pytest.mark.parametrize("example", ["chat", "chat_streaming"])
def test_a_go_chat_sends_its_history_and_prints_the_answer_that_needs_it(
    example: str, runs: dict[str, Run]
) -> None:
    run = runs[example]
    expected = GuideExample("How many paws are in my house?", "guide-chat-how-many-paws")
    printed = check_answer(run)
    expected.check_text(printed)
    # Println for the whole answer, Print for each chunk of the stream.
    assert run.line["output"] == (printed + "\n" if example == "chat" else printed)
    assert run.generate.request == {"contents": HISTORY}
    assert run.generate.answered_by == "fixture:guide-chat-how-many-paws"


def inline_image(part: dict[str, Any], data: bytes, mime_type: str = "image/jpeg") -> None:
    """An ``inlineData`` part as journalled: the bytes' base64, or their hash when long."""
    inline = part["inlineData"]
    assert inline["mimeType"] == mime_type
    if isinstance(inline["data"], dict):
        assert inline["data"] == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    else:
        assert base64.b64decode(inline["data"]) == data


def check_image_answer(run: Run, example: str) -> list[dict[str, Any]]:
    """The synthetic answer to an image prompt, printed; returns the prompt's parts."""
    assert run.line["output"] == check_answer(run) + "\n"
    usage = run.answer()[0]["usageMetadata"]
    details = {d["modality"]: d["tokenCount"] for d in usage["promptTokensDetails"]}
    assert details["IMAGE"] == IMAGE_TOKENS[example], details
    assert sum(details.values()) == usage["promptTokenCount"]
    call = run.generate
    assert (call.path, call.status, call.answered_by) == (
        f"/v1/models/{MODEL}:generateContent",
        200,
        "synthetic",
    )
    assert call.request is not None
    (content,) = call.request["contents"]
    assert content["role"] == "user"
    parts: list[dict[str, Any]] = content["parts"]
    return parts


def test_the_go_multimodal_example_sends_the_jpeg_after_the_question(
    runs: dict[str, Run],
) -> None:
    run = runs["multimodal_image"]
    text, image = check_image_answer(run, "multimodal_image")
    assert text == {"text": "Tell me about this instrument"}
    inline_image(image, run.assets.read("organ.jpg"))


@pytest.mark.parametrize(
    ("example", "file"),
    [("inline_image_bytes", "small-sample.jpg"), ("image_from_url", "instrument.jpg")],
)
def test_a_go_inline_image_example_sends_the_image_before_the_caption_request(
    example: str, file: str, runs: dict[str, Run]
) -> None:
    run = runs[example]
    image, text = check_image_answer(run, example)
    inline_image(image, run.assets.read(file))
    assert text == {"text": "Caption this image."}


def uploaded_file(run: Run, file: str) -> dict[str, Any]:
    """The upload: a resumable start naming the size and type, one chunk that finalizes,
    and the File it made (checked against the bytes); returns the File."""
    data = run.assets.read(file)
    start, chunk = run.exchanges[:2]
    assert (start["method"], start["path"], start["query"]) == ("POST", "/upload/v1/files", "")
    headers = start["requestHeaders"]
    assert headers["x-goog-upload-protocol"] == "resumable"
    assert headers["x-goog-upload-command"] == "start"
    assert headers["x-goog-upload-header-content-length"] == str(len(data))
    assert headers["x-goog-upload-header-content-type"] == "image/jpeg"
    assert chunk["requestHeaders"]["x-goog-upload-command"] == "upload, finalize"
    assert chunk["requestHeaders"]["x-goog-upload-offset"] == "0"
    assert run.calls[0].request == {"file": {"mimeType": "image/jpeg"}}
    the_file: dict[str, Any] = json.loads(chunk["body"])["file"]
    file_id = FilesKit().check_file(the_file, data, version="v1", mime_type="image/jpeg")
    assert run.calls[1].answered_by == f"file:{file_id}"
    return the_file


def test_the_go_upload_example_captions_the_file_it_uploaded(runs: dict[str, Run]) -> None:
    run = runs["uploaded_image"]
    the_file = uploaded_file(run, "sample.jpg")
    text, file_part = check_image_answer(run, "uploaded_image")
    assert text == {"text": "Caption this image."}
    assert file_part == {"fileData": {"fileUri": the_file["uri"], "mimeType": "image/jpeg"}}


def test_the_go_two_images_example_sends_one_inline_and_one_uploaded(
    runs: dict[str, Run],
) -> None:
    run = runs["several_images"]
    the_file = uploaded_file(run, "image1.jpg")
    text, inline, file_part = check_image_answer(run, "several_images")
    assert text == {"text": "What is different between these two images?"}
    inline_image(inline, run.assets.read("image2.jpeg"))
    assert file_part == {"fileData": {"fileUri": the_file["uri"], "mimeType": "image/jpeg"}}


# --- the program itself ------------------------------------------------------------------------


def test_a_go_example_whose_call_fails_is_reported_not_ok(built: Build, tmp_path: Path) -> None:
    # The guide's examples drop the error: result.Text() on a nil result panics.
    app = create_app(FakeConfig(faults=({"calls": [1], "error": {"status": 503}},)))
    with ThreadedServer(app) as server:
        line = start_go(built.binary, Fake(app, server.base_url), tmp_path, "text_generation")
        (fails,) = line.lines().values()
    assert not fails["ok"]
    assert "nil pointer dereference" in fails["error"]
    assert [e["status"] for e in fails["exchanges"]] == [503]


def test_the_go_program_refuses_an_example_it_does_not_have(built: Build) -> None:
    done = subprocess.run(
        [str(built.binary), "no_such_example"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert 'unknown example "no_such_example"' in done.stderr
