"""The guide's REST streaming example, run with the real ``curl`` against the fake's socket.

The command is the guide's ("Streaming responses", ### REST), verbatim but for the host and the
output options appended to it, run through ``bash`` as a user would run it. What curl prints must
be what the real service sends (docs/evidence.md#service-sse-framing): SSE events
``data: <one-line JSON>\\r\\n\\r\\n``; without ``alt=sse``, the JSON-array form of
docs/evidence.md#service-array-stream. The last test streams one request with the Python SDK, the JS
SDK and curl and compares what each got.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google import genai

from conformance._guide import guide_code, read_guide
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from tests.kit.guide_answers import GuideExample
from tests.kit.node import JS_API, NodeRun
from tests.kit.wire import sse_events

pytestmark = pytest.mark.needs("curl")

REAL_HOST = "https://generativelanguage.googleapis.com"
OVERLOADED = "The model is overloaded. Please try again later."
OVERLOADED_ENVELOPE = {"error": {"code": 503, "message": OVERLOADED, "status": "UNAVAILABLE"}}
EARLY_END = 3

# "Streaming responses" (### REST).
STREAM = """\
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  --no-buffer \\
  -d '{
    "contents": [
      {
        "parts": [
          {
            "text": "Explain how AI works"
          }
        ]
      }
    ]
  }'
