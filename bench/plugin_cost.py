"""What each pytest plugin fixture costs a test: set-up and teardown, in milliseconds.

    .venv/bin/python bench/plugin_cost.py              # 300 tests per fixture, best of 3
    .venv/bin/python bench/plugin_cost.py --tests 100  # quicker

Runs pytest on a generated file of ``--tests`` trivial tests, once per fixture
(``gemini_fake``, ``gemini_fake_server``) and once with no fixture of the plugin's; the
difference per test, best of ``--rounds``, is what the fixture's set-up and teardown cost (a
test's own requests are not counted: an ``httpx.Client`` alone takes about 15 ms to make, for
its TLS context, so a suite should make one and reuse it). The target is at most 5 ms a test.
A benchmark prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """
import httpx
import pytest

@pytest.mark.parametrize("n", range({tests}))
def test_one(n, {fixture}):
    {body}
"""
BODIES = {
    "none": ("request", "assert request.node.name"),
    "gemini_fake": ("gemini_fake", "assert gemini_fake.journal.entries == []"),
    "gemini_fake_server": ("gemini_fake_server", "assert gemini_fake_server.base_url"),
}
TARGET_MS = 5.0


def seconds(directory: Path, name: str, tests: int) -> float:
    fixture, body = BODIES[name]
    path = directory / f"test_{name}.py"
    path.write_text(TEMPLATE.format(tests=tests, fixture=fixture, body=body), "utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=directory)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{name}: pytest failed\n{done.stdout[-2000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plugin-cost-") as scratch:
        directory = Path(scratch)
        best = {
            name: min(seconds(directory, name, args.tests) for _ in range(args.rounds))
            for name in BODIES
        }
    base = best["none"]
    print(f"{args.tests} tests a run, best of {args.rounds}; no fixture: {base:.2f} s")
    for name in ("gemini_fake", "gemini_fake_server"):
        per_test = (best[name] - base) / args.tests * 1000
        verdict = "meets" if per_test <= TARGET_MS else "ABOVE"
        print(f"  {name:<20} {per_test:6.2f} ms a test ({verdict} the target {TARGET_MS:g} ms)")


if __name__ == "__main__":
    main()
