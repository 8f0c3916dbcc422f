"""The other languages' toolchains: a test that needs one skips without it, saying what to
install, unless ``GEMINI_REF_REQUIRE_TOOLCHAINS`` is set (``.ci/run`` sets it), when the
missing toolchain fails the test instead: CI proves every language's tests, a laptop without Go
still runs the rest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REQUIRED = "GEMINI_REF_REQUIRE_TOOLCHAINS"
# Where the go command keeps what it downloads and builds: inside the project, ignored by git.
GO_CACHE = Path(__file__).parents[2] / ".cache" / "go"
INSTALL = {
    "node": "Node.js 20 or newer (Debian: apt-get install nodejs npm), then `make test`",
    "npm": "Node.js 20 or newer (Debian: apt-get install nodejs npm), then `make test`",
    "go": "Go 1.26 or newer (https://go.dev/dl/), then `make test`",
    "gofmt": "Go 1.26 or newer (https://go.dev/dl/), then `make test`",
    "java": "a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)",
    "mvn": "Maven 3.8 or newer (Debian: apt-get install maven), then `make test`",
    "curl": "curl (Debian: apt-get install curl)",
    "jq": "jq (Debian: apt-get install jq)",
    "file": "file (Debian: apt-get install file)",
    "chromium": "Chromium and its driver (Debian: apt-get install chromium chromium-driver)",
    "chromedriver": "Chromium and its driver (Debian: apt-get install chromium chromium-driver)",
}


def require(*commands: str, missing: str | None = None) -> None:
    """Skip (or, under ``GEMINI_REF_REQUIRE_TOOLCHAINS``, fail) the calling test unless every
    command is on PATH; ``missing`` is a reason of the caller's own (e.g. packages not
    installed), checked after the commands."""
    absent = [command for command in commands if shutil.which(command) is None]
    if absent:
        wanted = "; ".join(dict.fromkeys(INSTALL.get(c, c) for c in absent))
        reason = f"needs {', '.join(absent)}: install {wanted}"
    elif missing is not None:
        reason = missing
    else:
        return
    if os.environ.get(REQUIRED):
        pytest.fail(f"{reason} ({REQUIRED} is set: CI runs every language's tests)")
    pytest.skip(reason)


def go_env() -> dict[str, str]:
    """The go command's environment: the local toolchain, and every download and build
    cache inside the project's ignored ``.cache/go``."""
    return {
        **os.environ,
        "GOTOOLCHAIN": "local",
        "GOMODCACHE": str(GO_CACHE / "mod"),
        "GOCACHE": str(GO_CACHE / "build"),
        "GOFLAGS": "-modcacherw",
        # The tests build from the cache only: `make test` downloads first (tests/go/README.md).
        "GOPROXY": "off",
    }
