"""``client.models`` and ``client.aio.models``: generate content, count tokens, embed content,
list models."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Mapping
from typing import Any

from ._caller import AsyncCaller, Caller
from ._calls import count_tokens, generate_content, generate_content_stream, get_model, list_models
from ._contents import ContentsLike
from ._embeddings import embed_content
from .pagers import AsyncPager, Pager
from .types import (
    CountTokensConfig,
    CountTokensResponse,
    EmbedContentConfig,
    EmbedContentResponse,
    GenerateContentConfig,
    GenerateContentResponse,
    ListModelsConfig,
    Model,
)

GenerateConfigLike = GenerateContentConfig | Mapping[str, Any]
CountConfigLike = CountTokensConfig | Mapping[str, Any]
ListConfigLike = ListModelsConfig | Mapping[str, Any]
EmbedConfigLike = EmbedContentConfig | Mapping[str, Any]


class Models:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def generate_content(
        self, *, model: str, contents: ContentsLike, config: GenerateConfigLike | None = None
    ) -> GenerateContentResponse:
        """Generate a response to ``contents`` (a string, parts, or whole turns)."""
        return self._caller.send(generate_content(model, contents, config))

    def generate_content_stream(
        self, *, model: str, contents: ContentsLike, config: GenerateConfigLike | None = None
    ) -> Generator[GenerateContentResponse, None, None]:
        """Generate a response as it is written: an iterator of chunks, each ``.text`` a delta.

        The request is sent when the first chunk is asked for. Leaving the loop early closes
        the response when the iterator goes away; call its ``close()`` (or use
        ``contextlib.closing``) to close it at once. Errors: a non-200 answer raises its
        ``APIError`` before any chunk; an error the service sends mid-stream raises its
        ``APIError`` after the chunks before it; ``errors.StreamInterruptedError`` when the
        connection or the body stops in the middle. A stream that ends cleanly is not checked
        for a ``finish_reason`` (as in the official SDKs): look at the last chunk's if it
        matters.
        """
        return self._caller.stream(generate_content_stream(model, contents, config))

    def count_tokens(
        self, *, model: str, contents: ContentsLike, config: CountConfigLike | None = None
    ) -> CountTokensResponse:
        """Count the tokens ``contents`` would take as a prompt."""
        return self._caller.send(count_tokens(model, contents, config))

    def embed_content(
        self, *, model: str, contents: ContentsLike, config: EmbedConfigLike | None = None
    ) -> EmbedContentResponse:
        """One embedding per item of ``contents`` (up to 100), in order."""
        return self._caller.send(embed_content(model, contents, config))

    def get(self, *, model: str) -> Model:
        """The model's resource: limits, defaults, supported actions."""
        return self._caller.send(get_model(model))

    def list(self, *, config: ListConfigLike | None = None) -> Pager[Model]:
        """Every model; iterating the pager fetches further pages as needed."""
        return self._caller.pager(list_models(config))


class AsyncModels:
    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def generate_content(
        self, *, model: str, contents: ContentsLike, config: GenerateConfigLike | None = None
    ) -> GenerateContentResponse:
        """Generate a response to ``contents`` (a string, parts, or whole turns)."""
        return await self._caller.send(generate_content(model, contents, config))

    async def generate_content_stream(
        self, *, model: str, contents: ContentsLike, config: GenerateConfigLike | None = None
    ) -> AsyncGenerator[GenerateContentResponse, None]:
        """``async for chunk in await client.aio.models.generate_content_stream(...)``.

        As the sync method; the request is sent when the first chunk is awaited. To close the
        response at once when leaving early, ``await`` the iterator's ``aclose()`` or use
        ``contextlib.aclosing``.
        """
        return self._caller.stream(generate_content_stream(model, contents, config))

    async def count_tokens(
        self, *, model: str, contents: ContentsLike, config: CountConfigLike | None = None
    ) -> CountTokensResponse:
        """Count the tokens ``contents`` would take as a prompt."""
        return await self._caller.send(count_tokens(model, contents, config))

    async def embed_content(
        self, *, model: str, contents: ContentsLike, config: EmbedConfigLike | None = None
    ) -> EmbedContentResponse:
        """One embedding per item of ``contents`` (up to 100), in order."""
        return await self._caller.send(embed_content(model, contents, config))

    async def get(self, *, model: str) -> Model:
        """The model's resource: limits, defaults, supported actions."""
        return await self._caller.send(get_model(model))

    async def list(self, *, config: ListConfigLike | None = None) -> AsyncPager[Model]:
        """Every model; ``async for`` over the pager fetches further pages as needed."""
        return await self._caller.pager(list_models(config))
