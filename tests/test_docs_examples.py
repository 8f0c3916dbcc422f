"""The example files the docs show in full run as shown: docs/examples/gemini-fake-setup.mjs, the
JS test runners' global setup (docs/js-test-runners.md), driven by plain node as vitest or jest
would drive it."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from tests.kit import toolchains

ROOT = Path(__file__).resolve().parents[1]
SETUP = ROOT / "docs" / "examples" / "gemini-fake-setup.mjs"
PAGE = ROOT / "docs" / "js-test-runners.md"

# What a runner does with the file: call the default export, run tests, call what it returned.
RUNNER = """
const setupFile = await import(process.env.SETUP_URL);
if (setupFile.default !== setupFile.setup) throw new Error("default is not setup");
const teardown = await setupFile.default();
const base = process.env.GOOGLE_GEMINI_BASE_URL;
const answer = await fetch(`${base}/v1beta/models/gemini-2.5-flash:generateContent`, {
  method: "POST",
  headers: { "x-goog-api-key": process.env.GEMINI_API_KEY, "content-type": "application/json" },
  body: JSON.stringify({ contents: [{ parts: [{ text: "How does AI work?" }] }] }),
});
const { child, dir } = globalThis.__geminiFake;
await teardown();
const googleKey = process.env.GOOGLE_API_KEY ?? null;
console.log(JSON.stringify({ base, status: answer.status, code: child.exitCode, dir, googleKey }));
"""


def run_node(**env: str) -> subprocess.CompletedProcess[str]:
    toolchains.require("node")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(
        ["node", "--input-type=module", "-e", RUNNER],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": path, "SETUP_URL": SETUP.as_uri(), **env},
    )


def test_the_global_setup_starts_the_fake_sets_the_environment_and_stops_it() -> None:
    result = run_node(GOOGLE_API_KEY="a-real-key-that-must-not-win")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", seen["base"]) and seen["status"] == 200
    assert seen["googleKey"] is None  # it would win over GEMINI_API_KEY
    assert seen["code"] == 0  # stopped cleanly by the teardown
    assert not Path(seen["dir"]).exists()  # the port file's directory is gone
    host, port = seen["base"].removeprefix("http://").split(":")
    with socket.socket() as probe:
        assert probe.connect_ex((host, int(port))) != 0  # nothing listens there any more


def test_the_global_setup_fails_with_the_reason_when_the_fake_cannot_start() -> None:
    result = run_node(GEMINI_FAKE_COMMAND="false")  # starts, and exits with 1 at once
    assert result.returncode != 0
    assert "false exited with 1" in result.stderr


def test_the_page_shows_the_file_as_it_is() -> None:
    page = PAGE.read_text("utf-8")
    shown = page.split("<!-- not-run: docs/examples/gemini-fake-setup.mjs", 1)[1]
    block = shown.split("```js\n", 1)[1].split("```\n", 1)[0]
    assert block == SETUP.read_text("utf-8")


def test_the_ci_recipes_start_step_is_the_shell_sample_that_runs() -> None:
    page = PAGE.read_text("utf-8")
    workflow = page.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    step = workflow.split("      - name: Start the fake\n        run: |\n", 1)[1]
    script = [line.removeprefix(" " * 10) for line in step.split("\n      - ", 1)[0].splitlines()]
    sample = page.split("```sh\n", 1)[1].split("```\n", 1)[0].splitlines()
    assert sample[: len(script)] == script
