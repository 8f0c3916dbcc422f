"""The cachedContents resource: ``create``, ``get``, ``list``, ``patch`` and ``delete``, and the
cache a generate or countTokens request names (docs/caching.md).

A cache holds the start of a prompt (contents, system instruction, tools, tool configuration)
for one model until it expires on the fake's clock (one hour unless ``ttl`` or ``expireTime``
says otherwise). A request naming it is answered as if it had sent the cache's parts first; its
usage counts them as ``cachedContentTokenCount``. The wording of each refusal is the service's
where it is known (docs/evidence.md#service-caches), else the fake's own (docs/deviations.md).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from ..http.adapter import ApiCall
from ..model import catalog, tokens, validate
from ..model.schema_checks import check_schemas
from ..protocol.errors import ApiError, invalid_argument
from ..store.caches import MAX_CACHES, CachedContent, TooManyCaches
from ..store.records import timestamp
from . import files

DEFAULT_TTL = timedelta(hours=1)
CACHES_PAGE_SIZE, CACHES_PAGE_SIZE_MAX = 50, 1000
MAX_DISPLAY_NAME = 128
UPDATABLE = ("ttl", "expireTime")

# The service's words for a generate request that sets what the cache holds.
WITH_CACHE_SETTINGS = (
    "CachedContent can not be used with GenerateContent request setting system_instruction, "
    "tools or tool_config. Proposed fix: move those values to CachedContent from "
    "GenerateContent request."
)

_DURATION = re.compile(r"(-?)(\d{1,12})(?:\.(\d{1,9}))?s")
_TIMESTAMP = re.compile(
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", re.IGNORECASE
)


def _name(call: ApiCall) -> str:
    return "cachedContents/" + str(call.request.path_params["cache"])


def _find(call: ApiCall, name: str) -> CachedContent:
    cache = call.state.caches.get(name, call.state.clock.now())
    if cache is None:
        raise validate.missing_cache()
    return cache


async def create_cached_content(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "caches"
    body = await call.body("CachedContent")
    named = str(body.get("model") or "")
    if not named:
        raise invalid_argument("CachedContent.model is required.")
    call.model = named.removeprefix("models/")
    model = catalog.resolve(call.model_info("createCachedContent"))
    display_name = str(body.get("displayName", ""))
    if len(display_name) > MAX_DISPLAY_NAME:
        raise invalid_argument(
            f"CachedContent.display_name is longer than {MAX_DISPLAY_NAME} characters."
        )
    contents = body.get("contents", [])
    if contents:
        validate.check_contents(contents, "CachedContent")
    check_schemas(body)
    files.check_files(files.file_ids(body), call.state.store)
    prefix: dict[str, Any] = {
        k: body[k] for k in ("contents", "systemInstruction", "tools") if k in body
    }
    counted = tokens.count_request(prefix, files.file_tokens(call.state.store, model.family))
    total = sum(counted.values())
    if total < model.min_cache_tokens:
        raise invalid_argument(
            f"Cached content is too small. total_token_count={total}, "
            f"min_total_token_count={model.min_cache_tokens}"
        )
    if total > model.input_token_limit:
        raise invalid_argument(
            f"The input token count ({total}) exceeds the maximum number of tokens allowed "
            f"({model.input_token_limit})."
        )
    now = call.state.clock.now()
    expires = _expiry(body, now) or now + DEFAULT_TTL

    def make(name: str) -> CachedContent:
        return CachedContent(
            name=name,
            model=f"models/{call.model}",
            display_name=display_name,
            contents=contents,
            system_instruction=body.get("systemInstruction"),
            tools=body.get("tools"),
            tool_config=body.get("toolConfig"),
            tokens=counted,
            created=now,
            updated=now,
            expires=expires,
            size=len(call.raw),
        )

    try:
        cache = call.state.caches.add(now, make)
    except TooManyCaches:
        raise ApiError(
            429,
            "RESOURCE_EXHAUSTED",
            f"The fake holds at most {MAX_CACHES} cached contents (or 256 MiB of them) at once; "
            "delete some, or let them expire.",
        ) from None
    return cache.resource()


async def get_cached_content(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "caches"
    return _find(call, _name(call)).resource()


async def list_cached_contents(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "caches"
    everything = call.state.caches.all(call.state.clock.now())
    page, body = call.offset_page(everything, CACHES_PAGE_SIZE, CACHES_PAGE_SIZE_MAX)
    if page:
        body = {"cachedContents": [cache.resource() for cache in page], **body}
    return body


async def update_cached_content(call: ApiCall) -> dict[str, Any]:
    """PATCH: only the expiry changes, by ``ttl`` or ``expireTime``. The official SDKs send no
    ``updateMask``; when one is sent it must name only those fields, and picks which of the
    body's fields count."""
    call.answered_by = "caches"
    body = await call.body("CachedContent")
    name = _name(call)
    now = call.state.clock.now()
    _find(call, name)
    mask = _update_mask(call)
    if mask is not None:
        body = {k: v for k, v in body.items() if k in mask}
    expires = _expiry(body, now)
    if expires is None:
        raise invalid_argument("CachedContent update needs ttl or expireTime.")
    cache = call.state.caches.expire_at(name, expires, now)
    if cache is None:  # it expired meanwhile
        raise validate.missing_cache()
    return cache.resource()


