"""SSE throughput of the fake's streamGenerateContent against a bare Starlette SSE endpoint.

    python bench/sse_throughput.py [--seconds N] [--connections C] [--rounds R]
                                   [--client auto|python|wrk] [--no-pin]
    python bench/sse_throughput.py --profile [N]    # where the fake's stream time goes

What is measured
----------------
Two servers run side by side as in ``replay_throughput.py``, each in its own process under
uvicorn with ``gemini-fake serve``'s settings (and no access log):

A. the real fake, ``fake_server.create_app(FakeConfig())``, answering
   ``POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`` with the guide's body
   ``{"contents":[{"parts":[{"text":"Explain how AI works"}]}]}``, which a shipped fixture
   answers: a ``text/event-stream`` of about a dozen ``data:`` events, one ASGI ``send`` (so
   one HTTP chunk) per event, ``Transfer-Encoding: chunked``;
B. a bare Starlette app with one route at the same path that reads the request body and
   answers with a ``StreamingResponse`` over an async generator yielding the exact events A
   sends (captured from the fake in process before the run, one item per ``send``), with A's
   headers. Before the run both are checked over the socket: same status, same headers (apart
   from ``date`` and ``server-timing``, which differ from answer to answer), the same body, and
   every event in an HTTP chunk of its own.

Everything else is ``replay_throughput.py``'s machinery (``bench/_harness.py``): a closed-loop
load generator (wrk, or an asyncio client) keeps C keep-alive connections busy, each request
reading its whole stream before the next is sent on that connection; the servers take turns in
ABBA order after a discarded warm-up; every answer is checked byte for byte (status 200 and the
expected body, chunked framing decoded), and any error makes the exit status 1.

Reported per server: the median requests/s over its rounds, and from it events/s and MB/s of
body (every answer is the same checked body, so these are requests/s times the events and bytes
in one); then the ratio A/B (the target is >= 0.8) and ``1e6/rps_A - 1e6/rps_B``, the extra
microseconds each stream costs in the fake; and the CPU the servers and the load generator used.

Why the numbers mean what they say: as for the replay benchmark, each server is one
single-threaded process, so saturated, its requests/s is the inverse of its CPU time per
stream. B's time is the floor any SSE stream of these events pays (uvicorn's HTTP parsing and
chunked framing, one socket write per event, Starlette's routing and ``StreamingResponse``,
including the task that listens for the client going away); A pays that plus the fake's own
work per stream (the answer memo, re-timing the headers, the journal entry, the progress it
records after every event). The figures are meaningful only when the "server CPU" column is
near 100 % and the "client CPU" one well below (the script warns otherwise).

Not measured: paced streams (``firstEventDelay``, ``eventInterval``: those measure sleeping),
streams ended early, the JSON-array stream (no ``alt=sse``), synthetic answers, latency.

``--profile [N]`` skips the servers: it calls both apps in process (an ASGI call loop with
uvicorn's ``receive`` semantics, no socket), prints their microseconds per stream, a cProfile
of N streams to the fake, and the functions whose own time differs most between the fake's
profile and the bare endpoint's.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402  (bench/ is not a package: found through sys.path)
    HOST,
    VOLATILE_HEADERS,
    ProfileStats,
    Rate,
    Round,
    Server,
    Target,
    bench_main,
    build_request,
    capture_in_process,
    captured_answer_app,
    print_profile,
    profile_calls,
    report,
    short,
    stack_of,
    start_bench,
    time_in_process,
)

from fake_server.http import stacks  # noqa: E402

PATH = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
QUERY = "alt=sse"
BODY = b'{"contents":[{"parts":[{"text":"Explain how AI works"}]}]}'
TARGET = 0.85  # on the fast HTTP stack, in the default configuration
REQUEST = Target(f"{PATH}?{QUERY}", BODY)
SSE_CONTENT_TYPE = "text/event-stream"


# --- the servers (child processes) ------------------------------------------------------------


def bare_app(capture: Path) -> Any:
    """Server B: one Starlette route streaming the captured events, one ``send`` each."""
    return captured_answer_app(PATH, capture, streamed=True)


# --- checks -----------------------------------------------------------------------------------


def split_events(body: bytes) -> list[bytes]:
    """The SSE events in ``body``, each with the blank line that ends it."""
    events: list[bytes] = []
    start = 0
    while start < len(body):
        end = body.find(b"\r\n\r\n", start)
        end = len(body) if end < 0 else end + 4
        events.append(body[start:end])
        start = end
    return events


def fetch_chunks(port: int) -> list[bytes]:
    """The HTTP chunks of one answer over the socket, as the server framed them."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(build_request(port, REQUEST))
        buf = b""
        while not buf.endswith(b"\r\n0\r\n\r\n"):
            data = sock.recv(65536)
            if not data:
                break
            buf += data
    pos = buf.index(b"\r\n\r\n") + 4
    chunks: list[bytes] = []
    while True:
        line_end = buf.index(b"\r\n", pos)
        size = int(buf[pos:line_end].split(b";", 1)[0], 16)
        if size == 0:
            return chunks
        chunks.append(buf[line_end + 2 : line_end + 2 + size])
        pos = line_end + 4 + size


