"""streamGenerateContent: SSE and JSON-array framing byte for byte, pacing, early ends, replays."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest

from fake_server import FakeConfig, create_app
from fake_server.config import Pacing
from fake_server.fixtures.format import FixtureError
from fake_server.http.responses import EventStreamResponse
from fake_server.model.chunking import aggregate
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, ask, new_fake, text_answer
from tests.kit.wire import sse_events

STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
UNARY = "/v1beta/models/gemini-2.5-flash:generateContent"


def test_sse_headers_are_the_services(client: httpx.Client) -> None:
    response = client.post(STREAM + "?alt=sse", json=ask("How does AI work?"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["content-disposition"] == "attachment"
    assert "content-length" not in response.headers
    assert "x-gemini-service-tier" not in response.headers


def test_every_event_is_one_line_of_compact_json_with_the_services_spacing(
    client: httpx.Client,
) -> None:
    body = client.post(STREAM + "?alt=sse", json=ask("How does AI work?")).content
    for event, obj in zip(body.split(b"\r\n\r\n")[:-1], sse_events(body), strict=True):
        expected = json.dumps(obj, separators=(",", ": "), ensure_ascii=False)
        assert event == b"data: " + expected.encode()


def test_every_chunk_carries_usage_model_version_and_one_response_id(client: httpx.Client) -> None:
    chunks = sse_events(client.post(STREAM + "?alt=sse", json=ask("How does AI work?")).content)
    assert len(chunks) > 2
    assert {c["responseId"] for c in chunks} == {chunks[0]["responseId"]}
    for c in chunks:
        assert list(c) == ["candidates", "usageMetadata", "modelVersion", "responseId"]
        usage = c["usageMetadata"]
        parts = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount")
        assert usage["totalTokenCount"] == sum(usage.get(k, 0) for k in parts)
    assert [("finishReason" in c["candidates"][0]) for c in chunks] == [False] * (
        len(chunks) - 1
    ) + [True]
    assert list(chunks[0]["candidates"][0]) == ["content", "index"]
    assert list(chunks[-1]["candidates"][0]) == ["content", "finishReason", "index"]
    counts = [c["usageMetadata"].get("candidatesTokenCount", 0) for c in chunks]
    assert counts == sorted(counts), "usage is cumulative"


def test_a_stream_and_a_unary_call_give_the_same_answer(client: httpx.Client) -> None:
    request = ask("How does AI work?", thinkingConfig={"includeThoughts": True})
    unary = client.post(UNARY, json=request).json()
    chunks = sse_events(client.post(STREAM + "?alt=sse", json=request).content)
    assert chunks[-1]["usageMetadata"] == unary["usageMetadata"]
    assert aggregate(chunks) == unary


def test_thoughts_stream_first_and_are_counted_once_the_answer_begins(client: httpx.Client) -> None:
    chunks = sse_events(
        client.post(
            STREAM + "?alt=sse",
            json=ask("How does AI work?", thinkingConfig={"includeThoughts": True}),
        ).content
    )
    first = chunks[0]
    assert first["candidates"][0]["content"]["parts"][0]["thought"] is True
    assert "thoughtsTokenCount" not in first["usageMetadata"]
    assert first["usageMetadata"]["totalTokenCount"] == first["usageMetadata"]["promptTokenCount"]
    answer_part = chunks[1]["candidates"][0]["content"]["parts"][0]
    assert list(answer_part) == ["text", "thoughtSignature"]
    assert chunks[1]["usageMetadata"]["thoughtsTokenCount"] > 0


def test_the_first_chunk_is_short(client: httpx.Client) -> None:
    chunks = sse_events(client.post(STREAM + "?alt=sse", json=ask("Explain how AI works")).content)
    assert len(chunks[0]["candidates"][0]["content"]["parts"][0]["text"].split()) <= 3


def test_json_array_stream_is_framed_byte_for_byte(client: httpx.Client) -> None:
    response = client.post(STREAM, json=ask("How does AI work?"))
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    objs = response.json()
    expected = (
        "[" + "\n,\r\n".join(json.dumps(o, indent=2, ensure_ascii=False) for o in objs) + "\n]"
    )
    assert response.content == expected.encode()
    assert response.content.startswith(b'[{\n  "candidates": [')
    sse = sse_events(client.post(STREAM + "?alt=sse", json=ask("How does AI work?")).content)
    assert objs == sse


def test_2_0_stream_chunks_have_neither_index_nor_avg_logprobs(client: httpx.Client) -> None:
    url = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
    chunks = sse_events(client.post(url, json=ask("Explain how AI works")).content)
    assert list(chunks[0]["candidates"][0]) == ["content"]
    assert list(chunks[-1]["candidates"][0]) == ["content", "finishReason"]


def test_a_refused_stream_request_is_plain_json_with_a_length(client: httpx.Client) -> None:
    response = client.post(STREAM + "?alt=sse", json={"contents": []})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.content.startswith(b'{\n  "error": {\n    "code": 400,')
    array = client.post(STREAM, json={"contents": []})
    assert array.status_code == 400
    assert array.json()[0]["error"]["status"] == "INVALID_ARGUMENT"


def test_an_unknown_model_on_a_stream_names_generate_content(client: httpx.Client) -> None:
    response = client.post("/v1beta/models/nope:streamGenerateContent?alt=sse", json=ask("hi"))
    assert response.status_code == 404
    assert "or is not supported for generateContent." in response.json()["error"]["message"]


@pytest.mark.gemini_fake(streaming={"endAfter": 2, "end": "close"})
def test_a_stream_can_end_cleanly_early(gemini_fake: Fake, client: httpx.Client) -> None:
    body = client.post(STREAM + "?alt=sse", json=ask("How does AI work?")).content
    chunks = sse_events(body)
    assert len(chunks) == 2
    assert all("finishReason" not in c["candidates"][0] for c in chunks)
    assert gemini_fake.journal.last().extra == {"eventsSent": 2, "streamFinished": False}


@pytest.mark.parametrize("end", ["close", "error"])
def test_a_json_array_stream_ended_before_its_first_element_is_still_an_array(
    end: str, tmp_path: Path
) -> None:
    fake = new_fake(streaming=Pacing(end_after=0, end=end))
    response = fake.client(headers=KEY).post(STREAM, json=ask("How does AI work?"))
    expected: list[Any] = [] if end == "close" else [{"error": {"code": 503}}]
    body = response.json()
    assert [{"error": {"code": e["error"]["code"]}} for e in body] == expected
    assert response.content.startswith(b"[") and response.content.endswith(b"\n]")
    assert fake.journal.last().extra == {"eventsSent": 0, "streamFinished": False}


@pytest.mark.gemini_fake(streaming={"endAfter": 1, "end": "error"})
def test_a_stream_can_end_with_an_error_event_the_sdks_recognise(
    gemini_fake: Fake, client: httpx.Client
) -> None:
    body = client.post(STREAM + "?alt=sse", json=ask("How does AI work?")).content
    first, error = body.split(b"\r\n\r\n")[:2]
    assert error == (
        b'data: {"error": {"code": 503,"message": "The model is overloaded. Please try again '
        b'later.","status": "UNAVAILABLE"}}'
    )
    array = client.post(STREAM, json=ask("How does AI work?")).json()
    assert array[-1]["error"]["code"] == 503


@pytest.mark.gemini_fake(streaming={"endAfter": 1, "end": "abort"})
def test_a_stream_can_drop_the_connection_mid_body(gemini_fake_server: Fake) -> None:
    with httpx.Client(base_url=gemini_fake_server.base_url, headers=KEY) as client:
        with client.stream("POST", STREAM + "?alt=sse", json=ask("How does AI work?")) as response:
            assert response.status_code == 200
            received = b""
            with pytest.raises(httpx.RemoteProtocolError):
                for data in response.iter_bytes():
                    received += data
    assert received.count(b"\r\n\r\n") == 1


@pytest.mark.gemini_fake(streaming={"eventInterval": 0.5})
def test_events_arrive_while_the_server_is_still_producing_them(gemini_fake_server: Fake) -> None:
    # Over a real socket (the in-process transport hands over whole bodies): the first event is
    # in the client's hands while the server, by its own account, has not sent the rest.
    with httpx.Client(base_url=gemini_fake_server.base_url, headers=KEY) as client:
        with client.stream("POST", STREAM + "?alt=sse", json=ask("How does AI work?")) as response:
            first = next(response.iter_raw())
            progress = dict(gemini_fake_server.journal.last().extra)
    assert first.startswith(b"data: ") and first.endswith(b"\r\n\r\n")
    assert progress == {"eventsSent": 1, "streamFinished": False}


def recorded_fixture(directory: Path, events: list[dict[str, Any]], **extra: Any) -> bytes:
    raw = b"".join(b"data: " + json.dumps(e).encode() + b"\r\n\r\n" for e in events)
    (directory / "rec.sse").write_bytes(raw)
    fixture = {"match": {"lastUserText": "Q"}, "sse": "rec.sse", **extra}
    (directory / "rec.json").write_text(json.dumps(fixture))
    return raw


RECORDED = [
    {
        "candidates": [{"content": {"parts": [{"text": "The"}], "role": "model"}, "index": 0}],
        "usageMetadata": {"promptTokenCount": 15, "totalTokenCount": 15},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "w1peaMz6INOvnvgPgYfPiQY",
    },
    text_answer(" answer.", 15, 3, "w1peaMz6INOvnvgPgYfPiQY"),
]


def test_a_recorded_stream_replays_byte_for_byte_and_answers_unary_calls(tmp_path: Path) -> None:
    raw = recorded_fixture(tmp_path, RECORDED)
    client = new_fake(fixture_dirs=(tmp_path,)).client(headers=KEY)
    assert client.post(STREAM + "?alt=sse", json=ask("Q")).content == raw
    unary = client.post(UNARY, json=ask("Q")).json()
    assert unary["candidates"] == [
        {
            "content": {"parts": [{"text": "The answer."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ]
    assert unary["usageMetadata"] == RECORDED[-1]["usageMetadata"]
    assert client.post(STREAM, json=ask("Q")).json() == RECORDED


def test_a_recorded_unary_response_is_streamed_in_pieces(tmp_path: Path) -> None:
    response = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {
                            "text": "One sentence here. And another sentence follows it, "
                            "with more words in it."
                        }
                    ],
                    "role": "model",
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 16, "totalTokenCount": 20},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "bzlXaa_EE_aHqtsPi_zw8Ao",
    }
    (tmp_path / "r.json").write_text(
        json.dumps({"match": {"lastUserText": "Q"}, "response": response})
    )
    client = new_fake(fixture_dirs=(tmp_path,)).client(headers=KEY)
    chunks = sse_events(client.post(STREAM + "?alt=sse", json=ask("Q")).content)
    assert len(chunks) > 1
    assert aggregate(chunks) == response


def test_a_fixture_paces_its_own_stream(tmp_path: Path) -> None:
    recorded_fixture(tmp_path, RECORDED, streaming={"endAfter": 1, "end": "error"})
    client = new_fake(fixture_dirs=(tmp_path,)).client(headers=KEY)
    body = client.post(STREAM + "?alt=sse", json=ask("Q")).content
    assert b'"code": 503' in body.split(b"\r\n\r\n")[1]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ({"match": {}, "sse": "missing.sse"}, "the recorded stream missing.sse is missing"),
        ({"match": {}, "sse": "../x.sse"}, '"sse" names a file beside the fixture'),
        (
            {"match": {}, "answer": {"text": "x"}, "streaming": {"endAfter": 1, "end": "explode"}},
            "end must be one of",
        ),
        (
            {"match": {}, "answer": {"text": "x"}, "streaming": {"pause": 1}},
            "unknown streaming options",
        ),
    ],
)
def test_unusable_stream_fixtures_are_refused_at_load(
    tmp_path: Path, fixture: dict[str, Any], message: str
) -> None:
    (tmp_path / "f.json").write_text(json.dumps(fixture))
    with pytest.raises(FixtureError, match=message):
        create_app(FakeConfig(fixture_dirs=(tmp_path,)))


def test_a_streamed_request_is_journaled_with_the_unary_key(
    client: httpx.Client, gemini_fake: Fake
) -> None:
    client.post(UNARY, json=ask("How does AI work?"))
    client.post(STREAM + "?alt=sse", json=ask("How does AI work?"))
    unary, stream = gemini_fake.journal.entries
    assert stream.rpc == "streamGenerateContent"
    assert unary.key == stream.key


def test_first_event_delay_is_taken_before_the_first_event() -> None:
    # The pacing itself, without a socket: the response waits before its first event.
    sent: list[tuple[float, dict[str, Any]]] = []
    done = anyio.Event()

    async def send(message: dict[str, Any]) -> None:
        sent.append((time.monotonic(), message))
        if message["type"] == "http.response.body" and not message["more_body"]:
            done.set()

    async def receive() -> dict[str, Any]:  # as an ASGI server: disconnect once answered
        await done.wait()
        return {"type": "http.disconnect"}

    response = EventStreamResponse(
        [b"a", b"b"],
        pacing=Pacing(first_event_delay=0.05),
        error_event=b"",
        content_type="text/event-stream",
    )
    anyio.run(cast(Any, response), {"type": "http"}, receive, send)  # an ASGI app
    assert sent[1][0] - sent[0][0] >= 0.05
    assert [m.get("body") for _, m in sent[1:]] == [b"a", b"b", b""]


@pytest.mark.gemini_fake(streaming={"endAfter": 1, "end": "abort"})
def test_a_dropped_stream_fails_in_process_as_on_a_socket(gemini_fake: Fake) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="end=abort"):
        gemini_fake.client(headers=KEY).post(STREAM + "?alt=sse", json=ask("How does AI work?"))


@pytest.mark.anyio
@pytest.mark.gemini_fake(streaming={"endAfter": 1, "end": "abort"})
async def test_a_dropped_stream_fails_in_process_for_async_clients_too(gemini_fake: Fake) -> None:
    async with gemini_fake.async_client(headers=KEY) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(STREAM + "?alt=sse", json=ask("How does AI work?"))


def test_gemini_3_signs_a_streamed_text_answer_in_a_last_chunk_of_its_own(
    client: httpx.Client,
) -> None:
    path = "/v1beta/models/gemini-3-flash-preview:"
    request = ask("Explain recursion in three sentences.")
    unary = client.post(path + "generateContent", json=request).json()
    (signed,) = unary["candidates"][0]["content"]["parts"]
    chunks = sse_events(client.post(path + "streamGenerateContent?alt=sse", json=request).content)
    *pieces, last = [c["candidates"][0] for c in chunks]
    assert len(pieces) >= 1
    assert all("thoughtSignature" not in p["content"]["parts"][0] for p in pieces)
    assert "".join(p["content"]["parts"][0]["text"] for p in pieces) == signed["text"]
    assert last["content"]["parts"] == [
        {"text": "", "thoughtSignature": signed["thoughtSignature"]}
    ]
    assert last["finishReason"] == "STOP"
