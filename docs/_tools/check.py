"""The docs checker: links resolve, citations resolve, code samples run
(docs/README.md#code-samples).

    python docs/_tools/check.py                   # README.md and docs/*.md, and all citations
    python docs/_tools/check.py docs/files.md     # one page
    python docs/_tools/check.py --no-run          # links, fences and citations only

``tests/test_docs.py`` runs the same checks as tests, one per page and one per sample.

Citations: code and pages cite the evidence page as ``docs/evidence.md#<anchor>`` (or link to
it). Every such anchor, in every ``.py``, ``.md`` and ``.mjs`` file of the repository, must be
an anchor of docs/evidence.md, and nothing may cite the notes the evidence was first written
down in by their old names.

The convention, in short: a fenced block runs when its info string is ``python``, ``sh``,
``bash``, ``shell``, ``js`` or ``javascript``, unless the last non-blank line before it is
``<!-- not-run: reason -->``. Any other info string (``text``, ``json``, ``http``, ...) is shown,
not run; a fence without one is an error, so nothing is skipped by accident. Samples run in a
scratch directory against a fresh fake on a loopback port (``GOOGLE_GEMINI_BASE_URL``,
``GEMINI_API_KEY``), and every request they make must be answered below 400, or with a status
the line before the fence expects: ``<!-- expect-status: 503 429 -->``.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
JS_MODULES = ROOT / "tests" / "js" / "node_modules"
EVIDENCE = Path("docs") / "evidence.md"  # under the repository's root

LANGUAGES = {
    "python": "python",
    "py": "python",
    "sh": "sh",
    "bash": "sh",
    "shell": "sh",
    "js": "js",
    "javascript": "js",
}
# URLs a shell sample may use for the service; each is replaced with the fake's.
SERVICE_URLS = (
    "https://generativelanguage.googleapis.com",
    "http://127.0.0.1:8080",
    "http://localhost:8080",
)
SAMPLE_KEY = "docs-sample-key"
SAMPLE_TIMEOUT = 90.0

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
EXPECT_STATUS = re.compile(r"^\s*<!--\s*expect-status:\s*(?P<codes>(?:\d{3}\s*)+)-->\s*$")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run\b(?P<colon>:?)(?P<reason>.*?)-->\s*$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
HTML_ID = re.compile(r"<a\s[^>]*\b(?:id|name)=\"(?P<id>[^\"]+)\"", re.IGNORECASE)
INLINE_LINK = re.compile(
    r"""!?\[(?:[^\[\]]|\[[^\]]*\])*\]          # [text], one level of [] inside
    \(\s*(?P<target><[^>]*>|(?:[^()\s]|\([^()\s]*\))+)  # (target, one level of () inside
    (?:\s+(?:"[^"]*"|'[^']*'))?\s*\)                # "title")
    """,
    re.VERBOSE,
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(?P<target><[^>]*>|\S+)")
AUTOLINK = re.compile(r"<(?P<target>https?://[^>\s]+)>")
HTML_LINK = re.compile(r"\b(?:href|src)=\"(?P<target>[^\"]+)\"", re.IGNORECASE)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# A citation of the evidence page: ``docs/evidence.md#<anchor>`` in code, a link to
# ``evidence.md#<anchor>`` in a page.
CITATION = re.compile(r"evidence\.md#(?P<anchor>[A-Za-z0-9_-]+)")
# The notes' old names (written so that this file does not match itself).
OLD_NOTES = re.compile(r"\b(?:real[-]shapes|sdk[-]wire)\b")
CITING = (".py", ".md", ".mjs")
NOT_WALKED = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
HOSTNAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, 1-based
    info: str  # the info string's first word, lowercased ("" when there is none)
    code: str
    not_run: str | None = None  # the reason given, when marked not to run
    expected: frozenset[int] = frozenset()  # statuses of 400 and over the sample causes on purpose

    @property
    def language(self) -> str | None:
        return LANGUAGES.get(self.info)

    @property
    def runs(self) -> bool:
        return self.language is not None and self.not_run is None

    @property
    def id(self) -> str:
        return f"{_shown(self.page)}:{self.line}"


@dataclass(frozen=True)
class Problem:
    page: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_shown(self.page)}:{self.line}: {self.message}"


class SampleFailed(AssertionError):
    """A sample that did not run cleanly; the message holds its output."""


class SampleSkipped(Exception):
    """A sample that cannot run here (node or the JS SDK missing)."""


def default_pages() -> list[Path]:
    return [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "conformance/README.md",
    ]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --- reading a page -------------------------------------------------------------------------


def scan(page: Path) -> tuple[list[Block], list[Problem], list[tuple[int, str]]]:
    """The page's fenced blocks, its fence problems, and its other lines (number, text)."""
    blocks: list[Block] = []
    problems: list[Problem] = []
    prose: list[tuple[int, str]] = []
    lines = page.read_text("utf-8").splitlines()
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if opened is None or (opened["fence"][0] == "`" and "`" in opened["info"]):
            prose.append((index + 1, lines[index]))
            index += 1
            continue
        start, fence, indent = index, opened["fence"], len(opened["indent"])
        info = opened["info"].strip().split(" ")[0].lower() if opened["info"].strip() else ""
        body: list[str] = []
        index += 1
        while index < len(lines) and not _closes(lines[index], fence):
            body.append(_dedent(lines[index], indent))
            index += 1
        if index == len(lines):
            problems.append(Problem(page, start + 1, "code fence never closed"))
        index += 1
        reason = _not_run_reason(lines, start, page, problems)
        if not info:
            problems.append(
                Problem(
                    page,
                    start + 1,
                    "code fence without an info string: name the language (```python, ```sh) "
                    "to run it, or ```text / ```json to show it",
                )
            )
        expected = _expected_statuses(lines, start)
        block = Block(page, start + 1, info, "\n".join(body) + "\n", reason, expected)
        if reason is not None and block.language is None:
            problems.append(
                Problem(page, start + 1, f"not-run marks a ```{info} block, which never runs")
            )
        blocks.append(block)
    return blocks, problems, prose


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) <= 3
        and stripped.startswith(fence)
        and set(stripped) == {fence[0]}
    )


