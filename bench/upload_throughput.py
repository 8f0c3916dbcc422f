"""Upload throughput of the fake's resumable upload endpoint against a bare Starlette endpoint.

    python bench/upload_throughput.py [--mib 1024] [--rounds 2] [--modes single,chunks]
                                      [--cpus shared|split] [--keep-data]

What is measured
----------------
Three servers, each in its own process under uvicorn with the settings ``gemini-fake serve``
uses (one worker, 127.0.0.1, log level ``warning``, no ``server`` header, access log off):

A. the real fake, ``create_app(FakeConfig(data_dir=<a temporary directory>))``: a ``start``
   on ``POST /upload/v1beta/files``, then the bytes on the upload URL it returns; it streams
   them to ``sessions/<id>.part`` and computes their sha256 as they arrive (on a thread of its
   own when it may use a second CPU, reading back from the page cache what the event loop
   wrote; inline when it has one CPU), and on ``finalize`` waits for the hash to reach the end,
   moves the file into ``files/`` and answers the File;
B. a bare Starlette app on the same path that answers ``start`` with an upload URL and streams
   each chunk's body to a file on disk with the calls the fake makes (``request.stream()``,
   each piece written unbuffered at the end of the file), then on ``finalize`` moves it into
   place and answers its size. It checks no offsets and hashes nothing: the floor any
   Starlette endpoint pays to put the bytes on disk. (Appending through a buffered
   ``open(..., "ab")`` instead made B's system time triple after a few GiB on the development
   machine, a drifting floor.)
C. ``bare+sha256``, B also feeding every piece to sha256 as it arrives, on its one thread: the
   floor for a single-threaded server that must answer a ``sha256Hash``, as the Files API does.

One upload of ``--mib`` MiB (1 GiB by default) goes to each, two ways (``--modes``):
``single``, one ``upload, finalize`` request with the whole body, as the documented curl
command sends a file; and ``chunks``, 8 MiB requests on one keep-alive connection, the last
``upload, finalize``, exactly as both SDKs send a file (docs/evidence.md#sdk-upload-chunks). The
order is A B C C B A for each mode and round, after a discarded 64 MiB warm-up upload to each
server. The payload is made on the fly, 8 MiB at a time (random bytes, each block stamped with its
index), so neither the client nor anything else holds it whole; its sha256 is computed once
beforehand, and every answer's ``sizeBytes`` (and A's and C's ``sha256Hash``) is checked against it,
so a run that lost or changed a byte fails (exit status 1). Every upload is timed from the start
request to the final answer, so the fake's hash, finished at ``finalize``, is inside the time.

Reported: MB/s (10^6 bytes per second) per server and mode; the server's CPU time per second
of the upload (over 100 % when it ran on two CPUs at once) and everything else's on the
machine bar the client ("other CPU": other people's work, which skews that row); the ratios
A/B (target >= 0.7, with the spread of the A/B pairs taken side by side) and A/C per mode;
and each server's resident memory: before the upload, and the peak during it (VmRSS sampled
every 5 ms from /proc, and VmHWM). The target for the fake's peak is < 64 MiB: the bytes must
stream to disk, never be held whole.

How to read it: by default (``--cpus shared``) every server, and the client, may use every CPU
the benchmark has, the same set for each server, as on a developer's machine; ``--cpus split``
pins every server to one CPU and the client to another, which shows what a server does with
one CPU. B and C are single-threaded; the fake runs its event loop (receive, write) on one
thread and sha256 on another, and the two overlap because hashlib and the reads release the
GIL. The client's own work per byte (a ``sendall`` of an 8 MiB block) is small next to a
server's (uvicorn's h11 parser hands the body over in pieces of up to 256 KiB, each awaited by
the app, then written to the page cache), so the servers set the pace. Absolute MB/s depend
on the machine, its disk and page cache; the ratios carry better, and a run on a busy machine
(see "other CPU") says little. A benchmark prints figures, it is not a test: a ratio under the
target does not fail the run.

Not measured: several uploads at once, uploads resumed after a drop, ``query``/``cancel``,
multiple workers, TLS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(1, str(Path(__file__).parents[1]))  # the repository root, for conformance/
# noqa: E402 below: bench/ is not a package, its neighbours are found through sys.path.
from _harness import launch, stop_servers, uvicorn_stack  # noqa: E402
from _harness import serve as run_server  # noqa: E402

from conformance._uploads import (  # noqa: E402
    CHUNK,
    START,
    command_headers,
    planned_chunks,
    sha256_hash_of_hex,
    start_headers,
)
from fake_server.http import stacks  # noqa: E402

HOST = "127.0.0.1"
API_KEY = "bench-key"
BLOCK = CHUNK  # the SDKs' chunk size, and the client's unit of sending
START_PATH = START
MIME_TYPE = "application/pdf"  # ACTIVE at once: no processing delay in the File
KINDS = ("fake", "bare", "bare+sha256")
WARM_UP = 64 * 2**20
# Other processes' use of the machine, in CPUs: an upload starts once it is under QUIET (or
# after PATIENCE seconds), and one during which it passed BUSY is run again, up to TRIES times.
QUIET, BUSY, PATIENCE, TRIES = 0.1, 0.25, 60.0, 3


# --- the servers (child processes) ------------------------------------------------------------


def bare_app(data_dir: Path, hashed: bool = False) -> Any:
    """B: the protocol's minimum, with the body streamed to disk as the fake does; with
    ``hashed`` (C) it also feeds every piece to sha256, the one computation a File needs."""
    import itertools

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    ids = itertools.count()
    digests: dict[str, Any] = {}

    async def upload(request: Request) -> Response:
        command = request.headers.get("x-goog-upload-command", "")
        if command == "start":
            await request.body()
            upload_id = f"U{next(ids)}"
            (data_dir / f"{upload_id}.part").touch()
            host = request.headers["host"]
            url = f"http://{host}{START_PATH}?upload_id={upload_id}&upload_protocol=resumable"
            return Response(
                b"", headers={"x-goog-upload-url": url, "x-goog-upload-status": "active"}
            )
        upload_id = request.query_params["upload_id"]
        part = data_dir / f"{upload_id}.part"
        digest = digests.setdefault(upload_id, hashlib.sha256()) if hashed else None
        with part.open("r+b", buffering=0) as out:  # as the fake writes: unbuffered, at the end
            out.seek(0, os.SEEK_END)
            async for piece in request.stream():
                out.write(piece)
                if digest is not None:
                    digest.update(piece)
        if "finalize" not in command:
            return Response(b"", headers={"x-goog-upload-status": "active"})
        final = data_dir / f"{upload_id}.bin"
        os.replace(part, final)
        file = {"sizeBytes": str(final.stat().st_size)}
        if digest is not None:
            del digests[upload_id]
            file["sha256Hash"] = sha256_hash_of_hex(digest.hexdigest())
        body = json.dumps({"file": file}).encode()
        return Response(
            body, media_type="application/json", headers={"x-goog-upload-status": "final"}
        )

    return Starlette(routes=[Route(START_PATH, upload, methods=["POST"])])


def serve(kind: str, data_dir: Path, cpus: set[int] | None, parent: int, stack: str) -> None:
    """Run one server on the HTTP ``stack``; print its port once bound. Exits when the parent
    goes."""

    def make_app() -> Any:
        # glibc's malloc grows and trims its heap around every read of an upload (hundreds of
        # page faults per MiB, a third slower) until a 1 MiB block has been freed once; whether
        # a server starts in that state is luck. The fake frees one when its file store starts;
        # B and C get the same start here, so that none of the three is measured in it.
        bytearray(1 << 20)
        if kind == "fake":
            from fake_server import FakeConfig, create_app

            return create_app(FakeConfig(data_dir=data_dir, api_keys=frozenset({API_KEY})))
        return bare_app(data_dir, hashed=kind == "bare+sha256")

    options = uvicorn_stack("fake" if kind == "fake" else "bare", stack)
    run_server(make_app, cpus, parent, options)


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    data_dir: Path

    def status(self, field_name: str) -> int | None:
        """A /proc/<pid>/status field in bytes (VmRSS, VmHWM), or None where there is none."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def _stat(self) -> list[str] | None:
        """/proc/<pid>/stat's fields from the state on (field 3 of proc(5) is item 0)."""
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        return stat.rsplit(")", 1)[1].split()

    def cpu_seconds(self) -> float | None:
        fields = self._stat()
        if fields is None:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def page_faults(self) -> int | None:
        """Minor page faults so far: first touches of memory the process got from the OS."""
        fields = self._stat()
        return None if fields is None else int(fields[7])


