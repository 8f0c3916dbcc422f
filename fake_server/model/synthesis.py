"""What the stand-in model "says" when no fixture matches: deterministic synthetic answers.

:func:`synthesize` makes an :class:`~.answer.Answer` from the request and a seed. The seed comes
from the request's canonical key, so the same request gets the same answer, byte for byte, on
every run and every machine.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from . import builtin_tools, vision
from .answer import Answer
from .schema_instances import instance
from .tool_choice import function_calls, prompt_text

_OPENINGS = (
    'Here is a short answer to "{topic}".',
    '"{topic}" comes down to a few connected ideas.',
    'Good question. To answer "{topic}", it helps to start with the basics.',
    'Let\'s look at "{topic}" step by step.',
)
_BODY = (
    "The central idea is to break the problem into smaller parts and look at each one in turn.",
    "Most of the behaviour you see follows from a small number of simple rules applied many times.",
    "Examples make the pattern easier to see than definitions do.",
    "It is worth separating what is known for certain from what is only likely.",
    "Context matters: the same question can have different answers in different settings.",
    "A useful first step is to ask what would have to be true for each possible answer.",
    "Small changes at the start can lead to large differences at the end.",
    "Comparing a few concrete cases usually shows which factors matter most.",
    "Feedback loops are common, so effects often reinforce or dampen their own causes.",
    "Each part can be understood on its own, but the interesting behaviour comes from how the "
    "parts interact.",
    "Measurements and observations are what keep the explanation honest.",
    "There are trade-offs, and the best choice depends on what you value most.",
)
_CLOSINGS = (
    "In short, it is a process you can reason about one step at a time.",
    "I hope this gives you a clear starting point.",
    "Let me know if you would like more detail on any part of this.",
    "That is the core of it; the details build on these ideas.",
)


TOPIC_CHARS = 80
_NON_SPACE = re.compile(r"\S+")


def topic_of(request: dict[str, Any]) -> str:
    """The last user turn's text, collapsed to one line of at most 80 characters."""
    for content in reversed(request.get("contents", [])):
        if content.get("role", "user") != "user":
            continue
        texts = [p["text"] for p in content.get("parts", []) if isinstance(p.get("text"), str)]
        text, more = _collapsed_head(texts)
        if not more:
            text = text.rstrip("?.!:")
        if text:
            return text if len(text) <= TOPIC_CHARS else text[:TOPIC_CHARS].rsplit(" ", 1)[0] + "…"
        return "the material you shared"
    return "your request"


def _collapsed_head(texts: list[str]) -> tuple[str, bool]:
    """The texts joined with their white space collapsed to single spaces and stripped, but
    only as far as a little past :data:`TOPIC_CHARS` (a long prompt is not read to its end);
    and whether more words follow."""
    words: list[str] = []
    length = -1
    for text in texts:
        for word in _NON_SPACE.finditer(text):
            if length > TOPIC_CHARS + 1:
                return " ".join(words), True
            words.append(word.group())
            length += len(word.group()) + 1
    return " ".join(words), False


def synthesize(request: dict[str, Any], rng: random.Random) -> Answer:
    calls = function_calls(request, rng)
    if calls:
        thoughts = "**Choosing a tool**\n\nThe request needs information a tool can provide."
        builtin = None
        if builtin_tools.tools_of(request):  # built-in tools and functions together (Gemini 3)
            builtin = builtin_tools.plan(
                request, prompt_text(request) or "", topic_of(request), rng
            )
        return Answer(text="", thoughts=thoughts, function_calls=calls, builtin=builtin)
    kind = vision.kind_of(request)
    if kind is not None:
        items = vision.answer(request, kind, rng)
        thoughts = "**Locating the objects**\n\nI'm finding each item and where it sits."
        return Answer(vision.answer_text(items), thoughts, items, has_json=True)
    results = _function_results(request)
    if results:
        shown = "; ".join(f"{name} returned {value}" for name, value in results)
        return Answer(
            text=f"Here is what I found: {shown}.",
            thoughts="**Reading the results**\n\nThe tools answered; I'll report what they said.",
        )
    topic = topic_of(request)
    builtin = None
    if builtin_tools.tools_of(request):  # a prompt is read again only for the built-in tools
        builtin = builtin_tools.plan(request, prompt_text(request) or "", topic, rng)
    sentences = [rng.choice(_OPENINGS).format(topic=topic)]
    if builtin is not None and builtin.said:
        sentences.insert(0, builtin.said)
    sentences += rng.sample(_BODY, rng.randint(2, 5))
    sentences.append(rng.choice(_CLOSINGS))
    paragraphs = [" ".join(sentences[:2]), " ".join(sentences[2:])]
    thoughts = (
        f'**Considering the question**\n\nI\'m working out what "{topic}" is really asking '
        "and which points matter most before I answer."
    )
    return Answer(text="\n\n".join(paragraphs), thoughts=thoughts, builtin=builtin)


def _function_results(request: dict[str, Any]) -> list[tuple[str, str]]:
    contents = request.get("contents", [])
    if not contents or contents[-1].get("role", "user") != "user":
        return []
    return [
        (
            p["functionResponse"].get("name", ""),
            json.dumps(p["functionResponse"].get("response", {}), ensure_ascii=False),
        )
        for p in contents[-1].get("parts", [])
        if "functionResponse" in p
    ]


def json_value(answer: Answer, config: dict[str, Any], rng: random.Random) -> Any:
    """The value JSON mode returns: the answer's own, else one valid against the schema."""
    if answer.has_json:
        return answer.json
    schema = config.get("responseJsonSchema", config.get("responseSchema"))
    if schema is not None:
        return instance(schema, rng)
    return {"answer": answer.text}


def enum_value(config: dict[str, Any], rng: random.Random) -> str:
    """``text/x.enum`` mode: one member of the schema's enum."""
    schema = config.get("responseSchema") or config.get("responseJsonSchema") or {}
    members = schema.get("enum") if isinstance(schema, dict) else None
    return str(rng.choice(members)) if members else ""