"""  # noqa: E501
# The same without ?alt=sse: the stream as one JSON array (docs/evidence.md#service-array-stream).
STREAM_ARRAY = STREAM.replace(":streamGenerateContent?alt=sse", ":streamGenerateContent")


@dataclass
class CurlResult:
    returncode: int  # curl's: 0, or e.g. 18 for a body cut short
    status: int
    headers: list[tuple[str, str]]  # names in lower case, as curl -D wrote them
    body: bytes
    stderr: str

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name]
        return ", ".join(values) if values else None


def settled(call: Entry, expected: dict[str, Any], timeout: float = 2.0) -> dict[str, Any]:
    """The stream progress the journal settles on (``call.extra``), waiting up to ``timeout``:
    the fake notes an event just after writing it, so curl can be a moment ahead."""
    deadline = time.monotonic() + timeout
    while call.extra != expected and time.monotonic() < deadline:
        time.sleep(0.002)
    return dict(call.extra)


def curl_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["GEMINI_API_KEY"] = "test-key"
    return env


def pointed_at(command: str, fake: Fake) -> str:
    assert command.count(REAL_HOST) == 1
    return command.replace(REAL_HOST, fake.base_url).rstrip("\n")


def run_curl(command: str, fake: Fake, tmp_path: Path) -> CurlResult:
    """Run a guide command in bash, pointed at ``fake``: what it printed and what it got."""
    head = tmp_path / "head"
    command = pointed_at(command, fake) + f" -sS -D '{head}'"
    done = subprocess.run(["bash", "-c", command], env=curl_env(), capture_output=True, timeout=30)
    status_line, *lines = head.read_bytes().decode("latin-1").split("\r\n")
    headers = []
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.lower(), value.strip()))
    return CurlResult(
        done.returncode, int(status_line.split()[1]), headers, done.stdout, done.stderr.decode()
    )


def text_of(event: dict[str, Any]) -> str:
    text: str = event["candidates"][0]["content"]["parts"][0]["text"]
    return text


def check_events(events: list[dict[str, Any]], *, complete: bool = True) -> None:
    """Every chunk has usage, model and one id; ``finishReason`` only on the last
    (docs/evidence.md#service-stream-chunks)."""
    assert len({e["responseId"] for e in events}) == 1
    for position, event in enumerate(events):
        assert list(event) == ["candidates", "usageMetadata", "modelVersion", "responseId"]
        assert event["modelVersion"] == "gemini-2.5-flash"
        assert re.fullmatch(r"[A-Za-z0-9_-]{23}", event["responseId"])
        (candidate,) = event["candidates"]
        assert candidate["content"]["role"] == "model"
        last = complete and position == len(events) - 1
        assert list(candidate) == (
            ["content", "finishReason", "index"] if last else ["content", "index"]
        )
        assert candidate["index"] == 0
        if last:
            assert candidate["finishReason"] == "STOP"


def test_the_copied_streaming_command_is_still_the_guides() -> None:
    # The curl block under "### REST" in the guide's "Streaming responses" section.
    section = read_guide().split("## Streaming responses\n", 1)[1].split("\n## ", 1)[0]
    assert guide_code(section, "REST") == [STREAM]


def test_the_guides_streaming_curl_prints_sse_events_that_join_to_the_fixture_answer(
    guide_examples: dict[str, GuideExample], gemini_fake_server: Fake, tmp_path: Path
) -> None:
    guide = guide_examples["stream"]

    result = run_curl(STREAM, gemini_fake_server, tmp_path)

    assert (result.returncode, result.status) == (0, 200), result.stderr
    assert result.header("content-type") == "text/event-stream"
    assert result.header("content-disposition") == "attachment"
    assert result.header("transfer-encoding") == "chunked"
    assert result.header("content-length") is None
    events = sse_events(result.body)
    assert len(events) > 1
    guide.check_text("".join(text_of(e) for e in events))
    check_events(events)
    guide.check_usage(events[-1]["usageMetadata"])
    (call,) = gemini_fake_server.journal.calls("streamGenerateContent")
    guide.check_call(call, "v1beta", rpc="streamGenerateContent")
    progress = {"eventsSent": len(events), "streamFinished": True}
    assert settled(call, progress) == progress


def test_without_alt_sse_curl_gets_the_same_chunks_as_one_pretty_printed_json_array(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    sse = sse_events(run_curl(STREAM, gemini_fake_server, tmp_path).body)

    result = run_curl(STREAM_ARRAY, gemini_fake_server, tmp_path)

    assert (result.returncode, result.status) == (0, 200), result.stderr
    assert result.header("content-type") == "application/json; charset=UTF-8"
    assert result.header("transfer-encoding") == "chunked"
    body = result.body.decode()
    assert body.startswith('[{\n  "candidates": [')
    assert body.endswith("\n}\n]")  # no trailing newline
    assert json.loads(body) == sse
    pretty = [json.dumps(o, indent=2, ensure_ascii=False) for o in sse]
    expected = "[" + "\n,\r\n".join(pretty) + "\n]"
    assert body == expected.replace("<", "\\u003c").replace(">", "\\u003e")
    first, second = gemini_fake_server.journal.calls("streamGenerateContent")
    assert first.key == second.key
    progress = {"eventsSent": len(sse), "streamFinished": True}
    assert settled(second, progress) == progress


def early_end(after: int, end: str) -> Any:
    return pytest.param(
        after, end, marks=pytest.mark.gemini_fake(streaming={"endAfter": after, "end": end})
    )


@pytest.mark.parametrize(
    ("after", "end"),
    [early_end(EARLY_END, "close"), early_end(EARLY_END, "error")]
    + [early_end(0, "close"), early_end(0, "error")],
)
def test_a_json_array_stream_ended_early_is_still_one_json_array(
    after: int,
    end: str,
    guide_examples: dict[str, GuideExample],
    gemini_fake_server: Fake,
    tmp_path: Path,
) -> None:
    """Without alt=sse an app (or the guide's Apps Script) parses the whole body as JSON: a
    stream cut short must still be ``[`` + elements joined by ``\\n,\\r\\n`` + ``\\n]``
    (docs/evidence.md#service-array-stream, docs/protocol.md "JSON array"), the error being one more
    element."""
    result = run_curl(STREAM_ARRAY, gemini_fake_server, tmp_path)

    assert (result.returncode, result.status) == (0, 200), result.stderr
    body = result.body.decode()
    assert body.startswith("["), f"not a JSON array: {body[:80]!r}"
    elements = json.loads(body)
    chunks = elements[:after]
    assert elements[after:] == ([OVERLOADED_ENVELOPE] if end == "error" else [])
    if chunks:
        check_events(chunks, complete=False)
    assert guide_examples["stream"].expected_text().startswith("".join(map(text_of, chunks)))
    if elements:  # (an empty array: any valid JSON will do)
        pretty = "\n,\r\n".join(json.dumps(o, indent=2, ensure_ascii=False) for o in elements)
        assert body == "[" + pretty.replace("<", "\\u003c").replace(">", "\\u003e") + "\n]"


@pytest.mark.gemini_fake(streaming={"eventInterval": 0.3})
def test_curl_prints_the_first_event_before_the_fake_has_finished_the_stream(
    guide_examples: dict[str, GuideExample], gemini_fake_server: Fake
) -> None:
    command = "exec " + pointed_at(STREAM, gemini_fake_server) + " -sS"
    started = time.monotonic()
    curl = subprocess.Popen(["bash", "-c", command], env=curl_env(), stdout=subprocess.PIPE)
    try:
        assert curl.stdout is not None
        received = b""
        while b"\r\n\r\n" not in received:
            ready, _, _ = select.select([curl.stdout], [], [], 5)
            assert ready, f"no event within 5 s: {received!r}"
            piece = os.read(curl.stdout.fileno(), 65536)
            assert piece, f"curl ended before the first event: {received!r}"
            received += piece
        waited = time.monotonic() - started
        progress = dict(gemini_fake_server.journal.last("streamGenerateContent").extra)
    finally:
        curl.terminate()
        curl.communicate(timeout=5)

    assert progress.get("streamFinished", False) is False, progress
    assert progress.get("eventsSent", 0) <= 1, progress
    (first,) = sse_events(received)
    assert guide_examples["stream"].expected_text().startswith(text_of(first))
    assert waited < 3.0  # all the events take 3.6 s


@pytest.mark.gemini_fake(streaming={"endAfter": EARLY_END, "end": "error"})
def test_an_error_event_ends_the_curl_stream_after_the_earlier_events(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    result = run_curl(STREAM, gemini_fake_server, tmp_path)

    # A 200 stream whose last event is the error (docs/evidence.md#sdk-sse-acceptance), cleanly
    # ended.
    assert (result.returncode, result.status) == (0, 200), result.stderr
    *events, error = sse_events(result.body)
    assert len(events) == EARLY_END
    check_events(events, complete=False)
    assert error == OVERLOADED_ENVELOPE
    (call,) = gemini_fake_server.journal.calls("streamGenerateContent")
    progress = {"eventsSent": EARLY_END, "streamFinished": False}
    assert settled(call, progress) == progress


@pytest.mark.gemini_fake(streaming={"endAfter": EARLY_END, "end": "abort"})
def test_a_dropped_stream_makes_curl_fail_after_the_earlier_events(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    result = run_curl(STREAM, gemini_fake_server, tmp_path)

    # curl: (18) transfer closed with outstanding read data remaining
    assert result.returncode == 18, (result.returncode, result.stderr)
    assert result.status == 200
    events = sse_events(result.body)
    assert len(events) == EARLY_END
    check_events(events, complete=False)


def test_an_error_before_the_stream_is_the_plain_json_error_with_a_length(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    command = STREAM.replace("gemini-2.5-flash:", "gemini-nope:")

    result = run_curl(command, gemini_fake_server, tmp_path)

    # docs/evidence.md#service-stream-errors: not SSE-framed; text/event-stream with Content-Length,
    # not chunked.
    assert result.status == 404
    assert result.header("content-type") == "text/event-stream"
    assert result.header("content-length") == str(len(result.body))
    assert result.header("transfer-encoding") is None
    message = (
        "models/gemini-nope is not found for API version v1beta, or is not supported for "
        "generateContent. Call ModelService.ListModels to see the list of available models and "
        "their supported methods."
    )
    expected = {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}}
    assert result.body == (json.dumps(expected, indent=2) + "\n").encode()


@pytest.mark.sdk
@pytest.mark.node
def test_the_same_request_streamed_by_python_js_and_curl_gets_the_same_events(
    gemini_fake_server: Fake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    node_guide: Callable[..., NodeRun],
) -> None:
    node = node_guide(gemini_fake_server, "stream")  # starts now; node is slow to start
    for name in ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in gemini_fake_server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", "v1beta")  # the path curl uses

    from_curl = sse_events(run_curl(STREAM, gemini_fake_server, tmp_path).body)
    with genai.Client() as client:
        from_python = list(
            client.models.generate_content_stream(
                model="gemini-2.5-flash",
                contents=["Explain how AI works"],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
            )
        )
    line = node.lines()["stream"]

    assert line["ok"], line
    from_js = line["response"]["raw"]
    texts = [text_of(e) for e in from_curl]
    assert [c.text for c in from_python] == texts
    assert line["response"]["chunks"] == texts
    assert [text_of(e) for e in from_js] == texts
    ids = {e["responseId"] for e in from_curl}
    assert len(ids) == 1
    assert {c.response_id for c in from_python} == ids
    assert {e["responseId"] for e in from_js} == ids
    # The JS SDK keeps each chunk as it came (adding the HTTP headers): the same objects.
    assert [{k: v for k, v in e.items() if k != "sdkHttpResponse"} for e in from_js] == from_curl
    calls = gemini_fake_server.journal.calls("streamGenerateContent")
    assert len(calls) == 3
    assert {c.key for c in calls} == {calls[0].key}
    # the path the guide's curl uses, and each SDK's default
    assert sorted(c.path for c in calls) == sorted(
        f"/{version}/models/gemini-2.5-flash:streamGenerateContent"
        for version in ("v1beta", "v1beta", JS_API)
    )
    progress = {"eventsSent": len(texts), "streamFinished": True}
    assert [settled(c, progress) for c in calls] == [progress] * 3
