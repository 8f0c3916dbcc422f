"""How long the fake's worst response and parameter schemas hold its event loop.

    python bench/schema_limits.py                 # every case, best of 3, about 20 s
    python bench/schema_limits.py --rounds 5      # steadier
    python bench/schema_limits.py --no-probe      # only the in-process table

What is measured
----------------
A generate request is answered on the event loop: reading, checking (the schemas included),
building the answer and serialising it run without a pause, so while one request runs every
other client waits. Each case below is a request built to make that work as long as the limits
of ``fake_server/model/schema_instances.py`` allow, accepted (at a limit) or refused (just past
one). Each is sent to the fake in process (``httpx`` over an ASGI transport, no socket) and
timed from send to answer: the best of ``--rounds``, and the CPU time of that request. The
target is **under 100 ms** per request, the longest another client may wait.

Then, unless ``--no-probe``, the fake runs under uvicorn in a process of its own and a probe
sends a small request every 5 ms, first alone and then while another connection sends the
cases one after another; the probe's slowest answers say how long other clients actually
waited. A benchmark prints figures; it is not a test (tests/fake_server/test_schema_limits.py
holds the limits to a looser bound, for busy CI machines).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from fake_server import FakeConfig, create_app  # noqa: E402
from fake_server.model.schema_checks import MAX_SCHEMA_NODES  # noqa: E402
from fake_server.model.schema_instances import (  # noqa: E402
    MAX_CHARS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_PROPERTIES,
    MAX_REF_CHAIN,
    MAX_STRING_LENGTH,
)
from fake_server.pytest_plugin import Fake  # noqa: E402
from tests.kit.schemas import largest  # noqa: E402

TARGET_MS = 100.0
GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
KEY = {"x-goog-api-key": "bench-key", "content-type": "application/json"}


def words(n: int) -> dict[str, Any]:
    """An object of ``n`` required free-text strings: the dearest values to build."""
    names = [f"field_{i}" for i in range(n)]
    strings = {k: {"type": "string"} for k in names}
    return {"type": "object", "properties": strings, "required": names}


def at_budget(candidates: int, over: bool = False) -> dict[str, Any]:
    """An array of 9-string objects as long as the budget allows (one longer if ``over``)."""

    def schema(items: int) -> dict[str, Any]:
        return {"type": "array", "minItems": items, "maxItems": items, "items": words(9)}

    fitting = largest(schema, candidates)
    return schema(fitting["minItems"] + over)


def long_strings(candidates: int, over: bool = False) -> dict[str, Any]:
    """Strings of ``MAX_STRING_LENGTH`` characters, spending the characters budget."""
    items = (MAX_CHARS // candidates - 2) // (MAX_STRING_LENGTH + 3) + over
    string = {"type": "string", "minLength": MAX_STRING_LENGTH}
    return {"type": "array", "minItems": items, "maxItems": items, "items": string}


def prose(candidates: int) -> dict[str, Any]:
    """A one-member enum of prose, repeated to spend the characters budget."""
    member = "The quick brown fox jumps over the lazy dog. " * 22  # 990 characters
    items = min(MAX_ITEMS, (MAX_CHARS // candidates - 2) // (len(member) + 3))
    return {"type": "array", "minItems": items, "maxItems": items, "items": {"enum": [member]}}


def nulls(n: int) -> dict[str, Any]:
    """An object of ``n`` required nulls: the cheapest values, one step each."""
    names = [f"n{i}" for i in range(n)]
    return {"type": "object", "properties": {k: {"type": "null"} for k in names}, "required": names}


def unused(n: int) -> dict[str, Any]:
    """A string with ``n`` definitions nothing refers to: ``n + 1`` schemas walked, one built."""
    return {"type": "string", "$defs": {f"d{i}": {"type": "string"} for i in range(n)}}


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}, "required": ["a"]}
    return schema


def chain(hops: int, at_end: dict[str, Any]) -> dict[str, Any]:
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(hops - 1)}
    defs[f"d{hops - 1}"] = at_end
    return {"$defs": defs, "type": "array", "minItems": 100, "items": {"$ref": "#/$defs/d0"}}


def fan(width: int, levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        schema = {"anyOf": [schema] * width}
    return schema


def tree(**node: Any) -> dict[str, Any]:
    return {"$defs": {"n": {"type": "object", **node}}, "$ref": "#/$defs/n"}


N = {"$ref": "#/$defs/n"}
CASES: dict[str, dict[str, Any]] = {
    # arrays and strings
    "minItems 2,000,000 (refused)": {"json": {"type": "array", "minItems": 2_000_000}},
    "the budget, 9-string objects": {"json": at_budget(1)},
    "the budget, 9-string objects, SSE": {"json": at_budget(1), "stream": True},
    "the budget, 9-string objects, 8 candidates": {"json": at_budget(8), "candidates": 8},
    "the budget, 9-string objects, 8 candidates, SSE": {
        "json": at_budget(8),
        "candidates": 8,
        "stream": True,
    },
    "the budget + 1 item (refused)": {"json": at_budget(1, over=True)},
    "the steps budget, objects of 2 nulls": {
        "json": {"type": "array", "minItems": MAX_ITEMS, "maxItems": MAX_ITEMS, "items": nulls(2)}
    },
    "the steps budget + 1, objects of 3 nulls (refused)": {
        "json": {"type": "array", "minItems": MAX_ITEMS, "maxItems": MAX_ITEMS, "items": nulls(3)}
    },
    "the characters budget, SSE": {"json": long_strings(1), "stream": True},
    "the characters budget, 8 candidates, SSE": {
        "json": long_strings(8),
        "candidates": 8,
        "stream": True,
    },
    "the characters budget + 1 (refused)": {"json": long_strings(1, over=True)},
    "minLength 10^12 (refused)": {"json": {"type": "string", "minLength": 10**12}},
    # depth, references, recursion
    f"nesting {MAX_DEPTH - 1}": {"json": nested(MAX_DEPTH - 1)},
    f"nesting {MAX_DEPTH + 1} (refused)": {"json": nested(MAX_DEPTH + 1)},
    f"$ref chain of {MAX_REF_CHAIN} x 100": {"json": chain(MAX_REF_CHAIN, words(2))},
    f"$ref chain of {MAX_REF_CHAIN + 1} (refused)": {"json": chain(MAX_REF_CHAIN + 1, words(2))},
    "$ref to itself (refused)": {
        "json": {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}}
    },
    "required loop via properties (refused)": {
        "json": tree(properties={"next": N}, required=["next"])
    },
    "required loop via anyOf/oneOf/allOf (refused)": {
        "json": tree(anyOf=[{"oneOf": [{"allOf": [N]}]}])
    },
    "required loop via items, minItems 1 (refused)": {
        "json": tree(properties={"c": {"type": "array", "items": N, "minItems": 1}}, required=["c"])
    },
    "recursion via 8 optional properties (refused: steps)": {
        "json": tree(properties={k: N for k in "abcdefgh"})
    },
    "recursion via 2 required arrays": {
        "json": tree(
            properties={k: {"type": "array", "items": N} for k in "ab"},
            required=["a", "b"],
        )
    },
    "recursion via 3 required arrays (refused: steps)": {
        "json": tree(
            properties={k: {"type": "array", "items": N} for k in "abc"},
            required=["a", "b", "c"],
        )
    },
    "recursion via additionalProperties/prefixItems": {
        "json": tree(
            properties={"p": {"type": "array", "prefixItems": [N, N], "items": N}},
            additionalProperties=N,
            required=["p"],
        )
    },
    # width
    f"{MAX_PROPERTIES} properties x 2": {
        "json": {"type": "array", "minItems": 2, "maxItems": 2, "items": words(MAX_PROPERTIES)}
    },
    f"{MAX_PROPERTIES + 1} properties (refused)": {"json": words(MAX_PROPERTIES + 1)},
    "1,000 optional properties weighed x 3": {
        "json": {
            "type": "array",
            "minItems": 3,
            "items": nested(5) | {"propertyOrdering": [f"p{i}" for i in range(MAX_PROPERTIES)]},
        }
    },
    "anyOf fan-out 21^3": {"json": fan(21, 3)},
    "anyOf fan-out 22^3 (refused: schema nodes)": {"json": fan(22, 3)},
    f"{MAX_SCHEMA_NODES} schema nodes in 500 tools": {"tools": [unused(19)] * 500},
    f"{MAX_SCHEMA_NODES + 1} schema nodes (refused)": {"tools": [unused(19)] * 500 + [{}]},
    "3,000 steps in 300 tools": {"tools": [words(9) for _ in range(300)]},
    "enum of 1,000 numbers x 1,000": {
        "json": {"type": "array", "minItems": 1000, "items": {"enum": list(range(1000))}},
    },
    "enum of 1,001 members (refused)": {"json": {"enum": list(range(1001))}},
    "enum of prose, the characters budget, SSE": {"json": prose(1), "stream": True},
    "enum of prose, the characters budget, 8 candidates, SSE": {
        "json": prose(8),
        "candidates": 8,
        "stream": True,
    },
}


def body(case: dict[str, Any], prompt: str) -> bytes:
    config: dict[str, Any] = {"candidateCount": case.get("candidates", 1)}
    request: dict[str, Any] = {"contents": [{"parts": [{"text": prompt}]}]}
    if "json" in case:
        config |= {"responseMimeType": "application/json", "responseJsonSchema": case["json"]}
    if "tools" in case:
        declarations = [
            {"name": f"tool_{i}", "description": "bench tool", "parametersJsonSchema": schema}
            for i, schema in enumerate(case["tools"])
        ]
        request["tools"] = [{"functionDeclarations": declarations}]
        request["toolConfig"] = {"functionCallingConfig": {"mode": "ANY"}}
    request["generationConfig"] = config
    return json.dumps(request).encode()


def in_process(rounds: int) -> list[tuple[str, int, float, float]]:
    fake = Fake(create_app(FakeConfig()), "http://bench")
    client = fake.client(headers=KEY)
    rows = []
    for name, case in CASES.items():
        path = STREAM if case.get("stream") else GENERATE
        best, cpu, status = float("inf"), 0.0, 0
        for i in range(rounds):  # a new prompt each time: no answer is remembered
            content = body(case, f"Describe round {i} of {name}")
            wall, used = time.perf_counter(), time.process_time()
            status = client.post(path, content=content).status_code
            wall, used = time.perf_counter() - wall, time.process_time() - used
            if wall < best:
                best, cpu = wall, used
        rows.append((name, status, best * 1000, cpu * 1000))
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def probe(port: int, seconds: float) -> list[float]:
    """Latencies (ms) of a small request sent every 5 ms for ``seconds``."""
    latencies: list[float] = []
    small = body({}, "How does AI work?")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=KEY, timeout=30) as client:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            assert client.post(GENERATE, content=small).status_code == 200
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(0.005)
    return latencies


def attack(port: int) -> None:
    """Send every case, one after another, until killed (run in a process of its own, so
    building and sending the bodies takes nothing from the probe's process)."""
    requests = [
        (STREAM if case.get("stream") else GENERATE, body(case, f"Load {name}"))
        for name, case in CASES.items()
    ]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=KEY, timeout=60) as client:
        for i in range(10**9):
            path, content = requests[i % len(requests)]
            client.post(path, content=content.replace(b"Load", f"Load {i}".encode(), 1))


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


