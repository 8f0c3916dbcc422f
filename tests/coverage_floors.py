"""Line coverage per package, checked against its floor: the last step of ``make test``.

    python tests/coverage_floors.py [DATA_FILE]

Reads the combined coverage data of a run (``.coverage``) and the floors of
``[tool.gemini-ref.coverage-floors]`` in pyproject.toml, prints one line per package and exits 1
when a package is below its floor. Coverage's own ``fail_under`` has one figure for everything;
a package whose coverage drops would hide behind one that rises. ``coverage report -m`` shows
the lines missed, file by file.
"""

from __future__ import annotations

import io
import sys
import tomllib
from pathlib import Path

import coverage

ROOT = Path(__file__).parents[1]


def floors() -> dict[str, float]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    table: dict[str, float] = config["tool"]["gemini-ref"]["coverage-floors"]
    return table


def main(argv: list[str]) -> int:
    data = coverage.Coverage(data_file=argv[0] if argv else ".coverage")
    data.load()
    failed = []
    for package, floor in floors().items():
        # report() counts the package's files that never ran too (``source`` in pyproject).
        percent = data.report(include=[f"{package}/*"], file=io.StringIO())
        verdict = "ok" if percent >= floor else "BELOW THE FLOOR"
        print(f"coverage {package:<12} {percent:6.2f}%  (floor {floor}%)  {verdict}")
        if percent < floor:
            failed.append(package)
    if failed:
        print(f"below the floor: {', '.join(failed)} (test the code that lost it)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
