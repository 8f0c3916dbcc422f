"""What the throughput benchmarks share: the servers, the load generators, the ABBA run, the report.

A benchmark (``replay_throughput.py``, ``sse_throughput.py``) names one request (a
:class:`Target`), captures the fake's answer to it in process, and builds a bare Starlette app
that sends the same bytes; everything else is here:

* :func:`start_server` starts the benchmark's own file with the hidden ``--serve`` arguments
  (:func:`add_serve_arguments`), which hands them to :func:`serve_from_arguments`: that process
  runs A or B under uvicorn (:func:`serve`), pinned to a CPU, on a socket made with
  ``IPPROTO_TCP``;
* :func:`python_round` (an ``asyncio.Protocol`` client) and :func:`wrk_round` (wrk with a Lua
  script that checks every body) run one round against one server and count the answers that
  are byte for byte the expected one;
* :func:`measure` checks both servers, then runs the warm-up and the ABBA rounds and prints the
  round table; :func:`report` prints the medians, the ratio and the per-request difference;
* :func:`asgi_calls` and :func:`print_profile` are the ``--profile`` machinery (the app called
  in process, no socket).

See the benchmarks' docstrings and ``bench/README.md`` for why the figures mean what they say.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
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
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

HOST = "127.0.0.1"
API_KEY = "bench-key"
SERVE_TIMEOUT = 20.0
# Headers whose values legitimately differ between two answers (and between A and B).
VOLATILE_HEADERS = {"date", "server-timing"}


@dataclass(frozen=True)
class Target:
    """The one request a benchmark sends, again and again."""

    path: str  # with its query string, if any
    body: bytes

    @property
    def headers(self) -> dict[str, str]:
        return {"x-goog-api-key": API_KEY, "content-type": "application/json"}


# --- the servers (child processes) ------------------------------------------------------------


def uvicorn_stack(kind: str, stack: str) -> dict[str, Any]:
    """The ``uvicorn.Config`` arguments for a server on ``stack`` (``httptools`` or ``h11``):
    the fake on its own protocol classes, as ``gemini-fake serve`` runs it; a bare server on
    uvicorn's, as anyone would run a Starlette app on that parser and loop."""
    from fake_server.http import stacks

    if kind == "fake":
        return stacks.uvicorn_options(stack)
    return {"http": stack, "loop": "uvloop" if stack == "httptools" else "asyncio"}


