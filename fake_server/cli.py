"""``gemini-fake``: run the fake from a shell (docs/cli.md).

gemini-fake serve [--host 127.0.0.1] [--port 8080] [--port-file FILE] [--fixtures DIR ...] ...
gemini-fake record --upstream URL [--fixtures DIR] [--on-miss] [--overwrite] ...
gemini-fake lint PATH ...
gemini-fake journal [--url URL] [--follow] [--seq N] [--json]

``serve`` and ``record`` bind their socket first (a busy port or an unknown host is one line on
stderr and status 2), and say where they listen only once it accepts connections: the banner on
stdout and, with ``--port-file``, the port in a file, so ``--port 0`` can be used from scripts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from . import follow
from .announce import LOG_LEVELS, banner, base_url, fixture_counts, run
from .api.routes import create_app
from .cli_args import (
    byte_size,
    count,
    data_directory,
    fault_file,
    fixture_directory,
    kind_seconds,
    parse_command_line,
    port,
    port_file,
    seconds,
    subcommand_parser,
)
from .config import FakeConfig, Pacing
from .fixtures.format import FixtureError
from .http import stacks
from .protocol.errors import ApiError
from .protocol.limits import DEFAULT_QUOTA_BYTES
from .record import RecordConfig, create_record_app
from .server import ListenError, listen


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-fake", description="A fake of the Gemini API for tests and offline work."
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake over HTTP")
    _listening(serve)
    serve.add_argument(
        "--fixtures",
        action="append",
        type=fixture_directory,
        default=[],
        metavar="DIR",
        help="a directory of fixtures; repeat for more (they outrank the shipped ones)",
    )
    shipped = serve.add_mutually_exclusive_group()
    shipped.add_argument(
        "--no-default-fixtures",
        dest="default_fixtures",
        action="store_false",
        default=None,
        help="do not load the fixtures shipped with the package",
    )
    shipped.add_argument(
        "--default-fixtures",
        dest="default_fixtures",
        action="store_true",
        help="load the shipped fixtures even with --strict (which leaves them out by default)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="answer requests no fixture matches with an error instead of a synthetic answer",
    )
    serve.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY",
        help="accept only this key (repeatable); by default any key is accepted",
    )
    serve.add_argument(
        "--journal-limit",
        type=count,
        default=10_000,
        metavar="N",
        help="keep only the latest N requests in the journal (default 10000; 0 keeps all)",
    )
    serve.add_argument(
        "--faults",
        type=fault_file,
        default=None,
        metavar="FILE",
        help="fault rules in force from the start: a JSON list (docs/faults.md); kept by a reset",
    )
    serve.add_argument(
        "--quota",
        action="append",
        default=[],
        metavar="MODEL:LIMITS",
        help="limit a model's generate calls, e.g. gemini-2.5-flash:rpm=10,tpm=250000,rpd=250 "
        "(repeatable; docs/faults.md)",
    )
    serve.add_argument(
        "--journal-bytes",
        type=byte_size,
        default=256 * 1024 * 1024,
        metavar="BYTES",
        help="keep only the latest requests whose bodies add up to BYTES, e.g. 64MiB "
        "(default 256 MiB)",
    )
    files = serve.add_argument_group("files")
    files.add_argument(
        "--data-dir",
        type=data_directory,
        default=None,
        metavar="DIR",
        help="keep uploads and files here, across restarts (default: a temporary directory)",
    )
    files.add_argument(
        "--storage-quota",
        type=byte_size,
        default=DEFAULT_QUOTA_BYTES,
        metavar="BYTES",
        help="the project's file storage, in bytes or with a unit: 500MB, 2GiB "
        "(default 20 GiB, the service's 20 GB)",
    )
    files.add_argument(
        "--processing-seconds",
        action="append",
        type=kind_seconds,
        default=[],
        metavar="KIND=SECONDS",
        help="how long new files of a kind (video, audio, image, text, application: the first "
        "part of their MIME type) stay PROCESSING, e.g. video=2 (default video=2, others 0); "
        "repeatable",
    )
    serve.add_argument(
        "--batch-delay",
        type=seconds,
        default=300.0,
        metavar="SECONDS",
        help="how long a batch takes on the fake's clock, PENDING for its first fifth, then "
        "RUNNING, then done (default 300; 0: done at once)",
    )
    stream = serve.add_argument_group("streams (to exercise apps' spinners, timeouts and errors)")
    stream.add_argument(
        "--first-event-delay",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long before a stream's first event",
    )
    stream.add_argument(
        "--event-interval",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="wait this long between a stream's events",
    )
    stream.add_argument(
        "--end-streams-after",
        type=count,
        default=None,
        metavar="N",
        help="end every stream after N events (see --stream-end)",
    )
    stream.add_argument(
        "--stream-end",
        choices=Pacing.ENDS,
        default=None,
        help="how a stream ended early by --end-streams-after ends (only with it): a clean "
        "close, a dropped connection, or an error event (default close)",
    )
    record = commands.add_parser(
        "record",
        help="proxy to a real endpoint and keep its answers as fixtures",
        description="Serve as a proxy in front of UPSTREAM and write every generate call that "
        "passes through as a fixture in DIR (docs/fixtures.md#recording). API keys are never "
        "written.",
    )
    record.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="where requests go, e.g. https://generativelanguage.googleapis.com",
    )
    record.add_argument(
        "--fixtures",
        type=Path,
        default=Path("fixtures"),
        metavar="DIR",
        help="where recordings are written (default ./fixtures; created 0700)",
    )
    _listening(record)
    record.add_argument(
        "--on-miss",
        action="store_true",
        help="answer from DIR's fixtures when one matches; go upstream and record only the rest",
    )
    record.add_argument(
        "--overwrite",
        action="store_true",
        help="replace recordings already in DIR (by default they are kept and not re-recorded)",
    )
    record.add_argument(
        "--timeout",
        type=seconds,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for the upstream (default 600)",
    )
    lint = commands.add_parser(
        "lint",
        help="check fixtures against the real service's shapes",
        description="Check each fixture file and every fixture in each directory (and the "
        ".sse files they name) against the shapes the real service sends "
        "(docs/fixture-lint.md). Exit status 0: clean; 1: problems, or no fixture found; "
        "2: unusable input.",
    )
    lint.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a fixture directory or a fixture file (*.json)",
    )
    follow.add_command(commands)
    return parser


def _listening(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default="info",
        help="what is printed on stderr: info (the default) prints a line per request (the "
        "access log), warning only what went wrong",
    )
    command.add_argument(
        "--quiet", action="store_true", help="no line per request (the same as --log-level warning)"
    )
    command.add_argument(
        "--http",
        choices=stacks.CHOICES,
        default=None,
        help="the HTTP stack: httptools on uvloop, h11 on asyncio (pure Python), or auto, the "
        f"first where it is installed (default: ${stacks.ENV}, else auto)",
    )
    command.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    command.add_argument(
        "--port", type=port, default=8080, help="port to bind (default 8080; 0 picks a free one)"
    )
    command.add_argument(
        "--port-file",
        type=port_file,
        default=None,
        metavar="FILE",
        help="once listening, write the port to FILE (atomically; removed on a clean stop): "
        "for scripts that start it with --port 0",
    )


def log_level(args: argparse.Namespace) -> str:
    return "warning" if args.quiet else str(args.log_level)


def _version() -> str:
    try:
        return metadata.version("gemini-ref")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "(not installed)"


def check_serve_options(args: argparse.Namespace) -> str | None:
    """Why ``args`` ask ``serve`` for something it would not do, if they do."""
    if args.stream_end is not None and args.end_streams_after is None:
        return (
            f"--stream-end {args.stream_end} needs --end-streams-after N: streams end early "
            "only after N events, and --stream-end says how"
        )
    return None


def config_from(args: argparse.Namespace) -> FakeConfig:
    return FakeConfig(
        fixture_dirs=tuple(args.fixtures),
        default_fixtures=args.default_fixtures,
        strict=args.strict,
        api_keys=frozenset(args.api_key),
        journal_limit=args.journal_limit or None,
        journal_bytes=args.journal_bytes,
        streaming=Pacing(
            args.first_event_delay,
            args.event_interval,
            args.end_streams_after,
            args.stream_end or "close",
        ),
        data_dir=args.data_dir,
        storage_quota_bytes=args.storage_quota,
        processing_seconds={"video": 2.0, "audio": 0.0, **dict(args.processing_seconds)},
        faults=args.faults or (),
        quotas=tuple(args.quota),
        batch_delay=args.batch_delay,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse_command_line(parser, argv)
    if args.command == "lint":
        from .fixtures.lint import main as lint

        return lint(args.paths, sys.stdout)
    if args.command == "journal":
        return follow.run(args)
    if args.command == "record":
        return _record(args)
    refusal = check_serve_options(args)
    if refusal:
        subcommand_parser(parser, args).error(refusal)
    try:
        config = config_from(args)
        config.streaming.check()
        stack = stacks.resolve(args.http)
        app = create_app(config)
        sock = listen(args.host, args.port)
    except (FixtureError, ValueError, ApiError, ListenError, OSError) as exc:
        print(f"gemini-fake: {exc}", file=sys.stderr)
        return 2
    directories, shipped = fixture_counts(config, app.state.fake.fixtures.fixtures)
    run(
        app,
        sock,
        args.port_file,
        lambda port: banner(args.host, port, config, directories, shipped, stack),
        log_level(args),
        stack,
    )
    return 0


def _record(args: argparse.Namespace) -> int:
    upstream = urlsplit(args.upstream)
    if (
        upstream.scheme not in ("http", "https")
        or not upstream.hostname
        or upstream.query
        or upstream.username is not None
    ):
        print(
            "gemini-fake: --upstream takes a base URL like https://host[:port], with no "
            "credentials or query in it (keys go in the requests, not in the URL)",
            file=sys.stderr,
        )
        return 2
    config = RecordConfig(
        args.upstream,
        args.fixtures,
        overwrite=args.overwrite,
        on_miss=args.on_miss,
        timeout=args.timeout,
    )
    try:
        stack = stacks.resolve(args.http)
        app = create_record_app(config)
        sock = listen(args.host, args.port)
    except (FixtureError, OSError, ListenError, ValueError) as exc:
        print(f"gemini-fake: {exc}", file=sys.stderr)
        return 2

    def announce(port: int) -> str:
        url = base_url(args.host, port)
        return "\n".join(
            [
                f"gemini-fake recording {args.upstream} on {url}",
                f"  HTTP: {stacks.describe(stack)}",
                f"  fixtures are written to {args.fixtures}"
                + ("; requests they answer are not sent upstream" if args.on_miss else ""),
                "Point an app or an official SDK at it, with your own key:",
                f"  export GOOGLE_GEMINI_BASE_URL={url}",
            ]
        )

    run(app, sock, args.port_file, announce, log_level(args), stack)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
