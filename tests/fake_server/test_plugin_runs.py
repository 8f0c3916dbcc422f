"""The plugin as a test suite meets it: a run of pytest on a small test file, in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fake_server.pytest_plugin import Fake

ASK = """
import httpx

def ask(fake, text):
    with fake.client(headers={"x-goog-api-key": "k"}) as client:
        return client.post(
            "/v1beta/models/gemini-2.5-flash:generateContent",
            json={"contents": [{"parts": [{"text": text}]}]},
        )
"""


def run_pytest(directory: Path, source: str) -> subprocess.CompletedProcess[str]:
    (directory / "test_app.py").write_text(ASK + source, "utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=120)


def test_a_strict_miss_the_app_swallowed_fails_the_test_at_teardown(tmp_path: Path) -> None:
    done = run_pytest(
        tmp_path,
        """
import pytest

@pytest.mark.gemini_fake(strict=True)
def test_swallows(gemini_fake):
    ask(gemini_fake, "An unrecorded question")  # the app ignores the 400

@pytest.mark.gemini_fake(strict=True, allow_misses=True)
def test_allowed(gemini_fake):
    ask(gemini_fake, "An unrecorded question")
""",
    )
    assert done.returncode == 1, done.stdout
    assert "2 passed, 1 error" in done.stdout  # test_swallows passes, then errs at teardown
    assert "ERROR test_app.py::test_swallows" in done.stdout
    assert "request(s) no fixture matched" in done.stdout
    assert "allow_misses=True" in done.stdout


def test_a_failed_tests_report_says_what_the_fake_received(tmp_path: Path) -> None:
    done = run_pytest(
        tmp_path,
        """
def test_fails(gemini_fake):
    ask(gemini_fake, "How does AI work?")
    assert False
""",
    )
    assert done.returncode == 1
    assert "gemini-fake received" in done.stdout
    assert "POST /v1beta/models/gemini-2.5-flash:generateContent -> 200" in done.stdout


def test_marker_fixture_directories_are_found_beside_the_test_file(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    (suite / "recorded").mkdir(parents=True)
    fixture = {"match": {"lastUserText": "Ping?"}, "answer": {"text": "Pong."}}
    (suite / "recorded" / "ping.json").write_text(json.dumps(fixture), "utf-8")
    (suite / "test_app.py").write_text(
        ASK
        + """
import pytest

@pytest.mark.gemini_fake(fixtures=["recorded"], strict=True)
def test_ping(gemini_fake):
    answered = ask(gemini_fake, "Ping?").json()
    assert answered["candidates"][0]["content"]["parts"][-1]["text"] == "Pong."
""",
        "utf-8",
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suite"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout  # run from the directory above the test file


@pytest.mark.gemini_fake(api_keys=["configured-key"])
def test_env_carries_the_configured_key_and_turns_off_what_would_send_an_sdk_elsewhere(
    gemini_fake: Fake,
) -> None:
    env = gemini_fake.env
    assert env["GEMINI_API_KEY"] == "configured-key"
    assert (env["GOOGLE_API_KEY"], env["GOOGLE_GENAI_USE_VERTEXAI"]) == ("", "false")