def _dedent(line: str, indent: int) -> str:
    removable = len(line) - len(line.lstrip(" "))
    return line[min(indent, removable) :]


def _expected_statuses(lines: Sequence[str], fence_index: int) -> frozenset[int]:
    """The statuses a ``<!-- expect-status: 429 503 -->`` line right before the fence allows
    (a sample that sets a fault rule is answered an error on purpose)."""
    before = fence_index - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    marked = EXPECT_STATUS.match(lines[before]) if before >= 0 else None
    return frozenset(int(code) for code in marked["codes"].split()) if marked else frozenset()


def _not_run_reason(
    lines: Sequence[str], fence_index: int, page: Path, problems: list[Problem]
) -> str | None:
    before = fence_index - 1
    while before >= 0 and not lines[before].strip():
        before -= 1
    if before < 0:
        return None
    marked = NOT_RUN.match(lines[before])
    if marked is None:
        return None
    reason = marked["reason"].strip()
    if not marked["colon"] or not reason:
        problems.append(
            Problem(page, before + 1, "write the reason: <!-- not-run: why it does not run -->")
        )
        return reason or "(no reason)"
    return reason


def blocks(pages: Sequence[Path] | None = None) -> list[Block]:
    return [b for page in pages or default_pages() for b in scan(page)[0]]


def runnable(pages: Sequence[Path] | None = None) -> list[Block]:
    return [b for b in blocks(pages) if b.runs]


def fence_problems(page: Path) -> list[Problem]:
    return scan(page)[1]


# --- links ----------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text: markup dropped, lowercased, punctuation removed
    (but ``-`` and ``_``), spaces made ``-``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"(?<![0-9A-Za-z])_+|_+(?![0-9A-Za-z])", "", text)  # _emphasis_, not snake_case
    kept = "".join(c for c in text.lower() if unicodedata.category(c)[0] in "LMN" or c in " -_")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every ``#fragment`` that lands on this page: headings (numbered -1, -2, ... when
    repeated, as GitHub numbers them) and explicit ``<a id>`` / ``<a name>``."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in scan(page)[2]:
        heading = HEADING.match(line)
        if heading:
            base = slug(heading["text"])
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(m["id"] for m in HTML_ID.finditer(line))
    return found


def links(page: Path) -> Iterator[tuple[int, str]]:
    """(line, target) for every link outside code: inline, reference, autolink and HTML.
    A ``](`` that does not make a link (a space in the target, say) comes as ``("", text)``."""
    for number, line in scan(page)[2]:
        text = CODE_SPAN.sub("", line)
        for pattern in (INLINE_LINK, REFERENCE, AUTOLINK, HTML_LINK):
            for match in pattern.finditer(text):
                yield number, match["target"].strip("<>")
        rest = INLINE_LINK.sub("", text)
        if "](" in rest:
            yield number, "](" + rest.split("](", 1)[1].split(")")[0] + ")"


