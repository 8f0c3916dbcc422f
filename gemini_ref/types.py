"""The values of the Gemini API as plain dataclasses, named as in the official ``google-genai``.

Every type is a keyword-only dataclass whose fields are all optional, so
``types.GenerateContentConfig(temperature=0.1)`` reads as it does with the SDK. Anywhere a
config is accepted, a plain dict works too, with snake_case or camelCase keys.

Conversion to and from JSON lives in one place, ``_wire.py``; nothing here knows about it
beyond two conventions: a ``wire`` name in a field's metadata when the JSON name is not simply
the camelCase of the Python name, and the ``extra`` dict every type carries for JSON keys it does
not model (kept from the service's answers, sent back verbatim).

Enumerations are ``StrEnum`` constants for convenience; fields are typed ``str`` so a value the
service adds tomorrow still parses, and ``candidate.finish_reason == FinishReason.STOP`` works.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

logger = logging.getLogger("gemini_ref")


@dataclass(kw_only=True)
class _Base:
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    """JSON keys this type does not model: kept when read, written back as they are."""


# --- Enumerations ------------------------------------------------------------------------------


class HarmCategory(StrEnum):
    HARM_CATEGORY_UNSPECIFIED = "HARM_CATEGORY_UNSPECIFIED"
    HARM_CATEGORY_HARASSMENT = "HARM_CATEGORY_HARASSMENT"
    HARM_CATEGORY_HATE_SPEECH = "HARM_CATEGORY_HATE_SPEECH"
    HARM_CATEGORY_SEXUALLY_EXPLICIT = "HARM_CATEGORY_SEXUALLY_EXPLICIT"
    HARM_CATEGORY_DANGEROUS_CONTENT = "HARM_CATEGORY_DANGEROUS_CONTENT"
    HARM_CATEGORY_CIVIC_INTEGRITY = "HARM_CATEGORY_CIVIC_INTEGRITY"


class HarmBlockThreshold(StrEnum):
    HARM_BLOCK_THRESHOLD_UNSPECIFIED = "HARM_BLOCK_THRESHOLD_UNSPECIFIED"
    BLOCK_LOW_AND_ABOVE = "BLOCK_LOW_AND_ABOVE"
    BLOCK_MEDIUM_AND_ABOVE = "BLOCK_MEDIUM_AND_ABOVE"
    BLOCK_ONLY_HIGH = "BLOCK_ONLY_HIGH"
    BLOCK_NONE = "BLOCK_NONE"
    OFF = "OFF"


class FinishReason(StrEnum):
    FINISH_REASON_UNSPECIFIED = "FINISH_REASON_UNSPECIFIED"
    STOP = "STOP"
    MAX_TOKENS = "MAX_TOKENS"
    SAFETY = "SAFETY"
    RECITATION = "RECITATION"
    LANGUAGE = "LANGUAGE"
    OTHER = "OTHER"
    BLOCKLIST = "BLOCKLIST"
    PROHIBITED_CONTENT = "PROHIBITED_CONTENT"
    SPII = "SPII"
    MALFORMED_FUNCTION_CALL = "MALFORMED_FUNCTION_CALL"
    IMAGE_SAFETY = "IMAGE_SAFETY"


class BlockedReason(StrEnum):
    BLOCKED_REASON_UNSPECIFIED = "BLOCKED_REASON_UNSPECIFIED"
    SAFETY = "SAFETY"
    OTHER = "OTHER"
    BLOCKLIST = "BLOCKLIST"
    PROHIBITED_CONTENT = "PROHIBITED_CONTENT"
    IMAGE_SAFETY = "IMAGE_SAFETY"


class ThinkingLevel(StrEnum):
    THINKING_LEVEL_UNSPECIFIED = "THINKING_LEVEL_UNSPECIFIED"
    MINIMAL = "MINIMAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class Modality(StrEnum):
    MODALITY_UNSPECIFIED = "MODALITY_UNSPECIFIED"
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    AUDIO = "AUDIO"


class MediaResolution(StrEnum):
    MEDIA_RESOLUTION_UNSPECIFIED = "MEDIA_RESOLUTION_UNSPECIFIED"
    MEDIA_RESOLUTION_LOW = "MEDIA_RESOLUTION_LOW"
    MEDIA_RESOLUTION_MEDIUM = "MEDIA_RESOLUTION_MEDIUM"
    MEDIA_RESOLUTION_HIGH = "MEDIA_RESOLUTION_HIGH"


class FileState(StrEnum):
    """Where an uploaded file is in its processing: usable once ``ACTIVE``."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    PROCESSING = "PROCESSING"
    ACTIVE = "ACTIVE"
    FAILED = "FAILED"


class FileSource(StrEnum):
    SOURCE_UNSPECIFIED = "SOURCE_UNSPECIFIED"
    UPLOADED = "UPLOADED"
    GENERATED = "GENERATED"
    REGISTERED = "REGISTERED"


