"""One answer cut into the stream chunks the real service sends, and chunks joined back.

:func:`chunk` turns a finished GenerateContentResponse into stream chunks the way the service
streams (docs/evidence.md#service-stream-chunks): thought parts first, in their own chunks; then the
answer in pieces that end at word boundaries, a short first piece (so the first event comes soon)
and then about a sentence at a time; every chunk carrying ``usageMetadata`` (cumulative so far),
``modelVersion`` and the same ``responseId``; ``finishReason`` only on the last; the
candidate's other keys (``groundingMetadata``, ``urlContextMetadata``) on every one, whole. The last
chunk's usage is the whole answer's, so a stream and a unary call for the same request agree.

:func:`aggregate` does the reverse for a recorded stream answering a unary call.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any

from . import logprobs

_WORD_END = re.compile(r"\S+\s*")
_SENTENCE_END = re.compile(r"[.!?:]\s|\n")


def split_text(text: str, rng: random.Random) -> list[str]:
    """Pieces of ``text`` ending at word boundaries: a short first one, then about a sentence."""
    words = _WORD_END.findall(text)
    leading = text[: len(text) - len(text.lstrip())]
    if not words:
        return [text] if text else []
    pieces: list[str] = []
    current = leading
    target = rng.randint(1, 3)  # words in the first piece
    count = 0
    for word in words:
        current += word
        count += 1
        first = not pieces
        done = (
            count >= target
            if first
            else (
                len(current) >= 40 and _SENTENCE_END.search(word) is not None or len(current) >= 160
            )
        )
        if done:
            pieces.append(current)
            current, count = "", 0
    if current:
        pieces.append(current)
    return pieces


def chunk(body: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The stream chunks for a whole GenerateContentResponse ``body``."""
    candidates = body.get("candidates")
    if not candidates:  # a blocked prompt: one chunk, as it is
        return [body]
    # Gemini 3 signs a text answer in a last chunk of its own; 2.5 signs its first piece.
    sign_last = str(body.get("modelVersion", "")).startswith("gemini-3")
    plans = [_plan(candidate, rng, sign_last) for candidate in candidates]
    said = [_answer_text(candidate) for candidate in candidates]
    offsets = [0] * len(candidates)  # how much of each candidate's answer text has gone
    steps = max(len(plan) for plan in plans)
    total_chars = sum(_chars(piece) for plan in plans for piece in plan) or 1
    usage = body.get("usageMetadata", {})
    chunks = []
    sent = 0
    answering = False  # thought-only chunks report no thoughts yet, as the service's do
    for step in range(steps):
        last = step == steps - 1
        out = []
        for number, (candidate, plan) in enumerate(zip(candidates, plans, strict=True)):
            if step < len(plan):
                sent += _chars(plan[step])
                answering = answering or any(not p.get("thought") for p in plan[step])
                out.append(_candidate_chunk(candidate, plan[step], last))
                start = offsets[number]
                offsets[number] += _chars(plan[step])
                _logprobs_for(out[-1], said[number], start, offsets[number], last)
            elif last:
                out.append(_candidate_chunk(candidate, [{"text": ""}], last))
                _logprobs_for(out[-1], said[number], offsets[number], offsets[number], last)
        chunk_body: dict[str, Any] = {"candidates": out}
        if usage:
            so_far = _usage_so_far(usage, sent, total_chars, answering)
            chunk_body["usageMetadata"] = usage if last else so_far
        for key, value in body.items():
            if key not in ("candidates", "usageMetadata"):
                chunk_body[key] = value
        chunks.append(chunk_body)
    return chunks


def _answer_text(candidate: dict[str, Any]) -> str:
    parts = (candidate.get("content") or {}).get("parts") or []
    return "".join(p.get("text", "") for p in parts if not p.get("thought"))


def _logprobs_for(chunk: dict[str, Any], text: str, start: int, end: int, last: bool) -> None:
    """A chunk's ``logprobsResult``: the tokens of the stretch of the answer it carries (all
    that are left, on the last)."""
    result = chunk.get("logprobsResult")
    if result is None:
        return
    if not text:  # an answer of no text (function calls): the whole result on the last chunk
        if not last:
            del chunk["logprobsResult"]
        return
    chunk["logprobsResult"] = logprobs.for_range(result, text, start, len(text) if last else end)


def _chars(parts: list[dict[str, Any]]) -> int:
    return sum(len(p.get("text", "")) for p in parts if not p.get("thought"))


