"""What ``generate_content`` (each chunk of a stream too) and ``count_tokens`` answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .base import Base
from .contents import Content, FunctionCall, Part

logger = logging.getLogger("gemini_ref")


@dataclass(kw_only=True, repr=False, eq=False)
class ModalityTokenCount(Base):
    modality: str | None = None
    token_count: int | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class UsageMetadata(Base):
    prompt_token_count: int | None = None
    candidates_token_count: int | None = None
    total_token_count: int | None = None
    cached_content_token_count: int | None = None
    thoughts_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class SafetyRating(Base):
    category: str | None = None
    probability: str | None = None
    blocked: bool | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class Citation(Base):
    start_index: int | None = None
    end_index: int | None = None
    uri: str | None = None
    title: str | None = None
    license: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class CitationMetadata(Base):
    citations: list[Citation] | None = field(default=None, metadata={"wire": "citationSources"})


@dataclass(kw_only=True, repr=False, eq=False)
class Candidate(Base):
    content: Content | None = None
    finish_reason: str | None = None
    finish_message: str | None = None
    index: int | None = None
    safety_ratings: list[SafetyRating] | None = None
    citation_metadata: CitationMetadata | None = None
    avg_logprobs: float | None = None
    token_count: int | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class PromptFeedback(Base):
    block_reason: str | None = None
    block_reason_message: str | None = None
    safety_ratings: list[SafetyRating] | None = None


# Names the official SDK uses for the same two types.
GenerateContentResponseUsageMetadata = UsageMetadata
GenerateContentResponsePromptFeedback = PromptFeedback

_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    # The SDK logs these once per process rather than raising a Python warning, so code that
    # runs with warnings-as-errors does not break on a multi-candidate answer.
    if key not in _warned:
        _warned.add(key)
        logger.warning(message)


@dataclass(kw_only=True, repr=False, eq=False)
class GenerateContentResponse(Base):
    candidates: list[Candidate] | None = None
    prompt_feedback: PromptFeedback | None = None
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None

    @property
    def text(self) -> str | None:
        """The text of the first candidate, as the official SDKs compute it.

        Concatenates every part whose ``text`` is a string, skipping thought parts. ``None``
        when no part has text (no candidates, no content, only thoughts…); ``""`` stays ``""``.
        """
        parts = self._first_candidate_parts("text")
        if parts is None:
            return None
        texts = [part.text for part in parts if part.text is not None and not part.thought]
        non_text = sorted({name for part in parts for name in _non_text_fields(part)})
        if non_text:
            _warn_once(
                "non-text",
                f"there are non-text parts in the response: {non_text}, returning concatenated"
                " text from the text parts only.",
            )
        return "".join(texts) if texts else None

    @property
    def function_calls(self) -> list[FunctionCall] | None:
        """The function calls of the first candidate, or ``None`` when it makes none."""
        parts = self._first_candidate_parts("function calls")
        calls = [part.function_call for part in parts or () if part.function_call is not None]
        return calls or None

    def _first_candidate_parts(self, what: str) -> list[Part] | None:
        if not self.candidates:
            return None
        if len(self.candidates) > 1:
            _warn_once(
                f"candidates:{what}",
                f"there are {len(self.candidates)} candidates, returning {what} from the first"
                " one. Read response.candidates for the others.",
            )
        content = self.candidates[0].content
        return content.parts if content is not None and content.parts else None


def _non_text_fields(part: Part) -> list[str]:
    structured = [
        name
        for name in ("inline_data", "file_data", "function_call", "function_response")
        if getattr(part, name) is not None
    ]
    return structured + list(part.extra)


@dataclass(kw_only=True, repr=False, eq=False)
class CountTokensResponse(Base):
    total_tokens: int | None = None
    cached_content_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
