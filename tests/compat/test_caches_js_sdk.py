"""The official JS SDK (@google/genai 2.32.0) on context caching, through ``tests/js/caches.mjs``.

One node process runs the examples in order against a fake of its own on a socket; a second
runs ``expired`` after the test moved the fake's clock past the cache ``expiring`` made. Each
test reads its example's JSON line and what the fake journalled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.node import start_node

pytestmark = [pytest.mark.sdk, pytest.mark.node]

EXAMPLES = ("lifecycle", "generate", "tools", "too_small", "with_system", "expiring")
NO_CACHE = "CachedContent not found (or permission denied)"


@dataclass
class Run:
    lines: dict[str, dict[str, Any]]
    entries: list[Entry]
    expired: dict[str, Any]

    def ok(self, example: str) -> dict[str, Any]:
        line = self.lines[example]
        assert line["ok"], line.get("error")
        return line


@pytest.fixture(scope="module")
def run() -> Run:
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        lines = start_node(fake, *EXAMPLES, script="caches.mjs").lines()
        fake.advance_clock(60)
        name = lines["expiring"]["name"]
        expired = start_node(fake, "expired", script="caches.mjs", env={"CACHE_NAME": name})
        return Run(lines, list(fake.journal.entries), expired.lines()["expired"])


def test_the_lifecycle_of_a_cache(run: Run) -> None:
    line = run.ok("lifecycle")
    cache = line["cache"]
    assert cache["name"].startswith("cachedContents/")
    assert (cache["model"], cache["displayName"]) == ("models/gemini-2.5-flash", "harbour log")
    assert cache["usageMetadata"]["totalTokenCount"] > 1024
    assert line["fetched"] == cache
    assert line["listed"][0] == cache["name"] and len(set(line["listed"])) == 3
    assert line["renewed"]["expireTime"] > cache["expireTime"]
    assert line["moved"]["expireTime"] == "2999-01-02T03:04:05.000000000Z"
    assert line["after"] == {"name": "ApiError", "status": 403, "message": line["after"]["message"]}
    assert NO_CACHE in line["after"]["message"]


def test_the_js_pager_fetches_each_page(run: Run) -> None:
    lists = [e for e in run.entries if e.rpc == "cachedContents.list"]
    assert [e.query for e in lists] == ["pageSize=2", "pageSize=2&pageToken=2"]


def test_the_js_sdk_patches_without_an_update_mask(run: Run) -> None:
    patches = [e for e in run.entries if e.rpc == "cachedContents.patch"]
    assert [(e.query, e.request) for e in patches] == [
        ("", {"ttl": "7200s"}),
        ("", {"expireTime": "2999-01-02T03:04:05Z"}),
    ]


def test_a_prompt_naming_the_cache_counts_it(run: Run) -> None:
    line = run.ok("generate")
    cached = line["cache"]["usageMetadata"]["totalTokenCount"]
    assert line["text"]
    for usage in (line["usage"], line["streamUsage"]):
        assert usage["cachedContentTokenCount"] == cached
        assert usage["cacheTokensDetails"] == [{"modality": "TEXT", "tokenCount": cached}]
        assert usage["promptTokenCount"] > cached


def test_the_caches_tools_answer(run: Run) -> None:
    line = run.ok("tools")
    (call,) = line["calls"]
    assert (call["name"], call["args"]) == ("pier_light", {"pier": 4})


@pytest.mark.parametrize(
    ("example", "starts"),
    [
        ("too_small", "Cached content is too small. total_token_count="),
        ("with_system", "CachedContent can not be used with GenerateContent request setting"),
    ],
)
def test_the_js_sdk_gets_the_services_refusal(run: Run, example: str, starts: str) -> None:
    line = run.lines[example]
    assert not line["ok"]
    assert (line["error"]["name"], line["error"]["status"]) == ("ApiError", 400)
    assert starts in line["error"]["message"]


def test_an_expired_cache_is_refused(run: Run) -> None:
    assert not run.expired["ok"]
    assert run.expired["error"]["status"] == 403
    assert NO_CACHE in run.expired["error"]["message"]
