"""A program that runs some of the guide's examples against one fake (node, the Go program, the
JVM), printing one JSON line per example: what every language's driver has in common."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_server.pytest_plugin import Fake


@dataclass
class DriverRun:
    """``<driver> <examples>`` running against one fake; :meth:`lines` waits for it."""

    examples: list[str]
    process: subprocess.Popen[str]

    def lines(self, timeout: float = 120) -> dict[str, dict[str, Any]]:
        """Each example's JSON line, once the driver has exited cleanly, in the order asked,
        with nothing on stderr but what :meth:`harmless` allows."""
        stdout, stderr = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, stderr
        complaints = [line for line in stderr.splitlines() if line.strip()]
        complaints = [line for line in complaints if not self.harmless(line)]
        assert not complaints, f"the SDK complained about the fake's answers: {stderr}"
        lines = [json.loads(line) for line in stdout.splitlines()]
        assert [line["example"] for line in lines] == self.examples
        return {line["example"]: line for line in lines}

    def harmless(self, line: str) -> bool:
        """Whether a line on stderr is the runtime's own, not the SDK's (none, by default)."""
        return False


def launch(
    command: list[str],
    fake: Fake,
    overriding: Iterable[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """``command`` started against ``fake`` in the guide's environment: this process's, less
    the ``overriding`` variables an SDK would prefer, with ``GOOGLE_GEMINI_BASE_URL`` and
    ``GEMINI_API_KEY`` set to the fake's, plus any ``env`` given."""
    dropped = set(overriding)
    child = {k: v for k, v in os.environ.items() if k not in dropped}
    child.update({k: fake.env[k] for k in ("GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY")})
    child.update(env or {})
    return subprocess.Popen(
        command, cwd=cwd, env=child, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
