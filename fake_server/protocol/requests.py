"""Reading a canonical request body (what :mod:`.transcode` returns): the few facts that
matching, the stand-in model and the journal all need, read one way."""

from __future__ import annotations

from typing import Any

# The two RPCs that generate an answer; a stream and a unary call of one request are one request.
GENERATE_RPCS = ("generateContent", "streamGenerateContent")


def text_of(content: dict[str, Any] | None) -> str | None:
    """A turn's text parts joined and stripped (None without any)."""
    if not content:
        return None
    texts = [p["text"] for p in content.get("parts", []) if isinstance(p.get("text"), str)]
    return "".join(texts).strip() if texts else None


def last_user_text(request: dict[str, Any]) -> str | None:
    """The last user turn's text, as the ``lastUserText`` match condition reads it."""
    for content in reversed(request.get("contents", [])):
        if content.get("role", "user") == "user":
            return text_of(content)
    return None


def thinking_budget(request: dict[str, Any]) -> int | None:
    """The requested budget (``-1`` dynamic, ``0`` off), or None when not set."""
    config = request.get("generationConfig", {}).get("thinkingConfig", {})
    budget = config.get("thinkingBudget")
    return None if budget is None else int(budget)
