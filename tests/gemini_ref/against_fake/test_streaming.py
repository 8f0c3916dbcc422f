"""The guide's streaming example through our client against the fake: in process and on a socket.

As in ``test_generate.py``, most tests run twice: through ``fake.client()`` in process (the
whole body is handed over at once) and over a real loopback port (the body arrives as the fake
writes it). Pacing and early ends are set with the plugin's ``streaming`` marker.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import gemini_ref as genai
from gemini_ref import errors, types
from tests.kit.fakes import client_for

MODEL = "gemini-2.5-flash"
GUIDE_STREAMING_EXAMPLE: dict[str, Any] = {"model": MODEL, "contents": ["Explain how AI works"]}


def test_guide_streaming_example_arrives_in_chunks_that_join_to_the_unary_answer(fake, client):
    chunks = list(client.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE))
    unary = client.models.generate_content(**GUIDE_STREAMING_EXAMPLE)

    assert len(chunks) > 1
    assert "".join(chunk.text or "" for chunk in chunks) == unary.text
    finish_reasons = [chunk.candidates[0].finish_reason for chunk in chunks]
    assert finish_reasons == [None] * (len(chunks) - 1) + [types.FinishReason.STOP]
    assert chunks[-1].usage_metadata == unary.usage_metadata
    assert len({chunk.response_id for chunk in chunks}) == 1
    assert {chunk.model_version for chunk in chunks} == {MODEL}
    streamed, answered = fake.journal.calls()
    assert streamed.rpc == "streamGenerateContent"
    assert streamed.answered_by == answered.answered_by == "fixture:guide-explain-how-ai-works"


@pytest.mark.gemini_fake(streaming={"endAfter": 2, "end": "error"})
def test_a_stream_ending_with_an_error_event_raises_it_after_its_chunks(client):
    received = []

    with pytest.raises(errors.ServiceUnavailableError) as caught:
        for chunk in client.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE):
            received.append(chunk.text)

    assert len(received) == 2
    assert caught.value.status == "UNAVAILABLE"
    assert caught.value.message == "The model is overloaded. Please try again later."


@pytest.mark.gemini_fake(streaming={"endAfter": 2, "end": "close"})
def test_a_stream_that_ends_early_but_cleanly_is_not_an_error(client):
    chunks = list(client.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE))

    assert len(chunks) == 2
    assert chunks[-1].candidates[0].finish_reason is None


def test_an_unknown_model_raises_not_found_before_any_chunk(client):
    with pytest.raises(errors.NotFoundError, match="models/gemini-1.5-flash is not found"):
        next(client.models.generate_content_stream(model="gemini-1.5-flash", contents="Hi"))


@pytest.mark.gemini_fake(api_keys=["another-key"])
def test_a_wrong_key_raises_bad_request_on_the_stream(client):
    with pytest.raises(errors.BadRequestError) as caught:
        next(client.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE))

    assert caught.value.message == "API key not valid. Please pass a valid API key."
    assert caught.value.details[0]["reason"] == "API_KEY_INVALID"


# Only a socket can drop a connection mid-body: in process, the fake's abort surfaces as its own
# ``StreamAborted`` exception from the transport, before the client sees any byte.
@pytest.mark.gemini_fake(streaming={"endAfter": 2, "end": "abort"})
def test_a_connection_dropped_mid_stream_is_cut_short(gemini_fake_server):
    received = []
    with gemini_fake_server.client() as http:
        client = client_for(gemini_fake_server, http)

        with pytest.raises(errors.StreamInterruptedError) as caught:
            for chunk in client.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE):
                received.append(chunk.text)

    assert len(received) == caught.value.chunks == 2
    assert "incomplete chunked read" in str(caught.value)


@pytest.mark.gemini_fake(streaming={"eventInterval": 0.1})
def test_leaving_a_paced_stream_early_hangs_up_and_the_fake_stops_sending(gemini_fake_server):
    with gemini_fake_server.client() as http:
        client = client_for(gemini_fake_server, http)
        started = time.monotonic()
        for _ in client.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE):
            break
        assert time.monotonic() - started < 1.0  # not the whole paced stream

        (entry,) = gemini_fake_server.journal.calls()
        time.sleep(0.3)
        sent = entry.extra["eventsSent"]
        time.sleep(0.3)

        assert entry.extra["eventsSent"] == sent < 5
        assert entry.extra["streamFinished"] is False


@pytest.mark.anyio
async def test_async_guide_streaming_example_against_the_fake(fake):
    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        stream = await client.aio.models.generate_content_stream(**GUIDE_STREAMING_EXAMPLE)
        chunks = [chunk async for chunk in stream]
        unary = await client.aio.models.generate_content(**GUIDE_STREAMING_EXAMPLE)
        client.close()

    assert len(chunks) > 1
    assert "".join(chunk.text or "" for chunk in chunks) == unary.text
    assert chunks[-1].candidates is not None
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP


@pytest.mark.anyio
@pytest.mark.gemini_fake(streaming={"endAfter": 1, "end": "error"})
async def test_async_error_event_from_the_fake_raises_after_its_chunk(fake):
    received = []
    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        with pytest.raises(errors.ServiceUnavailableError):
            async for chunk in await client.aio.models.generate_content_stream(
                **GUIDE_STREAMING_EXAMPLE
            ):
                received.append(chunk.text)
        client.close()

    assert len(received) == 1
