"""The protocol without the I/O: what each call sends, and how its answer is read.

Each operation is a function returning a ``Call``: the method, the path under
``{base_url}/{api_version}/``, the JSON body and query, and the parser for a 200 body. The sync
and async clients differ only in how they await the network between ``build_request`` and
``read_response``, so everything that can go wrong in between is decided here, once.

A streamed call is a ``Call`` too, whose parser reads one chunk. Its answer is read by a
``ChunkReader``, fed the body's bytes as they arrive: the shells only move bytes from the
network into it and chunks out of it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import httpx

from ._contents import check_request_limits, to_content, to_contents
from ._settings import Settings
from ._sse import ServerSentEvent, SSEDecoder
from ._wire import from_wire, to_wire
from .errors import (
    APIConnectionError,
    APITimeoutError,
    MalformedResponseError,
    StreamInterruptedError,
    error_from_event,
    error_from_response,
)
from .pagers import Page
from .types import (
    CountTokensConfig,
    CountTokensResponse,
    DeleteFileResponse,
    File,
    GenerateContentConfig,
    GenerateContentResponse,
    ListFilesConfig,
    ListFilesResponse,
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
    empty_ok: bool = False
    """Whether an empty 200 body reads as ``{}`` (a delete; the Python SDK accepts one too)."""


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
        parse=_generate_content_response,
        body=generate_content_body(contents, config),
    )


def generate_content_stream(
    model: str, contents: Any, config: GenerateContentConfig | Mapping[str, Any] | None
) -> Call[GenerateContentResponse]:
    """The same request as ``generate_content``, answered with server-sent events."""
    return Call(
        "POST",
        f"{model_name(model)}:streamGenerateContent",
        parse=_generate_content_response,
        body=generate_content_body(contents, config),
        params={"alt": "sse"},
    )


def _generate_content_response(data: Any) -> GenerateContentResponse:
    return from_wire(GenerateContentResponse, data)


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
    settings = coerce(GenerateContentConfig, config)
    system_instruction = None
    if settings.system_instruction is not None:
        # A bare string becomes {"parts": [{"text": ...}], "role": "user"}, as in the SDK.
        system_instruction = to_content(settings.system_instruction)
        settings = dataclasses.replace(settings, system_instruction=system_instruction)
    check_request_limits([*turns, system_instruction])
    body: dict[str, Any] = {"contents": to_wire(turns)}
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


def _page_params(page_size: int | None, page_token: str | None) -> dict[str, str | int]:
    """The query of one page of a listing: ``pageSize`` and ``pageToken`` when given."""
    params: dict[str, str | int] = {}
    if page_size is not None:
        params["pageSize"] = page_size
    if page_token:
        params["pageToken"] = page_token
    return params


def list_models(config: ListModelsConfig, page_token: str | None) -> Call[Page[Model]]:
    params = _page_params(config.page_size, page_token)
    return Call("GET", "models", parse=_models_page, params=params)


def _models_page(data: Any) -> Page[Model]:
    listing = from_wire(ListModelsResponse, data)
    return Page(listing.models or [], listing.next_page_token or None)


def get_file(name: str) -> Call[File]:
    # The service answers the File itself, not wrapped in {"file": ...} as an upload is.
    return Call("GET", f"files/{file_id(name)}", parse=lambda data: from_wire(File, data))


def list_files(config: ListFilesConfig, page_token: str | None) -> Call[Page[File]]:
    params = _page_params(config.page_size, page_token)
    return Call("GET", "files", parse=_files_page, params=params)


def _files_page(data: Any) -> Page[File]:
    listing = from_wire(ListFilesResponse, data)  # an empty listing may be just {}
    return Page(listing.files or [], listing.next_page_token or None)


def delete_file(name: str) -> Call[DeleteFileResponse]:
    return Call(
        "DELETE",
        f"files/{file_id(name)}",
        parse=lambda data: from_wire(DeleteFileResponse, data),
        empty_ok=True,
    )


def file_id(name: str) -> str:
    """The ID in a file's name: ``files/abc123`` or ``abc123`` → ``abc123``."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str like 'files/abc123', got {type(name).__name__}")
    file = name.removeprefix("files/")
    if not file or any(char in file for char in "/?#%") or file.strip(".") == "":
        raise ValueError(f"invalid file name {name!r}; expected 'files/<id>' or '<id>'")
    return file


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
    except httpx.TransportError as exc:
        raise connection_error(request, exc) from exc