def serve(
    make_app: Callable[[], Any],
    cpus: int | set[int] | None,
    parent: int,
    options: dict[str, Any],
) -> None:
    """Run one server on ``cpus`` with the ``uvicorn.Config`` ``options`` of its stack; print
    its port on stdout once it listens. Exits when the parent goes."""
    if cpus is not None:
        os.sched_setaffinity(0, {cpus} if isinstance(cpus, int) else cpus)
    import uvicorn

    app = make_app()

    def orphan_watch() -> None:  # the parent died without cleaning up (e.g. SIGKILL)
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=orphan_watch, daemon=True).start()
    logging.getLogger("asyncio").addFilter(_drop_lost_writes)
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every keep-alive answer after the first waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(2048)  # before the port is announced: a client may connect at once
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(
        app,
        host=HOST,
        log_level="warning",
        access_log=False,
        server_header=False,
        workers=1,
        **options,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _drop_lost_writes(record: logging.LogRecord) -> bool:
    """Drop asyncio's "socket.send() raised exception." (other records pass).

    When a round ends, the load generator closes its connections, some in the middle of a
    streamed answer. asyncio learns that a connection is lost only on the next turn of its loop,
    and an unpaced stream writes its remaining events within one turn, so from the fifth write
    to the dead socket on it logs this warning for each. Both servers do it; it is the client
    leaving, not a failure, and would bury the report under a few hundred lines.
    """
    return record.msg != "socket.send() raised exception."


def serve_from_arguments(args: argparse.Namespace, bare_app: Callable[[Path], Any]) -> None:
    """The child side of :func:`start_server`: build A (the fake) or B and serve it."""
    kind, capture = args.serve, args.capture

    def make_app() -> Any:
        if kind == "fake":
            from fake_server import FakeConfig, create_app
            from fake_server.announce import console_logging

            # As `gemini-fake serve` runs by default: a line per request on the console (here
            # written to /dev/null, which costs what a terminal's write does), the full journal.
            logging_on = console_logging("info", open(os.devnull, "w"))  # noqa: SIM115
            logging_on.__enter__()  # for the life of the process
            return create_app(FakeConfig())
        assert capture is not None
        return bare_app(capture)

    options = uvicorn_stack(kind, stack_of(args))
    serve(make_app, args.cpu, args.parent or os.getppid(), options)


def stack_of(args: argparse.Namespace) -> str:
    """The HTTP stack ``--http`` names: ``auto`` is the fast one where it is installed."""
    from fake_server.http import stacks

    stack: str = stacks.resolve(args.http)
    return stack


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The hidden arguments :func:`start_server` starts a benchmark's file with."""
    parser.add_argument("--serve", choices=("fake", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--capture", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cpu", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)


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


def start_server(
    script: str, kind: str, capture: Path | None, cpu: int | None, stack: str
) -> Server:
    """``python script --serve kind ...``: the benchmark's file builds the app and serves it on
    the HTTP ``stack``."""
    cmd = [sys.executable, script, "--serve", kind, "--parent", str(os.getpid()), "--http", stack]
    if capture is not None:
        cmd += ["--capture", str(capture)]
    if cpu is not None:
        cmd += ["--cpu", str(cpu)]
    proc, port = launch(cmd, kind)
    return Server(kind, proc, port)


def launch(cmd: list[str], kind: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server process; the port it prints once bound. It gets a session of its own:
    Ctrl-C reaches only the benchmark, which then stops the servers."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.strip().isdigit():
        proc.kill()
        raise RuntimeError(f"the {kind} server did not start (exit status {proc.wait()})")
    return proc, int(line)


class _Process(Protocol):
    proc: subprocess.Popen[bytes]


def stop_servers(servers: Sequence[_Process]) -> None:
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
    # The body as the app sent it, one item per ``http.response.body`` message that had bytes
    # (filled in by capture_in_process; a socket answer only has the whole body).
    pieces: list[bytes] = field(default_factory=list)


def capture_in_process(target: Target) -> Answer:
    """The fake's answer to ``target``, called in process (no socket)."""
    from fake_server import FakeConfig, create_app

    exchange = _Exchange(target.body, record=True)
    asyncio.run(create_app(FakeConfig())(asgi_scope(target), exchange.receive, exchange.send))
    start = exchange.messages[0]
    pieces = [m.get("body", b"") for m in exchange.messages[1:]]
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
    return Answer(start["status"], headers, b"".join(pieces), [p for p in pieces if p])


def write_capture(answer: Answer, path: Path) -> Path:
    """The answer as JSON for the bare server (read back with :func:`read_capture`)."""
    data = {
        "status": answer.status,
        "headers": answer.headers,
        "body": base64.b64encode(answer.body).decode(),
        "pieces": [base64.b64encode(piece).decode() for piece in answer.pieces],
    }
    path.write_text(json.dumps(data))
    return path


def read_capture(path: Path) -> tuple[int, list[tuple[bytes, bytes]], bytes, list[bytes]]:
    """``(status, raw headers, body, pieces)`` as a bare app sends them."""
    data = json.loads(path.read_text())
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in data["headers"]]
    pieces = [base64.b64decode(piece) for piece in data["pieces"]]
    return data["status"], headers, base64.b64decode(data["body"]), pieces


def captured_answer_app(path: str, capture: Path, *, streamed: bool) -> Any:
    """Server B: one Starlette POST route that reads the request and sends the captured answer,
    A's status and headers as they are and no Content-Length (uvicorn chunks it, as it does
    A's): the whole body in one ``send``, or, ``streamed``, one ``send`` per captured event."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response, StreamingResponse
    from starlette.routing import Route

    status, headers, body, events = read_capture(capture)

    async def stream() -> Any:
        for event in events:
            yield event

    def answer() -> Response:
        response = StreamingResponse(stream()) if streamed else Response()
        response.body = body
        response.status_code = status
        response.raw_headers = headers
        return response

    async def endpoint(request: Request) -> Response:
        await request.body()
        return answer()

    return Starlette(routes=[Route(path, endpoint, methods=["POST"])])


def fetch_once(port: int, target: Target) -> Answer:
    """One request over the socket (http.client decodes the chunked framing)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("POST", target.path, body=target.body, headers=target.headers)
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


def wait_ready(server: Server, target: Target) -> Answer:
    deadline = time.monotonic() + SERVE_TIMEOUT
    while True:
        try:
            return fetch_once(server.port, target)
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
    parts: list[bytes] = []
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


def build_request(port: int, target: Target) -> bytes:
    head = (
        f"POST {target.path} HTTP/1.1\r\n"
        f"Host: {HOST}:{port}\r\n"
        f"x-goog-api-key: {API_KEY}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(target.body)}\r\n"
        "\r\n"
    )
    return head.encode() + target.body


async def python_round(
    server: Server,
    target: Target,
    connections: int,
    warmup: float,
    seconds: float,
    expected: bytes,
) -> Round:
    loop = asyncio.get_running_loop()
    request = build_request(server.port, target)
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


def write_wrk_script(tmp: Path, target: Target, expected: bytes) -> Path:
    """The Lua script that makes wrk send ``target`` and check every body against ``expected``."""
    (tmp / "expected.body").write_bytes(expected)
    script = tmp / "check.lua"
    script.write_text(
        WRK_SCRIPT.format(
            body=lua_string(target.body.decode()),
            key=API_KEY,
            expected_path=lua_string(str(tmp / "expected.body")),
        )
    )
    return script


def wrk_round(
    server: Server, target: Target, connections: int, seconds: float, script: Path
) -> Round:
    wrk = shutil.which("wrk")
    assert wrk is not None
    url = f"http://{HOST}:{server.port}{target.path}"
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


def add_run_arguments(parser: argparse.ArgumentParser, profile_requests: int) -> None:
    """The options every throughput benchmark takes, and the hidden ``--serve`` ones."""
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
        "--http",
        choices=("auto", "h11", "httptools"),
        default="auto",
        help="the HTTP stack of both servers: httptools on uvloop, h11 on asyncio, or auto, the "
        "first where it is installed (auto)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=profile_requests,
        metavar="N",
        help=f"instead of the run: cProfile N in-process requests to the fake "
        f"({profile_requests}), top 15",
    )
    add_serve_arguments(parser)


def choose_client(parser: argparse.ArgumentParser, client: str) -> str:
    if client == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not on PATH (apt-get install wrk)")
    return client


def bench_main(
    argv: list[str] | None,
    description: str,
    bare_app: Callable[[Path], Any],
    profile: Callable[[int], int],
    run: Callable[[argparse.Namespace, str, Path, list[Server]], int],
) -> int:
    """A throughput benchmark's command line: serve one server (``--serve``, how the run starts
    its servers), profile the fake in process (``--profile N``), or run the comparison."""
    parser = argparse.ArgumentParser(
        description=description,
        epilog="A default run takes about 45 s: 2 x (1 + rounds x seconds) plus start-up.",
    )
    add_run_arguments(parser, profile_requests=3000)
    args = parser.parse_args(argv)
    if args.serve:
        serve_from_arguments(args, bare_app)
        return 0
    if args.profile is not None:
        return profile(args.profile)
    client = choose_client(parser, args.client)
    return run_guarded(lambda tmp, servers: run(args, client, tmp, servers))


def run_guarded(run: Callable[[Path, list[Server]], int]) -> int:
    """``run(tmp, servers)`` with a temporary directory; the servers it starts are stopped
    however it ends."""
    # Ctrl-C raises KeyboardInterrupt even if the shell started us with SIGINT ignored, and
    # SIGTERM exits through the same finally: either way the servers are stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="gemini-bench-") as tmp:
        try:
            return run(Path(tmp), servers)
        except KeyboardInterrupt:
            print("\ninterrupted; servers stopped", file=sys.stderr)
            return 130
        finally:
            stop_servers(servers)


@dataclass
class Bench:
    """Both servers up and checked, and how to run one round against either."""

    fake: Server
    bare: Server
    client: str
    pinning: str
    seconds: float  # per measured round, as the client will run it
    run_round: Callable[[Server, float], Round]

    def total_seconds(self, rounds: int) -> float:
        """Roughly how long :meth:`measure` takes: warm-up plus the measured rounds."""
        return 2 * (1 + rounds * (self.seconds + (0.25 if self.client == "python" else 0)))

    def measure(self, rounds: int) -> list[Round]:
        """A discarded warm-up round each, then ``rounds`` each in ABBA order, printed."""
        for server in (self.fake, self.bare):
            self.run_round(server, 1.0)  # warm-up, discarded
        order = [self.fake, self.bare, self.bare, self.fake]
        done: list[Round] = []
        print("  round  server       req/s   server CPU  client CPU  errors")
        for i in range(2 * rounds):
            server = order[i % 4]
            r = self.run_round(server, self.seconds)
            done.append(r)
            label = "A fake" if server is self.fake else "B bare"
            print(
                f"  {i + 1:5d}  {label}  {r.rps:10.0f}  {pct(r.server_cpu):>10}  "
                f"{pct(r.client_cpu):>10}  {r.tally.errors:6d}",
                flush=True,
            )
        return done


def start_bench(
    args: argparse.Namespace,
    client: str,
    tmp: Path,
    servers: list[Server],
    script: str,
    target: Target,
    expected: Answer,
) -> Bench | str:
    """Start A and B (``script --serve``), check both answer ``expected``: a Bench, or why not.

    ``servers`` gets each server as it starts, so that the caller can stop them.
    """
    server_cpu, client_cpu, pinning = pick_cpus(not args.no_pin)
    capture = write_capture(expected, tmp / "answer.json")
    stack = stack_of(args)
    servers.append(start_server(script, "fake", None, server_cpu, stack))
    servers.append(start_server(script, "bare", capture, server_cpu, stack))
    fake, bare = servers
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})  # after the spawns: the servers pin themselves

    wire = {s.name: wait_ready(s, target) for s in servers}
    for name, got in wire.items():
        if got.status != 200 or got.body != expected.body:
            return f"the {name} server's answer over the socket differs from the expected one"
    if comparable(wire["fake"].headers) != comparable(wire["bare"].headers):
        return (
            "A and B send different headers:\n"
            f"  A: {comparable(wire['fake'].headers)}\n  B: {comparable(wire['bare'].headers)}"
        )

    lua = write_wrk_script(tmp, target, expected.body) if client == "wrk" else None

    def run_round(server: Server, seconds: float) -> Round:
        if lua is not None:
            return wrk_round(server, target, args.connections, seconds, lua)
        return asyncio.run(
            python_round(server, target, args.connections, 0.25, seconds, expected.body)
        )

    seconds = max(1, round(args.seconds)) if client == "wrk" else args.seconds
    return Bench(fake, bare, client, pinning, seconds, run_round)


