"""``gemini-fake``: run the fake from a shell (docs/cli.md).

gemini-fake serve [--host 127.0.0.1] [--port 8080] [--fixtures DIR ...] [--strict] ...
gemini-fake record --upstream URL [--fixtures DIR] [--on-miss] [--overwrite] ...
gemini-fake lint DIR ...
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp

from .api.routes import create_app
from .config import FakeConfig, Pacing
from .fixtures.format import FixtureError
from .protocol.errors import ApiError
from .protocol.limits import DEFAULT_QUOTA_BYTES
from .record import RecordConfig, create_record_app
from .server import quiet_stream_aborts, serve_until_stopped


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-fake", description="A fake of the Gemini API for tests and offline work."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port to bind (default 8080)")
    serve.add_argument(
        "--fixtures",
        action="append",
        type=Path,
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
        type=int,
        default=10_000,
        metavar="N",
        help="keep only the latest N requests in the journal (default 10000; 0 keeps all)",
    )
    serve.add_argument(
        "--faults",
        type=Path,
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
        type=int,
        default=256 * 1024 * 1024,
        metavar="BYTES",
        help="keep only the latest requests whose bodies add up to BYTES (default 256 MiB)",
    )
    files = serve.add_argument_group("files")
    files.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep uploads and files here, across restarts (default: a temporary directory)",
    )
    files.add_argument(
        "--storage-quota",
        type=int,
        default=DEFAULT_QUOTA_BYTES,
        metavar="BYTES",
        help="the project's file storage (default 20 GB, as the service)",
    )
    files.add_argument(
        "--processing-seconds",
        action="append",
        default=[],
        metavar="KIND=SECONDS",
        help="how long new files of a kind stay PROCESSING, e.g. video=2 (default video=2, "
        "audio=0); repeatable",
    )
    stream = serve.add_argument_group("streams (to exercise apps' spinners, timeouts and errors)")
    stream.add_argument(
        "--first-event-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long before a stream's first event",
    )
    stream.add_argument(
        "--event-interval",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long between a stream's events",
    )
    stream.add_argument(
        "--end-streams-after",
        type=int,
        default=None,
        metavar="N",
        help="end every stream after N events (see --stream-end)",
    )
    stream.add_argument(
        "--stream-end",
        choices=Pacing.ENDS,
        default="close",
        help="how a stream ended early ends: a clean close, a dropped connection, "
        "or an error event (default close)",
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
    record.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    record.add_argument("--port", type=_port, default=8080, help="port to bind (default 8080)")
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
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for the upstream (default 600)",
    )
    lint = commands.add_parser(
        "lint",
        help="check fixtures against the real service's shapes",
        description="Check every fixture in each DIR (and the .sse files they name) against the "
        "shapes the real service sends (docs/fixture-lint.md). Exit status 0: clean; 1: problems; "
        "2: unusable input.",
    )
    lint.add_argument(
        "directories", nargs="+", type=Path, metavar="DIR", help="a fixture directory"
    )
    return parser


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0 to 65535)")
    return port


def _processing(pairs: list[str]) -> dict[str, float]:
    seconds = {"video": 2.0, "audio": 0.0}
    for pair in pairs:
        kind, _, value = pair.partition("=")
        try:
            seconds[kind.strip().lower()] = float(value)
        except ValueError:
            raise ValueError(f"--processing-seconds takes KIND=SECONDS, not {pair!r}") from None
    return seconds


def config_from(args: argparse.Namespace) -> FakeConfig:
    return FakeConfig(
        fixture_dirs=tuple(args.fixtures),
        default_fixtures=args.default_fixtures,
        strict=args.strict,
        api_keys=frozenset(args.api_key),
        journal_limit=args.journal_limit or None,
        journal_bytes=args.journal_bytes,
        streaming=Pacing(
            args.first_event_delay, args.event_interval, args.end_streams_after, args.stream_end
        ),
        data_dir=args.data_dir,
        storage_quota_bytes=args.storage_quota,
        processing_seconds=_processing(args.processing_seconds),
        faults=_faults(args.faults),
        quotas=tuple(args.quota),
    )


def _faults(path: Path | None) -> tuple[dict[str, Any], ...]:
    """The fault rules of a ``--faults`` file: a JSON list of rules (docs/faults.md)."""
    if path is None:
        return ()
    try:
        rules = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"--faults {path}: {exc}") from None
    if not isinstance(rules, list):
        raise ValueError(f"--faults {path}: the file holds a JSON list of fault rules")
    return tuple(rules)


def banner(host: str, port: int, config: FakeConfig, fixture_count: int) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"
    key = next(iter(sorted(config.api_keys)), "any-key")
    mode = (
        "strict (misses are errors)" if config.strict else "lenient (misses get synthetic answers)"
    )
    return "\n".join(
        [
            f"gemini-fake listening on {url}",
            f"  {fixture_count} fixtures loaded; {mode}",
            "Point an app or an official SDK at it:",
            f"  export GOOGLE_GEMINI_BASE_URL={url}",
            f"  export GEMINI_API_KEY={key}",
            f"Journal of received requests: {url}/__fake__/journal",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "lint":
        from .fixtures.lint import main as lint

        return lint(args.directories, sys.stdout)
    if args.command == "record":
        return _record(args)
    try:
        config = config_from(args)
        config.streaming.check()
        app = create_app(config)
    except (FixtureError, ValueError, ApiError) as exc:
        print(f"gemini-fake: {exc}", file=sys.stderr)
        return 2
    print(banner(args.host, args.port, config, len(app.state.fake.fixtures)), flush=True)
    _run(app, args.host, args.port)
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
        app = create_record_app(config)
    except (FixtureError, OSError) as exc:
        print(f"gemini-fake: {exc}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(
        "\n".join(
            [
                f"gemini-fake recording {args.upstream} on {url}",
                f"  fixtures are written to {args.fixtures}"
                + ("; requests they answer are not sent upstream" if args.on_miss else ""),
                "Point an app or an official SDK at it, with your own key:",
                f"  export GOOGLE_GEMINI_BASE_URL={url}",
            ]
        ),
        flush=True,
    )
    _run(app, args.host, args.port)
    return 0


def _run(app: ASGIApp, host: str, port: int) -> None:
    quiet_stream_aborts()
    serve_until_stopped(app, host, port)


if __name__ == "__main__":
    raise SystemExit(main())
