"""Deterministic token accounting.

The fake cannot run Gemini's tokenizer, so it uses a stable approximation that is close for
English prose: every run of word characters is a token per six characters (at least one), every
other visible character is a token, and a media part costs what the docs' rates give for its
size, length or pages at the request's media resolution
(:mod:`fake_server.model.media_tokens`). What matters for apps is that the numbers are
deterministic and consistent: ``countTokens`` returns the ``promptTokenCount`` that
``generateContent`` reports for the same contents, and the usage sums always hold (see
docs/deviations.md).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from . import media, media_tokens
from .media_tokens import MediaCosts

MEDIA_PART_TOKENS = media_tokens.FALLBACK

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


# What counting needs besides the request (the model's family, the uploaded files); the name
# is the one the callers of count_request pass it under.
FileTokens = MediaCosts


def count_contents(
    contents: Iterable[dict[str, Any]],
    file_tokens: FileTokens | None = None,
    resolution: str | None = None,
) -> dict[str, int]:
    """Tokens per modality (``TEXT``, ``IMAGE``, ...) over canonical contents, media counted at
    ``resolution`` (``generationConfig.mediaResolution``) unless a part says otherwise."""
    costs = file_tokens or MediaCosts()
    totals: dict[str, int] = {}
    for content in contents:
        for part in content.get("parts", ()):
            response = part.get("functionResponse")
            if response is not None and response.get("parts"):
                # A multimodal function response: its media cost what they cost as parts.
                for media in response["parts"]:
                    modality, tokens = _count_part(media, costs, resolution)
                    totals[modality] = totals.get(modality, 0) + tokens
                without = {k: v for k, v in response.items() if k != "parts"}
                part = {**part, "functionResponse": without}
            modality, tokens = _count_part(part, costs, resolution)
            totals[modality] = totals.get(modality, 0) + tokens
    return totals


def _count_part(part: dict[str, Any], costs: MediaCosts, resolution: str | None) -> tuple[str, int]:
    if "text" in part:
        return "TEXT", count_text(part["text"])
    if "inlineData" in part or "fileData" in part:
        level = media_tokens.level(part, resolution, costs.family)
        if "inlineData" in part:
            blob = part["inlineData"]
            mime = str(blob.get("mimeType", ""))
            source: media.Source = media.Base64Source(str(blob.get("data", "")))
        else:
            mime = str(part["fileData"].get("mimeType", ""))
            opened = costs.open_file(part["fileData"]) if costs.open_file else None
            if opened is None:
                return _modality(mime), MEDIA_PART_TOKENS
            stored, source = opened  # measured as the type it was uploaded as
            cost = media_tokens.part_tokens(stored or mime, source, part, level, costs.family)
            return _modality(mime or stored), cost
        return _modality(mime), media_tokens.part_tokens(mime, source, part, level, costs.family)
    other = {k: v for k, v in part.items() if k not in ("thought", "thoughtSignature")}
    return "TEXT", count_text(json.dumps(other, sort_keys=True))


def count_request(request: dict[str, Any], file_tokens: FileTokens | None = None) -> dict[str, int]:
    """Prompt tokens per modality: contents, system instruction and tool declarations."""
    contents = list(request.get("contents", ()))
    if "systemInstruction" in request:
        contents.append(request["systemInstruction"])
    resolution = request.get("generationConfig", {}).get("mediaResolution")
    totals = count_contents(contents, file_tokens, resolution)
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
