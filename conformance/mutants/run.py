"""Apply each mutant of :mod:`.catalogue` to a copy of the repository and run a suite on it.

::

    .venv/bin/python -m conformance.mutants.run [--suite conformance|all] [--only NAME ...] [-j N]

Each mutant gets a fresh copy of the repository's files (tracked, or new and not ignored, as they
are in the working tree) in a temporary directory, the one file changed; the working tree is
never touched. pytest runs in the copy, with the copy first on ``sys.path`` (checked before the
run: the packages must import from the copy, not from the editable install), against the fake in
process, stopping at the first failure (``-x``); the suite must first pass on a copy without a
mutant. A mutant is *killed* when the suite fails (the first failing test is reported), or when
it runs past the timeout (a hang); it *survives* when the suite passes. The canary mutant must
be killed, or the run is void. Left out of every run: ``conformance/test_mutant_catalogue.py``
(a mutated copy fails it by design) and ``conformance/test_go_port.py`` (it reads only the
vectors). A test whose toolchain the copy lacks skips, whatever
``GEMINI_REF_REQUIRE_TOOLCHAINS`` says.

``--suite all`` runs the conformance suite on every mutant, then the whole test suite
(``tests`` and ``conformance``) on the conformance survivors only: whatever the conformance suite
kills, the whole suite kills too. Exit status 1 when the conformance suite kills fewer than
:data:`THRESHOLD` of the mutants (2 when the run is void).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .catalogue import BY_NAME, MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("fake_server", "gemini_ref", "conformance", "tests", "docs", "pyproject.toml")
CLEAN = Mutant("(none)", "", "", "", "the copy as it is")
LINKED = ("tests/js/node_modules",)  # the JS SDK the JS tests load, if installed: shared
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "node_modules", ".cache")
SUITES = {"conformance": ["conformance"], "all": ["tests", "conformance"]}
# Left out of every run: the catalogue's own check (a mutated copy fails it by design) and the
# Go port example, which reads only the vectors and builds Go from cold in each copy.
NOT_RUN = ("conformance/test_mutant_catalogue.py", "conformance/test_go_port.py")
TIMEOUTS = {"conformance": 300.0, "all": 1800.0}
THRESHOLD = 0.95
PACKAGES = ("fake_server", "gemini_ref", "conformance")


@dataclass
class Outcome:
    mutant: Mutant
    suite: str
    killed: bool
    by: str  # the first failing test, "timeout", or "" for a survivor
    seconds: float


def sources() -> list[str]:
    """The repository's files as they are in the working tree: tracked, or new and not ignored
    (without git, the packages, suites and docs)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return list(COPIED)
    return [name for name in listed.decode().split("\0") if name]


def copy_tree(into: Path) -> None:
    for name in sources():
        source, target = ROOT / name, into / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=IGNORED)
        elif source.is_file():  # not a file deleted from the working tree
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in LINKED:
        if (ROOT / name).is_dir():
            (into / name).symlink_to(ROOT / name, target_is_directory=True)


def apply(mutant: Mutant, tree: Path) -> None:
    """Change the mutant's file in ``tree``; its ``old`` must be there exactly once."""
    path = tree / mutant.path
    text = path.read_text(encoding="utf-8")
    found = text.count(mutant.old)
    if found != 1:
        raise ValueError(f"{mutant.name}: its snippet occurs {found} times in {mutant.path}")
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")


def environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GEMINI_CONFORMANCE_TARGET="inprocess",
        PYTHONPATH=str(tree),
        PYTHONDONTWRITEBYTECODE="1",  # no stale bytecode from one mutant to the next
        PYTHONHASHSEED="0",
    )
    env.pop("COVERAGE_PROCESS_START", None)
    # A test whose toolchain the copy lacks skips: failing it would count as a kill.
    env.pop("GEMINI_REF_REQUIRE_TOOLCHAINS", None)
    return env


def check_imports(tree: Path) -> None:
    """The packages import from ``tree``, not from the editable install in .venv."""
    script = "; ".join(f"import {name}; print(list({name}.__path__)[0])" for name in PACKAGES)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        timeout=120,
    )
    files = result.stdout.split()
    if result.returncode != 0 or len(files) != len(PACKAGES):
        raise SystemExit(f"the copy does not import: {result.stderr.strip()}")
    outside = [f for f in files if not Path(f).resolve().is_relative_to(tree.resolve())]
    if outside:
        raise SystemExit(f"the copy's packages import from elsewhere: {outside}")


