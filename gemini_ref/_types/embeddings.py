"""What ``models.embed_content`` takes and answers."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Base
from .responses import UsageMetadata


@dataclass(kw_only=True, repr=False, eq=False)
class EmbedContentConfig(Base):
    task_type: str | None = None  # RETRIEVAL_QUERY, RETRIEVAL_DOCUMENT, SEMANTIC_SIMILARITY ...
    title: str | None = None  # a document's title; read with RETRIEVAL_DOCUMENT only
    output_dimensionality: int | None = None  # fewer values than the model's full size


@dataclass(kw_only=True, repr=False, eq=False)
class ContentEmbedding(Base):
    values: list[float] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class EmbedContentResponse(Base):
    embeddings: list[ContentEmbedding] | None = None
    # gemini-embedding-2 reports its prompt's tokens; the service spells the details
    # "promptTokenDetails", which stays in ``usage_metadata.extra``.
    usage_metadata: UsageMetadata | None = None
