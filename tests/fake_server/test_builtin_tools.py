"""The built-in tools on a synthetic answer (docs/evidence.md#service-grounding,
docs/evidence.md#service-builtin-tools): Google Search gives ``groundingMetadata`` whose supports
are UTF-8 byte slices of the answer; code execution gives ``executableCode`` and
``codeExecutionResult`` parts before the text, arithmetic worked out without running anything;
URL context gives one ``urlMetadata`` entry per URL of the prompt; the tool-use tokens count in
the total; a stream carries the metadata on every chunk; a fixture answers as before."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from fake_server.model import builtin_tools, grounding
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, ask, new_fake

FLASH = "gemini-2.5-flash"
GEMINI_3 = "gemini-3-flash-preview"
PROMPT = "Wer gewann die Fußball-EM 2024 — und warum? Erklär es kurz, bitte. 😀"


def with_tools(text: str, *tools: str, **config: Any) -> dict[str, Any]:
    request = ask(text, **config)
    request["tools"] = [{tool: {}} for tool in tools]
    return request


def post(fake: Fake, model: str, request: dict[str, Any], stream: bool = False) -> Any:
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    with fake.client(headers=KEY) as http:
        answer = http.post(f"/v1beta/models/{model}:{method}", json=request)
    assert answer.status_code == 200, answer.text
    if not stream:
        return answer.json()
    return [
        json.loads(line.removeprefix("data: "))
        for line in answer.text.splitlines()
        if line.startswith("data: ")
    ]


def text_of(candidate: dict[str, Any]) -> str:
    return "".join(p.get("text", "") for p in candidate["content"]["parts"] if not p.get("thought"))


def assert_supports_are_byte_slices(metadata: dict[str, Any], text: str) -> None:
    data = text.encode()
    supports = metadata["groundingSupports"]
    assert supports
    for support in supports:
        segment = support["segment"]
        assert list(segment) in (["startIndex", "endIndex", "text"], ["endIndex", "text"])
        start = segment.get("startIndex", 0)
        assert "startIndex" not in segment or start > 0  # left out when 0
        assert data[start : segment["endIndex"]].decode() == segment["text"]
        indices = support["groundingChunkIndices"]
        assert indices and all(0 <= i < len(metadata["groundingChunks"]) for i in indices)


@pytest.mark.parametrize("tool", ["googleSearch", "googleSearchRetrieval"])
@pytest.mark.parametrize("model", [FLASH, GEMINI_3])
def test_search_grounds_the_answer_in_the_services_shape(tool: str, model: str) -> None:
    body = post(new_fake(), model, with_tools(PROMPT, tool))
    (candidate,) = body["candidates"]
    assert list(candidate) == ["content", "finishReason", "index", "groundingMetadata"]
    metadata = candidate["groundingMetadata"]
    assert list(metadata) == [
        "searchEntryPoint",
        "groundingChunks",
        "groundingSupports",
        "webSearchQueries",
    ]
    assert metadata["webSearchQueries"][0].startswith("wer gewann die fußball-em 2024")
    html = metadata["searchEntryPoint"]["renderedContent"]
    assert html.startswith("<style>") and html.count('class="chip"') == len(
        metadata["webSearchQueries"]
    )
    assert 2 <= len(metadata["groundingChunks"]) <= 4
    for chunk in metadata["groundingChunks"]:
        assert list(chunk["web"]) == ["uri", "title"]
        assert chunk["web"]["uri"].startswith(grounding.REDIRECT)
        assert chunk["web"]["title"] in grounding.DOMAINS
    text = text_of(candidate)
    assert_supports_are_byte_slices(metadata, text)
    # Past the prompt's non-ASCII, a byte offset is not the character offset
    ends = [s["segment"]["endIndex"] for s in metadata["groundingSupports"]]
    in_characters = [
        text.index(s["segment"]["text"]) + len(s["segment"]["text"])
        for s in metadata["groundingSupports"]
    ]
    assert any(b > c for b, c in zip(ends, in_characters, strict=True))


def test_the_same_request_gets_the_same_grounding_and_another_prompt_another() -> None:
    request = with_tools(PROMPT, "googleSearch")
    first, again = post(new_fake(), FLASH, request), post(new_fake(), FLASH, request)
    assert first == again
    other = post(new_fake(), FLASH, with_tools("How do tides work?", "googleSearch"))
    ours, theirs = (b["candidates"][0]["groundingMetadata"] for b in (first, other))
    assert ours["groundingChunks"] != theirs["groundingChunks"]
    assert theirs["webSearchQueries"][0] == "how do tides work"


def test_supports_index_into_the_answer_as_cut_by_max_output_tokens() -> None:
    request = with_tools(PROMPT, "googleSearch", maxOutputTokens=40)
    request["generationConfig"]["thinkingConfig"] = {"thinkingBudget": 0}
    (candidate,) = post(new_fake(), FLASH, request)["candidates"]
    assert candidate["finishReason"] == "MAX_TOKENS"
    text = text_of(candidate)
    for support in candidate["groundingMetadata"].get("groundingSupports", []):
        assert support["segment"]["endIndex"] <= len(text.encode())
        assert (
            text.encode()[
                support["segment"].get("startIndex", 0) : support["segment"]["endIndex"]
            ].decode()
            == (support["segment"]["text"])
        )


def test_search_and_url_tokens_add_up_in_the_usage() -> None:
    prompt = "Summarise https://example.com/report and https://docs.python.org/3/ please"
    body = post(new_fake(), FLASH, with_tools(prompt, "googleSearch", "urlContext"))
    usage = body["usageMetadata"]
    tool_use = usage["toolUsePromptTokenCount"]
    assert tool_use > 0
    assert usage["toolUsePromptTokensDetails"] == [{"modality": "TEXT", "tokenCount": tool_use}]
    assert usage["totalTokenCount"] == (
        usage["promptTokenCount"]
        + usage["candidatesTokenCount"]
        + usage.get("thoughtsTokenCount", 0)
        + tool_use
    )
    keys = list(usage)
    assert keys.index("toolUsePromptTokenCount") < keys.index("thoughtsTokenCount")
    plain = post(new_fake(), FLASH, ask(prompt))["usageMetadata"]
    assert "toolUsePromptTokenCount" not in plain


def test_url_context_reports_each_url_and_an_unreachable_host_fails() -> None:
    prompt = (
        "Compare https://example.com/a, http://localhost:8000/b, https://shop.invalid/c "
        "and http://10.0.0.7/d with https://example.com/a."
    )
    (candidate,) = post(new_fake(), FLASH, with_tools(prompt, "urlContext"))["candidates"]
    assert list(candidate) == ["content", "finishReason", "index", "urlContextMetadata"]
    assert candidate["urlContextMetadata"]["urlMetadata"] == [
        {
            "retrievedUrl": "https://example.com/a",
            "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
        },
        {
            "retrievedUrl": "http://localhost:8000/b",
            "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_ERROR",
        },
        {
            "retrievedUrl": "https://shop.invalid/c",
            "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_ERROR",
        },
        {"retrievedUrl": "http://10.0.0.7/d", "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_ERROR"},
    ]


@pytest.mark.parametrize(
    ("prompt", "code", "output"),
    [
        ("What is 17 * (3 + 4) ^ 2?", "result = 17 * (3 + 4) ** 2\nprint(result)\n", "833\n"),
        ("Compute 7 / 2 + 0.25 for me", "result = 7 / 2 + 0.25\nprint(result)\n", "3.75\n"),
        ("How much is 10 // 3 - -2 % 5", "result = 10 // 3 - -2 % 5\nprint(result)\n", "0\n"),
        (
            "Count the words here please",
            "text = 'Count the words here please'\nprint(len(text.split()))\n",
            "5\n",
        ),
    ],
)
def test_code_execution_shows_the_code_and_its_output_before_the_text(
    prompt: str, code: str, output: str
) -> None:
    (candidate,) = post(new_fake(), FLASH, with_tools(prompt, "codeExecution"))["candidates"]
    parts = candidate["content"]["parts"]
    assert [list(p) for p in parts] == [["executableCode"], ["codeExecutionResult"], ["text"]]
    assert parts[0]["executableCode"] == {"language": "PYTHON", "code": code}
    assert parts[1]["codeExecutionResult"] == {"outcome": "OUTCOME_OK", "output": output}
    assert parts[2]["text"].startswith(f"Running the code prints {output.strip()}.")


def test_a_division_by_zero_fails_as_python_would() -> None:
    (candidate,) = post(new_fake(), FLASH, with_tools("What is 5 / (3 - 3)?", "codeExecution"))[
        "candidates"
    ]
    result = candidate["content"]["parts"][1]["codeExecutionResult"]
    assert result["outcome"] == "OUTCOME_FAILED"
    assert result["output"].endswith("ZeroDivisionError: division by zero\n")


@pytest.mark.parametrize(
    "expression",
    ["9 ** 9 ** 9", "__import__('os')", "(1).real", "2 ** 0.5 ** -1e400", "1e308 * 10"],
)
def test_arithmetic_refuses_anything_but_small_arithmetic(expression: str) -> None:
    with pytest.raises(ValueError):
        builtin_tools.arithmetic(expression)


def test_gemini_3_signs_the_code_part() -> None:
    (candidate,) = post(new_fake(), GEMINI_3, with_tools("What is 6 * 7?", "codeExecution"))[
        "candidates"
    ]
    parts = candidate["content"]["parts"]
    assert list(parts[0]) == ["executableCode", "thoughtSignature"]
    assert all("thoughtSignature" not in p for p in parts[1:])


def test_a_stream_carries_the_grounding_on_every_chunk_and_joins_to_the_unary_answer() -> None:
    fake = new_fake()
    request = with_tools(PROMPT, "googleSearch", "codeExecution")
    whole = post(fake, GEMINI_3, request)
    chunks = post(fake, GEMINI_3, request, stream=True)
    assert len(chunks) > 2
    metadata = whole["candidates"][0]["groundingMetadata"]
    for chunk in chunks:
        (candidate,) = chunk["candidates"]
        assert candidate["groundingMetadata"] == metadata
        assert "index" not in candidate  # a code-execution stream's chunks carry none
        usage = chunk["usageMetadata"]
        assert usage["totalTokenCount"] == sum(
            usage.get(key, 0)
            for key in (
                "promptTokenCount",
                "candidatesTokenCount",
                "thoughtsTokenCount",
                "toolUsePromptTokenCount",
            )
        )
    parts = [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
    assert "executableCode" in parts[0] and "codeExecutionResult" in parts[1]
    streamed_text = "".join(p.get("text", "") for p in parts)
    assert streamed_text == text_of(whole["candidates"][0])
    assert_supports_are_byte_slices(metadata, streamed_text)
    assert chunks[-1]["usageMetadata"] == whole["usageMetadata"]


WEATHER = {
    "name": "get_weather",
    "description": "Get the weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def with_functions(text: str, *tools: str, invocations: bool = False) -> dict[str, Any]:
    request = with_tools(text, *tools)
    request["tools"].append({"functionDeclarations": [WEATHER]})
    if invocations:
        request["toolConfig"] = {"includeServerSideToolInvocations": True}
    return request


@pytest.mark.parametrize("tool", ["googleSearch", "codeExecution", "urlContext", "googleMaps"])
def test_built_in_tools_beside_functions_are_refused_before_gemini_3(tool: str) -> None:
    with new_fake().client(headers=KEY) as http:
        answer = http.post(
            f"/v1beta/models/{FLASH}:generateContent",
            json=with_functions("What is the weather in Paris?", tool, invocations=True),
        )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        "Tool use with function calling is unsupported by the model."
    )


def test_gemini_3_takes_them_together_only_when_asked_to_show_the_invocations() -> None:
    with new_fake().client(headers=KEY) as http:
        answer = http.post(
            f"/v1beta/models/{GEMINI_3}:generateContent",
            json=with_functions("What is the weather in Paris?", "googleSearch"),
        )
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": 400,
        "message": "Please enable tool_config.include_server_side_tool_invocations to use "
        "Built-in tools with Function calling.",
        "status": "INVALID_ARGUMENT",
    }


def test_gemini_3_searches_then_calls_the_function_with_an_id() -> None:
    request = with_functions(
        "What is the weather in Paris today?", "googleSearch", invocations=True
    )
    (candidate,) = post(new_fake(), GEMINI_3, request)["candidates"]
    search_call, search_response, call = candidate["content"]["parts"]
    assert search_call["toolCall"]["toolType"] == "GOOGLE_SEARCH_WEB"
    assert search_response["toolResponse"]["id"] == search_call["toolCall"]["id"]
    assert list(call) == ["functionCall", "thoughtSignature"]
    assert list(call["functionCall"]) == ["name", "args", "id"]
    assert call["functionCall"]["args"] == {"city": "Paris"}
    assert len(call["functionCall"]["id"]) == 8
    assert call["functionCall"]["id"] != search_call["toolCall"]["id"]
    assert candidate["finishMessage"] == "Model generated function call(s)."
    grounding = candidate["groundingMetadata"]  # the search ran; no text for supports yet
    assert grounding["webSearchQueries"] == search_call["toolCall"]["args"]["queries"]
    assert "groundingSupports" not in grounding


def test_the_turn_after_the_function_answers_in_text() -> None:
    request = with_functions(
        "What is the weather in Paris today?", "googleSearch", invocations=True
    )
    fake = new_fake()
    first = post(fake, GEMINI_3, request)["candidates"][0]["content"]
    call = first["parts"][-1]["functionCall"]
    request["contents"] += [
        first,
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "name": call["name"],
                        "response": {"forecast": "sunny, 21 °C"},
                        "id": call["id"],
                    }
                }
            ],
        },
    ]
    (candidate,) = post(fake, GEMINI_3, request)["candidates"]
    (answer,) = candidate["content"]["parts"]
    assert "sunny, 21 °C" in answer["text"]


def test_a_request_without_built_in_tools_is_answered_as_before() -> None:
    assert builtin_tools.plan(ask("Hi"), "Hi", "Hi", random.Random(0)) is None
    (candidate,) = post(new_fake(), FLASH, ask(PROMPT))["candidates"]
    assert list(candidate) == ["content", "finishReason", "index"]


def test_a_fixture_answers_as_before_with_built_in_tools(tmp_path: Path) -> None:
    fixture = {"match": {"lastUserText": "What is 6 * 7?"}, "answer": {"text": "Forty-two."}}
    (tmp_path / "mine.json").write_text(json.dumps(fixture))
    request = with_tools("What is 6 * 7?", "googleSearch", "codeExecution", "urlContext")
    (candidate,) = post(new_fake(fixture_dirs=(tmp_path,)), FLASH, request)["candidates"]
    assert candidate["content"]["parts"] == [{"text": "Forty-two."}]
    assert list(candidate) == ["content", "finishReason", "index"]


MAPS_PROMPT = "What are the best Italian restaurants within a 15-minute walk from here?"


def test_google_maps_grounds_the_answer_in_places_of_the_kind_asked_for() -> None:
    request = with_tools(MAPS_PROMPT, "googleMaps")
    request["toolConfig"] = {
        "retrievalConfig": {"latLng": {"latitude": 34.05, "longitude": -118.2}}
    }
    body = post(new_fake(), FLASH, request)
    (candidate,) = body["candidates"]
    metadata = candidate["groundingMetadata"]
    assert list(metadata) == ["groundingChunks", "groundingSupports"]  # no widget unless asked
    places = [chunk["maps"] for chunk in metadata["groundingChunks"]]
    assert 2 <= len(places) <= 4
    for place in places:
        assert list(place) == ["uri", "title", "placeId"]
        assert re.fullmatch(r"https://maps\.google\.com/\?cid=\d{18,20}", place["uri"])
        assert re.fullmatch(r"places/ChIJ[\w-]{23}", place["placeId"])
        assert "Italian" in place["title"]
        assert place["title"].split()[-1] in ("Kitchen", "Bistro", "Grill")
    text = text_of(candidate)
    assert_supports_are_byte_slices(metadata, text)
    # Every place is named in the answer, and the support of the sentence naming it points to it
    for index, place in enumerate(places):
        assert place["title"] in text
        assert any(
            place["title"] in s["segment"]["text"] and index in s["groundingChunkIndices"]
            for s in metadata["groundingSupports"]
        )
    assert "toolUsePromptTokenCount" in body["usageMetadata"]


def test_google_maps_gives_a_widget_token_when_asked_and_rides_every_chunk() -> None:
    request = with_tools("Any good coffee near Union Square?")
    request["tools"] = [{"googleMaps": {"enableWidget": True}}]
    fake = new_fake()
    whole = post(fake, FLASH, request)["candidates"][0]
    token = whole["groundingMetadata"]["googleMapsWidgetContextToken"]
    assert re.fullmatch(r"widgetcontent/[\w-]{100,}", token)
    titles = [c["maps"]["title"] for c in whole["groundingMetadata"]["groundingChunks"]]
    assert all(t.split()[-1] in ("Café", "House", "Roasters") for t in titles)
    chunks = post(fake, FLASH, request, stream=True)
    assert all(
        c["candidates"][0]["groundingMetadata"] == whole["groundingMetadata"] for c in chunks
    )


def test_search_and_maps_share_one_grounding_metadata() -> None:
    body = post(new_fake(), FLASH, with_tools(MAPS_PROMPT, "googleSearch", "googleMaps"))
    metadata = body["candidates"][0]["groundingMetadata"]
    assert list(metadata)[0] == "searchEntryPoint" and "webSearchQueries" in metadata
    kinds = [next(iter(chunk)) for chunk in metadata["groundingChunks"]]
    assert kinds == sorted(kinds, key=lambda kind: kind != "web") and {"web", "maps"} == set(kinds)
    assert_supports_are_byte_slices(metadata, text_of(body["candidates"][0]))
    first_place = kinds.index("maps")
    place_supports = [
        s for s in metadata["groundingSupports"] if max(s["groundingChunkIndices"]) >= first_place
    ]
    assert place_supports
    for support in place_supports:  # the places' supports point past the web sources
        (index,) = support["groundingChunkIndices"]
        title = metadata["groundingChunks"][index]["maps"]["title"]
        assert title in support["segment"]["text"]
