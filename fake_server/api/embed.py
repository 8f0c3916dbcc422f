"""The embeddings: ``embedContent`` and ``batchEmbedContents`` (what both official SDKs send).

A request is read and checked (:mod:`fake_server.model.embedding_requests`) and each content
embedded by the stand-in model (:mod:`fake_server.model.embedding`). Both routes name the base
RPC, ``embedContent``, in their 404 (docs/evidence.md#service-errors); files a part names must
exist and be ACTIVE, as for generation.
"""

from __future__ import annotations

from typing import Any

from ..http.adapter import ApiCall
from ..model import catalog, tokens
from ..model.embedding import embed
from ..model.embedding_requests import Embeddable, read_batch, read_one
from . import files


async def embed_content(call: ApiCall) -> dict[str, Any]:
    model = call.model_info("embedContent")
    request = await call.body("EmbedContentRequest")
    one = read_one(request, model, "EmbedContentRequest")
    body: dict[str, Any] = {"embedding": _embedding(call, model, [one])[0]}
    return _with_usage(call, body, model, [one])


async def batch_embed_contents(call: ApiCall) -> dict[str, Any]:
    model = call.model_info("embedContent")
    request = await call.body("BatchEmbedContentsRequest")
    many = read_batch(request, model)
    body: dict[str, Any] = {"embeddings": _embedding(call, model, many)}
    return _with_usage(call, body, model, many)


def _embedding(
    call: ApiCall, model: catalog.ModelInfo, requests: list[Embeddable]
) -> list[dict[str, Any]]:
    named = files.file_ids({"contents": [r.content for r in requests]})
    call.repeatable = not named  # the answer depends on the files' state
    files.check_files(named, call.state.store)
    call.answered_by = "computed"
    return [{"values": embed(r.source, r.dimensions, model.id)} for r in requests]


def _with_usage(
    call: ApiCall, body: dict[str, Any], model: catalog.ModelInfo, requests: list[Embeddable]
) -> dict[str, Any]:
    """gemini-embedding-2's answers carry the prompt's tokens, as recorded: singular
    ``promptTokenDetails``."""
    if model.embedding is None or not model.embedding.reports_usage:
        return body
    costs = files.file_tokens(call.state.store, model.family)
    totals = tokens.count_contents([r.content for r in requests], costs)
    body["usageMetadata"] = {
        "promptTokenCount": sum(totals.values()),
        "promptTokenDetails": tokens.modality_details(totals),
    }
    return body
