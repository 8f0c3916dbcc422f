"""The model catalogue: what ``models.list`` shows and what each model accepts.

A model's resource is served exactly as :meth:`ModelInfo.resource` builds it (key order as the
real service, ``thinking`` only on thinking models). Aliases resolve to a concrete model, whose id
is what ``modelVersion`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEXT_METHODS = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
EMBED_METHODS = ("embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent")


@dataclass(frozen=True)
class Thinking:
    """A thinking model's budget rules. ``-1`` (dynamic) is always allowed."""

    minimum: int
    maximum: int
    can_disable: bool  # whether a budget of 0 is accepted
    on_by_default: bool
    dynamic_typical: int  # thoughts a dynamic budget spends on a short prompt, before variation
    levels: tuple[str, ...] = ()  # thinkingLevel values the model takes (Gemini 3)


@dataclass(frozen=True)
class Embedding:
    """An embedding model's output (docs/evidence.md#service-embeddings)."""

    dimensions: int = 3072  # the default and the largest outputDimensionality
    min_dimensions: int = 1  # the SDK's own tests ask for 10 (docs/evidence.md#service-embeddings)
    multimodal: bool = False  # takes images, audio, video and documents besides text
    reports_usage: bool = False  # answers carry usageMetadata


@dataclass(frozen=True)
class ModelInfo:
    id: str
    version: str
    display_name: str
    description: str
    input_token_limit: int
    output_token_limit: int
    methods: tuple[str, ...] = TEXT_METHODS
    top_k: int | None = 64
    thinking: Thinking | None = None
    family: str = "2.5"  # response shape family, see fake_server/responses.py
    alias_of: str | None = None
    # Whether a non-zero presencePenalty or frequencyPenalty is taken (docs/deviations.md).
    penalties: bool = False
    # Whether responseLogprobs is taken (docs/evidence.md#service-logprobs).
    logprobs: bool = False
    # The fewest tokens a cachedContent for it may hold (docs/evidence.md#service-caches).
    min_cache_tokens: int = 4096
    embedding: Embedding | None = None  # set on embedding models

    def resource(self) -> dict[str, Any]:
        model: dict[str, Any] = {
            "name": f"models/{self.id}",
            "version": self.version,
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_token_limit,
            "outputTokenLimit": self.output_token_limit,
            "supportedGenerationMethods": list(self.methods),
        }
        if self.top_k is not None:
            model.update(temperature=1, topP=0.95, topK=self.top_k, maxTemperature=2)
        if self.thinking is not None:
            model["thinking"] = True
        return model


_FLASH_THINKING = Thinking(0, 24576, can_disable=True, on_by_default=True, dynamic_typical=600)
_PRO_THINKING = Thinking(128, 32768, can_disable=False, on_by_default=True, dynamic_typical=900)
_LITE_THINKING = Thinking(512, 24576, can_disable=True, on_by_default=False, dynamic_typical=520)

_G3_FLASH_THINKING = Thinking(
    0,
    24576,
    can_disable=True,
    on_by_default=True,
    dynamic_typical=700,
    levels=("MINIMAL", "LOW", "MEDIUM", "HIGH"),
)
_G3_PRO_THINKING = Thinking(
    128, 32768, can_disable=False, on_by_default=True, dynamic_typical=1100, levels=("LOW", "HIGH")
)

_M = 1_048_576