def _plan(
    candidate: dict[str, Any], rng: random.Random, sign_last: bool
) -> list[list[dict[str, Any]]]:
    """The parts each chunk of one candidate carries: thoughts first, then the answer's pieces."""
    content = candidate.get("content") or {}
    parts = content.get("parts")
    if not parts:
        return [[]]
    plan: list[list[dict[str, Any]]] = []
    for part in parts:
        if part.get("thought") or "text" not in part:
            # thoughts and non-text parts (function calls, tool invocations) come whole
            plan.append([part])
            continue
        pieces: list[dict[str, Any]] = [
            {"text": piece} for piece in split_text(part["text"], rng) or [""]
        ]
        if "thoughtSignature" in part and sign_last:
            pieces.append({"text": "", "thoughtSignature": part["thoughtSignature"]})
        elif "thoughtSignature" in part:  # signed where the answer begins
            pieces[0]["thoughtSignature"] = part["thoughtSignature"]
        plan.extend([piece] for piece in pieces)
    return plan


def _candidate_chunk(
    candidate: dict[str, Any], parts: list[dict[str, Any]], last: bool
) -> dict[str, Any]:
    content = candidate.get("content") or {}
    role = content.get("role", "model")
    out: dict[str, Any] = {"content": {"parts": parts, "role": role} if parts else {"role": role}}
    # The chunks of a code-execution stream carry no index (docs/evidence.md#service-response-shape)
    ran_code = any("executableCode" in part for part in content.get("parts") or [])
    for key, value in candidate.items():
        if key in ("content", "avgLogprobs"):  # 2.0 streams carry no avgLogprobs
            continue
        if key == "index" and ran_code:
            continue
        if key in ("finishReason", "finishMessage") and not last:
            continue
        out[key] = value
    return out


def _usage_so_far(usage: dict[str, Any], sent: int, total: int, answering: bool) -> dict[str, Any]:
    """Cumulative usage: the prompt in full, thoughts once the answer has begun, the answer in
    proportion to the text sent so far."""
    candidates = usage.get("candidatesTokenCount", 0) * sent // total
    so_far: dict[str, Any] = {"promptTokenCount": usage.get("promptTokenCount", 0)}
    if candidates:
        so_far["candidatesTokenCount"] = candidates
    thoughts = usage.get("thoughtsTokenCount", 0) if answering else 0
    tool_use = usage.get("toolUsePromptTokenCount", 0)
    so_far["totalTokenCount"] = so_far["promptTokenCount"] + candidates + thoughts + tool_use
    for key, value in usage.items():
        if key in ("promptTokenCount", "candidatesTokenCount", "totalTokenCount"):
            continue
        if key == "thoughtsTokenCount" and not answering:
            continue
        if key == "candidatesTokensDetails":
            if candidates:
                so_far[key] = [{"modality": "TEXT", "tokenCount": candidates}]
            continue
        so_far[key] = value
    return so_far


def aggregate(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """One unary response from stream chunks: text parts joined, the last chunk's metadata."""
    merged: dict[int, dict[str, Any]] = {}
    body: dict[str, Any] = {}
    for chunk_body in chunks:
        for position, candidate in enumerate(chunk_body.get("candidates", [])):
            index = candidate.get("index", position)
            into = merged.setdefault(index, {"content": {"parts": [], "role": "model"}})
            content = candidate.get("content") or {}
            if "role" in content:
                into["content"]["role"] = content["role"]
            for part in content.get("parts", []):
                _merge_part(into["content"]["parts"], part)
            for key, value in candidate.items():
                if key != "content":
                    into[key] = value
        for key, value in chunk_body.items():
            if key != "candidates":
                body[key] = value
    candidates = []
    for index in sorted(merged):
        candidate = merged[index]
        content = candidate["content"]
        parts = [p for p in content["parts"] if p != {"text": ""}]
        candidate["content"] = (
            {"parts": parts, "role": content["role"]} if parts else {"role": content["role"]}
        )
        candidates.append(candidate)
    out: dict[str, Any] = {"candidates": candidates} if candidates else {}
    out.update(body)
    return out


def _merge_part(parts: list[dict[str, Any]], part: dict[str, Any]) -> None:
    """Append ``part``, joining text to the previous part of the same kind."""
    part = copy.deepcopy(part)
    if parts and "text" in part and "text" in parts[-1]:
        previous = parts[-1]
        if bool(previous.get("thought")) == bool(part.get("thought")):
            signature = previous.pop("thoughtSignature", None) or part.get("thoughtSignature")
            previous["text"] += part["text"]
            if signature:
                previous["thoughtSignature"] = signature  # always the last key
            return
    parts.append(part)