@dataclass(frozen=True)
class Rate:
    """Something besides requests that a benchmark reports per second: ``per_request`` x rps."""

    unit: str
    per_request: float
    digits: int = 0


def report(rounds: list[Round], target: float, rates: Sequence[Rate] = ()) -> int:
    """The medians, the ratio A/B against ``target``, the per-request difference; exit status."""
    errors = sum(r.tally.errors for r in rounds)
    checked = errors + sum(r.tally.ok for r in rounds)
    a = [r.rps for r in rounds if r.server == "fake"]
    b = [r.rps for r in rounds if r.server == "bare"]
    rps_a, rps_b = statistics.median(a), statistics.median(b)
    ratio = rps_a / rps_b
    pairs = [x / y for x, y in zip(a, b, strict=True)]  # A and B rounds taken side by side
    extra_us = 1e6 / rps_a - 1e6 / rps_b
    verdict = "meets" if ratio >= target else "BELOW"

    def line(label: str, rps: float, n: int) -> str:
        text = f"  {label}  {rps:8.0f} req/s  ({1e6 / rps:5.0f} us/request)  median of {n}"
        if rates:
            text += "  " + ", ".join(
                f"{rps * rate.per_request:.{rate.digits}f} {rate.unit}" for rate in rates
            )
        return text

    print(
        f"\n{line('A (fake)', rps_a, len(a))}\n{line('B (bare)', rps_b, len(b))}\n"
        f"  ratio A/B {ratio:8.3f}   {verdict} the target {target} "
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


def asgi_scope(target: Target) -> dict[str, Any]:
    """The scope uvicorn would pass for ``target`` (copy it per call: apps write into it)."""
    path, _, query = target.path.partition("?")
    headers = [
        (b"host", f"{HOST}:8080".encode()),
        (b"x-goog-api-key", API_KEY.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(target.body)).encode()),
    ]
    return {
        "type": "http",
        # "2.3", as uvicorn's HTTP protocols say: it decides how Starlette streams answers.
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": (HOST, 50000),
        "server": (HOST, 8080),
        "state": {},
    }


