"""Batches through the official JS SDK (@google/genai 2.32.0) over a socket
(``tests/js/batches.mjs``): ``ai.batches.create`` inline and from an uploaded JSONL file,
``ai.batches.get`` polled while the driver moves the fake's clock, the inlined responses, the
result file through ``ai.files.download``, the ``ai.batches.list`` pager, ``cancel``, ``delete``
and the errors (docs/evidence.md#service-batches)."""

from __future__ import annotations

from typing import Any

import pytest

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.node import start_node

pytestmark = [pytest.mark.sdk, pytest.mark.node]

EXAMPLES = ("inline", "file", "list", "cancel_delete", "missing_model")


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, dict[str, Any]], Fake]:
    """Each example's JSON line, from one node process against a fake on a socket."""
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        return start_node(fake, *EXAMPLES, script="batches.mjs").lines(), fake


def line(run: tuple[dict[str, dict[str, Any]], Fake], example: str) -> dict[str, Any]:
    found = run[0][example]
    assert found["ok"], found
    return found


def test_an_inline_batch_runs_on_the_fake_clock_and_its_answers_are_read(
    run: tuple[dict[str, dict[str, Any]], Fake],
) -> None:
    inline = line(run, "inline")
    assert inline["created"]["state"] == "JOB_STATE_PENDING"
    assert inline["created"]["displayName"] == "inline-js"
    assert inline["created"]["model"] == "models/gemini-2.5-flash"
    assert inline["running"] == "JOB_STATE_RUNNING"
    assert inline["done"]["state"] == "JOB_STATE_SUCCEEDED"
    assert inline["done"]["endTime"] > inline["done"]["createTime"]
    good, bad, briefed = inline["answers"]
    assert good == {"metadata": {"key": "a"}, "text": inline["direct"], "error": None}
    assert bad["metadata"] == {"key": "b"} and bad["text"] is None
    assert bad["error"]["code"] == 3 and "temperature" in bad["error"]["message"]
    assert briefed["text"] and briefed["error"] is None  # a system instruction in the request
    sent = run[1].journal.calls("batchGenerateContent")[0].request
    assert sent is not None
    assert sent["batch"]["inputConfig"]["requests"]["requests"][2]["request"]["systemInstruction"]


def test_a_file_batch_answers_in_a_generated_file_the_sdk_downloads(
    run: tuple[dict[str, dict[str, Any]], Fake],
) -> None:
    file = line(run, "file")
    assert file["done"]["state"] == "JOB_STATE_SUCCEEDED"
    assert file["fileName"].startswith("files/batch-")
    assert file["result"]["source"] == "GENERATED"
    assert file["result"]["downloadUri"].endswith(f"{file['fileName']}:download?alt=media")
    first, second = file["lines"]
    assert first["key"] == "q1" and first["response"]["candidates"]
    assert second["key"] == "q2" and second["error"]["code"] == 3
    downloads = [(e.rpc, e.status) for e in run[1].journal.entries if "download" in e.rpc]
    assert downloads == [("files.download", 302), ("media.download", 200)]


def test_the_list_pager_gives_every_batch_newest_first(
    run: tuple[dict[str, dict[str, Any]], Fake],
) -> None:
    listed = line(run, "list")
    assert listed["listed"][:3] == listed["names"][::-1]
    assert len(listed["listed"]) == 5  # and the two batches made before, two a page
    pages = [e.query for e in run[1].journal.calls("batches.list")]
    assert pages == ["pageSize=2", "pageSize=2&pageToken=2", "pageSize=2&pageToken=4"]


def test_cancel_delete_and_the_errors_reach_the_sdk_as_api_errors(
    run: tuple[dict[str, dict[str, Any]], Fake],
) -> None:
    cancelled = run[0]["cancel_delete"]
    assert cancelled["cancelled"]["state"] == "JOB_STATE_CANCELLED"
    assert cancelled["ok"] is False and cancelled["error"]["status"] == 404
    assert "not found" in cancelled["error"]["message"]
    missing = run[0]["missing_model"]
    assert missing["ok"] is False and missing["error"]["status"] == 404
    assert "not supported for batchGenerateContent" in missing["error"]["message"]
