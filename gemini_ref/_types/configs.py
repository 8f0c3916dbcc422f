"""What calls take besides their contents: every ``…Config``, the tools, ``HttpOptions``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import Base
from .contents import Content, Part


@dataclass(kw_only=True, repr=False, eq=False)
class ThinkingConfig(Base):
    include_thoughts: bool | None = None
    thinking_budget: int | None = None
    thinking_level: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class SafetySetting(Base):
    category: str | None = None
    threshold: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class FunctionDeclaration(Base):
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None  # an OpenAPI-style Schema object
    parameters_json_schema: Any = None
    response: dict[str, Any] | None = None
    response_json_schema: Any = None


@dataclass(kw_only=True, repr=False, eq=False)
class GoogleSearch(Base):
    pass


@dataclass(kw_only=True, repr=False, eq=False)
class ToolCodeExecution(Base):
    pass


@dataclass(kw_only=True, repr=False, eq=False)
class UrlContext(Base):
    pass


@dataclass(kw_only=True, repr=False, eq=False)
class Tool(Base):
    function_declarations: list[FunctionDeclaration] | None = None
    google_search: GoogleSearch | None = None
    code_execution: ToolCodeExecution | None = None
    url_context: UrlContext | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class FunctionCallingConfig(Base):
    mode: str | None = None
    allowed_function_names: list[str] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ToolConfig(Base):
    function_calling_config: FunctionCallingConfig | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class GenerateContentConfig(Base):
    """Everything ``generate_content`` takes besides the model and the contents.

    On the wire most fields go into ``generationConfig``; ``system_instruction``,
    ``safety_settings``, ``tools``, ``tool_config``, ``cached_content`` and ``labels`` sit at
    the root of the request, as the official SDK sends them.
    """

    system_instruction: str | Part | Content | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    candidate_count: int | None = None
    max_output_tokens: int | None = None
    stop_sequences: list[str] | None = None
    response_logprobs: bool | None = None
    logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    response_mime_type: str | None = None
    response_schema: Any = None  # an OpenAPI-style Schema as a dict
    response_json_schema: Any = None  # a JSON Schema as a dict
    response_modalities: list[str] | None = None
    media_resolution: str | None = None
    thinking_config: ThinkingConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    tools: list[Tool] | None = None
    tool_config: ToolConfig | None = None
    cached_content: str | None = None
    labels: dict[str, str] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class CountTokensConfig(Base):
    """Accepted for SDK compatibility; the Gemini Developer API counts ``contents`` only.

    Like the official SDK, ``count_tokens`` refuses these fields with a ``ValueError``.
    """

    system_instruction: str | Part | Content | None = None
    tools: list[Tool] | None = None
    generation_config: dict[str, Any] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListModelsConfig(Base):
    page_size: int | None = None
    page_token: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class UploadFileConfig(Base):
    """What ``files.upload`` takes besides the file itself.

    ``name`` is the ID to give the file (``"my-notes"`` or ``"files/my-notes"``; the service
    makes one up when it is not given). ``mime_type`` is required for bytes and streams, and
    for paths whose type ``mimetypes`` cannot guess. ``size_bytes`` is not in the official SDK:
    it is the size of a stream that cannot seek (the upload announces the size up front), and
    it is checked against the size of anything else.
    """

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListFilesConfig(Base):
    page_size: int | None = None
    page_token: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class HttpOptions(Base):
    """HTTP settings, as in the SDK. ``timeout`` is in **milliseconds**, like the SDK's."""

    base_url: str | None = None
    api_version: str | None = None
    headers: dict[str, str] | None = None
    timeout: int | None = None
