"""The client's own cost against the official ``google-genai``: CPU per call, and import time.

    .venv/bin/python bench/client_overhead.py                     # about a minute
    .venv/bin/python bench/client_overhead.py --calls 50 --rounds 2 --imports 5   # quicker

Starts ``gemini-fake serve`` (uvicorn, 127.0.0.1, a free port) in a process of its own, and in
this process makes a ``gemini_ref.Client`` and a ``google.genai.Client`` against it. For each
operation (``generate_content``, ``generate_content_stream`` read to its end, ``count_tokens``)
it runs a warm-up, then ``--rounds`` rounds alternating the two clients (A B A B …), each round
``--calls`` calls timed with ``time.process_time()``: the CPU this process spent, so the fake's
own work and the time spent waiting for it are not counted. It prints each round, the medians
and the ratio gemini_ref / google-genai (target: at most 0.5 for ``generate_content``), with
the wall time per call beside it.

Then it starts ``--imports`` fresh interpreters for each import, alternating, each timing
``import gemini_ref`` or ``from google import genai`` with ``time.perf_counter()`` around the
statement (the interpreter's own start is not counted), and prints the medians and their ratio
(target: at most 0.25). It does so twice: from bytecode, as an installed package imports (the
children write and read their ``.pyc`` files in a temporary ``PYTHONPYCACHEPREFIX``, after one
discarded run that writes them), and as this environment runs them. The two differ when
``PYTHONDONTWRITEBYTECODE`` is set and ``gemini_ref`` is installed editable: it is then compiled
from source at every import, while ``google-genai`` was compiled when pip installed it. A
benchmark prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.serving import serve  # noqa: E402

MODEL = "gemini-2.5-flash"
PROMPT = "How does AI work?"  # a fixture's prompt: one answer of about 2 kB
STREAM_PROMPT = "Explain how AI works"  # a fixture's prompt: a stream of 13 chunks
IMPORTS = {"gemini_ref": "import gemini_ref", "google-genai": "from google import genai"}


def clients(base_url: str) -> dict[str, Any]:
    from google import genai
    from google.genai import types

    import gemini_ref

    options = types.HttpOptions(base_url=base_url, api_version="v1beta")
    return {
        "gemini_ref": gemini_ref.Client(api_key="bench-key", base_url=base_url),
        "google-genai": genai.Client(api_key="bench-key", http_options=options),
    }


def operations() -> dict[str, Callable[[Any], int]]:
    """Each operation on a client, returning how many answers (chunks) it read."""

    def generate(client: Any) -> int:
        assert client.models.generate_content(model=MODEL, contents=PROMPT).text
        return 1

    def stream(client: Any) -> int:
        chunks = list(client.models.generate_content_stream(model=MODEL, contents=STREAM_PROMPT))
        assert len(chunks) > 1 and all(chunk.text for chunk in chunks)
        return len(chunks)

    def count(client: Any) -> int:
        assert client.models.count_tokens(model=MODEL, contents=PROMPT).total_tokens
        return 1

    return {"generate_content": generate, "generate_content_stream": stream, "count_tokens": count}


def timed(run: Callable[[Any], int], client: Any, calls: int) -> tuple[float, float, int]:
    """CPU and wall seconds per call over ``calls`` calls, and the chunks one call read."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        chunks = run(client)
    return (time.process_time() - cpu) / calls, (time.perf_counter() - wall) / calls, chunks


def measure_calls(base_url: str, calls: int, rounds: int) -> None:
    made = clients(base_url)
    print(f"gemini_ref sends with {type(made['gemini_ref'].models._caller.http).__name__}")
    for name, run in operations().items():
        cpu: dict[str, list[float]] = {who: [] for who in made}
        wall: dict[str, list[float]] = {who: [] for who in made}
        for client in made.values():
            timed(run, client, max(calls // 5, 5))  # warm-up
        print(f"\n{name}: {rounds} rounds of {calls} calls, CPU µs per call (wall µs)")
        for number in range(rounds):
            row = []
            for who, client in made.items():
                seconds, elapsed, chunks = timed(run, client, calls)
                cpu[who].append(seconds)
                wall[who].append(elapsed)
                row.append(f"{who} {seconds * 1e6:7.0f} ({elapsed * 1e6:6.0f})")
            print(f"  round {number + 1}: " + "   ".join(row))
        a, b = (statistics.median(cpu[who]) for who in made)
        per_chunk = (
            f", {a * 1e6 / chunks:.0f} vs {b * 1e6 / chunks:.0f} per chunk" if chunks > 1 else ""
        )
        print(
            f"  median: gemini_ref {a * 1e6:.0f} µs, google-genai {b * 1e6:.0f} µs{per_chunk};"
            f" ratio {a / b:.2f} (spread {spread(cpu['gemini_ref'], cpu['google-genai'])})"
        )


def spread(a: Iterable[float], b: Iterable[float]) -> str:
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return f"{min(ratios):.2f} to {max(ratios):.2f}"


def import_seconds(statement: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    return float(out.stdout)


def measure_imports(runs: int, env: dict[str, str], how: str) -> None:
    for statement in IMPORTS.values():
        import_seconds(statement, env)  # discarded: writes the bytecode, if it may
    seconds: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        for name, statement in IMPORTS.items():
            seconds[name].append(import_seconds(statement, env))
    a, b = (statistics.median(values) for values in seconds.values())
    print(f"\nimport {how}, median of {runs} fresh interpreters each (min to max):")
    for name, values in seconds.items():
        print(
            f"  {IMPORTS[name]:24} {statistics.median(values) * 1e3:6.1f} ms"
            f" ({min(values) * 1e3:.1f} to {max(values) * 1e3:.1f})"
        )
    print(f"  ratio {a / b:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400, help="calls per round (400)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds per client (4)")
    parser.add_argument("--imports", type=int, default=20, help="interpreters per import (20)")
    args = parser.parse_args()
    process, base_url = serve()
    try:
        measure_calls(base_url, args.calls, args.rounds)
    finally:
        process.terminate()
        process.wait()
    as_is = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        compiled = {key: value for key, value in as_is.items() if key != "PYTHONDONTWRITEBYTECODE"}
        measure_imports(args.imports, compiled | {"PYTHONPYCACHEPREFIX": cache}, "from bytecode")
    dont_write = as_is.get("PYTHONDONTWRITEBYTECODE")
    measure_imports(args.imports, as_is, f"as this environment runs it ({dont_write=})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