class FunctionCallingConfigMode(StrEnum):
    MODE_UNSPECIFIED = "MODE_UNSPECIFIED"
    AUTO = "AUTO"
    ANY = "ANY"
    NONE = "NONE"
    VALIDATED = "VALIDATED"


# --- Content -----------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Blob(_Base):
    """Bytes sent inline (``inlineData``); base64 on the wire, ``bytes`` here."""

    data: bytes | None = None
    mime_type: str | None = None


@dataclass(kw_only=True)
class FileData(_Base):
    """A reference to an uploaded file (``fileData``)."""

    file_uri: str | None = None
    mime_type: str | None = None


@dataclass(kw_only=True)
class FunctionCall(_Base):
    id: str | None = None
    name: str | None = None
    args: dict[str, Any] | None = None


@dataclass(kw_only=True)
class FunctionResponse(_Base):
    id: str | None = None
    name: str | None = None
    response: dict[str, Any] | None = None


@dataclass(kw_only=True)
class Part(_Base):
    """One piece of a turn: text, inline bytes, a file reference or a function call/result."""

    text: str | None = None
    thought: bool | None = None
    thought_signature: bytes | None = None
    inline_data: Blob | None = None
    file_data: FileData | None = None
    function_call: FunctionCall | None = None
    function_response: FunctionResponse | None = None

    @classmethod
    def from_text(cls, *, text: str) -> Part:
        return cls(text=text)

    @classmethod
    def from_bytes(cls, *, data: bytes, mime_type: str) -> Part:
        return cls(inline_data=Blob(data=data, mime_type=mime_type))

    @classmethod
    def from_uri(cls, *, file_uri: str, mime_type: str | None = None) -> Part:
        return cls(file_data=FileData(file_uri=file_uri, mime_type=mime_type))

    @classmethod
    def from_function_call(cls, *, name: str, args: dict[str, Any]) -> Part:
        return cls(function_call=FunctionCall(name=name, args=args))

    @classmethod
    def from_function_response(cls, *, name: str, response: dict[str, Any]) -> Part:
        return cls(function_response=FunctionResponse(name=name, response=response))


@dataclass(kw_only=True)
class Content(_Base):
    """One turn of a conversation: its ``role`` (``"user"`` or ``"model"``) and its parts."""

    parts: list[Part] | None = None
    role: str | None = None


# --- Configuration -----------------------------------------------------------------------------


@dataclass(kw_only=True)
class ThinkingConfig(_Base):
    include_thoughts: bool | None = None
    thinking_budget: int | None = None
    thinking_level: str | None = None


@dataclass(kw_only=True)
class SafetySetting(_Base):
    category: str | None = None
    threshold: str | None = None


@dataclass(kw_only=True)
class FunctionDeclaration(_Base):
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None  # an OpenAPI-style Schema object
    parameters_json_schema: Any = None
    response: dict[str, Any] | None = None
    response_json_schema: Any = None


@dataclass(kw_only=True)
class GoogleSearch(_Base):
    pass


@dataclass(kw_only=True)
class ToolCodeExecution(_Base):
    pass


@dataclass(kw_only=True)
class UrlContext(_Base):
    pass


@dataclass(kw_only=True)
class Tool(_Base):
    function_declarations: list[FunctionDeclaration] | None = None
    google_search: GoogleSearch | None = None
    code_execution: ToolCodeExecution | None = None
    url_context: UrlContext | None = None


@dataclass(kw_only=True)
class FunctionCallingConfig(_Base):
    mode: str | None = None
    allowed_function_names: list[str] | None = None


@dataclass(kw_only=True)
class ToolConfig(_Base):
    function_calling_config: FunctionCallingConfig | None = None


@dataclass(kw_only=True)
class GenerateContentConfig(_Base):
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


@dataclass(kw_only=True)
class CountTokensConfig(_Base):
    """Accepted for SDK compatibility; the Gemini Developer API counts ``contents`` only.

    Like the official SDK, ``count_tokens`` refuses these fields with a ``ValueError``.
    """

    system_instruction: str | Part | Content | None = None
    tools: list[Tool] | None = None
    generation_config: dict[str, Any] | None = None


@dataclass(kw_only=True)
class ListModelsConfig(_Base):
    page_size: int | None = None
    page_token: str | None = None


@dataclass(kw_only=True)
class UploadFileConfig(_Base):
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


@dataclass(kw_only=True)
class ListFilesConfig(_Base):
    page_size: int | None = None
    page_token: str | None = None


@dataclass(kw_only=True)
class HttpOptions(_Base):
    """Transport settings, as in the SDK. ``timeout`` is in **milliseconds**, like the SDK's."""

    base_url: str | None = None
    api_version: str | None = None
    headers: dict[str, str] | None = None
    timeout: int | None = None


# --- Responses ---------------------------------------------------------------------------------


@dataclass(kw_only=True)
class ModalityTokenCount(_Base):
    modality: str | None = None
    token_count: int | None = None


