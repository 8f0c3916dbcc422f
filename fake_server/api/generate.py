"""The generate resource: ``generateContent``, ``streamGenerateContent`` and ``countTokens``.

A generate request is read, its model found, every rule of the service checked (files
included), and then answered by the stand-in model (:mod:`fake_server.model.generation`): a
fixture if one matches, else a synthetic answer, or in strict mode the error naming the miss.
"""

from __future__ import annotations

from typing import Any

from ..fixtures.key import Call
from ..fixtures.matching import Miss
from ..http.adapter import ApiCall
from ..http.responses import EventStreamResponse
from ..model import catalog, generation, tokens, validate
from ..protocol.errors import ApiError, failed_precondition
from ..protocol.wire import (
    ARRAY_HEAD,
    ARRAY_SEPARATOR,
    ARRAY_TAIL,
    JSON_CONTENT_TYPE,
    SSE_CONTENT_TYPE,
    dumps_element,
    dumps_event,
)
from ..store.caches import CachedContent
from . import caches, files


async def _read_generate(
    call: ApiCall,
) -> tuple[dict[str, Any], catalog.ModelInfo, CachedContent | None]:
    """A generate request read, its model found and every rule checked, files included, and
    the cache it names (if the fake holds it)."""
    request = await call.body("GenerateContentRequest")
    if catalog.lookup(call.model or "") is None and call.state.fixtures.names_model(call.model):
        model = catalog.stand_in(call.model or "")  # a recording's model: replayed, not refused
    else:
        model = call.model_info("generateContent")
    validate.check_generate(request, model)
    named = files.file_ids(request)
    call.repeatable = not named  # the answer depends on the files' state: never remembered
    files.check_files(named, call.state.store)
    cache = caches.named_cache(call, request, model)
    if call.state.quotas:
        costs = files.file_tokens(call.state.store, catalog.resolve(model).family)
        prompt = tokens.count_request(cache.merged(request) if cache else request, costs)
        now = call.state.clock.now()
        refused = call.state.quotas.admit(call.model, sum(prompt.values()), now)
        if refused is not None:
            raise refused
    return request, model, cache


async def generate_content(call: ApiCall) -> dict[str, Any]:
    request, model, cache = await _read_generate(call)
    return _generate(call, request, model, cache).body


async def stream_generate_content(call: ApiCall) -> EventStreamResponse:
    request, model, cache = await _read_generate(call)
    generated = _generate(call, request, model, cache)
    pacing = generated.pacing or call.state.config.streaming
    if call.framing == "sse":
        if generated.recorded is not None:
            events = generated.recorded  # byte for byte as recorded
        else:
            events = [dumps_event(chunk) for chunk in generated.chunks()]
        return EventStreamResponse(
            events,
            pacing=pacing,
            error_event=dumps_event(OVERLOADED.envelope()),
            content_type=SSE_CONTENT_TYPE,
            started=call.started,
        )
    return EventStreamResponse(
        [dumps_element(chunk) for chunk in generated.chunks()],
        pacing=pacing,
        error_event=dumps_element(OVERLOADED.envelope()),
        content_type=JSON_CONTENT_TYPE,
        head=ARRAY_HEAD,
        separator=ARRAY_SEPARATOR,
        tail=ARRAY_TAIL,
        started=call.started,
    )


# What a stream configured to end with an error sends: the overload the service reports most.
OVERLOADED = ApiError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")


def _generate(
    call: ApiCall,
    request: dict[str, Any],
    model: catalog.ModelInfo,
    cache: CachedContent | None = None,
) -> generation.Generated:
    """The answer for a validated generate request; in strict mode a miss is an error."""
    lookup = Call(call.rpc, call.model or "", request)
    stand_ins = call.state.fixtures.stand_ins(request, files.uploaded(call.state.store))
    if stand_ins:
        call.extra["recordedFiles"] = stand_ins
    try:
        generated = generation.generate(
            call.state.fixtures,
            lookup,
            catalog.resolve(model),
            strict=call.state.config.strict,
            file_tokens=files.file_tokens(call.state.store, catalog.resolve(model).family),
            files=stand_ins,
            cache=cache,
        )
    except generation.NoFixture as no_fixture:
        call.key, call.extra["miss"] = no_fixture.miss.key, no_fixture.miss.to_json()
        raise _strict_miss(call.rpc, no_fixture.miss) from None
    except generation.RecordedError as recorded:
        call.key, call.answered_by = lookup.key, f"fixture:{recorded.fixture.name}"
        call.repeatable = call.repeatable and recorded.repeatable
        error = recorded.error
        raise ApiError(
            error["code"], error["status"], error["message"], error.get("details", ())
        ) from None
    call.key, call.answered_by = generated.key, generated.source
    call.repeatable = call.repeatable and generated.repeatable
    if generated.miss is not None:
        call.extra["miss"] = generated.miss.to_json()
    return generated


def _strict_miss(rpc: str, miss: Miss) -> ApiError:
    return failed_precondition(
        f"gemini-fake (strict): no fixture matches this {rpc} request (key {miss.key}). "
        f"{miss.explain()} Add a fixture for it, or run the fake without --strict to get a "
        "synthetic answer."
    )


async def count_tokens(call: ApiCall) -> dict[str, Any]:
    request = await call.body("CountTokensRequest")
    model = catalog.resolve(call.model_info("countTokens"))
    inner = request.get("generateContentRequest")
    if inner is not None:
        validate.check_contents(
            inner.get("contents", []), "CountTokensRequest.generate_content_request"
        )
        counted = inner
    else:
        validate.check_contents(request.get("contents", []), "CountTokensRequest")
        counted = request
    named = files.file_ids(counted)
    call.repeatable = not named  # the count depends on the files: never remembered
    for file_id in named:
        stored = call.state.store.get(file_id)
        if stored is not None:
            files.check_media_type(stored)
    cache = caches.named_cache(call, counted, model)
    if "cachedContent" in counted and cache is None:
        raise validate.missing_cache()
    if cache is not None:
        counted = cache.merged(counted)
    totals = tokens.count_request(counted, files.file_tokens(call.state.store, model.family))
    call.answered_by = "computed"
    body: dict[str, Any] = {"totalTokens": sum(totals.values())}
    if cache is not None:
        body["cachedContentTokenCount"] = sum(cache.tokens.values())
    body["promptTokensDetails"] = tokens.modality_details(totals)
    if cache is not None:
        body["cacheTokensDetails"] = tokens.modality_details(cache.tokens)
    return body