class _Exchange:
    """``receive`` and ``send`` for one in-process request, with uvicorn's semantics: the body
    first, then (a streaming answer listens for the client going away) ``http.disconnect``
    once the answer is complete."""

    __slots__ = ("body", "read", "complete", "waiter", "record", "messages")

    def __init__(self, body: bytes, record: bool = False) -> None:
        self.body = body
        self.read = False
        self.complete = False
        self.waiter: asyncio.Event | None = None
        self.record = record
        self.messages: list[MutableMapping[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if not self.read:
            self.read = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        if not self.complete:
            self.waiter = asyncio.Event()
            await self.waiter.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if self.record:
            self.messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            self.complete = True
            if self.waiter is not None:
                self.waiter.set()


def time_in_process(
    target: Target, bare_app: Callable[[Path], Any], n: int
) -> tuple[Answer, Any, Any, float, float]:
    """The fake and B called in process, no socket, ``n`` times each after a warm-up: the
    fake's answer, the two apps, and each one's microseconds per request (``--profile``)."""
    from fake_server import FakeConfig, create_app

    expected = capture_in_process(target)
    with tempfile.TemporaryDirectory(prefix="gemini-bench-") as tmp:
        bare = bare_app(write_capture(expected, Path(tmp) / "answer.json"))
    fake = create_app(FakeConfig())
    for app in (fake, bare):
        asgi_calls(app, 200, target)  # warm-up
    us_fake = asgi_calls(fake, n, target) / n * 1e6
    us_bare = asgi_calls(bare, n, target) / n * 1e6
    return expected, fake, bare, us_fake, us_bare


def asgi_calls(app: Any, n: int, target: Target) -> float:
    """Seconds for ``n`` requests sent straight to ``app`` (no socket, no server)."""
    template = asgi_scope(target)

    async def loop() -> float:
        start = time.perf_counter()
        for _ in range(n):
            exchange = _Exchange(target.body)
            await app(dict(template, state={}), exchange.receive, exchange.send)
        return time.perf_counter() - start

    return asyncio.run(loop())


ProfileStats = dict[tuple[str, int, str], tuple[int, int, float, float, Any]]


def profile_calls(app: Any, n: int, target: Target) -> ProfileStats:
    """cProfile's raw stats for ``n`` in-process requests to ``app``."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    asgi_calls(app, n, target)
    profiler.disable()
    stats: ProfileStats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return stats


def print_profile(stats: ProfileStats, n: int, top: int = 15) -> None:
    """The fake's functions by cumulative time, then every function by own time."""
    total = sum(tt for _, _, tt, _, _ in stats.values())
    package = str(Path(sys.modules["fake_server"].__file__ or "").parent)
    for heading, column in (
        ("fake_server functions by cumulative time", 3),
        ("all functions by own time", 2),
    ):
        print(f"\n  top {top}, {heading:44.44s} calls/req  cum %   own %")
        rows = sorted(stats.items(), key=lambda item: item[1][column], reverse=True)
        shown = 0
        for (filename, line, func), (_, calls, tt, ct, _) in rows:
            if column == 3 and not filename.startswith(package):
                continue  # the fake's own functions, not the event loop's and Starlette's
            where = f"{func} ({short(filename)}:{line})"
            print(f"  {where:60.60s} {calls / n:6.1f}  {ct / total:6.1%}  {tt / total:6.1%}")
            shown += 1
            if shown == top:
                break


def short(filename: str) -> str:
    """``fake_server/tokens.py``, ``json/encoder.py``: the path from the package on."""
    roots = [*sys.path, str(Path(__file__).resolve().parents[1])]
    for root in sorted(roots, key=len, reverse=True):
        if root and filename.startswith(root.rstrip("/") + "/"):
            return filename[len(root.rstrip("/")) + 1 :]
    return filename
