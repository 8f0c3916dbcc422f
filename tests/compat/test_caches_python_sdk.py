"""The official Python SDK (google-genai 3.3.0) on context caching, over a real socket.

``client.caches.create/get/list/update/delete`` as an app calls them (the pager over several
pages), then ``generate_content`` and ``generate_content_stream`` naming the cache, on the
SDK's default ``/v1`` and on ``/v1beta``; and the service's refusals as the SDK raises them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google import genai
from google.genai import errors, types

from fake_server.pytest_plugin import Fake

pytestmark = pytest.mark.sdk

MODEL = "gemini-2.5-flash"
DOCUMENT = "The harbour log. " + " ".join(
    f"Entry {i}: the lights on pier {i % 7} were green at dusk." for i in range(150)
)
NO_CACHE = "CachedContent not found (or permission denied)"


def make_cache(client: genai.Client, **config: object) -> types.CachedContent:
    return client.caches.create(
        model=MODEL,
        config=types.CreateCachedContentConfig(
            contents=[types.Content(role="user", parts=[types.Part(text=DOCUMENT)])],
            **config,  # type: ignore[arg-type]
        ),
    )


def test_create_get_list_update_delete(client: genai.Client, sdk_env: Fake) -> None:
    cache = make_cache(client, display_name="harbour log", ttl="300s")
    assert cache.name is not None and cache.name.startswith("cachedContents/")
    assert (cache.model, cache.display_name) == (f"models/{MODEL}", "harbour log")
    assert cache.create_time is not None and cache.expire_time is not None
    assert cache.expire_time - cache.create_time == timedelta(seconds=300)
    assert cache.usage_metadata is not None and cache.usage_metadata.total_token_count

    assert client.caches.get(name=cache.name) == cache
    assert client.caches.get(name=cache.name.removeprefix("cachedContents/")) == cache

    others = [make_cache(client).name for _ in range(4)]
    pager = client.caches.list(config=types.ListCachedContentsConfig(page_size=2))
    assert [c.name for c in pager] == [cache.name, *others]
    assert [e.rpc for e in sdk_env.journal.entries].count("cachedContents.list") == 3

    later = datetime(2999, 1, 2, 3, 4, 5, tzinfo=UTC)
    moved = client.caches.update(
        name=cache.name, config=types.UpdateCachedContentConfig(expire_time=later)
    )
    assert moved.expire_time == later
    renewed = client.caches.update(name=cache.name, config={"ttl": "7200s"})
    assert renewed.expire_time is not None and renewed.update_time is not None
    assert renewed.expire_time - renewed.update_time == timedelta(hours=2)

    client.caches.delete(name=cache.name)
    with pytest.raises(errors.ClientError) as raised:
        client.caches.get(name=cache.name)
    assert (raised.value.code, raised.value.status, raised.value.message) == (
        403,
        "PERMISSION_DENIED",
        NO_CACHE,
    )
    assert [c.name for c in client.caches.list()] == others


def test_generate_content_with_the_cache(client: genai.Client) -> None:
    cache = make_cache(client, system_instruction="Answer as the harbour master would.")
    assert cache.usage_metadata is not None
    cached = cache.usage_metadata.total_token_count
    response = client.models.generate_content(
        model=MODEL,
        contents="Which pier was green?",
        config=types.GenerateContentConfig(cached_content=cache.name),
    )
    usage = response.usage_metadata
    assert usage is not None and response.text
    assert usage.cached_content_token_count == cached
    assert usage.cache_tokens_details == [
        types.ModalityTokenCount(modality=types.MediaModality.TEXT, token_count=cached)
    ]
    assert usage.prompt_token_count is not None and cached is not None
    assert usage.prompt_token_count > cached

    chunks = list(
        client.models.generate_content_stream(
            model=MODEL,
            contents="Which pier was green?",
            config=types.GenerateContentConfig(cached_content=cache.name),
        )
    )
    last = chunks[-1].usage_metadata
    assert last is not None and last.cached_content_token_count == cached


def test_the_caches_tools_answer(client: genai.Client) -> None:
    declaration = types.FunctionDeclaration(
        name="pier_light",
        description="The colour of a pier's light.",
        parameters=types.Schema(
            type=types.Type.OBJECT, properties={"pier": types.Schema(type=types.Type.INTEGER)}
        ),
    )
    cache = make_cache(
        client,
        tools=[types.Tool(function_declarations=[declaration])],
        tool_config=types.ToolConfig(
            function_calling_config=types.FunctionCallingConfig(
                mode=types.FunctionCallingConfigMode.ANY
            )
        ),
    )
    response = client.models.generate_content(
        model=MODEL,
        contents="What colour is the light on pier 4?",
        config=types.GenerateContentConfig(cached_content=cache.name),
    )
    assert response.function_calls is not None
    (call,) = response.function_calls
    assert (call.name, call.args) == ("pier_light", {"pier": 4})


def test_the_services_refusals(client: genai.Client, sdk_env: Fake) -> None:
    with pytest.raises(errors.ClientError) as small:
        client.caches.create(
            model="gemini-2.5-pro", config=types.CreateCachedContentConfig(contents=DOCUMENT)
        )
    assert small.value.code == 400
    assert small.value.message is not None
    assert small.value.message.startswith("Cached content is too small. total_token_count=")

    cache = make_cache(client, ttl="60s")
    with pytest.raises(errors.ClientError) as both:
        client.models.generate_content(
            model=MODEL,
            contents="Hi",
            config=types.GenerateContentConfig(
                cached_content=cache.name, system_instruction="Be brief."
            ),
        )
    assert both.value.code == 400
    assert both.value.message is not None
    assert both.value.message.startswith("CachedContent can not be used with GenerateContent")

    sdk_env.advance_clock(60)  # the cache expires
    with pytest.raises(errors.ClientError) as expired:
        client.models.generate_content(
            model=MODEL, contents="Hi", config={"cached_content": cache.name}
        )
    assert (expired.value.code, expired.value.message) == (403, NO_CACHE)