def start_server(kind: str, data_dir: Path, cpus: set[int] | None, stack: str) -> Server:
    cmd = [sys.executable, __file__, "--serve", kind, "--data-dir", str(data_dir)]
    cmd += ["--parent", str(os.getpid()), "--http", stack]
    if cpus is not None:
        cmd += ["--serve-cpus", ",".join(map(str, sorted(cpus)))]
    proc, port = launch(cmd, kind)
    return Server(kind, proc, port, data_dir)


# --- the payload --------------------------------------------------------------------------------


class Payload:
    """``size`` bytes made 8 MiB at a time: one random block, each copy stamped with its index."""

    def __init__(self, size: int, seed: int = 7) -> None:
        import random

        self.size = size
        self._base = bytearray(random.Random(seed).randbytes(BLOCK))
        digest = hashlib.sha256()
        for block in self.blocks(0, size):
            digest.update(block)
        self.sha256_hex = digest.hexdigest()

    def blocks(self, start: int, end: int) -> Iterator[memoryview]:
        """The bytes ``[start, end)``, in pieces of at most one block (start block-aligned)."""
        assert start % BLOCK == 0
        index = start // BLOCK
        while start < end:
            self._base[:8] = index.to_bytes(8, "big")
            length = min(BLOCK, end - start)
            yield memoryview(self._base)[:length]
            start += length
            index += 1


