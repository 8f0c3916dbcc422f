"""How the real service puts JSON on the wire, as pure functions (docs/protocol.md,
"Serialisation").

Unary bodies and error bodies are pretty-printed JSON with a two-space indent and a trailing
newline; non-ASCII stays raw UTF-8 and only ``<`` and ``>`` are escaped. A stream is either
server-sent events (``alt=sse``) or one JSON array sent piece by piece. Nothing here touches a
socket, so the framing can be tested byte for byte without a server.
"""

from __future__ import annotations

import json
import re
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
SSE_CONTENT_TYPE = "text/event-stream"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_angles(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _utf8(text: str) -> bytes:
    """JSON text as UTF-8, a lone surrogate (which UTF-8 cannot hold) written ``\\udXXX`` as
    ``ensure_ascii`` writes it, so no string can make an answer unwritable."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode()


def dumps_pretty(obj: Any) -> bytes:
    """A unary body: ``json.dumps(obj, indent=2, ensure_ascii=False) + "\\n"``, angles escaped."""
    return _utf8(_escape_angles(json.dumps(obj, indent=2, ensure_ascii=False)) + "\n")


def dumps_event(obj: Any) -> bytes:
    """One SSE event as the service frames it: ``data: `` + one-line JSON + ``\\r\\n\\r\\n``.

    The JSON has a space after each colon and none after commas
    (docs/evidence.md#service-sse-framing).
    """
    line = _escape_angles(json.dumps(obj, separators=(",", ": "), ensure_ascii=False))
    return b"data: " + _utf8(line) + b"\r\n\r\n"


ARRAY_HEAD, ARRAY_SEPARATOR, ARRAY_TAIL = b"[", b"\n,\r\n", b"\n]"


def dumps_element(obj: Any) -> bytes:
    """One element of a JSON-array stream: pretty-printed like a unary body, no newline."""
    return _utf8(_escape_angles(json.dumps(obj, indent=2, ensure_ascii=False)))


def dumps_array(objs: list[Any]) -> bytes:
    """A whole JSON-array stream (no ``alt=sse``), byte for byte as the service sends it.

    ``'[' + '\n,\r\n'.join(pretty objects) + '\n]'``, with no trailing newline
    (docs/evidence.md#service-array-stream).
    """
    return ARRAY_HEAD + ARRAY_SEPARATOR.join(map(dumps_element, objs)) + ARRAY_TAIL


def parse_sse(data: bytes) -> list[bytes]:
    """An event-stream body cut into its events, each with its separator, bytes intact."""
    events = []
    start = 0
    for match in re.finditer(rb"(\r\n\r\n|\n\n|\r\r)", data):
        events.append(data[start : match.end()])
        start = match.end()
    if start < len(data):
        events.append(data[start:])
    return events


def event_json(event: bytes) -> dict[str, Any]:
    """The JSON object in one ``data:`` event."""
    lines = event.decode("utf-8").splitlines()
    data = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
    value: dict[str, Any] = json.loads(data)
    return value
