"""Checks the real service makes after a body has been read, with its statuses and messages.

The transcoder (:mod:`fake_server.schema`) has already rejected what cannot be read at all; what
is left are the rules on values: what a conversation must hold, the ranges of the sampling
parameters per model, the thinking budget per model, the MIME types the service takes inline.
Each rule raises :class:`~fake_server.errors.ApiError` with the real message (docs/errors.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .catalog import ModelInfo
from .errors import invalid_argument

VALID_ROLES = ("user", "model")

# What the service accepts as inline data (and as uploaded files): the Gemini API's documented
# image, audio, video and document types.
SUPPORTED_MIME_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/heic",
        "image/heif",
        "audio/wav",
        "audio/x-wav",
        "audio/mp3",
        "audio/mpeg",
        "audio/aiff",
        "audio/aac",
        "audio/ogg",
        "audio/flac",
        "audio/l16",
        "audio/webm",
        "video/mp4",
        "video/mpeg",
        "video/mov",
        "video/quicktime",
        "video/avi",
        "video/x-flv",
        "video/mpg",
        "video/webm",
        "video/wmv",
        "video/3gpp",
        "application/pdf",
        "application/json",
        "application/x-javascript",
        "application/x-python",
        "text/plain",
        "text/html",
        "text/css",
        "text/javascript",
        "text/x-typescript",
        "text/csv",
        "text/markdown",
        "text/x-python",
        "text/xml",
        "text/rtf",
    }
)
RESPONSE_MIME_TYPES = (
    "text/plain",
    "application/json",
    "application/xml",
    "application/yaml",
    "text/x.enum",
)
MAX_CANDIDATES = 8
DATA_FIELDS = (
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
)


def check_generate(request: dict[str, Any], model: ModelInfo) -> None:
    """All the value rules for a GenerateContentRequest, in the order the service applies them."""
    check_contents(request.get("contents", []), "GenerateContentRequest")
    check_generation_config(request.get("generationConfig", {}), model)


def check_contents(contents: list[dict[str, Any]], message: str) -> None:
    """Roles first (their own message), then the structural rules as one bulleted list."""
    for content in contents:
        if content.get("role", "user") not in VALID_ROLES:
            raise invalid_argument("Please use a valid role: user, model.")
    violations = list(_content_violations(contents, message))
    if violations:
        raise invalid_argument("".join(f"* {path}: {text}\n" for path, text in violations))
    for content in contents:
        for part in content["parts"]:
            blob = part.get("inlineData")
            if blob is not None and _mime(blob) not in SUPPORTED_MIME_TYPES:
                raise invalid_argument(f"Unsupported MIME type: {blob.get('mimeType', '')}")


def _mime(blob: dict[str, Any]) -> str:
    return str(blob.get("mimeType", "")).split(";", 1)[0].strip().lower()


def _content_violations(contents: list[dict[str, Any]], message: str) -> Iterator[tuple[str, str]]:
    if not contents:
        yield f"{message}.contents", "contents is not specified"
        return
    for i, content in enumerate(contents):
        parts = content.get("parts", [])
        if not parts:
            yield f"{message}.contents[{i}].parts", "contents.parts must not be empty."
            continue
        for j, part in enumerate(parts):
            if not any(name in part for name in DATA_FIELDS):
                yield (
                    f"{message}.contents[{i}].parts[{j}].data",
                    "required oneof field 'data' must have one initialized field",
                )


def check_generation_config(config: dict[str, Any], model: ModelInfo) -> None:
    _check_range(config, "temperature", 0, 2.0001)
    _check_range(config, "topP", 0, 1.0001)
    if model.top_k is not None:
        _check_range(config, "topK", 1, model.top_k + 1)
    _check_range(config, "candidateCount", 1, MAX_CANDIDATES + 1)
    _check_range(config, "maxOutputTokens", 1, model.output_token_limit + 1)
    mime = config.get("responseMimeType")
    if mime is not None and mime not in RESPONSE_MIME_TYPES:
        allowed = ", ".join(f"`{m}`" for m in RESPONSE_MIME_TYPES[:-1])
        raise invalid_argument(
            "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes "
            f"are {allowed} and `{RESPONSE_MIME_TYPES[-1]}`.\n"
        )
    if "thinkingConfig" in config:
        check_thinking(config["thinkingConfig"], model)


def _check_range(config: dict[str, Any], name: str, low: float, high: float) -> None:
    """Half-open ``[low, high)``, worded as the service words it."""
    value = config.get(name)
    if value is None or low <= value < high:
        return
    raise invalid_argument(
        f"Unable to submit request because it has a {name} value of {_number(value)} but the "
        f"supported range is from {_number(low)} (inclusive) to {_number(high)} (exclusive). "
        "Update the value and try again."
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def check_thinking(thinking: dict[str, Any], model: ModelInfo) -> None:
    budget = thinking.get("thinkingBudget")
    level = thinking.get("thinkingLevel")
    if budget is not None and level is not None:
        raise invalid_argument("You can only set only one of thinking budget and thinking level.")
    if level is not None:  # levels belong to Gemini 3; every model in the catalogue takes budgets
        raise invalid_argument("Thinking level is not supported for this model.")
    rules = model.thinking
    if budget is None or rules is None or budget == -1:
        return
    if budget == 0:
        if not rules.can_disable:
            raise invalid_argument("Budget 0 is invalid. This model only works in thinking mode.")
        return
    if not rules.minimum <= budget <= rules.maximum:
        raise invalid_argument(f"The thinking budget ({budget}) is invalid.")


def thinking_budget(request: dict[str, Any]) -> int | None:
    """The requested budget (``-1`` dynamic, ``0`` off), or None when not set."""
    config = request.get("generationConfig", {}).get("thinkingConfig", {})
    budget = config.get("thinkingBudget")
    return None if budget is None else int(budget)
