"""The fake on its two HTTP stacks: httptools on uvloop against h11 on asyncio.

    .venv/bin/python bench/http_stacks.py                 # about 90 s
    .venv/bin/python bench/http_stacks.py --seconds 2 --rounds 3

Two fakes run side by side, each in its own process as ``gemini-fake serve`` runs it (one
worker, a line per request written to /dev/null, the full journal), one with ``--http
httptools`` and one with ``--http h11``, pinned to the same CPU. The load generator of the other
benchmarks (wrk when on PATH, else a small asyncio client) runs against one at a time in ABBA
order, first for the guide's generateContent (``bench/replay_throughput.py``'s request), then
for its streamed answer (``bench/sse_throughput.py``'s). Every answer is checked byte for byte
against what the fake answers in process, on both stacks: they must be the same bytes.

It prints each stack's requests per second (medians) and the ratio fast / pure: how many times
as many requests the default stack answers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import replay_throughput  # noqa: E402
import sse_throughput  # noqa: E402
from _harness import (  # noqa: E402  (bench/ is not a package: found through sys.path)
    Round,
    Server,
    Target,
    add_run_arguments,
    capture_in_process,
    choose_client,
    pick_cpus,
    python_round,
    run_guarded,
    serve_from_arguments,
    start_server,
    wait_ready,
    write_wrk_script,
    wrk_round,
)

from fake_server.http import stacks  # noqa: E402

STACKS = ("httptools", "h11")
TARGETS = {"generateContent": replay_throughput.REQUEST, "SSE stream": sse_throughput.REQUEST}


def measure(
    args: argparse.Namespace, client: str, tmp: Path, fakes: dict[str, Server], target: Target
) -> dict[str, list[float]]:
    """Requests per second of each fake for ``target``: a warm-up, then ABBA rounds."""
    expected = capture_in_process(target)
    for stack, server in fakes.items():
        got = wait_ready(server, target)
        if got.status != 200 or got.body != expected.body:
            raise SystemExit(f"the fake on {stack} answers other bytes than in process")
    lua = write_wrk_script(tmp, target, expected.body) if client == "wrk" else None
    seconds = max(1, round(args.seconds)) if client == "wrk" else args.seconds

    def one(server: Server, length: float) -> Round:
        if lua is not None:
            return wrk_round(server, target, args.connections, length, lua)
        return asyncio.run(
            python_round(server, target, args.connections, 0.25, length, expected.body)
        )

    for server in fakes.values():
        one(server, 1.0)  # warm-up, discarded
    rps: dict[str, list[float]] = {stack: [] for stack in fakes}
    order = list(fakes)
    for number in range(args.rounds):
        for stack in order if number % 2 == 0 else order[::-1]:
            measured = one(fakes[stack], seconds)
            if measured.tally.errors:
                raise SystemExit(f"{stack}: {measured.tally.samples[:3]}")
            rps[stack].append(measured.rps)
    return rps


def run(args: argparse.Namespace, client: str, tmp: Path, servers: list[Server]) -> int:
    server_cpu, client_cpu, pinning = pick_cpus(not args.no_pin)
    for stack in STACKS:
        servers.append(start_server(__file__, "fake", None, server_cpu, stack))
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    fakes = dict(zip(STACKS, servers, strict=True))
    print(
        "the fake on its two HTTP stacks, as `gemini-fake serve` runs it\n"
        f"  client: {client}, {args.connections} connections; {args.rounds} rounds x "
        f"{args.seconds:g} s each, ABBA; {pinning}"
    )
    for name, target in TARGETS.items():
        rps = measure(args, client, tmp, fakes, target)
        fast, pure = (statistics.median(rps[stack]) for stack in STACKS)
        print(
            f"\n{name}:\n"
            f"  {stacks.describe('httptools'):20} {fast:8.0f} req/s  ({1e6 / fast:5.0f} us)\n"
            f"  {stacks.describe('h11'):20} {pure:8.0f} req/s  ({1e6 / pure:5.0f} us)\n"
            f"  fast / pure {fast / pure:.2f}x"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    add_run_arguments(parser, profile_requests=0)
    args = parser.parse_args(argv)
    if args.serve:
        serve_from_arguments(args, lambda capture: None)
        return 0
    client = choose_client(parser, args.client)
    return run_guarded(lambda tmp, servers: run(args, client, tmp, servers))


if __name__ == "__main__":
    raise SystemExit(main())
