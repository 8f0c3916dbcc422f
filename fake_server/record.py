"""Record mode: a proxy in front of a real endpoint that keeps what it answers as fixtures.

``gemini-fake record --upstream URL --fixtures DIR`` serves the same paths as the fake. Every
request goes on to ``URL`` unchanged (the caller's API key included, so the recording uses the
caller's own account) and its answer comes back unchanged, streams passed on as they arrive.
Each generate call, unary or streamed, is also written to ``DIR`` as one fixture
(docs/fixtures.md#recording): the request as its ``match``, the answer as ``response`` or, for a
stream, a ``.sse`` file holding the bytes exactly as they came.

What reaches the disk is an allow-list, not the traffic minus a deny-list: the request body
(transcoded: camelCase, standard base64), the response body, its status, the upstream's origin
and path, the time, and the ``Content-Type``. No request header, no query string. The API key
or bearer token the caller sent, and anything shaped like a Google API key, become
``REDACTED`` in every string value kept (:class:`Redactor`); an exchange whose secret cannot be
cut out cleanly is not kept. Files are created 0600 in a 0700 directory, and an existing
recording is never replaced unless ``overwrite`` is set.

With ``on_miss``, requests that a fixture in ``DIR`` already answers are answered by the fake
from it, and only the others go upstream: a fixture set grows to cover what an app sends.
"""

from __future__ import annotations

import base64
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
from .fixtures import Call, Fixture, is_error_envelope, last_user_text, request_key, stream_events
from .fixtures import load as load_fixtures
from .schema import transcode
from .wire import dumps_event

REDACTED = "REDACTED"
GOOGLE_API_KEY = re.compile(r"AIza[0-9A-Za-z_\-]{35}")
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
    secrets: list[str]  # the caller's key and token, never written
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
        except (ValueError, TypeError, RecursionError, ApiError):
            self.config.log.write(
                f"gemini-fake record: not recorded: {rpc}: the body is not a request the fake "
                "can read (passed on as it is)\n"
            )
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
        try:
            written = self.writer.write(exchange, url)
        except OSError as exc:  # the caller has its answer; say why the recording is missing
            self.config.log.write(f"gemini-fake record: not recorded: {exchange.rpc}: {exc}\n")
            return
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
        """The fixture file written, or None (an existing recording, or nothing safe to keep:
        the log says which)."""
        try:
            answer = _answer(exchange)
            redactor = Redactor(exchange.secrets)
            request = redactor.value(exchange.request)
            kept = redactor.stream(answer) if isinstance(answer, bytes) else redactor.value(answer)
        except NotKept as reason:
            self.log.write(f"gemini-fake record: not recorded: {exchange.rpc}: {reason}\n")
            return None
        key = request_key(Call(exchange.rpc, exchange.model, request))
        stem = f"{_slug(request)}-{key}"
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
            "match": {"rpc": exchange.rpc, "model": exchange.model, "request": request},
            "sequence": count,
        }
        if exchange.status != 200:
            fixture["status"] = exchange.status
        if isinstance(kept, bytes):
            fixture["sse"] = f"{name}.sse"
            self._create(f"{name}.sse", kept)
        else:
            fixture["response"] = kept
        text = json.dumps(fixture, indent=2, ensure_ascii=False) + "\n"
        path = self._create(f"{name}.json", text.encode())
        self.log.write(f"gemini-fake record: {exchange.rpc} {exchange.model} -> {path.name}\n")
        if exchange.status != 200:
            self.log.write(
                f"gemini-fake record: {path.name} is an error answer ({exchange.status}); "
                "replays give the error again: delete it to record the call anew\n"
            )
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


class NotKept(Exception):
    """Why an exchange is not written (the proxy still passed the answer on)."""


