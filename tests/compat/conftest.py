"""The guide's text examples, described once for the Python SDK, JS SDK and curl tests.

Each example is the request the fake should journal for it (the canonical camelCase body, the
same whichever client sent it) and the shipped fixture that should answer it. The expected answer
text is read from that fixture file, never copied. Tests get them through the ``guide_examples``
fixture (the suite runs with ``--import-mode=importlib``, so test modules cannot import a helper
module).

For the streaming tests: ``wire_tap`` records what went over the wire for each request the
fake served (the query string, which the journal does not keep, the request headers and body
size, the response headers and bytes), and ``node_guide`` runs ``tests/js/guide.mjs`` examples
against a fake.

For the official Python SDK: ``guide_env(fake)`` sets the environment of a developer who followed
the guide (``GEMINI_API_KEY`` and ``GOOGLE_GEMINI_BASE_URL``, nothing that would override them),
``sdk_env`` does it for ``gemini_fake_server``, ``api_version`` runs a test on ``v1`` (the SDK's
default) and ``v1beta`` (what JS and curl use), and ``client`` is ``genai.Client()`` built from
that environment.

For the Files API tests: ``files_kit`` makes real media files (PNG, JPEG, MP3 frames) and checks
an uploaded File and an upload's chunks against the protocol facts; ``fake_server_with`` serves a
fake with any ``FakeConfig`` (an injectable clock, processing times) on the session's port.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google import genai
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import fake_server
from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer

MODEL = "gemini-2.5-flash"
SHIPPED_FIXTURES = Path(fake_server.__file__).parent / "fixtures" / "data"


@dataclass(frozen=True)
class GuideExample:
    """One of the guide's text-generation examples, as every client should send it."""

    prompt: str
    fixture: str  # the shipped fixture that answers it: fake_server/fixtures/<fixture>.json
    generation_config: dict[str, Any] = field(default_factory=dict)
    system_instruction: str | None = None

    @property
    def thinks(self) -> bool:
        """2.5 Flash thinks unless the budget is 0."""
        budget = self.generation_config.get("thinkingConfig", {}).get("thinkingBudget")
        return budget != 0

    def canonical_request(self, *, system_role: bool = True) -> dict[str, Any]:
        """The body the fake should journal. The SDKs give the system instruction a role."""
        request: dict[str, Any] = {"contents": [{"parts": [{"text": self.prompt}], "role": "user"}]}
        if self.system_instruction is not None:
            instruction: dict[str, Any] = {"parts": [{"text": self.system_instruction}]}
            if system_role:
                instruction["role"] = "user"
            request["systemInstruction"] = instruction
        if self.generation_config:
            request["generationConfig"] = self.generation_config
        return request

    def answer(self) -> dict[str, Any]:
        data = json.loads((SHIPPED_FIXTURES / f"{self.fixture}.json").read_text("utf-8"))
        answer: dict[str, Any] = data["answer"]
        return answer

    def expected_text(self) -> str:
        """The fixture's text cut at the first stop sequence, as the model stops there."""
        text: str = self.answer()["text"]
        cuts = [text.find(s) for s in self.generation_config.get("stopSequences", []) if s in text]
        return text[: min(cuts)] if cuts else text

    def check_text(self, text: str | None) -> None:
        """``response.text`` is the fixture's answer (in JSON mode: its JSON value, any layout)."""
        assert text is not None
        if self.generation_config.get("responseMimeType") == "application/json":
            assert json.loads(text) == self.answer()["json"]
        else:
            assert text == self.expected_text()

    def check_usage(self, usage: dict[str, Any]) -> None:
        """The real service's invariants (docs/evidence.md#service-usage), on camelCase
        usageMetadata."""
        prompt = usage["promptTokenCount"]
        candidates = usage.get("candidatesTokenCount", 0)
        thoughts = usage.get("thoughtsTokenCount", 0)
        assert prompt > 0 and candidates > 0, usage
        assert usage["totalTokenCount"] == prompt + candidates + thoughts, usage
        assert sum(d["tokenCount"] for d in usage["promptTokensDetails"]) == prompt, usage
        if self.thinks:
            assert thoughts > 0, f"2.5 Flash thinks by default: no thoughtsTokenCount in {usage}"
        else:
            assert "thoughtsTokenCount" not in usage, f"thinking is off, yet {usage}"

    def check_call(
        self,
        call: Entry,
        version: str,
        *,
        system_role: bool = True,
        rpc: str = "generateContent",
    ) -> None:
        """The journal entry: the path and version the client used, the body, the answerer."""
        assert (call.method, call.path, call.api_version, call.model, call.status) == (
            "POST",
            f"/{version}/models/{MODEL}:{rpc}",
            version,
            MODEL,
            200,
        )
        assert call.answered_by == f"fixture:{self.fixture}"
        assert without_empty_config(call.request) == self.canonical_request(system_role=system_role)