def link_problems(page: Path, root: Path = ROOT) -> list[Problem]:
    """Every link of the page that does not resolve; files must be inside ``root``."""
    problems = []
    for number, target in links(page):
        if target.startswith("]("):
            problems.append(Problem(page, number, f"{target}: not a link (a space in it?)"))
            continue
        message = _link_problem(page, target, root)
        if message:
            problems.append(Problem(page, number, f"{target}: {message}"))
    return problems


def _link_problem(page: Path, target: str, root: Path) -> str | None:
    parts = urlsplit(target)
    if parts.scheme in ("http", "https"):
        return _web_link_problem(target)
    if parts.scheme == "mailto":
        return None if "@" in parts.path else "not an e-mail address"
    if parts.scheme or parts.netloc:
        return f"unexpected link scheme {parts.scheme!r}"
    if not parts.path:
        return _anchor_problem(page, parts.fragment, "this page")
    base = root if parts.path.startswith("/") else page.parent
    linked = (base / unquote(parts.path).lstrip("/")).resolve()
    if not linked.exists():
        return "no such file"
    if not linked.is_relative_to(root.resolve()):
        return "points outside the repository"
    if parts.fragment and linked.suffix == ".md":
        return _anchor_problem(linked, parts.fragment, parts.path)
    return None


def _anchor_problem(page: Path, fragment: str, shown: str) -> str | None:
    if not fragment or unquote(fragment) in anchors(page):
        return None
    return f"no heading in {shown} has the anchor #{fragment}"


def _web_link_problem(target: str) -> str | None:
    """Not fetched (CI has no internet), only checked for a plausible shape."""
    if re.search(r"\s", target):
        return "whitespace in a URL"
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        return f"malformed URL ({exc})"
    host = parts.hostname or ""
    if not HOSTNAME.match(host) or ("." not in host and host != "localhost"):
        return f"malformed host {host!r}"
    return None


# --- citations of the evidence page --------------------------------------------------------


def citing_files(root: Path = ROOT) -> list[Path]:
    """The repository's ``.py``, ``.md`` and ``.mjs`` files, tracked or new (git's list; a walk
    without git), never under ``node_modules``."""
    command = ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others"]
    try:
        listed = subprocess.run(
            [*command, "--exclude-standard"], capture_output=True, check=True
        ).stdout.decode()
        names = set(filter(None, listed.split("\0")))
    except (OSError, subprocess.CalledProcessError):
        names = set()
        for folder, folders, files in os.walk(root):
            folders[:] = [f for f in folders if f not in NOT_WALKED]
            names.update(str((Path(folder) / name).relative_to(root)) for name in files)
    return sorted(
        root / name
        for name in names
        if name.endswith(CITING)
        and "node_modules" not in Path(name).parts
        and (root / name).is_file()
    )


def citation_problems(files: Sequence[Path] | None = None, root: Path = ROOT) -> list[Problem]:
    """Every cited ``evidence.md#<anchor>`` that docs/evidence.md does not have, and every line
    that still cites the old notes."""
    evidence = root / EVIDENCE
    known = anchors(evidence) if evidence.exists() else set()
    problems = []
    for path in citing_files(root) if files is None else files:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for match in CITATION.finditer(line):
                if match["anchor"] not in known:
                    problems.append(
                        Problem(
                            path,
                            number,
                            f"evidence.md#{match['anchor']}: no such anchor in {EVIDENCE}",
                        )
                    )
            if OLD_NOTES.search(line):
                problems.append(
                    Problem(
                        path,
                        number,
                        f"cites {OLD_NOTES.search(line)[0]!r}, a note outside the repository: "
                        f"cite {EVIDENCE}#<anchor> instead",
                    )
                )
    return problems


# --- running samples ------------------------------------------------------------------------