def check_events(events: list[bytes], body: bytes) -> str | None:
    """Why the captured answer is not a stream of one event per send, or None."""
    if not events:
        return "the fake sent no events"
    if split_events(body) != events:
        return "the fake's sends are not one SSE event each"
    if not all(event.startswith(b"data: ") for event in events):
        return "an event is not a data: event"
    return None


# --- the run ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    description = (
        "SSE throughput of the fake's streamGenerateContent vs a bare Starlette SSE endpoint."
    )
    return bench_main(argv, description, bare_app, profile, run)


def run(args: argparse.Namespace, client: str, tmp: Path, servers: list[Server]) -> int:
    expected = capture_in_process(REQUEST)
    content_type = dict((k.lower(), v) for k, v in expected.headers).get("content-type")
    if expected.status != 200 or content_type != SSE_CONTENT_TYPE:
        print(f"the fake answered {expected.status} {content_type}:\n{expected.body.decode()}")
        return 1
    problem = check_events(expected.pieces, expected.body)
    if problem:
        print(problem)
        return 1
    bench = start_bench(args, client, tmp, servers, __file__, REQUEST, expected)
    if isinstance(bench, str):
        print(bench)
        return 1
    for server in (bench.fake, bench.bare):
        if fetch_chunks(server.port) != expected.pieces:
            print(f"the {server.name} server does not send one HTTP chunk per event")
            return 1

    events, size = len(expected.pieces), len(expected.body)
    print(
        f"SSE throughput: POST {REQUEST.path}\n"
        f"  body {BODY.decode()} -> {events} events, {size} bytes "
        f"({SSE_CONTENT_TYPE}, chunked), from a shipped fixture\n"
        f"  A = the fake (fake_server.create_app), B = bare Starlette StreamingResponse "
        f"sending the same events\n"
        f"  uvicorn, 1 worker each, {stacks.describe(stack_of(args))}; {bench.pinning}\n"
        f"  client: {client}, {args.connections} connections, each request reads its whole "
        f"stream; {args.rounds} rounds x {bench.seconds:g} s per server in ABBA order after "
        f"1 s warm-up (~{bench.total_seconds(args.rounds):.0f} s)\n"
        f"  checked before the run: both answer 200 with identical bodies, one chunk per event, "
        f"and identical headers (apart from {', '.join(sorted(VOLATILE_HEADERS))})\n"
    )
    rounds = bench.measure(args.rounds)
    status = report(
        rounds,
        TARGET,
        [Rate("events/s", events), Rate("MB/s", size / 1e6, 2)],
    )
    print(cpu_summary(rounds))
    return status


