"""The official Go and Java SDKs against the fake beyond the guide: what apps put in a
generateContent call (functions chosen by meaning, built-in tools, Google Maps, tools beside
functions on Gemini 3, log probabilities) and the APIs around it (embeddings, context caches,
batches), written as an app would, in ``tests/go/features.go``
(built into the guide's Go program, ``tests/kit/go_guide.py``) and
``tests/java/src/main/java/AppFeatures.java`` (run by ``GuideRun``). Each example prints what
the SDK read back as one JSON value, the same in both languages, and the same checks read it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.go_guide import build, missing_modules, start_go
from tests.kit.java import compile_examples, require_java, start_java
from tests.kit.toolchains import require

pytestmark = pytest.mark.sdk

EXAMPLES = (
    "tool_choice",
    "builtin_tools",
    "google_maps",
    "tools_combined",
    "logprobs",
    "embeddings",
    "caches",
    "batches",
)
BATCH_DELAY = 0.3  # seconds a batch takes, on the fake's clock (real time here): a few polls


def go_printed(fake: Fake, assets: Path) -> dict[str, Any]:
    require("go", "gofmt", missing=missing_modules())
    lines = start_go(build().binary, fake, assets, *EXAMPLES).lines()
    for line in lines.values():
        assert line["ok"], line
        assert line["logged"] == "", line  # the SDK found nothing to warn of
    return {name: json.loads(line["output"]) for name, line in lines.items()}


def java_printed(fake: Fake, assets: Path) -> dict[str, Any]:
    require_java()
    lines = start_java(fake, compile_examples(), *EXAMPLES).lines()
    for line in lines.values():
        assert line["ok"], line
        assert line["logged"] == [] and line["stderr"] == "", line  # nothing to warn of
    return {name: json.loads(line["printed"]) for name, line in lines.items()}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(go_printed, id="go", marks=pytest.mark.go),
        pytest.param(java_printed, id="java", marks=pytest.mark.java),
    ],
)
def printed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """What each example printed, from one run of the language's program against a fake on a
    socket."""
    app = create_app(FakeConfig(batch_delay=BATCH_DELAY))
    with ThreadedServer(app) as server:
        run: Callable[[Fake, Path], dict[str, Any]] = request.param
        return run(Fake(app, server.base_url), tmp_path_factory.mktemp("features"))


def test_the_sdk_calls_functions_chosen_by_meaning_and_reads_the_answer_after(
    printed: dict[str, Any],
) -> None:
    umbrella, haiku, two_cities = printed["tool_choice"]
    assert umbrella["calls"] == [{"name": "get_weather", "args": {"city": "Paris"}}]
    assert "sunny in Paris" in umbrella["after"]
    assert not haiku["calls"] and haiku["text"]  # no tool for a poem
    assert two_cities["calls"] == [
        {"name": "get_weather", "args": {"city": "Boston"}},
        {"name": "get_weather", "args": {"city": "Paris"}},
    ]
    assert "sunny in Boston" in two_cities["after"] and "sunny in Paris" in two_cities["after"]


def check_supports(grounding: dict[str, Any], text: str) -> None:
    supports = grounding["groundingSupports"]
    assert supports
    for support in supports:
        segment = support["segment"]
        start = segment.get("startIndex", 0)
        assert text.encode()[start : segment["endIndex"]].decode() == segment["text"]


def test_the_sdk_reads_built_in_tools_unary_and_streamed(printed: dict[str, Any]) -> None:
    answer = printed["builtin_tools"]
    assert answer["code"] == "result = 12 * (5 + 3)\nprint(result)\n"
    assert answer["result"] == "96\n"
    assert answer["text"].startswith("Running the code prints 96.")
    grounding = answer["grounding"]
    assert grounding["webSearchQueries"] and grounding["searchEntryPoint"]["renderedContent"]
    assert all(c["web"]["uri"].startswith("https://") for c in grounding["groundingChunks"])
    check_supports(grounding, answer["text"])
    assert [m["urlRetrievalStatus"] for m in answer["urlContext"]["urlMetadata"]] == [
        "URL_RETRIEVAL_STATUS_SUCCESS",
        "URL_RETRIEVAL_STATUS_ERROR",
    ]
    assert answer["usage"]["toolUsePromptTokenCount"] > 0
    chunks = answer["chunks"]
    assert len(chunks) > 2 and all(c["grounding"] == grounding for c in chunks)
    assert "".join(c["text"] for c in chunks) == answer["text"]
    assert [c["result"] for c in chunks if c.get("result")] == ["96\n"]
    assert answer["chunks"][0]["grounding"]["groundingChunks"] == grounding["groundingChunks"]


def test_the_sdk_reads_places_from_google_maps(printed: dict[str, Any]) -> None:
    answer = printed["google_maps"]
    grounding = answer["grounding"]
    places = [chunk["maps"] for chunk in grounding["groundingChunks"]]
    assert places and all(p["title"] in answer["text"] and "Italian" in p["title"] for p in places)
    assert all(p["placeId"].startswith("places/") for p in places)
    assert grounding["googleMapsWidgetContextToken"].startswith("widgetcontent/")
    check_supports(grounding, answer["text"])


def test_the_sdk_calls_a_function_beside_the_search_on_gemini_3_only(
    printed: dict[str, Any],
) -> None:
    answer = printed["tools_combined"]
    kinds = [next(k for k in part if k != "thoughtSignature") for part in answer["parts"]]
    assert kinds == ["toolCall", "toolResponse", "functionCall"]
    (call,) = answer["calls"]
    assert call["name"] == "getWeather" and call["args"] == {"city": "Utqiagvik"}
    assert len(call["id"]) == 8
    assert "snow, -12 °C" in answer["text"]
    assert answer["refused"]["code"] == 400
    assert answer["refused"]["message"] == (
        "Tool use with function calling is unsupported by the model."
    )


def test_the_sdk_reads_log_probabilities_and_their_refusal(printed: dict[str, Any]) -> None:
    answer = printed["logprobs"]
    result = answer["result"]
    chosen = result["chosenCandidates"]
    assert "".join(c["token"] for c in chosen) == answer["text"]
    assert len(result["topCandidates"]) == len(chosen)
    assert all(len(top["candidates"]) == 3 for top in result["topCandidates"])
    mean = sum(c["logProbability"] for c in chosen) / len(chosen)
    assert answer["avgLogprobs"] == pytest.approx(mean, abs=1e-6)
    assert answer["refused"]["code"] == 400
    assert answer["refused"]["message"] == "Logprobs is not enabled for models/gemini-2.5-flash"


def test_the_sdk_embeds_and_the_nearest_document_answers_the_question(
    printed: dict[str, Any],
) -> None:
    answer = printed["embeddings"]
    assert answer["count"] == 5 and answer["dimensions"] == 768
    assert answer["nearest"] == 4  # "Jupiter is the largest planet ..., a gas giant."
    assert answer["refused"]["code"] == 400
    assert "at most 100 requests can be in one batch" in answer["refused"]["message"]


def test_the_sdk_creates_lists_extends_uses_and_deletes_caches(printed: dict[str, Any]) -> None:
    answer = printed["caches"]
    created = answer["created"]
    names = [cache["name"] for cache in created]
    assert all(re.fullmatch(r"cachedContents/[a-z0-9]{40}", name) for name in names)
    assert [cache["displayName"] for cache in created] == ["manual 0", "manual 1", "manual 2"]
    assert answer["got"]["name"] == names[0] and answer["got"]["model"] == "models/gemini-2.5-flash"
    assert sorted(answer["listed"]) == sorted(names)  # every page of two, read by the pager
    assert 3290 <= answer["extended"] <= 3310  # an hour from now, not five minutes
    usage = answer["usage"]
    assert usage["cachedContentTokenCount"] == created[0]["usageMetadata"]["totalTokenCount"]
    assert usage["promptTokenCount"] > usage["cachedContentTokenCount"]
    assert answer["gone"]["code"] == 403


def test_the_sdk_polls_a_batch_until_it_is_done_and_reads_its_answers(
    printed: dict[str, Any],
) -> None:
    answer = printed["batches"]
    assert re.fullmatch(r"batches/[\w-]+", answer["name"])
    assert answer["display"] == "colours and greetings"
    states = answer["states"]
    assert states[0] == "JOB_STATE_PENDING" and states[-1] == "JOB_STATE_SUCCEEDED"
    assert len(states) > 2  # polled while it ran
    prompts = [a["metadata"]["prompt"] for a in answer["answers"]]
    assert prompts == ["Name a primary colour.", "Say hello in French."]
    assert all(a["text"] for a in answer["answers"])
    assert answer["name"] in answer["listed"]
    assert answer["gone"]["code"] == 404
