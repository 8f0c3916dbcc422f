"""The JS SDK drivers of ``tests/js`` (tests/js/README.md), run with node against a fake."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_server.pytest_plugin import Fake

JS_DIR = Path(__file__).parents[1] / "js"
JS_SDK = JS_DIR / "node_modules" / "@google" / "genai"
JS_OVERRIDING_ENV = ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_ENTERPRISE")


def node_available() -> bool:
    return shutil.which("node") is not None and JS_SDK.is_dir()


@dataclass
class NodeRun:
    """``node <driver> <examples>`` running against one fake (tests/js/README.md)."""

    examples: list[str]
    process: subprocess.Popen[str]

    def lines(self, timeout: float = 60) -> dict[str, dict[str, Any]]:
        """Each example's JSON line, once node has exited; the SDK must not have complained."""
        stdout, stderr = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, stderr
        # The SDK writes its warnings (e.g. "there are non-text parts in the response") here.
        warnings = [
            line
            for line in stderr.splitlines()
            if line.strip() and "ExperimentalWarning" not in line and "--trace-" not in line
        ]
        assert not warnings, f"the SDK complained about the fake's answers: {stderr}"
        lines = [json.loads(line) for line in stdout.splitlines()]
        assert [line["example"] for line in lines] == self.examples
        return {line["example"]: line for line in lines}


def start_node(
    fake: Fake, *examples: str, script: str = "guide.mjs", env: dict[str, str] | None = None
) -> NodeRun:
    """``node <script> <examples>`` against ``fake``, started now; ``.lines()`` waits for it.

    The child's environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``,
    without the variables that would override them, plus any ``env`` given.
    """
    child = {k: v for k, v in os.environ.items() if k not in JS_OVERRIDING_ENV}
    child.update(fake.env)
    child.update(env or {})
    process = subprocess.Popen(
        ["node", script, *examples],
        cwd=JS_DIR,
        env=child,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return NodeRun(list(examples), process)
