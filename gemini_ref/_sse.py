"""A ``text/event-stream`` decoder without I/O: feed it bytes as they arrive, get events back.

It follows the WHATWG HTML standard's "event stream interpretation" (§9.2.6) exactly:

* Lines end with CRLF, LF or CR. A CR that ends one fed chunk and a LF that starts the next are
  one line ending, not two.
* One UTF-8 byte order mark at the very start of the stream is skipped. Text is decoded as
  UTF-8 with U+FFFD for invalid bytes, one complete line at a time: a multi-byte character never
  contains a CR or LF byte, so a line that is complete is never a split character.
* A line starting with ``:`` is a comment. Otherwise the field name runs to the first ``:``
  and the value follows it, less one leading space; a line without ``:`` is a field with an
  empty value.
* ``data`` appends the value and a LF to the data buffer; ``event`` sets the event type;
  ``id`` sets the last event ID unless the value holds a NUL; ``retry`` sets the reconnection
  time if the value is all ASCII digits. Other fields are ignored.
* A blank line dispatches the event: nothing if the data buffer is empty, else the data less
  its final LF, with the type ``"message"`` unless ``event`` said otherwise.
* At the end of the stream an unfinished event is discarded. The spec drops it silently;
  ``close()`` returns its bytes so that a client can tell a stream that was cut short.

It is fast because the work per byte happens in C: ``bytes.splitlines`` (which breaks at
exactly CR, LF and CRLF) over whatever complete lines a chunk brings, and a fast path for the
``data: `` lines that make up almost all of a real stream. Python code runs per line, not per
character; a chunk without a line ending is only set aside.
"""

from __future__ import annotations

from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"
_CR, _LF = 13, 10


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    data: str
    event: str = "message"
    id: str = ""
    """The stream's last event ID when this event was dispatched (``""`` if none was ever set)."""


class SSEDecoder:
    """Bytes of an event stream in, ``ServerSentEvent``\\ s out; ``close()`` at the end.

    ::

        decoder = SSEDecoder()
        for chunk in network:
            for event in decoder.feed(chunk):
                ...
        if decoder.close():
            ...  # the stream ended in the middle of an event

    ``last_event_id`` and ``retry`` (the reconnection time in milliseconds, ``None`` until a
    ``retry`` field sets it) are the stream-level state the spec keeps for reconnecting.
    """

    def __init__(self) -> None:
        self.last_event_id = ""
        self.retry: int | None = None
        self._start()

    def _start(self) -> None:
        # The spec's buffers start empty with each stream (the last event ID buffer too).
        self._id_buffer = ""  # set by ``id``; a blank line publishes it as ``last_event_id``
        self._head = b""  # the first bytes, held until we know whether they are a BOM
        self._started = False
        self._partial: list[bytes] = []  # pieces of a line whose ending has not arrived yet
        self._after_cr = False  # the last chunk ended in CR: a LF starting the next belongs to it
        self._data: list[bytes] = []  # the data buffer, one item per ``data`` line
        self._event_type = b""
        self._lines: list[bytes] = []  # the field lines of the event being read, as received

    def feed(self, data: bytes) -> list[ServerSentEvent]:
        """The events that ``data``, the next bytes of the stream, completes."""
        if not self._started:
            data = self._head + data
            if len(data) < len(BOM) and BOM.startswith(data):
                self._head = data  # too short to tell
                return []
            self._started, self._head = True, b""
            if data.startswith(BOM):
                data = data[len(BOM) :]
        if self._after_cr and data:
            self._after_cr = False
            if data[0] == _LF:
                data = data[1:]
        if b"\n" not in data and b"\r" not in data:
            if data:
                self._partial.append(data)
            return []
        lines = data.splitlines()
        if self._partial:  # the first line completes the one set aside
            self._partial.append(lines[0])
            lines[0] = b"".join(self._partial)
            self._partial = []
        last = data[-1]
        if last != _LF and last != _CR:
            self._partial.append(lines.pop())
        self._after_cr = last == _CR
        return self._read(lines)

    def close(self) -> bytes:
        """End of stream: the bytes of the unfinished event discarded, ``b""`` if none.

        Those are the field lines read since the last blank line (comments left out, line
        endings given as LF) and a last line without its line ending. The decoder is then ready
        for another stream: its buffers start empty again, while ``last_event_id`` and ``retry``,
        the state a reconnection uses, are kept.
        """
        left = self._lines + [b"".join(self._partial)] if self._partial else self._lines
        unfinished = self._head + b"\n".join(left)
        self._start()
        return unfinished

    def _read(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if not line:
                if self._data:
                    events.append(self._dispatch())
                else:
                    self._event_type = b""
                    self.last_event_id = self._id_buffer
                self._lines = []
            elif line.startswith(b"data: "):  # nearly every line of a real stream
                self._data.append(line[6:])
                self._lines.append(line)
            elif line[0] != 0x3A:  # not a ":" comment
                self._field(line)
                self._lines.append(line)
        return events

    def _field(self, line: bytes) -> None:
        name, colon, value = line.partition(b":")
        if colon and value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event_type = value
        elif name == b"id":
            if b"\0" not in value:
                self._id_buffer = value.decode("utf-8", "replace")
        elif name == b"retry":
            if value.isdigit():  # ASCII digits only, and not empty
                self.retry = int(value)

    def _dispatch(self) -> ServerSentEvent:
        self.last_event_id = self._id_buffer
        event = ServerSentEvent(
            b"\n".join(self._data).decode("utf-8", "replace"),
            self._event_type.decode("utf-8", "replace") or "message",
            self.last_event_id,
        )
        self._data = []
        self._event_type = b""
        return event