@dataclass(kw_only=True)
class UsageMetadata(_Base):
    prompt_token_count: int | None = None
    candidates_token_count: int | None = None
    total_token_count: int | None = None
    cached_content_token_count: int | None = None
    thoughts_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None


@dataclass(kw_only=True)
class SafetyRating(_Base):
    category: str | None = None
    probability: str | None = None
    blocked: bool | None = None


@dataclass(kw_only=True)
class Citation(_Base):
    start_index: int | None = None
    end_index: int | None = None
    uri: str | None = None
    title: str | None = None
    license: str | None = None


@dataclass(kw_only=True)
class CitationMetadata(_Base):
    citations: list[Citation] | None = field(default=None, metadata={"wire": "citationSources"})


@dataclass(kw_only=True)
class Candidate(_Base):
    content: Content | None = None
    finish_reason: str | None = None
    finish_message: str | None = None
    index: int | None = None
    safety_ratings: list[SafetyRating] | None = None
    citation_metadata: CitationMetadata | None = None
    avg_logprobs: float | None = None
    token_count: int | None = None


@dataclass(kw_only=True)
class PromptFeedback(_Base):
    block_reason: str | None = None
    block_reason_message: str | None = None
    safety_ratings: list[SafetyRating] | None = None


# Names the official SDK uses for the same two types.
GenerateContentResponseUsageMetadata = UsageMetadata
GenerateContentResponsePromptFeedback = PromptFeedback

_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    # The SDK logs these once per process rather than raising a Python warning, so code that
    # runs with warnings-as-errors does not break on a multi-candidate answer.
    if key not in _warned:
        _warned.add(key)
        logger.warning(message)


@dataclass(kw_only=True)
class GenerateContentResponse(_Base):
    candidates: list[Candidate] | None = None
    prompt_feedback: PromptFeedback | None = None
    usage_metadata: UsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None

    @property
    def text(self) -> str | None:
        """The text of the first candidate, as the official SDKs compute it.

        Concatenates every part whose ``text`` is a string, skipping thought parts. ``None``
        when no part has text (no candidates, no content, only thoughts…); ``""`` stays ``""``.
        """
        parts = self._first_candidate_parts("text")
        if parts is None:
            return None
        texts = [part.text for part in parts if part.text is not None and not part.thought]
        non_text = sorted({name for part in parts for name in _non_text_fields(part)})
        if non_text:
            _warn_once(
                "non-text",
                f"there are non-text parts in the response: {non_text}, returning concatenated"
                " text from the text parts only.",
            )
        return "".join(texts) if texts else None

    @property
    def function_calls(self) -> list[FunctionCall] | None:
        """The function calls of the first candidate, or ``None`` when it makes none."""
        parts = self._first_candidate_parts("function calls")
        calls = [part.function_call for part in parts or () if part.function_call is not None]
        return calls or None

    def _first_candidate_parts(self, what: str) -> list[Part] | None:
        if not self.candidates:
            return None
        if len(self.candidates) > 1:
            _warn_once(
                f"candidates:{what}",
                f"there are {len(self.candidates)} candidates, returning {what} from the first"
                " one. Read response.candidates for the others.",
            )
        content = self.candidates[0].content
        return content.parts if content is not None and content.parts else None


def _non_text_fields(part: Part) -> list[str]:
    structured = [
        name
        for name in ("inline_data", "file_data", "function_call", "function_response")
        if getattr(part, name) is not None
    ]
    return structured + list(part.extra)


@dataclass(kw_only=True)
class CountTokensResponse(_Base):
    total_tokens: int | None = None
    cached_content_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None


@dataclass(kw_only=True)
class Model(_Base):
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


@dataclass(kw_only=True)
class ListModelsResponse(_Base):
    models: list[Model] | None = None
    next_page_token: str | None = None


@dataclass(kw_only=True)
class FileStatus(_Base):
    """Why a file's processing failed (``google.rpc.Status``)."""

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None


@dataclass(kw_only=True)
class File(_Base):
    """A file uploaded with ``files.upload``; put it in ``contents`` to use it in a prompt.

    ``size_bytes`` is an ``int`` (the wire sends a string) and the three times are timezone-aware
    ``datetime`` values in UTC, as in the SDK (the service's nanoseconds are cut to
    microseconds). ``state`` is a ``FileState`` value, ``source`` a ``FileSource`` value.
    """

    name: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    expiration_time: datetime | None = None
    sha256_hash: str | None = None
    """Base64, as the service sends it (of the lowercase hex digest, in the recordings)."""
    uri: str | None = None
    download_uri: str | None = None
    state: str | None = None
    source: str | None = None
    error: FileStatus | None = None
    video_metadata: dict[str, Any] | None = None


@dataclass(kw_only=True)
class ListFilesResponse(_Base):
    files: list[File] | None = None
    next_page_token: str | None = None


@dataclass(kw_only=True)
class DeleteFileResponse(_Base):
    """The (empty) answer to ``files.delete``."""