def first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" - ", 1)[0]
    tail = [line for line in output.splitlines() if line.strip()][-1:]
    return "failed: " + (tail[0] if tail else "no output")


def run_one(mutant: Mutant, suite: str, timeout: float) -> Outcome:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutant-") as temp:
        tree = Path(temp)
        copy_tree(tree)
        if mutant is not CLEAN:
            apply(mutant, tree)
        command = [sys.executable, "-m", "pytest", *SUITES[suite]]
        command += ["-x", "-q", "-p", "no:cacheprovider", "-o", "console_output_style=classic"]
        command += [f"--ignore={path}" for path in NOT_RUN]
        process = subprocess.Popen(
            command,
            cwd=tree,
            env=environment(tree),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Outcome(mutant, suite, True, "timeout", time.monotonic() - started)
        finally:
            if process.poll() is None:  # interrupted: take the run's processes down with it
                os.killpg(process.pid, signal.SIGKILL)
    seconds = time.monotonic() - started
    if process.returncode == 0:
        return Outcome(mutant, suite, False, "", seconds)
    return Outcome(mutant, suite, True, first_failure(output), seconds)


def run_all(mutants: Sequence[Mutant], suite: str, jobs: int, timeout: float) -> list[Outcome]:
    def one(mutant: Mutant) -> Outcome:
        outcome = run_one(mutant, suite, timeout)
        verdict = "killed  " if outcome.killed else "SURVIVED"
        print(
            f"  [{suite}] {verdict} {mutant.name:36} {outcome.seconds:5.1f}s  {outcome.by}",
            flush=True,
        )
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, mutants))


def rate(outcomes: Sequence[Outcome]) -> tuple[int, int]:
    counted = [o for o in outcomes if not o.mutant.canary]
    return sum(o.killed for o in counted), len(counted)


def report(title: str, outcomes: Sequence[Outcome]) -> float:
    killed, total = rate(outcomes)
    share = killed / total if total else 1.0
    hangs = sum(o.by == "timeout" for o in outcomes if not o.mutant.canary)
    print(f"\n{title}: {killed} of {total} mutants killed ({share:.1%})", end="")
    print(f", {hangs} by a timeout (a hang counts as killed)" if hangs else "")
    for outcome in outcomes:
        if not outcome.killed and not outcome.mutant.canary:
            print(f"  survivor {outcome.mutant.name} ({outcome.mutant.path}): {outcome.mutant.why}")
    return share


def passes_clean(suite: str, timeout: float | None) -> bool:
    """Whether the suite passes on a copy without a mutant: if not, a kill would mean nothing."""
    outcome = run_one(CLEAN, suite, timeout or TIMEOUTS[suite])
    if outcome.killed:
        print(f"the {suite} suite fails without a mutant ({outcome.by}): no figures")
    return not outcome.killed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.mutants.run", description=__doc__)
    parser.add_argument("--suite", choices=sorted(SUITES), default="conformance")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these mutants only")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--timeout", type=float, help="seconds a mutant's run may take")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only or ()) - set(BY_NAME))
    if unknown:
        parser.error(f"no such mutants: {', '.join(unknown)}")
    chosen = [BY_NAME[name] for name in args.only] if args.only else list(MUTANTS)
    if not any(m.canary for m in chosen):
        chosen.insert(0, next(m for m in MUTANTS if m.canary))
    with tempfile.TemporaryDirectory(prefix="mutant-check-") as temp:
        copy_tree(Path(temp))
        check_imports(Path(temp))
    if not passes_clean("conformance", args.timeout):
        return 2
    print(f"{len(chosen)} mutants, the conformance suite on each (a copy of {ROOT})")
    outcomes = run_all(chosen, "conformance", args.jobs, args.timeout or TIMEOUTS["conformance"])
    if any(o.mutant.canary and not o.killed for o in outcomes):
        print("\nthe canary survived: the suite did not run on the mutated copy; no figures")
        return 2
    share = report("conformance suite", outcomes)
    if args.suite == "all":
        survivors = [o.mutant for o in outcomes if not o.killed]
        if survivors and not passes_clean("all", args.timeout):
            return 2
        print(f"\nthe whole test suite on the {len(survivors)} conformance survivors")
        again = run_all(survivors, "all", args.jobs, args.timeout or TIMEOUTS["all"])
        retried = {o.mutant.name: o for o in again}
        whole = [retried.get(o.mutant.name, o) for o in outcomes]
        report("whole test suite", whole)
    return 0 if share >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
