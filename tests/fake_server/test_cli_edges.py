"""The command line as a new user meets it: every refused value says what is wanted under the
subcommand's own usage, a typo gets a suggestion, and options that would do nothing are refused
rather than ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_server.cli import build_parser, config_from, main

SHIPPED = Path(__file__).parents[2] / "fake_server" / "fixtures" / "data"


def refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What ``gemini-fake ARGV`` says on stderr as it exits with status 2."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "abc"], "argument --port: 'abc' is not a port number (0-65535)"),
        (["serve", "--port", "70000"], "argument --port: '70000' is not a port number"),
        (["record", "--upstream", "http://x", "--port", "-1"], "'-1' is not a port number"),
        (["serve", "--journal-limit", "x"], "argument --journal-limit: 'x' is not a whole number"),
        (["serve", "--end-streams-after", "2.5"], "'2.5' is not a whole number (0 or more)"),
        (["serve", "--journal-bytes", "lots"], "argument --journal-bytes: 'lots' is not a size"),
        (["serve", "--first-event-delay", "soon"], "'soon' is not a number of seconds"),
        (["serve", "--event-interval", "-1"], "'-1' is not a number of seconds (0 or more)"),
        (["serve", "--event-interval", "nan"], "'nan' is not a number of seconds"),
        (["record", "--upstream", "http://x", "--timeout", "inf"], "'inf' is not a number of"),
        (["serve", "--processing-seconds", "video"], "'video' is not KIND=SECONDS, e.g. video=2"),
        (["serve", "--processing-seconds", "video=x"], "'video=x': 'x' is not a number of seconds"),
        (["serve", "--faults", "no-such-file.json"], "argument --faults: no-such-file.json: "),
    ],
)
def test_every_refused_value_says_what_is_wanted(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    err = refusal(capsys, *argv)
    assert message in err
    assert f"usage: gemini-fake {argv[0]}" in err
    assert "invalid" not in err  # argparse's "invalid _port value" names a helper


def test_a_typo_in_an_option_shows_the_subcommands_usage_and_the_nearest_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refusal(capsys, "serve", "--strictt")
    assert err.startswith("usage: gemini-fake serve")
    assert err.endswith(
        "gemini-fake serve: error: unrecognized arguments: --strictt; did you mean --strict?\n"
    )
    err = refusal(capsys, "lint", "--fixx", str(SHIPPED))
    assert err.startswith("usage: gemini-fake lint")


def test_an_option_before_its_command_is_told_to_go_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refusal(capsys, "--strict", "serve")
    assert "--strict goes after the command: gemini-fake serve --strict ..." in err


def test_a_fixture_file_given_to_fixtures_names_the_directory_wanted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "some.json").write_text("{}")
    err = refusal(capsys, "serve", "--fixtures", str(tmp_path / "some.json"))
    assert f"{tmp_path / 'some.json'} is a file; --fixtures takes the directory" in err
    assert f"(here {tmp_path})" in err and "does not exist" not in err


def test_a_data_dir_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").write_text("")
    err = refusal(capsys, "serve", "--data-dir", str(tmp_path / "data"))
    assert f"argument --data-dir: {tmp_path / 'data'} is a file; --data-dir takes a dir" in err


def test_a_port_file_in_a_missing_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refusal(capsys, "serve", "--port-file", str(tmp_path / "no" / "port"))
    assert f"the directory {tmp_path / 'no'} does not exist" in err


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512", 512),
        ("512B", 512),
        ("10GB", 10_000_000_000),
        ("10gb", 10_000_000_000),
        ("1.5 MB", 1_500_000),
        ("1KB", 1000),
        ("1KiB", 1024),
        ("64MiB", 64 * 1024**2),
        ("2GiB", 2 * 1024**3),
    ],
)
def test_sizes_take_si_and_binary_units(text: str, size: int) -> None:
    args = build_parser().parse_args(["serve", "--storage-quota", text, "--journal-bytes", text])
    assert config_from(args).storage_quota_bytes == size
    assert config_from(args).journal_bytes == size


def test_an_unknown_unit_lists_the_units(capsys: pytest.CaptureFixture[str]) -> None:
    err = refusal(capsys, "serve", "--storage-quota", "10G")
    assert "one of B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024)" in err


def test_processing_seconds_takes_only_kinds_an_upload_can_have(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refusal(capsys, "serve", "--processing-seconds", "pdf=3")
    assert "'pdf' is not a kind of file" in err
    assert "one of application, audio, image, text, video" in err
    assert "a PDF is application/pdf: application=3" in err
    args = build_parser().parse_args(
        ["serve", "--processing-seconds", "Application=3", "--processing-seconds", "video=0.5"]
    )
    assert config_from(args).processing_seconds == {
        "video": 0.5,
        "audio": 0.0,
        "application": 3.0,
    }


def test_stream_end_alone_is_refused_because_no_stream_would_end_early(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = refusal(capsys, "serve", "--stream-end", "abort")
    assert "--stream-end abort needs --end-streams-after N" in err
    assert "usage: gemini-fake serve" in err
    args = build_parser().parse_args(["serve", "--end-streams-after", "2", "--stream-end", "abort"])
    assert config_from(args).streaming.end == "abort"
    assert config_from(build_parser().parse_args(["serve"])).streaming.end == "close"


def test_lint_takes_a_fixture_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = next(SHIPPED.glob("*.json"))
    assert main(["lint", str(one)]) == 0
    assert capsys.readouterr().out == "1 fixture checked, 0 problems\n"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"match": {}, "answer": {"txt": "hi"}}))
    assert main(["lint", str(bad), str(one)]) == 1
    assert capsys.readouterr().out.endswith("2 fixtures checked, 1 problem\n")


def test_lint_of_a_directory_without_fixtures_fails_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (
        f"gemini-fake lint: no fixtures in {tmp_path} (no *.json files in it)\n"
        "0 fixtures checked, 0 problems\n"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("stream.sse", "is a stream a fixture names; lint the fixture (*.json) that names it"),
        ("notes.txt", "is not a fixture file (*.json) or a directory of them"),
        ("missing.json", "does not exist"),
    ],
)
def test_lint_refuses_what_is_not_a_fixture_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    if name != "missing.json":
        (tmp_path / name).write_text("")
    assert main(["lint", str(tmp_path / name)]) == 2
    assert capsys.readouterr().out == f"gemini-fake lint: {tmp_path / name} {message}\n"
