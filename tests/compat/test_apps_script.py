"""The guide's Apps Script examples, verbatim, in node against the fake (tests/js/APPS_SCRIPT.md).

``tests/js/appsscript/run.mjs`` runs each ``.gs`` file as Apps Script runs a function, through a
shim of the services the examples call: ``UrlFetchApp.fetch`` (synchronous), the response and
its blob, ``Utilities.base64Encode``, the script properties, ``console`` and ``Logger``. Requests
to ``https://generativelanguage.googleapis.com`` go to a fake served on loopback, and the
guide's placeholder ``http://image/url`` to a picture made here.

Node starts slowly, so one node process runs every example and the shim's own check script
(``checks/shim_fetch.gs``) against one fake; each test reads its script's JSON line (what it
logged, what it fetched, what it threw) and its part of the fake's journal and wire.

What the examples do against the real service, the fake reproduces: the text examples log the
answer; the streaming ones get a JSON array (no ``alt=sse``) and fail reading
``data['candidates']`` from it; the image one sends an ``image`` part, which the service refuses
with a 400 that ``UrlFetchApp.fetch`` turns into an exception.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance._guide import guide_code, picture, read_guide
from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.guide_answers import EXAMPLES as TEXT_EXAMPLES
from tests.kit.guide_answers import MODEL, NEKO, SHIPPED_FIXTURES, GuideExample
from tests.kit.node import JS_DIR, JS_OVERRIDING_ENV
from tests.kit.serving import free_port
from tests.kit.toolchains import require
from tests.kit.wire import Exchange, tap

pytestmark = [pytest.mark.needs("node")]

SHIM = JS_DIR / "appsscript"
SERVICE = "https://generativelanguage.googleapis.com"
KEY = "apps-script-test-key"
UNREACHABLE = "https://unreachable.example"
TRUNCATED_AT = 147  # the characters of a body a failed fetch's exception quotes (shim.mjs)
USER_AGENT = (
    "Mozilla/5.0 (compatible; Google-Apps-Script; beanserver; +https://script.google.com;"
    " id: gemini-ref-apps-script-shim)"
)

# The guide's Apps Script examples in its order (examples/<name>.gs), and the section of each.
SECTIONS = {
    "text_generation": "Text generation",
    "thinking": "Thinking with Gemini 2.5",
    "system_instruction": "System instructions and other configurations",
    "generation_config": "System instructions and other configurations (generationConfig)",
    "multimodal_image": "Multimodal inputs",
    "streaming": "Streaming responses",
    "chat": "Multi-turn conversations (Chat)",
    "chat_streaming": "Multi-turn conversations (Chat), streamed",
}
CHECKS = ("shim_fetch",)

# The text examples, as every client should send them. Apps Script sends what the script wrote:
# no role on the system instruction, and generationConfig exactly as given.
HOW_AI_DOES_WORK = GuideExample("How AI does work?", "guide-how-ai-does-work")
GENERATES: dict[str, tuple[GuideExample, str]] = {
    "text_generation": (HOW_AI_DOES_WORK, "generateContent"),
    "thinking": (HOW_AI_DOES_WORK, "generateContent"),
    "system_instruction": (
        GuideExample("Hello there", "guide-system-instruction-neko", system_instruction=NEKO),
        "generateContent",
    ),
    "generation_config": (
        GuideExample(
            "Explain how AI works in a few words",
            "guide-explain-how-ai-works-in-a-few-words",
            {"temperature": 1, "topP": 0.95, "topK": 40, "responseMimeType": "text/plain"},
        ),
        "generateContent",
    ),
    "streaming": (TEXT_EXAMPLES["stream"], "streamGenerateContent"),
}
CHAT_FIXTURE = "guide-chat-two-dogs-how-many-paws"
CHAT_TURNS = [
    {"role": "user", "parts": [{"text": "Hello"}]},
    {"role": "model", "parts": [{"text": "Great to meet you. What would you like to know?"}]},
    {
        "role": "user",
        "parts": [{"text": "I have two dogs in my house. How many paws are in my house?"}],
    },
]


@dataclass
class Run:
    """One script's outcome: its JSON line, and the fake's journal entries and exchanges for
    the requests it sent to the service."""

    line: dict[str, Any]
    calls: list[Entry]
    exchanges: list[Exchange]

    @property
    def logged(self) -> list[str]:
        return [entry["text"] for entry in self.line["logged"]]

    @property
    def call(self) -> Entry:
        (call,) = self.calls
        return call

    @property
    def exchange(self) -> Exchange:
        (exchange,) = self.exchanges
        return exchange

    def threw(self) -> tuple[str, str]:
        assert not self.line["ok"], self.line
        return self.line["error"]["name"], self.line["error"]["message"]


def example_text(name: str) -> str:
    return (SHIM / "examples" / f"{name}.gs").read_text(encoding="utf-8")


def fixture_text(fixture: str) -> str:
    data = json.loads((SHIPPED_FIXTURES / f"{fixture}.json").read_text("utf-8"))
    text: str = data["answer"]["text"]
    return text


def signed(data: bytes) -> list[int]:
    return [b - 256 if b > 127 else b for b in data]


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the guide's http://image/url stands for: a JPEG of 400x300 (conformance's
    instrument.jpg)."""
    path = tmp_path_factory.mktemp("apps-script") / "instrument.jpg"
    picture(400, 300, 3).save(path)
    return path


