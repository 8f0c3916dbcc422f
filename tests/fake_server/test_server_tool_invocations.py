"""Server-side tool invocations on a synthetic answer (docs/evidence.md#service-builtin-tools):
on Gemini 3 with ``toolConfig.includeServerSideToolInvocations``, the search and the URL fetch
show as ``toolCall`` / ``toolResponse`` parts before the rest of the answer, each pair sharing an
8-character id and each part signed, the signature last; streamed, each comes in a chunk of its
own before the text. Without the flag, or on 2.5, the answer is as before."""

from __future__ import annotations

import copy
import random
import re
from typing import Any

import pytest

from fake_server.model import builtin_tools, catalog, chunking, shaping, synthesis
from tests.fake_server.test_builtin_tools import GEMINI_3, post, with_tools
from tests.kit.fakes import new_fake

PROMPT = "Was steht auf https://docs.example.org/guide und auf http://localhost:8080/x? 😀"
ID = re.compile(r"[a-zA-Z0-9]{8}")


def invoking(*tools: str, prompt: str = PROMPT) -> dict[str, Any]:
    request = with_tools(prompt, *tools)
    request["toolConfig"] = {"includeServerSideToolInvocations": True}
    return request


def invocation_parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    parts = body["candidates"][0]["content"]["parts"]
    return [p for p in parts if "toolCall" in p or "toolResponse" in p]


def test_search_and_url_context_open_the_answer_with_their_calls_and_responses() -> None:
    body = post(new_fake(), GEMINI_3, invoking("googleSearch", "urlContext"))
    candidate = body["candidates"][0]
    parts = candidate["content"]["parts"]
    search_call, search_response, url_call, url_response = parts[:4]
    assert parts[4:] == [p for p in parts if "toolCall" not in p and "toolResponse" not in p]
    for part, kind in zip(parts[:4], ["toolCall", "toolResponse"] * 2, strict=True):
        assert list(part) == [kind, "thoughtSignature"]
    assert [list(p["toolCall"]) for p in (search_call, url_call)] == [
        ["toolType", "args", "id"]
    ] * 2
    assert [list(p["toolResponse"]) for p in (search_response, url_response)] == [
        ["toolType", "response", "id"]
    ] * 2
    assert search_call["toolCall"]["toolType"] == "GOOGLE_SEARCH_WEB"
    assert search_response["toolResponse"]["toolType"] == "GOOGLE_SEARCH_WEB"
    assert url_call["toolCall"]["toolType"] == "URL_CONTEXT"
    assert url_response["toolResponse"]["toolType"] == "URL_CONTEXT"
    # The calls' arguments are what the metadata reports
    grounding = candidate["groundingMetadata"]
    assert search_call["toolCall"]["args"] == {"queries": grounding["webSearchQueries"]}
    assert search_response["toolResponse"]["response"] == {
        "search_suggestions": grounding["searchEntryPoint"]["renderedContent"]
    }
    assert url_call["toolCall"]["args"] == {
        "urls": ["https://docs.example.org/guide", "http://localhost:8080/x"]
    }
    assert url_response["toolResponse"]["response"] == {
        "urls_metadata": [
            {
                "retrieved_url": "https://docs.example.org/guide",
                "url_retrieval_status": "URL_RETRIEVAL_STATUS_SUCCESS",
            },
            {
                "retrieved_url": "http://localhost:8080/x",
                "url_retrieval_status": "URL_RETRIEVAL_STATUS_ERROR",
            },
        ]
    }
    assert [e["retrievedUrl"] for e in candidate["urlContextMetadata"]["urlMetadata"]] == (
        url_call["toolCall"]["args"]["urls"]
    )
    # Ids: 8 characters, a response's the same as its call's, one per pair
    search_id, url_id = search_call["toolCall"]["id"], url_call["toolCall"]["id"]
    assert ID.fullmatch(search_id) and ID.fullmatch(url_id) and search_id != url_id
    assert search_response["toolResponse"]["id"] == search_id
    assert url_response["toolResponse"]["id"] == url_id
    # Every part is signed, each with its own signature; the text keeps the answer's
    signatures = [p["thoughtSignature"] for p in parts[:4]]
    assert len(set(signatures)) == 4
    assert parts[4]["thoughtSignature"] not in signatures


