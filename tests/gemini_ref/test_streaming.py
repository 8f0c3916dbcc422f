"""``generate_content_stream``: chunks as they arrive, and every way a stream can go wrong.

The service's framing (docs/evidence.md#service-sse-framing): each event is ``data: `` + one-line
JSON + ``\\r\\n\\r\\n``, errors before the stream are a plain JSON envelope labelled
``text/event-stream``. The bodies below arrive in the pieces a test gives, as network reads would,
often split mid-line.
"""

from __future__ import annotations

import json
from contextlib import aclosing, closing
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gemini_ref import errors, types

MODEL = "gemini-2.5-flash"
URL = f"https://generativelanguage.googleapis.com/v1beta/models/{MODEL}:streamGenerateContent"


def chunk(text: str, finish_reason: str | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}}
    if finish_reason:
        candidate["finishReason"] = finish_reason
    candidate["index"] = 0
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 7},
        "modelVersion": MODEL,
        "responseId": "bzlXaa_EE_aHqtsPi_zw8Ao",
    }


HELLO = [chunk("Hello"), chunk(" from"), chunk(" the stream.", "STOP")]


def event(obj: Any) -> bytes:
    """One event as the service frames it."""
    data = json.dumps(obj, separators=(",", ": "), ensure_ascii=False)
    return b"data: " + data.encode() + b"\r\n\r\n"


