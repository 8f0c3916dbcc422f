"""Which declared functions the stand-in model calls, and with what arguments: deterministic.

Each function is scored against the last user turn (:func:`relevance`): a content word of the
prompt found in the function's name counts 2, in its description 1, in a parameter's name or
description ½; a prompt word of the same everyday domain as one of the function's words
(:data:`.tool_words.DOMAINS`) counts 1 (½ through a parameter only). With mode

- ``AUTO`` and ``VALIDATED``, every function scoring at least 1 that has a word of the prompt of
  its own (no better-scoring function claims all its words) is called, and none when none does;
- ``ANY``, the same, or else the best-scoring (first declared on a tie) function: it must call;
- ``NONE``, nothing.

``allowedFunctionNames`` limits the choice to the functions it names (the API documents it for
``ANY`` and ``VALIDATED``). A function
whose place-like parameter finds several places in the prompt ("in Boston and in Paris"), or
whose ticker parameter finds several tickers, is called once per place: parallel calls in one
turn. Arguments start as a value valid against the parameter schema
(:func:`.schema_instances.instance`); then each top-level property the prompt has a value for
(:mod:`.prompt_values`) takes it when it fits the property's schema.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from . import tool_words
from .prompt_values import PromptValues, fill
from .schema_instances import instance

PROMPT_CHARS = 4_000  # how much of a long turn is read for tool choice
NAME, DESCRIPTION, PARAMETER = 2.0, 1.0, 0.5
THRESHOLD = 1.0
MAX_PARALLEL = 8


@dataclass(frozen=True)
class _Reading:
    """One function as the model reads it: the weight of each stem, and of each domain."""

    stems: dict[str, float]
    domains: dict[str, float]


def declarations_of(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        d
        for tool in request.get("tools", [])
        if isinstance(tool, dict)
        for d in tool.get("functionDeclarations", [])
        if isinstance(d, dict)
    ]


def prompt_text(request: dict[str, Any]) -> str | None:
    """The text of the last turn when it is the user's own message; None for tool results."""
    contents = request.get("contents", [])
    last = contents[-1] if contents else {}
    parts = last.get("parts", [])
    if last.get("role", "user") != "user" or any("functionResponse" in p for p in parts):
        return None
    return " ".join(p["text"] for p in parts if isinstance(p.get("text"), str))[:PROMPT_CHARS]


def function_calls(request: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], ...]:
    """The calls the model makes for ``request``; ``()`` when it answers in text."""
    if not request.get("tools"):
        return ()
    calling = request.get("toolConfig", {}).get("functionCallingConfig", {})
    mode = calling.get("mode", "AUTO")
    declarations = declarations_of(request)
    allowed = calling.get("allowedFunctionNames")
    if allowed:
        declarations = [d for d in declarations if d.get("name") in allowed]
    text = prompt_text(request)
    if not declarations or mode == "NONE" or text is None:
        return ()
    chosen = choose(declarations, text, must_call=mode == "ANY")
    whole = PromptValues.of(text)
    calls: list[dict[str, Any]] = []
    for declaration, claimed in chosen:
        values = PromptValues.of(_scope(text, claimed)).or_else(whole) if claimed else whole
        calls += _calls_to(declaration, values, rng)
    return tuple(calls[:MAX_PARALLEL])


# Where a prompt asking for several things divides: at sentence ends, and at "and" or a comma
# unless a list of names or numbers goes on ("in Rome, Madrid and in Lisbon", "12 and 30").
_CLAUSE = re.compile(
    r"[.;?!]+\s+|,(?!\s*(?:and\s+)?(?:(?:in|at|for|to|from|near)\s+)?[A-Z0-9])\s*"
    r"|\s+and(?!\s+(?:(?:in|at|for|to|from|near)\s+)?[A-Z0-9])\s+"
)


def _scope(text: str, claimed: frozenset[str]) -> str:
    """The clauses of ``text`` that speak of a function (hold a word it matched): "what time
    is it in Tokyo" of "Is it sunny in Rome, and what time is it in Tokyo?" for ``get_time``."""
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    if len(clauses) < 2:
        return text
    kept = [
        c
        for c in clauses
        if claimed & set(tool_words.content_words(c) + tool_words.domain_words(c))
    ]
    return ". ".join(kept) or text


def choose(
    declarations: list[dict[str, Any]], text: str, *, must_call: bool = False
) -> list[tuple[dict[str, Any], frozenset[str]]]:
    """The functions to call for ``text``, in declaration order, each with the stems of the
    prompt it matched."""
    prompt = tool_words.content_words(text)
    related = tool_words.domain_words(text)
    scored = []
    for index, declaration in enumerate(declarations):
        score, claimed = relevance(_reading(declaration), prompt, related)
        scored.append((score, index, claimed))
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    picked: list[int] = []
    taken: set[str] = set()
    for score, index, claimed in ranked:
        if score >= THRESHOLD and claimed - taken:
            picked.append(index)
        taken |= claimed
    if not picked and must_call:
        picked = [ranked[0][1]]
    return [(declarations[i], scored[i][2]) for i in sorted(picked)]


def relevance(
    reading: _Reading, prompt: list[str], related: list[str]
) -> tuple[float, frozenset[str]]:
    """How relevant a function is to the prompt's stems, and which prompt stems it matched."""
    score = 0.0
    claimed: set[str] = set()
    for word in dict.fromkeys(prompt + related):
        weight = reading.stems.get(word, 0.0)
        if not weight:
            weight = max((reading.domains.get(d, 0.0) for d in tool_words.domains(word)), default=0)
            weight = min(weight, 1.0)
        if weight:
            score += weight
            claimed.add(word)
    return score, frozenset(claimed)


def _reading(declaration: dict[str, Any]) -> _Reading:
    stems: dict[str, float] = {}
    found: dict[str, float] = {}
    properties = _properties(declaration)
    sources = [(str(declaration.get("name", "")), NAME)]
    sources.append((str(declaration.get("description", "")), DESCRIPTION))
    for key, prop in properties.items():
        described = prop.get("description", "") if isinstance(prop, dict) else ""
        sources.append((f"{key} {described}", PARAMETER))
    for text, weight in sources:
        for word in tool_words.content_words(text):
            stems[word] = max(stems.get(word, 0.0), weight)
        for word in tool_words.domain_words(text):
            for domain in tool_words.domains(word):
                found[domain] = max(found.get(domain, 0.0), weight)
    return _Reading(stems, found)


def schema_of(declaration: dict[str, Any]) -> Any:
    return declaration.get("parametersJsonSchema", declaration.get("parameters"))


def _properties(declaration: dict[str, Any]) -> dict[str, Any]:
    schema = schema_of(declaration)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return properties if isinstance(properties, dict) else {}


def _calls_to(
    declaration: dict[str, Any], values: PromptValues, rng: random.Random
) -> list[dict[str, Any]]:
    """One call, or one per place (or ticker) the prompt names for the function's parameter."""
    schema = schema_of(declaration)
    base = instance(schema, rng) if schema else {}
    if not isinstance(base, dict):
        base = {}
    name = str(declaration.get("name", ""))
    variants = fill(base, schema, values)
    return [{"name": name, "args": args} for args in variants]
