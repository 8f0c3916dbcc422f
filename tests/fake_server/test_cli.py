"""``gemini-fake serve``: one command, a banner that says what to set, a fake that answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fake_server.announce import banner
from fake_server.cli import build_parser, config_from
from fake_server.config import FakeConfig
from tests.kit.serving import command_line as cli
from tests.kit.serving import free_port


def start(*args: str, command: str = "serve") -> subprocess.Popen[str]:
    command_line = cli(command, *args)
    return subprocess.Popen(command_line, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_up(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the fake exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            httpx.get(base_url + "/__fake__/journal", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the fake did not come up")


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = start("--port", str(port), "--api-key", "k1")
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(base_url, process)
        yield base_url, process
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)


def test_serve_prints_the_variables_to_set_and_answers(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    base_url, process = served
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(7)]  # the banner is flushed before serving
    assert lines[0].strip() == f"gemini-fake listening on {base_url}"
    assert f"export GOOGLE_GEMINI_BASE_URL={base_url}\n" in [line.lstrip() for line in lines]
    assert "export GEMINI_API_KEY=k1\n" in [line.lstrip() for line in lines]
    response = httpx.post(
        base_url + "/v1beta/models/gemini-2.5-flash:generateContent",
        headers={"x-goog-api-key": "k1"},
        json={"contents": [{"parts": [{"text": "How does AI work?"}]}]},
    )
    assert response.status_code == 200
    assert (
        "server" in response.headers and response.headers["server"] == "scaffolding on HTTPServer2"
    )
    assert response.headers.get("transfer-encoding") == "chunked"
    refused = httpx.post(
        base_url + "/v1beta/models/gemini-2.5-flash:generateContent",
        headers={"x-goog-api-key": "other"},
        json={"contents": [{"parts": [{"text": "hi"}]}]},
    )
    assert refused.status_code == 400


def test_serve_binds_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert args.port == 8080


def test_options_become_the_config(tmp_path: Path) -> None:
    args = build_parser().parse_args(
        [
            "serve",
            "--fixtures",
            str(tmp_path),
            "--strict",
            "--api-key",
            "a",
            "--api-key",
            "b",
            "--no-default-fixtures",
            "--journal-limit",
            "0",
        ]
    )
    assert config_from(args) == FakeConfig(
        fixture_dirs=(tmp_path,),
        default_fixtures=False,
        strict=True,
        api_keys=frozenset({"a", "b"}),
        journal_limit=None,
    )


def test_banner_names_any_key_when_none_is_required() -> None:
    text = banner("127.0.0.1", 9000, FakeConfig(), [], shipped=10)
    assert "export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:9000" in text
    assert "export GEMINI_API_KEY=any-key" in text
    assert "  10 fixtures shipped with the package\n  lenient" in text


def test_a_broken_fixture_stops_the_fake_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text(
        json.dumps({"match": {"lastUserTxt": "x"}, "answer": {"text": "y"}})
    )
    process = start("--port", str(free_port()), "--fixtures", str(tmp_path))
    _, err = process.communicate(timeout=15)
    assert process.returncode == 2
    assert "broken.json: unknown match conditions ['lastUserTxt']" in err


def test_a_missing_fixture_directory_is_reported(tmp_path: Path) -> None:
    process = start("--port", str(free_port()), "--fixtures", str(tmp_path / "nope"))
    _, err = process.communicate(timeout=15)
    assert process.returncode == 2
    assert "does not exist" in err


def test_module_runs_without_the_console_script() -> None:
    result = subprocess.run(
        cli("--help"),
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert result.returncode == 0 and "serve" in result.stdout


def test_record_proxies_and_writes_a_fixture(tmp_path: Path) -> None:
    from fake_server import create_app
    from fake_server.server import ThreadedServer

    port = free_port()
    with ThreadedServer(create_app()) as upstream:
        process = start(
            "--upstream",
            upstream.base_url,
            "--fixtures",
            str(tmp_path / "rec"),
            "--port",
            str(port),
            command="record",
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_up(base_url, process)  # the journal call goes through to the upstream
            answer = httpx.post(
                f"{base_url}/v1beta/models/gemini-2.5-flash:generateContent",
                json={"contents": [{"parts": [{"text": "How does AI work?"}]}]},
                headers={"x-goog-api-key": "my-own-key"},
            )
        finally:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=10)
    assert answer.status_code == 200
    assert f"gemini-fake recording {upstream.base_url} on {base_url}" in out
    (written,) = (tmp_path / "rec").iterdir()
    assert written.name.startswith("how-does-ai-work-") and written.name in err
    assert "my-own-key" not in written.read_text()


def test_lint_checks_directories_and_says_so_in_its_exit_status(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "fake_server" / "fixtures" / "data"
    clean = subprocess.run(
        cli("lint", str(shipped)),
        capture_output=True,
        text=True,
    )
    assert clean.returncode == 0, clean.stdout
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "response": {
                    "candidates": [
                        {
                            "content": {"parts": [{"text": "x"}], "role": "model"},
                            "finishReason": "DONE",
                            "index": 0,
                        }
                    ]
                }
            }
        )
    )
    dirty = subprocess.run(
        cli("lint", str(tmp_path)),
        capture_output=True,
        text=True,
    )
    assert dirty.returncode == 1 and "DONE" in dirty.stdout
