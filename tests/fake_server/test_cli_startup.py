"""``gemini-fake serve`` starts honestly: it says where it listens only once it does, writes the
port it got to ``--port-file``, and a port or host it cannot use is one line and status 2."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import httpx
import pytest

from fake_server import create_app
from fake_server.announce import run
from fake_server.cli import main
from fake_server.server import listen
from tests.kit.serving import command_line, free_port, launch, processes, wait_for_file

__all__ = ["processes"]  # a fixture, used by name

SHIPPED = Path(__file__).parents[2] / "fake_server" / "fixtures" / "data"


def test_port_0_and_a_port_file_give_a_free_port_that_answers_at_once(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    port_file = tmp_path / "port"
    port_file.write_text("1\n")  # a stale file from an earlier run is not what gets read
    process = launch(processes, "serve", "--port", "0", "--port-file", str(port_file))
    text = wait_for_file(port_file, process, stale="1\n")
    port = int(text)
    assert text == f"{port}\n" and port != 0
    health = httpx.get(f"http://127.0.0.1:{port}/__fake__/health")  # no retry: it listens
    assert health.status_code == 200
    assert process.stdout is not None
    assert process.stdout.readline() == f"gemini-fake listening on http://127.0.0.1:{port}\n"
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)
    assert process.returncode == 0
    assert not port_file.exists()  # a clean stop takes its port away
    assert [p.name for p in tmp_path.iterdir()] == []  # and leaves no partial file


def test_the_port_file_and_the_banner_come_only_once_the_socket_accepts_connections(
    tmp_path: Path,
) -> None:
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    port_file = tmp_path / "port"
    seen = []

    def announce(announced: int) -> str:
        # Runs on the server's loop, which cannot accept now: a connection that succeeds
        # here was queued by a socket already listening.
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            seen.append((announced, port_file.read_text()))
        signal.raise_signal(signal.SIGINT)  # then stop, as Ctrl-C does
        return "announced"

    run(create_app(), sock, port_file, announce)  # returns once stopped
    assert seen == [(port, f"{port}\n")]
    assert not port_file.exists() and sock.fileno() == -1  # removed, and the socket closed


def test_the_banner_is_printed_only_once_the_socket_accepts_connections(
    processes: list[subprocess.Popen[str]],
) -> None:
    port = free_port()
    process = launch(processes, "serve", "--port", str(port))
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first == f"gemini-fake listening on http://127.0.0.1:{port}\n"
    assert httpx.get(f"http://127.0.0.1:{port}/__fake__/health").status_code == 200


def test_the_banner_says_where_the_fixtures_came_from(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    port_file = tmp_path / "port"
    process = launch(
        processes,
        "serve",
        *("--port", "0", "--port-file", str(port_file)),
        *("--fixtures", str(SHIPPED), "--fixtures", str(empty)),
        "--no-default-fixtures",
    )
    wait_for_file(port_file, process)
    assert process.stdout is not None
    lines = [process.stdout.readline().rstrip("\n") for _ in range(5)]
    shipped = len(list(SHIPPED.glob("*.json")))
    assert lines[1:] == [
        f"  {shipped} fixtures from {SHIPPED}",
        f"  0 fixtures from {empty}",
        f"  warning: {empty} holds no fixtures (no *.json files in it)",
        "  shipped fixtures off (--no-default-fixtures)",
    ]


def test_a_busy_port_is_one_line_on_stderr_and_status_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            command_line("serve", "--port", str(port)), capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2
    assert result.stdout == ""  # no banner for a fake that never listened
    assert result.stderr == (
        f"gemini-fake: cannot listen on 127.0.0.1:{port}: the port is in use (another "
        "gemini-fake?); pick another with --port, or --port 0 for a free one\n"
    )


def test_a_host_that_cannot_be_resolved_is_one_line_and_status_2() -> None:
    # "a..b" fails in the resolver's own checks (an empty label), without asking any DNS.
    result = subprocess.run(
        command_line("serve", "--host", "a..b", "--port", "0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("gemini-fake: cannot listen on 'a..b': not an address")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_not_a_host_is_named_in_the_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def unknown(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)  # as a resolver answers, offline
    assert main(["serve", "--host", "not-a-host", "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "gemini-fake: cannot listen on 'not-a-host': not an address, nor a name this machine "
        "resolves (Name or service not known); use an address such as 127.0.0.1, ::1 or "
        "0.0.0.0\n"
    )


def test_record_also_refuses_a_busy_port_with_status_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            command_line(
                "record",
                *("--upstream", "http://127.0.0.1:9", "--fixtures", str(tmp_path / "rec")),
                *("--port", str(port)),
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2 and "the port is in use" in result.stderr
    assert result.stdout == ""


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"gemini-fake {metadata.version('gemini-ref')}\n"


def test_python_dash_m_fake_server_is_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fake_server", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout == f"gemini-fake {metadata.version('gemini-ref')}\n"
