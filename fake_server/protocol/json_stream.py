"""protobuf's JSON stream parser, as the service's front end runs it on a request body
(docs/protocol.md, "Reading request bodies").

:class:`StreamReader` follows ``JsonStreamParser`` step by step, with its default options: the
same token rules (single or double quotes, bare keys, a trailing comma before ``]`` and ``}``,
any character after a backslash standing for itself), the same numbers (an integer within int64
or uint64, else a double; octal, hex and numbers beyond a double refused), the same checks on
``\\u`` escapes (surrogates must pair), its limit of 100 nested objects, and its messages, each
framed with the 20 bytes either side of where it stopped and a caret under that byte.

The front end is taken to hand the parser the body as one chunk and then to finish (the reason
is the same either way; only a snippet could differ). Where the chunk runs short
(the input ends inside a token, or an unknown character stops it) the parser waits for more,
then parses what was left over in its finishing mode, and an error found then shows its snippet
from the leftover, not from the body. Only the body's valid UTF-8 prefix is parsed as a chunk;
the rest goes to the leftover, which is refused whole if it is not valid UTF-8.
"""

from __future__ import annotations

import math
import re
from typing import Any, NoReturn

MAX_OBJECT_DEPTH = 100  # the parser's default recursion limit; it counts objects only
MAX_NESTING = 256  # the fake's own bound on objects and arrays together (the parser has none)
CONTEXT = 20  # bytes of the body shown either side of the caret
TOO_DEEP = "The payload is nested too deeply."  # the fake's message past MAX_NESTING

_UINT64_MAX = 2**64 - 1
_INT64_MIN_MAGNITUDE = 2**63


class Refused(Exception):
    """The parser's refusal: its message, framed with the snippet when it has one."""


class BadNumber(Exception):
    """A number token the parser refuses, with its message."""


# --- numbers ----------------------------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX = re.compile(r"[+-]?0x(?:[0-9eE]+\.?[0-9eE]*|\.[0-9eE]+)")  # strtod's, in these characters


def number(token: str) -> int | float:
    """A number token (the characters ``0-9 . e E + - x`` the parser gathers) as its value: an
    integer within int64 or uint64 is an int, any other number a double, as in the parser."""
    if token.isdigit() and len(token) < 20 and (token[0] != "0" or token == "0"):
        return int(token)  # the common case, decided at once
    if "." in token or "e" in token or "E" in token:
        return _double(token)
    if not token.startswith("-"):
        if len(token) >= 2 and token[0] == "0":
            raise BadNumber("Octal/hex numbers are not valid JSON values.")
        if token.isdigit() and len(token) <= 20 and int(token) <= _UINT64_MAX:
            return int(token)
        return _double(token)
    if len(token) >= 3 and token[1] == "0":
        raise BadNumber("Octal/hex numbers are not valid JSON values.")
    digits = token[1:]
    if digits.isdigit() and len(digits) <= 19 and int(digits) <= _INT64_MIN_MAGNITUDE:
        return -int(digits)
    return _double(token)


def _double(token: str) -> float:
    """The token read whole by ``strtod`` (decimal or hex), refused if it is not finite."""
    if _DECIMAL.fullmatch(token):
        value = float(token)
    elif _HEX.fullmatch(token):
        value = float.fromhex(token)
    else:
        raise BadNumber("Unable to parse number.")
    if not math.isfinite(value):
        raise BadNumber("Number exceeds the range of double.")
    return value


# --- the parser -------------------------------------------------------------------------------