def connection_error(request: httpx.Request, exc: httpx.TransportError) -> APIConnectionError:
    """The ``APIConnectionError`` (``APITimeoutError`` for a timeout) for ``exc``."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{request.method} {request.url} timed out", request=request)
    return APIConnectionError(f"{request.method} {request.url} failed: {exc!r}", request=request)


def read_response(call: Call[T], response: httpx.Response) -> T:
    """The parsed body of a 200 answer; any other status raises the mapped ``APIError``."""
    if response.status_code != 200:
        raise error_from_response(response)
    try:
        data = {} if call.empty_ok and not response.content else response.json()
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


# --- Streams -----------------------------------------------------------------------------------


def read_stream(call: Call[T], response: httpx.Response) -> ChunkReader[T]:
    """The reader for a streamed answer, once its status line and headers are in.

    Any status but 200 raises its ``APIError``; the shells read that body first. It is one JSON
    envelope, not events, even though the service labels it ``text/event-stream``.
    """
    if response.status_code != 200:
        raise error_from_response(response)
    media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "text/event-stream":
        raise MalformedResponseError(
            f"{call.method} {call.path} answered 200 with content-type {media_type!r},"
            " not text/event-stream",
            response=response,
        )
    return ChunkReader(call, response)


class ChunkReader(Generic[T]):
    """The body of a streamed answer: bytes in as they arrive, parsed chunks out.

    Each event's data is one JSON chunk for ``call.parse``. An event holding ``{"error": ...}``
    raises that error, and one that is not JSON a ``MalformedResponseError``, each only after
    the chunks before it were yielded. A body or a connection that stops in the middle of an
    event raises ``StreamInterruptedError``. A body that ends after a whole event is a clean
    end, whatever the last chunk says: the official SDKs don't check for a ``finishReason``
    either. Event types, ids and ``retry`` are not used: the service sends none, and a
    generation cannot be resumed anyway.
    """

    def __init__(self, call: Call[T], response: httpx.Response) -> None:
        self.call = call
        self.response = response
        self.chunks = 0
        """How many chunks were read so far."""
        self._decoder = SSEDecoder()

    def feed(self, data: bytes) -> Iterator[T]:
        """The chunks that ``data``, the next bytes of the body, completes."""
        for event in self._decoder.feed(data):
            chunk = self._chunk(event)
            self.chunks += 1
            yield chunk

    def end(self) -> None:
        """The body is over: fine after a whole event, ``StreamInterruptedError`` within one."""
        if unfinished := self._decoder.close():
            raise self._cut_short(
                f"the body ended in the middle of an event ({len(unfinished)} bytes:"
                f" {unfinished!r:.120})"
            )

    @contextmanager
    def interruptions(self) -> Iterator[None]:
        """Re-raise httpx's failures while the body is read as ``StreamInterruptedError``.

        Timeouts included: a stream that stops arriving is cut short all the same (the
        ``httpx.TimeoutException`` stays the ``__cause__``).
        """
        try:
            yield
        except httpx.TransportError as exc:
            raise self._cut_short(repr(exc)) from exc

    def _chunk(self, event: ServerSentEvent) -> T:
        where = f"{self.call.method} {self.call.path}: event {self.chunks + 1} of the stream"
        try:
            data = json.loads(event.data)
        except ValueError as exc:
            raise MalformedResponseError(
                f"{where} is not JSON: {event.data!r:.200}", response=self.response
            ) from exc
        if (error := error_from_event(data, self.response)) is not None:
            raise error
        try:
            return self.call.parse(data)
        except (TypeError, ValueError) as exc:
            raise MalformedResponseError(
                f"{where} is not a chunk: {exc}", response=self.response
            ) from exc

    def _cut_short(self, reason: str) -> StreamInterruptedError:
        request = self.response.request
        chunks = f"{self.chunks} chunk{'' if self.chunks == 1 else 's'}"
        return StreamInterruptedError(
            f"{request.method} {request.url}: the stream was cut short after {chunks}: {reason}",
            chunks=self.chunks,
            request=request,
        )
