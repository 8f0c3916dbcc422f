"""Reading and writing the language-neutral vectors in ``conformance/vectors/``.

Every file is one JSON object whose first three keys are its header (conformance/README.md,
"For a port: the vectors"):

* ``format``: the integer ``1``, the version of this layout;
* ``description``: a list of strings, what the file pins and what every field means;
* ``pins``: a list of ``path#anchor`` strings, repository-relative, naming the doc sections
  whose rules the cases pin; each page must exist and have a heading with that anchor.

The sections follow, by name: lists of cases, or parameters such as ``tile_tokens``. A reader
ignores the header and reads the sections it knows. :func:`load` refuses a file whose header
is missing or wrong, or whose pins are dead, so no test reads such a file. :func:`render` writes
one case per line, so a file reads, and diffs, as a table.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent / "vectors"
ROOT = VECTORS.parents[1]
FORMAT = 1
HEADER = ("format", "description", "pins")


class VectorFileError(ValueError):
    """A vector file whose header is missing or wrong."""


def header(description: list[str], pins: list[str]) -> dict[str, Any]:
    """The three header keys, in order, for a generated file."""
    return {"format": FORMAT, "description": description, "pins": pins}


@cache
def _docs_check() -> ModuleType:
    """docs/_tools/check.py, whose ``anchors`` gives the anchors of a page as GitHub makes them."""
    path = ROOT / "docs" / "_tools" / "check.py"
    spec = importlib.util.spec_from_file_location("conformance_docs_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@cache
def anchors(page: Path) -> frozenset[str]:
    return frozenset(_docs_check().anchors(page))


def pin_problem(pin: Any, root: Path = ROOT) -> str | None:
    """What is wrong with one pin (``docs/page.md#anchor``), or ``None``."""
    if not isinstance(pin, str) or pin.count("#") != 1:
        return f"pin {pin!r} is not a string path#anchor"
    path, anchor = pin.split("#")
    page = (root / path).resolve()
    if not path.endswith(".md") or not page.is_relative_to(root.resolve()) or not page.is_file():
        return f"pin {pin!r}: no page {path} in the repository"
    if anchor not in anchors(page):
        return f"pin {pin!r}: {path} has no heading with the anchor #{anchor}"
    return None


def header_problems(document: Any, root: Path = ROOT) -> list[str]:
    """Everything wrong with a file's header; empty when it is right."""
    if not isinstance(document, dict):
        return ["the file is not one JSON object"]
    problems = []
    if list(document)[:3] != list(HEADER):
        problems.append(f"the first keys are {list(document)[:3]}, not {list(HEADER)}")
    version = document.get("format")
    if type(version) is not int or version != FORMAT:
        problems.append(f"format is {version!r}, not the integer {FORMAT}")
    description = document.get("description")
    if not isinstance(description, list) or not description:
        problems.append("description is not a non-empty list of strings")
    elif not all(isinstance(line, str) and line for line in description):
        problems.append("description has a line that is not a non-empty string")
    pins = document.get("pins")
    if not isinstance(pins, list) or not pins:
        problems.append("pins is not a non-empty list")
    else:
        problems.extend(p for pin in pins if (p := pin_problem(pin, root)))
    if not sections(document):
        problems.append("no section after the header")
    return problems


def sections(document: dict[str, Any]) -> dict[str, Any]:
    """A file's sections by name: everything but the header."""
    return {key: value for key, value in document.items() if key not in HEADER}


def render(document: dict[str, Any]) -> str:
    """JSON with one case per line."""
    lines = ["{"]
    for index, (key, value) in enumerate(document.items()):
        comma = "," if index < len(document) - 1 else ""
        if isinstance(value, list) and value and isinstance(value[0], dict | str):
            lines.append(f"  {json.dumps(key)}: [")
            lines.extend(
                f"    {json.dumps(item)}{',' if i < len(value) - 1 else ''}"
                for i, item in enumerate(value)
            )
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
    return "\n".join([*lines, "}"]) + "\n"


def _read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return document


def load(name: str) -> dict[str, Any]:
    """One vector file, its header checked (:class:`VectorFileError` when it is wrong)."""
    document = _read(name)
    if problems := header_problems(document):
        raise VectorFileError(f"{VECTORS / name}: " + "; ".join(problems))
    return document


def cases(name: str, section: str, *, key: str | None = None) -> list[Any]:
    """The cases of one section as test parameters, named by ``key`` or numbered.

    Read at collection, without the header check, so that a generator module can still be
    imported to rewrite a file whose header is wrong (or that is missing: then no cases); the
    tests that use the cases call :func:`load`, and test_vector_files.py checks every header.
    """
    if not (VECTORS / name).exists():
        return []
    return [
        pytest.param(case, id=str(case[key]) if key else f"{section}-{index}")
        for index, case in enumerate(_read(name).get(section, []))
    ]


def stream_bytes(case: dict[str, Any]) -> bytes:
    """A case's input bytes: ``input`` (text, sent as UTF-8) or ``input_base64``."""
    if "input_base64" in case:
        return base64.b64decode(case["input_base64"])
    text: str = case["input"]
    return text.encode("utf-8")


def pieces(data: bytes, splits: list[int]) -> list[bytes]:
    """``data`` cut at the byte offsets ``splits``."""
    cuts = [0, *splits, len(data)]
    return [data[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]
