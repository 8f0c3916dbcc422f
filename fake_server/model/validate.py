"""Checks the real service makes after a body has been read, with its statuses and messages.

The transcoder (:mod:`fake_server.protocol.transcode`) has already rejected what cannot be read
at all; what is left are the rules on values: what a conversation must hold, the ranges of the
sampling parameters per model, the thinking budget per model, the MIME types the service takes
inline, the response and parameter schemas (:mod:`.schema_checks`). Each rule raises
:class:`~fake_server.protocol.errors.ApiError` with the real message (docs/errors.md).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from ..protocol.errors import ApiError, invalid_argument, permission_denied
from ..protocol.limits import MAX_CANDIDATES, RESPONSE_MIME_TYPES, SUPPORTED_MIME_TYPES
from ..protocol.messages import PART_DATA
from . import images
from .catalog import ModelInfo
from .schema_checks import check_schemas

VALID_ROLES = ("user", "model")


def check_generate(request: dict[str, Any], model: ModelInfo) -> None:
    """All the value rules for a GenerateContentRequest, in the order the service applies them."""
    contents = request.get("contents", [])
    check_contents(contents, "GenerateContentRequest")
    check_generation_config(request.get("generationConfig", {}), model)
    check_schemas(request)
    check_tool_combination(request, model)
    check_function_turns(contents)
    if model.family == "3":
        check_thought_signatures(contents)


# The built-in tools the service runs itself, which a request may combine with its own
# functions only on Gemini 3, and only when it asks to see them run
SERVER_TOOLS = (
    "googleSearch",
    "googleSearchRetrieval",
    "codeExecution",
    "urlContext",
    "googleMaps",
    "fileSearch",
)


def check_tool_combination(request: dict[str, Any], model: ModelInfo) -> None:
    """Built-in tools beside function declarations (docs/evidence.md#service-builtin-tools):
    refused before Gemini 3, and on Gemini 3 unless ``includeServerSideToolInvocations``."""
    tools = [tool for tool in request.get("tools", []) if isinstance(tool, dict)]
    if not any(tool.get("functionDeclarations") for tool in tools):
        return
    if not any(name in tool for tool in tools for name in SERVER_TOOLS):
        return
    if model.family != "3":
        raise invalid_argument("Tool use with function calling is unsupported by the model.")
    config = request.get("toolConfig")
    if not (isinstance(config, dict) and config.get("includeServerSideToolInvocations") is True):
        raise invalid_argument(
            "Please enable tool_config.include_server_side_tool_invocations to use Built-in "
            "tools with Function calling."
        )


def missing_cache() -> ApiError:
    """A ``cachedContent`` the service does not hold, never made, deleted or expired
    (docs/evidence.md#service-errors): a request naming one is refused, unless a fixture
    recorded with it answers (docs/caching.md)."""
    return permission_denied("CachedContent not found (or permission denied)")


def _turns(contents: list[dict[str, Any]]) -> list[tuple[int, str, list[dict[str, Any]]]]:
    """Consecutive contents of one role as one turn: (index of its first content, role, parts).

    The service accepts runs of same-role contents (the SDKs send one per streamed chunk), and
    applies its turn rules to the runs.
    """
    turns: list[tuple[int, str, list[dict[str, Any]]]] = []
    for index, content in enumerate(contents):
        role = content.get("role", "user")
        if turns and turns[-1][1] == role:
            turns[-1][2].extend(content["parts"])
        else:
            turns.append((index, role, list(content["parts"])))
    return turns


def check_function_turns(contents: list[dict[str, Any]]) -> None:
    """Function calls and their responses must pair up, turn by turn."""
    turns = _turns(contents)
    for position, (_, role, parts) in enumerate(turns):
        calls = sum("functionCall" in p for p in parts)
        responses = sum("functionResponse" in p for p in parts)
        previous = turns[position - 1] if position else None
        if role == "model" and calls and (previous is None or previous[1] != "user"):
            raise invalid_argument(
                "Please ensure that function call turn comes immediately after a user turn or "
                "after a function response turn."
            )
        if role == "user" and responses:
            previous_calls = sum("functionCall" in p for p in previous[2]) if previous else 0
            if not previous_calls or previous is None or previous[1] != "model":
                raise invalid_argument(
                    "Please ensure that function response turn comes immediately after a "
                    "function call turn."
                )
            if responses != previous_calls:
                raise invalid_argument(
                    "Please ensure that the number of function response parts is equal to the "
                    "number of function call parts of the function call turn."
                )


def check_thought_signatures(contents: list[dict[str, Any]]) -> None:
    """Gemini 3: in the current turn, each model turn's first function call must be signed.

    The current turn is everything after the last user message that is not only function
    responses; earlier turns are not checked, as the service documents.
    """
    start = 0
    for index, content in enumerate(contents):
        parts = content["parts"]
        if content.get("role", "user") == "user" and not all(
            "functionResponse" in p for p in parts
        ):
            start = index + 1
    for index in range(start, len(contents)):
        content = contents[index]
        if content.get("role") != "model":
            continue
        calls = [p for p in content["parts"] if "functionCall" in p]
        if calls and not calls[0].get("thoughtSignature"):
            name = calls[0]["functionCall"].get("name", "")
            raise invalid_argument(
                "Function call is missing a thought_signature in functionCall parts. This is "
                "required for tools to work correctly, and missing thought_signature may lead to "
                f"degraded model performance. Additional data, function call `default_api:{name}` "
                f", position {index + 1}. Please refer to "
                "https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
            )


def check_contents(contents: list[dict[str, Any]], message: str) -> None:
    """Roles first (their own message), then the structural rules as one bulleted list."""
    for content in contents:
        if content.get("role", "user") not in VALID_ROLES:
            raise invalid_argument("Please use a valid role: user, model.")
    violations = list(_content_violations(contents, message))
    if violations:
        raise invalid_argument("".join(f"* {path}: {text}\n" for path, text in violations))
    for part in _media_parts(contents):
        blob = part.get("inlineData")
        if blob is not None:
            _check_blob(blob)


def _media_parts(contents: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every part, and every part of a function response's media (``functionResponse.parts``)."""
    for content in contents:
        for part in content["parts"]:
            yield part
            yield from part.get("functionResponse", {}).get("parts", ())


def _check_blob(blob: dict[str, Any]) -> None:
    if _mime(blob) not in SUPPORTED_MIME_TYPES:
        raise invalid_argument(f"Unsupported MIME type: {blob.get('mimeType', '')}")
    if _mime(blob).startswith("image/"):
        try:
            images.dimensions(base64.b64decode(blob.get("data", "")), _mime(blob))
        except images.NotAnImage:
            raise invalid_argument(images.INVALID_IMAGE) from None


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
            if not any(name in part for name in PART_DATA):
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
    check_penalties(config, model)
    check_logprobs(config, model)
    mime = config.get("responseMimeType")
    if mime is not None and mime not in RESPONSE_MIME_TYPES:
        allowed = ", ".join(f"`{m}`" for m in RESPONSE_MIME_TYPES[:-1])
        raise invalid_argument(
            "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes "
            f"are {allowed} and `{RESPONSE_MIME_TYPES[-1]}`.\n"
        )
    if "thinkingConfig" in config:
        check_thinking(config["thinkingConfig"], model)


def check_penalties(config: dict[str, Any], model: ModelInfo) -> None:
    """A penalty on a model without them (docs/evidence.md#service-errors); 0, the default, is
    taken by every model."""
    if model.penalties:
        return
    if config.get("presencePenalty") or config.get("frequencyPenalty"):
        raise invalid_argument(f"Penalty is not enabled for models/{model.id}")


def check_logprobs(config: dict[str, Any], model: ModelInfo) -> None:
    """Log probabilities on a model without them (docs/evidence.md#service-logprobs), and the
    number of top candidates a step, from 0 to 20."""
    if (config.get("responseLogprobs") or config.get("logprobs")) and not model.logprobs:
        raise invalid_argument(f"Logprobs is not enabled for models/{model.id}")
    _check_range(config, "logprobs", 0, MAX_TOP_LOGPROBS + 1)


MAX_TOP_LOGPROBS = 20


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
    return str(int(value)) if float(value).is_integer() else str(value)


def check_thinking(thinking: dict[str, Any], model: ModelInfo) -> None:
    budget = thinking.get("thinkingBudget")
    level = thinking.get("thinkingLevel")
    if budget is not None and level is not None:
        raise invalid_argument("You can only set only one of thinking budget and thinking level.")
    rules = model.thinking
    if level is not None:
        if rules is None or not rules.levels:
            raise invalid_argument("Thinking level is not supported for this model.")
        if level not in rules.levels:
            raise invalid_argument(
                f"Thinking level {level} is not supported for this model. Please retry with "
                "other thinking level."
            )
        return
    if budget is None or rules is None or budget == -1:
        return
    if budget == 0:
        if not rules.can_disable:
            raise invalid_argument("Budget 0 is invalid. This model only works in thinking mode.")
        return
    if not rules.minimum <= budget <= rules.maximum:
        raise invalid_argument(f"The thinking budget ({budget}) is invalid.")
