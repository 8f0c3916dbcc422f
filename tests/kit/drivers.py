"""A program that runs some of the guide's examples against one fake (node, the Go program, the
JVM), printing one JSON line per example: what every language's driver has in common."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any


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
