"""The API's operations without the I/O: each one a ``Call``, what it sends and how it is read.

A ``Call`` is the method, the path under ``{base_url}/{api_version}/``, the JSON body and query,
and the parser for a 200 body. A streamed call is a ``Call`` too, whose parser reads one chunk.
A listing is a ``Listing``: the ``Call`` for the page at a token, and the token to start from.
How a ``Call`` goes out and how its answer comes back is ``_exchange``'s; the sync and async
``Caller``\\ s in ``_caller`` only move the bytes in between.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Generic, TypeVar

from ._coerce import coerce
from ._contents import check_request_limits, to_content, to_contents
from ._wire import from_wire, to_wire
from .pagers import Page
from .types import (
    CachedContent,
    CountTokensConfig,
    CountTokensResponse,
    CreateCachedContentConfig,
    DeleteCachedContentResponse,
    DeleteFileResponse,
    File,
    GenerateContentConfig,
    GenerateContentResponse,
    ListCachedContentsConfig,
    ListCachedContentsResponse,
    ListFilesConfig,
    ListFilesResponse,
    ListModelsConfig,
    ListModelsResponse,
    Model,
    UpdateCachedContentConfig,
)

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Call(Generic[T]):
    """One API call as data: what to send, and how to read a 200 answer."""

    method: str
    path: str
    parse: Callable[[Any], T]
    body: dict[str, Any] | None = None
    params: dict[str, str | int] | None = None
    empty_ok: bool = False
    """Whether an empty 200 body reads as ``{}`` (a delete; the Python SDK accepts one too)."""


@dataclasses.dataclass(frozen=True)
class Listing(Generic[T]):
    """A listing that arrives a page at a time: the ``Call`` for each page token, and the first."""

    page: Callable[[str | None], Call[Page[T]]]
    first_token: str | None


# --- Models ------------------------------------------------------------------------------------

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
    return _generate(model, "generateContent", contents, config)


def generate_content_stream(
    model: str, contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
) -> Call[GenerateContentResponse]:
    """The same request as ``generate_content``, answered with server-sent events."""
    return _generate(model, "streamGenerateContent", contents, config, params={"alt": "sse"})


def _generate(
    model: str,
    method: str,
    contents: Any,
    config: GenerateContentConfig | Mapping[str, Any] | None,
    params: dict[str, str | int] | None = None,
) -> Call[GenerateContentResponse]:
    return Call(
        "POST",
        f"{model_name(model)}:{method}",
        parse=partial(from_wire, GenerateContentResponse),
        body=generate_content_body(contents, config),
        params=params,
    )


def generate_content_body(
    contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
) -> dict[str, Any]:
    """The request body: ``contents``, the root-level config fields, then ``generationConfig``.

    ``generationConfig`` is left out when it would be empty. The official SDK sends ``{}`` as
    soon as any config is given (e.g. only a system instruction); the API reads both the same.
    The request's images are checked against the API's limits before anything is encoded.
    """
    turns = to_contents(contents)
    if config is None:
        check_request_limits(turns)
        return {"contents": to_wire(turns)}
    options = coerce(GenerateContentConfig, config)
    system_instruction = None
    if options.system_instruction is not None:
        # A bare string becomes {"parts": [{"text": ...}], "role": "user"}, as in the SDK.
        system_instruction = to_content(options.system_instruction)
        options = dataclasses.replace(options, system_instruction=system_instruction)
    check_request_limits([*turns, system_instruction])
    body: dict[str, Any] = {"contents": to_wire(turns)}
    if options.cached_content is not None:
        options = dataclasses.replace(
            options, cached_content=_prefixed("cachedContents/", options.cached_content)
        )
    generation = to_wire(options)
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
        options = coerce(CountTokensConfig, config)
        for name in ("system_instruction", "tools", "generation_config"):
            if getattr(options, name) is not None:
                raise ValueError(
                    f"count_tokens does not take config.{name} on the Gemini Developer API"
                    " (only Vertex AI does; the official SDK refuses it too)"
                )
    return Call(
        "POST",
        f"{model_name(model)}:countTokens",
        parse=partial(from_wire, CountTokensResponse),
        body={"contents": to_wire(to_contents(contents))},
    )


def get_model(model: str) -> Call[Model]:
    return Call("GET", model_name(model), parse=partial(from_wire, Model))


def list_models(config: ListModelsConfig | Mapping[str, Any] | None) -> Listing[Model]:
    options = coerce(ListModelsConfig, config or {})
    return listing("models", _models_page, options.page_size, options.page_token)


def _models_page(data: Any) -> Page[Model]:
    answer = from_wire(ListModelsResponse, data)
    return Page(answer.models or [], answer.next_page_token or None)


# --- Files -------------------------------------------------------------------------------------


def get_file(name: str) -> Call[File]:
    # The service answers the File itself, not wrapped in {"file": ...} as an upload is.
    return Call("GET", f"files/{file_id(name)}", parse=partial(from_wire, File))


def list_files(config: ListFilesConfig | Mapping[str, Any] | None) -> Listing[File]:
    options = coerce(ListFilesConfig, config or {})
    return listing("files", _files_page, options.page_size, options.page_token)


def _files_page(data: Any) -> Page[File]:
    answer = from_wire(ListFilesResponse, data)  # an empty listing may be just {}
    return Page(answer.files or [], answer.next_page_token or None)


def delete_file(name: str) -> Call[DeleteFileResponse]:
    return Call(
        "DELETE",
        f"files/{file_id(name)}",
        parse=partial(from_wire, DeleteFileResponse),
        empty_ok=True,
    )


# --- Caches ------------------------------------------------------------------------------------


def create_cached_content(
    model: str, config: CreateCachedContentConfig | Mapping[str, Any] | None
) -> Call[CachedContent]:
    """The body the SDK sends: the model's resource name and the config's fields, contents and
    system instruction normalised as ``generate_content`` normalises them."""
    options = coerce(CreateCachedContentConfig, config or {})
    if options.ttl is not None and options.expire_time is not None:
        raise ValueError("give a cache ttl or expire_time, not both")
    if options.contents is not None:
        options = dataclasses.replace(options, contents=to_contents(options.contents))
    if options.system_instruction is not None:
        system_instruction = to_content(options.system_instruction)
        options = dataclasses.replace(options, system_instruction=system_instruction)
    body = {"model": model_name(model), **to_wire(options)}
    return Call("POST", "cachedContents", parse=partial(from_wire, CachedContent), body=body)


def get_cached_content(name: str) -> Call[CachedContent]:
    return Call("GET", cache_name(name), parse=partial(from_wire, CachedContent))


def list_cached_contents(
    config: ListCachedContentsConfig | Mapping[str, Any] | None,
) -> Listing[CachedContent]:
    options = coerce(ListCachedContentsConfig, config or {})
    return listing("cachedContents", _caches_page, options.page_size, options.page_token)


def _caches_page(data: Any) -> Page[CachedContent]:
    answer = from_wire(ListCachedContentsResponse, data)  # an empty listing is {}
    return Page(answer.cached_contents or [], answer.next_page_token or None)


def update_cached_content(
    name: str, config: UpdateCachedContentConfig | Mapping[str, Any] | None
) -> Call[CachedContent]:
    """A PATCH of the expiry, without an ``updateMask``, as both official SDKs send it."""
    options = coerce(UpdateCachedContentConfig, config or {})
    return Call(
        "PATCH", cache_name(name), parse=partial(from_wire, CachedContent), body=to_wire(options)
    )


def delete_cached_content(name: str) -> Call[DeleteCachedContentResponse]:
    return Call(
        "DELETE",
        cache_name(name),
        parse=partial(from_wire, DeleteCachedContentResponse),
        empty_ok=True,
    )


# --- Listings and resource names ---------------------------------------------------------------


def listing(
    path: str, parse: Callable[[Any], Page[T]], page_size: int | None, first_token: str | None
) -> Listing[T]:
    def page(page_token: str | None) -> Call[Page[T]]:
        # The query of one page: ``pageSize`` and ``pageToken`` when given.
        params: dict[str, str | int] = {}
        if page_size is not None:
            params["pageSize"] = page_size
        if page_token:
            params["pageToken"] = page_token
        return Call("GET", path, parse=parse, params=params)

    return Listing(page, first_token)


def file_id(name: str) -> str:
    """The ID in a file's name: ``files/abc123`` or ``abc123`` → ``abc123``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str like 'files/abc123', got {type(name).__name__}")
    file = name.removeprefix("files/")
    if not file or any(char in file for char in "/?#%") or file.strip(".") == "":
        raise ValueError(f"invalid file name {name!r}; expected 'files/<id>' or '<id>'")
    return file


def cache_name(name: str) -> str:
    """A cache's resource name: ``abc`` or ``cachedContents/abc`` → ``cachedContents/abc``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str like 'cachedContents/abc', got {type(name).__name__}")
    cache = name.removeprefix("cachedContents/")
    if not cache or any(char in cache for char in "/?#%") or cache.strip(".") == "":
        raise ValueError(f"invalid cache name {name!r}; expected 'cachedContents/<id>' or '<id>'")
    return f"cachedContents/{cache}"


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