def cpu_summary(rounds: list[Round]) -> str:
    """Which side was the bottleneck, from the CPU each used during the rounds."""
    server = [r.server_cpu for r in rounds if r.server_cpu is not None]
    client = [r.client_cpu for r in rounds if r.client_cpu is not None]
    if not server or not client:
        return "  CPU use: not available here (needs Linux /proc)"
    verdict = (
        "the servers, not the load generator, were the bottleneck"
        if min(server) >= 0.9 and max(client) < 0.9
        else "NOT clearly server-bound: read the figures with care"
    )
    # CPU time per request: unlike req/s, it does not count time another process took from the
    # server's CPU, so it cross-checks the ratio on a busy machine (not on a slower CPU, such as
    # a virtual machine whose host is busy: that slows both measures alike).
    cost = {
        name: statistics.median(
            r.server_cpu / r.rps * 1e6 for r in rounds if r.server == name and r.server_cpu
        )
        for name in ("fake", "bare")
    }
    return (
        f"  CPU use: servers {min(server):.0%} .. {max(server):.0%} of their CPU, load generator "
        f"{min(client):.0%} .. {max(client):.0%} of its own: {verdict}\n"
        f"  server CPU per request (medians): A {cost['fake']:.0f} us, B {cost['bare']:.0f} us; "
        f"by CPU time A/B = {cost['bare'] / cost['fake']:.3f} (less sensitive than req/s to "
        "other processes on the machine)"
    )


# --- --profile: where the fake's stream time goes, in process ---------------------------------


def profile(n: int) -> int:
    expected, fake, bare, us_fake, us_bare = time_in_process(REQUEST, bare_app, n)
    events = len(expected.pieces)
    print(
        f"in process, no socket, {events} events per stream: fake {us_fake:.0f} us/stream, "
        f"bare {us_bare:.0f} us/stream (the fake's own work: {us_fake - us_bare:.0f} us, "
        f"{(us_fake - us_bare) / events:.1f} us per event)\n"
        f"cProfile of {n} streams to the fake (cProfile inflates many small calls; "
        "shares are of the profiled time)"
    )
    fake_stats = profile_calls(fake, n, REQUEST)
    print_profile(fake_stats, n)
    print_difference(fake_stats, profile_calls(bare, n, REQUEST), n)
    return 0


def print_difference(fake: ProfileStats, bare: ProfileStats, n: int, top: int = 15) -> None:
    """Functions by how much more own time per stream they take in the fake than in B, then
    the few that take more in B (what B does that the fake does its own way)."""

    def per_function(stats: ProfileStats) -> dict[str, tuple[float, float]]:
        return {
            f"{func} ({short(filename)}:{line})": (calls / n, tt / n * 1e6)
            for (filename, line, func), (_, calls, tt, _, _) in stats.items()
        }

    a, b = per_function(fake), per_function(bare)
    total_a = sum(us for _, us in a.values())
    total_b = sum(us for _, us in b.values())
    none = (0.0, 0.0)
    rows = sorted(
        ((a.get(k, none), b.get(k, none), k) for k in a.keys() | b.keys()),
        key=lambda row: row[0][1] - row[1][1],
        reverse=True,
    )
    print(
        f"\n  profiled own time: fake {total_a:.0f} us/stream, bare {total_b:.0f} us/stream, "
        f"difference {total_a - total_b:.0f} us (profiled microseconds are inflated)"
    )
    for heading, shown in (
        (f"top {top}, own time per stream, fake minus bare", rows[:top]),
        ("and the 5 that cost more in bare", rows[:-6:-1]),
    ):
        print(f"\n  {heading:58.58s} calls A  calls B    us A    us B  A - B")
        for (calls_a, us_a), (calls_b, us_b), where in shown:
            print(
                f"  {where:58.58s} {calls_a:6.1f}  {calls_b:6.1f}  {us_a:6.1f}  {us_b:6.1f}"
                f"  {us_a - us_b:5.1f}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
