"""Running the fake on a socket: from a shell until a signal stops it (:func:`listen`, then
:func:`serve_until_stopped`), or from Python in a thread, for tests, benchmarks and tools.

    with ThreadedServer(create_app()) as server:
        os.environ["GOOGLE_GEMINI_BASE_URL"] = server.base_url

The server binds its own socket (port 0 by default, so the OS picks a free one), runs uvicorn
in a daemon thread, and returns only once it accepts connections. The app it serves can be
swapped while it runs (:attr:`ThreadedServer.app`), which lets a test session keep one port and
still give every test a fresh fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from .http import stacks
from .http.responses import StreamAborted


class _NoStreamAborts(logging.Filter):
    """Drops uvicorn's traceback for a stream the fake dropped on purpose (``end: abort``), and
    for a request a stop cut off (uvicorn says that it cancelled it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, StreamAborted | asyncio.CancelledError)


def quiet_stream_aborts() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _NoStreamAborts) for f in logger.filters):
        logger.addFilter(_NoStreamAborts())


SHUTDOWN_SECONDS = 3  # how long a stop waits for open requests before it cuts them off


class ListenError(Exception):
    """The fake cannot listen where it was told to; the message says why, in one line."""


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host`` and ``port`` (0: a free one the OS picks), not yet
    accepting. A name is resolved first, and an IPv4 address of it is preferred, as uvicorn
    does; what cannot be bound raises :class:`ListenError`."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise ListenError(
            f"cannot listen on {host!r}: not an address, nor a name this machine resolves "
            f"({reason}); use an address such as 127.0.0.1, ::1 or 0.0.0.0"
        ) from None
    family, kind, proto, _, address = min(found, key=lambda a: a[0] != socket.AF_INET)
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart reuses the port
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ListenError(_bind_failure(host, port, exc)) from None
    return sock


def _bind_failure(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is in use (another gemini-fake?); "
            "pick another with --port, or --port 0 for a free one"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine"
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need privileges)"
    return f"cannot listen on {where}: {exc.strerror or exc}"


class _StoppingServer(uvicorn.Server):
    """uvicorn's server, without raising the signal that stopped it once more afterwards
    (uvicorn does, and the process then dies of it: status -15 instead of a clean stop's 0),
    and saying when it accepts connections (``on_ready``)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def serve_until_stopped(
    app: ASGIApp,
    sock: socket.socket,
    on_ready: Callable[[], None] = lambda: None,
    http: str = "httptools",
) -> None:
    """Serve ``app`` on ``sock`` (from :func:`listen`) until SIGINT or SIGTERM, then stop
    within :data:`SHUTDOWN_SECONDS` (a client that keeps a request open, such as an upload
    chunk, is cut off; what it sent is on disk) and return. ``on_ready`` is called once the
    socket accepts connections: whatever it announces can be used at once. ``http`` is the
    stack, as :func:`fake_server.http.stacks.resolve` names it."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        **stacks.uvicorn_options(http),
    )
    try:
        _StoppingServer(config, on_ready).run(sockets=[sock])
    finally:
        sock.close()


class _Swappable:
    """An ASGI app that forwards to whichever app is current."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # the fake has no start-up work; just say so
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


class ThreadedServer:
    """The fake on a socket, served from a thread. ``http`` chooses the stack (``auto``,
    ``h11``, ``httptools``; default ``GEMINI_FAKE_HTTP``, else ``auto``): :attr:`stack` says
    which runs."""

    def __init__(
        self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, http: str | None = None
    ) -> None:
        self._front = _Swappable(app)
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
        # and without it every keep-alive answer after the first waits ~40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self.stack = stacks.resolve(http)
        config = uvicorn.Config(
            self._front,
            log_level="warning",
            server_header=False,
            access_log=False,
            lifespan="on",
            **stacks.uvicorn_options(self.stack),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app(self) -> ASGIApp:
        return self._front.app

    @app.setter
    def app(self, app: ASGIApp) -> None:
        self._front.app = app

    def start(self) -> ThreadedServer:
        quiet_stream_aborts()
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the fake did not start on {self.base_url}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
