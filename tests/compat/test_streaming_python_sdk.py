"""The guide's "Streaming responses" example through the official Python SDK (google-genai 3.3.0).

As in test_python_sdk.py, the client is ``genai.Client()`` configured only by the environment
(``GOOGLE_GEMINI_BASE_URL``, ``GEMINI_API_KEY``), on the SDK's default ``/v1`` and on ``/v1beta``,
sync and through ``client.aio``. The SDK must not be able to tell the fake's stream from the real
one (docs/evidence.md#sdk-streaming, docs/evidence.md#sdk-sse-acceptance;
docs/evidence.md#service-stream-chunks): one chunk per event, one ``responseId``, ``finishReason``
only on the last chunk, and the early ends an app has to survive (an error event, a dropped
connection, a clean end without ``finishReason``). ``wire_tap`` shows the query string and bytes,
which the journal does not keep.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import pytest
from google import genai
from google.genai import errors, types

from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import model_not_found
from tests.kit.guide_answers import GuideExample
from tests.kit.wire import Exchange

pytestmark = pytest.mark.sdk

PROMPT = "Explain how AI works"
OVERLOADED = "The model is overloaded. Please try again later."
EARLY_END = 3  # events before a stream configured to end early ends


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def guide(guide_examples: dict[str, GuideExample]) -> GuideExample:
    return guide_examples["stream"]


def settled(call: Entry, expected: dict[str, Any], timeout: float = 2.0) -> dict[str, Any]:
    """The stream progress the journal settles on (``call.extra``), waiting up to ``timeout``:
    the fake notes an event just after writing it, so the SDK can be a moment ahead."""
    deadline = time.monotonic() + timeout
    while call.extra != expected and time.monotonic() < deadline:
        time.sleep(0.002)
    return dict(call.extra)


def dumped(model: Any) -> dict[str, Any]:
    """An SDK object as the camelCase JSON it was read from (unset fields left out)."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def body(chunk: types.GenerateContentResponse) -> dict[str, Any]:
    """A chunk as the JSON it was read from, without the HTTP headers the SDK adds to it."""
    data = dumped(chunk)
    data.pop("sdkHttpResponse", None)
    return data


@dataclass
class Streamed:
    """What the app saw: the chunks the SDK yielded, and the exception that ended the loop."""

    chunks: list[types.GenerateContentResponse]
    error: BaseException | None

    @property
    def texts(self) -> list[str]:
        return [chunk.text or "" for chunk in self.chunks]


def stream_the_guide_example(mode: str) -> Streamed:
    """The guide's streaming call, sync or through ``client.aio``, its chunks kept."""
    if mode == "async":
        return anyio.run(_stream_async)
    client = genai.Client()
    chunks: list[types.GenerateContentResponse] = []
    try:
        response = client.models.generate_content_stream(
            model="gemini-2.5-flash",
            contents=["Explain how AI works"],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
        )
        for chunk in response:
            chunks.append(chunk)
    except Exception as error:
        return Streamed(chunks, error)
    finally:
        client.close()
    return Streamed(chunks, None)


async def _stream_async() -> Streamed:
    client = genai.Client()
    chunks: list[types.GenerateContentResponse] = []
    try:
        response = await client.aio.models.generate_content_stream(
            model="gemini-2.5-flash",
            contents=["Explain how AI works"],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
        )
        async for chunk in response:
            chunks.append(chunk)
    except Exception as error:
        return Streamed(chunks, error)
    finally:
        await client.aio.aclose()
        client.close()
    return Streamed(chunks, None)


@pytest.fixture
def streamed(mode: str, api_version: str, wire_tap: list[Exchange]) -> Streamed:
    """The guide's streaming call, ``mode`` on ``api_version``, against this test's fake (its
    exchanges tapped first)."""
    return stream_the_guide_example(mode)


def check_chunk(chunk: types.GenerateContentResponse, *, last: bool) -> None:
    """One chunk as docs/evidence.md#service-stream-chunks has them: one candidate holding a delta,
    every chunk with usage, model and id, ``finishReason`` only on the last one."""
    assert chunk.model_version == "gemini-2.5-flash"
    assert chunk.response_id is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{23}", chunk.response_id)
    assert chunk.candidates is not None and len(chunk.candidates) == 1
    candidate = chunk.candidates[0]
    assert candidate.index == 0
    assert candidate.content is not None and candidate.content.role == "model"
    assert candidate.content.parts
    assert candidate.finish_reason == (types.FinishReason.STOP if last else None)
    usage = chunk.usage_metadata
    assert usage is not None
    assert usage.total_token_count == (usage.prompt_token_count or 0) + (
        usage.candidates_token_count or 0
    ) + (usage.thoughts_token_count or 0)


def check_prefix(streamed: Streamed, guide: GuideExample) -> None:
    """Chunks cut short: the first pieces of the answer, one stream, none of them final."""
    assert len(streamed.chunks) == EARLY_END
    assert guide.expected_text().startswith("".join(streamed.texts))
    assert len({chunk.response_id for chunk in streamed.chunks}) == 1
    for chunk in streamed.chunks:
        check_chunk(chunk, last=False)


