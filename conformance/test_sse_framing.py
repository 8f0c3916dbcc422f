"""Streaming on the wire, against the target: SSE framing and JSON-array streaming, byte level.

The service's framing (docs/evidence.md#service-sse-framing, docs/evidence.md#service-array-stream),
checked on what the target sends:

* ``alt=sse``: ``Content-Type: text/event-stream``, ``Content-Disposition: attachment``; the
  body is nothing but events, each ``data: `` + one line of JSON (a space after colons, none
  after commas, ``<`` and ``>`` escaped) + ``\\r\\n\\r\\n``, the last one included.
* no ``alt``: ``application/json; charset=UTF-8``, the chunks pretty-printed as a JSON array:
  ``'[' + '\\n,\\r\\n'.join(objects) + '\\n]'``, no final newline.
* Every chunk carries ``usageMetadata``, ``modelVersion`` and one ``responseId``; only the last
  has ``finishReason``.
* A stream refused before it starts is one JSON envelope, not an event (with a
  ``Content-Length``); an error during the stream (the fake's ``end: error``) is an event whose
  JSON is the envelope, which both gemini_ref and the official SDK raise after the chunks
  before it.

Each body is read twice: by an exact-framing parse written here, and by gemini_ref's decoder
(and client); they must agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from google.genai import errors as sdk_errors

from conformance._target import Target
from fake_server.config import Pacing
from gemini_ref import errors
from gemini_ref._sse import SSEDecoder

MODEL = "gemini-2.5-flash"
STREAM = f"/v1beta/models/{MODEL}:streamGenerateContent"
UNARY = f"/v1beta/models/{MODEL}:generateContent"
PROMPT = "Explain how AI works"
REQUEST = {"contents": [{"parts": [{"text": PROMPT}], "role": "user"}]}
EVENT = re.compile(rb"data: ([^\r\n]+)\r\n\r\n")


def escaped(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def sse_line(obj: Any) -> bytes:
    """One event's JSON as the service writes it."""
    return escaped(json.dumps(obj, separators=(",", ": "), ensure_ascii=False)).encode()


def array_body(objects: list[Any]) -> bytes:
    pretty = [escaped(json.dumps(o, indent=2, ensure_ascii=False)) for o in objects]
    return ("[" + "\n,\r\n".join(pretty) + "\n]").encode()


def framed_events(body: bytes) -> list[bytes]:
    """The exact framing: the body is events and nothing else, or this fails saying where."""
    found, position = [], 0
    while position < len(body):
        match = EVENT.match(body, position)
        assert match, (
            f"not a 'data: ...\\r\\n\\r\\n' event at byte {position}: {body[position:][:80]!r}"
        )
        found.append(match.group(1))
        position = match.end()
    return found


def decoder_events(body: bytes) -> list[bytes]:
    decoder = SSEDecoder()
    events = decoder.feed(body)
    assert decoder.close() == b""
    return [event.data.encode() for event in events]


def media_type(response: httpx.Response) -> str:
    content_type: str = response.headers.get("content-type", "")
    return content_type.partition(";")[0].strip()


def sse(target: Target, request: dict[str, Any] = REQUEST, model: str = MODEL) -> httpx.Response:
    path = f"/v1beta/models/{model}:streamGenerateContent"
    return target.http(key=True).post(path, params={"alt": "sse"}, json=request)


def text_of(chunk: dict[str, Any]) -> str:
    parts = chunk["candidates"][0].get("content", {}).get("parts", [])
    return "".join(str(p.get("text", "")) for p in parts if not p.get("thought"))


# --- SSE --------------------------------------------------------------------------------------


def test_an_sse_stream_is_one_line_of_json_per_event_each_ended_by_crlf_crlf(
    target: Target,
) -> None:
    response = sse(target)

    assert response.status_code == 200
    assert media_type(response) == "text/event-stream"
    assert response.headers.get("content-disposition") == "attachment"
    assert "content-encoding" not in response.headers
    lines = framed_events(response.content)
    assert len(lines) >= 2, "the guide's prompt is answered in several chunks"
    assert decoder_events(response.content) == lines
    for line in lines:
        obj = json.loads(line)
        assert isinstance(obj, dict)
        assert sse_line(obj) == line, "compact JSON with a space after each colon"


def test_every_chunk_carries_usage_model_version_and_one_response_id(target: Target) -> None:
    chunks = [json.loads(line) for line in framed_events(sse(target).content)]

    assert len({c["responseId"] for c in chunks}) == 1
    assert all(c["modelVersion"] == MODEL for c in chunks)
    assert all("usageMetadata" in c for c in chunks)
    assert all(len(c["candidates"]) == 1 for c in chunks)
    finished = ["finishReason" in c["candidates"][0] for c in chunks]
    assert finished == [False] * (len(chunks) - 1) + [True]
    usage = chunks[-1]["usageMetadata"]
    parts = ("candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount")
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + sum(
        usage.get(name, 0) for name in parts
    ), "docs/evidence.md#service-usage: the total is the sum of its parts"


def test_the_chunks_join_into_the_unary_answer(target: Target) -> None:
    if not target.deterministic:
        pytest.skip("the real model answers differently each time")
    chunks = [json.loads(line) for line in framed_events(sse(target).content)]
    unary = target.http(key=True).post(UNARY, json=REQUEST).json()

    assert "".join(map(text_of, chunks)) == text_of(unary)
    assert chunks[-1]["usageMetadata"] == unary["usageMetadata"]


