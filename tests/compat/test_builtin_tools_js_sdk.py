"""The built-in tools through the official JS SDK (@google/genai) over a socket
(``tests/js/builtin_tools.mjs``): its ``executableCode`` and ``codeExecutionResult`` getters, the
grounding supports (UTF-8 byte slices of the answer) and the URL context metadata, unary and
streamed (docs/evidence.md#service-builtin-tools)."""

from __future__ import annotations

from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.node import start_node

pytestmark = [pytest.mark.sdk, pytest.mark.node]

CODE = "result = 12 * (5 + 3)\nprint(result)\n"
URLS = [
    {
        "retrievedUrl": "https://example.com/guide",
        "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
    },
    {"retrievedUrl": "http://localhost:9/x", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_ERROR"},
]


@pytest.fixture(scope="module")
def lines() -> dict[str, dict[str, Any]]:
    """Each example's JSON line, from one node process against a fake on a socket."""
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        examples = ("unary", "stream", "maps", "combined", "refused")
        return start_node(fake, *examples, script="builtin_tools.mjs").lines()


def check_grounding(metadata: dict[str, Any], text: str) -> None:
    assert metadata["webSearchQueries"][0].startswith("qu'est-ce que 12")
    supports = metadata["groundingSupports"]
    assert supports
    for support in supports:
        segment = support["segment"]
        start = segment.get("startIndex", 0)
        assert text.encode()[start : segment["endIndex"]].decode() == segment["text"]
        assert all(
            0 <= i < len(metadata["groundingChunks"]) for i in support["groundingChunkIndices"]
        )


def test_the_js_sdk_reads_a_unary_answer_with_built_in_tools(
    lines: dict[str, dict[str, Any]],
) -> None:
    line = lines["unary"]
    assert line["ok"], line
    assert line["executableCode"] == CODE
    assert line["codeExecutionResult"] == "96\n"
    assert line["text"].startswith("Running the code prints 96.")
    check_grounding(line["groundingMetadata"], line["text"])
    assert line["urlContextMetadata"] == {"urlMetadata": URLS}


def test_the_js_sdk_reads_a_streamed_answer_with_built_in_tools(
    lines: dict[str, dict[str, Any]],
) -> None:
    line = lines["stream"]
    assert line["ok"], line
    chunks = line["chunks"]
    assert len(chunks) > 2
    assert chunks[0]["executableCode"] == CODE
    assert [c["codeExecutionResult"] for c in chunks if c["codeExecutionResult"]] == ["96\n"]
    text = "".join(c["text"] or "" for c in chunks)
    assert text == lines["unary"]["text"]
    for chunk in chunks:
        check_grounding(chunk["groundingMetadata"], text)
        assert chunk["urlContextMetadata"] == {"urlMetadata": URLS}


def test_the_js_sdk_reads_places_from_google_maps(lines: dict[str, dict[str, Any]]) -> None:
    line = lines["maps"]
    assert line["ok"], line
    unary, chunks = line["unary"], line["chunks"]
    metadata = unary["groundingMetadata"]
    places = [chunk["maps"] for chunk in metadata["groundingChunks"]]
    assert places and all("Italian" in p["title"] and p["title"] in unary["text"] for p in places)
    assert all(p["placeId"].startswith("places/ChIJ") for p in places)
    assert metadata["googleMapsWidgetContextToken"].startswith("widgetcontent/")
    for support in metadata["groundingSupports"]:
        segment = support["segment"]
        start = segment.get("startIndex", 0)
        assert unary["text"].encode()[start : segment["endIndex"]].decode() == segment["text"]
    assert "".join(c["text"] or "" for c in chunks) == unary["text"]
    assert all(c["groundingMetadata"] == metadata for c in chunks)


def test_the_js_sdk_calls_a_function_beside_the_search_and_sends_its_id_back(
    lines: dict[str, dict[str, Any]],
) -> None:
    line = lines["combined"]
    assert line["ok"], line
    (call,) = line["calls"]
    assert call["name"] == "getWeather" and call["args"] == {"city": "Utqiagvik"}
    assert len(call["id"]) == 8
    kinds = [next(k for k in part if k != "thoughtSignature") for part in line["parts"]]
    assert kinds == ["toolCall", "toolResponse", "functionCall"]
    assert "snow, -12 °C" in line["text"]


def test_the_js_sdk_throws_the_services_refusal_before_gemini_3(
    lines: dict[str, dict[str, Any]],
) -> None:
    thrown = lines["refused"]["thrown"]
    assert thrown["name"] == "ApiError" and thrown["status"] == 400
    assert "Tool use with function calling is unsupported by the model." in thrown["message"]