def without_empty_config(request: dict[str, Any] | None) -> dict[str, Any] | None:
    """The journalled body minus an empty ``generationConfig``.

    Both SDKs send ``"generationConfig": {}`` as soon as any config object exists (here: only a
    system instruction); an empty message and an absent one mean the same to the service.
    """
    if request is None or request.get("generationConfig") != {}:
        return request
    return {k: v for k, v in request.items() if k != "generationConfig"}


NEKO = "You are a cat. Your name is Neko."

# The guide's text-generation examples (the sections before "Multimodal inputs"), named as
# tests/js/guide.mjs names them.
EXAMPLES: dict[str, GuideExample] = {
    "basic": GuideExample("How does AI work?", "guide-how-does-ai-work"),
    "thinking_off": GuideExample(
        "How does AI work?", "guide-how-does-ai-work", {"thinkingConfig": {"thinkingBudget": 0}}
    ),
    "system_instruction": GuideExample(
        "Hello there", "guide-system-instruction-neko", system_instruction=NEKO
    ),
    "temperature": GuideExample(
        "Explain how AI works", "guide-explain-how-ai-works", {"temperature": 0.1}
    ),
    # Go's configuration example.
    "config_full": GuideExample(
        "What is the average size of a swallow?",
        "guide-average-size-of-a-swallow",
        {"temperature": 0.9, "topP": 0.5, "topK": 20, "responseMimeType": "application/json"},
    ),
    # The REST configuration example.
    "stop_sequences": GuideExample(
        "Explain how AI works",
        "guide-explain-how-ai-works",
        {"stopSequences": ["Title"], "temperature": 1.0, "topP": 0.8, "topK": 10},
    ),
    # "Streaming responses": the same prompt, no configuration, streamed.
    "stream": GuideExample("Explain how AI works", "guide-explain-how-ai-works"),
}


# --- the official Python SDK, configured as the guide configures it ---------------------------

SDK_OVERRIDING_ENV = ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_API_VERSION")
SDK_VERSIONS = ("v1", "v1beta")  # the Python SDK's default, and the one JS and curl use


@pytest.fixture
def guide_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Fake], Fake]:
    """``guide_env(fake)``: the environment of a developer who followed the guide, at ``fake``.

    Whatever could override it is cleared when the fixture is set up, so ``api_version``
    (which depends on it) sets the version after the clearing, in any argument order.
    """
    for name in SDK_OVERRIDING_ENV:
        monkeypatch.delenv(name, raising=False)

    def point(fake: Fake) -> Fake:
        for name, value in fake.env.items():
            monkeypatch.setenv(name, value)
        return fake

    return point


@pytest.fixture
def sdk_env(gemini_fake_server: Fake, guide_env: Callable[[Fake], Fake]) -> Fake:
    """``gemini_fake_server`` in the guide's environment."""
    return guide_env(gemini_fake_server)


