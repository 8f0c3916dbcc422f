"""The docs are tested: links and citations resolve, generated pages are current, code samples run.

The checks live in ``docs/_tools/check.py`` (also a command: ``python docs/_tools/check.py``);
the convention they enforce is written at the top of ``docs/README.md``. The last tests here
plant broken pages in a temporary directory, to show that each check fails when it should.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path) -> ModuleType:
    """Import a module by path (the suite runs with --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


TOOLS = ROOT / "docs" / "_tools"
docs_check = _load("docs_check", TOOLS / "check.py")
generate = _load("docs_generate", TOOLS / "generate.py")

PAGES = docs_check.default_pages()
SAMPLES = docs_check.runnable(PAGES)


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


# --- the real pages -------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_links_resolve(page: Path) -> None:
    assert [str(p) for p in docs_check.link_problems(page)] == []


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_fences_follow_the_sample_convention(page: Path) -> None:
    assert [str(p) for p in docs_check.fence_problems(page)] == []


@pytest.mark.parametrize("block", SAMPLES, ids=lambda block: block.id)
def test_sample_runs(block: Any) -> None:
    try:
        docs_check.run(block)
    except docs_check.SampleSkipped as skipped:
        pytest.skip(str(skipped))


def test_every_citation_of_the_evidence_page_resolves() -> None:
    """Each ``docs/evidence.md#<anchor>`` in the repository's code and pages is an anchor of the
    evidence page, and nothing cites the old notes."""
    assert [str(p) for p in docs_check.citation_problems()] == []


def test_generated_pages_are_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(TOOLS / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_coverage_has_a_row_for_every_route_in_the_table() -> None:
    from fake_server.api.routes import ROUTE_TABLE

    page = generate.coverage_page()
    for spec in ROUTE_TABLE:
        assert f"| `{spec.rpc}` | {spec.method} | `{spec.path}` |" in page


def test_coverage_names_sdk_methods_that_exist() -> None:
    """Every method named in the routes' SDK columns exists in that SDK (JS aside)."""
    from google.genai import Client as OfficialClient
    from google.genai.chats import Chat as OfficialChat

    import gemini_ref
    from gemini_ref.chats import Chat

    roots = {
        "python": (OfficialClient(api_key="k"), OfficialChat),
        "ours": (gemini_ref.Client(api_key="k"), Chat),
    }
    for python, _js, ours in generate.SDK_METHODS.values():
        for column, cell in (("python", python), ("ours", ours)):
            client, chat = roots[column]
            for name in cell.split("`")[1::2]:
                if "=" in name:  # alt=sse
                    continue
                owner, attribute = name.split(".")
                holder = chat if owner == "Chat" else getattr(client, owner)
                assert hasattr(holder, attribute), f"{column}: {name}"


# --- the checks themselves, on planted pages ------------------------------------------------


def _page(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    page = tmp_path / name
    page.write_text(text, "utf-8")
    return page


def test_link_checker_reports_a_missing_file_and_a_missing_anchor(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "other.md").write_text("# Other\n\n## Its `only` section\n", "utf-8")
    (tmp_path / "outside.md").write_text("# Outside\n", "utf-8")
    page = _page(
        root,
        "# Title\n\n"
        "[ok](other.md#its-only-section) [ok](#title) [ok](other.md) [ok](/other.md)\n"
        "[gone](missing.md) [bad anchor](other.md#nope) [bad here](#nowhere)\n"
        "[outside](../outside.md)\n",
    )
    problems = [p.message for p in docs_check.link_problems(page, root)]
    assert problems == [
        "missing.md: no such file",
        "other.md#nope: no heading in other.md has the anchor #nope",
        "#nowhere: no heading in this page has the anchor #nowhere",
        "../outside.md: points outside the repository",
    ]


def test_citation_checker_reports_missing_anchors_and_old_notes(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "evidence.md").write_text(
        '# Evidence\n\n<a id="service-usage"></a>\n\n## Usage: the `sum`\n', "utf-8"
    )
    # Citations and old names are put together here, so that this file cites nothing itself.
    page, old_note = "docs/evidence.md", "real" + "-shapes"
    (tmp_path / "code.py").write_text(
        f"# Totals ({page}#service-usage), ({page}#usage-the-sum)\n"
        f"# Chunks ({page}#service-chunks)\n",
        "utf-8",
    )
    (tmp_path / "page.md").write_text(f"[evidence]({page}#evidence) and ({old_note} §2)\n", "utf-8")
    (tmp_path / "drive.mjs").write_text(f"// {page}#sdk-nope\n", "utf-8")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.mjs").write_text(f"// {page}#skipped\n", "utf-8")

    problems = [
        f"{p.page.name}:{p.line}: {p.message.split(':')[0]}"
        for p in docs_check.citation_problems(root=tmp_path)
    ]
    assert problems == [
        f"code.py:2: {page.removeprefix('docs/')}#service-chunks",
        f"drive.mjs:1: {page.removeprefix('docs/')}#sdk-nope",
        f"page.md:1: cites '{old_note}', a note outside the repository",
    ]


def test_link_checker_checks_web_links_without_fetching_them(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "[ok](https://ai.google.dev/gemini-api/docs/thought-signatures)\n"
        "<https://example.com/a_(b)> [bad](https://exa mple.com) [bad](http://:80/x)\n"
        "[bad](https://bad_host.com/) [bad](ftp://example.com/f)\n",
    )
    problems = [p.message for p in docs_check.link_problems(page, tmp_path)]
    assert problems == [
        "http://:80/x: malformed host ''",
        "](https://exa mple.com): not a link (a space in it?)",
        "https://bad_host.com/: malformed host 'bad_host.com'",
        "ftp://example.com/f: unexpected link scheme 'ftp'",
    ]


def test_link_checker_ignores_links_in_code(tmp_path: Path) -> None:
    page = _page(tmp_path, "`[no](missing.md)`\n\n```text\n[no](missing.md)\n```\n")
    assert docs_check.link_problems(page, tmp_path) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("SSE (`alt=sse`)", "sse-altsse"),
        ("`answer`, `response` or `sse`", "answer-response-or-sse"),
        ("JSON array (no `alt`)", "json-array-no-alt"),
        ("The fake's own routes", "the-fakes-own-routes"),
        ("`gemini-fake serve`", "gemini-fake-serve"),
        ("snake_case and **bold**", "snake_case-and-bold"),
        ("A [link](x.md) in it", "a-link-in-it"),
    ],
)
def test_anchors_are_githubs(heading: str, anchor: str) -> None:
    assert docs_check.slug(heading) == anchor


def test_repeated_headings_are_numbered(tmp_path: Path) -> None:
    page = _page(tmp_path, '# A\n## Notes\n## Notes\n<a id="here"></a>\n')
    assert docs_check.anchors(page) == {"a", "notes", "notes-1", "here"}


def test_fence_checker_wants_an_info_string_and_a_reason(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "```\nbare\n```\n\n<!-- not-run -->\n```python\nx = 1\n```\n\n"
        "<!-- not-run: redundant -->\n```text\nshown anyway\n```\n\n```python\nnever closed\n",
    )
    problems = [(p.line, p.message.split(":")[0]) for p in docs_check.fence_problems(page)]
    assert problems == [
        (1, "code fence without an info string"),
        (5, "write the reason"),
        (11, "not-run marks a ```text block, which never runs"),
        (15, "code fence never closed"),
    ]


def test_which_blocks_run(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        "```python\na = 1\n```\n\n<!-- not-run: needs a real key -->\n\n```sh\ncurl x\n```\n\n"
        "```json\n{}\n```\n\n- item\n\n   ```bash\n   echo indented\n   ```\n",
    )
    blocks = docs_check.blocks([page])
    assert [(b.info, b.runs, b.not_run) for b in blocks] == [
        ("python", True, None),
        ("sh", False, "needs a real key"),
        ("json", False, None),
        ("bash", True, None),
    ]
    assert blocks[3].code == "echo indented\n"


def _only_sample(tmp_path: Path, text: str) -> Any:
    [block] = docs_check.runnable([_page(tmp_path, text)])
    return block


def test_a_python_sample_runs_against_the_fake(tmp_path: Path) -> None:
    block = _only_sample(
        tmp_path,
        "```python\nimport gemini_ref as genai\n\n"
        'r = genai.Client().models.generate_content(model="gemini-2.5-flash", contents="hi")\n'
        "print(r.text)\n```\n",
    )
    assert docs_check.run(block).strip()


def test_a_failing_python_sample_fails(tmp_path: Path) -> None:
    block = _only_sample(tmp_path, "```python\nraise SystemExit('broken sample')\n```\n")
    with pytest.raises(docs_check.SampleFailed, match="broken sample"):
        docs_check.run(block)


def test_a_sample_whose_request_is_refused_fails(tmp_path: Path) -> None:
    block = _only_sample(
        tmp_path,
        "```sh\ncurl -s https://generativelanguage.googleapis.com/v1beta/models/nope "
        '-H "x-goog-api-key: $GEMINI_API_KEY"\n```\n',
    )
    with pytest.raises(docs_check.SampleFailed, match=r"GET /v1beta/models/nope -> 404"):
        docs_check.run(block)


def test_a_curl_sample_reaches_the_fake_at_the_services_url(tmp_path: Path) -> None:
    block = _only_sample(
        tmp_path,
        "```sh\ncurl -sf https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash"
        ' -H "x-goog-api-key: $GEMINI_API_KEY"\n```\n',
    )
    assert '"name": "models/gemini-2.5-flash"' in docs_check.run(block)


def test_a_failing_test_sample_fails(tmp_path: Path) -> None:
    block = _only_sample(
        tmp_path,
        "```python\ndef test_fails(gemini_fake):\n    assert gemini_fake.journal.entries\n```\n",
    )
    with pytest.raises(docs_check.SampleFailed, match="exit status 1"):
        docs_check.run(block)


def test_a_sample_names_files_the_guides_way(tmp_path: Path) -> None:
    block = _only_sample(
        tmp_path,
        "```python\nfrom PIL import Image\n\n"
        'assert Image.open("path/to/sample.jpg").format == "JPEG"\n```\n',
    )
    docs_check.run(block)


def test_generate_check_fails_on_a_stale_page(tmp_path: Path) -> None:
    for name in generate.PAGES:
        (tmp_path / name).write_text(generate.PAGES[name](), "utf-8")
    assert generate.main(["--check", "--dir", str(tmp_path)]) == 0
    (tmp_path / "cli.md").write_text("# an old page\n", "utf-8")
    assert generate.main(["--check", "--dir", str(tmp_path)]) == 1


def test_cli_page_picks_up_a_new_subcommand_and_option() -> None:
    from fake_server.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    new = commands.add_parser("replay", help="replay a journal")
    new.add_argument("--speed", type=float, default=1.0, help="how fast, e.g. 2")
    page = generate.cli_page(parser)
    assert "| [`gemini-fake replay`](#gemini-fake-replay) | replay a journal |" in page
    assert "| `--speed SPEED` | how fast, e.g. 2 | `1.0` | `gemini-fake replay --speed 2` |" in page


# --- messages.md: the message table as a page -----------------------------------------------


def test_messages_page_has_a_section_for_every_message_and_enum() -> None:
    from fake_server.protocol.messages import ENUMS, MESSAGES

    page = (ROOT / "docs" / "messages.md").read_text("utf-8")
    for name in MESSAGES:
        assert f"\n### `{name}`\n" in page, name
    for name in ENUMS:
        assert f"\n### enum `{name}`\n" in page, name


def test_messages_page_follows_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from fake_server.protocol import messages

    before = generate.messages_page()
    monkeypatch.setitem(messages.MESSAGES["Part"], "audioTrack", "AudioTrack")
    monkeypatch.setitem(messages.MESSAGES, "AudioTrack", {"channel": "enum:Channel"})
    monkeypatch.setitem(messages.ENUMS, "Channel", ("CHANNEL_UNSPECIFIED", "LEFT", "RIGHT"))
    after = generate.messages_page()
    assert after != before
    assert "| `audioTrack` | [`AudioTrack`](#audiotrack) |  |" in after
    shared = after.split("## Shared by requests and responses")[1].split("## Enums")[0]
    assert "\n### `AudioTrack`\n" in shared  # a part's field: in requests and answers alike
    assert "| `RIGHT` | 2 | may be sent |" in after
    monkeypatch.setitem(messages.MESSAGES, "Orphan", {"text": "string"})
    with pytest.raises(SystemExit, match="Orphan reached from no request or answer"):
        generate.messages_page()


def test_messages_page_names_the_messages_the_handlers_read() -> None:
    """The request of each method on the page is the message its handler reads the body as."""
    read = set()
    for module in (ROOT / "fake_server" / "api").glob("*.py"):
        read |= set(re.findall(r'call\.body\("(\w+)"\)', module.read_text("utf-8")))
    assert read == set(generate.REQUEST_ROOTS)


def _json_after(text: str, anchor: str) -> str:
    """The first ```json block after ``<a id="anchor">`` on a page."""
    found = re.search(rf'<a id="{anchor}"></a>\s*```json\n(.*?)\n```', text, re.DOTALL)
    assert found is not None, anchor
    return found.group(1)


def test_the_protocol_pages_complete_exchange_is_the_fakes(gemini_fake: Any) -> None:
    """docs/protocol.md#a-complete-exchange: its request, sent, gets its answer byte for byte,
    and counting the request's tokens gives the answer's promptTokenCount."""
    page = (ROOT / "docs" / "protocol.md").read_text("utf-8")
    request = json.loads(_json_after(page, "example-request"))
    shown = _json_after(page, "example-response")
    client = gemini_fake.client(headers={"x-goog-api-key": "k"})
    url = "/v1beta/models/gemini-2.5-flash"
    answer = client.post(f"{url}:generateContent", json=request)
    assert answer.status_code == 200
    assert answer.text == shown + "\n"
    wrapped = {"generateContentRequest": {"model": "models/gemini-2.5-flash", **request}}
    counted = client.post(f"{url}:countTokens", json=wrapped).json()
    assert counted["totalTokens"] == answer.json()["usageMetadata"]["promptTokenCount"]


def test_the_files_page_lists_exactly_the_mime_types_the_models_take() -> None:
    from fake_server.protocol.limits import SUPPORTED_MIME_TYPES, UPLOAD_ONLY_MIME_TYPES

    page = (ROOT / "docs" / "files.md").read_text("utf-8")
    end = page.index("\nSo **`application/octet-stream`**")
    section = page[page.index("\n## MIME types") : end]
    listed = set(re.findall(r"`([a-z0-9.+-]+(?:/[a-z0-9.+-]+)?)`", section.split("| kind |")[1]))

    assert listed == SUPPORTED_MIME_TYPES | UPLOAD_ONLY_MIME_TYPES
