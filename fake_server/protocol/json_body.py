"""A request body read as the service's front end reads it (docs/protocol.md, "Reading request
bodies"), for every JSON body of every route.

The front end reads JSON with protobuf's stream parser (:mod:`.json_stream`), which takes more
than strict JSON (single quotes, bare keys, a trailing comma before ``]`` and ``}``) and refuses
some of what ``json.loads`` takes (a lone surrogate, a number beyond a double, ``NaN``, a BOM,
objects nested more than 100 deep). :func:`read_json` tries ``json.loads`` first, guarded so that
it keeps only an answer the stream parser would give too, and hands anything else to the stream
parser: strict bodies cost what ``json.loads`` costs, and the rest is read, or refused with the
parser's own message, as the service does.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from .errors import ApiError, bad_request_detail, invalid_argument
from .json_stream import (
    MAX_NESTING,
    MAX_OBJECT_DEPTH,
    TOO_DEEP,
    BadNumber,
    Refused,
    StreamReader,
    number,
)

PREFIX = "Invalid JSON payload received. "


def read_json(raw: bytes) -> Any:
    """The body's value, or the service's ``400 INVALID_ARGUMENT`` saying why it has none.

    A body of nothing but whitespace is an empty message, ``{}``. The error's message is
    ``Invalid JSON payload received. `` and the parser's reason (with its snippet and caret), and
    its one detail a ``google.rpc.BadRequest`` with the same description.
    """
    if not raw.strip():
        return {}
    try:
        return _read_strict(raw)
    except (ValueError, RecursionError, _NotStrict):  # UnicodeDecodeError is a ValueError
        pass
    try:
        return StreamReader(raw).read()
    except Refused as refusal:
        raise _invalid(str(refusal)) from None


def too_deep() -> ApiError:
    """The fake's answer to a body nested deeper than it reads (or than its handlers walk)."""
    return _invalid(TOO_DEEP)


def _invalid(reason: str) -> ApiError:
    message = PREFIX + reason
    return invalid_argument(message, [bad_request_detail(message)])


class _NotStrict(Exception):
    """``json.loads`` read the body, but not as the stream parser reads it."""


def _integer(literal: str) -> int | float:
    if len(literal) < 19:  # within int64, whatever the digits
        return int(literal)
    try:
        return number(literal)  # a double beyond 64 bits, as in the parser
    except BadNumber:
        raise _NotStrict from None


def _real(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _NotStrict
    return value


def _constant(literal: str) -> NoReturn:
    raise _NotStrict  # NaN, Infinity, -Infinity: the parser takes them for a bare word


_STRICT = json.JSONDecoder(
    strict=False,  # raw control characters in strings, which the parser takes too
    parse_int=_integer,
    parse_float=_real,
    parse_constant=_constant,
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# In valid JSON every backslash begins an escape: take out the pairs and the other escapes,
# whole, and any surrogate escape left stands alone.
_PAIR_OR_OTHER_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\[^u]"
)
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"{}[]')))
_AS_PARENTHESES = bytes.maketrans(b"{}[]", b"()()")
# Below these lengths a whole count or search costs less than hopping from hit to hit with
# str.find (memchr), which is what keeps a large image cheap.
_SHORT_COUNT, _SHORT_SEARCH = 32 * 1024, 4 * 1024
_HOPS = 64  # backslashes looked at one by one before a regular expression takes over


def _read_strict(raw: bytes) -> Any:
    """``json.loads``, or :class:`_NotStrict` where the stream parser would read otherwise.

    What the parser refuses and ``json.loads`` takes is looked for only where it can be: a lone
    surrogate only in a body with a surrogate escape, too deep a nesting only in a body with
    more brackets than the limits. Long bodies are searched with ``str.find`` (memchr), so a
    large image costs little more than its parse.
    """
    text = raw.decode("utf-8")  # not json.loads(raw), which would take UTF-16 or a BOM
    value = _STRICT.decode(text)
    if _has_surrogate_escape(text):
        if _SURROGATE_ESCAPE.search(_PAIR_OR_OTHER_ESCAPE.sub("", text)):
            raise _NotStrict
    braces = _occurrences(text, "{", MAX_NESTING)
    if braces > MAX_OBJECT_DEPTH or braces + _occurrences(text, "[", MAX_NESTING) > MAX_NESTING:
        if _too_deep(raw):
            raise _NotStrict
    return value


def _has_surrogate_escape(text: str) -> bool:
    """Whether valid JSON ``text`` holds an escape in ``\\uD800``-``\\uDFFF``, paired or not."""
    if len(text) < _SHORT_SEARCH:
        return _SURROGATE_ESCAPE.search(text) is not None
    pos = text.find("\\")
    for _ in range(_HOPS):
        if pos < 0:
            return False
        if text[pos + 1] == "u" and _SURROGATE_ESCAPE.match(text, pos):
            return True
        pos = text.find("\\", pos + 2)  # past the escaped character, even a backslash
    return pos >= 0 and _SURROGATE_ESCAPE.search(text, pos) is not None


def _occurrences(text: str, char: str, limit: int) -> int:
    """How often ``char`` is in ``text``, or any number above ``limit`` once it is more."""
    if len(text) < _SHORT_COUNT:
        return text.count(char)
    found, pos = 0, text.find(char)
    while pos >= 0 and found <= limit:
        found, pos = found + 1, text.find(char, pos + 1)
    return found


def _too_deep(raw: bytes) -> bool:
    """Whether valid JSON ``raw`` nests deeper than the stream parser (or the fake) reads.

    Read from the bytes, not the value, for the first value of a repeated key counts too: the
    escapes out, then all but quotes and brackets, then the strings, which are mostly empty by
    then (if one is not, a run of quotes before it is odd, and a quote is left); what is left is
    the structure."""
    quotes_and_brackets = _ESCAPE.sub(b"", raw).translate(None, _NOT_STRUCTURE)
    brackets = quotes_and_brackets.replace(b'""', b"")
    if b'"' in brackets:  # a string with brackets in it: every other piece is outside strings
        brackets = b"".join(quotes_and_brackets.split(b'"')[::2])
    objects = brackets.translate(_AS_PARENTHESES, b"[]")
    return _deeper(objects, MAX_OBJECT_DEPTH) or _deeper(
        brackets.translate(_AS_PARENTHESES), MAX_NESTING
    )


def _deeper(parentheses: bytes, limit: int) -> bool:
    """Whether balanced ``parentheses`` nest more than ``limit`` deep: each round takes out the
    innermost pairs, so the rounds it takes to empty them is their depth."""
    for _ in range(limit):
        if not parentheses:
            return False
        parentheses = parentheses.replace(b"()", b"")
    return bool(parentheses)