def check_stream_call(
    fake: Fake, wire: list[Exchange], guide: GuideExample, version: str, progress: dict[str, Any]
) -> None:
    """The journal has one streamGenerateContent call, and the wire shows it asked for SSE."""
    (call,) = fake.journal.calls("streamGenerateContent")
    guide.check_call(call, version, rpc="streamGenerateContent")
    assert settled(call, progress) == progress
    (exchange,) = [e for e in wire if e.path == call.path]
    assert exchange.query == "alt=sse"  # docs/evidence.md#sdk-requests: the SDK forces alt=sse
    assert exchange.header("content-type") == "text/event-stream"
    assert exchange.header("content-disposition") == "attachment"


# --- the whole stream -----------------------------------------------------------------------


def test_the_guides_streaming_example_prints_the_fixture_answer_chunk_by_chunk(
    client: genai.Client,
    api_version: str,
    guide: GuideExample,
    gemini_fake_server: Fake,
    wire_tap: list[Exchange],
    capsys: pytest.CaptureFixture[str],
) -> None:
    chunks = []
    # The guide's code, as written (the client is the fixture's, made the same way).
    response = client.models.generate_content_stream(
        model="gemini-2.5-flash",
        contents=["Explain how AI works"],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
    )
    for chunk in response:
        print(chunk.text, end="")
        chunks.append(chunk)

    assert capsys.readouterr().out == guide.expected_text()
    assert len(chunks) > 1
    guide.check_text("".join(chunk.text or "" for chunk in chunks))
    assert len({chunk.response_id for chunk in chunks}) == 1
    for position, chunk in enumerate(chunks):
        check_chunk(chunk, last=position == len(chunks) - 1)
    check_stream_call(
        gemini_fake_server,
        wire_tap,
        guide,
        api_version,
        {"eventsSent": len(chunks), "streamFinished": True},
    )


def test_the_last_chunks_usage_is_the_usage_of_the_same_request_unstreamed(
    client: genai.Client, guide: GuideExample, gemini_fake_server: Fake
) -> None:
    chunks = list(
        client.models.generate_content_stream(model="gemini-2.5-flash", contents=[PROMPT])  # type: ignore[arg-type]  # the SDK types contents as invariant lists
    )
    unary = client.models.generate_content(model="gemini-2.5-flash", contents=[PROMPT])  # type: ignore[arg-type]  # the SDK types contents as invariant lists

    assert chunks[-1].usage_metadata is not None and unary.usage_metadata is not None
    usage = dumped(chunks[-1].usage_metadata)
    assert usage == dumped(unary.usage_metadata)
    guide.check_usage(usage)
    # Usage is cumulative so far (docs/evidence.md#service-stream-chunks): it never goes down.
    totals = [chunk.usage_metadata.total_token_count for chunk in chunks if chunk.usage_metadata]
    counts = [total for total in totals if total is not None]
    assert counts == totals
    assert counts == sorted(counts)
    assert "".join(chunk.text or "" for chunk in chunks) == unary.text
    assert [c.rpc for c in gemini_fake_server.journal.entries] == [
        "streamGenerateContent",
        "generateContent",
    ]


def test_the_async_client_streams_the_same_chunks_as_the_sync_one(
    api_version: str, guide: GuideExample, gemini_fake_server: Fake, wire_tap: list[Exchange]
) -> None:
    streamed = stream_the_guide_example("async")

    assert streamed.error is None
    assert len(streamed.chunks) > 1
    guide.check_text("".join(streamed.texts))
    for position, chunk in enumerate(streamed.chunks):
        check_chunk(chunk, last=position == len(streamed.chunks) - 1)
    check_stream_call(
        gemini_fake_server,
        wire_tap,
        guide,
        api_version,
        {"eventsSent": len(streamed.chunks), "streamFinished": True},
    )
    again = stream_the_guide_example("sync")
    assert [body(c) for c in again.chunks] == [body(c) for c in streamed.chunks]


# --- streams that end early -----------------------------------------------------------------


@pytest.mark.gemini_fake(streaming={"endAfter": EARLY_END, "end": "error"})
def test_an_error_event_mid_stream_raises_server_error_503_after_the_earlier_chunks(
    streamed: Streamed,
    api_version: str,
    guide: GuideExample,
    gemini_fake_server: Fake,
    wire_tap: list[Exchange],
) -> None:
    check_prefix(streamed, guide)
    error = streamed.error
    assert isinstance(error, errors.ServerError), repr(error)
    assert (error.code, error.status, error.message) == (503, "UNAVAILABLE", OVERLOADED)
    assert error.details == {"error": {"code": 503, "message": OVERLOADED, "status": "UNAVAILABLE"}}
    check_stream_call(
        gemini_fake_server,
        wire_tap,
        guide,
        api_version,
        {"eventsSent": EARLY_END, "streamFinished": False},
    )
    # docs/evidence.md#sdk-sse-acceptance: the error comes as one more SSE event, in a 200 stream
    # that then ends.
    (exchange,) = wire_tap
    assert exchange.status == 200
    assert exchange.body.endswith(
        b'data: {"error": {"code": 503,"message": "' + OVERLOADED.encode() + b'",'
        b'"status": "UNAVAILABLE"}}\r\n\r\n'
    )


