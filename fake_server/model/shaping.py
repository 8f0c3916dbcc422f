"""Shaping an answer into a GenerateContentResponse the way the real service shapes it.

The request's settings are applied in the order the model applies them: thinking first (its tokens
count against ``maxOutputTokens``), then the answer, cut at the first stop sequence, then cut to
the output budget. The result is serialised with the real key order for the model's family
(docs/evidence.md#service-model-families):

=========  ===================================================  ==========================
family     candidate keys                                       usage extras
=========  ===================================================  ==========================
``2.5``    content, finishReason, index                         thoughtsTokenCount
``2.0``    content, finishReason, avgLogprobs                   candidatesTokensDetails
=========  ===================================================  ==========================

and ``totalTokenCount = promptTokenCount + candidatesTokenCount + thoughtsTokenCount +
toolUsePromptTokenCount`` always. An answer with built-in tools (:mod:`.builtin_tools`) gets its
code parts before the text, and ``groundingMetadata`` and ``urlContextMetadata`` after ``index``;
on Gemini 3 with ``toolConfig.includeServerSideToolInvocations``, the tools' ``toolCall`` and
``toolResponse`` parts come first, each signed.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

from ..protocol.requests import thinking_budget
from . import builtin_tools, grounding, logprobs, tokens
from .answer import Answer
from .catalog import ModelInfo
from .synthesis import enum_value, json_value


def response_id(seed: bytes) -> str:
    """23 characters of ``[A-Za-z0-9_-]``, as the real ids; fixed by the seed."""
    digest = hashlib.sha256(seed + b"/responseId").digest()
    return base64.urlsafe_b64encode(digest).decode()[:23]


def thought_signature(seed: bytes) -> str:
    """An opaque, standard-base64 signature; real ones are 72 characters and up."""
    return base64.b64encode(hashlib.sha512(seed + b"/signature").digest() * 2).decode()


def thinking_tokens(request: dict[str, Any], model: ModelInfo, rng: random.Random) -> int:
    """Tokens the model spends thinking: none when off, a bounded, seeded amount otherwise."""
    rules = model.thinking
    budget = thinking_budget(request)
    if rules is None or budget == 0 or (budget is None and not rules.on_by_default):
        return 0
    spent = int(rules.dynamic_typical * (0.6 + 0.8 * rng.random()))
    spent = min(spent, budget) if budget is not None and budget > 0 else spent
    # Thinking is output: it stops at maxOutputTokens, leaving the answer nothing
    # (docs/evidence.md#service-blocked-answers).
    limit = request.get("generationConfig", {}).get("maxOutputTokens")
    return min(spent, int(limit)) if limit is not None and limit > 0 else spent


@dataclass
class _Candidate:
    text: str | None  # None: the output budget ran out while thinking
    finish: str
    tokens: int


def _shape_text(answer: Answer, config: dict[str, Any], rng: random.Random) -> str:
    mime = config.get("responseMimeType")
    if mime == "application/json":
        return json.dumps(json_value(answer, config, rng), indent=2, ensure_ascii=False)
    if mime == "text/x.enum":
        return enum_value(config, rng)
    return answer.text


def _cut_at_stop(text: str, stops: list[str]) -> str:
    cuts = [text.find(s) for s in stops if s and s in text]
    return text[: min(cuts)] if cuts else text


def _candidate(text: str, config: dict[str, Any], thoughts: int) -> _Candidate:
    text = _cut_at_stop(text, config.get("stopSequences", []))
    limit = config.get("maxOutputTokens")
    if limit is None:
        return _Candidate(text, "STOP", tokens.count_text(text))
    if thoughts >= limit:
        return _Candidate(None, "MAX_TOKENS", 0)
    text, cut = tokens.truncate_text(text, limit - thoughts)
    return _Candidate(text, "MAX_TOKENS" if cut else "STOP", tokens.count_text(text))


def compose(
    request: dict[str, Any],
    model: ModelInfo,
    answers: list[Answer],
    seed: bytes,
    file_tokens: tokens.FileTokens | None = None,
    cached: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The whole response body for ``request`` answered by ``answers`` (one per candidate);
    ``cached`` is what of the prompt came from a cached content, per modality."""
    rng = random.Random(int.from_bytes(hashlib.sha256(seed).digest(), "big"))
    config = request.get("generationConfig", {})
    thoughts = thinking_tokens(request, model, rng)
    include_thoughts = bool(config.get("thinkingConfig", {}).get("includeThoughts")) and thoughts
    candidates = []
    shaped = []
    for index, answer in enumerate(answers):
        parts: list[dict[str, Any]] = []
        if include_thoughts and answer.thoughts:
            parts.append({"text": answer.thoughts, "thought": True})
        # On Gemini 3 a request may ask to see the server-side tools' calls (and its function
        # calls then carry ids, as they do beside them: docs/evidence.md#service-builtin-tools)
        shows = model.family == "3" and builtin_tools.shows_invocations(request)
        calls = [
            {"functionCall": _with_id(call, seed + bytes([index, number])) if shows else dict(call)}
            for number, call in enumerate(answer.function_calls)
        ]
        if calls:
            said = json.dumps(calls)  # what the call's tokens are counted over
            shaped.append(_Candidate("", "STOP", tokens.count_text(said)))
        else:
            shaped.append(_candidate(_shape_text(answer, config, rng), config, thoughts))
            said = shaped[-1].text or ""
        if answer.builtin is not None and shows:
            parts += _invocations(request, answer.builtin, seed + bytes([index]))
        if answer.builtin is not None and answer.builtin.code:
            code = [copy.deepcopy(part) for part in answer.builtin.code]
            shaped[-1].tokens += tokens.count_text(json.dumps(code))
            parts += code
        parts += calls
        if not calls and shaped[-1].text is not None:
            parts.append({"text": shaped[-1].text})
        answer_parts = [p for p in parts if not p.get("thought") and not _invocation(p)]
        # Who signs (docs/evidence.md#service-thought-signatures): 2.5 signs function calls, and
        # answers when thoughts are requested; Gemini 3 signs every answer. Only the first part of
        # the answer is signed.
        signs = model.family == "3" or (
            model.family == "2.5" and (answer.function_calls or include_thoughts)
        )
        if answer_parts and signs:
            answer_parts[0]["thoughtSignature"] = thought_signature(seed + bytes([index]))
        content: dict[str, Any] = {"parts": parts, "role": "model"} if parts else {"role": "model"}
        candidate = _candidate_shape(content, shaped[-1].finish, index, model, rng)
        if config.get("responseLogprobs"):
            _add_logprobs(candidate, said, int(config.get("logprobs") or 0), seed, index)
        if calls and model.family != "2.0":
            candidate["finishMessage"] = "Model generated function call(s)."
        if answer.builtin is not None:  # a turn that ends in calls has no text to support
            text = "" if calls else said
            _add_tool_metadata(candidate, answer.builtin, text, seed + bytes([index]))
        candidates.append(candidate)
    body: dict[str, Any] = {
        "candidates": candidates,
        "usageMetadata": usage(
            request,
            model,
            sum(c.tokens for c in shaped),
            thoughts,
            file_tokens,
            tool_use=max((a.builtin.tool_tokens for a in answers if a.builtin), default=0),
            cached=cached,
        ),
        "modelVersion": model.id,
        "responseId": response_id(seed),
    }
    return body