def _answer(exchange: Exchange) -> dict[str, Any] | bytes:
    """What the fixture keeps: a recorded event stream's bytes, else the JSON body (a stream in
    the JSON-array form is kept as events, framed as the service frames them). Only what the
    fake can load again is kept."""
    body = bytes(exchange.body)
    if exchange.status == 200 and exchange.content_type.startswith("text/event-stream"):
        try:
            stream_events(body)
        except ValueError as exc:
            raise NotKept(f"the upstream's stream is {exc}") from None
        return body
    try:
        data = json.loads(body)
    except ValueError:
        raise NotKept(
            f"the upstream answered {exchange.status} with a body that is not JSON"
        ) from None
    if isinstance(data, list) and exchange.status == 200:
        if not all(isinstance(item, dict) for item in data):
            raise NotKept("the upstream's JSON-array stream holds something other than objects")
        return b"".join(dumps_event(item) for item in data)
    if isinstance(data, list) and len(data) == 1:  # a stream's error, array-wrapped
        data = data[0]
    if exchange.status != 200 and not is_error_envelope(data, exchange.status):
        raise NotKept(
            f"the upstream answered {exchange.status} without an error envelope of that code"
        )
    if not isinstance(data, dict):
        raise NotKept("the upstream's answer is not a JSON object")
    return data


# Fields holding base64 bytes: the key pattern is not looked for in them (it would match by
# chance in large payloads); their decoded bytes are searched for the caller's secrets instead.
BASE64_FIELDS = frozenset({"data", "thoughtSignature"})


class Redactor:
    """Secrets out of what is kept, value by value (names are never touched): each secret the
    caller sent, and anything shaped like a Google API key, becomes ``REDACTED`` in every
    string. A secret that cannot be cut out cleanly (inside base64 bytes, or split across a
    stream's events) means the exchange is not kept at all."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = [s for s in secrets if s]

    def value(self, value: Any, field: str = "") -> Any:
        if isinstance(value, dict):
            return {key: self.value(item, key) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, field) for item in value]
        if not isinstance(value, str):
            return value
        if field in BASE64_FIELDS:
            self._check_bytes(value)
            return value
        return self._text(value)

    def stream(self, data: bytes) -> bytes:
        """A recorded stream with its secrets out: the bytes as they came when there are none,
        else its events written again the way the service writes them."""
        events = stream_events(data)
        pieces = _event_texts(events)  # the answer's text, as the events carry it
        if self._text("".join(pieces)) != "".join(self._text(piece) for piece in pieces):
            raise NotKept("a secret is split across the stream's events")
        redacted = [self.value(event) for event in events]
        if redacted == events:
            return data
        return b"".join(dumps_event(event) for event in redacted)

    def _text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return GOOGLE_API_KEY.sub(REDACTED, text)

    def _check_bytes(self, value: str) -> None:
        try:
            decoded = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_")
        except ValueError:
            decoded = value.encode()
        if any(secret.encode() in decoded for secret in self.secrets):
            raise NotKept(
                "a secret is inside base64 data (an inline file), where it cannot be cut out"
            )


def _event_texts(events: list[dict[str, Any]]) -> list[str]:
    return [
        "".join(
            part.get("text", "")
            for candidate in event.get("candidates", [])
            for part in (candidate.get("content") or {}).get("parts", [])
            if isinstance(part.get("text"), str)
        )
        for event in events
    ]


def _secrets(request: Request) -> list[str]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    found = [
        request.headers.get("x-goog-api-key", ""),
        request.query_params.get("key", ""),
        token.strip() if scheme.lower() == "bearer" else "",
    ]
    return [secret for secret in found if len(secret) >= 4]


def _without_secrets(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


SLUG_CHARS = 60


def _slug(request: dict[str, Any]) -> str:
    """A file name's start from the prompt's first words (the prompt already redacted)."""
    words = re.findall(r"[a-z0-9]+", (last_user_text(request) or "").lower())
    return "-".join(words[:6])[:SLUG_CHARS].strip("-") or "request"


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
