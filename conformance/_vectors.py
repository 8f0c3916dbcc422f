"""Reading and writing the language-neutral vectors in ``conformance/vectors/``.

Every file is one JSON object: ``format`` (how the file is laid out) and/or ``description``
(the rule its cases pin down), a few scalar constants, and sections that are lists of cases.
:func:`render` writes one case per line, so a file reads, and diffs, as a table.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parent / "vectors"


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


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return document


def cases(name: str, section: str, *, key: str | None = None) -> list[Any]:
    """The cases of one section as test parameters, named by ``key`` or numbered."""
    if not (VECTORS / name).exists():
        return []
    return [
        pytest.param(case, id=str(case[key]) if key else f"{section}-{index}")
        for index, case in enumerate(load(name)[section])
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
