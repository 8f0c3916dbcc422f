"""Choosing the target: ``GEMINI_CONFORMANCE_TARGET``, and the guard on the real service."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._target import (
    FAKE_KEY,
    Selection,
    Target,
    TargetError,
    is_google,
    select,
)

ROOT = Path(__file__).resolve().parents[1]
REAL = "https://generativelanguage.googleapis.com"


@pytest.mark.parametrize("value", ["", "both", "  both "])
def test_by_default_every_test_runs_in_process_and_on_a_socket(value: str) -> None:
    assert select({"GEMINI_CONFORMANCE_TARGET": value}) == Selection(("inprocess", "socket"))
    assert select({}).ids == ["inprocess", "socket"]


@pytest.mark.parametrize(
    ("value", "modes"), [("inprocess", ("inprocess",)), ("socket", ("socket",))]
)
def test_one_fake_mode_can_be_chosen(value: str, modes: tuple[str, ...]) -> None:
    assert select({"GEMINI_CONFORMANCE_TARGET": value}).modes == modes


def test_a_url_is_any_server_with_the_key_from_gemini_api_key() -> None:
    chosen = select({"GEMINI_CONFORMANCE_TARGET": "http://127.0.0.1:8080/", "GEMINI_API_KEY": "k"})

    assert chosen == Selection(("url",), url="http://127.0.0.1:8080", api_key="k")


def test_a_url_without_a_key_gets_one_any_fake_accepts() -> None:
    chosen = select({"GEMINI_CONFORMANCE_TARGET": "http://localhost:9000"})

    assert chosen.api_key == FAKE_KEY


@pytest.mark.parametrize("value", ["bogus", "ftp://example.com", "http://", "in process"])
def test_anything_else_is_refused_saying_what_would_do(value: str) -> None:
    with pytest.raises(TargetError, match="inprocess, socket, both, or the base URL"):
        select({"GEMINI_CONFORMANCE_TARGET": value})


@pytest.mark.parametrize(
    "url",
    [REAL, f"{REAL}/", "https://generativelanguage.googleapis.com:443", "https://googleapis.com"],
)
def test_the_real_service_is_refused_without_the_opt_in(url: str) -> None:
    assert is_google(url)
    with pytest.raises(TargetError, match="GEMINI_CONFORMANCE_REAL=1"):
        select({"GEMINI_CONFORMANCE_TARGET": url, "GEMINI_API_KEY": "real-key"})
    with pytest.raises(TargetError, match="GEMINI_CONFORMANCE_REAL=1"):
        select(
            {
                "GEMINI_CONFORMANCE_TARGET": url,
                "GEMINI_CONFORMANCE_REAL": "yes",
                "GEMINI_API_KEY": "k",
            }
        )


def test_the_real_service_with_the_opt_in_needs_a_key() -> None:
    env = {"GEMINI_CONFORMANCE_TARGET": REAL, "GEMINI_CONFORMANCE_REAL": "1"}

    with pytest.raises(TargetError, match="GEMINI_API_KEY"):
        select(env)
    assert select({**env, "GEMINI_API_KEY": "k"}) == Selection(("url",), url=REAL, api_key="k")


def test_a_host_that_only_looks_like_google_is_not_the_real_service() -> None:
    assert not is_google("https://googleapis.com.example.org")
    assert not is_google("http://127.0.0.1:8080")


def test_fake_controls_skip_the_test_on_a_url_target() -> None:
    target = Target("url", "http://127.0.0.1:9", FAKE_KEY)

    with pytest.raises(pytest.skip.Exception, match="fake's own controls"):
        target.fake  # noqa: B018
    with pytest.raises(pytest.skip.Exception, match="configured"):
        target.configure(strict=True)


def test_pytest_refuses_to_run_the_suite_against_the_real_service_by_accident() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMINI_CONFORMANCE")}
    env["GEMINI_CONFORMANCE_TARGET"] = REAL

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance/test_target.py", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 4, done.stdout + done.stderr
    assert "GEMINI_CONFORMANCE_REAL=1" in done.stdout + done.stderr
    assert " passed" not in done.stdout