# --- the client ---------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection, written and read by hand (no client library cost)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection((HOST, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def request(
        self,
        target: str,
        headers: dict[str, str],
        body: Iterator[memoryview] | bytes,
        length: int,
    ) -> tuple[int, dict[str, str], bytes]:
        head = f"POST {target} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {length}\r\n\r\n"
        if isinstance(body, bytes):
            self.sock.sendall(head.encode() + body)
        else:
            self.sock.sendall(head.encode())
            for piece in body:
                self.sock.sendall(piece)
        return self._response()

    def _read(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def _response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body


@dataclass
class Result:
    server: str
    mode: str
    seconds: float
    size: int
    rss_before: int | None
    rss_peak: int | None  # sampled VmRSS
    hwm: int | None  # VmHWM after the upload (since the process started)
    server_cpu: float | None  # CPU seconds per second during the upload (> 1: threads)
    other_cpu: float | None  # the same for everything else on the machine (not the client)
    faults: int | None  # the server's minor page faults during the upload
    errors: list[str] = field(default_factory=list)

    @property
    def mb_per_s(self) -> float:
        return self.size / self.seconds / 1e6

    @property
    def faults_per_mib(self) -> str:
        return "-" if self.faults is None else f"{self.faults / (self.size / 2**20):.0f}"


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def wait_for_quiet(servers: list[Server]) -> None:
    """Wait (up to PATIENCE seconds) until the rest of the machine uses under QUIET of a CPU."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        ours0 = own_cpu_seconds() + sum(s.cpu_seconds() or 0.0 for s in servers)
        machine0 = machine_busy_seconds()
        time.sleep(0.25)
        ours1 = own_cpu_seconds() + sum(s.cpu_seconds() or 0.0 for s in servers)
        machine1 = machine_busy_seconds()
        if machine0 is None or machine1 is None:
            return
        if (machine1 - machine0) - (ours1 - ours0) < QUIET * 0.25:
            return


class RssSampler(threading.Thread):
    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.peak = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.peak = max(self.peak, self.server.status("VmRSS") or 0)
            time.sleep(0.005)


def upload(server: Server, payload: Payload, mode: str) -> Result:
    """One whole upload: start, then the bytes (one request, or 8 MiB chunks), timed."""
    errors: list[str] = []
    rss_before = server.status("VmRSS")
    sampler = RssSampler(server)
    sampler.start()
    cpu0, own0, machine0 = server.cpu_seconds(), own_cpu_seconds(), machine_busy_seconds()
    faults0 = server.page_faults()
    began = time.perf_counter()
    conn = Connection(server.port)
    try:
        status, headers, _ = conn.request(
            START_PATH,
            {**start_headers(payload.size, MIME_TYPE, API_KEY), "Content-Type": "application/json"},
            b'{"file": {"display_name": "bench"}}',
            len(b'{"file": {"display_name": "bench"}}'),
        )
        if status != 200 or "x-goog-upload-url" not in headers:
            raise RuntimeError(f"start: {status} {headers}")
        target = headers["x-goog-upload-url"].split(f":{server.port}", 1)[1]
        step = payload.size if mode == "single" else BLOCK
        body = b""
        for command, offset, length in planned_chunks(payload.size, step):
            status, headers, body = conn.request(
                target,
                {
                    **command_headers(command, offset),
                    "Content-Type": "application/octet-stream",
                },
                payload.blocks(offset, offset + length),
                length,
            )
            expected = "final" if command.endswith("finalize") else "active"
            if status != 200 or headers.get("x-goog-upload-status") != expected:
                raise RuntimeError(f"chunk at {offset}: {status} {headers} {body[:200]!r}")
        elapsed = time.perf_counter() - began
    finally:
        conn.close()
        cpu1, own1, machine1 = server.cpu_seconds(), own_cpu_seconds(), machine_busy_seconds()
        faults1 = server.page_faults()
        sampler.stopping.set()
        sampler.join()
    file = json.loads(body)["file"]
    if file.get("sizeBytes") != str(payload.size):
        errors.append(f"{server.name}: sizeBytes {file.get('sizeBytes')} != {payload.size}")
    if server.name != "bare":
        expected_hash = sha256_hash_of_hex(payload.sha256_hex)
        if file.get("sha256Hash") != expected_hash:
            errors.append(f"{server.name}: sha256Hash {file.get('sha256Hash')} != {expected_hash}")
    server_cpu = None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) / elapsed
    other_cpu = None
    if server_cpu is not None and machine0 is not None and machine1 is not None:
        others = (machine1 - machine0) - (own1 - own0) - server_cpu * elapsed
        other_cpu = max(0.0, others / elapsed)
    return Result(
        server.name,
        mode,
        elapsed,
        payload.size,
        rss_before,
        max(sampler.peak, rss_before or 0) or None,
        server.status("VmHWM"),
        server_cpu,
        other_cpu,
        None if faults0 is None or faults1 is None else faults1 - faults0,
        errors,
    )


def clean(server: Server) -> None:
    """Remove what the upload left on disk (the fake's files and sessions, B's files)."""
    for path in server.data_dir.rglob("*"):
        if path.is_file() and path.suffix in (".bin", ".part", ".json"):
            path.unlink()


# --- the run --------------------------------------------------------------------------------------


def pick_cpus(layout: str) -> tuple[set[int] | None, set[int] | None, str]:
    """The client's CPUs, the servers' CPUs (the same for every server), and what they are."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None, "CPUs: as the OS schedules (no affinity control here)"
    cpus = sorted(os.sched_getaffinity(0))
    if layout == "shared" or len(cpus) < 2:
        listed = ",".join(map(str, cpus))
        return None, set(cpus), f"CPUs: every server and the client may use CPUs {listed}"
    return (
        {cpus[0]},
        {cpus[1]},
        f"CPUs: every server pinned to CPU {cpus[1]}, the client to CPU {cpus[0]}",
    )


def mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.1f}"


