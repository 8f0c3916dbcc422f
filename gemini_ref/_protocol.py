"""The protocol without the I/O: what each call sends, and how its answer is read.

Each operation is a function returning a ``Call``: the method, the path under
``{base_url}/{api_version}/``, the JSON body and query, and the parser for a 200 body. The sync
and async clients differ only in how they await the network between ``build_request`` and
``read_response``, so everything that can go wrong in between is decided here, once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import httpx

from ._contents import to_content, to_contents
from ._convert import from_wire, to_wire
from ._settings import Settings
from .errors import APIConnectionError, APITimeoutError, MalformedResponseError, error_from_response
from .pagers import Page
from .types import (
    CountTokensConfig,
    CountTokensResponse,
    GenerateContentConfig,
    GenerateContentResponse,
    ListModelsConfig,
    ListModelsResponse,
    Model,
)

T = TypeVar("T")
C = TypeVar("C")


@dataclasses.dataclass(frozen=True)
class Call(Generic[T]):
    """One API call as data: what to send, and how to read a 200 answer."""

    method: str
    path: str
    parse: Callable[[Any], T]
    body: dict[str, Any] | None = None
    params: dict[str, str | int] | None = None


# Config fields the API takes at the root of the request rather than in ``generationConfig``.
_ROOT_FIELDS = (
    "systemInstruction",
    "safetySettings",
    "tools",
    "toolConfig",
    "cachedContent",
    "labels",
)


def generate_content(
    model: str, contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
) -> Call[GenerateContentResponse]:
    return Call(
        "POST",
        f"{model_name(model)}:generateContent",
        parse=lambda data: from_wire(GenerateContentResponse, data),
        body=generate_content_body(contents, config),
    )


def generate_content_body(
    contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
) -> dict[str, Any]:
    """The request body: ``contents``, the root-level config fields, then ``generationConfig``.

    ``generationConfig`` is left out when it would be empty. The official SDK sends ``{}`` as
    soon as any config is given (e.g. only a system instruction); the API reads both the same.
    """
    body: dict[str, Any] = {"contents": to_wire(to_contents(contents))}
    if config is None:
        return body
    settings = coerce(GenerateContentConfig, config)
    if settings.system_instruction is not None:
        # A bare string becomes {"parts": [{"text": ...}], "role": "user"}, as in the SDK.
        settings = dataclasses.replace(
            settings, system_instruction=to_content(settings.system_instruction)
        )
    if settings.cached_content is not None:
        settings = dataclasses.replace(
            settings, cached_content=_prefixed("cachedContents/", settings.cached_content)
        )
    generation = to_wire(settings)
    for key in _ROOT_FIELDS:
        if key in generation:
            body[key] = generation.pop(key)
    if generation:
        body["generationConfig"] = generation
    return body


def count_tokens(
    model: str, contents: Any, config: CountTokensConfig | Mapping[str, Any] | None
) -> Call[CountTokensResponse]:
    if config is not None:
        settings = coerce(CountTokensConfig, config)
        for name in ("system_instruction", "tools", "generation_config"):
            if getattr(settings, name) is not None:
                raise ValueError(
                    f"count_tokens does not take config.{name} on the Gemini Developer API"
                    " (only Vertex AI does; the official SDK refuses it too)"
                )
    return Call(
        "POST",
        f"{model_name(model)}:countTokens",
        parse=lambda data: from_wire(CountTokensResponse, data),
        body={"contents": to_wire(to_contents(contents))},
    )


def get_model(model: str) -> Call[Model]:
    return Call("GET", model_name(model), parse=lambda data: from_wire(Model, data))


def list_models(config: ListModelsConfig, page_token: str | None) -> Call[Page[Model]]:
    params: dict[str, str | int] = {}
    if config.page_size is not None:
        params["pageSize"] = config.page_size
    if page_token:
        params["pageToken"] = page_token
    return Call("GET", "models", parse=_models_page, params=params)


def _models_page(data: Any) -> Page[Model]:
    listing = from_wire(ListModelsResponse, data)
    return Page(listing.models or [], listing.next_page_token or None)


def model_name(model: str) -> str:
    """The resource name: ``gemini-2.5-flash`` → ``models/gemini-2.5-flash``.

    Names that already start with ``models/`` or ``tunedModels/`` are kept.
    """
    if not model:
        raise ValueError("model is required, e.g. model='gemini-2.5-flash'")
    if ".." in model or "?" in model or "&" in model:
        raise ValueError(f"invalid model name {model!r}")
    if model.startswith(("models/", "tunedModels/")):
        return model
    return f"models/{model}"


def _prefixed(prefix: str, name: str) -> str:
    return name if name.startswith(prefix) else prefix + name


def coerce(cls: type[C], value: C | Mapping[str, Any]) -> C:
    """``value`` validated as a ``cls``: from an instance (nested dicts converted) or a mapping."""
    if isinstance(value, cls):
        return from_wire(cls, value, strict=True)
    if isinstance(value, Mapping):
        return from_wire(cls, dict(value), strict=True)
    raise TypeError(f"expected a {cls.__name__} or a dict, got {type(value).__name__}")


# --- The two ends of every exchange ------------------------------------------------------------


def build_request(
    http: httpx.Client | httpx.AsyncClient, settings: Settings, call: Call[Any]
) -> httpx.Request:
    # Built by the httpx client so its own defaults (headers, auth, event hooks) still apply.
    return http.build_request(
        call.method,
        settings.url(call.path),
        params=call.params,
        json=call.body,
        headers=settings.headers,
        timeout=settings.timeout if settings.timeout is not None else httpx.USE_CLIENT_DEFAULT,
    )


@contextmanager
def transport_errors(request: httpx.Request) -> Iterator[None]:
    """Re-raise httpx's network failures as ``APIConnectionError`` / ``APITimeoutError``."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise APITimeoutError(f"{request.method} {request.url} timed out", request=request) from exc
    except httpx.TransportError as exc:
        raise APIConnectionError(
            f"{request.method} {request.url} failed: {exc!r}", request=request
        ) from exc


def read_response(call: Call[T], response: httpx.Response) -> T:
    """The parsed body of a 200 answer; any other status raises the mapped ``APIError``."""
    if response.status_code != 200:
        raise error_from_response(response)
    try:
        data = response.json()
    except ValueError as exc:
        raise MalformedResponseError(
            f"{call.method} {call.path} answered 200 without a JSON body: {response.text[:200]!r}",
            response=response,
        ) from exc
    try:
        return call.parse(data)
    except (TypeError, ValueError) as exc:
        raise MalformedResponseError(
            f"{call.method} {call.path} answered 200 with an unexpected body: {exc}",
            response=response,
        ) from exc
