"""A test needing another language's toolchain skips without it, saying what to install, and
fails instead when CI asks for every language (``GEMINI_REF_REQUIRE_TOOLCHAINS``)."""

from __future__ import annotations

import pytest

from tests.kit import toolchains


def test_a_missing_command_skips_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(toolchains.REQUIRED, raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.skip.Exception, match=r"needs go: install Go 1\.26"):
        toolchains.require("go")


def test_under_ci_a_missing_command_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(toolchains.REQUIRED, "1")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.fail.Exception, match="needs java, mvn: install a JDK 17"):
        toolchains.require("java", "mvn")


def test_a_reason_of_the_callers_own_counts_once_the_commands_are_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(toolchains.REQUIRED, raising=False)
    toolchains.require("sh")  # there: nothing happens
    with pytest.raises(pytest.skip.Exception, match="packages not installed"):
        toolchains.require("sh", missing="packages not installed")
