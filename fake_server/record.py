"""Record mode: a proxy in front of a real endpoint that keeps what it answers as fixtures.

``gemini-fake record --upstream URL --fixtures DIR`` serves the same paths as the fake. Every
request goes on to ``URL`` unchanged (the caller's API key included, so the recording uses the
caller's own account) and its answer comes back unchanged, streams passed on as they arrive.
Each generate call, unary or streamed, is also written to ``DIR`` as one fixture
(docs/fixtures.md#recording): the request as its ``match``, the answer as ``response`` or, for a
stream, a ``.sse`` file holding the bytes exactly as they came. Uploads pass through too, and
what the upstream says of each file one makes is kept with the recordings of the calls that
name it, so a replay's own upload of the same file stands for it
(docs/fixtures.md#apps-that-upload-files).

What reaches the disk, and how secrets are kept from it and from the log, is
:mod:`fake_server.fixtures.writer`; this module hands it every credential the request carries
(:func:`_secrets`). The directory is created 0700.

With ``on_miss``, requests that a fixture in ``DIR`` already answers are answered by the fake
from it, and only the others go upstream: a fixture set grows to cover what an app sends.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote_plus

import httpx
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from .api.routes import create_app
from .config import FakeConfig
from .fixtures.format import Fixture
from .fixtures.key import Call
from .fixtures.matching import load as load_fixtures
from .fixtures.uploads import FILE_NAME, KnownFile, named_files
from .fixtures.writer import Exchange, FixtureWriter
from .http.responses import error_response
from .protocol.errors import ApiError
from .protocol.json_body import read_json
from .protocol.transcode import transcode

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
# Query parameters that carry a credential: the API key, an OAuth access token.
CREDENTIAL_PARAMETERS = ("key", "access_token")
# Response headers whose value is a URL on the upstream: rewritten to point at the recorder,
# so an upload started through it continues through it.
URL_HEADERS = ("x-goog-upload-url", "x-goog-upload-control-url", "location")
FILE_ANSWER_BYTES = 64 * 1024  # more than a finalized upload's answer (a File) ever holds


@dataclass(frozen=True)
class RecordConfig:
    upstream: str  # e.g. https://generativelanguage.googleapis.com
    directory: Path
    overwrite: bool = False  # replace recordings already in the directory
    on_miss: bool = False  # answer from the directory's fixtures when one matches
    timeout: float = 600.0
    log: TextIO = field(default=sys.stderr, compare=False)


class Recorder:
    """The record-mode ASGI app (see the module docstring)."""

    def __init__(self, config: RecordConfig) -> None:
        self.config = config
        self.upstream = config.upstream.rstrip("/")
        self.writer = FixtureWriter(config.directory, overwrite=config.overwrite, log=config.log)
        self.uploads: dict[str, KnownFile] = {}  # the files uploads through here made
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
            finalizes = "finalize" in request.headers.get("x-goog-upload-command", "")
            await self._forward(request, request.stream(), send, None, finalizes=finalizes)
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
            transcoded = transcode(read_json(body), "GenerateContentRequest")
        except (ValueError, TypeError, RecursionError, ApiError):
            self.config.log.write(
                f"gemini-fake record: not recorded: {rpc}: the body is not a request the fake "
                "can read (passed on as it is)\n"
            )
            return None
        named = [self.uploads[name] for name in named_files(transcoded) if name in self.uploads]
        return Exchange(rpc, model, transcoded, _secrets(request), files=named)

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
        *,
        finalizes: bool = False,
    ) -> None:
        """Send the request upstream and its answer back as it arrives; keep a generate call,
        and learn the file an upload that ``finalizes`` made.

        A client per call: recording is not a hot path, and nothing is left open after it.
        """
        url = self.upstream + request.scope["path"]
        raw_path = request.scope.get("raw_path")  # as it came: "%0A" stays "%0A"
        target = self.upstream + raw_path.decode("latin-1") if raw_path else url
        query = request.scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_HEADERS]
        headers.append(("accept-encoding", "identity"))  # what is kept must be readable
        async with httpx.AsyncClient(timeout=self.config.timeout) as client:
            upstream_request = client.build_request(
                request.method,
                target + (f"?{query}" if query else ""),
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
                # The recording is written before the answer's last byte goes out: a caller
                # that has the whole answer (by its length, or by the end of its chunks) finds
                # its fixture on disk.
                length = _passed_on_length(response)
                pending = exchange
                finalized = bytearray() if finalizes and response.status_code == 200 else None
                async for chunk in response.aiter_bytes():
                    if finalized is not None and len(finalized) < FILE_ANSWER_BYTES:
                        finalized += chunk
                    if pending is not None:
                        pending.body += chunk
                        if length is not None and len(pending.body) >= length:
                            self._keep(pending, url)
                            pending = None
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                await response.aclose()
        if pending is not None:
            self._keep(pending, url)
        if finalized is not None:
            self._learn(bytes(finalized))
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _learn(self, answer: bytes) -> None:
        """Keep what the upstream says of the file an upload made, for the recordings of the
        calls that name it (:mod:`fake_server.fixtures.uploads`)."""
        try:
            file = json.loads(answer)["file"]
            name = file["name"]
        except (ValueError, KeyError, TypeError):
            return
        if not isinstance(name, str) or not FILE_NAME.fullmatch(name):
            return
        text = {key: file.get(key) for key in ("sha256Hash", "displayName")}
        text = {key: value if isinstance(value, str) else None for key, value in text.items()}
        order = len(self.uploads) + 1
        self.uploads[name] = KnownFile(name, text["sha256Hash"], text["displayName"], order)

    def _keep(self, exchange: Exchange, url: str) -> None:
        written = self.writer.write(exchange, url)  # None: the log says why
        if written is not None and self.replayer is not None:
            state = self.replayer.state.fake
            fixtures = load_fixtures([self.config.directory], include_defaults=False)
            fixtures.continue_from(state.fixtures)  # sequences keep their places
            state.fixtures = fixtures
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


def _secrets(request: Request) -> list[str]:
    """Every credential the request carries, each value of a repeated header or parameter (and
    each comma-separated piece of a header), query values both as sent and decoded."""
    found = []
    for value in request.headers.getlist("x-goog-api-key"):
        found += [value, *value.split(",")]
    for value in request.headers.getlist("authorization"):
        scheme, _, credential = value.strip().partition(" ")
        found.append(credential if credential.strip() else scheme)
    query = request.scope["query_string"].decode("latin-1")
    for pair in query.split("&"):
        name, _, raw = pair.partition("=")
        if unquote_plus(name) in CREDENTIAL_PARAMETERS:
            found += [raw, unquote_plus(raw)]
    return [secret.strip() for secret in found if secret.strip()]


def _passed_on_length(response: httpx.Response) -> int | None:
    """The ``Content-Length`` the caller is given, or None (a decoded body's is dropped)."""
    if "content-encoding" in response.headers:
        return None
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


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
