"""The packages' shape: dependencies point down, never in a circle, and the pure parts of the
fake load no web framework (README.md#layout).

The import graph is read from the source (every ``import`` and ``from ... import``, inside
functions and ``if TYPE_CHECKING:`` blocks too: an import there is still a coupling), so a
violation fails here before anything runs. The purity rule is checked a second time in a fresh
interpreter, where a lazy import would show.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gemini_ref", "fake_server")
WEB = ("starlette", "anyio", "httpx", "uvicorn", "h11", "httptools", "uvloop")

# fake_server from the bottom up: a module may import its own layer's and lower layers' modules.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("fake_server.protocol", "fake_server.config"),  # the API's facts, the settings
    ("fake_server.store", "fake_server.journal", "fake_server.fixtures"),
    ("fake_server.model", "fake_server.control"),  # the stand-in for the model; fault rules
    (
        "fake_server.http.responses",
        "fake_server.http.memo",
        "fake_server.http.faults",
        "fake_server.http.intake",
        "fake_server.http.access",
        "fake_server.http.stacks",
    ),
    ("fake_server.state",),
    ("fake_server.http.adapter",),
    ("fake_server.api",),  # handlers and the route table
    ("fake_server.record", "fake_server.server", "fake_server.inprocess"),
    (
        "fake_server.cli",
        "fake_server.cli_args",
        "fake_server.announce",
        "fake_server.pytest_plugin",
        "fake_server",
    ),
)
# What must run without a web framework: the linter, the model, the fixtures, the store.
PURE = (
    "fake_server.protocol",
    "fake_server.config",
    "fake_server.store",
    "fake_server.journal",
    "fake_server.fixtures",
    "fake_server.model",
    "fake_server.control",
)
MAX_LINES = 400
SIZED = ("fake_server", "gemini_ref")
DATA_TABLE = "a data table"  # the first line of a module allowed to be longer says so


def modules() -> dict[str, Path]:
    """Every module of both packages by dotted name (a package by its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path) -> Iterator[str]:
    """The modules ``name`` imports: of this repository resolved to a module, others by name."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # `from pkg import module` names a module
                candidate = f"{base}.{alias.name}"
                yield candidate if candidate in known else base


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target in imports(name, path) if target != name}
        for name, path in known.items()
    }


def owner(module: str, prefixes: tuple[str, ...]) -> str | None:
    """The longest prefix in ``prefixes`` that ``module`` is, or lies under."""
    matches = [p for p in prefixes if module == p or module.startswith(p + ".")]
    return max(matches, key=len, default=None)


def layer_of(module: str) -> int:
    every = tuple(p for layer in LAYERS for p in layer)
    prefix = owner(module, every)
    assert prefix is not None, f"{module} is in no layer of LAYERS: add it where it belongs"
    return next(i for i, layer in enumerate(LAYERS) if prefix in layer)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_either_package_is_in_an_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_fakes_dependencies_point_down_the_layers() -> None:
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in graph().items()
        if module.startswith("fake_server")
        for target in targets
        if target.startswith("fake_server") and layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_the_pure_packages_import_no_web_framework_even_indirectly() -> None:
    edges = graph()
    for module in (m for m in edges if owner(m, PURE)):
        reached, todo = set(), [module]
        while todo:
            current = todo.pop()
            for target in edges.get(current, ()):
                if target.split(".")[0] in WEB:
                    pytest.fail(f"{module} reaches {target} through {current}")
                if target in edges and target not in reached:
                    reached.add(target)
                    todo.append(target)


def test_the_pure_packages_load_no_web_framework_in_a_fresh_interpreter() -> None:
    pure = sorted(m for m in modules() if owner(m, PURE)) + ["fake_server"]
    script = (
        "import importlib, sys\n"
        f"for name in {pure!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({WEB!r}))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_package_still_gives_create_app_and_fake_config() -> None:
    import fake_server

    assert fake_server.create_app(fake_server.FakeConfig()).state.fake.fixtures
    with pytest.raises(AttributeError):
        fake_server.nothing_here  # noqa: B018


def test_every_module_is_at_most_400_lines_unless_it_is_a_data_table() -> None:
    long = [
        f"{path.relative_to(ROOT)} ({lines} lines)"
        for name, path in modules().items()
        if name.startswith(SIZED)
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and DATA_TABLE not in path.read_text(encoding="utf-8").splitlines()[0]
    ]
    assert long == []


# What the fake answers over HTTP is written for any client, never as a Python value: a message
# quotes what it names as the service does ("...") instead of repr()'s '...' or None.
ANSWERING = ("api", "control", "http", "journal", "model", "protocol", "store")
REPR_ALLOWED = {
    "fake_server/http/stacks.py",  # a command-line error, raised before anything is served
    "fake_server/model/builtin_tools.py",  # writes Python source, the code execution tool's
}


def test_no_message_the_fake_answers_with_is_a_python_repr() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for layer in ANSWERING
        for path in sorted((ROOT / "fake_server" / layer).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in REPR_ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "!r}" in line or "repr(" in line
    ]
    assert not found, f"repr() in what the fake answers: {found}"