@pytest.fixture(scope="module")
def runs(image: Path) -> dict[str, Run]:
    require("node")
    scripts = [*SECTIONS, *CHECKS]
    app = create_app(FakeConfig(api_keys=frozenset({KEY}), strict=True, default_fixtures=True))
    exchanges = tap(app)
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        env = {k: v for k, v in os.environ.items() if k not in JS_OVERRIDING_ENV}
        env.update(fake.env, APPS_SCRIPT_IMAGE=str(image))
        # Nothing listens on a free port: the check script's unreachable host.
        env["APPS_SCRIPT_ROUTES"] = json.dumps({UNREACHABLE: f"http://127.0.0.1:{free_port()}"})
        done = subprocess.run(
            ["node", "appsscript/run.mjs", *scripts],
            cwd=JS_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["example"] for line in lines] == scripts
    # The scripts ran one after another: each owns as many journal entries and exchanges as
    # it sent requests to the service.
    entries, sent = list(fake.journal.entries), list(exchanges)
    assert len(entries) == len(sent)
    found = {}
    for line in lines:
        count = sum(1 for fetch in line["fetches"] if fetch["url"].startswith(SERVICE + "/"))
        found[line["example"]] = Run(line, entries[:count], sent[:count])
        entries, sent = entries[count:], sent[count:]
    assert entries == [] and sent == []
    return found


# --- the copies are the guide's ----------------------------------------------------------------


def test_the_apps_script_examples_are_still_the_guides() -> None:
    assert [example_text(name) for name in SECTIONS] == guide_code(read_guide(), "Apps Script")


def test_the_guides_apps_script_examples_name_the_service_and_the_key_property() -> None:
    for name in SECTIONS:
        text = example_text(name)
        assert f"'{SERVICE}/v1beta/models/{MODEL}:" in text, name
        assert "getScriptProperties().getProperty('GEMINI_API_KEY')" in text, name


# --- every request, as Apps Script sends it ----------------------------------------------------


def test_every_request_carries_the_key_and_the_apps_script_user_agent(
    runs: dict[str, Run],
) -> None:
    exchanges = [exchange for run in runs.values() for exchange in run.exchanges]
    assert len(exchanges) == 11
    for exchange in exchanges:
        assert exchange.request_header("x-goog-api-key") == KEY, exchange.path
        assert exchange.request_header("user-agent") == USER_AGENT, exchange.path
        assert "key=" not in exchange.query


@pytest.mark.parametrize("example", SECTIONS)
def test_an_example_posts_json_to_the_service_and_nothing_else(
    example: str, runs: dict[str, Run]
) -> None:
    run = runs[example]
    to_service = [f for f in run.line["fetches"] if f["url"].startswith(SERVICE)]
    assert [(f["method"], f["contentType"]) for f in to_service] == [("POST", "application/json")]
    assert run.exchange.method == "POST"
    assert run.exchange.request_header("content-type") == "application/json"
    assert run.exchange.query == ""  # no alt=sse: the streaming examples get a JSON array


# --- the text examples log the answer -----------------------------------------------------------


@pytest.mark.parametrize("example", ["text_generation", "thinking", "system_instruction"])
def test_a_text_example_logs_its_fixtures_answer(example: str, runs: dict[str, Run]) -> None:
    run = runs[example]
    guide, rpc = GENERATES[example]
    assert run.line["ok"], run.line.get("error")
    assert run.line["logged"] == [
        {"via": "console.log", "level": "INFO", "text": guide.expected_text()}
    ]
    guide.check_call(run.call, "v1beta", system_role=False, rpc=rpc)


def test_the_generation_config_example_sends_its_config_and_logs_the_answer(
    runs: dict[str, Run],
) -> None:
    run = runs["generation_config"]
    guide, rpc = GENERATES["generation_config"]
    assert run.logged == [guide.expected_text()]
    guide.check_call(run.call, "v1beta", rpc=rpc)
    assert run.call.request is not None
    assert run.call.request["generationConfig"] == {
        "temperature": 1,
        "topP": 0.95,
        "topK": 40,
        "responseMimeType": "text/plain",
    }


def test_the_chat_example_sends_the_whole_history_and_logs_the_answer(
    runs: dict[str, Run],
) -> None:
    run = runs["chat"]
    assert run.logged == [fixture_text(CHAT_FIXTURE)]
    call = run.call
    assert (call.rpc, call.path, call.status) == (
        "generateContent",
        f"/v1beta/models/{MODEL}:generateContent",
        200,
    )
    assert call.answered_by == f"fixture:{CHAT_FIXTURE}"
    assert call.request == {"contents": CHAT_TURNS}