def _with_id(call: dict[str, Any], seed: bytes) -> dict[str, Any]:
    """A function call with the 8-character id the service gives it beside server-side tools
    (``name``, ``args``, ``id``)."""
    return {**call, "id": builtin_tools.invocation_id(seed + b"/functionCall")}


def _invocation(part: dict[str, Any]) -> bool:
    return "toolCall" in part or "toolResponse" in part


def _invocations(
    request: dict[str, Any], builtin: builtin_tools.Builtin, seed: bytes
) -> list[dict[str, Any]]:
    """The server-side tools' ``toolCall`` and ``toolResponse`` parts, each signed, the
    signature its last key (docs/evidence.md#service-thought-signatures)."""
    parts = builtin_tools.invocations(request, builtin, seed)
    for number, part in enumerate(parts):
        part["thoughtSignature"] = thought_signature(seed + b"/invocation" + bytes([number]))
    return parts


def _candidate_shape(
    content: dict[str, Any], finish: str, index: int, model: ModelInfo, rng: random.Random
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": content, "finishReason": finish}
    if model.family == "2.0":
        candidate["avgLogprobs"] = -round(rng.uniform(0.01, 0.6), 6)
    else:
        candidate["index"] = index
    return candidate


def _add_tool_metadata(
    candidate: dict[str, Any], builtin: builtin_tools.Builtin, text: str, seed: bytes
) -> None:
    """``groundingMetadata`` over the answer's final ``text`` (its supports index into it), then
    ``urlContextMetadata``: the keys that follow ``index`` (docs/evidence.md#service-grounding)."""
    rng = random.Random(int.from_bytes(hashlib.sha256(seed + b"/grounding").digest(), "big"))
    if builtin.search is not None:
        candidate["groundingMetadata"] = grounding.grounding_metadata(builtin.search, text, rng)
    if builtin.places:
        maps = grounding.maps_grounding_metadata(builtin.places, builtin.widget, text, rng)
        candidate["groundingMetadata"] = _merged(candidate.get("groundingMetadata"), maps)
    if builtin.urls:
        candidate["urlContextMetadata"] = builtin_tools.url_context_metadata(builtin.urls)


def _merged(search: dict[str, Any] | None, maps: dict[str, Any]) -> dict[str, Any]:
    """One ``groundingMetadata`` for an answer grounded by both Search and Maps: the Maps
    chunks after the web ones (their supports' indices moved along), keys in the service's
    order."""
    if search is None:
        return maps
    offset = len(search["groundingChunks"])
    supports = search.get("groundingSupports", []) + [
        {**s, "groundingChunkIndices": [i + offset for i in s["groundingChunkIndices"]]}
        for s in maps.get("groundingSupports", [])
    ]
    merged: dict[str, Any] = {
        "searchEntryPoint": search["searchEntryPoint"],
        "groundingChunks": search["groundingChunks"] + maps["groundingChunks"],
    }
    if supports:
        merged["groundingSupports"] = supports
    merged["webSearchQueries"] = search["webSearchQueries"]
    if "googleMapsWidgetContextToken" in maps:
        merged["googleMapsWidgetContextToken"] = maps["googleMapsWidgetContextToken"]
    return merged


def _add_logprobs(candidate: dict[str, Any], said: str, top: int, seed: bytes, index: int) -> None:
    """The candidate's ``logprobsResult`` over the tokens it said (:mod:`.logprobs`), and its
    ``avgLogprobs``, where the family gives one, their mean."""
    result = logprobs.logprobs_result(said, top, logprobs.seeded(seed, index))
    mean = logprobs.average(result)
    if "avgLogprobs" in candidate and mean is not None:
        candidate["avgLogprobs"] = mean
    candidate["logprobsResult"] = result


def usage(
    request: dict[str, Any],
    model: ModelInfo,
    candidates: int,
    thoughts: int,
    file_tokens: tokens.FileTokens | None = None,
    tool_use: int = 0,
    cached: dict[str, int] | None = None,
) -> dict[str, Any]:
    """usageMetadata in the real key order; zero counts are left out, as the service does.
    ``tool_use`` is what the built-in tools' retrieved material cost
    (``toolUsePromptTokenCount``); ``cached`` what of the prompt came from a cached content
    (``cachedContentTokenCount``, part of ``promptTokenCount``)."""
    prompt = tokens.count_request(request, file_tokens)
    prompt_total = sum(prompt.values())
    meta: dict[str, Any] = {"promptTokenCount": prompt_total}
    if candidates:
        meta["candidatesTokenCount"] = candidates
    meta["totalTokenCount"] = prompt_total + candidates + thoughts + tool_use
    from_cache = {m: min(n, prompt.get(m, 0)) for m, n in (cached or {}).items()}
    if sum(from_cache.values()):
        meta["cachedContentTokenCount"] = sum(from_cache.values())
    meta["promptTokensDetails"] = tokens.modality_details(prompt)
    if sum(from_cache.values()):
        meta["cacheTokensDetails"] = tokens.modality_details(from_cache)
    if model.family == "2.0" and candidates:
        meta["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": candidates}]
    if tool_use:
        meta["toolUsePromptTokenCount"] = tool_use
        meta["toolUsePromptTokensDetails"] = [{"modality": "TEXT", "tokenCount": tool_use}]
    if thoughts:
        meta["thoughtsTokenCount"] = thoughts
    meta["serviceTier"] = "standard"
    return meta
