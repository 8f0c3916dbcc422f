"""The mutant catalogue stays current: every mutant still applies to the source as it is.

A mutant whose snippet no longer occurs (or occurs twice) would be measured against nothing, so
a refactor of the fake fails here until the catalogue follows it (conformance/README.md,
"Mutants"). The runs themselves are ``python -m conformance.mutants.run``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conformance.mutants import run
from conformance.mutants.catalogue import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_mutant_applies_to_the_source_as_it_is(mutant: Mutant) -> None:
    source = (ROOT / mutant.path).read_text(encoding="utf-8")
    assert source.count(mutant.old) == 1, f"{mutant.name}: its snippet is not in {mutant.path}"
    mutated = source.replace(mutant.old, mutant.new)
    assert mutated != source
    ast.parse(mutated, filename=mutant.path)  # a mutant is a bug, not a syntax error


def test_the_names_are_unique_and_there_is_one_canary() -> None:
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))
    assert sum(m.canary for m in MUTANTS) == 1
    assert all(m.why for m in MUTANTS)


def test_applying_refuses_a_snippet_that_is_not_there_once(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("a = 1\na = 1\n", encoding="utf-8")
    twice = Mutant("twice", "module.py", "a = 1", "a = 2", "a test")
    with pytest.raises(ValueError, match="occurs 2 times"):
        run.apply(twice, tmp_path)
    once = Mutant("once", "module.py", "a = 1\na", "a = 2\na", "a test")
    run.apply(once, tmp_path)
    assert (tmp_path / "module.py").read_text(encoding="utf-8") == "a = 2\na = 1\n"


def test_the_first_failure_is_read_from_pytest_output() -> None:
    output = "F\n=== short test summary info ===\nFAILED conformance/test_x.py::test_y - boom\n"
    assert run.first_failure(output) == "FAILED conformance/test_x.py::test_y"
    assert run.first_failure("collected 0 items\nno tests ran\n") == "failed: no tests ran"


def test_the_copy_holds_the_repositorys_files_and_no_environment() -> None:
    names = set(run.sources())
    assert {m.path for m in MUTANTS} <= names
    assert {"pyproject.toml", "conformance/conftest.py", "README.md"} <= names
    assert not [n for n in names if n.startswith((".venv/", ".git/")) or "__pycache__" in n]
