"""Context caching end to end: our client against the fake, in process and on a socket."""

from __future__ import annotations

import pytest

import gemini_ref as genai
from fake_server.pytest_plugin import Fake
from gemini_ref import errors, types

MODEL = "gemini-2.5-flash"
DOCUMENT = " ".join(f"Entry {i}: the lights on pier {i % 7} were green." for i in range(150))


def make_cache(client: genai.Client, **config: str) -> types.CachedContent:
    return client.caches.create(model=MODEL, config={"contents": [DOCUMENT], **config})


def test_create_get_list_update_delete(client: genai.Client) -> None:
    cache = make_cache(client, display_name="harbour", ttl="300s")
    assert cache.name is not None and cache.display_name == "harbour"
    assert client.caches.get(name=cache.name) == cache
    others = [make_cache(client) for _ in range(2)]
    listed = [
        c.name for c in client.caches.list(config=types.ListCachedContentsConfig(page_size=2))
    ]
    assert listed == [cache.name, *(c.name for c in others)]
    updated = client.caches.update(name=cache.name, config={"ttl": "3600s"})
    assert updated.expire_time and cache.expire_time and updated.expire_time > cache.expire_time
    client.caches.delete(name=cache.name)
    with pytest.raises(errors.ClientError) as raised:
        client.caches.get(name=cache.name)
    assert raised.value.code == 403


def test_a_prompt_naming_the_cache_counts_it(client: genai.Client) -> None:
    cache = make_cache(client, system_instruction="Answer as the harbour master.")
    response = client.models.generate_content(
        model=MODEL,
        contents="Which pier was green?",
        config=types.GenerateContentConfig(cached_content=cache.name),
    )
    usage = response.usage_metadata
    assert usage is not None and cache.usage_metadata is not None
    assert usage.cached_content_token_count == cache.usage_metadata.total_token_count
    assert usage.prompt_token_count is not None and usage.cached_content_token_count is not None
    assert usage.prompt_token_count > usage.cached_content_token_count
    assert response.text


def test_a_cache_too_small_for_the_model_is_refused(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.caches.create(model="gemini-2.5-pro", config={"contents": [DOCUMENT]})
    assert raised.value.code == 400
    assert "min_total_token_count=4096" in str(raised.value.message)


def test_an_expired_cache_is_gone(client: genai.Client, fake: Fake) -> None:
    cache = make_cache(client, ttl="60s")
    assert cache.name is not None
    fake.advance_clock(60)
    with pytest.raises(errors.ClientError):
        client.models.generate_content(
            model=MODEL, contents="Hi", config={"cached_content": cache.name}
        )


@pytest.mark.anyio
async def test_the_async_client_does_the_same(fake: Fake) -> None:
    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        created = await client.aio.caches.create(model=MODEL, config={"contents": [DOCUMENT]})
        assert created.name is not None
        fetched = await client.aio.caches.get(name=created.name)
        names = [c.name async for c in await client.aio.caches.list()]
        await client.aio.caches.delete(name=created.name)
        after = [c.name async for c in await client.aio.caches.list()]
    assert (fetched, names, after) == (created, [created.name], [])
