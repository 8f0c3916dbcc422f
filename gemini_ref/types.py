"""The values of the Gemini API as plain dataclasses, named as in the official ``google-genai``.

Every type is a keyword-only dataclass whose fields are all optional, so
``types.GenerateContentConfig(temperature=0.1)`` reads as it does with the SDK. Anywhere a
config is accepted, a plain dict works too, with snake_case or camelCase keys.

Conversion to and from JSON lives in one place, ``_wire.py``; nothing in the types knows about
it beyond two conventions: a ``wire`` name in a field's metadata when the JSON name is not simply
the camelCase of the Python name, and the ``extra`` dict every type carries for JSON keys it does
not model (kept from the service's answers, sent back verbatim).

Enumerations are ``StrEnum`` constants for convenience; fields are typed ``str`` so a value the
service adds tomorrow still parses, and ``candidate.finish_reason == FinishReason.STOP`` works.

This module is the types' public face; they are defined by family in ``_types/``: ``contents``,
``configs``, ``responses``, ``embeddings``, ``models``, ``files``, ``caches`` and ``enums``.
"""

from __future__ import annotations

from ._types.batches import (
    BatchJob,
    BatchJobDestination,
    CreateBatchJobConfig,
    DeleteResourceJob,
    InlinedRequest,
    InlinedResponse,
    JobError,
    ListBatchJobsConfig,
)
from ._types.caches import (
    CachedContent,
    CachedContentUsageMetadata,
    CreateCachedContentConfig,
    DeleteCachedContentResponse,
    ListCachedContentsConfig,
    ListCachedContentsResponse,
    UpdateCachedContentConfig,
)
from ._types.configs import (
    CountTokensConfig,
    FunctionCallingConfig,
    FunctionDeclaration,
    GenerateContentConfig,
    GoogleSearch,
    HttpOptions,
    ListFilesConfig,
    ListModelsConfig,
    SafetySetting,
    ThinkingConfig,
    Tool,
    ToolCodeExecution,
    ToolConfig,
    UploadFileConfig,
    UrlContext,
)
from ._types.contents import (
    Blob,
    Content,
    FileData,
    FunctionCall,
    FunctionResponse,
    Part,
)
from ._types.embeddings import (
    ContentEmbedding,
    EmbedContentConfig,
    EmbedContentResponse,
)
from ._types.enums import (
    BlockedReason,
    FileSource,
    FileState,
    FinishReason,
    FunctionCallingConfigMode,
    HarmBlockThreshold,
    HarmCategory,
    JobState,
    MediaResolution,
    Modality,
    ThinkingLevel,
)
from ._types.files import (
    DeleteFileResponse,
    File,
    FileStatus,
    ListFilesResponse,
)
from ._types.models import (
    ListModelsResponse,
    Model,
)
from ._types.responses import (
    Candidate,
    Citation,
    CitationMetadata,
    CountTokensResponse,
    GenerateContentResponse,
    GenerateContentResponsePromptFeedback,
    GenerateContentResponseUsageMetadata,
    ModalityTokenCount,
    PromptFeedback,
    SafetyRating,
    UsageMetadata,
)
from ._types.responses import logger as logger

__all__ = [
    "BatchJob",
    "BatchJobDestination",
    "CreateBatchJobConfig",
    "DeleteResourceJob",
    "InlinedRequest",
    "InlinedResponse",
    "JobError",
    "JobState",
    "ListBatchJobsConfig",
    "Blob",
    "BlockedReason",
    "CachedContent",
    "CachedContentUsageMetadata",
    "Candidate",
    "Citation",
    "CitationMetadata",
    "Content",
    "ContentEmbedding",
    "CountTokensConfig",
    "CountTokensResponse",
    "CreateCachedContentConfig",
    "DeleteCachedContentResponse",
    "DeleteFileResponse",
    "EmbedContentConfig",
    "EmbedContentResponse",
    "File",
    "FileData",
    "FileSource",
    "FileState",
    "FileStatus",
    "FinishReason",
    "FunctionCall",
    "FunctionCallingConfig",
    "FunctionCallingConfigMode",
    "FunctionDeclaration",
    "FunctionResponse",
    "GenerateContentConfig",
    "GenerateContentResponse",
    "GenerateContentResponsePromptFeedback",
    "GenerateContentResponseUsageMetadata",
    "GoogleSearch",
    "HarmBlockThreshold",
    "HarmCategory",
    "HttpOptions",
    "ListCachedContentsConfig",
    "ListCachedContentsResponse",
    "ListFilesConfig",
    "ListFilesResponse",
    "ListModelsConfig",
    "ListModelsResponse",
    "MediaResolution",
    "Modality",
    "ModalityTokenCount",
    "Model",
    "Part",
    "PromptFeedback",
    "SafetyRating",
    "SafetySetting",
    "ThinkingConfig",
    "ThinkingLevel",
    "Tool",
    "ToolCodeExecution",
    "ToolConfig",
    "UpdateCachedContentConfig",
    "UploadFileConfig",
    "UrlContext",
    "UsageMetadata",
]