@pytest.fixture(params=SDK_VERSIONS)
def api_version(
    request: pytest.FixtureRequest, sdk_env: Fake, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The API version the SDK uses in this run, in the guide's environment (``sdk_env``; a
    test may point it at another fake with ``guide_env``)."""
    version: str = request.param
    if version != "v1":
        monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", version)
    return version


@pytest.fixture
def client(sdk_env: Fake, api_version: str) -> Iterator[genai.Client]:
    """``genai.Client()`` as the guide writes it, on ``api_version``; closed after the test."""
    client = genai.Client()
    yield client
    client.close()


@pytest.fixture(scope="session")  # session: module-scoped runs (node) use it too
def guide_examples() -> dict[str, GuideExample]:
    return EXAMPLES


# --- what went over the wire ---------------------------------------------------------------


@dataclass
class Exchange:
    """One HTTP exchange as the fake's socket saw it, filled in while the response goes out."""

    method: str
    path: str
    query: str
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    complete: bool = False  # the last body message (``more_body`` false) was sent
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_size: int = 0  # the request body's bytes, as the app read them

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k == name.lower()]
        return ", ".join(values) if values else None

    def request_header(self, name: str) -> str | None:
        values = [v for k, v in self.request_headers if k == name.lower()]
        return ", ".join(values) if values else None


class _WireTap:
    """A pure ASGI middleware that records every exchange; it changes nothing it passes on."""

    def __init__(self, app: ASGIApp, exchanges: list[Exchange]) -> None:
        self.app = app
        self.exchanges = exchanges

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = Exchange(scope["method"], scope["path"], scope["query_string"].decode())
        exchange.request_headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
        ]
        self.exchanges.append(exchange)

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.request_size += len(message.get("body", b""))
            return message

        async def tapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.headers = [(k.decode(), v.decode()) for k, v in message["headers"]]
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")
                exchange.complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, counted, tapped)


@pytest.fixture(scope="session")
def tap_wire() -> Callable[[Starlette], list[Exchange]]:
    """``tap_wire(app)``: the list the exchanges of a fresh fake ``app`` will be recorded in.

    Call it before the app serves its first request (Starlette builds its middleware then).
    """

    def tap(app: Starlette) -> list[Exchange]:
        exchanges: list[Exchange] = []
        app.add_middleware(_WireTap, exchanges=exchanges)
        return exchanges

    return tap


@pytest.fixture
def wire_tap(
    gemini_fake_server: Fake, tap_wire: Callable[[Starlette], list[Exchange]]
) -> list[Exchange]:
    """The exchanges of this test's ``gemini_fake_server``, in the order they began."""
    return tap_wire(gemini_fake_server.app)


# --- the JS SDK ------------------------------------------------------------------------------

JS_DIR = Path(__file__).parents[1] / "js"
JS_SDK = JS_DIR / "node_modules" / "@google" / "genai"
JS_OVERRIDING_ENV = ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_ENTERPRISE")


def node_available() -> bool:
    return shutil.which("node") is not None and JS_SDK.is_dir()


@dataclass
class NodeRun:
    """``node <driver> <examples>`` running against one fake (tests/js/README.md)."""

    examples: list[str]
    process: subprocess.Popen[str]

    def lines(self, timeout: float = 60) -> dict[str, dict[str, Any]]:
        """Each example's JSON line, once node has exited; the SDK must not have complained."""
        stdout, stderr = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, stderr
        # The SDK writes its warnings (e.g. "there are non-text parts in the response") here.
        warnings = [
            line
            for line in stderr.splitlines()
            if line.strip() and "ExperimentalWarning" not in line and "--trace-" not in line
        ]
        assert not warnings, f"the SDK complained about the fake's answers: {stderr}"
        lines = [json.loads(line) for line in stdout.splitlines()]
        assert [line["example"] for line in lines] == self.examples
        return {line["example"]: line for line in lines}


