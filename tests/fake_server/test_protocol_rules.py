"""Rules docs/protocol.md states that no other test pins: escapes, countTokens' forms, a blocked
prompt served from a fixture, and where 2.5 signs a streamed answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from fake_server.fixtures.lint import lint_fixture
from tests.kit.fakes import KEY, ask, new_fake
from tests.kit.wire import sse_events

MODEL = "/v1beta/models/gemini-2.5-flash"
AWKWARD = "Say hi & <b>bold</b> café — 'q' = 1"


def test_only_angles_are_escaped_and_non_ascii_is_raw_utf8(client: httpx.Client) -> None:
    request = ask(AWKWARD, thinkingConfig={"thinkingBudget": 0})
    unary = client.post(f"{MODEL}:generateContent", json=request).content
    stream = client.post(f"{MODEL}:streamGenerateContent?alt=sse", json=request).content
    array = client.post(f"{MODEL}:streamGenerateContent", json=request).content
    for body in (unary, stream, array):
        assert "café — 'q' = 1".encode() in body
        assert b"Say hi & \\u003cb\\u003ebold\\u003c/b\\u003e" in body
        assert set(re.findall(rb"\\u[0-9a-fA-F]{4}", body)) == {b"\\u003c", b"\\u003e"}
    answer = json.loads(unary)["candidates"][0]["content"]["parts"][0]["text"]
    assert AWKWARD in answer  # the synthetic answer quotes the prompt, read back unchanged


def test_count_tokens_refuses_a_top_level_system_instruction(client: httpx.Client) -> None:
    body = {
        "contents": [{"parts": [{"text": "hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
    }
    response = client.post(f"{MODEL}:countTokens", json=body)
    assert response.status_code == 400
    message = 'Invalid JSON payload received. Unknown name "systemInstruction": Cannot find field.'
    assert response.json() == {
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"description": message}],
                }
            ],
        }
    }


def test_count_tokens_of_no_contents_is_refused_as_generate_refuses_it(
    client: httpx.Client,
) -> None:
    empty: list[dict[str, list[object]]] = [{}, {"contents": []}]
    for body in empty:
        response = client.post(f"{MODEL}:countTokens", json=body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["message"] == "* CountTokensRequest.contents: contents is not specified\n"


def test_a_blocked_prompt_from_a_fixture_is_served_as_recorded(tmp_path: Path) -> None:
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {
            "promptTokenCount": 4,
            "totalTokenCount": 4,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 4}],
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "bzlXaa_EE_aHqtsPi_zw8Ao",
    }
    fixture = tmp_path / "blocked.json"
    fixture.write_text(json.dumps({"match": {"lastUserText": "Q"}, "response": blocked}))
    assert lint_fixture(fixture) == []
    client = new_fake(fixture_dirs=(tmp_path,)).client(headers=KEY)
    response = client.post(f"{MODEL}:generateContent", json=ask("Q"))
    assert response.status_code == 200
    assert response.json() == blocked


def test_2_5_signs_a_streamed_answer_on_its_first_text_chunk(client: httpx.Client) -> None:
    request = ask("Explain recursion in three sentences.", thinkingConfig={"includeThoughts": True})
    unary = client.post(f"{MODEL}:generateContent", json=request).json()
    thought, signed = unary["candidates"][0]["content"]["parts"]
    assert thought["thought"] is True and "thoughtSignature" not in thought
    chunks = sse_events(client.post(f"{MODEL}:streamGenerateContent?alt=sse", json=request).content)
    parts = [part for c in chunks for part in c["candidates"][0]["content"].get("parts", [])]
    answer = [p for p in parts if not p.get("thought")]
    assert answer[0]["thoughtSignature"] == signed["thoughtSignature"]
    assert all("thoughtSignature" not in p for p in answer[1:])
    assert "".join(p["text"] for p in answer) == signed["text"]
