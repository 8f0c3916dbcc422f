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
import asyncio
import base64
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
PATH = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = b'{"contents":[{"parts":[{"text":"How does AI work?"}]}]}'
API_KEY = "bench-key"
TARGET = 0.85
SERVE_TIMEOUT = 20.0
# Headers whose values legitimately differ between two answers (and between A and B).
VOLATILE_HEADERS = {"date", "server-timing"}


# --- the servers (child processes) ------------------------------------------------------------


def bare_app(capture: Path) -> Any:
    """Server B: one Starlette route that sends the captured answer and nothing else."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    data = json.loads(capture.read_text())
    body = base64.b64decode(data["body"])
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in data["headers"]]
    status = data["status"]

    class Replay(Response):
        def __init__(self) -> None:  # no Content-Length: uvicorn chunks it, as it does A's
            self.status_code = status
            self.body = body
            self.background = None
            self.raw_headers = headers

    async def endpoint(request: Request) -> Response:
        await request.body()
        return Replay()

    return Starlette(routes=[Route(PATH, endpoint, methods=["POST"])])


def serve(kind: str, capture: Path | None, cpu: int | None, parent: int) -> None:
    """Run one server; print its port on stdout once bound. Exits when the parent goes."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    import uvicorn

    if kind == "fake":
        from fake_server import FakeConfig, create_app

        app = create_app(FakeConfig())
    else:
        assert capture is not None
        app = bare_app(capture)

    def orphan_watch() -> None:  # the parent died without cleaning up (e.g. SIGKILL)
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=orphan_watch, daemon=True).start()
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every keep-alive answer after the first waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(
        app, host=HOST, log_level="warning", access_log=False, server_header=False, workers=1
    )
    uvicorn.Server(config).run(sockets=[sock])


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float | None:
        """User+system CPU time the server process has used so far (Linux /proc), or None."""
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(kind: str, capture: Path | None, cpu: int | None) -> Server:
    cmd = [sys.executable, __file__, "--serve", kind, "--parent", str(os.getpid())]
    if capture is not None:
        cmd += ["--capture", str(capture)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    # A session of its own: Ctrl-C reaches only this script, which then stops the servers.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.strip().isdigit():
        proc.kill()
        raise RuntimeError(f"the {kind} server did not start (exit status {proc.wait()})")
    return Server(kind, proc, int(line))


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.proc.poll() is None:
            server.proc.terminate()
    for server in servers:
        try:
            server.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


# --- the expected answer ----------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def capture_in_process() -> Answer:
    """The fake's answer to the benchmark request, called in process (no socket)."""
    import httpx

    from fake_server import FakeConfig, create_app

    async def call() -> Answer:
        transport = httpx.ASGITransport(app=create_app(FakeConfig()))
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{HOST}") as client:
            response = await client.post(
                PATH,
                content=BODY,
                headers={"x-goog-api-key": API_KEY, "content-type": "application/json"},
            )
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return Answer(response.status_code, headers, response.content)

    return asyncio.run(call())


def fetch_once(port: int) -> Answer:
    """One request over the socket (http.client decodes the chunked framing)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request(
            "POST",
            PATH,
            body=BODY,
            headers={"x-goog-api-key": API_KEY, "content-type": "application/json"},
        )
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def wait_ready(server: Server) -> Answer:
    deadline = time.monotonic() + SERVE_TIMEOUT
    while True:
        try:
            return fetch_once(server.port)
        except OSError:
            if server.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the {server.name} server does not answer") from None
            time.sleep(0.05)


def comparable(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((k.lower(), v) for k, v in headers if k.lower() not in VOLATILE_HEADERS)


# --- the load generators ----------------------------------------------------------------------


class ProtocolError(Exception):
    pass


def parse_response(buf: bytearray) -> tuple[int, int, bytes] | None:
    """``(bytes consumed, status, body)`` of the first complete response in ``buf``, or None."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buf[:head_end]).lower()
    try:
        status = int(head[9:12])
    except ValueError:
        raise ProtocolError(f"bad status line {head[:40]!r}") from None
    start = head_end + 4
    at = head.find(b"\r\ncontent-length:")
    if at >= 0:
        line_end = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : line_end if line_end >= 0 else len(head)])
        if len(buf) < start + length:
            return None
        return start + length, status, bytes(buf[start : start + length])
    at = head.find(b"\r\ntransfer-encoding:")
    line_end = head.find(b"\r\n", at + 2) if at >= 0 else -1
    if at < 0 or b"chunked" not in head[at : line_end if line_end >= 0 else len(head)]:
        raise ProtocolError("an answer with neither Content-Length nor chunked framing")
    parts = []
    pos = start
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buf[pos:line_end]).split(b";", 1)[0], 16)
        if size == 0:  # last chunk, then optional trailers, then an empty line
            if len(buf) < line_end + 4:
                return None
            if buf[line_end + 2 : line_end + 4] == b"\r\n":
                return line_end + 4, status, b"".join(parts)
            trailer_end = buf.find(b"\r\n\r\n", line_end + 2)
            if trailer_end < 0:
                return None
            return trailer_end + 4, status, b"".join(parts)
        data_end = line_end + 2 + size
        if len(buf) < data_end + 2:
            return None
        parts.append(bytes(buf[line_end + 2 : data_end]))
        pos = data_end + 2