_VALUE, _OBJ_MID, _ENTRY, _ENTRY_MID, _ARRAY_VALUE, _ARRAY_MID = range(6)
_SPACE = re.compile(rb"[ \t\n\v\f\r]*")  # absl::ascii_isspace
_BARE_KEY = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER_CHARS = re.compile(rb"[0-9.eE+\-x]*")
_PLAIN = {ord('"'): re.compile(rb'[^"\\]*'), ord("'"): re.compile(rb"[^'\\]*")}
_ESCAPED = {ord(c): e.encode() for c, e in zip("bfnrtv", "\b\f\n\r\t\v", strict=True)}
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_WHITESPACE = frozenset(b" \t\n\v\f\r")
_KEYWORDS = {"true": True, "false": False, "null": None}
_KEYWORD_STARTS = {ord(word[0]): word for word in _KEYWORDS}
# What a token's first byte makes it, in the parser's order of tests: quotes, numbers (then the
# keywords, by their first letter), punctuation, bare keys; anything else is unknown.
_KINDS = {
    **dict.fromkeys(b"\"'", "string"),
    **dict.fromkeys(b"-0123456789", "number"),
    **{c: chr(c) for c in b"{}[]:,"},
    **dict.fromkeys(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$", "key"),
}


def _end_of(pattern: re.Pattern[bytes], data: bytes, pos: int) -> int:
    """Where the run of ``pattern`` from ``pos`` ends (every pattern here matches there)."""
    match = pattern.match(data, pos)
    return pos if match is None else match.end()


def _framed(message: str, segment: bytes, column: int) -> str:
    shown = segment.decode("utf-8", "replace")
    return f"{message}\n{shown}\n{' ' * column}^"


class StreamReader:
    """One body read by ``JsonStreamParser``'s rules: ``StreamReader(raw).read()``.

    ``finishing`` is the parser's finishing mode and ``base`` the start of the leftover it reads
    in it, where its snippets begin. Values are built as the parser renders them: a repeated key
    keeps its last value.
    """

    def __init__(self, raw: bytes) -> None:
        try:
            raw.decode("utf-8")
            valid = len(raw)
        except UnicodeDecodeError as error:
            valid = error.start
        self.data, self.tail = raw[:valid], raw[valid:]
        self.pos = 0
        self.finishing = False
        self.base = 0
        self.key = ""  # the key the next value is rendered under
        self.objects = 0  # objects open: the parser's recursion depth
        self.open: list[list[Any] | dict[str, Any]] = []
        self.root: list[Any] = []

    def read(self) -> Any:
        """The body's value, or :class:`Refused` with the parser's message."""
        steps = (
            self._value,
            self._object_mid,
            self._entry,
            self._entry_mid,
            self._array_value,
            self._array_mid,
        )
        stack = [_VALUE]
        while stack:
            steps[stack.pop()](stack)
        self._skip_space()
        if self.pos < len(self.data):
            self._fail("Parsing terminated before end of input.")
        if self.tail:
            raise Refused(_framed("Encountered non UTF-8 code points.", self.tail[:CONTEXT], 0))
        return self.root[0]

    # -- how the parser reports, and where it waits

    def _fail(self, message: str, at: int | None = None) -> NoReturn:
        at = self.pos if at is None else at
        begin = max(at - CONTEXT, self.base)
        end = min(at + CONTEXT, len(self.data))
        raise Refused(_framed(message, self.data[begin:end], at - begin))

    def _wait(self, at: int | None = None) -> None:
        """Where the parser would wait for more input: from ``at`` on it is finishing."""
        if self.finishing:
            return
        at = self.pos if at is None else at
        if self.tail:  # the leftover is checked for UTF-8 before it is parsed
            leftover = self.data[at : at + CONTEXT] + self.tail[:CONTEXT]
            raise Refused(_framed("Encountered non UTF-8 code points.", leftover[:CONTEXT], 0))
        self.finishing, self.base = True, at

    def _unknown(self, message: str) -> NoReturn:
        self._wait()
        if self.pos >= len(self.data):
            message = "Unexpected end of string. " + message
        self._fail(message)

    def _unexpected(self) -> NoReturn:
        if len(self.data) - self.pos < len("false"):  # perhaps a keyword the next chunk ends
            self._wait()
        self._fail("Unexpected token.")

    # -- tokens

    def _skip_space(self) -> None:
        self.pos = _end_of(_SPACE, self.data, self.pos)

    def _token(self) -> str:
        """The kind of the next token: the character itself for ``{}[]:,``, else a word."""
        data, pos = self.data, self.pos
        if pos < len(data) and data[pos] in _WHITESPACE:
            pos = self.pos = _end_of(_SPACE, data, pos)
        if pos >= len(data):
            return "unknown"
        kind = _KINDS.get(data[pos], "unknown")
        keyword = _KEYWORD_STARTS.get(data[pos])
        if keyword is not None and data.startswith(keyword.encode(), pos):
            return keyword  # a keyword is known before a bare key is looked for
        return kind

    def _render(self, value: Any) -> None:
        if not self.open:
            self.root.append(value)
        elif isinstance(container := self.open[-1], list):
            container.append(value)
        else:
            container[self.key] = value
        self.key = ""

    # -- the parser's steps, one per entry of its stack

    def _value(self, stack: list[int], token: str | None = None) -> None:
        if token is None:
            token = self._token()
        if token == "{":
            self.objects += 1
            if self.objects > MAX_OBJECT_DEPTH:
                raise Refused(f"Message too deep. Max recursion depth reached for key '{self.key}'")
            self._begin({}, stack, _ENTRY)
        elif token == "[":
            self._begin([], stack, _ARRAY_VALUE)
        elif token == "string":
            self._render(self._string())
        elif token == "number":
            self._render(self._number())
        elif token in _KEYWORDS:
            self.pos += len(token)
            self._render(_KEYWORDS[token])
        elif token == "unknown":
            self._unknown("Expected a value.")
        else:
            self._unexpected()

    def _begin(self, container: list[Any] | dict[str, Any], stack: list[int], step: int) -> None:
        if len(self.open) >= MAX_NESTING:
            raise Refused(TOO_DEEP)
        self.pos += 1
        self._render(container)
        self.open.append(container)
        stack.append(step)

    def _end(self) -> None:
        if isinstance(self.open.pop(), dict):
            self.objects -= 1
        self.pos += 1

    def _entry(self, stack: list[int]) -> None:
        token = self._token()
        if token == "unknown":
            self._unknown("Expected an object key or }.")
        if token == "}":  # what lets a trailing comma through
            self._end()
            return
        if token == "string":
            self.key = self._string()
        elif token == "key" or token in _KEYWORDS:
            self.key = self._bare_key()
            if self.key in _KEYWORDS:
                self._fail("Expected an object key or }.")
        else:
            self._fail("Expected an object key or }.")
        stack += (_OBJ_MID, _ENTRY_MID)

    def _entry_mid(self, stack: list[int]) -> None:
        token = self._token()
        if token == "unknown":
            self._unknown("Expected : between key:value pair.")
        if token != ":":
            self._fail("Expected : between key:value pair.")
        self.pos += 1
        stack.append(_VALUE)

    def _object_mid(self, stack: list[int]) -> None:
        self._after_value(stack, "}", _ENTRY, "Expected , or } after key:value pair.")

    def _array_value(self, stack: list[int]) -> None:
        token = self._token()
        if token == "unknown":
            self._unknown("Expected a value or ] within an array.")
        if token == "]":
            self._end()
            return
        stack.append(_ARRAY_MID)
        self._value(stack, token)

    def _array_mid(self, stack: list[int]) -> None:
        self._after_value(stack, "]", _ARRAY_VALUE, "Expected , or ] after array value.")

    def _after_value(self, stack: list[int], close: str, then: int, message: str) -> None:
        token = self._token()
        if token == "unknown":
            self._unknown(message)
        if token == close:
            self._end()
        elif token == ",":
            self.pos += 1
            stack.append(then)
        else:
            self._fail(message)

    # -- the tokens that carry a value

    def _bare_key(self) -> str:
        end = _end_of(_BARE_KEY, self.data, self.pos)
        if end == len(self.data):
            self._wait()  # the key may go on in the next chunk
        key, self.pos = self.data[self.pos : end].decode(), end
        return key

    def _number(self) -> int | float:
        end = _end_of(_NUMBER_CHARS, self.data, self.pos)
        if end == len(self.data):
            self._wait()  # the number may go on in the next chunk
        try:
            value = number(self.data[self.pos : end].decode())
        except BadNumber as bad:
            self._fail(str(bad))
        self.pos = end
        return value

    def _string(self) -> str:
        """A string from its opening quote (either kind) to the same quote again."""
        data = self.data
        quote = data[self.pos]
        plain = _PLAIN[quote]
        pos = self.pos + 1
        pieces: list[bytes] = []
        while True:
            end = _end_of(plain, data, pos)
            pieces.append(data[pos:end])
            pos = end
            if pos >= len(data):  # the input ends inside the string
                self._wait(pos)
                self._fail("Closing quote expected in string.", pos)
            if data[pos] == quote:
                self.pos = pos + 1
                return b"".join(pieces).decode("utf-8")
            if pos + 1 >= len(data):  # a backslash, and the input ends
                self._wait(pos)
                self._fail("Closing quote expected in string.", pos)
            escaped = data[pos + 1]
            if escaped == ord("u"):
                code, pos = self._unicode_escape(pos)
                pieces.append(chr(code).encode())
            else:  # any other character stands for itself
                pieces.append(_ESCAPED.get(escaped, bytes((escaped,))))
                pos += 2

    def _unicode_escape(self, at: int) -> tuple[int, int]:
        """The code point of the ``\\uXXXX`` at ``at`` (joined with its low half when it is a
        high surrogate) and where the escape ends. A surrogate alone is refused."""
        data = self.data
        if len(data) - at < 6:
            self._wait(at)
            self._fail("Illegal hex string.", at)
        code = self._hex(at + 2, at)
        if 0xD800 <= code <= 0xDBFF:
            if len(data) - at < 12:
                self._wait(at)
                self._fail("Missing low surrogate.", at)
            if data[at + 6 : at + 8] != b"\\u":
                self._fail("Missing low surrogate.", at)
            low = self._hex(at + 8, at)
            if not 0xDC00 <= low <= 0xDFFF:
                self._fail("Invalid low surrogate.", at)
            return 0x10000 + ((code & 0x3FF) << 10 | (low & 0x3FF)), at + 12
        if 0xDC00 <= code <= 0xDFFF:
            self._fail("Invalid unicode code point.", at)
        return code, at + 6

    def _hex(self, start: int, at: int) -> int:
        digits = self.data[start : start + 4]
        if not all(c in _HEX_DIGITS for c in digits):
            self._fail("Invalid escape sequence.", at)
        return int(digits, 16)
