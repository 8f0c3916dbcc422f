"""The official JS SDK (@google/genai 2.32.0) against the fake, through ``tests/js/guide.mjs``.

Node starts slowly, so one ``node guide.mjs <every example>`` run serves the whole module: it
talks to a fake of its own (started here, as ``gemini_fake_server`` would be, but for the whole
module) and each test reads its example's JSON line and its part of that fake's journal. The
child's environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY`` only, with
the variables that would override them removed (tests/js/README.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.model import catalog
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.guide_answers import GuideExample
from tests.kit.node import JS_API, start_node

pytestmark = [pytest.mark.sdk, pytest.mark.node]

# Each example, in the order they run, and the RPC it calls ("stream" is a later issue).
GENERATE = (
    "basic",
    "thinking_off",
    "system_instruction",
    "temperature",
    "config_full",
    "stop_sequences",
)
RPCS = {
    **dict.fromkeys(GENERATE, "generateContent"),
    "count_tokens": "countTokens",
    "models_get": "models.get",
    "models_list": "models.list",  # one call per page
    "bad_model": "generateContent",
}


@dataclass
class Run:
    """One example's outcome: its JSON line and the requests the fake received for it."""

    line: dict[str, Any]
    calls: list[Entry]

    @property
    def response(self) -> dict[str, Any]:
        assert self.line["ok"], self.line.get("error")
        response: dict[str, Any] = self.line["response"]
        return response

    @property
    def call(self) -> Entry:
        (call,) = self.calls
        return call


def split_journal(entries: list[Entry], examples: list[str]) -> dict[str, list[Entry]]:
    """The journal cut into each example's calls (the examples run one after another)."""
    calls: dict[str, list[Entry]] = {}
    rest = list(entries)
    for example in examples:
        taken = 1
        if example == "models_list":  # every page is a call
            while taken < len(rest) and rest[taken].rpc == "models.list":
                taken += 1
        calls[example], rest = rest[:taken], rest[taken:]
        assert {e.rpc for e in calls[example]} == {RPCS[example]}, (example, calls[example])
    assert not rest, rest
    return calls


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    examples = list(RPCS)
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        # In order, each a JSON line; the SDK must not have complained on stderr.
        lines = start_node(fake, *examples).lines()
    calls = split_journal(fake.journal.entries, examples)
    return {example: Run(line, calls[example]) for example, line in lines.items()}


def check_generated(run: Run, guide: GuideExample) -> None:
    response = run.response
    guide.check_text(run.line["text"])
    assert run.line["text"] == response["candidates"][0]["content"]["parts"][0]["text"]
    assert response["modelVersion"] == "gemini-2.5-flash"
    assert re.fullmatch(r"[A-Za-z0-9_-]{23}", response["responseId"])
    (candidate,) = response["candidates"]
    assert (candidate["finishReason"], candidate["index"]) == ("STOP", 0)
    assert candidate["content"]["role"] == "model"
    guide.check_usage(response["usageMetadata"])
    guide.check_call(run.call, JS_API)


@pytest.mark.parametrize("example", GENERATE)
def test_a_guide_example_gets_its_fixture_answer_through_the_js_sdk(
    example: str, runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    check_generated(runs[example], guide_examples[example])


def test_thinking_budget_zero_reaches_the_fake_from_js(runs: dict[str, Run]) -> None:
    run = runs["thinking_off"]

    assert "thoughtsTokenCount" not in run.response["usageMetadata"]
    assert run.call.request is not None
    assert run.call.request["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 0}}


def test_the_go_config_example_answers_json_text_in_js(
    runs: dict[str, Run], guide_examples: dict[str, GuideExample]
) -> None:
    assert (
        json.loads(runs["config_full"].line["text"])
        == (guide_examples["config_full"].answer()["json"])
    )


def test_count_tokens_in_js_equals_the_prompt_token_count_of_generate_content(
    runs: dict[str, Run],
) -> None:
    counted = runs["count_tokens"].response
    generated = runs["basic"].response  # the same contents: "How does AI work?"

    assert counted["totalTokens"] == generated["usageMetadata"]["promptTokenCount"]
    call = runs["count_tokens"].call
    assert (call.path, call.status) == (f"/{JS_API}/models/gemini-2.5-flash:countTokens", 200)
    assert call.request == {
        "contents": [{"parts": [{"text": "How does AI work?"}], "role": "user"}]
    }


def test_models_get_in_js_returns_the_model_resource(runs: dict[str, Run]) -> None:
    model = runs["models_get"].response

    assert model["name"] == "models/gemini-2.5-flash"
    assert model["displayName"] == "Gemini 2.5 Flash"
    assert model["version"] == "001"
    assert (model["inputTokenLimit"], model["outputTokenLimit"]) == (1_048_576, 65_536)
    assert {"generateContent", "countTokens"} <= set(model["supportedActions"])
    assert (model["temperature"], model["maxTemperature"], model["topP"], model["topK"]) == (
        1,
        2,
        0.95,
        64,
    )
    assert model["thinking"] is True
    call = runs["models_get"].call
    path = f"/{JS_API}/models/gemini-2.5-flash"
    assert (call.method, call.path, call.status) == ("GET", path, 200)


def test_models_list_in_js_pages_through_the_whole_catalogue(runs: dict[str, Run]) -> None:
    run = runs["models_list"]

    assert run.response["names"] == [f"models/{m.id}" for m in catalog.MODELS]
    assert len(run.calls) == -(-len(catalog.MODELS) // 2)  # pageSize 2
    assert {(c.path, c.status) for c in run.calls} == {(f"/{JS_API}/models", 200)}


def test_an_unknown_model_is_an_api_error_404_with_the_real_body_in_js(
    runs: dict[str, Run],
) -> None:
    line = runs["bad_model"].line

    assert line["ok"] is False
    error = line["error"]
    assert (error["name"], error["status"]) == ("ApiError", 404)
    assert json.loads(error["message"]) == {
        "error": {
            "code": 404,
            "message": f"models/gemini-nope is not found for API version {JS_API}, or is not "
            "supported for generateContent. Call ModelService.ListModels to see the list of "
            "available models and their supported methods.",
            "status": "NOT_FOUND",
        }
    }
    assert runs["bad_model"].call.status == 404