async def delete_cached_content(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "caches"
    name = _name(call)
    if not call.state.caches.delete(name, call.state.clock.now()):
        raise validate.missing_cache()
    return {}


def _update_mask(call: ApiCall) -> set[str] | None:
    params = call.request.query_params
    given = params.get("updateMask") or params.get("update_mask")
    if given is None:
        return None
    paths = {_camel(path.strip()) for path in given.split(",") if path.strip()}
    for path in paths:
        if path not in UPDATABLE:
            raise invalid_argument(
                f'CachedContent field "{path}" cannot be updated; only ttl and expireTime can.'
            )
    return paths


def _camel(path: str) -> str:
    head, *rest = path.split("_")
    return head + "".join(word.title() for word in rest)


def _expiry(body: dict[str, Any], now: datetime) -> datetime | None:
    """When a cache expires by the body's ``ttl`` or ``expireTime`` (at most one of them)."""
    if "ttl" in body and "expireTime" in body:
        raise invalid_argument("Only one of CachedContent.ttl and expire_time may be set.")
    try:
        if "ttl" in body:
            expires = now + _duration(str(body["ttl"]))
        elif "expireTime" in body:
            expires = _instant(str(body["expireTime"]))
        else:
            return None
    except OverflowError:
        raise invalid_argument("CachedContent expiration is out of range.") from None
    if expires <= now:
        raise invalid_argument(
            f"CachedContent expiration must be after the current time ({timestamp(now, 6)})."
        )
    return expires


def _duration(text: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if match is None:
        raise invalid_argument(f'Invalid CachedContent.ttl "{text}": a duration such as "300s".')
    sign, seconds, fraction = match.groups()
    value = timedelta(seconds=int(seconds), microseconds=int((fraction or "0").ljust(9, "0")[:6]))
    return -value if sign else value


def _instant(text: str) -> datetime:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise invalid_argument(
            f'Invalid CachedContent.expire_time "{text}": an RFC 3339 time such as '
            '"2026-08-19T14:39:11Z".'
        )
    whole, fraction, zone = match.groups()
    micro = (fraction or "0").ljust(6, "0")[:6]
    try:
        return datetime.fromisoformat(f"{whole}.{micro}{'+00:00' if zone.upper() == 'Z' else zone}")
    except ValueError:
        raise invalid_argument(f'Invalid CachedContent.expire_time "{text}".') from None


# --- a generate or countTokens request naming a cache ---------------------------------------


def named_cache(
    call: ApiCall, request: dict[str, Any], model: catalog.ModelInfo
) -> CachedContent | None:
    """The cache ``request`` names, if the fake holds it (one it does not hold may still be
    answered by a recording that names it: the answering code decides). A request naming a
    cache may not set what the cache holds, and must be for the cache's model."""
    name = request.get("cachedContent")
    if name is None:
        return None
    if any(key in request for key in ("systemInstruction", "tools", "toolConfig")):
        raise invalid_argument(WITH_CACHE_SETTINGS)
    call.repeatable = False  # the answer depends on the cache's state
    cache = call.state.caches.get(str(name), call.state.clock.now())
    if cache is None:
        return None
    cached_model = catalog.lookup(cache.model)
    if cached_model is None or catalog.resolve(cached_model).id != catalog.resolve(model).id:
        raise invalid_argument(
            f"Model models/{model.id} does not match the model of {cache.name} ({cache.model})."
        )
    call.extra["cachedContent"] = {"name": cache.name, "tokens": sum(cache.tokens.values())}
    return cache
