"""``client.caches``: what each call sends, and how the answers read (the recorded shapes)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest

from gemini_ref import errors, types

BASE = "https://generativelanguage.googleapis.com/v1beta"
NAME = "cachedContents/0g3bq4i4yyq8ptlg8bdu5wk0anl5vb1ypqh9pxsb"
CACHE_JSON = {  # the recorded shape and times (docs/evidence.md#service-caches)
    "name": NAME,
    "model": "models/gemini-2.5-flash",
    "createTime": "2026-08-19T14:34:12.817004Z",
    "updateTime": "2026-08-19T14:34:12.817004Z",
    "expireTime": "2026-08-19T14:39:11.796558493Z",
    "displayName": "",
    "usageMetadata": {"totalTokenCount": 9609},
}


def test_create_sends_the_model_and_the_config_as_the_sdk_does(client, recorder):
    recorder.answers = [CACHE_JSON]

    cache = client.caches.create(
        model="gemini-2.5-flash",
        config=types.CreateCachedContentConfig(
            contents=["A long document."],
            system_instruction="Answer from the document.",
            ttl="300s",
            display_name="doc",
        ),
    )

    request = recorder.request
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/cachedContents")
    assert recorder.body == {
        "model": "models/gemini-2.5-flash",
        "ttl": "300s",
        "displayName": "doc",
        "contents": [{"parts": [{"text": "A long document."}], "role": "user"}],
        "systemInstruction": {"parts": [{"text": "Answer from the document."}], "role": "user"},
    }
    assert cache.name == NAME
    assert cache.display_name == ""
    assert cache.usage_metadata == types.CachedContentUsageMetadata(total_token_count=9609)
    assert cache.expire_time == datetime(2026, 8, 19, 14, 39, 11, 796558, tzinfo=UTC)


def test_create_takes_a_dict_config_with_an_expire_time(client, recorder):
    recorder.answers = [CACHE_JSON]
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)

    client.caches.create(model="models/gemini-2.5-flash", config={"expire_time": moment})

    assert recorder.body == {
        "model": "models/gemini-2.5-flash",
        "expireTime": "2030-01-02T03:04:05Z",
    }


def test_create_refuses_both_a_ttl_and_an_expire_time(client, recorder):
    moment = datetime(2030, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="ttl or expire_time"):
        client.caches.create(model="gemini-2.5-flash", config={"ttl": "5s", "expire_time": moment})
    assert recorder.requests == []


@pytest.mark.parametrize("name", [NAME, NAME.removeprefix("cachedContents/")])
def test_get_takes_the_name_with_or_without_its_prefix(client, recorder, name):
    recorder.answers = [CACHE_JSON]

    cache = client.caches.get(name=name)

    assert (recorder.request.method, str(recorder.request.url)) == ("GET", f"{BASE}/{NAME}")
    assert cache.create_time == datetime(2026, 8, 19, 14, 34, 12, 817004, tzinfo=UTC)


@pytest.mark.parametrize("name", ["", "cachedContents/", "a/b", "../x", "x?y"])
def test_a_bad_name_is_refused_before_anything_is_sent(client, recorder, name):
    with pytest.raises(ValueError, match="invalid cache name"):
        client.caches.get(name=name)
    assert recorder.requests == []


def test_update_patches_the_expiry_without_a_mask(client, recorder):
    recorder.answers = [CACHE_JSON]

    client.caches.update(name=NAME, config=types.UpdateCachedContentConfig(ttl="600s"))

    request = recorder.request
    assert (request.method, str(request.url)) == ("PATCH", f"{BASE}/{NAME}")
    assert recorder.body == {"ttl": "600s"}


def test_delete_reads_the_empty_answer(client, recorder):
    recorder.answers = [httpx.Response(200, content=b"{}\n")]

    answer = client.caches.delete(name=NAME)

    assert (recorder.request.method, str(recorder.request.url)) == ("DELETE", f"{BASE}/{NAME}")
    assert answer == types.DeleteCachedContentResponse()


def test_list_follows_the_page_tokens(client, recorder):
    second = {**CACHE_JSON, "name": "cachedContents/second"}
    recorder.answers = [
        {"cachedContents": [CACHE_JSON], "nextPageToken": "1"},
        {"cachedContents": [second]},
    ]

    names = [cache.name for cache in client.caches.list(config={"page_size": 1})]

    assert names == [NAME, "cachedContents/second"]
    queries = [request.url.params for request in recorder.requests]
    assert [dict(query) for query in queries] == [
        {"pageSize": "1"},
        {"pageSize": "1", "pageToken": "1"},
    ]


def test_an_empty_listing_is_empty(client, recorder):
    recorder.answers = [{}]
    assert list(client.caches.list()) == []


def test_a_missing_cache_raises_the_services_error(client, recorder):
    envelope = {
        "error": {
            "code": 403,
            "message": "CachedContent not found (or permission denied)",
            "status": "PERMISSION_DENIED",
        }
    }
    recorder.answers = [httpx.Response(403, content=json.dumps(envelope).encode())]

    with pytest.raises(errors.ClientError) as raised:
        client.caches.get(name="gone")

    assert (raised.value.code, raised.value.status) == (403, "PERMISSION_DENIED")


def test_the_async_twin_sends_the_same(client, recorder):
    recorder.answers = [CACHE_JSON]

    async def run() -> types.CachedContent:
        cache: types.CachedContent = await client.aio.caches.update(
            name=NAME, config={"ttl": "60s"}
        )
        return cache

    cache = asyncio.run(run())

    assert (recorder.request.method, recorder.body) == ("PATCH", {"ttl": "60s"})
    assert cache.name == NAME
