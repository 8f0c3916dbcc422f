"""Every ``vectors/*.json`` file has the one header (conformance/README.md, "For a port: the
vectors"): ``format`` 1, a ``description`` of its fields, the doc sections it ``pins``; the pins
land on headings that exist; no case depends on telling ``4.0`` from ``4``; and the README's
table lists every file. The last tests plant broken files to show each check fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance import _vectors
from conformance._vectors import HEADER, VECTORS, VectorFileError, header_problems, load, sections

FILES = sorted(path.name for path in VECTORS.glob("*.json"))
README = Path(__file__).parent / "README.md"

# The one place a whole number written with a fraction is allowed: a request as a client spells
# it, whose canonical form is the same whichever way a reader takes the number.
WHOLE_FLOATS_ALLOWED = {"request_key.json": re.compile(r"^vectors/\d+/request/")}


def test_there_are_the_seven_files() -> None:
    assert FILES == [
        "box_math.json",
        "chat_history.json",
        "image_tokens.json",
        "mask_math.json",
        "messages.json",
        "request_key.json",
        "sse_decoding.json",
    ]


@pytest.mark.parametrize("name", FILES)
def test_each_file_starts_with_the_header_and_its_pins_resolve(name: str) -> None:
    document = json.loads((VECTORS / name).read_text("utf-8"))

    assert list(document)[:3] == list(HEADER)
    assert header_problems(document) == []
    assert load(name) == document
    assert all(isinstance(section, str) for section in sections(document))


@pytest.mark.parametrize("name", FILES)
def test_each_pin_names_a_docs_page_and_one_of_its_headings(name: str) -> None:
    for pin in load(name)["pins"]:
        path, anchor = pin.split("#")
        assert path.startswith("docs/") and path.endswith(".md"), pin
        assert anchor in _vectors.anchors((_vectors.ROOT / path).resolve()), pin


def whole_floats(value: Any, path: str = "") -> list[str]:
    """The paths of every number written with a fraction that is zero (``4.0``, ``2e1``)."""
    if isinstance(value, Written):
        return [path] if float(value.text).is_integer() else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in whole_floats(item, f"{path}{key}/")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in whole_floats(item, f"{path}{i}/")]
    return []


class Written:
    """A JSON number with a fraction or exponent, as written."""

    def __init__(self, text: str) -> None:
        self.text = text


@pytest.mark.parametrize("name", FILES)
def test_no_case_depends_on_telling_a_whole_float_from_an_integer(name: str) -> None:
    document = json.loads((VECTORS / name).read_text("utf-8"), parse_float=Written)
    allowed = WHOLE_FLOATS_ALLOWED.get(name)

    found = [path for path in whole_floats(document) if not (allowed and allowed.match(path))]

    assert found == [], f"{name}: numbers written with a zero fraction at {found}"


def test_the_check_finds_a_whole_float() -> None:
    document = json.loads('{"a": [1, 4.0, 4.5, 2e1, 0.5e1]}', parse_float=Written)
    assert whole_floats(document) == ["a/1/", "a/3/", "a/4/"]


def test_the_readme_lists_every_file() -> None:
    listed = re.findall(r"^\| `(\w+\.json)` \|", README.read_text("utf-8"), re.MULTILINE)
    assert sorted(listed) == FILES


# --- the checks fail when they should ------------------------------------------------------


def planted(root: Path) -> dict[str, Any]:
    """A tree with one docs page and a file whose header is right for it."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "page.md").write_text("# Page\n\n## A rule\n\ntext\n", "utf-8")
    return {
        "format": 1,
        "description": ["what the cases mean"],
        "pins": ["docs/page.md#a-rule"],
        "cases": [{"x": 1}],
    }


def test_a_right_header_has_no_problems(tmp_path: Path) -> None:
    assert header_problems(planted(tmp_path), tmp_path) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"pins": ["docs/page.md#no-such-rule"]}, "has no heading with the anchor #no-such-rule"),
        ({"pins": ["docs/other.md#a-rule"]}, "no page docs/other.md"),
        ({"pins": ["docs/page.md"]}, "is not a string path#anchor"),
        ({"pins": ["../page.md#a-rule"]}, "no page ../page.md"),
        ({"pins": []}, "pins is not a non-empty list"),
        ({"format": 2}, "format is 2, not the integer 1"),
        ({"format": "1"}, "format is '1', not the integer 1"),
        ({"format": True}, "format is True, not the integer 1"),
        ({"description": "one string"}, "description is not a non-empty list of strings"),
        ({"description": ["a", 3]}, "description has a line that is not a non-empty string"),
    ],
)
def test_a_wrong_header_is_named(tmp_path: Path, change: dict[str, Any], problem: str) -> None:
    document = planted(tmp_path) | change

    problems = header_problems(document, tmp_path)

    assert len(problems) == 1 and problem in problems[0], problems


def test_a_missing_header_and_a_header_out_of_order_are_named(tmp_path: Path) -> None:
    document = planted(tmp_path)
    out_of_order = {"description": document["description"]} | document

    assert header_problems({"cases": [{"x": 1}]}, tmp_path) == [
        "the first keys are ['cases'], not ['format', 'description', 'pins']",
        "format is None, not the integer 1",
        "description is not a non-empty list of strings",
        "pins is not a non-empty list",
    ]
    assert header_problems(out_of_order, tmp_path) == [
        "the first keys are ['description', 'format', 'pins'], not"
        " ['format', 'description', 'pins']"
    ]
    assert header_problems(planted(tmp_path / "x") | {"cases": []}, tmp_path / "x") == []
    assert header_problems({k: document[k] for k in HEADER}, tmp_path) == [
        "no section after the header"
    ]


def test_load_refuses_a_file_without_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads((VECTORS / "image_tokens.json").read_text("utf-8"))
    del document["pins"]
    (tmp_path / "image_tokens.json").write_text(json.dumps(document), "utf-8")
    monkeypatch.setattr(_vectors, "VECTORS", tmp_path)

    with pytest.raises(VectorFileError, match="pins is not a non-empty list"):
        load("image_tokens.json")
