"""Record mode: a proxy in front of a real endpoint that keeps what it answers as fixtures.

``gemini-fake record --upstream URL --fixtures DIR`` serves the same paths as the fake. Every
request goes on to ``URL`` unchanged (the caller's API key included, so the recording uses the
caller's own account) and its answer comes back unchanged, streams passed on as they arrive.
Each generate call, unary or streamed, is also written to ``DIR`` as one fixture
(docs/fixtures.md#recording): the request as its ``match``, the answer as ``response`` or, for a
stream, a ``.sse`` file holding the bytes exactly as they came.

What reaches the disk is an allow-list, not the traffic minus a deny-list: the canonical request
body, the response body, its status, the upstream's origin and path, the time, and the
``Content-Type``. No request header, no query string. API keys and bearer tokens the caller
sent, and anything shaped like a Google API key, are replaced by ``REDACTED`` wherever they
appear in what is kept. Files are created 0600 in a 0700 directory, and an existing recording
is never replaced unless ``overwrite`` is set.

With ``on_miss``, requests that a fixture in ``DIR`` already answers are answered by the fake
from it, and only the others go upstream: a fixture set grows to cover what an app sends.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from .app import create_app
from .config import FakeConfig
from .errors import ApiError, error_response
from .fixtures import Call, Fixture, last_user_text, request_key
from .fixtures import load as load_fixtures
from .schema import transcode
from .streams import parse_sse
from .wire import dumps_event

REDACTED = "REDACTED"
GOOGLE_API_KEY = re.compile(rb"AIza[0-9A-Za-z_\-]{35}")
GENERATE_PATH = re.compile(
    r"^/(?P<version>v1beta|v1|v1alpha)/models/(?P<model>[^/:]+):"
    r"(?P<rpc>generateContent|streamGenerateContent)$"
)
# Never passed on in either direction: they describe one hop, not the message.
HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "accept-encoding",
    }
)
# Response headers whose value is a URL on the upstream: rewritten to point at the recorder,
# so an upload started through it continues through it.
URL_HEADERS = ("x-goog-upload-url", "x-goog-upload-control-url", "location")


@dataclass(frozen=True)
class RecordConfig:
    upstream: str  # e.g. https://generativelanguage.googleapis.com
    directory: Path
    overwrite: bool = False  # replace recordings already in the directory
    on_miss: bool = False  # answer from the directory's fixtures when one matches
    timeout: float = 600.0
    log: TextIO = field(default=sys.stderr, compare=False)


@dataclass
class Exchange:
    """One generate call on its way through: what was asked, and the secrets it carried."""

    rpc: str
    model: str
    request: dict[str, Any]  # transcoded (camelCase, standard base64), not yet redacted
    secrets: list[bytes]
    status: int = 0
    content_type: str = ""
    body: bytearray = field(default_factory=bytearray)


class Recorder:
    """The record-mode ASGI app (see the module docstring)."""

    def __init__(self, config: RecordConfig) -> None:
        self.config = config
        self.upstream = config.upstream.rstrip("/")
        self.writer = FixtureWriter(config.directory, overwrite=config.overwrite, log=config.log)
        self.replayer = (
            create_app(
                FakeConfig(fixture_dirs=(config.directory,), default_fixtures=False, strict=True)
            )
            if config.on_miss
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        request = Request(scope, receive)
        generate = GENERATE_PATH.match(scope["path"])
        if generate is None or request.method != "POST":
            await self._forward(request, request.stream(), send, None)
            return
        body = await request.body()
        exchange = self._exchange(request, generate["rpc"], generate["model"], body)
        if exchange is not None and self._answered_here(exchange):
            assert self.replayer is not None
            await self.replayer(scope, _replay(body, receive), send)
            return
        await self._forward(request, body, send, exchange)

    def _exchange(self, request: Request, rpc: str, model: str, body: bytes) -> Exchange | None:
        """The call to record, or None when its body is not a request (then it is only passed
        on, and the upstream's error goes back to the caller)."""
        try:
            transcoded = transcode(json.loads(body), "GenerateContentRequest")
        except (ValueError, TypeError, ApiError):
            return None
        return Exchange(rpc, model, transcoded, _secrets(request))

    def _answered_here(self, exchange: Exchange) -> bool:
        if self.replayer is None:
            return False
        fixtures = self.replayer.state.fake.fixtures
        found = fixtures.find(Call(exchange.rpc, exchange.model, exchange.request), advance=False)
        return isinstance(found, Fixture)

    async def _forward(
        self,
        request: Request,
        content: bytes | AsyncIterator[bytes],
        send: Send,
        exchange: Exchange | None,
    ) -> None:
        """Send the request upstream and its answer back as it arrives; keep a generate call.

        A client per call: recording is not a hot path, and nothing is left open after it.
        """
        url = self.upstream + request.scope["path"]
        query = request.scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_HEADERS]
        headers.append(("accept-encoding", "identity"))  # what is kept must be readable
        async with httpx.AsyncClient(timeout=self.config.timeout) as client:
            upstream_request = client.build_request(
                request.method,
                url + (f"?{query}" if query else ""),
                headers=headers,
                content=content,
            )
            try:
                response = await client.send(upstream_request, stream=True)
            except httpx.HTTPError as exc:
                error = ApiError(
                    502,
                    "UNAVAILABLE",
                    f"gemini-fake record: the upstream {self.upstream} cannot be reached "
                    f"({type(exc).__name__}: {exc})",
                )
                await error_response(error)(request.scope, _replay(b"", request.receive), send)
                return
            try:
                start = {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": self._response_headers(request, response),
                }
                await send(start)
                if exchange is not None:
                    exchange.status = response.status_code
                    exchange.content_type = response.headers.get("content-type", "")
                async for chunk in response.aiter_bytes():
                    if exchange is not None:
                        exchange.body += chunk
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                await response.aclose()
        if exchange is not None:
            self._keep(exchange, url)

    def _keep(self, exchange: Exchange, url: str) -> None:
        written = self.writer.write(exchange, url)
        if written is not None and self.replayer is not None:
            state = self.replayer.state.fake
            state.fixtures = load_fixtures([self.config.directory], include_defaults=False)
            state.memo.clear()

    def _response_headers(
        self, request: Request, response: httpx.Response
    ) -> list[tuple[bytes, bytes]]:
        here = str(request.base_url).rstrip("/")
        decoded = "content-encoding" in response.headers  # httpx hands over decoded bytes
        kept = []
        for name, value in response.headers.multi_items():
            if name.lower() in HOP_HEADERS or (
                decoded and name.lower() in ("content-encoding", "content-length")
            ):
                continue
            if name.lower() in URL_HEADERS and value.startswith(self.upstream):
                value = here + value[len(self.upstream) :]
            kept.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        return kept


