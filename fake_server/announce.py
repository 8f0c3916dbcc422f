"""What ``gemini-fake serve`` and ``record`` say once they listen, and only then: the banner on
stdout (where, which fixtures, how misses are treated, what to export) and, when asked, the port
in a file written atomically, so a script that started the fake with ``--port 0`` can wait for
the file and connect at once (docs/js-test-runners.md). And the log on stderr they keep while
they run: a line per request unless ``--quiet``."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from starlette.types import ASGIApp

from .config import FakeConfig
from .fixtures.format import SHIPPED_RANK, Fixture
from .http import access, stacks
from .server import quiet_stream_aborts, serve_until_stopped


def fixture_counts(
    config: FakeConfig, fixtures: Sequence[Fixture]
) -> tuple[list[tuple[Path, int]], int | None]:
    """How many fixtures came from each ``--fixtures`` directory, and from the shipped ones
    (None when they are not loaded)."""
    ranks = Counter(fixture.rank for fixture in fixtures)
    mine = [(directory, ranks[rank]) for rank, directory in enumerate(config.fixture_dirs)]
    return mine, ranks[SHIPPED_RANK] if config.shipped_fixtures else None


def banner(
    host: str,
    port: int,
    config: FakeConfig,
    directories: Sequence[tuple[Path, int]],
    shipped: int | None,
    stack: str = "httptools",
) -> str:
    """What ``serve`` prints once it listens: where, which fixtures it answers from, how it
    treats misses, and what an app needs in its environment."""
    url = base_url(host, port)
    key = next(iter(sorted(config.api_keys)), "any-key")
    mode = (
        "strict (misses are errors)" if config.strict else "lenient (misses get synthetic answers)"
    )
    return "\n".join(
        [
            f"gemini-fake listening on {url}",
            *_fixture_lines(config, directories, shipped),
            f"  {mode}",
            f"  HTTP: {stacks.describe(stack)}",
            "Point an app or an official SDK at it:",
            f"  export GOOGLE_GEMINI_BASE_URL={url}",
            f"  export GEMINI_API_KEY={key}",
            "See what it receives:",
            f"  {url}/__fake__/  (the inspector page)",
            f"  gemini-fake journal --url {url} --follow",
        ]
    )


def _fixture_lines(
    config: FakeConfig, directories: Sequence[tuple[Path, int]], shipped: int | None
) -> list[str]:
    lines = []
    for directory, found in directories:
        lines.append(f"  {_plural(found, 'fixture')} from {directory}")
        if not found:
            lines.append(f"  warning: {directory} holds no fixtures (no *.json files in it)")
    if shipped is not None:
        lines.append(f"  {_plural(shipped, 'fixture')} shipped with the package")
    elif config.default_fixtures is False:
        lines.append("  shipped fixtures off (--no-default-fixtures)")
    else:
        lines.append("  shipped fixtures off (--strict leaves them out; --default-fixtures loads)")
    return lines


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def base_url(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


LOG_LEVELS = ("info", "warning", "error")


@contextlib.contextmanager
def console_logging(level: str, stream: TextIO | None = None) -> Iterator[None]:
    """While in the block, the fake's log on stderr (or ``stream``) at ``level``: at ``info`` a
    line per request (the access log, :mod:`fake_server.http.access`), at ``warning`` only what
    went wrong (a fault of the fake's own, with its traceback), at ``error`` less still."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("gemini_fake")
    before = logger.handlers[:], logger.level, logger.propagate
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
    lines = access.Batched(stream) if level == "info" else None
    access.write_to(lines)
    try:
        yield
    finally:
        access.write_to(None)
        if lines is not None:
            lines.close()
        logger.handlers[:], logger.level, logger.propagate = before


def run(
    app: ASGIApp,
    sock: socket.socket,
    port_file: Path | None,
    announce: Callable[[int], str],
    log_level: str = "info",
    stack: str = "httptools",
) -> None:
    """Serve on ``sock`` until stopped, logging at ``log_level`` on stderr; once it accepts
    connections, write the port file and print the banner (so whoever reads either can connect
    at once)."""
    port: int = sock.getsockname()[1]

    def ready() -> None:
        if port_file is not None:
            _write_atomically(port_file, f"{port}\n")
        print(announce(port), flush=True)

    quiet_stream_aborts()
    if port_file is not None:
        port_file.unlink(missing_ok=True)  # a stale port from an earlier run must not be read
    try:
        with console_logging(log_level):
            serve_until_stopped(app, sock, ready, stack)
    finally:
        if port_file is not None:
            port_file.unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    """``text`` in ``path``, appearing whole or not at all to a reader polling for it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, "utf-8")
    os.replace(partial, path)
