"""Context caching: the cachedContents resource and generate calls naming a cache, in process."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, error, new_fake

CACHES = "/v1beta/cachedContents"
FLASH = "/v1beta/models/gemini-2.5-flash"
# A document of about 2,000 tokens: past 2.5 Flash's minimum (1024), short of 2.5 Pro's (4096).
DOCUMENT = "The harbour log. " + " ".join(
    f"Entry {i}: the lights on pier {i % 7} were green at dusk." for i in range(150)
)
NO_CACHE = error(403, "PERMISSION_DENIED", "CachedContent not found (or permission denied)")
RECORDED_KEYS = [
    "name",
    "model",
    "createTime",
    "updateTime",
    "expireTime",
    "displayName",
    "usageMetadata",
]


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


def create(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"model": "models/gemini-2.5-flash", "contents": [user(DOCUMENT)], **fields}
    response = client.post(CACHES, json=body)
    assert response.status_code == 200, response.text
    cache: dict[str, Any] = response.json()
    return cache


def moment(text: str) -> datetime:
    """A timestamp as the service writes it (up to 9 digits), to the microsecond."""
    whole, fraction = text.removesuffix("Z").split(".")
    return datetime.fromisoformat(f"{whole}.{fraction[:6]}+00:00")


def ask(text: str, cache: str, **more: Any) -> dict[str, Any]:
    return {"contents": [user(text)], "cachedContent": cache, **more}


# --- the resource ------------------------------------------------------------------------------


def test_create_answers_the_recorded_shape(client: httpx.Client) -> None:
    response = client.post(
        CACHES, json={"model": "models/gemini-2.5-flash", "contents": [user(DOCUMENT)]}
    )
    assert response.status_code == 200
    cache = response.json()
    assert list(cache) == RECORDED_KEYS
    assert re.fullmatch(r"cachedContents/[a-z0-9]{40}", cache["name"])
    assert cache["model"] == "models/gemini-2.5-flash"
    assert cache["displayName"] == ""  # emitted even when empty
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", cache["createTime"])
    assert cache["updateTime"] == cache["createTime"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", cache["expireTime"])
    assert moment(cache["expireTime"]) - moment(cache["createTime"]) == timedelta(hours=1)
    counted = client.post(f"{FLASH}:countTokens", json={"contents": [user(DOCUMENT)]}).json()
    assert cache["usageMetadata"] == {"totalTokenCount": counted["totalTokens"]}


def test_a_cache_holds_its_system_instruction_and_tools_in_its_count(client: httpx.Client) -> None:
    plain = create(client)["usageMetadata"]["totalTokenCount"]
    system = {"parts": [{"text": "Answer as the harbour master would."}]}
    tools = [{"functionDeclarations": [{"name": "pier_light", "description": "A pier's light."}]}]
    fuller = create(client, systemInstruction=system, tools=tools, displayName="harbour")
    assert fuller["displayName"] == "harbour"
    assert fuller["usageMetadata"]["totalTokenCount"] > plain


@pytest.mark.parametrize(
    ("expiry", "after"),
    [({"ttl": "300s"}, timedelta(seconds=300)), ({"ttl": "90.5s"}, timedelta(seconds=90.5))],
)
def test_ttl_sets_the_expiry(
    client: httpx.Client, expiry: dict[str, str], after: timedelta
) -> None:
    cache = create(client, **expiry)
    assert moment(cache["expireTime"]) - moment(cache["createTime"]) == after


def test_expire_time_sets_the_expiry(client: httpx.Client) -> None:
    cache = create(client, expireTime="2999-01-02T03:04:05.123456789Z")
    assert cache["expireTime"] == "2999-01-02T03:04:05.123456000Z"


def test_the_bodies_snake_case_spelling_is_taken(client: httpx.Client) -> None:
    body = {"model": "models/gemini-2.5-flash", "contents": [user(DOCUMENT)]}
    response = client.post(CACHES, json={**body, "display_name": "snake", "ttl": "60s"})
    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "snake"


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        ("gemini-2.5-flash", 1024),
        ("gemini-2.5-flash-lite", 2048),
        ("gemini-2.5-pro", 4096),
        ("gemini-3-flash-preview", 1024),
        ("gemini-3-pro-preview", 4096),
    ],
)
def test_a_cache_below_the_models_minimum_is_refused(
    client: httpx.Client, model: str, minimum: int
) -> None:
    short = " ".join(["pier"] * (minimum - 1))
    response = client.post(CACHES, json={"model": f"models/{model}", "contents": [user(short)]})
    assert response.status_code == 400
    assert response.json()["error"] == error(
        400,
        "INVALID_ARGUMENT",
        f"Cached content is too small. total_token_count={minimum - 1}, "
        f"min_total_token_count={minimum}",
    )
    enough = " ".join(["pier"] * minimum)
    response = client.post(CACHES, json={"model": f"models/{model}", "contents": [user(enough)]})
    assert response.status_code == 200, response.text


def test_a_model_that_takes_no_caches_is_not_found(client: httpx.Client) -> None:
    response = client.post(
        CACHES, json={"model": "models/gemini-embedding-001", "contents": [user(DOCUMENT)]}
    )
    assert response.status_code == 404
    assert "not supported for createCachedContent" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"model": ""}, "CachedContent.model is required."),
        ({"ttl": "300s", "expireTime": "2999-01-01T00:00:00Z"}, "Only one of CachedContent.ttl"),
        ({"ttl": "soon"}, 'Invalid CachedContent.ttl "soon"'),
        ({"ttl": "-5s"}, "CachedContent expiration must be after the current time"),
        ({"expireTime": "2001-01-01T00:00:00Z"}, "CachedContent expiration must be after"),
        ({"expireTime": "tomorrow"}, 'Invalid CachedContent.expire_time "tomorrow"'),
        ({"displayName": "x" * 129}, "CachedContent.display_name is longer than 128"),
    ],
)
def test_a_bad_cache_is_refused(client: httpx.Client, fields: dict[str, Any], says: str) -> None:
    body = {"model": "models/gemini-2.5-flash", "contents": [user(DOCUMENT)], **fields}
    response = client.post(CACHES, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(says)


def test_a_cache_naming_a_file_the_service_does_not_hold_is_refused(client: httpx.Client) -> None:
    part = {"fileData": {"fileUri": "files/nosuchfile", "mimeType": "text/plain"}}
    body = {"model": "models/gemini-2.5-flash", "contents": [{"role": "user", "parts": [part]}]}
    response = client.post(CACHES, json=body)
    assert response.status_code == 403
    assert "File nosuchfile" in response.json()["error"]["message"]


def test_get_answers_what_create_answered(client: httpx.Client) -> None:
    cache = create(client)
    assert client.get(f"/v1beta/{cache['name']}").json() == cache
    assert client.get(f"/v1/{cache['name']}").json() == cache


def test_get_of_a_cache_the_service_does_not_hold_is_refused(client: httpx.Client) -> None:
    response = client.get(f"{CACHES}/nosuchcache")
    assert (response.status_code, response.json()["error"]) == (403, NO_CACHE)


def test_list_pages_through_every_cache_once(client: httpx.Client) -> None:
    names = [create(client)["name"] for _ in range(5)]
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = client.get(CACHES, params={"pageSize": 2, "pageToken": token}).json()
        pages += 1
        seen += [cache["name"] for cache in page["cachedContents"]]
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert (seen, pages) == (names, 3)


def test_an_empty_list_is_an_empty_object(client: httpx.Client) -> None:
    response = client.get(CACHES)
    assert (response.status_code, response.json()) == (200, {})


def test_a_bad_page_token_is_refused(client: httpx.Client) -> None:
    response = client.get(CACHES, params={"pageToken": "nope"})
    assert response.status_code == 400


@pytest.mark.parametrize("mask", [None, "ttl", "ttl,expire_time", "expireTime,ttl"])
def test_patch_moves_the_expiry_by_ttl(
    client: httpx.Client, gemini_fake: Fake, mask: str | None
) -> None:
    cache = create(client, ttl="60s")
    gemini_fake.advance_clock(30)
    params = {"updateMask": mask} if mask else {}
    response = client.patch(f"/v1beta/{cache['name']}", params=params, json={"ttl": "600s"})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert list(updated) == RECORDED_KEYS
    assert moment(updated["updateTime"]) - moment(cache["updateTime"]) >= timedelta(seconds=30)
    assert moment(updated["expireTime"]) - moment(updated["updateTime"]) == timedelta(seconds=600)
    assert updated["createTime"] == cache["createTime"]
    assert client.get(f"/v1beta/{cache['name']}").json() == updated


def test_patch_moves_the_expiry_to_an_expire_time(client: httpx.Client) -> None:
    cache = create(client)
    response = client.patch(f"/v1beta/{cache['name']}", json={"expireTime": "2999-05-06T07:08:09Z"})
    assert response.json()["expireTime"] == "2999-05-06T07:08:09.000000000Z"


def test_an_update_mask_picks_which_fields_count(client: httpx.Client) -> None:
    cache = create(client)
    both = {"ttl": "600s", "expireTime": "2999-05-06T07:08:09Z"}
    response = client.patch(
        f"/v1beta/{cache['name']}", params={"updateMask": "expireTime"}, json=both
    )
    assert response.json()["expireTime"] == "2999-05-06T07:08:09.000000000Z"
    refused = client.patch(f"/v1beta/{cache['name']}", json=both)
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("mask", "body", "says"),
    [
        (
            "contents",
            {"ttl": "60s"},
            'CachedContent field "contents" cannot be updated; only ttl and expireTime can.',
        ),
        (None, {"displayName": "renamed"}, "CachedContent update needs ttl or expireTime."),
    ],
)
def test_patch_changes_only_the_expiry(
    client: httpx.Client, mask: str | None, body: dict[str, Any], says: str
) -> None:
    cache = create(client)
    params = {"updateMask": mask} if mask else {}
    response = client.patch(f"/v1beta/{cache['name']}", params=params, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == says


def test_delete_answers_an_empty_object_and_the_cache_is_gone(client: httpx.Client) -> None:
    cache = create(client)
    response = client.delete(f"/v1beta/{cache['name']}")
    assert (response.status_code, response.content) == (200, b"{}\n")
    assert client.get(f"/v1beta/{cache['name']}").json()["error"] == NO_CACHE
    again = client.delete(f"/v1beta/{cache['name']}")
    assert (again.status_code, again.json()["error"]) == (403, NO_CACHE)
    assert client.patch(f"/v1beta/{cache['name']}", json={"ttl": "9s"}).status_code == 403


def test_an_expired_cache_is_gone(client: httpx.Client, gemini_fake: Fake) -> None:
    cache = create(client, ttl="120s")
    gemini_fake.advance_clock(119)
    assert client.get(f"/v1beta/{cache['name']}").status_code == 200
    gemini_fake.advance_clock(1)
    assert client.get(f"/v1beta/{cache['name']}").json()["error"] == NO_CACHE
    assert client.get(CACHES).json() == {}
    response = client.post(f"{FLASH}:generateContent", json=ask("Which pier?", cache["name"]))
    assert (response.status_code, response.json()["error"]) == (403, NO_CACHE)


def test_the_default_expiry_is_an_hour_on_the_fakes_clock(
    client: httpx.Client, gemini_fake: Fake
) -> None:
    cache = create(client)
    gemini_fake.advance_clock(3599)
    assert client.get(f"/v1beta/{cache['name']}").status_code == 200
    client.post("/__fake__/clock", json={"advance": "1s"})
    assert client.get(f"/v1beta/{cache['name']}").status_code == 403


def test_a_reset_removes_every_cache(client: httpx.Client, gemini_fake: Fake) -> None:
    cache = create(client)
    gemini_fake.reset()
    assert client.get(f"/v1beta/{cache['name']}").status_code == 403


def test_the_caches_held_are_bounded(client: httpx.Client, gemini_fake: Fake) -> None:
    gemini_fake.state.caches.max_caches = 2
    first = create(client, ttl="60s")
    create(client)
    response = client.post(
        CACHES, json={"model": "models/gemini-2.5-flash", "contents": [user(DOCUMENT)]}
    )
    assert (response.status_code, response.json()["error"]["status"]) == (
        429,
        "RESOURCE_EXHAUSTED",
    )
    gemini_fake.advance_clock(60)  # the first expires, and makes room
    assert create(client)["name"] != first["name"]


def test_a_fresh_fake_names_its_caches_the_same_way_every_run(gemini_fake: Fake) -> None:
    names = []
    for fake in (gemini_fake, new_fake()):
        with fake.client(headers=KEY) as http:
            names.append(create(http)["name"])
    assert names[0] == names[1]


# --- generating with a cache -------------------------------------------------------------------


def test_a_cached_prompt_counts_in_the_usage(client: httpx.Client) -> None:
    cache = create(client)
    cached = cache["usageMetadata"]["totalTokenCount"]
    response = client.post(f"{FLASH}:generateContent", json=ask("Which pier?", cache["name"]))
    assert response.status_code == 200, response.text
    usage = response.json()["usageMetadata"]
    alone = client.post(f"{FLASH}:countTokens", json={"contents": [user("Which pier?")]}).json()
    assert usage["cachedContentTokenCount"] == cached
    assert usage["promptTokenCount"] == cached + alone["totalTokens"]
    assert usage["cacheTokensDetails"] == [{"modality": "TEXT", "tokenCount": cached}]
    assert list(usage)[:5] == [
        "promptTokenCount",
        "candidatesTokenCount",
        "totalTokenCount",
        "cachedContentTokenCount",
        "promptTokensDetails",
    ]
    assert usage["totalTokenCount"] == (
        usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )


def test_the_answer_is_to_the_cache_and_the_request_together(client: httpx.Client) -> None:
    """As if the app had sent the cached contents first: the same answer as that request."""
    cache = create(client)
    with_cache = client.post(f"{FLASH}:generateContent", json=ask("Which pier?", cache["name"]))
    whole = {"contents": [user(DOCUMENT), user("Which pier?")]}
    sent_whole = client.post(f"{FLASH}:generateContent", json=whole).json()
    assert (
        with_cache.json()["usageMetadata"]["promptTokenCount"]
        == (sent_whole["usageMetadata"]["promptTokenCount"])
    )


def test_the_caches_tools_take_part_in_the_answer(client: httpx.Client) -> None:
    declaration = {
        "name": "pier_light",
        "description": "The colour of a pier's light.",
        "parameters": {"type": "OBJECT", "properties": {"pier": {"type": "INTEGER"}}},
    }
    cache = create(
        client,
        tools=[{"functionDeclarations": [declaration]}],
        toolConfig={"functionCallingConfig": {"mode": "ANY"}},
    )
    response = client.post(f"{FLASH}:generateContent", json=ask("Light on pier 3?", cache["name"]))
    parts = response.json()["candidates"][0]["content"]["parts"]
    assert parts[0]["functionCall"]["name"] == "pier_light"
    assert parts[0]["functionCall"]["args"] == {"pier": 3}


def test_a_stream_with_a_cache_reports_it_in_every_chunk(client: httpx.Client) -> None:
    cache = create(client)
    response = client.post(
        f"{FLASH}:streamGenerateContent?alt=sse", json=ask("Which pier?", cache["name"])
    )
    assert response.status_code == 200
    chunks = [json.loads(line[6:]) for line in response.text.splitlines() if line]
    cached = cache["usageMetadata"]["totalTokenCount"]
    assert chunks and all(c["usageMetadata"]["cachedContentTokenCount"] == cached for c in chunks)


def test_count_tokens_counts_the_cache(client: httpx.Client) -> None:
    cache = create(client)
    inner = {"model": "models/gemini-2.5-flash", **ask("Which pier?", cache["name"])}
    response = client.post(f"{FLASH}:countTokens", json={"generateContentRequest": inner})
    cached = cache["usageMetadata"]["totalTokenCount"]
    counted = response.json()
    assert list(counted) == [
        "totalTokens",
        "cachedContentTokenCount",
        "promptTokensDetails",
        "cacheTokensDetails",
    ]
    generated = client.post(f"{FLASH}:generateContent", json=ask("Which pier?", cache["name"]))
    assert counted["totalTokens"] == generated.json()["usageMetadata"]["promptTokenCount"]
    assert counted["cachedContentTokenCount"] == cached


@pytest.mark.parametrize(
    "setting",
    [
        {"systemInstruction": {"parts": [{"text": "Be brief."}]}},
        {"tools": [{"codeExecution": {}}]},
        {"toolConfig": {"functionCallingConfig": {"mode": "NONE"}}},
    ],
)
def test_a_request_may_not_set_what_the_cache_holds(
    client: httpx.Client, setting: dict[str, Any]
) -> None:
    cache = create(client)
    response = client.post(
        f"{FLASH}:generateContent", json=ask("Which pier?", cache["name"], **setting)
    )
    assert response.status_code == 400
    assert response.json()["error"] == error(
        400,
        "INVALID_ARGUMENT",
        "CachedContent can not be used with GenerateContent request setting system_instruction, "
        "tools or tool_config. Proposed fix: move those values to CachedContent from "
        "GenerateContent request.",
    )


def test_a_cache_serves_only_its_model(client: httpx.Client) -> None:
    cache = create(client)
    response = client.post(
        "/v1beta/models/gemini-2.5-pro:generateContent", json=ask("Which pier?", cache["name"])
    )
    assert response.status_code == 400
    assert "does not match the model of" in response.json()["error"]["message"]
    alias = client.post(
        "/v1beta/models/gemini-flash-latest:generateContent", json=ask("Pier?", cache["name"])
    )
    assert alias.status_code == 200  # an alias of the cache's model is that model


def test_an_answer_with_a_cache_is_not_remembered_past_its_deletion(client: httpx.Client) -> None:
    cache = create(client)
    request = ask("Which pier?", cache["name"])
    assert client.post(f"{FLASH}:generateContent", json=request).status_code == 200
    client.delete(f"/v1beta/{cache['name']}")
    assert client.post(f"{FLASH}:generateContent", json=request).status_code == 403


# --- the journal and faults --------------------------------------------------------------------


def test_the_journal_names_each_cache_call(client: httpx.Client, gemini_fake: Fake) -> None:
    cache = create(client)
    client.get(CACHES)
    client.get(f"/v1beta/{cache['name']}")
    client.patch(f"/v1beta/{cache['name']}", json={"ttl": "60s"})
    client.delete(f"/v1beta/{cache['name']}")
    entries = client.get("/__fake__/journal").json()["entries"]
    assert [(e["rpc"], e["status"]) for e in entries] == [
        ("cachedContents.create", 200),
        ("cachedContents.list", 200),
        ("cachedContents.get", 200),
        ("cachedContents.patch", 200),
        ("cachedContents.delete", 200),
    ]
    assert entries[0]["model"] == "gemini-2.5-flash"


def test_a_fault_can_target_cache_creation(client: httpx.Client, gemini_fake: Fake) -> None:
    gemini_fake.fault(match={"rpc": "cachedContents.create"}, calls=[1], error={"status": 503})
    body = {"model": "models/gemini-2.5-flash", "contents": [user(DOCUMENT)]}
    first = client.post(CACHES, json=body)
    assert (first.status_code, first.json()["error"]["status"]) == (503, "UNAVAILABLE")
    assert client.get(CACHES).json() == {}  # the refused call made no cache
    assert client.post(CACHES, json=body).status_code == 200


def test_the_journal_notes_the_cache_a_prompt_used(client: httpx.Client) -> None:
    cache = create(client)
    client.post(f"{FLASH}:generateContent", json=ask("Which pier?", cache["name"]))
    entry = client.get("/__fake__/journal").json()["entries"][-1]
    assert entry["rpc"] == "generateContent"
    assert entry["extra"]["cachedContent"] == {
        "name": cache["name"],
        "tokens": cache["usageMetadata"]["totalTokenCount"],
    }
