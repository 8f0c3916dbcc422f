"""What a client put on the wire, caught at its httpx transport, and two views of it.

:class:`Recorder` is an httpx ``request`` event hook: it keeps every request as sent (method,
URL, headers, body bytes), whichever client built it and whatever server answers.

* :func:`shape` is the request as a readable JSON document, for snapshots: the path, the
  query, the protocol headers, the JSON body as sent (its casing, its base64 alphabet, its
  empty objects), with what changes from run to run or from machine to machine written as
  placeholders (the base URL, upload and file ids, file sizes, long base64 data).
* :func:`canonical` is what the service reads from it, for comparing two clients: keys in
  camelCase at any depth, base64 in the standard alphabet, int64 fields as strings, an empty
  ``generationConfig`` left out, and only the headers the protocol gives a meaning to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx


@dataclass(frozen=True)
class Sent:
    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes

    @property
    def is_chunk(self) -> bool:
        """A command on an upload URL (not the start, which names no session)."""
        return "upload_id" in self.url.params

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder:
    """An httpx request hook keeping every request, body included, in the order sent."""

    sent: list[Sent] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> None:
        body = request.read()  # httpx keeps the bytes and sends them from memory afterwards
        self.sent.append(Sent(request.method, request.url, request.headers, body))


# --- placeholders ---------------------------------------------------------------------------

UPLOAD_ID = re.compile(r"(?<=upload_id=)[^&\s\"]+")
FILE_ID = re.compile(r"(?<=/files/)[a-z0-9-]+")
SHOWN_HEADERS = ("content-type", "x-goog-api-key", "x-server-timeout")
LONG_STRING = 48


@dataclass
class Placeholders:
    """Names for what varies between runs, numbered in the order they first appear."""

    base_url: str
    sizes: dict[int, str] = field(default_factory=dict)  # a file's size -> its name
    _seen: dict[str, str] = field(default_factory=dict)

    def _name(self, kind: str, value: str) -> str:
        key = f"{kind}:{value}"
        if key not in self._seen:
            count = sum(1 for known in self._seen if known.startswith(f"{kind}:"))
            self._seen[key] = f"<{kind} {count + 1}>"
        return self._seen[key]

    def text(self, value: str) -> str:
        value = value.replace(self.base_url, "{base_url}")
        value = UPLOAD_ID.sub(lambda m: self._name("upload", m.group()), value)
        return FILE_ID.sub(lambda m: self._name("file", m.group()), value)

    def size(self, value: Any) -> Any:
        try:
            named = self.sizes.get(int(value))
        except (TypeError, ValueError):
            return value
        if named is None:
            return value
        return f"<size of {named}>" if isinstance(value, str) else f"<size of {named}, a number>"


SIZE_FIELDS = ("sizeBytes", "size_bytes")


def _readable(value: Any, names: Placeholders, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _readable(v, names, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v, names, key) for v in value]
    if key in SIZE_FIELDS:
        return names.size(value)
    if isinstance(value, str):
        value = names.text(value)
        if len(value) > LONG_STRING and key in ("data", "thoughtSignature", "thought_signature"):
            return f"{value[:16]}… ({'URL-safe' if _url_safe(value) else 'standard'} base64)"
    return value


def _url_safe(value: str) -> bool:
    return "-" in value or "_" in value


def shape(sent: Sent, names: Placeholders) -> dict[str, Any]:
    """``sent`` as a snapshot shows it."""
    document: dict[str, Any] = {"method": sent.method, "path": names.text(sent.url.path)}
    query = parse_qsl(names.text(sent.url.query.decode()), keep_blank_values=True)
    if query:
        document["query"] = dict(query)
    headers = {}
    for name, value in sorted(sent.headers.items()):
        if name == "x-goog-api-key":
            headers[name] = "<key>"
        elif name == "x-goog-upload-header-content-length":
            headers[name] = names.size(value)
        elif name in SHOWN_HEADERS or name.startswith("x-goog-upload-"):
            headers[name] = names.text(value)
    document["headers"] = headers
    if sent.body:
        try:
            document["body"] = _readable(sent.json(), names)
        except ValueError:
            document["body"] = "<binary>"
    return document


# --- what the service reads -----------------------------------------------------------------

# Maps whose keys are the user's, not field names: left as they are.
FREE_FORM = ("labels", "args", "response", "properties", "metadata")
BASE64_FIELDS = ("data", "thoughtSignature")
INT64_FIELDS = ("sizeBytes",)
# Headers with a meaning in the protocol. Not compared: X-Goog-Upload-File-Name (the SDKs
# send it for a path, gemini_ref does not; the service does not need it: see
# test_request_shapes), and what the SDK repeats on every chunk from the start request.
API_HEADERS = ("content-type", "x-goog-api-key")
START_HEADERS = (
    "x-goog-upload-protocol",
    "x-goog-upload-command",
    "x-goog-upload-header-content-length",
    "x-goog-upload-header-content-type",
)
CHUNK_HEADERS = ("x-goog-upload-command", "x-goog-upload-offset")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def standard_base64(value: str) -> str:
    """Either alphabet, padded or not, re-encoded in the standard one with padding."""
    text = value.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return value  # not base64: left for the comparison to show
    return base64.b64encode(raw).decode()


def read_as_service(value: Any, key: str = "") -> Any:
    """A JSON body as the service reads it (see the module's docstring)."""
    if isinstance(value, dict):
        if key in FREE_FORM:
            return value
        read = {camel(k): read_as_service(v, camel(k)) for k, v in value.items()}
        if read.get("generationConfig") == {}:
            del read["generationConfig"]
        return read
    if isinstance(value, list):
        return [read_as_service(v, key) for v in value]
    if key in BASE64_FIELDS and isinstance(value, str):
        return standard_base64(value)
    if key in INT64_FIELDS and isinstance(value, int | str):
        return str(value)
    return value


def canonical(sent: Sent, names: Placeholders) -> dict[str, Any]:
    """What of ``sent`` the service acts on, comparable between clients."""
    kept: tuple[str, ...]
    if sent.is_chunk:
        kept = CHUNK_HEADERS
    elif sent.url.path.startswith("/upload/"):
        kept = API_HEADERS + START_HEADERS
    else:
        kept = API_HEADERS
    headers = {name: sent.headers[name] for name in kept if name in sent.headers}
    document: dict[str, Any] = {
        "method": sent.method,
        "path": names.text(sent.url.path),
        "query": sorted(parse_qsl(names.text(sent.url.query.decode()), keep_blank_values=True)),
        "headers": headers,
    }
    if sent.is_chunk:
        document["body"] = {"sha256": hashlib.sha256(sent.body).hexdigest()}
    elif sent.body:
        document["body"] = json.loads(names.text(json.dumps(read_as_service(sent.json()))))
    return document