def test_the_rest_of_the_answer_is_what_it_is_without_the_flag() -> None:
    request = invoking("googleSearch", "urlContext", "codeExecution")
    plain_request = copy.deepcopy(request)
    del plain_request["toolConfig"]
    model = catalog.lookup(GEMINI_3)
    assert model is not None
    answer = synthesis.synthesize(plain_request, random.Random(7))
    shown = shaping.compose(request, model, [answer], b"seed")
    plain = shaping.compose(plain_request, model, [answer], b"seed")
    assert not invocation_parts(plain)
    assert len(invocation_parts(shown)) == 4
    parts = shown["candidates"][0]["content"]["parts"]
    parts[:] = [p for p in parts if "toolCall" not in p and "toolResponse" not in p]
    assert list(parts[0]) == ["executableCode", "thoughtSignature"]
    # Only the parts differ: the invocations are not counted as output tokens
    # (https://ai.google.dev/gemini-api/docs/tool-combination, "Tokens and pricing")
    assert shown == plain


@pytest.mark.parametrize(
    ("model", "tool_config"),
    [
        (GEMINI_3, None),
        (GEMINI_3, {"includeServerSideToolInvocations": False}),
        ("gemini-2.5-flash", {"includeServerSideToolInvocations": True}),
        ("gemini-2.0-flash", {"includeServerSideToolInvocations": True}),
    ],
)
def test_no_invocations_without_the_flag_or_before_gemini_3(
    model: str, tool_config: dict[str, Any] | None
) -> None:
    request = with_tools(PROMPT, "googleSearch", "urlContext")
    if tool_config is not None:
        request["toolConfig"] = tool_config
    body = post(new_fake(), model, request)
    assert not invocation_parts(body)
    assert "groundingMetadata" in body["candidates"][0]


def test_code_execution_shows_only_its_code_parts_and_url_context_needs_a_url() -> None:
    # The SDK's ToolType has no code-execution type: the executableCode part is the invocation.
    code = post(new_fake(), GEMINI_3, invoking("codeExecution", prompt="What is 6 * 7?"))
    assert not invocation_parts(code)
    assert "executableCode" in code["candidates"][0]["content"]["parts"][0]
    # URL context with no URL in the prompt fetches nothing, so shows nothing.
    nothing = post(new_fake(), GEMINI_3, invoking("urlContext", prompt="Tell me about owls."))
    assert not invocation_parts(nothing)


def test_invocations_are_deterministic_and_seeded_by_the_request() -> None:
    request = invoking("googleSearch")
    first = post(new_fake(), GEMINI_3, request)
    assert post(new_fake(), GEMINI_3, request) == first
    other = post(new_fake(), GEMINI_3, invoking("googleSearch", prompt="Why is the sky blue?"))
    ids = {p["toolCall"]["id"] for p in invocation_parts(first) if "toolCall" in p}
    other_ids = {p["toolCall"]["id"] for p in invocation_parts(other) if "toolCall" in p}
    assert len(ids) == len(other_ids) == 1 and ids != other_ids


def test_invocation_ids_are_eight_characters_of_the_service_alphabet() -> None:
    ids = {builtin_tools.invocation_id(bytes([n])) for n in range(200)}
    assert len(ids) == 200
    assert all(ID.fullmatch(i) for i in ids)
    assert any(re.search(r"[A-Z]", i) for i in ids) and any(re.search(r"\d", i) for i in ids)


def test_a_stream_sends_each_invocation_part_in_a_chunk_of_its_own_before_the_text() -> None:
    fake = new_fake()
    request = invoking("googleSearch", "urlContext")
    chunks = post(fake, GEMINI_3, request, stream=True)
    unary = post(fake, GEMINI_3, request)
    kinds = [
        [next(iter(part)) for part in chunk["candidates"][0]["content"].get("parts", [])]
        for chunk in chunks
    ]
    assert kinds[:4] == [["toolCall"], ["toolResponse"], ["toolCall"], ["toolResponse"]]
    assert all(kind == ["text"] for kind in kinds[4:])
    for chunk in chunks:  # the metadata rides on every chunk, as before
        assert "groundingMetadata" in chunk["candidates"][0]
    joined = chunking.aggregate(chunks)["candidates"][0]["content"]["parts"]
    assert joined == unary["candidates"][0]["content"]["parts"]
