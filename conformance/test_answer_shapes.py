"""What answers hold, over HTTP against the target: thought signatures and function turns.

The rules:

* a ``thoughtSignature`` is standard base64, the last key of its part, on the first non-thought
  part of the answer and never on a thought (docs/evidence.md#service-thought-signatures);
* Gemini 3 signs plain text answers; streamed, the text comes unsigned and the signature comes
  alone, in a part ``{"text": "", "thoughtSignature": ...}`` of the last chunk
  (docs/evidence.md#service-stream-chunks); plain 2.5 answers without tools are not signed;
* function responses answer the function call turn right before them, as many as its calls:
  fewer or more is a 400 (docs/errors.md, docs/chats.md).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from conformance._target import Target

V = "/v1beta/models"
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
PAIRING = (
    "Please ensure that the number of function response parts is equal to the number of "
    "function call parts of the function call turn."
)


def ask(text: str) -> dict[str, Any]:
    return {"contents": [{"parts": [{"text": text}], "role": "user"}]}


def sse_chunks(raw: bytes) -> list[dict[str, Any]]:
    events = raw.decode("utf-8").split("\r\n\r\n")
    return [json.loads(event.removeprefix("data: ")) for event in events if event]


def parts_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        part
        for candidate in body.get("candidates", [])
        for part in (candidate.get("content") or {}).get("parts", [])
    ]


def check_signature(part: dict[str, Any]) -> None:
    signature = part["thoughtSignature"]
    assert BASE64.fullmatch(signature) and base64.b64decode(signature)
    assert list(part)[-1] == "thoughtSignature", "the signature is not its part's last key"
    assert not part.get("thought")


def test_gemini_3_signs_a_streamed_text_answer_in_a_last_part_of_its_own(target: Target) -> None:
    http = target.http(key=True)
    path = f"{V}/gemini-3-flash-preview:streamGenerateContent?alt=sse"
    chunks = sse_chunks(http.post(path, json=ask("Explain how tides work")).content)
    parts = [part for chunk in chunks for part in parts_of(chunk)]
    answer = [p for p in parts if not p.get("thought")]
    signed = [p for p in answer if "thoughtSignature" in p]
    assert len(signed) == 1
    check_signature(signed[0])
    assert signed[0] == {"text": "", "thoughtSignature": signed[0]["thoughtSignature"]}
    assert signed[0] in parts_of(chunks[-1])
    assert "".join(p["text"] for p in answer).strip()


def test_gemini_3_signs_its_unary_text_answer_on_the_first_part(target: Target) -> None:
    reply = target.http(key=True).post(
        f"{V}/gemini-3-flash-preview:generateContent", json=ask("Explain how tides work")
    )
    answer = [p for p in parts_of(reply.json()) if not p.get("thought")]
    assert "thoughtSignature" in answer[0]
    check_signature(answer[0])


def test_a_plain_25_answer_is_not_signed(target: Target) -> None:
    request = {**ask("Explain how tides work")}
    for path in ("generateContent", "streamGenerateContent?alt=sse"):
        raw = target.http(key=True).post(f"{V}/gemini-2.5-flash:{path}", json=request).content
        assert b"thoughtSignature" not in raw


WEATHER = {
    "functionDeclarations": [
        {
            "name": "get_weather",
            "description": "The weather in a city.",
            "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
        }
    ]
}


def call(city: str) -> dict[str, Any]:
    return {"functionCall": {"name": "get_weather", "args": {"city": city}}}


def response(city: str) -> dict[str, Any]:
    return {"functionResponse": {"name": "get_weather", "response": {"city": city, "sky": "sun"}}}


def turns(calls: list[str], responses: list[str]) -> dict[str, Any]:
    return {
        "contents": [
            {"role": "user", "parts": [{"text": "The weather in Paris and Rome?"}]},
            {"role": "model", "parts": [call(city) for city in calls]},
            {"role": "user", "parts": [response(city) for city in responses]},
        ],
        "tools": [WEATHER],
    }


@pytest.mark.parametrize(
    ("calls", "responses"),
    [(["Paris", "Rome"], ["Paris"]), (["Paris"], ["Paris", "Rome"])],
    ids=["fewer responses", "more responses"],
)
def test_function_responses_must_match_the_calls_in_number(
    target: Target, calls: list[str], responses: list[str]
) -> None:
    reply = target.http(key=True).post(
        f"{V}/gemini-2.5-flash:generateContent", json=turns(calls, responses)
    )
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert reply.json()["error"]["message"] == PAIRING


def test_as_many_function_responses_as_calls_are_answered(target: Target) -> None:
    reply = target.http(key=True).post(
        f"{V}/gemini-2.5-flash:generateContent", json=turns(["Paris", "Rome"], ["Paris", "Rome"])
    )
    assert reply.status_code == 200
    assert parts_of(reply.json())
