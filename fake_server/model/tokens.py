"""Deterministic token accounting.

The fake cannot run Gemini's tokenizer, so it uses a stable approximation that is close for
English prose: every run of word characters is a token per six characters (at least one), every
other visible character is a token, an image costs what its size costs (see
:mod:`fake_server.model.images`), and any other media part 258 tokens. What
matters for apps is that the numbers are deterministic and consistent: ``countTokens`` returns the
``promptTokenCount`` that ``generateContent`` reports for the same contents, and the usage sums
always hold (see docs/deviations.md).
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from . import images

MEDIA_PART_TOKENS = 258

_PIECE = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")
_LONG_WORD = re.compile(r"\w{7,}")  # a word of more than one token
_SPACE = re.compile(r"\s")
CHUNK_CHARS = 1 << 16  # a long text is counted this much at a time, cut between words


def pieces(text: str) -> list[str]:
    """The text split into the units that tokens are counted over (see :func:`count_text`)."""
    return _PIECE.findall(text)


def piece_tokens(piece: str) -> int:
    return -(-len(piece) // 6) if piece[0].isalnum() or piece[0] == "_" else 1


CACHED_CHARS = 4096  # texts up to this long are remembered; longer ones would hold memory


def count_text(text: str) -> int:
    """Tokens in ``text``; short texts are remembered, since fixture answers are counted on
    every replay, and long ones are not, so the cache stays small whatever the prompts."""
    return _count_short(text) if len(text) <= CACHED_CHARS else _count(text)


@functools.lru_cache(maxsize=4096)
def _count_short(text: str) -> int:
    return _count(text)


def _count(text: str) -> int:
    """The sum of :func:`piece_tokens` over :func:`pieces`, counted a chunk at a time with
    the regular expression engine doing the work (a prompt of 20 MB takes a fraction of a
    second, and no single step holds the interpreter for long)."""
    total, start = 0, 0
    while start < len(text):
        end = start + CHUNK_CHARS
        if end < len(text):  # cut at a space, so that no word is split
            space = _SPACE.search(text, end)
            end = space.start() if space else len(text)
        total += _count_chunk(text[start:end])
        start = end
    return total


def _count_chunk(text: str) -> int:
    rest, words = _WORD.subn("", text)  # each word is a token, a long one more
    longer = sum(-(-len(word) // 6) - 1 for word in _LONG_WORD.findall(text))
    spaces = _SPACE.subn("", rest)[1]
    return words + longer + len(rest) - spaces  # every other visible character is one


def truncate_text(text: str, max_tokens: int) -> tuple[str, bool]:
    """The longest prefix of ``text`` that fits in ``max_tokens``; whether it had to be cut."""
    used = 0
    for match in _PIECE.finditer(text):
        cost = piece_tokens(match.group())
        if used + cost > max_tokens:
            return text[: match.start()].rstrip(), True
        used += cost
    return text, False


def _modality(mime_type: str) -> str:
    kind = mime_type.split("/", 1)[0].upper()
    if kind in ("IMAGE", "AUDIO", "VIDEO"):
        return kind
    return "TEXT" if kind == "TEXT" else "DOCUMENT"


FileTokens = Callable[[dict[str, Any]], int | None]  # a fileData part -> its cost, if known


def count_contents(
    contents: Iterable[dict[str, Any]], file_tokens: FileTokens | None = None
) -> dict[str, int]:
    """Tokens per modality (``TEXT``, ``IMAGE``, ...) over canonical contents."""
    totals: dict[str, int] = {}
    for content in contents:
        for part in content.get("parts", ()):
            response = part.get("functionResponse")
            if response is not None and response.get("parts"):
                # A multimodal function response: its media cost what they cost as parts.
                for media in response["parts"]:
                    modality, tokens = _count_part(media, file_tokens)
                    totals[modality] = totals.get(modality, 0) + tokens
                without = {k: v for k, v in response.items() if k != "parts"}
                part = {**part, "functionResponse": without}
            modality, tokens = _count_part(part, file_tokens)
            totals[modality] = totals.get(modality, 0) + tokens
    return totals


def _count_part(part: dict[str, Any], file_tokens: FileTokens | None) -> tuple[str, int]:
    if "text" in part:
        return "TEXT", count_text(part["text"])
    if "inlineData" in part:
        blob = part["inlineData"]
        mime = blob.get("mimeType", "")
        return _modality(mime), inline_tokens(mime, blob.get("data", ""))
    if "fileData" in part:
        counted = file_tokens(part["fileData"]) if file_tokens else None
        mime = part["fileData"].get("mimeType", "")
        return _modality(mime), MEDIA_PART_TOKENS if counted is None else counted
    other = {k: v for k, v in part.items() if k not in ("thought", "thoughtSignature")}
    return "TEXT", count_text(json.dumps(other, sort_keys=True))


HEAD_CHARS = 4 * ((images.HEADER_BYTES + 2) // 3)  # the base64 text of an image's header


def inline_tokens(mime_type: str, data: str) -> int:
    """An inline part's cost: an image's by its size (see fake_server.model.images), else 258.

    Only the header is decoded, where the size is; nothing is kept of the data."""
    if not mime_type.lower().startswith("image/"):
        return MEDIA_PART_TOKENS
    try:
        size = images.dimensions(base64.b64decode(data[:HEAD_CHARS]), mime_type)
    except (images.NotAnImage, ValueError):
        return MEDIA_PART_TOKENS  # validation refuses these before anything is counted
    return MEDIA_PART_TOKENS if size is None else images.image_tokens(*size)


def count_request(request: dict[str, Any], file_tokens: FileTokens | None = None) -> dict[str, int]:
    """Prompt tokens per modality: contents, system instruction and tool declarations."""
    contents = list(request.get("contents", ()))
    if "systemInstruction" in request:
        contents.append(request["systemInstruction"])
    totals = count_contents(contents, file_tokens)
    if request.get("tools"):
        tools = count_text(json.dumps(request["tools"], sort_keys=True))
        totals["TEXT"] = totals.get("TEXT", 0) + tools
    return totals


def modality_details(totals: dict[str, int]) -> list[dict[str, Any]]:
    """``[{"modality": "TEXT", "tokenCount": N}, ...]`` in the real service's order."""
    order = ("TEXT", "IMAGE", "AUDIO", "VIDEO", "DOCUMENT")
    return [
        {"modality": modality, "tokenCount": totals[modality]}
        for modality in order
        if totals.get(modality)
    ]