def create_record_app(config: RecordConfig) -> Recorder:
    config.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return Recorder(config)


# --- what is written ------------------------------------------------------------------------


class FixtureWriter:
    """Writes exchanges as fixtures; repeats of one request become a sequence (``-2``, ...)."""

    def __init__(self, directory: Path, *, overwrite: bool, log: TextIO) -> None:
        self.directory = directory
        self.overwrite = overwrite
        self.log = log
        self._counts: dict[str, int] = {}  # recordings of each request in this run
        self._refused: set[str] = set()

    def write(self, exchange: Exchange, url: str) -> Path | None:
        """The fixture file written, or None (an existing recording, or nothing to keep)."""
        answer = _answer(exchange)
        if answer is None:
            self.log.write(
                f"gemini-fake record: not recorded: {exchange.rpc} answered {exchange.status} "
                f"with a body that is not the service's JSON\n"
            )
            return None
        key = request_key(Call(exchange.rpc, exchange.model, exchange.request))
        stem = f"{_slug(exchange.request)}-{key}"
        if exchange.rpc == "streamGenerateContent":
            stem += "-stream"
        if stem in self._refused:
            return None
        count = self._counts.get(stem, 0) + 1
        if count == 1 and not self._claim(stem):
            self._refused.add(stem)
            return None
        self._counts[stem] = count
        name = stem if count == 1 else f"{stem}-{count}"
        fixture: dict[str, Any] = {
            "description": f"Recorded by gemini-fake record ({exchange.rpc}, {exchange.model}).",
            "recorded": {
                "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "upstream": _without_secrets(url),
                "status": exchange.status,
                "contentType": exchange.content_type,
            },
            "match": {"rpc": exchange.rpc, "model": exchange.model, "request": exchange.request},
            "sequence": count,
        }
        if exchange.status != 200:
            fixture["status"] = exchange.status
        if isinstance(answer, bytes):
            fixture["sse"] = f"{name}.sse"
            self._create(f"{name}.sse", _redact(answer, exchange.secrets))
        else:
            fixture["response"] = answer
        text = json.dumps(fixture, indent=2, ensure_ascii=False) + "\n"
        path = self._create(f"{name}.json", _redact(text.encode(), exchange.secrets))
        self.log.write(f"gemini-fake record: {exchange.rpc} {exchange.model} -> {path.name}\n")
        return path

    def _claim(self, stem: str) -> bool:
        """Whether this run may record ``stem``: it is new, or ``overwrite`` clears the old."""
        old = [self.directory / f"{stem}.json", *self.directory.glob(f"{stem}-[0-9]*.json")]
        old = [path for path in old if path.exists()]
        if old and not self.overwrite:
            self.log.write(
                f"gemini-fake record: {old[0].name} exists; kept as it is (--overwrite replaces "
                "recordings)\n"
            )
            return False
        for path in old:
            path.unlink()
            path.with_suffix(".sse").unlink(missing_ok=True)
        return True

    def _create(self, name: str, data: bytes) -> Path:
        path = self.directory / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(data)
        return path


def _answer(exchange: Exchange) -> dict[str, Any] | bytes | None:
    """What the fixture keeps: a recorded event stream's bytes, else the JSON body (a stream in
    the JSON-array form is kept as events, framed as the service frames them)."""
    body = bytes(exchange.body)
    if exchange.status == 200 and exchange.content_type.startswith("text/event-stream"):
        try:
            parse_sse(body)
        except ValueError:
            return None
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, list) and exchange.status == 200:
        if not all(isinstance(item, dict) for item in data):
            return None
        return b"".join(dumps_event(item) for item in data)
    if isinstance(data, list) and len(data) == 1:  # a stream's error, array-wrapped
        data = data[0]
    return data if isinstance(data, dict) else None


def _secrets(request: Request) -> list[bytes]:
    found = [
        request.headers.get("x-goog-api-key", ""),
        request.query_params.get("key", ""),
        request.headers.get("authorization", "").removeprefix("Bearer ").strip(),
    ]
    return [secret.encode() for secret in found if len(secret) >= 4]


def _redact(data: bytes, secrets: Iterable[bytes]) -> bytes:
    for secret in secrets:
        data = data.replace(secret, REDACTED.encode())
    return GOOGLE_API_KEY.sub(REDACTED.encode(), data)


def _without_secrets(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _slug(request: dict[str, Any]) -> str:
    words = re.findall(r"[a-z0-9]+", (last_user_text(request) or "").lower())
    return "-".join(words[:6]) or "request"


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """An ASGI ``receive`` that hands over ``body`` (already read from ``receive``), then
    passes on what ``receive`` says next (the client's disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
