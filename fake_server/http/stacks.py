"""The HTTP stacks the fake runs on, and one behaviour for both on what HTTP itself refuses.

uvicorn parses HTTP with ``httptools`` (llhttp, in C) on ``uvloop``, or with ``h11`` (pure
Python) on asyncio's own loop. The fast stack is the default wherever both are installed
(``auto``); ``h11`` is the pure-Python one, which every platform has. ``GEMINI_FAKE_HTTP``
(``auto``, ``h11`` or ``httptools``) sets the default for ``gemini-fake serve`` and for
:class:`~fake_server.server.ThreadedServer`, so a whole test run can use either.

The two parsers refuse different things, and answer a refusal differently; the protocol classes
here make them one (docs/protocol.md#malformed-http):

- a request either parser cannot read, an HTTP version other than 1.0 or 1.1, an HTTP/1.1
  request without ``Host``, one with both ``Transfer-Encoding`` and ``Content-Length``, or a
  request head whose lines end in a bare LF is answered 400 in the Google envelope (``Invalid
  HTTP request received.``, ``INVALID_ARGUMENT``), with ``Date``, ``Content-Type``,
  ``Content-Length`` and ``Connection: close``, the same bytes from both;
- an HTTP/1.0 client gets answers that say their length (``Content-Length``), unary and
  streamed, as HTTP/1.0 has no chunked framing (:func:`..responses.for_http10`); both stacks
  then frame them alike.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..protocol.errors import invalid_argument
from ..protocol.wire import dumps_pretty

CHOICES = ("auto", "h11", "httptools")
ENV = "GEMINI_FAKE_HTTP"
REFUSAL = "Invalid HTTP request received."
H11_HEAD_LIMIT = 16 * 1024  # h11's (and uvicorn's) default for a request head
_REFUSAL_BODY = dumps_pretty(invalid_argument(REFUSAL).envelope())


def fast_stack_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("httptools", "uvloop"))


def default_choice() -> str:
    """``GEMINI_FAKE_HTTP`` when set to one of :data:`CHOICES`, else ``auto``."""
    chosen = os.environ.get(ENV, "auto").strip().lower()
    return chosen if chosen in CHOICES else "auto"


def resolve(choice: str | None = None) -> str:
    """The stack ``choice`` (default: :func:`default_choice`) runs on: ``httptools`` or
    ``h11``. ``auto`` is the fast one where it is installed; asking for ``httptools`` where it
    is not raises ValueError."""
    choice = choice or default_choice()
    if choice not in CHOICES:
        raise ValueError(f"unknown HTTP stack {choice!r}; use one of {', '.join(CHOICES)}")
    if choice == "auto":
        return "httptools" if fast_stack_installed() else "h11"
    if choice == "httptools" and not fast_stack_installed():
        raise ValueError("the httptools stack needs httptools and uvloop installed")
    return choice


def describe(stack: str) -> str:
    """What the banner says of a stack."""
    return "httptools on uvloop" if stack == "httptools" else "h11 on asyncio"


def uvicorn_options(stack: str) -> dict[str, Any]:
    """The ``uvicorn.Config`` arguments for ``stack``: its protocol class and event loop."""
    if stack == "httptools":
        return {"http": FastProtocol, "loop": "uvloop"}
    return {"http": PureProtocol, "loop": "asyncio"}


def refusal(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The 400 both stacks answer to a request HTTP refuses; the connection closes after it."""
    head = [b"HTTP/1.1 400 Bad Request\r\n"]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head += [
        b"content-type: application/json; charset=UTF-8\r\n",
        b"content-length: " + str(len(_REFUSAL_BODY)).encode() + b"\r\n",
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + _REFUSAL_BODY


def head_problem(version: bytes, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a parsed request head breaks a rule one parser keeps and the other does not."""
    if version not in (b"1.0", b"1.1"):
        return True
    names = {name.lower() for name, _ in headers}
    if b"transfer-encoding" in names and b"content-length" in names:
        return True
    return version == b"1.1" and b"host" not in names


def bare_line_feed(head: bytes) -> bool:
    """Whether a request head (or the start of one) ends a line with LF alone."""
    return head.count(b"\n") != head.count(b"\r\n")


class _StrictConnection(h11.Connection):
    """h11's server side, refusing the heads httptools refuses (:func:`head_problem`)."""

    def next_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request) and head_problem(event.http_version, event.headers):
            raise h11.RemoteProtocolError(REFUSAL, error_status_hint=400)
        return event


class PureProtocol(H11Protocol):
    """uvicorn's h11 protocol, refusing what httptools refuses, as it refuses it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = self.config.h11_max_incomplete_event_size or H11_HEAD_LIMIT
        self.conn = _StrictConnection(h11.SERVER, limit)
        self._head_tail = b""  # the last bytes of a request head still being read

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # reading a request head: its line ends
            seen = self._head_tail + data
            end = seen.find(b"\r\n\r\n")
            if bare_line_feed(seen if end < 0 else seen[: end + 4]):
                self.send_400_response(REFUSAL)
                return
            self._head_tail = seen[-3:] if end < 0 else b""
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        self.transport.write(refusal(self.server_state.default_headers))
        self.transport.close()


def _fast_protocol() -> type:
    """The httptools protocol class, built only where httptools is installed."""
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class Fast(HttpToolsProtocol):
        """uvicorn's httptools protocol, refusing what h11 refuses, as it refuses it."""

        def on_headers_complete(self) -> None:
            # llhttp refuses the rest of head_problem's cases itself; only Host is left (it is
            # nearly always the first header: that is looked at before anything else)
            headers = self.headers
            if (
                not (headers and headers[0][0] == b"host")
                and self.parser.get_http_version() == "1.1"
                and all(name != b"host" for name, _ in headers)
            ):
                raise httptools.HttpParserError(REFUSAL)
            super().on_headers_complete()

        def send_400_response(self, msg: str) -> None:
            self.transport.write(refusal(self.server_state.default_headers))
            self.transport.close()

    return Fast


FastProtocol: Any = _fast_protocol() if fast_stack_installed() else None
