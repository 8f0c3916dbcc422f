"""The JS SDK drivers of ``tests/js`` (tests/js/README.md), run with node against a fake."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fake_server.pytest_plugin import Fake

from . import toolchains
from .drivers import DriverRun, launch

# The drivers and the SDK they import: tests/js, pinned; `make compat-matrix` points
# GEMINI_REF_JS_DIR at a copy of the drivers beside the newest SDK.
JS_DIR = Path(os.environ.get("GEMINI_REF_JS_DIR") or Path(__file__).parents[1] / "js")
JS_SDK = JS_DIR / "node_modules" / "@google" / "genai"
JS_OVERRIDING_ENV = ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_ENTERPRISE")


def _sdk_version() -> str:
    try:
        return str(json.loads((JS_SDK / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "0"


JS_SDK_VERSION = _sdk_version()
# The API version the SDK calls when not told: v1beta up to 2.x, v1 from 3.0 (its
# GOOGLE_AI_API_DEFAULT_VERSION).
JS_API = (
    "v1"
    if JS_SDK_VERSION.split(".")[0].isdigit() and int(JS_SDK_VERSION.split(".")[0]) >= 3
    else "v1beta"
)


def require_node() -> None:
    """Skip the calling test without node or the JS SDK (fail under CI's
    ``GEMINI_REF_REQUIRE_TOOLCHAINS``: tests.kit.toolchains)."""
    toolchains.require(
        "node",
        missing=None
        if JS_SDK.is_dir()
        else f"needs the JS SDK in {JS_DIR}/node_modules: run `cd tests/js && npm ci` "
        "(make test does it first)",
    )


class NodeRun(DriverRun):
    """``node <driver> <examples>`` running against one fake (tests/js/README.md). The SDK
    writes its warnings (e.g. "there are non-text parts in the response") on stderr: any fails
    the run; node's own notices do not."""

    def lines(self, timeout: float = 60) -> dict[str, dict[str, Any]]:
        return super().lines(timeout)

    def harmless(self, line: str) -> bool:
        return "ExperimentalWarning" in line or "--trace-" in line


def start_node(
    fake: Fake, *examples: str, script: str = "guide.mjs", env: dict[str, str] | None = None
) -> NodeRun:
    """``node <script> <examples>`` against ``fake``, started now; ``.lines()`` waits for it.

    The child's environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``,
    without the variables that would override them, plus any ``env`` given.
    """
    require_node()
    process = launch(["node", script, *examples], fake, JS_OVERRIDING_ENV, cwd=JS_DIR, env=env)
    return NodeRun(list(examples), process)
