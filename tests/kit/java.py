"""The guide's Java examples (``tests/java``), compiled once and run in one JVM against a fake.

Maven resolves the official Java SDK into ``.cache/m2`` and writes its classpath to
``CLASSPATH_FILE`` (``INSTALL``, which ``make test`` runs first); :func:`compile_examples`
compiles ``tests/java/src/main/java`` against it with ``javac`` into ``.cache/java/classes``,
once for each version of the sources and classpath, and :func:`start_java` runs ``GuideRun``
(tests/java/README.md), which prints one JSON line per example.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from fake_server.pytest_plugin import Fake
from tests.kit.drivers import DriverRun, launch
from tests.kit.toolchains import require

ROOT = Path(__file__).parents[2]
JAVA_DIR = ROOT / "tests" / "java"
SOURCES = JAVA_DIR / "src" / "main" / "java"
# What `make test` resolves from tests/java/pom.xml; `make compat-matrix` points
# GEMINI_REF_JAVA_CLASSPATH at the newest release's.
CLASSPATH_FILE = Path(
    os.environ.get("GEMINI_REF_JAVA_CLASSPATH")
    or ROOT / ".cache" / "java" / "target" / "classpath.txt"
)


def sdk_version() -> str:
    """The Java SDK's version on the classpath, e.g. ``2.6.0``."""
    found = re.search(r"google-genai-([0-9][^/\\]*?)\.jar", CLASSPATH_FILE.read_text())
    return found.group(1) if found else "?"


CLASSES = ROOT / ".cache" / "java" / "classes"
INSTALL = "mvn -q -B -Dmaven.repo.local=$PWD/.cache/m2 -f tests/java/pom.xml generate-resources"
# Every variable the Java SDK reads (ApiClient.defaultEnvironmentVariables in google-genai
# 2.6.0) but the two the guide sets: each would override them or send the SDK to Vertex AI.
JAVA_OVERRIDING_ENV = (
    "GOOGLE_API_KEY",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_GENAI_API_VERSION",
)


def require_java() -> None:
    """Skip (or fail, where toolchains are required) unless Java, Maven and the SDK are here."""
    missing = None
    if not CLASSPATH_FILE.is_file():
        missing = f"needs the Java SDK resolved by Maven: run `{INSTALL}` (make test does it)"
    require("java", "javac", "mvn", missing=missing)


def compile_examples() -> str:
    """Every class of ``tests/java`` compiled (or found compiled, from the same sources against
    the same classpath, in ``CLASSES``); the classpath that runs them."""
    classpath = CLASSPATH_FILE.read_text(encoding="utf-8").strip()
    sources = sorted(SOURCES.glob("*.java"))
    digest = hashlib.sha256(classpath.encode())
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    classes = CLASSES / digest.hexdigest()[:16]
    if not classes.is_dir():
        CLASSES.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=CLASSES, prefix="building-"))
        command = ["javac", "-encoding", "UTF-8", "--release", "17", "-d", str(building)]
        compiled = subprocess.run(
            [*command, "-cp", classpath, *map(str, sources)], capture_output=True, text=True
        )
        assert compiled.returncode == 0, f"javac failed:\n{compiled.stderr}"
        try:
            building.rename(classes)  # whole or not at all, should another session race
        except OSError:
            shutil.rmtree(building)
    return os.pathsep.join([str(classes), classpath])


class JavaRun(DriverRun):
    """``java GuideRun <examples>`` running against one fake."""


def start_java(
    fake: Fake, classpath: str, *examples: str, env: dict[str, str] | None = None
) -> JavaRun:
    """``java GuideRun <examples>`` against ``fake``, started now; ``.lines()`` waits for it.

    The child's environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``,
    without any variable the SDK would prefer to them, plus any ``env`` given.
    """
    command = ["java", "-cp", classpath, "GuideRun", *examples]
    process = launch(command, fake, JAVA_OVERRIDING_ENV, cwd=JAVA_DIR, env=env)
    return JavaRun(list(examples), process)
