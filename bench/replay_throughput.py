"""Replay throughput of the fake's generateContent against a bare Starlette endpoint.

    python bench/replay_throughput.py [--seconds N] [--connections C] [--rounds R]
                                      [--client auto|python|wrk] [--no-pin]
    python bench/replay_throughput.py --profile [N]    # where the fake's time goes

What is measured
----------------
Two servers run side by side, each in its own process under uvicorn with the settings
``gemini-fake serve`` uses (one worker, 127.0.0.1, log level ``warning``, no ``server``
header; the access log is switched off for both):

A. the real fake, ``fake_server.create_app(FakeConfig())``, answering
   ``POST /v1beta/models/gemini-2.5-flash:generateContent`` with the guide's body
   ``{"contents":[{"parts":[{"text":"How does AI work?"}]}]}``, which a shipped fixture
   answers (a replay);
B. a bare Starlette app with one route at the same path that reads the request body and sends
   the exact bytes and headers A sends for that request (captured from the fake in process
   before the run, then checked against A over the socket). Like A, it sends no
   ``Content-Length``, so uvicorn frames both bodies with ``Transfer-Encoding: chunked``.

The same closed-loop load generator drives both: C keep-alive connections, each sending the
next request as soon as the previous answer is complete. The servers take turns in ABBA order
(A B B A A B ...), which cancels a linear drift in machine speed, after one discarded warm-up
round each. Reported per server: the median requests/s over its rounds; then the ratio A/B
(the target is >= 0.85) and ``1e6/rps_A - 1e6/rps_B``, the extra microseconds each request
costs in the fake, which is where a profile should look.

Why the numbers mean what they say
----------------------------------
* Both servers are single-threaded asyncio processes. When a server is saturated its
  requests/s is the inverse of its CPU time per request. B's time is the floor every request
  pays (uvicorn's HTTP/1.1 parsing, Starlette's routing and response machinery, the socket
  work); A pays that plus the fake's own work (JSON parsing, transcoding and validation, the
  fixture lookup, composing and serialising the answer, the journal). So A/B = floor /
  (floor + own work), and 0.85 means the fake's own work is at most 18 % of the floor.
* That holds only if the server, not the client, is the bottleneck. The server process is
  pinned to one CPU and the load generator to another (when ``os.sched_setaffinity`` exists,
  and the output says whether it did), and the script reports each server's CPU use during
  every round: a server near 100 % of its CPU is saturated; one well below means the client
  (or the machine) limited the run, and the script says so. The load generator is wrk when it
  is on PATH (``--client auto``, the default), else a Python client that writes one pre-built
  request and parses the answer with a few ``bytes.find`` calls in an ``asyncio.Protocol``;
  either costs a fraction of what a server spends per request (the "client CPU" column), and
  both give the same figures. ``--client python`` or ``--client wrk`` forces one.
* The listening sockets are made with ``IPPROTO_TCP``, as uvicorn makes its own: asyncio sets
  ``TCP_NODELAY`` only then, and without it every keep-alive answer after the first waits for
  a delayed ACK (~40 ms), which would make both servers idle and the ratio meaningless.
* Every answer is checked: status 200 and a body byte-identical to the expected one
  (chunked and Content-Length framing are both decoded). Any error is reported and makes the
  exit status 1, since a throughput that includes errors measures nothing.

What is not measured: latency under a fixed arrival rate, streaming (``alt=sse``), misses
(synthetic answers), other endpoints, multi-worker scaling, or the cost of the journal once
it is very large (it grows by one entry per request, as in a long ``gemini-fake serve`` run; a
default run adds a few tens of thousands of entries). Absolute figures depend on the
machine; the ratio is what carries from one machine to another.

``--profile [N]`` skips the servers: it calls both apps in process (an ASGI call loop, no
socket), prints their microseconds per request, and a cProfile of N requests to the fake.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402  (bench/ is not a package: found through sys.path)
    VOLATILE_HEADERS,
    Server,
    Target,
    bench_main,
    capture_in_process,
    captured_answer_app,
    print_profile,
    profile_calls,
    report,
    stack_of,
    start_bench,
    time_in_process,
)

from fake_server.http import stacks  # noqa: E402

PATH = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = b'{"contents":[{"parts":[{"text":"How does AI work?"}]}]}'
TARGET = 0.85
REQUEST = Target(PATH, BODY)


# --- the servers (child processes) ------------------------------------------------------------


def bare_app(capture: Path) -> Any:
    """Server B: one Starlette route that sends the captured answer and nothing else."""
    return captured_answer_app(PATH, capture, streamed=False)


# --- the run ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    description = "Replay throughput of the fake's generateContent vs a bare Starlette endpoint."
    return bench_main(argv, description, bare_app, profile, run)


def run(args: argparse.Namespace, client: str, tmp: Path, servers: list[Server]) -> int:
    expected = capture_in_process(REQUEST)
    if expected.status != 200:
        print(f"the fake answered {expected.status}, not 200:\n{expected.body.decode()}")
        return 1
    bench = start_bench(args, client, tmp, servers, __file__, REQUEST, expected)
    if isinstance(bench, str):
        print(bench)
        return 1

    print(
        f"replay throughput: POST {PATH}\n"
        f"  body {BODY.decode()} -> {len(expected.body)}-byte fixture answer\n"
        f"  A = the fake (fake_server.create_app), B = bare Starlette sending the same bytes\n"
        f"  uvicorn, 1 worker each, {stacks.describe(stack_of(args))}; {bench.pinning}\n"
        f"  client: {client}, {args.connections} connections; {args.rounds} rounds x "
        f"{bench.seconds:g} s per server in ABBA order after 1 s warm-up "
        f"(~{bench.total_seconds(args.rounds):.0f} s)\n"
        f"  checked before the run: both answer 200 with identical bodies and headers "
        f"(apart from {', '.join(sorted(VOLATILE_HEADERS))})\n"
    )
    return report(bench.measure(args.rounds), TARGET)


# --- --profile: where the fake spends its time, in process ------------------------------------


def profile(n: int) -> int:
    from fake_server import FakeConfig, create_app

    _, _, _, us_fake, us_bare = time_in_process(REQUEST, bare_app, n)
    print(
        f"in process, no socket: fake {us_fake:.0f} us/request, bare {us_bare:.0f} us/request "
        f"(the fake's own work: {us_fake - us_bare:.0f} us)\n"
        f"cProfile of {n} requests to the fake (cProfile inflates many small calls; "
        "shares are of the profiled time)"
    )
    print_profile(profile_calls(create_app(FakeConfig()), n, REQUEST), n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
