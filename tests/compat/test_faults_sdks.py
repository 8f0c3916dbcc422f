"""The official SDKs against fault rules (docs/faults.md), over a real socket: the Python SDK
(``google-genai``) in process, the JS SDK (@google/genai 2.32.0) through ``tests/js/faults.mjs``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from google import genai
from google.genai import types

from fake_server.pytest_plugin import Fake
from tests.kit.node import start_node

CHUNK = 8 * 1024 * 1024  # both SDKs' upload chunk

pytestmark = [pytest.mark.sdk]


def chunk_statuses(fake: Fake) -> list[int]:
    return [e.status for e in fake.journal.calls("files.upload") if "upload_id" in e.query]


@pytest.mark.node
def test_the_js_sdk_retries_two_overloads_when_given_retry_options(
    gemini_fake_server: Fake,
) -> None:
    gemini_fake_server.fault(match={"rpc": "generateContent"}, calls=[1, 2], error={"status": 503})
    line = start_node(gemini_fake_server, "retry", script="faults.mjs").lines()["retry"]
    assert line["ok"] and line["text"]
    calls = gemini_fake_server.journal.calls("generateContent")
    assert [entry.status for entry in calls] == [503, 503, 200]


@pytest.mark.node
def test_the_js_sdks_quota_error_carries_the_retry_delay_in_its_message(
    gemini_fake_server: Fake,
) -> None:
    gemini_fake_server.fault(error={"status": "RESOURCE_EXHAUSTED", "retryDelay": "7s"})
    line = start_node(gemini_fake_server, "quota", script="faults.mjs").lines()["quota"]
    assert (line["name"], line["status"], line["retryDelay"]) == ("ApiError", 429, "7s")


@pytest.mark.node
def test_a_delay_trips_the_js_sdks_timeout(gemini_fake_server: Fake) -> None:
    gemini_fake_server.fault(match={"rpc": "generateContent"}, delay=2)
    line = start_node(gemini_fake_server, "timeout", script="faults.mjs").lines()["timeout"]
    assert line["name"] == "AbortError", line  # the SDK aborts the request at its timeout
    assert line["ms"] < 1500


@pytest.mark.node
def test_the_js_sdk_gives_up_an_upload_whose_second_chunk_fails(gemini_fake_server: Fake) -> None:
    gemini_fake_server.fault(match={"rpc": "files.upload", "chunk": 2}, error={"status": 503})
    line = start_node(gemini_fake_server, "upload", script="faults.mjs").lines()["upload"]
    assert not line["ok"]
    assert (line["error"]["name"], line["error"]["status"]) == ("ApiError", 503)
    assert chunk_statuses(gemini_fake_server) == [200, 503]  # no resend, no query


def test_the_python_sdk_gives_up_an_upload_whose_second_chunk_fails(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    gemini_fake_server.fault(match={"rpc": "files.upload", "chunk": 2}, error={"status": 503})
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (CHUNK + 1))
    options = types.HttpOptions(base_url=gemini_fake_server.base_url)
    client = genai.Client(api_key="k", http_options=options)
    with pytest.raises(ValueError, match="upload status is not finalized"):
        client.files.upload(file=path, config={"mime_type": "text/plain"})
    assert chunk_statuses(gemini_fake_server) == [200, 503]  # no resend, no query
