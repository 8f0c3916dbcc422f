"""``gemini-fake``: run the fake from a shell.

gemini-fake serve [--host 127.0.0.1] [--port 8080] [--fixtures DIR ...] [--strict]
                  [--api-key KEY ...] [--no-default-fixtures]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .app import create_app
from .config import FakeConfig
from .files import DEFAULT_QUOTA_BYTES
from .fixtures import FixtureError
from .server import quiet_stream_aborts
from .streams import Pacing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-fake", description="A fake of the Gemini API for tests and offline work."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind (default 8080)")
    serve.add_argument(
        "--fixtures",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="a directory of fixtures; repeat for more (they outrank the shipped ones)",
    )
    serve.add_argument(
        "--no-default-fixtures",
        action="store_true",
        help="do not load the fixtures shipped with the package",
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
    return parser


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
        default_fixtures=not args.no_default_fixtures,
        strict=args.strict,
        api_keys=frozenset(args.api_key),
        journal_limit=args.journal_limit or None,
        streaming=Pacing(
            args.first_event_delay, args.event_interval, args.end_streams_after, args.stream_end
        ),
        data_dir=args.data_dir,
        storage_quota_bytes=args.storage_quota,
        processing_seconds=_processing(args.processing_seconds),
    )


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
    import uvicorn

    try:
        config = config_from(args)
        config.streaming.check()
        app = create_app(config)
    except (FixtureError, ValueError) as exc:
        print(f"gemini-fake: {exc}", file=sys.stderr)
        return 2
    print(banner(args.host, args.port, config, len(app.state.fake.fixtures)), flush=True)
    quiet_stream_aborts()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