def events(*objects: Any) -> bytes:
    return b"".join(event(obj) for obj in objects)


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that arrives in ``pieces``, then raises ``error`` if one is given.

    It records how many pieces were read and whether the response was closed.
    """

    def __init__(self, *pieces: bytes, error: Exception | None = None) -> None:
        self.pieces = pieces
        self.error = error
        self.read = 0
        self.closed = False

    def __iter__(self):
        for piece in self.pieces:
            self.read += 1
            yield piece
        if self.error is not None:
            raise self.error

    async def __aiter__(self):
        for piece in self:
            yield piece

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def stream_answer(body: Body, status: int = 200, **headers: str) -> httpx.Response:
    headers.setdefault("content-type", "text/event-stream")
    return httpx.Response(status, headers=headers, stream=body)


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def answer_with(recorder, *pieces: bytes, error: Exception | None = None, **kw: Any) -> Body:
    body = Body(*pieces, error=error)
    recorder.answers = [stream_answer(body, **kw)]
    return body


def stream(client, contents: Any = "Hi", **kwargs: Any):
    return client.models.generate_content_stream(model=MODEL, contents=contents, **kwargs)


async def astream(client, contents: Any = "Hi", **kwargs: Any):
    return await client.aio.models.generate_content_stream(model=MODEL, contents=contents, **kwargs)


# --- Chunks ---------------------------------------------------------------------------------


def test_each_chunk_text_is_its_delta_in_order(client, recorder):
    answer_with(recorder, events(*HELLO))

    chunks = list(stream(client, ["Explain how AI works"]))

    assert [c.text for c in chunks] == ["Hello", " from", " the stream."]
    assert [c.candidates[0].finish_reason for c in chunks] == [None, None, "STOP"]
    assert all(c.response_id == "bzlXaa_EE_aHqtsPi_zw8Ao" for c in chunks)


def test_the_request_is_generate_contents_body_posted_to_stream_generate_content_sse(
    client, recorder
):
    recorder.answers = [stream_answer(Body(events(*HELLO))), {"candidates": []}]
    config = {"temperature": 0.1, "system_instruction": "Be brief."}

    list(stream(client, "How does AI work?", config=config))
    client.models.generate_content(model=MODEL, contents="How does AI work?", config=config)

    streamed, unary = recorder.requests
    assert (streamed.method, str(streamed.url)) == ("POST", f"{URL}?alt=sse")
    assert streamed.content == unary.content
    assert streamed.headers["x-goog-api-key"] == "test-key"


def test_events_split_mid_line_across_network_reads_give_the_same_chunks(client, recorder):
    answer_with(recorder, *pieces(events(*HELLO), 7))

    assert [c.text for c in stream(client)] == ["Hello", " from", " the stream."]


def test_nothing_is_sent_until_the_first_chunk_is_asked_for(client, recorder):
    answer_with(recorder, events(*HELLO))

    chunks = stream(client)
    assert recorder.requests == []
    next(chunks)
    assert len(recorder.requests) == 1
    chunks.close()


def test_an_invalid_model_name_raises_at_the_call(client):
    with pytest.raises(ValueError, match="model is required"):
        client.models.generate_content_stream(model="", contents="Hi")


def test_a_clean_end_without_a_finish_reason_is_not_an_error(client, recorder):
    # The official SDKs don't check it either; the last chunk says how the answer ended.
    answer_with(recorder, events(chunk("Hello"), chunk(" there")))

    chunks = list(stream(client))

    assert [c.candidates[0].finish_reason for c in chunks] == [None, None]


def test_an_empty_stream_yields_no_chunks(client, recorder):
    answer_with(recorder, b"")

    assert list(stream(client)) == []


def test_a_multibyte_character_split_between_reads_is_kept_whole(client, recorder):
    body = events(chunk("naïve café — 日本語 😀"))
    cut = body.index("😀".encode()) + 2
    answer_with(recorder, body[:cut], body[cut:])

    (only,) = stream(client)

    assert only.text == "naïve café — 日本語 😀"


def test_a_chunk_that_is_all_thought_has_no_text(client, recorder):
    thought = {"candidates": [{"content": {"parts": [{"text": "Hmm", "thought": True}]}}]}
    answer_with(recorder, events(thought, chunk("Answer", "STOP")))

    assert [c.text for c in stream(client)] == [None, "Answer"]


# --- Errors before the stream ---------------------------------------------------------------

API_KEY_INVALID = {
    "error": {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
            }
        ],
    }
}


def test_a_non_200_answer_raises_its_error_though_labelled_event_stream(client, recorder):
    # What the service sends (err-02): a pretty JSON envelope, not events.
    pretty = json.dumps(API_KEY_INVALID, indent=2).encode() + b"\n"
    length: dict[str, Any] = {"content-length": str(len(pretty))}
    body = answer_with(recorder, pretty, status=400, **length)

    with pytest.raises(errors.BadRequestError) as caught:
        next(stream(client))

    assert caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.message == "API key not valid. Please pass a valid API key."
    assert caught.value.details[0]["reason"] == "API_KEY_INVALID"
    assert body.closed


def test_a_non_200_envelope_wrapped_in_an_array_also_parses(client, recorder):
    not_found = {"error": {"code": 404, "message": "models/x is not found", "status": "NOT_FOUND"}}
    answer_with(recorder, json.dumps([not_found]).encode(), status=404)

    with pytest.raises(errors.NotFoundError, match="models/x is not found"):
        next(stream(client))


def test_a_failed_connection_raises_api_connection_error_not_interrupted(client, recorder):
    recorder.answers = [httpx.ConnectError("connection refused")]

    with pytest.raises(errors.APIConnectionError) as caught:
        next(stream(client))

    assert not isinstance(caught.value, errors.StreamInterruptedError)


def test_a_200_that_is_not_an_event_stream_is_malformed(client, recorder):
    json_type: dict[str, Any] = {"content-type": "application/json"}
    body = answer_with(recorder, json.dumps(HELLO).encode(), **json_type)

    with pytest.raises(errors.MalformedResponseError, match="'application/json', not text/event"):
        next(stream(client))

    assert body.closed


# --- Errors during the stream ---------------------------------------------------------------

UNAVAILABLE = {
    "error": {
        "code": 503,
        "message": "The model is overloaded. Please try again later.",
        "status": "UNAVAILABLE",
    }
}


@pytest.mark.parametrize("size", [4096, 5], ids=["one-read", "split-mid-line"])
def test_an_error_event_raises_its_typed_error_after_the_chunks_before_it(client, recorder, size):
    body = answer_with(recorder, *pieces(events(HELLO[0], HELLO[1], UNAVAILABLE, HELLO[2]), size))
    received = []

    with pytest.raises(errors.ServiceUnavailableError) as caught:
        for c in stream(client):
            received.append(c.text)

    assert received == ["Hello", " from"]
    error = caught.value
    assert (error.code, error.status) == (503, "UNAVAILABLE")
    assert error.message == "The model is overloaded. Please try again later."
    assert error.body == UNAVAILABLE
    assert error.response is not None and error.response.status_code == 200
    assert body.closed


def test_an_error_event_picks_its_class_by_its_code_even_when_error_is_not_first(client, recorder):
    answer_with(recorder, events({"usageMetadata": {}, "error": {"code": 429, "message": "Slow"}}))

    with pytest.raises(errors.RateLimitError, match="Slow"):
        list(stream(client))


def test_an_error_event_without_an_integer_code_is_malformed(client, recorder):
    answer_with(recorder, events({"error": {"message": "no code", "status": "INTERNAL"}}))

    with pytest.raises(errors.MalformedResponseError, match="without an integer code.*no code"):
        list(stream(client))


def test_event_data_that_is_not_json_is_malformed_and_quoted(client, recorder):
    answer_with(recorder, events(HELLO[0]) + b"data: [DONE]\r\n\r\n")
    received = []

    with pytest.raises(errors.MalformedResponseError) as caught:
        for c in stream(client):
            received.append(c.text)

    assert received == ["Hello"]
    assert "event 2 of the stream is not JSON: '[DONE]'" in str(caught.value)


def test_event_json_that_is_not_a_chunk_is_malformed(client, recorder):
    answer_with(recorder, b"data: [1, 2]\r\n\r\n")

    with pytest.raises(errors.MalformedResponseError, match="event 1 of the stream is not a chunk"):
        list(stream(client))


def test_a_body_that_ends_in_the_middle_of_an_event_is_cut_short(client, recorder):
    whole = events(*HELLO)
    answer_with(recorder, whole[: whole.index(b"data: ", 10) + 20])  # into the 2nd event
    received = []

    with pytest.raises(errors.StreamInterruptedError) as caught:
        for c in stream(client):
            received.append(c.text)

    assert received == ["Hello"]
    assert caught.value.chunks == 1
    assert isinstance(caught.value, errors.APIConnectionError)
    message = str(caught.value)
    assert "the stream was cut short after 1 chunk: the body ended in the middle of an event" in (
        message
    )
    assert message.endswith("""(20 bytes: b'data: {"candidates":')""")  # what was left


def test_a_last_event_without_its_blank_line_is_cut_short(client, recorder):
    # The spec discards it; the Python SDK would parse it, the JS SDK raises.
    answer_with(recorder, events(HELLO[0]) + event(HELLO[1]).rstrip(b"\r\n") + b"\r\n")

    with pytest.raises(errors.StreamInterruptedError, match="after 1 chunk:"):
        list(stream(client))


@pytest.mark.parametrize(
    "failure",
    [
        httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: incomplete chunked read"
        ),
        httpx.ReadError("connection reset by peer"),
        httpx.ReadTimeout("timed out"),
    ],
    ids=lambda failure: type(failure).__name__,
)
def test_a_connection_lost_mid_stream_is_cut_short(client, recorder, failure):
    body = answer_with(recorder, *pieces(events(*HELLO[:2]), 10), error=failure)
    received = []

    with pytest.raises(errors.StreamInterruptedError) as caught:
        for c in stream(client):
            received.append(c.text)

    assert received == ["Hello", " from"]
    assert caught.value.chunks == 2
    assert caught.value.__cause__ is failure
    assert "cut short after 2 chunks" in str(caught.value)
    assert caught.value.request is not None and caught.value.request.url.path.endswith(
        ":streamGenerateContent"
    )
    assert body.closed


# --- Closing --------------------------------------------------------------------------------


def test_breaking_out_of_the_loop_closes_the_response(client, recorder):
    body = answer_with(recorder, *[event(c) for c in HELLO])

    for _ in stream(client):
        break

    assert body.closed
    assert body.read == 1  # the rest was never read


def test_closing_a_stream_held_in_a_variable_closes_the_response(client, recorder):
    body = answer_with(recorder, *[event(c) for c in HELLO])

    with closing(stream(client)) as chunks:
        next(chunks)
        assert not body.closed

    assert body.closed


def test_a_finished_stream_has_closed_its_response(client, recorder):
    body = answer_with(recorder, events(*HELLO))

    response = stream(client)  # as the guide writes it
    for _ in response:
        pass

    assert body.closed


# --- Async ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_chunks_and_request_match_sync(client, recorder):
    recorder.answers = [stream_answer(Body(*pieces(events(*HELLO), 9)))]
    config = {"temperature": 0.1}

    texts = [c.text async for c in await astream(client, config=config)]
    recorder.answers = [stream_answer(Body(events(*HELLO)))]
    list(stream(client, config=config))

    assert texts == ["Hello", " from", " the stream."]
    async_request, sync_request = recorder.requests
    assert str(async_request.url) == str(sync_request.url) == f"{URL}?alt=sse"
    assert async_request.content == sync_request.content


@pytest.mark.anyio
async def test_async_nothing_is_sent_until_the_first_chunk_is_awaited(client, recorder):
    answer_with(recorder, events(*HELLO))

    chunks = await astream(client)
    assert recorder.requests == []
    async with aclosing(chunks):
        await anext(chunks)
    assert len(recorder.requests) == 1


@pytest.mark.anyio
async def test_async_error_event_raises_after_the_chunks_before_it(client, recorder):
    body = answer_with(recorder, *pieces(events(HELLO[0], UNAVAILABLE), 6))
    received = []

    with pytest.raises(errors.ServiceUnavailableError):
        async for c in await astream(client):
            received.append(c.text)

    assert received == ["Hello"]
    assert body.closed


@pytest.mark.anyio
async def test_async_non_200_raises_its_typed_error(client, recorder):
    answer_with(recorder, json.dumps(API_KEY_INVALID).encode(), status=400)

    with pytest.raises(errors.BadRequestError, match="API key not valid"):
        async for _ in await astream(client):
            pass


@pytest.mark.anyio
async def test_async_body_ending_mid_event_is_cut_short(client, recorder):
    answer_with(recorder, events(HELLO[0]) + b'data: {"cand')

    with pytest.raises(errors.StreamInterruptedError, match="after 1 chunk: .*b'data: {\"cand'"):
        async for _ in await astream(client):
            pass


@pytest.mark.anyio
async def test_async_connection_lost_mid_stream_is_cut_short(client, recorder):
    failure = httpx.RemoteProtocolError("incomplete chunked read")
    answer_with(recorder, events(HELLO[0]), error=failure)

    with pytest.raises(errors.StreamInterruptedError) as caught:
        async for _ in await astream(client):
            pass

    assert caught.value.chunks == 1
    assert caught.value.__cause__ is failure


@pytest.mark.anyio
async def test_async_aclosing_after_a_break_closes_the_response_at_once(client, recorder):
    body = answer_with(recorder, *[event(c) for c in HELLO])

    async with aclosing(await astream(client)) as chunks:
        async for _ in chunks:
            break
        assert body.read == 1

    assert body.closed


@pytest.mark.anyio
async def test_async_breaking_out_of_the_loop_closes_the_response_soon(client, recorder):
    body = answer_with(recorder, *[event(c) for c in HELLO])

    async for _ in await astream(client):
        break
    # The dropped generator is closed by the event loop's finaliser, on a later tick.
    for _ in range(3):
        await anyio.sleep(0)

    assert body.closed


# --- Properties -----------------------------------------------------------------------------


gemini_chunks = st.builds(
    chunk,
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.sampled_from([None, "STOP", "MAX_TOKENS"]),
)


@st.composite
def split(draw: st.DrawFn, data: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=10)))
    return [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)], strict=True)]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), objects=st.lists(gemini_chunks, max_size=5))
def test_any_split_of_a_stream_gives_the_same_chunks_through_the_async_client(
    client, recorder, data, objects
):
    body = events(*objects)
    reads = data.draw(split(body))
    recorder.answers = [stream_answer(Body(*reads))]

    async def collect() -> list[Any]:
        return [c async for c in await astream(client)]

    chunks = anyio.run(collect)

    assert [c.candidates[0] for c in chunks] == [
        types.Candidate(
            content=types.Content(parts=[types.Part(text=obj_text(obj))], role="model"),
            finish_reason=obj["candidates"][0].get("finishReason"),
            index=0,
        )
        for obj in objects
    ]


def obj_text(obj: dict[str, Any]) -> str:
    text: str = obj["candidates"][0]["content"]["parts"][0]["text"]
    return text