def run(block: Block, timeout: float = SAMPLE_TIMEOUT) -> str:
    """Run one sample against a fresh fake; its output, or :class:`SampleFailed`."""
    from fake_server import create_app
    from fake_server.server import ThreadedServer

    if not block.runs:
        raise ValueError(f"{block.id} is not a runnable sample")
    with tempfile.TemporaryDirectory(prefix="docs-sample-") as scratch:
        workdir = Path(scratch)
        _make_media(block.code, workdir)
        with ThreadedServer(create_app()) as server:
            command = _prepare(block, workdir, server.base_url)
            env = _environment(server.base_url)
            try:
                done = subprocess.run(
                    command,
                    cwd=workdir,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                raise SampleFailed(f"{block.id}: still running after {timeout:g} s") from None
            journal = server.app.state.fake.journal.entries  # type: ignore[attr-defined]
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise SampleFailed(f"{block.id}: exit status {done.returncode}\n{_tail(output)}")
    if _is_test_module(block) and not re.search(r"\d+ passed", done.stdout):
        raise SampleFailed(f"{block.id}: no test passed\n{_tail(output)}")
    if _is_test_module(block) and re.search(r"\d+ (skipped|xfailed|xpassed)", done.stdout):
        raise SampleFailed(f"{block.id}: a test did not simply pass\n{_tail(output)}")
    refused = [e for e in journal if e.status >= 400 and e.status not in block.expected]
    if refused:
        calls = "\n".join(f"  {e.method} {e.path} -> {e.status} ({e.answered_by})" for e in refused)
        raise SampleFailed(f"{block.id}: the fake refused requests:\n{calls}\n{_tail(output)}")
    return output


def _prepare(block: Block, workdir: Path, base_url: str) -> list[str]:
    if block.language == "python":
        if _is_test_module(block):
            (workdir / "test_sample.py").write_text(block.code, "utf-8")
            return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        (workdir / "sample.py").write_text(block.code, "utf-8")
        return [sys.executable, "sample.py"]
    if block.language == "sh":
        code = block.code
        for url in SERVICE_URLS:
            code = code.replace(url, base_url)
        (workdir / "sample.sh").write_text(code, "utf-8")
        return ["bash", "-e", "sample.sh"]
    node = shutil.which("node")
    if node is None or not JS_MODULES.is_dir():
        raise SampleSkipped("JS samples need node and tests/js/node_modules (make test)")
    (workdir / "node_modules").symlink_to(JS_MODULES, target_is_directory=True)
    (workdir / "sample.mjs").write_text(block.code, "utf-8")
    return [node, "sample.mjs"]


def _is_test_module(block: Block) -> bool:
    """A Python sample defining ``test_*`` functions runs under pytest, with the plugin."""
    if block.language != "python":
        return False
    try:
        tree = ast.parse(block.code)
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
        for node in tree.body
    )


def _environment(base_url: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GOOGLE_", "GEMINI_", "PYTEST_"))
    }
    env["GOOGLE_GEMINI_BASE_URL"] = base_url
    env["GEMINI_API_KEY"] = SAMPLE_KEY
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name in ("NO_PROXY", "no_proxy"):
        env[name] = ",".join(filter(None, [env.get(name, ""), "127.0.0.1", "localhost"]))
    return env


def _tail(output: str, lines: int = 40) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])


def _make_media(code: str, workdir: Path) -> None:
    """Create every ``path/to/NAME.EXT`` the sample names (the guide's placeholder paths)."""
    for match in re.finditer(r"(?<![\w/])path/to/[\w.-]+\.(\w+)", code):
        path = workdir / match[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_media(match[1].lower()))


def _media(extension: str) -> bytes:
    if extension in ("jpg", "jpeg", "png", "webp", "gif"):
        import io

        from PIL import Image

        buffer = io.BytesIO()
        image = Image.new("RGB", (64, 48), (200, 120, 40))
        image.save(buffer, format={"jpg": "JPEG"}.get(extension, extension.upper()))
        return buffer.getvalue()
    if extension == "pdf":
        return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if extension == "mp3":
        return (b"\xff\xfb\x90\x64" + bytes(413)) * 4  # four silent MPEG-1 Layer III frames
    return b"A sample file for the docs.\n"


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to check (default: all)")
    parser.add_argument("--no-run", action="store_true", help="check links and fences only")
    args = parser.parse_args(argv)
    pages = [p.resolve() for p in args.pages] or default_pages()
    failures = 0
    for page in pages:
        for problem in fence_problems(page) + link_problems(page):
            print(problem)
            failures += 1
    for problem in citation_problems(None if not args.pages else pages):
        print(problem)
        failures += 1
    for block in [] if args.no_run else runnable(pages):
        try:
            run(block)
        except SampleSkipped as skipped:
            print(f"{block.id}: skipped: {skipped}")
        except SampleFailed as failed:
            print(failed)
            failures += 1
        else:
            print(f"{block.id}: ran")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