# --- the streaming examples read the JSON array as one object ----------------------------------


def chunk_texts(exchange: Exchange) -> str:
    chunks = json.loads(exchange.body)
    assert isinstance(chunks, list) and len(chunks) > 1
    return "".join(part["text"] for c in chunks for part in c["candidates"][0]["content"]["parts"])


@pytest.mark.parametrize(
    ("example", "fixture"),
    [("streaming", "guide-explain-how-ai-works"), ("chat_streaming", CHAT_FIXTURE)],
)
def test_a_streaming_example_gets_the_json_array_and_throws_reading_it(
    example: str, fixture: str, runs: dict[str, Run]
) -> None:
    run = runs[example]
    # `data['candidates']` of an array is undefined; `[0]` of that throws, before any log.
    assert run.threw() == ("TypeError", "Cannot read properties of undefined (reading '0')")
    assert run.logged == []
    call = run.call
    assert (call.rpc, call.status, call.answered_by) == (
        "streamGenerateContent",
        200,
        f"fixture:{fixture}",
    )
    # The whole answer came, as the service sends a stream without alt=sse.
    assert run.exchange.header("content-type") == "application/json; charset=UTF-8"
    assert chunk_texts(run.exchange) == fixture_text(fixture)
    assert run.line["fetches"][0]["size"] == len(run.exchange.body)


def test_the_streaming_example_sends_what_the_text_example_sends(runs: dict[str, Run]) -> None:
    guide, rpc = GENERATES["streaming"]
    guide.check_call(runs["streaming"].call, "v1beta", rpc=rpc)
    assert runs["chat_streaming"].call.request == {"contents": CHAT_TURNS}


# --- the image example: the placeholder fetched, the image part refused ------------------------


def test_the_image_example_fetches_the_placeholder_from_the_local_file(
    runs: dict[str, Run], image: Path
) -> None:
    placeholder, _ = runs["multimodal_image"].line["fetches"]
    assert placeholder == {
        "url": "http://image/url",
        "method": "GET",
        "contentType": None,
        "status": 200,
        "responseType": "image/jpeg",
        "size": image.stat().st_size,
    }


def test_the_image_example_throws_the_exception_apps_script_throws_for_the_400(
    runs: dict[str, Run], image: Path
) -> None:
    run = runs["multimodal_image"]
    call = run.call
    assert (call.rpc, call.status, call.answered_by) == (
        "generateContent",
        400,
        "error:INVALID_ARGUMENT",
    )
    error = json.loads(run.exchange.body)["error"]
    assert error["message"] == (
        "Invalid JSON payload received. Unknown name \"image\" at 'contents[0].parts[0]':"
        " Cannot find field."
    )
    assert error["status"] == "INVALID_ARGUMENT"
    # The image went, base64 in the part the service does not know.
    assert run.exchange.request_size > len(base64.b64encode(image.read_bytes()))

    body = run.exchange.body.decode()
    assert len(body) > TRUNCATED_AT
    assert run.threw() == (
        "Exception",
        f"Request failed for {SERVICE} returned code 400. Truncated server response:"
        f" {body[:TRUNCATED_AT]}... (use muteHttpExceptions option to examine full response)",
    )
    assert 'Unknown name \\"image\\"' in run.threw()[1]  # the quoted part names the field
    assert run.logged == []


# --- the shim's own check: what the examples rely on without showing ---------------------------


def test_the_shim_mutes_reads_and_encodes_as_apps_script(runs: dict[str, Run], image: Path) -> None:
    run = runs["shim_fetch"]
    data = image.read_bytes()
    assert run.logged == [
        "code 404",
        "application/json; charset=UTF-8",
        "NOT_FOUND",
        f"models/{MODEL}",
        "form 400",
        "image/jpeg",
        f"{len(data)} bytes, from {min(signed(data))} to {max(signed(data))}",
        base64.b64encode(data).decode(),
        base64.b64encode("Grüße".encode()).decode(),
        f"Exception: Address unavailable: {UNREACHABLE}/",
    ]
    missing, model, form = run.calls
    assert (missing.rpc, missing.model, missing.status) == ("generateContent", "gemini-nope", 404)
    assert (model.rpc, model.method, model.status) == ("models.get", "GET", 200)
    assert (form.rpc, form.status) == ("countTokens", 400)


def test_the_shim_sends_a_get_without_a_body_and_an_object_as_a_form(
    runs: dict[str, Run],
) -> None:
    _, get, form = runs["shim_fetch"].exchanges
    assert (get.method, get.request_header("content-type"), get.request_size) == ("GET", None, 0)
    assert form.request_header("content-type") == "application/x-www-form-urlencoded"
    assert form.request_size == len("text=two+words")


def test_the_shim_sends_nothing_to_a_host_it_has_no_route_for(runs: dict[str, Run]) -> None:
    run = runs["shim_fetch"]
    assert run.threw() == ("Error", "no route for https://example.com (loopback only)")
    assert run.line["fetches"][-1] == {
        "url": "https://example.com/",
        "method": "GET",
        "contentType": None,
    }