@pytest.mark.gemini_fake(streaming={"endAfter": EARLY_END, "end": "abort"})
def test_a_dropped_connection_mid_stream_raises_the_transport_error_after_the_earlier_chunks(
    streamed: Streamed, guide: GuideExample, gemini_fake_server: Fake
) -> None:
    check_prefix(streamed, guide)
    # docs/evidence.md#sdk-sse-acceptance: "TCP close without the 0\r\n\r\n terminator":
    # httpx2.RemoteProtocolError, not wrapped in an SDK error.
    assert isinstance(streamed.error, httpx2.RemoteProtocolError), repr(streamed.error)
    assert not isinstance(streamed.error, errors.APIError)
    (call,) = gemini_fake_server.journal.calls("streamGenerateContent")
    progress = {"eventsSent": EARLY_END, "streamFinished": False}
    assert settled(call, progress) == progress


@pytest.mark.gemini_fake(streaming={"endAfter": EARLY_END, "end": "close"})
def test_a_clean_end_before_the_last_chunk_is_no_error_and_no_chunk_has_a_finish_reason(
    streamed: Streamed, guide: GuideExample, gemini_fake_server: Fake, wire_tap: list[Exchange]
) -> None:
    assert streamed.error is None
    check_prefix(streamed, guide)
    assert all(c.candidates and not c.candidates[0].finish_reason for c in streamed.chunks)
    (exchange,) = wire_tap
    assert exchange.complete and exchange.body.endswith(b"}\r\n\r\n")
    (call,) = gemini_fake_server.journal.calls("streamGenerateContent")
    progress = {"eventsSent": EARLY_END, "streamFinished": False}
    assert settled(call, progress) == progress


def test_an_unknown_model_on_a_stream_is_a_404_client_error_before_any_chunk(
    client: genai.Client, api_version: str, gemini_fake_server: Fake, wire_tap: list[Exchange]
) -> None:
    chunks = []
    with pytest.raises(errors.ClientError) as caught:
        for chunk in client.models.generate_content_stream(model="gemini-nope", contents=[PROMPT]):  # type: ignore[arg-type]  # the SDK types contents as invariant lists
            chunks.append(chunk)

    assert chunks == []
    error = caught.value
    assert (error.code, error.status) == (404, "NOT_FOUND")
    # docs/evidence.md#service-errors: the message names the base RPC, generateContent, even on a
    # stream.
    assert error.message == model_not_found("gemini-nope", api_version)
    # docs/evidence.md#service-stream-errors: not SSE-framed; the plain JSON error, event-stream
    # type, with a length.
    (exchange,) = wire_tap
    assert exchange.header("content-type") == "text/event-stream"
    assert exchange.header("content-length") == str(len(exchange.body))
    assert exchange.body.startswith(b'{\n  "error": {\n    "code": 404,')
    (call,) = gemini_fake_server.journal.calls("streamGenerateContent")
    assert call.status == 404


# --- pacing ---------------------------------------------------------------------------------


@pytest.mark.gemini_fake(streaming={"firstEventDelay": 0.3, "eventInterval": 0.3})
def test_the_sdk_yields_the_first_chunk_while_the_fake_is_still_streaming(
    mode: str, sdk_env: Fake, guide: GuideExample
) -> None:
    started = time.monotonic()
    if mode == "sync":
        client = genai.Client()
        try:
            response = client.models.generate_content_stream(
                model="gemini-2.5-flash",
                contents=[PROMPT],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
            )
            first = next(response)
            waited = time.monotonic() - started
            progress = dict(sdk_env.journal.last("streamGenerateContent").extra)
            assert isinstance(response, Generator)
            response.close()  # the app stops reading
        finally:
            client.close()
    else:
        first, progress = anyio.run(_first_chunk_async, sdk_env)
        waited = time.monotonic() - started

    # The fake had sent only the first event, and had not finished, when the app got its first
    # chunk: the SDK hands chunks over as they arrive. (The fake notes an event just after it
    # has written it, so a very quick reader may still find the note empty.)
    assert progress.get("streamFinished", False) is False, progress
    assert progress.get("eventsSent", 0) <= 1, progress
    assert first.text and guide.expected_text().startswith(first.text)
    assert first.candidates and first.candidates[0].finish_reason is None
    # The fake held the first event back firstEventDelay; sending all of them takes > 3.9 s.
    assert 0.3 <= waited < 3.0


async def _first_chunk_async(fake: Fake) -> tuple[types.GenerateContentResponse, dict[str, Any]]:
    client = genai.Client()
    try:
        response = await client.aio.models.generate_content_stream(
            model="gemini-2.5-flash",
            contents=[PROMPT],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
        )
        first = await anext(response)
        progress = dict(fake.journal.last("streamGenerateContent").extra)
        await response.aclose()  # type: ignore[attr-defined]
    finally:
        await client.aio.aclose()
        client.close()
    return first, progress
