"""``make compat-matrix``: the compatibility tests against the newest official SDKs as well.

``make test`` drives the SDKs pinned in pyproject.toml, tests/js/package-lock.json,
tests/go/go.mod and tests/java/pom.xml. This installs the newest release of each from the
registries beside them (in ``.cache/matrix``, so the pinned ones stay as they are), runs the
compatibility and conformance suites against those, and prints a line per SDK: pinned version,
newest version, and the counts. A difference a new release brings is fixed in the fake or
marked ``xfail`` with its reason on that release, so a new SDK cannot silently stop unrelated
work from landing; the run fails on any failure.

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
# Every test that drives an official SDK: the compatibility suite (Python, JS, Go and Java) and
# conformance, and the fault, stub and record tests that use the Python SDK as an app would.
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
    shutil.copytree(  # the drivers, the Apps Script shim and its scripts
        ROOT / "tests" / "js",
        folder,
        ignore=shutil.ignore_patterns("node_modules", "package-lock.json"),
        dirs_exist_ok=True,
    )
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


def go_env() -> dict[str, str]:
    cache = ROOT / ".cache" / "go"
    return {
        **os.environ,
        "GOTOOLCHAIN": "local",
        "GOMODCACHE": str(cache / "mod"),
        "GOCACHE": str(cache / "build"),
        "GOFLAGS": "-modcacherw",
    }


def newest_go() -> tuple[Path, str] | None:
    """A copy of tests/go requiring the newest google.golang.org/genai; its folder and that
    version (None without Go)."""
    if shutil.which("go") is None:
        return None
    folder = MATRIX / "go"
    folder.mkdir(parents=True, exist_ok=True)
    source = ROOT / "tests" / "go"
    for path in [source / "go.mod", source / "go.sum", *sorted(source.glob("*.go"))]:
        shutil.copy2(path, folder / path.name)
    env = go_env()
    versions = run("go", "list", "-m", "-versions", "google.golang.org/genai", cwd=folder, env=env)
    version = versions.split()[-1]
    # `go get` only: the examples that import the SDK are written at build time, so `go mod
    # tidy` would drop it
    run("go", "get", f"google.golang.org/genai@{version}", cwd=folder, env=env)
    run("go", "mod", "download", cwd=folder, env=env)
    return folder, version.removeprefix("v")


MAVEN_METADATA = (
    "https://repo.maven.apache.org/maven2/com/google/genai/google-genai/maven-metadata.xml"
)


def newest_java() -> tuple[Path, str] | None:
    """The newest com.google.genai:google-genai resolved by Maven; the classpath file it wrote
    and that version (None without Maven)."""
    if shutil.which("mvn") is None:
        return None
    import httpx

    metadata = ElementTree.fromstring(httpx.get(MAVEN_METADATA, timeout=60).text)
    version = metadata.findtext("versioning/release") or ""
    target = MATRIX / "java" / "target"
    run(
        "mvn",
        "-q",
        "-B",
        "-Dstyle.color=never",
        f"-Dmaven.repo.local={ROOT / '.cache' / 'm2'}",
        "-f",
        "tests/java/pom.xml",
        f"-Dgenai.version={version}",
        f"-Dbuild.root={target}",
        "generate-resources",
    )
    return target / "classpath.txt", version


def pinned() -> dict[str, str]:
    python = run(
        ROOT / ".venv" / "bin" / "python",
        "-c",
        "from google.genai import version; print(version.__version__)",
    )
    lock = json.loads((ROOT / "tests" / "js" / "package-lock.json").read_text())
    go_mod = (ROOT / "tests" / "go" / "go.mod").read_text()
    go = go_mod.split("google.golang.org/genai v", 1)[1].split()[0]
    pom = ElementTree.parse(ROOT / "tests" / "java" / "pom.xml").getroot()
    java = (
        pom.findtext(
            "{http://maven.apache.org/POM/4.0.0}properties/"
            "{http://maven.apache.org/POM/4.0.0}genai.version"
        )
        or "?"
    )
    return {
        "python": python,
        "js": lock["packages"]["node_modules/@google/genai"]["version"],
        "go": go,
        "java": java,
    }


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
    go, java = newest_go(), newest_java()
    report = MATRIX / "report.xml"
    env = {**os.environ, "GEMINI_REF_JS_DIR": str(js_folder)}
    if go is not None:
        env["GEMINI_REF_GO_DIR"] = str(go[0])
    if java is not None:
        env["GEMINI_REF_JAVA_CLASSPATH"] = str(java[0])
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
    rows = [
        ("google-genai (Python)", was["python"], python_version),
        ("@google/genai (JS)", was["js"], js_version),
        ("google.golang.org/genai (Go)", was["go"], go[1] if go else "(no Go here: not run)"),
        (
            "com.google.genai:google-genai (Java)",
            was["java"],
            java[1] if java else "(no Maven here: not run)",
        ),
    ]
    for name, pin, newest in rows:
        print(f"  {name:<38} pinned {pin:<8} newest {newest}")
    print("  " + ", ".join(f"{n} {k}" for k, n in found.items()))
    return test.returncode


if __name__ == "__main__":
    sys.exit(main())