@pytest.fixture(scope="session")
def node_guide() -> Callable[..., NodeRun]:
    """``node_guide(fake, *examples)`` starts node on the guide's JS examples, against ``fake``.

    The child's environment is the guide's: ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``,
    without the variables that would override them, plus any ``env`` given. ``script`` picks
    another driver in tests/js (``images.mjs``, ``chats.mjs``). Several runs can go at once
    (node is slow to start); ``.lines()`` waits for one. Skips when node or the JS SDK is missing.
    """
    if not node_available():
        pytest.skip("needs node and the JS SDK: run `cd tests/js && npm ci` (make test does it)")

    def start(
        fake: Fake, *examples: str, script: str = "guide.mjs", env: dict[str, str] | None = None
    ) -> NodeRun:
        child = {k: v for k, v in os.environ.items() if k not in JS_OVERRIDING_ENV}
        child.update(fake.env)
        child.update(env or {})
        process = subprocess.Popen(
            ["node", script, *examples],
            cwd=JS_DIR,
            env=child,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return NodeRun(list(examples), process)

    return start


# --- the Files API -------------------------------------------------------------------------

# The File's fields in the order the service sends them (docs/evidence.md#service-file-resource);
# displayName only when the upload gave one.
FILE_FIELDS = (
    "name",
    "displayName",
    "mimeType",
    "sizeBytes",
    "createTime",
    "updateTime",
    "expirationTime",
    "sha256Hash",
    "uri",
    "state",
    "source",
)
TIME_6 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
TIME_9 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")
CHUNK = 8 * 1024 * 1024  # both SDKs' fixed chunk size (docs/evidence.md#sdk-upload-chunks)


class FakeClock:
    """An injectable clock for ``FakeConfig.clock``: it moves only when a test moves it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _parse_time(text: str) -> datetime:
    """An RFC 3339 UTC time with up to 9 fractional digits (microseconds kept)."""
    head, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return moment + timedelta(microseconds=int((fraction + "000000")[:6]))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class FilesKit:
    """Media files made here (no binary fixtures), and the checks every client's test shares."""

    @staticmethod
    def png(width: int = 16, height: int = 16, *, size: int | None = None, seed: int = 0) -> bytes:
        """A real RGB PNG of random pixels; ``size`` pads it to exactly that many bytes with a
        ``tEXt`` comment (``file`` and any decoder still read it as the same image)."""
        rng = random.Random(seed)
        rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
        head = b"\x89PNG\r\n\x1a\n" + _png_chunk(
            b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        )
        tail = _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b"")
        if size is None:
            return head + tail
        filler = size - len(head) - len(tail) - 12 - len(b"Comment\x00")
        assert filler >= 0, f"a {width}x{height} PNG does not fit in {size} bytes"
        text = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(filler))
        data = head + _png_chunk(b"tEXt", b"Comment\x00" + text) + tail
        assert len(data) == size
        return data

    @staticmethod
    def jpeg() -> bytes:
        """A real baseline JPEG (JFIF, 8x8 grey): one-code Huffman tables, one all-zero block."""
        ones = bytes([1] * 64)
        one_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
        segments = [
            b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
            b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + ones,
            b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00",
            b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + one_code,
            b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + one_code,
            b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00",
        ]
        # DC difference 0 ("0"), then end of block ("0"), padded with ones.
        return b"\xff\xd8" + b"".join(segments) + b"\x3f" + b"\xff\xd9"

    @staticmethod
    def mp3(frames: int = 24) -> bytes:
        """MPEG-1 layer III frames (128 kbit/s, 44.1 kHz) that ``file`` calls audio/mpeg."""
        return (b"\xff\xfb\x90\x64" + bytes(413)) * frames

    @staticmethod
    def sha256_hash(data: bytes) -> str:
        """``sha256Hash`` as the service computes it: base64 of the lowercase hex digest."""
        return base64.b64encode(hashlib.sha256(data).hexdigest().encode()).decode()

    def check_file(
        self,
        file: dict[str, Any],
        data: bytes,
        *,
        base_url: str,
        version: str,
        mime_type: str,
        display_name: str | None = None,
        file_id: str | None = None,
        state: str = "ACTIVE",
    ) -> str:
        """A File as it went over the wire (camelCase, ``sizeBytes`` a string) against the
        bytes uploaded and docs/evidence.md#service-file-resource; returns its id."""
        assert list(file) == [k for k in FILE_FIELDS if k != "displayName" or display_name], file
        name = file["name"]
        if file_id is None:
            assert re.fullmatch(r"files/[a-z0-9]{12}", name), name
        else:
            assert name == f"files/{file_id}"
        found_id: str = name.removeprefix("files/")
        assert file.get("displayName") == display_name
        assert file["mimeType"] == mime_type
        assert file["sizeBytes"] == str(len(data))
        assert file["sha256Hash"] == self.sha256_hash(data)
        assert file["uri"] == f"{base_url}/{version}/files/{found_id}"
        assert (file["state"], file["source"]) == (state, "UPLOADED")
        assert TIME_6.fullmatch(file["createTime"]), file["createTime"]
        assert file["updateTime"] == file["createTime"]
        assert TIME_9.fullmatch(file["expirationTime"]), file["expirationTime"]
        # 48 hours after the start call, which came (a little) before the file was created.
        lifetime = _parse_time(file["expirationTime"]) - _parse_time(file["createTime"])
        assert timedelta(hours=48) - timedelta(minutes=1) <= lifetime <= timedelta(hours=48)
        return found_id

    @staticmethod
    def sessions(exchanges: list[Exchange]) -> dict[str, list[Exchange]]:
        """Each upload's exchanges, start first, by upload id (in the order they started)."""
        found: dict[str, list[Exchange]] = {}
        for exchange in exchanges:
            if not exchange.path.startswith("/upload/"):
                continue
            match = re.search(r"(?:^|&)upload_id=([^&]+)", exchange.query)
            upload_id = match.group(1) if match else exchange.header("x-guploader-uploadid")
            assert upload_id is not None, exchange
            found.setdefault(upload_id, []).append(exchange)
        return found

    @staticmethod
    def chunks(session: list[Exchange]) -> list[tuple[str | None, int, int]]:
        """An upload's chunks as docs/evidence.md#sdk-upload-chunks tabulates them: command, offset,
        body length (the declared ``Content-Length`` must be the length that arrived)."""
        table = []
        for exchange in session[1:]:
            assert exchange.request_header("content-length") == str(exchange.request_size)
            offset = exchange.request_header("x-goog-upload-offset")
            assert offset is not None, exchange.request_headers
            table.append(
                (
                    exchange.request_header("x-goog-upload-command"),
                    int(offset),
                    exchange.request_size,
                )
            )
        return table

    @staticmethod
    def expected_chunks(size: int) -> list[tuple[str, int, int]]:
        """What both SDKs send for a file of ``size`` bytes: 8 MiB chunks, the last finalizes."""
        offsets = range(0, size, CHUNK) if size else [0]
        return [
            (
                "upload, finalize" if offset + CHUNK >= size else "upload",
                offset,
                min(CHUNK, size - offset),
            )
            for offset in offsets
        ]


@pytest.fixture(scope="session")
def files_kit() -> FilesKit:
    return FilesKit()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_server_with(
    _gemini_fake_listener: ThreadedServer,
) -> Callable[..., Fake]:
    """``fake_server_with(**fields)``: a fresh fake built from ``FakeConfig(**fields)`` (any
    field, an injectable ``clock`` included), served on the port ``gemini_fake_server`` uses."""

    def serve(**fields: Any) -> Fake:
        app = create_app(FakeConfig(**fields))
        _gemini_fake_listener.app = app
        return Fake(app, _gemini_fake_listener.base_url, in_process=False)

    return serve
