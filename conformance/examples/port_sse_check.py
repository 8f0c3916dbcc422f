#!/usr/bin/env python3
"""A port's view of the conformance vectors: an event-stream decoder checked against them.

This script stands alone on purpose. It imports nothing from this repository, only the
standard library, and holds its own small decoder written from the WHATWG rules ("Interpreting
an event stream", HTML §9.2.6), as a port to another language would. It loads
``conformance/vectors/sse_decoding.json``, runs every case, prints one line per case and exits
with status 0 when all pass, 1 otherwise::

    python conformance/examples/port_sse_check.py [path/to/sse_decoding.json] [-v]

A port does the same in its own language: read the file, feed each case's bytes to its decoder
(whole, at the case's ``splits``, and one byte at a time), compare with the expected events and
end state, and fail the build on any difference. The file starts with a header that a reader
skips: ``format`` (the layout's version, 1), ``description`` (what each field means) and
``pins`` (the doc sections it pins); the sections that follow are read by name.
"""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "sse_decoding.json"


@dataclass
class Decoder:
    """Bytes in, events out. Follows the spec's steps, one character at a time."""

    events: list[dict[str, str]] = field(default_factory=list)
    last_event_id: str = ""
    retry: int | None = None
    _raw: bytearray = field(default_factory=bytearray)  # bytes not yet decoded
    _line: list[str] = field(default_factory=list)  # the line being read
    _after_cr: bool = False  # the last character was CR: a LF right after it is skipped
    _first: bool = True  # a BOM is skipped only at the very start
    _data: str = ""
    _type: str = ""
    _id: str = ""
    _pending: bool = False  # a field line was read since the last blank line

    def feed(self, chunk: bytes) -> None:
        self._raw += chunk
        text, self._raw = _decode_complete(self._raw)
        for char in text:
            if self._first:
                self._first = False
                if char == "\ufeff":
                    continue
            if self._after_cr and char == "\n":
                self._after_cr = False
                continue
            self._after_cr = char == "\r"
            if char in "\r\n":
                self._end_line("".join(self._line))
                self._line = []
            else:
                self._line.append(char)

    def close(self) -> bool:
        """The end of the stream; True when it ended inside an event (incomplete)."""
        tail = self._raw.decode("utf-8", "replace")
        if self._first and tail.startswith("\ufeff"):
            tail = tail[1:]
        return self._pending or bool(self._line) or bool(tail)

    def _end_line(self, line: str) -> None:
        if line == "":
            self._dispatch()
        elif line.startswith(":"):
            pass  # a comment
        else:
            self._pending = True
            name, colon, value = line.partition(":")
            if colon and value.startswith(" "):
                value = value[1:]
            self._field(name, value)

    def _field(self, name: str, value: str) -> None:
        if name == "data":
            self._data += value + "\n"
        elif name == "event":
            self._type = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry":
            if value and all("0" <= c <= "9" for c in value):
                self.retry = int(value)

    def _dispatch(self) -> None:
        self.last_event_id = self._id
        self._pending = False
        if self._data == "":
            self._type = ""
            return
        data = self._data[:-1] if self._data.endswith("\n") else self._data
        self.events.append({"data": data, "event": self._type or "message", "id": self._id})
        self._data, self._type = "", ""


def _decode_complete(raw: bytearray) -> tuple[str, bytearray]:
    """The UTF-8 text of ``raw`` up to a character that may still be arriving."""
    keep = 0
    for back in range(1, min(4, len(raw)) + 1):
        byte = raw[-back]
        if byte & 0xC0 != 0x80:  # the lead byte of the last character
            needed = 2 if byte >= 0xC0 else 1
            needed = 3 if byte >= 0xE0 else needed
            needed = 4 if byte >= 0xF0 else needed
            keep = back if needed > back else 0
            break
    cut = len(raw) - keep
    return raw[:cut].decode("utf-8", "replace"), bytearray(raw[cut:])


def decode(chunks: list[bytes]) -> dict[str, Any]:
    decoder = Decoder()
    for chunk in chunks:
        decoder.feed(chunk)
    incomplete = decoder.close()
    return {
        "events": decoder.events,
        "incomplete": incomplete,
        "last_event_id": decoder.last_event_id,
        "retry": decoder.retry,
    }


# --- the vectors ----------------------------------------------------------------------------


def stream_of(case: dict[str, Any]) -> bytes:
    if "input_base64" in case:
        return base64.b64decode(case["input_base64"])
    return str(case["input"]).encode("utf-8")


def splittings(data: bytes, splits: list[int]) -> dict[str, list[bytes]]:
    cuts = [0, *splits, len(data)]
    return {
        "whole": [data],
        "at the splits": [data[a:b] for a, b in zip(cuts, cuts[1:], strict=False)],
        "byte by byte": [data[i : i + 1] for i in range(len(data))],
    }


def check_events(case: dict[str, Any]) -> list[str]:
    expected = {key: case[key] for key in ("events", "incomplete", "last_event_id", "retry")}
    problems = []
    for how, chunks in splittings(stream_of(case), case.get("splits", [])).items():
        got = decode(chunks)
        if got != expected:
            problems.append(f"fed {how}: got {got}, expected {expected}")
    return problems


def read_chunks(case: dict[str, Any]) -> dict[str, Any]:
    """A Gemini stream as a client reads it: JSON chunks, then how the stream ended."""
    decoder = Decoder()
    decoder.feed(stream_of(case))
    incomplete = decoder.close()
    chunks: list[Any] = []
    for event in decoder.events:
        try:
            data = json.loads(event["data"])
        except ValueError:
            return {"chunks": chunks, "end": "malformed"}
        if isinstance(data, dict) and "error" in data:
            error = data["error"]
            code = error.get("code") if isinstance(error, dict) else None
            if not isinstance(code, int) or isinstance(code, bool):
                return {"chunks": chunks, "end": "malformed"}
            return {"chunks": chunks, "end": "error", "error": error}
        chunks.append(data)
    return {"chunks": chunks, "end": "interrupted" if incomplete else "complete"}


def check_chunks(case: dict[str, Any]) -> list[str]:
    expected = {"chunks": case["chunks"], "end": case["end"]}
    if "error" in case:
        expected["error"] = case["error"]
    got = read_chunks(case)
    return [] if got == expected else [f"got {got}, expected {expected}"]


def check_array(case: dict[str, Any]) -> list[str]:
    got = json.loads(stream_of(case))
    return [] if got == case["elements"] else [f"got {got}, expected {case['elements']}"]


CHECKS = {"events": check_events, "chunks": check_chunks, "arrays": check_array}


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [arg for arg in argv if arg != "-v"]
    vectors = json.loads(Path(paths[0] if paths else DEFAULT_VECTORS).read_text("utf-8"))
    failed = total = 0
    for section, check in CHECKS.items():
        for case in vectors.get(section, []):
            total += 1
            problems = check(case)
            failed += bool(problems)
            print(f"{'FAIL' if problems else 'pass'}  {section}/{case['name']}")
            for problem in problems if verbose else problems[:1]:
                print(f"      {problem}")
    print(f"{total - failed} of {total} vectors pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