def over_socket(seconds: float) -> None:
    port = free_port()
    server = start(["-m", "fake_server.cli", "serve", "--port", str(port)])
    try:
        deadline = time.perf_counter() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1beta/models", headers=KEY, timeout=1)
                break
            except httpx.TransportError:
                if time.perf_counter() > deadline or server.poll() is not None:
                    raise RuntimeError("the fake did not start") from None
                time.sleep(0.1)
        for label in ("alone", "beside the cases"):
            attacker = start([__file__, "--attack", str(port)]) if label != "alone" else None
            time.sleep(1.0 if attacker else 0)  # the attacker's bodies built, its load begun
            got = sorted(probe(port, seconds))
            if attacker is not None:
                stop(attacker)
            p99 = got[int(len(got) * 0.99) - 1]
            print(
                f"probe {label:17s} {len(got):5d} requests  median {statistics.median(got):6.1f}"
                f" ms  p99 {p99:6.1f} ms  max {got[-1]:6.1f} ms"
            )
    finally:
        stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="of each probe run")
    parser.add_argument("--no-probe", action="store_true")
    parser.add_argument("--attack", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack:
        attack(args.attack)
        return 0
    rows = in_process(args.rounds)
    print(f"{'case':52s} status   wall ms    cpu ms")
    for name, status, wall, cpu in rows:
        flag = "  OVER" if wall > TARGET_MS else ""
        print(f"{name:52s} {status:6d} {wall:9.1f} {cpu:9.1f}{flag}")
    worst = max(rows, key=lambda row: row[2])
    print(f"worst: {worst[0]}, {worst[2]:.1f} ms (target < {TARGET_MS:.0f} ms)")
    if not args.no_probe:
        over_socket(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