@dataclass
class Tally:
    ok: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what)


class _Connection(asyncio.Protocol):
    """One keep-alive connection: send, read one whole answer, check it, send again."""

    def __init__(self, request: bytes, expected: bytes, tally: Tally, run: _PythonRun) -> None:
        self.request = request
        self.expected = expected
        self.tally = tally
        self.run = run
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        try:
            parsed = parse_response(self.buf)
        except (ProtocolError, ValueError) as exc:
            self.tally.error(f"unparseable answer: {exc}")
            self.buf.clear()
            assert self.transport is not None
            self.transport.close()
            return
        if parsed is None:
            return
        used, status, body = parsed
        del self.buf[:used]
        if status != 200:
            self.tally.error(f"status {status}: {body[:200]!r}")
        elif body != self.expected:
            self.tally.error(f"a 200 with a different body ({len(body)} bytes): {body[:200]!r}")
        else:
            self.tally.ok += 1
        assert self.transport is not None
        if self.run.running:
            self.transport.write(self.request)
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.run.running:
            self.tally.error(f"connection lost mid-run: {exc!r}")
        if not self.closed.done():
            self.closed.set_result(None)


class _PythonRun:
    def __init__(self) -> None:
        self.running = True


@dataclass
class Round:
    server: str
    requests: int
    seconds: float
    server_cpu: float | None  # share of one CPU the server used during the window
    client_cpu: float | None  # share of one CPU the load generator used during the window
    tally: Tally

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def build_request(port: int) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\n"
        f"Host: {HOST}:{port}\r\n"
        f"x-goog-api-key: {API_KEY}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n"
        "\r\n"
    )
    return head.encode() + BODY


async def python_round(
    server: Server, connections: int, warmup: float, seconds: float, expected: bytes
) -> Round:
    loop = asyncio.get_running_loop()
    request = build_request(server.port)
    tally = Tally()
    run = _PythonRun()
    conns: list[_Connection] = []
    for _ in range(connections):
        _, conn = await loop.create_connection(
            lambda: _Connection(request, expected, tally, run), HOST, server.port
        )
        conns.append(conn)
    await asyncio.sleep(warmup)
    done0, cpu0, own0 = tally.ok + tally.errors, server.cpu_seconds(), time.process_time()
    t0 = time.perf_counter()
    await asyncio.sleep(seconds)
    done1, cpu1, own1 = tally.ok + tally.errors, server.cpu_seconds(), time.process_time()
    elapsed = time.perf_counter() - t0
    run.running = False
    await asyncio.wait_for(asyncio.gather(*(c.closed for c in conns)), timeout=10)
    server_cpu = None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) / elapsed
    return Round(server.name, done1 - done0, elapsed, server_cpu, (own1 - own0) / elapsed, tally)


WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-goog-api-key"] = "{key}"
local file = io.open({expected_path}, "rb")
local expected = file:read("*a")
file:close()
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0; first_bad = "" end
function response(status, headers, body)
  if status == 200 and body == expected then ok = ok + 1
  else
    bad = bad + 1
    if first_bad == "" then first_bad = "status " .. status .. ": " .. string.sub(body, 1, 200) end
  end
end
function done(summary, latency, requests)
  local ok_total, bad_total, sample = 0, 0, ""
  for _, t in ipairs(threads) do
    ok_total = ok_total + t:get("ok")
    bad_total = bad_total + t:get("bad")
    if sample == "" then sample = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, ok_total, bad_total, e.connect, e.read, e.write, e.timeout))
  io.write("BENCH_SAMPLE " .. sample .. "\\n")
end
"""


def lua_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " /._-:" else f"\\{ord(c)}" for c in text) + '"'


def wrk_round(server: Server, connections: int, seconds: float, script: Path) -> Round:
    wrk = shutil.which("wrk")
    assert wrk is not None
    url = f"http://{HOST}:{server.port}{PATH}"
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = server.cpu_seconds()
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    cpu1 = server.cpu_seconds()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}{out.stderr}")
    requests, duration_us, ok, bad, *socket_errors = (int(x) for x in line.split()[1:])
    tally = Tally(ok=ok)
    sample = next((x[13:] for x in out.stdout.splitlines() if x.startswith("BENCH_SAMPLE ")), "")
    for _ in range(bad):
        tally.error(sample)
    for kind, count in zip(("connect", "read", "write", "timeout"), socket_errors, strict=True):
        for _ in range(count):
            tally.error(f"wrk {kind} error")
    duration = duration_us / 1e6
    own = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # wrk's own duration excludes its start-up; the server's CPU is over the whole call.
    server_cpu = None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) / elapsed
    return Round(server.name, requests, duration, server_cpu, own / duration, tally)


# --- the run ----------------------------------------------------------------------------------


def pick_cpus(pin: bool) -> tuple[int | None, int | None, str]:
    if not pin:
        return None, None, "not pinned (--no-pin)"
    if not hasattr(os, "sched_setaffinity"):
        return None, None, "not pinned (os.sched_setaffinity is not available here)"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None, f"not pinned (only CPU {cpus[0]} is available)"
    return (
        cpus[0],
        cpus[1],
        f"pinned: servers on CPU {cpus[0]}, load generator on CPU {cpus[1]}",
    )


def pct(share: float | None) -> str:
    return "   n/a" if share is None else f"{share * 100:5.0f}%"


def positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, not {text}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Replay throughput of the fake's generateContent vs a bare Starlette endpoint.",
        epilog="A default run takes about 45 s: 2 x (1 + rounds x seconds) plus start-up.",
    )
    parser.add_argument(
        "--seconds", type=positive(float), default=4.0, help="length of each measured round (4)"
    )
    parser.add_argument(
        "--connections", type=positive(int), default=16, help="keep-alive connections (16)"
    )
    parser.add_argument(
        "--rounds", type=positive(int), default=5, help="measured rounds per server (5)"
    )
    parser.add_argument(
        "--client",
        choices=("auto", "python", "wrk"),
        default="auto",
        help="load generator: wrk when it is on PATH, else the built-in asyncio client (auto)",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=3000,
        metavar="N",
        help="instead of the run: cProfile N in-process requests to the fake (3000), top 15",
    )
    parser.add_argument("--serve", choices=("fake", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--capture", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve:
        serve(args.serve, args.capture, args.cpu, args.parent or os.getppid())
        return 0
    if args.profile is not None:
        return profile(args.profile)

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not on PATH (apt-get install wrk)")

    # Ctrl-C raises KeyboardInterrupt even if the shell started us with SIGINT ignored, and
    # SIGTERM exits through the same finally: either way the servers are stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="gemini-bench-") as tmp:
        try:
            return run(args, client, Path(tmp), servers)
        except KeyboardInterrupt:
            print("\ninterrupted; servers stopped", file=sys.stderr)
            return 130
        finally:
            stop_servers(servers)


def write_capture(answer: Answer, path: Path) -> Path:
    body = base64.b64encode(answer.body).decode()
    path.write_text(json.dumps({"status": answer.status, "headers": answer.headers, "body": body}))
    return path


def run(args: argparse.Namespace, client: str, tmp: Path, servers: list[Server]) -> int:
    server_cpu, client_cpu, pinning = pick_cpus(not args.no_pin)
    expected = capture_in_process()
    if expected.status != 200:
        print(f"the fake answered {expected.status}, not 200:\n{expected.body.decode()}")
        return 1
    capture = write_capture(expected, tmp / "answer.json")
    servers.append(start_server("fake", None, server_cpu))
    servers.append(start_server("bare", capture, server_cpu))
    fake, bare = servers
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})  # after the spawns: the servers pin themselves

    wire = {s.name: wait_ready(s) for s in servers}
    for name, got in wire.items():
        if got.status != 200 or got.body != expected.body:
            print(f"the {name} server's answer over the socket differs from the expected one")
            return 1
    if comparable(wire["fake"].headers) != comparable(wire["bare"].headers):
        print("A and B send different headers:")
        print(f"  A: {comparable(wire['fake'].headers)}\n  B: {comparable(wire['bare'].headers)}")
        return 1

    script = tmp / "check.lua"
    if client == "wrk":
        (tmp / "expected.body").write_bytes(expected.body)
        script.write_text(
            WRK_SCRIPT.format(
                body=lua_string(BODY.decode()),
                key=API_KEY,
                expected_path=lua_string(str(tmp / "expected.body")),
            )
        )

    def one_round(server: Server, seconds: float) -> Round:
        if client == "wrk":
            return wrk_round(server, args.connections, seconds, script)
        return asyncio.run(python_round(server, args.connections, 0.25, seconds, expected.body))

    seconds = max(1, round(args.seconds)) if client == "wrk" else args.seconds
    total = 2 * (1 + args.rounds * (seconds + (0.25 if client == "python" else 0)))
    print(
        f"replay throughput: POST {PATH}\n"
        f"  body {BODY.decode()} -> {len(expected.body)}-byte fixture answer\n"
        f"  A = the fake (fake_server.create_app), B = bare Starlette sending the same bytes\n"
        f"  uvicorn, 1 worker each; {pinning}\n"
        f"  client: {client}, {args.connections} connections; {args.rounds} rounds x "
        f"{seconds:g} s per server in ABBA order after 1 s warm-up (~{total:.0f} s)\n"
        f"  checked before the run: both answer 200 with identical bodies and headers "
        f"(apart from {', '.join(sorted(VOLATILE_HEADERS))})\n"
    )
    for server in (fake, bare):
        one_round(server, 1.0)  # warm-up, discarded

    order = [fake, bare, bare, fake]
    rounds: list[Round] = []
    print("  round  server       req/s   server CPU  client CPU  errors")
    for i in range(2 * args.rounds):
        server = order[i % 4]
        r = one_round(server, seconds)
        rounds.append(r)
        label = "A fake" if server is fake else "B bare"
        print(
            f"  {i + 1:5d}  {label}  {r.rps:10.0f}  {pct(r.server_cpu):>10}  "
            f"{pct(r.client_cpu):>10}  {r.tally.errors:6d}",
            flush=True,
        )
    return report(rounds)


def report(rounds: list[Round]) -> int:
    errors = sum(r.tally.errors for r in rounds)
    checked = errors + sum(r.tally.ok for r in rounds)
    a = [r.rps for r in rounds if r.server == "fake"]
    b = [r.rps for r in rounds if r.server == "bare"]
    rps_a, rps_b = statistics.median(a), statistics.median(b)
    ratio = rps_a / rps_b
    pairs = [x / y for x, y in zip(a, b, strict=True)]  # A and B rounds taken side by side
    extra_us = 1e6 / rps_a - 1e6 / rps_b
    verdict = "meets" if ratio >= TARGET else "BELOW"
    print(
        f"\n  A (fake)  {rps_a:8.0f} req/s  ({1e6 / rps_a:5.0f} us/request)  median of {len(a)}\n"
        f"  B (bare)  {rps_b:8.0f} req/s  ({1e6 / rps_b:5.0f} us/request)  median of {len(b)}\n"
        f"  ratio A/B {ratio:8.3f}   {verdict} the target {TARGET} "
        f"(round by round {min(pairs):.3f} .. {max(pairs):.3f})\n"
        f"  profile hint: the fake spends {extra_us:.0f} us more per request than the bare "
        f"endpoint; see where with --profile\n"
        f"  checked {checked} answers: {errors} errors"
    )
    cpu = [r.server_cpu for r in rounds if r.server_cpu is not None]
    if cpu and min(cpu) < 0.9:
        print(
            f"  warning: a server used only {min(cpu) * 100:.0f}% of its CPU in some round; "
            "it was not saturated, so the load generator or the machine limited that round"
        )
    if errors:
        samples = [s for r in rounds for s in r.tally.samples][:5]
        print("  errors (first few):\n    " + "\n    ".join(samples))
        return 1
    return 0


# --- --profile: where the fake spends its time, in process ------------------------------------


def asgi_calls(app: Any, n: int) -> float:
    """Seconds for ``n`` benchmark requests sent straight to ``app`` (no socket, no server)."""
    headers = [
        (b"host", f"{HOST}:8080".encode()),
        (b"x-goog-api-key", API_KEY.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BODY)).encode()),
    ]
    template = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": (HOST, 50000),
        "server": (HOST, 8080),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    async def loop() -> float:
        start = time.perf_counter()
        for _ in range(n):
            await app(dict(template, state={}), receive, send)
        return time.perf_counter() - start

    return asyncio.run(loop())


def profile(n: int) -> int:
    import cProfile
    import pstats

    from fake_server import FakeConfig, create_app

    expected = capture_in_process()
    with tempfile.TemporaryDirectory(prefix="gemini-bench-") as tmp:
        bare = bare_app(write_capture(expected, Path(tmp) / "answer.json"))
    fake = create_app(FakeConfig())
    for app in (fake, bare):
        asgi_calls(app, 200)  # warm-up
    us_fake = asgi_calls(fake, n) / n * 1e6
    us_bare = asgi_calls(bare, n) / n * 1e6
    print(
        f"in process, no socket: fake {us_fake:.0f} us/request, bare {us_bare:.0f} us/request "
        f"(the fake's own work: {us_fake - us_bare:.0f} us)\n"
        f"cProfile of {n} requests to the fake (cProfile inflates many small calls; "
        "shares are of the profiled time)"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    asgi_calls(create_app(FakeConfig()), n)
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values())
    package = str(Path(sys.modules["fake_server"].__file__ or "").parent)
    for heading, column in (
        ("fake_server functions by cumulative time", 3),
        ("all functions by own time", 2),
    ):
        print(f"\n  top 15, {heading:44.44s} calls/req  cum %   own %")
        rows = sorted(stats.items(), key=lambda item: item[1][column], reverse=True)
        shown = 0
        for (filename, line, func), (_, calls, tt, ct, _) in rows:
            if column == 3 and not filename.startswith(package):
                continue  # the fake's own functions, not the event loop's and Starlette's
            where = f"{func} ({short(filename)}:{line})"
            print(f"  {where:60.60s} {calls / n:6.1f}  {ct / total:6.1%}  {tt / total:6.1%}")
            shown += 1
            if shown == 15:
                break
    return 0


def short(filename: str) -> str:
    """``fake_server/tokens.py``, ``json/encoder.py``: the path from the package on."""
    roots = [*sys.path, str(Path(__file__).resolve().parents[1])]
    for root in sorted(roots, key=len, reverse=True):
        if root and filename.startswith(root.rstrip("/") + "/"):
            return filename[len(root.rstrip("/")) + 1 :]
    return filename


if __name__ == "__main__":
    raise SystemExit(main())
