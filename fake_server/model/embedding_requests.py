"""The service's rules for an embedding request, and what each request embeds.

``embedContent`` takes one ``EmbedContentRequest``; ``batchEmbedContents`` (what both official
SDKs send) takes up to 100 of them (docs/evidence.md#service-embeddings). Each names one content:
its parts make one vector (several texts in one content are one input, as gemini-embedding-2
treats them). Text past the model's input limit is cut, as the service cuts it. Wordings the
service was not recorded saying are the fake's own (docs/deviations.md#embeddings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..protocol.errors import ApiError, invalid_argument
from ..protocol.messages import PART_DATA
from . import tokens
from .catalog import ModelInfo
from .embedding import Source

MAX_BATCH = 100  # requests in one batchEmbedContents (docs/evidence.md#service-embeddings)
BATCH = "BatchEmbedContentsRequest"


@dataclass(frozen=True)
class Embeddable:
    """One request read: what to embed, at what size, and the content it came from."""

    source: Source
    dimensions: int
    content: dict[str, Any]


def read_batch(request: dict[str, Any], model: ModelInfo) -> list[Embeddable]:
    """Every request of a batch, checked; the first problem is the error."""
    requests = request.get("requests", [])
    if not requests:
        raise _violation(f"{BATCH}.requests", "requests is not specified")
    if len(requests) > MAX_BATCH:
        raise _violation(f"{BATCH}.requests", f"at most {MAX_BATCH} requests can be in one batch")
    return [read_one(inner, model, f"{BATCH}.requests[{i}]") for i, inner in enumerate(requests)]


def read_one(request: dict[str, Any], model: ModelInfo, path: str) -> Embeddable:
    """One ``EmbedContentRequest``, checked, at ``path`` in the body (for the messages)."""
    named = request.get("model")
    if named and named.removeprefix("models/") != model.id:
        raise _violation(f"{path}.model", f"the request names {named}, the URL models/{model.id}")
    content = request.get("content")
    problems = list(_content_problems(content, model, f"{path}.content"))
    if problems:
        raise invalid_argument("".join(f"* {where}: {text}\n" for where, text in problems))
    assert content is not None  # no problems: there is one
    return Embeddable(_source(content, request, model), _dimensions(request, model, path), content)


def _content_problems(
    content: dict[str, Any] | None, model: ModelInfo, path: str
) -> Iterator[tuple[str, str]]:
    if not content:
        yield path, "content is not specified"
        return
    parts = content.get("parts", [])
    if not parts:
        yield f"{path}.parts", "contents.parts must not be empty."
    for j, part in enumerate(parts):
        kinds = [name for name in PART_DATA if name in part]
        if not kinds:
            yield (
                f"{path}.parts[{j}].data",
                "required oneof field 'data' must have one initialized field",
            )
        elif kinds[0] not in ("text", "inlineData", "fileData"):
            yield f"{path}.parts[{j}].data", f"{kinds[0]} cannot be embedded"
        elif kinds[0] != "text" and not (model.embedding and model.embedding.multimodal):
            yield f"{path}.parts[{j}].data", f"models/{model.id} embeds text only"


def _dimensions(request: dict[str, Any], model: ModelInfo, path: str) -> int:
    assert model.embedding is not None
    low, high = model.embedding.min_dimensions, model.embedding.dimensions
    wanted = request.get("outputDimensionality") or high  # 0, proto3's unset, is the default
    if not low <= wanted <= high:
        raise _violation(
            f"{path}.output_dimensionality", f"must be between {low} and {high}, not {wanted}"
        )
    return int(wanted)


def _source(content: dict[str, Any], request: dict[str, Any], model: ModelInfo) -> Source:
    """The texts (cut at the model's input limit) and media identities of one content."""
    budget = model.input_token_limit
    texts, media = [], []
    for part in content["parts"]:
        if "text" in part:
            text, _ = tokens.truncate_text(part["text"], max(budget, 0))
            budget -= tokens.count_text(text)
            texts.append(text)
        elif "inlineData" in part:
            blob = part["inlineData"]
            digest = hashlib.sha256(blob.get("data", "").encode()).hexdigest()
            media.append(f"{blob.get('mimeType', '')}:{digest}")
        else:
            media.append(part["fileData"].get("fileUri", ""))
    task = request.get("taskType", "")
    title = request.get("title", "") if task == "RETRIEVAL_DOCUMENT" else ""
    return Source(
        tuple(texts), tuple(media), "" if task == "TASK_TYPE_UNSPECIFIED" else task, title
    )


def _violation(path: str, text: str) -> ApiError:
    return invalid_argument(f"* {path}: {text}\n")
