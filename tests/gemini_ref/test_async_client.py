"""``client.aio``: the same protocol, awaited."""

from __future__ import annotations

import httpx
import pytest

import gemini_ref as genai
from gemini_ref import errors, types

pytestmark = pytest.mark.anyio


async def test_aio_generate_content_sends_the_same_request_as_sync(client, recorder):
    config = types.GenerateContentConfig(system_instruction="You are a cat.", temperature=0.1)

    response = await client.aio.models.generate_content(
        model="gemini-2.5-flash", contents="Hello there", config=config
    )
    client.models.generate_content(model="gemini-2.5-flash", contents="Hello there", config=config)

    assert response.text == "AI learns patterns from data."
    async_request, sync_request = recorder.requests
    assert async_request.url == sync_request.url
    assert async_request.content == sync_request.content
    assert async_request.headers["x-goog-api-key"] == "test-key"


async def test_aio_count_tokens_and_get(client, recorder):
    recorder.answers = [{"totalTokens": 3}, {"name": "models/gemini-2.5-flash"}]

    counted = await client.aio.models.count_tokens(model="gemini-2.5-flash", contents="Hi")
    found = await client.aio.models.get(model="gemini-2.5-flash")

    assert counted.total_tokens == 3
    assert found.name == "models/gemini-2.5-flash"
    assert [request.url.path for request in recorder.requests] == [
        "/v1beta/models/gemini-2.5-flash:countTokens",
        "/v1beta/models/gemini-2.5-flash",
    ]


async def test_aio_models_list_pages_with_async_for(client, recorder):
    recorder.answers = [
        {"models": [{"name": "models/a"}], "nextPageToken": "t1"},
        {"models": [{"name": "models/b"}]},
    ]

    pager = await client.aio.models.list(config={"page_size": 1})
    names = [found.name async for found in pager]

    assert names == ["models/a", "models/b"]
    assert recorder.requests[1].url.params["pageToken"] == "t1"
    assert pager.next_page_token is None


async def test_aio_maps_errors_like_sync(client, recorder):
    body = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}],
        }
    }
    recorder.answers = [httpx.Response(429, json=body)]

    with pytest.raises(errors.RateLimitError) as caught:
        await client.aio.models.generate_content(model="gemini-2.5-flash", contents="Hi")

    assert caught.value.retry_delay == 1.0


async def test_aio_wraps_transport_failures(client, recorder):
    recorder.answers = [httpx.ConnectError("connection refused")]

    with pytest.raises(errors.APIConnectionError):
        await client.aio.models.generate_content(model="gemini-2.5-flash", contents="Hi")


async def test_aio_closes_the_http_client_it_created_on_async_with_exit():
    client = genai.Client(api_key="k")

    async with client.aio as aio:
        http = aio.models._caller.http
    client.close()

    assert http.is_closed


async def test_aio_leaves_a_caller_supplied_http_client_open():
    http = httpx.AsyncClient()
    client = genai.Client(api_key="k", async_http_client=http)

    await client.aio.aclose()

    assert not http.is_closed
    await http.aclose()


async def test_aio_is_created_once_and_only_when_used():
    client = genai.Client(api_key="k")

    assert client._aio is None
    assert client.aio is client.aio
    await client.aio.aclose()
    client.close()
