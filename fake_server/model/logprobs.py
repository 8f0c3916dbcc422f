"""Log probabilities of an answer's tokens: ``logprobsResult`` and ``avgLogprobs``.

With ``generationConfig.responseLogprobs`` a model that has them (the 2.0 family on the
Developer API; docs/evidence.md#service-logprobs) gives each candidate a ``logprobsResult``:
``chosenCandidates``, one entry per token of the answer (``token``, ``tokenId``,
``logProbability``), and, with ``logprobs: K``, ``topCandidates``, the K likeliest tokens at
each step, most likely first. Other models refuse the request (:mod:`.validate`).

The tokens are the fake's own (:mod:`.tokens`: a word is a token per six characters, with the
space before it; each other visible character is one), so the chosen tokens join to the answer's
text and their number is the candidate's ``candidatesTokenCount``. The probabilities are drawn
from the request's seed: the same request gets the same numbers. Each step's chosen token is its
most likely one, and a step's probabilities never add up to more than 1.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from typing import Any

_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])")
WORD_CHARS = 6  # as tokens.piece_tokens counts a word
VOCABULARY_SIZE = 256_000
# What the alternatives at a step are drawn from: common English tokens.
ALTERNATIVES = (
    " the", " a", " and", " of", " to", " in", " is", " it", " that", " for", ",", ".",
    " with", " as", " on", " be", " this", " are", " or", " by", "\n", " an", " can", " not",
)  # fmt: skip


def token_spans(text: str) -> list[tuple[int, str]]:
    """The answer's tokens with where each starts in ``text``; they join to ``text`` but for
    trailing space."""
    spans: list[tuple[int, str]] = []
    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        core = token.lstrip()
        lead = token[: len(token) - len(core)]
        if not (core[0].isalnum() or core[0] == "_"):
            spans.append((start, token))
            continue
        for offset in range(0, len(core), WORD_CHARS):
            piece = core[offset : offset + WORD_CHARS]
            spans.append(
                (start, lead + piece) if offset == 0 else (start + len(lead) + offset, piece)
            )
    return spans


def token_id(token: str) -> int:
    return int.from_bytes(hashlib.sha256(token.encode()).digest()[:4], "big") % VOCABULARY_SIZE


def _entry(token: str, log_probability: float) -> dict[str, Any]:
    return {"token": token, "tokenId": token_id(token), "logProbability": log_probability}


def logprobs_result(text: str, top: int, rng: random.Random) -> dict[str, Any]:
    """The ``logprobsResult`` of an answer whose text is ``text``, with ``top`` candidates a
    step (none when 0)."""
    chosen, steps = [], []
    for _, token in token_spans(text):
        probability = 1 - 0.6 * rng.random() ** 3  # mostly sure, now and then not
        entry = _entry(token, round(math.log(probability), 6))
        chosen.append(entry)
        if top:
            steps.append({"candidates": [entry, *_alternatives(token, probability, top, rng)]})
    result: dict[str, Any] = {}
    if top:
        result["topCandidates"] = steps
    result["chosenCandidates"] = chosen
    return result


def _alternatives(
    token: str, probability: float, top: int, rng: random.Random
) -> list[dict[str, Any]]:
    """``top - 1`` other tokens, each less likely than the one before, sharing what the chosen
    token leaves of 1."""
    others = [t for t in ALTERNATIVES if t != token]
    picked = rng.sample(others, min(top - 1, len(others)))
    left = (1 - probability) * 0.9
    shown = []
    for alternative in picked:
        share = left * rng.uniform(0.3, 0.7)
        left -= share
        shown.append(_entry(alternative, round(math.log(max(share, 1e-12)), 6)))
    shown.sort(key=lambda entry: -entry["logProbability"])
    return shown


def average(result: dict[str, Any]) -> float | None:
    """``avgLogprobs``: the mean of the chosen tokens' log probabilities."""
    chosen = result.get("chosenCandidates") or []
    if not chosen:
        return None
    total: float = sum(entry["logProbability"] for entry in chosen)
    return round(total / len(chosen), 6)


def for_range(result: dict[str, Any], text: str, start: int, end: int) -> dict[str, Any]:
    """The part of ``result`` (for the whole ``text``) whose tokens start in ``[start, end)``:
    what a stream chunk carrying that stretch of the text carries."""
    kept = [i for i, (at, _) in enumerate(token_spans(text)) if start <= at < end]
    part: dict[str, Any] = {}
    if "topCandidates" in result:
        part["topCandidates"] = [result["topCandidates"][i] for i in kept]
    part["chosenCandidates"] = [result["chosenCandidates"][i] for i in kept]
    return part


def seeded(seed: bytes, index: int) -> random.Random:
    digest = hashlib.sha256(seed + b"/logprobs/" + str(index).encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))
