"""What ``gemini-fake serve`` prints while it runs (a line per request on stderr, unless
``--quiet``), and ``gemini-fake journal`` reading a running fake from another process."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx

from tests.kit.serving import command_line, launch, processes, wait_for_file

__all__ = ["processes"]  # the fixture, used by name

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
BODY = {"contents": [{"parts": [{"text": "How does AI work?"}]}]}


def started(
    processes: list[subprocess.Popen[str]], tmp_path: Path, *options: str
) -> tuple[subprocess.Popen[str], str]:
    port_file = tmp_path / "port"
    process = launch(processes, "serve", "--port", "0", "--port-file", str(port_file), *options)
    return process, f"http://127.0.0.1:{int(wait_for_file(port_file, process))}"


def stopped(process: subprocess.Popen[str]) -> str:
    """What the process wrote on stderr, once stopped with Ctrl-C."""
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    return stderr


def test_serve_prints_a_line_per_request_on_stderr(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    process, base = started(processes, tmp_path)
    httpx.post(base + GENERATE, json=BODY, headers={"x-goog-api-key": "a-key"})
    httpx.post(base + "/v1beta/models/gemini-2.5-flash:predict?key=a-key", json=BODY)
    httpx.post(base + GENERATE, json=BODY)  # no key: refused
    rule = httpx.post(
        base + "/__fake__/faults",
        json={"match": {"rpc": "generateContent"}, "error": {"status": "UNAVAILABLE"}},
    ).json()["id"]
    httpx.post(base + GENERATE, json=BODY, headers={"x-goog-api-key": "a-key"})
    lines = stopped(process).splitlines()
    assert [line.split()[1:4] for line in lines] == [
        ["POST", GENERATE, "200"],
        ["POST", "/v1beta/models/gemini-2.5-flash:predict?key=REDACTED", "404"],
        ["POST", GENERATE, "403"],
        ["POST", GENERATE, "503"],
    ]  # the fake's own /__fake__ calls are not logged
    assert [line.split()[-1] for line in lines] == [
        "fixture:guide-how-does-ai-work",
        "error:NOT_FOUND",
        "error:PERMISSION_DENIED",
        f"fault:{rule}",
    ]
    assert "a-key" not in "".join(lines)


def test_quiet_and_log_level_warning_print_no_line_per_request(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    for options in (["--quiet"], ["--log-level", "warning"]):
        process, base = started(processes, tmp_path, *options)
        httpx.post(base + GENERATE, json=BODY, headers={"x-goog-api-key": "a-key"})
        assert stopped(process) == ""


def test_gemini_fake_journal_reads_a_running_fake(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    process, base = started(processes, tmp_path, "--quiet")
    httpx.post(base + GENERATE, json=BODY, headers={"x-goog-api-key": "a-key"})
    listed = subprocess.run(
        command_line("journal", "--url", base), capture_output=True, text=True, timeout=30
    )
    one = subprocess.run(
        command_line("journal", "--url", base, "--seq", "1"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    stopped(process)
    gone = subprocess.run(
        command_line("journal", "--url", base), capture_output=True, text=True, timeout=30
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[:5][0] == "1" and listed.stdout.split()[2:5] == [
        "POST",
        GENERATE,
        "200",
    ]
    assert json.loads(one.stdout)["sent"]["body"] == BODY
    assert gone.returncode == 1 and "cannot reach a fake at" in gone.stderr
