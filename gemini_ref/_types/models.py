"""The ``Model`` resource (``models.get``) and its listing (``models.list``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import Base


@dataclass(kw_only=True, repr=False, eq=False)
class Model(Base):
    name: str | None = None
    version: str | None = None
    display_name: str | None = None
    description: str | None = None
    input_token_limit: int | None = None
    output_token_limit: int | None = None
    # The SDK's name for the API's ``supportedGenerationMethods``.
    supported_actions: list[str] | None = field(
        default=None, metadata={"wire": "supportedGenerationMethods"}
    )
    temperature: float | None = None
    max_temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    thinking: bool | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListModelsResponse(Base):
    models: list[Model] | None = None
    next_page_token: str | None = None
