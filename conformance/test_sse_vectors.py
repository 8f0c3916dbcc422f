"""``vectors/sse_decoding.json``: gemini_ref's decoders pass it, and so does the port example.

* ``events``: ``gemini_ref._sse.SSEDecoder`` fed each stream whole, at the case's splits, one
  byte at a time and (hypothesis) cut anywhere, gives the expected events and end state.
* ``chunks``: ``client.models.generate_content_stream`` over a transport that answers the
  case's bytes yields the expected chunks, then raises what ``end`` says.
* ``arrays``: each input is the service's JSON-array framing of its elements, byte for byte.
* The standalone decoder of ``examples/port_sse_check.py`` passes the file when run as a port
  would run it (a subprocess), and agrees with gemini_ref's on any bytes (hypothesis).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gemini_ref
from conformance._vectors import cases, load, pieces, stream_bytes
from gemini_ref import errors
from gemini_ref._sse import SSEDecoder
from gemini_ref._wire import to_wire

FILE = "sse_decoding.json"
EXAMPLE = Path(__file__).parent / "examples" / "port_sse_check.py"


def decoded(chunks: list[bytes]) -> dict[str, Any]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    incomplete = bool(decoder.close())
    return {
        "events": [{"data": e.data, "event": e.event, "id": e.id} for e in events],
        "incomplete": incomplete,
        "last_event_id": decoder.last_event_id,
        "retry": decoder.retry,
    }


def expected(case: dict[str, Any]) -> dict[str, Any]:
    return {key: case[key] for key in ("events", "incomplete", "last_event_id", "retry")}


def test_the_file_says_what_its_fields_mean_and_names_each_case_once() -> None:
    document = load(FILE)  # the header checked: its description says what each field means
    for section in ("events", "chunks", "arrays"):
        names = [case["name"] for case in document[section]]
        assert len(names) == len(set(names)), f"{section}: duplicate names"
    for case in document["events"]:
        data = stream_bytes(case)
        assert all(0 < cut < len(data) for cut in case.get("splits", [])), case["name"]
        assert case.get("splits", []) == sorted(case.get("splits", [])), case["name"]


# --- events ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases(FILE, "events", key="name"))
def test_gemini_ref_decodes_the_stream_whole_at_the_splits_and_byte_by_byte(
    case: dict[str, Any],
) -> None:
    data = stream_bytes(case)

    assert decoded([data]) == expected(case)
    assert decoded(pieces(data, case.get("splits", []))) == expected(case)
    assert decoded([data[i : i + 1] for i in range(len(data))]) == expected(case)


@given(st.data())
def test_any_cut_of_any_vector_decodes_the_same(data: st.DataObject) -> None:
    case = data.draw(st.sampled_from(load(FILE)["events"]), label="case")
    stream = stream_bytes(case)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(1, len(stream) - 1)), max_size=8))))

    assert decoded(pieces(stream, [c for c in cuts if c < len(stream)])) == expected(case)


# --- chunks: the client's stream reader -------------------------------------------------------


def stream_client(body: bytes) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return gemini_ref.Client(
        api_key="conformance-key", http_client=httpx.Client(transport=httpx.MockTransport(answer))
    )


ENDS: dict[str, type[Exception] | None] = {
    "complete": None,
    "error": errors.APIError,
    "interrupted": errors.StreamInterruptedError,
    "malformed": errors.MalformedResponseError,
}


@pytest.mark.parametrize("case", cases(FILE, "chunks", key="name"))
def test_gemini_ref_reads_the_chunks_and_ends_as_the_vector_says(case: dict[str, Any]) -> None:
    client = stream_client(stream_bytes(case))
    read: list[Any] = []
    failure: Exception | None = None

    try:
        for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="x"):
            read.append(to_wire(chunk))
    except errors.GeminiError as exc:
        failure = exc

    assert read == case["chunks"]
    raised = ENDS[case["end"]]
    if raised is None:
        assert failure is None
        return
    assert isinstance(failure, raised), failure
    if case["end"] == "error":
        assert isinstance(failure, errors.APIError)
        error = case["error"]
        assert (failure.code, failure.status, failure.message) == (
            error["code"],
            error["status"],
            error["message"],
        )


# --- arrays -------------------------------------------------------------------------------


def array_framing(elements: list[Any]) -> bytes:
    """The service's JSON-array stream (docs/evidence.md#service-array-stream)."""
    objects = [json.dumps(o, indent=2, ensure_ascii=False) for o in elements]
    return ("[" + "\n,\r\n".join(objects) + "\n]").encode()


@pytest.mark.parametrize("case", cases(FILE, "arrays", key="name"))
def test_an_array_vector_is_the_services_framing_of_its_elements(case: dict[str, Any]) -> None:
    data = stream_bytes(case)

    assert json.loads(data) == case["elements"]
    assert data == array_framing(case["elements"])


# --- the port's example -------------------------------------------------------------------


def test_the_port_example_passes_every_vector_run_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(Path(__file__).parent / "vectors" / FILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    total = sum(len(load(FILE)[section]) for section in ("events", "chunks", "arrays"))
    assert done.stdout.splitlines()[-1] == f"{total} of {total} vectors pass"
    assert "FAIL" not in done.stdout


def test_the_port_example_fails_with_status_1_on_a_wrong_vector(tmp_path: Path) -> None:
    document = load(FILE)
    document["events"][0]["events"][0]["data"] = "not what the stream says"
    wrong = tmp_path / FILE
    wrong.write_text(json.dumps(document), "utf-8")

    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(wrong)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert f"FAIL  events/{document['events'][0]['name']}" in done.stdout


def port_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("port_sse_check", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("port_sse_check", module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


PORT = port_example()

# Streams made of the pieces the rules are about: field names, separators, values, endings.
FRAGMENTS = [
    b"data",
    b"data",
    b"event",
    b"id",
    b"retry",
    b":",
    b": ",
    b" ",
    b"x",
    b"42",
    b"\0",
    b"\n",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    "é€".encode(),
    b"\xff",
]
streams = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join)


@given(streams, st.data())
def test_the_port_decoder_agrees_with_gemini_ref_on_any_bytes(
    stream: bytes, data: st.DataObject
) -> None:
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(stream)), max_size=6))))
    chunks = pieces(stream, [c for c in cuts if 0 < c < len(stream)])

    assert PORT.decode(chunks) == decoded(chunks)