def share(cpu: float | None) -> str:
    return "-" if cpu is None else f"{cpu:.0%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--mib", type=int, default=1024, help="upload size in MiB (1024)")
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds per mode (2)")
    parser.add_argument(
        "--modes", default="single,chunks", help="single and/or chunks (both, comma-separated)"
    )
    parser.add_argument(
        "--cpus",
        choices=("shared", "split"),
        default="shared",
        help="shared: every server and the client may use every CPU (default); split: the "
        "servers pinned to one CPU, the client to another",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the data directories")
    parser.add_argument(
        "--http",
        choices=("auto", "h11", "httptools"),
        default="auto",
        help="the HTTP stack of every server: httptools on uvloop, h11 on asyncio, or auto, the "
        "first where it is installed (auto)",
    )
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--serve-cpus", help=argparse.SUPPRESS)
    parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        cpus = {int(c) for c in args.serve_cpus.split(",")} if args.serve_cpus else None
        serve(args.serve, args.data_dir, cpus, args.parent or os.getppid(), args.http)
        return 0

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not set(modes) <= {"single", "chunks"}:
        parser.error("--modes takes single and/or chunks")
    client_cpus, server_cpus, pinning = pick_cpus(args.cpus)
    if client_cpus is not None:
        os.sched_setaffinity(0, client_cpus)
    size = args.mib * 2**20
    stack = stacks.resolve(args.http)
    print(f"upload_throughput: {args.mib} MiB per upload; {stacks.describe(stack)}; {pinning}")
    print("payload: generating and hashing ...", end=" ", flush=True)
    payload = Payload(size)
    print(f"sha256 {payload.sha256_hex[:16]}...")
    root = Path(tempfile.mkdtemp(prefix="gemini-upload-bench-", dir=os.environ.get("TMPDIR")))
    servers: list[Server] = []
    results: list[Result] = []
    try:
        for kind in KINDS:
            (root / kind).mkdir()
            servers.append(start_server(kind, root / kind, server_cpus, stack))
        by_name = {s.name: s for s in servers}
        warm_up = Payload(min(WARM_UP, size))
        for server in servers:  # first writes to a new directory, first imports: not measured
            for mode in modes:
                upload(server, warm_up, mode)
                clean(server)
        print(
            f"{'mode':<8} {'server':<11} {'MB/s':>6} {'seconds':>8} {'server CPU':>10} "
            f"{'other CPU':>9} {'faults/MiB':>10} {'RSS before':>11} {'RSS peak':>9} "
            f"{'VmHWM':>7}  (MiB)"
        )
        for mode in modes:
            for _ in range(args.rounds):
                for name in (*KINDS, *reversed(KINDS)):
                    server = by_name[name]
                    for attempt in range(1, TRIES + 1):
                        wait_for_quiet(servers)
                        result = upload(server, payload, mode)
                        clean(server)
                        busy = (result.other_cpu or 0.0) > BUSY and attempt < TRIES
                        print(
                            f"{mode:<8} {name:<11} {result.mb_per_s:>6.0f} "
                            f"{result.seconds:>8.2f} {share(result.server_cpu):>10} "
                            f"{share(result.other_cpu):>9} {result.faults_per_mib:>10} "
                            f"{mib(result.rss_before):>11} "
                            f"{mib(result.rss_peak):>9} {mib(result.hwm):>7}"
                            + ("  (the machine was busy: not counted, again)" if busy else "")
                        )
                        if not busy or result.errors:
                            break
                    results.append(result)
                    for error in result.errors:
                        print(f"  ERROR {error}")
    finally:
        stop_servers(servers)
        if not args.keep_data:
            shutil.rmtree(root, ignore_errors=True)

    print()
    for mode in modes:
        runs = {
            name: [r.mb_per_s for r in results if r.mode == mode and r.server == name]
            for name in KINDS
        }
        rates = {name: statistics.median(runs[name]) for name in KINDS}
        # A and B uploads taken side by side (A B .. B A): how much the ratio moved.
        pairs = [a / b for a, b in zip(runs["fake"], runs["bare"], strict=True)]
        label = "one request" if mode == "single" else "8 MiB chunks"
        print(
            f"{label}: fake {rates['fake']:.0f} MB/s, bare {rates['bare']:.0f} MB/s, "
            f"ratio fake/bare {rates['fake'] / rates['bare']:.2f} (target >= 0.7; upload by "
            f"upload {min(pairs):.2f} .. {max(pairs):.2f}); "
            f"bare+sha256 {rates['bare+sha256']:.0f} MB/s, "
            f"fake/(bare+sha256) {rates['fake'] / rates['bare+sha256']:.2f}"
        )
    fake_peak = max((r.rss_peak or 0) for r in results if r.server == "fake")
    fake_before = min((r.rss_before or 0) for r in results if r.server == "fake")
    bare_peak = max((r.rss_peak or 0) for r in results if r.server == "bare")
    print(
        f"fake peak RSS during the uploads {mib(fake_peak)} MiB (target < 64 MiB; "
        f"{mib(fake_before)} MiB before the first; bare endpoint's peak {mib(bare_peak)} MiB)"
    )
    busiest = max((r.other_cpu or 0.0) for r in results)
    if busiest > BUSY:
        print(
            f"warning: other processes used up to {busiest:.0%} of a CPU during a counted "
            "upload (the other CPU column): those figures measure the machine's load too"
        )
    errors = [e for r in results for e in r.errors]
    if errors:
        print(f"{len(errors)} upload(s) came back wrong: the figures measure nothing")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
