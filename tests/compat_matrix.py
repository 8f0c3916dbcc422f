"""``make compat-matrix``: the compatibility tests against the newest official SDKs as well.

``make test`` drives the SDKs pinned in pyproject.toml and tests/js/package-lock.json. This
installs the newest release of each from the registries beside them (in ``.cache/matrix``, so
the pinned ones stay as they are), runs the compatibility and conformance suites against those,
and prints a line per SDK: pinned version, newest version, and the counts. A difference a new
release brings is fixed in the fake or marked ``xfail`` with its reason on that release, so a
new SDK cannot silently stop unrelated work from landing; the run fails on any failure.

    python tests/compat_matrix.py            # what `make compat-matrix` runs
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATRIX = ROOT / ".cache" / "matrix"
# Every test that drives an official SDK: the compatibility and conformance suites, and the
# fault, stub and record tests that use the Python SDK as an app would.
SUITES = [
    "tests/compat",
    "conformance",
    "tests/fake_server/test_faults.py",
    "tests/fake_server/test_stubs.py",
    "tests/fake_server/test_record.py",
    "tests/fake_server/test_record_uploads.py",
]


def run(*command: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    return done.stdout.strip()


def newest_python() -> tuple[Path, str]:
    """A virtualenv with the project and the newest google-genai; its python and that version."""
    venv = MATRIX / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        run(sys.executable, "-m", "venv", venv)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "-e", ".[test]")
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "google-genai")
    version = run(python, "-c", "from google.genai import version; print(version.__version__)")
    return python, version


def newest_js() -> tuple[Path, str]:
    """The JS drivers beside the newest @google/genai; their folder and that version."""
    folder = MATRIX / "js"
    folder.mkdir(parents=True, exist_ok=True)
    for driver in (ROOT / "tests" / "js").glob("*.mjs"):
        shutil.copy2(driver, folder / driver.name)
    shutil.copy2(ROOT / "tests" / "js" / "package.json", folder / "package.json")
    run(
        "npm",
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "@google/genai@latest",
        cwd=folder,
    )
    package = folder / "node_modules" / "@google" / "genai" / "package.json"
    return folder, str(json.loads(package.read_text())["version"])


def pinned() -> dict[str, str]:
    python = run(
        ROOT / ".venv" / "bin" / "python",
        "-c",
        "from google.genai import version; print(version.__version__)",
    )
    lock = json.loads((ROOT / "tests" / "js" / "package-lock.json").read_text())
    return {"python": python, "js": lock["packages"]["node_modules/@google/genai"]["version"]}


def counts(report: Path) -> dict[str, int]:
    """passed, failed, xfailed, skipped from a JUnit report."""
    found = {"passed": 0, "failed": 0, "xfailed": 0, "skipped": 0}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
        found[outcome] += 1
    return found


def main() -> int:
    MATRIX.mkdir(parents=True, exist_ok=True)
    python, python_version = newest_python()
    js_folder, js_version = newest_js()
    report = MATRIX / "report.xml"
    env = {**os.environ, "GEMINI_REF_JS_DIR": str(js_folder)}
    test = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *SUITES,
        ],
        cwd=ROOT,
        env=env,
    )
    found = counts(report)
    was = pinned()
    print()
    print("compat matrix (the newest SDKs; make test runs the pinned ones)")
    print(f"  google-genai (Python)  pinned {was['python']:<8} newest {python_version}")
    print(f"  @google/genai (JS)     pinned {was['js']:<8} newest {js_version}")
    print("  " + ", ".join(f"{n} {k}" for k, n in found.items()))
    return test.returncode


if __name__ == "__main__":
    sys.exit(main())