MODELS: tuple[ModelInfo, ...] = (
    ModelInfo(
        "gemini-2.5-flash",
        "001",
        "Gemini 2.5 Flash",
        "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to "
        "1 million tokens, released in June of 2025.",
        _M,
        65536,
        thinking=_FLASH_THINKING,
        min_cache_tokens=1024,
    ),
    ModelInfo(
        "gemini-2.5-pro",
        "2.5",
        "Gemini 2.5 Pro",
        "Stable release (June 17th, 2025) of Gemini 2.5 Pro",
        _M,
        65536,
        thinking=_PRO_THINKING,
    ),
    ModelInfo(
        "gemini-2.5-flash-lite",
        "001",
        "Gemini 2.5 Flash-Lite",
        "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025",
        _M,
        65536,
        thinking=_LITE_THINKING,
        min_cache_tokens=2048,
    ),
    ModelInfo(
        "gemini-3-flash-preview",
        "3.0",
        "Gemini 3 Flash Preview",
        "Gemini 3 Flash Preview",
        _M,
        65536,
        thinking=_G3_FLASH_THINKING,
        family="3",
        min_cache_tokens=1024,
    ),
    ModelInfo(
        "gemini-3-pro-preview",
        "3.0",
        "Gemini 3 Pro Preview",
        "Gemini 3 Pro Preview",
        _M,
        65536,
        thinking=_G3_PRO_THINKING,
        family="3",
    ),
    ModelInfo(
        "gemini-2.0-flash",
        "2.0",
        "Gemini 2.0 Flash",
        "Gemini 2.0 Flash",
        _M,
        8192,
        top_k=40,
        family="2.0",
        penalties=True,
        logprobs=True,
    ),
    ModelInfo(
        "gemini-2.0-flash-001",
        "2.0",
        "Gemini 2.0 Flash 001",
        "Stable version of Gemini 2.0 Flash, our fast and versatile multimodal model for scaling "
        "across diverse tasks, released in January of 2025.",
        _M,
        8192,
        top_k=40,
        family="2.0",
        penalties=True,
        logprobs=True,
    ),
    ModelInfo(
        "gemini-2.0-flash-lite",
        "2.0",
        "Gemini 2.0 Flash-Lite",
        "Gemini 2.0 Flash-Lite",
        _M,
        8192,
        top_k=40,
        family="2.0",
        penalties=True,
        logprobs=True,
    ),
    ModelInfo(
        "gemini-flash-latest",
        "Gemini Flash Latest",
        "Gemini Flash Latest",
        "Latest release of Gemini Flash",
        _M,
        65536,
        thinking=_FLASH_THINKING,
        alias_of="gemini-2.5-flash",
        min_cache_tokens=1024,
    ),
    ModelInfo(
        "gemini-flash-lite-latest",
        "Gemini Flash-Lite Latest",
        "Gemini Flash-Lite Latest",
        "Latest release of Gemini Flash-Lite",
        _M,
        65536,
        thinking=_LITE_THINKING,
        alias_of="gemini-2.5-flash-lite",
        min_cache_tokens=2048,
    ),
    ModelInfo(
        "gemini-pro-latest",
        "Gemini Pro Latest",
        "Gemini Pro Latest",
        "Latest release of Gemini Pro",
        _M,
        65536,
        thinking=_PRO_THINKING,
        alias_of="gemini-2.5-pro",
    ),
    ModelInfo(
        "gemini-embedding-001",
        "001",
        "Gemini Embedding 001",
        "Obtain a distributed representation of a text.",
        2048,
        1,
        methods=EMBED_METHODS,
        top_k=None,
        family="embedding",
        embedding=Embedding(),
    ),
    ModelInfo(
        "gemini-embedding-2",
        "2",
        "Gemini Embedding 2",
        "Obtain a distributed representation of text, images, audio, video and documents.",
        8192,
        1,
        methods=EMBED_METHODS,
        top_k=None,
        family="embedding",
        embedding=Embedding(multimodal=True, reports_usage=True),
    ),
)

_BY_ID = {model.id: model for model in MODELS}


def lookup(name: str) -> ModelInfo | None:
    """Find a model by ``gemini-2.5-flash`` or ``models/gemini-2.5-flash``."""
    return _BY_ID.get(name.removeprefix("models/"))


def resolve(model: ModelInfo) -> ModelInfo:
    """The concrete model behind an alias (the model itself otherwise)."""
    return _BY_ID[model.alias_of] if model.alias_of else model


def stand_in(name: str) -> ModelInfo:
    """A model the catalogue does not hold but a user's fixture names (a tuned model, a newer
    release), for generate calls only: the response shapes of its family, guessed by its
    name, and no thinking rules (a thinking configuration is accepted and ignored)."""
    model_id = name.removeprefix("models/")
    family = "3" if model_id.startswith("gemini-3") else "2.0" if "2.0" in model_id else "2.5"
    return ModelInfo(
        id=model_id,
        version="001",
        display_name=model_id,
        description="A model the fake knows only from fixtures.",
        input_token_limit=1_048_576,
        output_token_limit=65_536,
        methods=("generateContent",),
        family=family,
        penalties=True,  # what its recordings sent was taken
        logprobs=True,
    )