def test_both_clients_read_the_chunks_the_framing_holds(target: Target) -> None:
    if not target.deterministic:
        pytest.skip("the real model answers differently each time")
    texts = [text_of(json.loads(line)) for line in framed_events(sse(target).content)]

    ours = target.client().models.generate_content_stream(model=MODEL, contents=PROMPT)
    theirs = target.sdk().models.generate_content_stream(model=MODEL, contents=PROMPT)

    assert [chunk.text for chunk in ours] == texts
    assert [chunk.text for chunk in theirs] == texts


# --- JSON array -----------------------------------------------------------------------------


def test_without_alt_the_chunks_come_as_a_pretty_printed_json_array(target: Target) -> None:
    response = target.http(key=True).post(STREAM, json=REQUEST)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.content.startswith(b'[{\n  "candidates": [')
    assert not response.content.endswith(b"\n]\n")
    elements = json.loads(response.content)
    assert response.content == array_body(elements)
    assert "finishReason" in elements[-1]["candidates"][0]
    if target.deterministic:
        chunks = [json.loads(line) for line in framed_events(sse(target).content)]
        assert elements == chunks, "the same request is the same answer, framed either way"


# --- errors -----------------------------------------------------------------------------------


def not_found(model: str) -> str:
    return (
        f"models/{model} is not found for API version v1beta, or is not supported for "
        "generateContent. Call ModelService.ListModels to see the list of available models "
        "and their supported methods."
    )


def test_a_stream_refused_before_it_starts_is_one_json_envelope_not_an_event(
    target: Target,
) -> None:
    response = sse(target, model="gemini-nope")

    assert response.status_code == 404
    assert media_type(response) == "text/event-stream"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.content.startswith(b'{\n  "error": {')
    assert response.content.endswith(b"}\n")
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (404, "NOT_FOUND")
    if not target.is_google:  # the service's wording changes between releases
        assert error["message"] == not_found("gemini-nope")


def test_a_json_array_stream_refused_before_it_starts_is_the_envelope_as_its_element(
    target: Target,
) -> None:
    response = target.http(key=True).post(
        "/v1beta/models/gemini-nope:streamGenerateContent", json=REQUEST
    )

    assert response.status_code == 404
    (envelope,) = json.loads(response.content)
    assert response.content == array_body([envelope])
    assert (envelope["error"]["code"], envelope["error"]["status"]) == (404, "NOT_FOUND")


def test_both_clients_raise_a_refused_stream_as_its_api_error(target: Target) -> None:
    with pytest.raises(errors.NotFoundError) as ours:
        list(target.client().models.generate_content_stream(model="gemini-nope", contents="x"))
    with pytest.raises(sdk_errors.ClientError) as theirs:
        list(target.sdk().models.generate_content_stream(model="gemini-nope", contents="x"))

    assert (ours.value.code, ours.value.status) == (404, "NOT_FOUND")
    assert (theirs.value.code, theirs.value.status) == (404, "NOT_FOUND")
    assert ours.value.message == theirs.value.message


ERROR_EVENT = {
    "error": {
        "code": 503,
        "message": "The model is overloaded. Please try again later.",
        "status": "UNAVAILABLE",
    }
}


def test_an_error_during_the_stream_is_an_event_holding_the_envelope(target: Target) -> None:
    target.configure(streaming=Pacing(end_after=2, end="error"))

    response = sse(target)

    assert response.status_code == 200
    lines = framed_events(response.content)
    assert decoder_events(response.content) == lines
    assert len(lines) == 3
    assert lines[-1] == sse_line(ERROR_EVENT)
    assert lines[-1].startswith(b'{"error": {"code": 503,'), "both SDKs need error first, code int"


def test_both_clients_raise_an_error_event_after_the_chunks_before_it(target: Target) -> None:
    target.configure(streaming=Pacing(end_after=2, end="error"))
    ours_read: list[str | None] = []
    theirs_read: list[str | None] = []

    with pytest.raises(errors.ServiceUnavailableError) as ours:
        for chunk in target.client().models.generate_content_stream(model=MODEL, contents=PROMPT):
            ours_read.append(chunk.text)
    with pytest.raises(sdk_errors.ServerError) as theirs:
        for sdk_chunk in target.sdk().models.generate_content_stream(model=MODEL, contents=PROMPT):
            theirs_read.append(sdk_chunk.text)

    assert len(ours_read) == 2 and ours_read == theirs_read
    assert (ours.value.code, ours.value.status) == (503, "UNAVAILABLE")
    assert (theirs.value.code, theirs.value.status) == (503, "UNAVAILABLE")


def test_an_error_during_a_json_array_stream_is_its_last_element(target: Target) -> None:
    target.configure(streaming=Pacing(end_after=2, end="error"))

    response = target.http(key=True).post(STREAM, json=REQUEST)

    elements = json.loads(response.content)
    assert response.content == array_body(elements)
    assert len(elements) == 3 and elements[-1] == ERROR_EVENT


def test_a_stream_ended_cleanly_early_is_whole_events_without_a_finish_reason(
    target: Target,
) -> None:
    target.configure(streaming=Pacing(end_after=2, end="close"))

    response = sse(target)
    read = list(target.client().models.generate_content_stream(model=MODEL, contents=PROMPT))

    chunks = [json.loads(line) for line in framed_events(response.content)]
    assert len(chunks) == len(read) == 2
    assert not any("finishReason" in c["candidates"][0] for c in chunks)


def test_a_stream_whose_connection_drops_is_an_error_not_an_end(target: Target) -> None:
    target.configure(streaming=Pacing(end_after=2, end="abort"))

    with pytest.raises(errors.APIConnectionError):
        list(target.client().models.generate_content_stream(model=MODEL, contents=PROMPT))
