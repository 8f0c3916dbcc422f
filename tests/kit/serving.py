"""``gemini-fake serve`` in a process of its own, on a free loopback port, for the tests and
benchmarks that need the real command (signals, memory, a long fuzz run)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import coverage
import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command_line(*args: str) -> list[str]:
    """``gemini-fake ARGS`` run by this Python. When this run measures coverage (``make
    test``), so does the child: ``serve`` and ``record`` run only there."""
    if coverage.Coverage.current() is None:
        return [sys.executable, "-m", "fake_server.cli", *args]
    return [sys.executable, "-m", "coverage", "run", "-m", "fake_server.cli", *args]


def serve(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    """``gemini-fake serve ARGS`` started, and its base URL once it answers its health check."""
    port = free_port()
    command = [sys.executable, "-m", "fake_server.cli", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/__fake__/health").status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("gemini-fake serve did not start")


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Started processes, interrupted (and reaped) at the end of the test."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=10)


def launch(processes: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        command_line(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    processes.append(process)
    return process


def wait_for_file(path: Path, process: subprocess.Popen[str], stale: str = "") -> str:
    """What ``path`` holds once it holds something other than ``stale``."""
    deadline = time.monotonic() + 20
    while (text := path.read_text() if path.exists() else "") in ("", stale):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "no port file"
        time.sleep(0.02)
    return text
