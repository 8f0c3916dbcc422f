"""The guide's Go examples, held verbatim, and the one program that runs them all.

``tests/kit/go_examples.py`` holds each "### Go" block of the guide as printed, not one
character changed; ``tests/compat/test_go_sdk.py`` checks the copies
against the guide when it is around. As printed they do not compile, so :func:`build` makes of
each what a reader makes of it (tests/go/README.md):

* the two blocks that are fragments (no ``package main``) get the guide's own opening: the
  imports and the ``ctx``/``client`` lines every complete block starts with (``FRAGMENT``);
* one block does not compile for two more reasons (``REPAIRS``): it misses a comma (Go needs
  one after an argument that ends its line inside a call's parentheses) and gives
  ``ThinkingBudget`` an ``int32`` where every version of the SDK takes a ``*int32``;
* ``goimports`` (golang.org/x/tools, pinned in tests/go/go.mod) fixes the imports: it drops
  ``"os"`` where unused and adds ``"log"``, which every block uses without importing;
* the paths: each names a file made by the test (``asset("organ.jpg")``), the image URL a
  loopback server over those files (``assetURL("instrument.jpg")``);
* ``func main()`` becomes a named function, so one program (``tests/go/driver.go``) runs them.

:func:`build` compiles that program once and keeps it under ``.cache/go/guide/``, named by a
hash of everything that goes into it; :func:`start_go` runs it against a fake.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fake_server.pytest_plugin import Fake
from tests.kit.drivers import DriverRun, launch
from tests.kit.go_examples import EXAMPLES, FRAGMENT, REPAIRS
from tests.kit.toolchains import GO_CACHE as CACHE
from tests.kit.toolchains import go_env

ROOT = Path(__file__).parents[2]
# The module that pins the SDK: tests/go; `make compat-matrix` points GEMINI_REF_GO_DIR at a
# copy of it requiring the newest release.
GO_DIR = Path(os.environ.get("GEMINI_REF_GO_DIR") or ROOT / "tests" / "go")


def sdk_version() -> str:
    """The Go SDK's version the module requires, e.g. ``1.79.1``."""
    found = re.search(r"google\.golang\.org/genai v([0-9][^\s]*)", (GO_DIR / "go.mod").read_text())
    return found.group(1) if found else "?"


# What would send the SDK elsewhere than GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL say
# (google.golang.org/genai client.go: GOOGLE_API_KEY wins over GEMINI_API_KEY).
GO_OVERRIDING_ENV = (
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_GENAI_API_VERSION",
)


def function_name(name: str) -> str:
    """The Go name of an example's func main: ``chat_streaming`` -> ``exampleChatStreaming``."""
    return "example" + "".join(word.title() for word in name.split("_"))


def prepared(name: str) -> str:
    """Example ``name`` as a reader would paste it, but for its imports (goimports does them):
    a whole program, repaired, its paths the test's files, its main renamed and registered."""
    example = EXAMPLES[name]
    code = example.text
    if not code.startswith("package main"):
        head, tail = FRAGMENT
        code = head + "".join(
            f"  {line}" if line.strip() else line for line in code.splitlines(True)
        )
        code += tail
    for printed, fixed in REPAIRS.get(name, []):
        assert code.count(printed) == 1, (name, printed)
        code = code.replace(printed, fixed)
    for path, file in example.paths.items():
        helper = "assetURL" if path.startswith("https://") else "asset"
        assert code.count(f'"{path}"') == 1, (name, path)
        code = code.replace(f'"{path}"', f'{helper}("{file}")')
    assert code.count("func main() {") == 1, name
    code = code.replace("func main() {", f"func {function_name(name)}() {{")
    return code + f'\nfunc init() {{ examples["{name}"] = {function_name(name)} }}\n'


def imports(source: str) -> set[str]:
    """The import paths of a Go file (its one parenthesised import block)."""
    block = re.search(r"^import \((.*?)^\)", source, re.S | re.M)
    assert block is not None, source
    return set(re.findall(r'"([^"]+)"', block.group(1)))


def without_imports(source: str) -> str:
    return re.sub(r"^import \(.*?^\)\n", "", source, count=1, flags=re.S | re.M)


def missing_modules() -> str | None:
    """Why the program cannot be built offline, if it cannot: the SDK or goimports, at the
    versions tests/go/go.mod pins, not in the module cache."""
    pinned = re.findall(
        r"^\s*(?:require\s+)?(google\.golang\.org/genai|golang\.org/x/tools) (v\S+)",
        (GO_DIR / "go.mod").read_text("utf-8"),
        re.M,
    )
    absent = [f"{m}@{v}" for m, v in pinned if not (CACHE / "mod" / f"{m}@{v}").is_dir()]
    if len(pinned) == 2 and not absent:
        return None
    return (
        f"needs {', '.join(absent) or 'the modules of tests/go/go.mod'} in .cache/go/mod: run"
        " `GOMODCACHE=$PWD/.cache/go/mod go mod download -C tests/go` (make test does it)"
    )


def go(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["go", *args], cwd=cwd, env=go_env(), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"go {' '.join(args)}:\n{done.stderr}"
    return done.stdout


def gofmt(source: str) -> str:
    done = subprocess.run(
        ["gofmt"], input=source, env=go_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass(frozen=True)
class Build:
    """The compiled program and the source it was compiled from (one file per example)."""

    binary: Path
    source: Path

    def example_file(self, name: str) -> str:
        return (self.source / f"example_{name}.go").read_text("utf-8")


def build() -> Build:
    """The program that runs every example, compiled unless the cache has it already."""
    # the driver, and the examples beyond the guide written for it (features.go)
    names = ["go.mod", "go.sum", *sorted(p.name for p in GO_DIR.glob("*.go"))]
    module = {name: (GO_DIR / name).read_bytes() for name in names}
    files = {f"example_{name}.go": prepared(name).encode() for name in EXAMPLES}
    digest = hashlib.sha256()
    for name, data in sorted({**module, **files}.items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    home = CACHE / "guide" / digest.hexdigest()[:16]
    if not (home / "guide").is_file():
        # Built aside, then renamed into place whole: a run that stops halfway, or two at
        # once, leave no half-built program under that name.
        (CACHE / "guide").mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"{home.name}.", dir=CACHE / "guide"))
        (work / "src").mkdir()
        for name, data in {**module, **files}.items():
            (work / "src" / name).write_bytes(data)
        go("tool", "goimports", "-w", *files, cwd=work / "src")
        go("build", "-o", str(work / "guide"), ".", cwd=work / "src")
        if not (home / "guide").is_file():
            shutil.rmtree(home, ignore_errors=True)  # what a run before this one left
        try:
            work.rename(home)
        except OSError:  # another run put it there first
            shutil.rmtree(work, ignore_errors=True)
    return Build(home / "guide", home / "src")


class GoRun(DriverRun):
    """The program running some examples against one fake."""


def start_go(binary: Path, fake: Fake, assets: Path, *examples: str) -> GoRun:
    """The program running ``examples`` against ``fake``, their files in ``assets``; the
    environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``, without
    what would override them."""
    assets_env = {"GUIDE_ASSETS": str(assets)}
    process = launch([str(binary), *examples], fake, GO_OVERRIDING_ENV, env=assets_env)
    return GoRun(list(examples), process)
