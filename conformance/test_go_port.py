"""The Go port example (``examples/go_port``): a Go program, standard library only, that checks
its own event-stream decoder and box, mask and token math against the vectors, as a port to Go
would. It is built once (``.cache/go/port``) and run as a port runs it: it must pass every
case of the four files and say how many it checked, and fail, naming them, on wrong ones.
It reads integers by value, as a reader that cannot tell 4.0 from 4 does, and still passes.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conformance._vectors import VECTORS, load
from tests.kit.toolchains import GO_CACHE, go_env, require

pytestmark = pytest.mark.go

PORT = Path(__file__).parent / "examples" / "go_port"
# Each file the program checks, and its sections of cases.
SECTIONS = {
    "sse_decoding.json": ("events", "chunks", "arrays"),
    "box_math.json": ("to_pixels", "to_normalized", "boxes_from_response"),
    "mask_math.json": ("binarize", "decode_mask"),
    "image_tokens.json": ("cases",),
}


@pytest.fixture(scope="module")
def port() -> Path:
    require("go")
    binary = GO_CACHE / "port" / "go_port"
    done = subprocess.run(
        ["go", "build", "-o", str(binary), "."],
        cwd=PORT,
        env=go_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return binary


def run(port: Path, vectors: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(port), str(vectors)], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_go_port_passes_every_vector_and_says_how_many(port: Path) -> None:
    done = run(port, VECTORS)

    assert done.returncode == 0, done.stdout + done.stderr
    total = sum(len(load(name)[s]) for name, sections in SECTIONS.items() for s in sections)
    *cases, summary = done.stdout.splitlines()
    assert summary == f"{total} of {total} vectors pass"
    assert [line for line in cases if line.startswith(("pass", "FAIL"))] == [
        line for line in cases if line.startswith("pass  ")
    ]
    assert len([line for line in cases if line.startswith("pass  ")]) == total


def test_the_go_port_fails_with_status_1_naming_each_wrong_vector(
    port: Path, tmp_path: Path
) -> None:
    # One expected value made wrong in each file.
    wrong = {
        "sse_decoding.json": ("events", 0, "events", [{"data": "x", "event": "message", "id": ""}]),
        "box_math.json": ("to_pixels", 0, "box", [0, 0, 0, 0]),
        "mask_math.json": ("decode_mask", 0, "bits", ["1111", "1111"]),
        "image_tokens.json": ("cases", 0, "tokens", 258),
    }
    for name, (section, index, key, value) in wrong.items():
        document = load(name)
        document[section][index][key] = value
        (tmp_path / name).write_text(json.dumps(document), "utf-8")

    done = run(port, tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr
    failed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == [
        "sse_decoding/events/lf",
        "box_math/to_pixels/0",
        "mask_math/decode_mask/0",
        "image_tokens/cases/0",
    ]
    total = sum(len(load(name)[s]) for name, sections in SECTIONS.items() for s in sections)
    assert done.stdout.splitlines()[-1] == f"{total - 4} of {total} vectors pass"


def test_the_go_port_reads_integers_by_value_not_by_spelling(port: Path, tmp_path: Path) -> None:
    # The vectors never depend on telling 4.0 from 4, so a port may read numbers either way:
    # this one takes the value. Every width and height written with a zero fraction still passes.
    for name in SECTIONS:
        text = (VECTORS / name).read_text("utf-8")
        if name in ("box_math.json", "image_tokens.json"):
            text = re.sub(r'"(width|height)": (\d+)', r'"\1": \2.0', text)
        (tmp_path / name).write_text(text, "utf-8")
    assert '"width": 960.0' in (tmp_path / "image_tokens.json").read_text("utf-8")

    done = run(port, tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
