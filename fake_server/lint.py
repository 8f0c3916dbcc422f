"""``gemini-fake lint``: fixtures checked against the shapes the real service sends.

Every ``*.json`` fixture in the given directories, and every ``.sse`` file one names, is read
the way the fake reads it and then held to the shapes recorded from the service
(docs/evidence.md#service, docs/fixture-lint.md):

- the file loads (:func:`fake_server.fixtures.parse`; its refusal is reported, not raised), its
  top-level keys and its ``answer``'s keys are ones the fake knows;
- a ``response``, and each event of a ``.sse`` file, is a GenerateContentResponse: every field
  name at every depth is the camelCase name the service sends, every enum value one it sends,
  every value of the right JSON type (:data:`MESSAGES`, :data:`ENUMS`);
- usage adds up as the service's does: ``totalTokenCount`` is prompt + candidates + thoughts +
  tool-use prompt, cached tokens are part of the prompt, and (in hand-written fixtures) the
  prompt's modality details add up to the prompt;
- a ``.sse`` file is framed byte for byte as the service frames a stream: each event
  ``data: `` + one line of JSON spaced as the service spaces it + ``\\r\\n\\r\\n``, nothing
  after the last; every event carries usage, model version and one response id, and only the
  last carries ``finishReason``;
- a recorded error (``"status"`` other than 200) is a Google error envelope whose ``code`` is
  that status and whose ``status`` names it.

Each problem names the file, where in it (a JSON path, or an event number of a ``.sse`` file)
and what to change. A rule the service itself does not always keep is not checked.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .fixtures import FixtureError, parse
from .schema import camel
from .streams import parse_sse

# --- what the service sends -----------------------------------------------------------------

# GenerateContentResponse as the Gemini API writes it: each message's fields by JSON name, and
# their kinds: "string" "bool" "number" "bytes" (standard base64), "count" (a whole number,
# 0 or more), "struct" (any JSON object), "enum:Name", another message, or "kind[]" (a list).
# The names are the recorded ones (docs/evidence.md#service-response-shape) plus the Gemini API
# fields the official SDK reads.
MESSAGES: dict[str, dict[str, str]] = {
    "GenerateContentResponse": {
        "candidates": "Candidate[]",
        "promptFeedback": "PromptFeedback",
        "usageMetadata": "UsageMetadata",
        "modelVersion": "string",
        "responseId": "string",
        "modelStatus": "ModelStatus",
    },
    "Candidate": {
        "content": "Content",
        "finishReason": "enum:FinishReason",
        "safetyRatings": "SafetyRating[]",
        "citationMetadata": "CitationMetadata",
        "tokenCount": "count",
        "groundingAttributions": "struct[]",
        "groundingMetadata": "GroundingMetadata",
        "avgLogprobs": "number",
        "logprobsResult": "LogprobsResult",
        "urlContextMetadata": "UrlContextMetadata",
        "index": "count",
        "finishMessage": "string",
        "continuationToken": "bytes",
    },
    "Content": {"parts": "Part[]", "role": "enum:Role"},
    "Part": {
        "text": "string",
        "inlineData": "Blob",
        "fileData": "FileData",
        "functionCall": "FunctionCall",
        "executableCode": "ExecutableCode",
        "codeExecutionResult": "CodeExecutionResult",
        "toolCall": "ToolCall",
        "toolResponse": "ToolResponse",
        "thought": "bool",
        "thoughtSignature": "bytes",
        "partMetadata": "struct",
    },
    "Blob": {"mimeType": "string", "data": "bytes"},
    "FileData": {"mimeType": "string", "fileUri": "string"},
    "FunctionCall": {"name": "string", "args": "struct", "id": "string"},
    "ExecutableCode": {"language": "enum:Language", "code": "string", "id": "string"},
    "CodeExecutionResult": {"outcome": "enum:Outcome", "output": "string", "id": "string"},
    "ToolCall": {"toolType": "enum:ToolType", "args": "struct", "id": "string"},
    "ToolResponse": {"toolType": "enum:ToolType", "response": "struct", "id": "string"},
    "UsageMetadata": {
        "promptTokenCount": "count",
        "candidatesTokenCount": "count",
        "totalTokenCount": "count",
        "cachedContentTokenCount": "count",
        "promptTokensDetails": "ModalityTokenCount[]",
        "cacheTokensDetails": "ModalityTokenCount[]",
        "candidatesTokensDetails": "ModalityTokenCount[]",
        "toolUsePromptTokenCount": "count",
        "toolUsePromptTokensDetails": "ModalityTokenCount[]",
        "thoughtsTokenCount": "count",
        "serviceTier": "string",
    },
    "ModalityTokenCount": {"modality": "enum:Modality", "tokenCount": "count"},
    "PromptFeedback": {
        "blockReason": "enum:BlockReason",
        "safetyRatings": "SafetyRating[]",
        "blockReasonMessage": "string",
    },
    "SafetyRating": {
        "category": "enum:HarmCategory",
        "probability": "enum:HarmProbability",
        "blocked": "bool",
    },
    "CitationMetadata": {"citationSources": "CitationSource[]"},
    "CitationSource": {
        "startIndex": "count",
        "endIndex": "count",
        "uri": "string",
        "license": "string",
    },
    "GroundingMetadata": {
        "webSearchQueries": "string[]",
        "imageSearchQueries": "string[]",
        "searchEntryPoint": "SearchEntryPoint",
        "groundingChunks": "GroundingChunk[]",
        "groundingSupports": "GroundingSupport[]",
        "retrievalMetadata": "RetrievalMetadata",
        "googleMapsWidgetContextToken": "string",
    },
    "SearchEntryPoint": {"renderedContent": "string", "sdkBlob": "bytes"},
    "GroundingChunk": {
        "web": "WebChunk",
        "retrievedContext": "RetrievedContext",
        "maps": "struct",
        "image": "struct",
    },
    "WebChunk": {"uri": "string", "title": "string"},
    "RetrievedContext": {
        "uri": "string",
        "title": "string",
        "text": "string",
        "fileSearchStore": "string",
        "customMetadata": "CustomMetadata[]",
    },
    "CustomMetadata": {
        "key": "string",
        "stringValue": "string",
        "numericValue": "number",
        "stringListValue": "struct",
    },
    "GroundingSupport": {
        "segment": "Segment",
        "groundingChunkIndices": "count[]",
        "confidenceScores": "number[]",
    },
    "Segment": {"partIndex": "count", "startIndex": "count", "endIndex": "count", "text": "string"},
    "RetrievalMetadata": {"googleSearchDynamicRetrievalScore": "number"},
    "UrlContextMetadata": {"urlMetadata": "UrlMetadata[]"},
    "UrlMetadata": {"retrievedUrl": "string", "urlRetrievalStatus": "enum:UrlRetrievalStatus"},
    "LogprobsResult": {
        "topCandidates": "TopCandidates[]",
        "chosenCandidates": "LogprobsCandidate[]",
        "logProbabilitySum": "number",
    },
    "TopCandidates": {"candidates": "LogprobsCandidate[]"},
    "LogprobsCandidate": {"token": "string", "tokenId": "count", "logProbability": "number"},
    "ModelStatus": {
        "modelStage": "enum:ModelStage",
        "retirementTime": "string",
        "message": "string",
    },
}

# The values the service sends: the official SDK's enums without their ``*_UNSPECIFIED``
# placeholder (an unset enum is left out).
ENUMS: dict[str, tuple[str, ...]] = {
    "FinishReason": tuple(
        "STOP MAX_TOKENS SAFETY RECITATION LANGUAGE OTHER BLOCKLIST PROHIBITED_CONTENT "
        "SPII MALFORMED_FUNCTION_CALL IMAGE_SAFETY IMAGE_PROHIBITED_CONTENT IMAGE_OTHER "
        "NO_IMAGE IMAGE_RECITATION UNEXPECTED_TOOL_CALL TOO_MANY_TOOL_CALLS "
        "MISSING_THOUGHT_SIGNATURE MALFORMED_RESPONSE".split()
    ),
    "Role": ("model",),  # the service's answers always come from the model
    "Modality": tuple("TEXT IMAGE AUDIO VIDEO DOCUMENT".split()),
    "BlockReason": tuple(
        "SAFETY OTHER BLOCKLIST PROHIBITED_CONTENT IMAGE_SAFETY MODEL_ARMOR JAILBREAK".split()
    ),
    "HarmCategory": tuple(
        "HARM_CATEGORY_HARASSMENT HARM_CATEGORY_HATE_SPEECH "
        "HARM_CATEGORY_SEXUALLY_EXPLICIT HARM_CATEGORY_DANGEROUS_CONTENT "
        "HARM_CATEGORY_CIVIC_INTEGRITY HARM_CATEGORY_JAILBREAK HARM_CATEGORY_IMAGE_HATE "
        "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT HARM_CATEGORY_IMAGE_HARASSMENT "
        "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT".split()
    ),
    "HarmProbability": tuple("NEGLIGIBLE LOW MEDIUM HIGH".split()),
    "UrlRetrievalStatus": tuple(
        "URL_RETRIEVAL_STATUS_SUCCESS URL_RETRIEVAL_STATUS_ERROR "
        "URL_RETRIEVAL_STATUS_PAYWALL URL_RETRIEVAL_STATUS_UNSAFE".split()
    ),
    "Language": tuple("PYTHON".split()),
    "Outcome": tuple("OUTCOME_OK OUTCOME_FAILED OUTCOME_DEADLINE_EXCEEDED".split()),
    "ToolType": tuple(
        "GOOGLE_SEARCH_WEB GOOGLE_SEARCH_IMAGE URL_CONTEXT GOOGLE_MAPS FILE_SEARCH "
        "MEDIA_PROCESSING".split()
    ),
    "ModelStage": tuple(
        "UNSTABLE_EXPERIMENTAL EXPERIMENTAL PREVIEW STABLE LEGACY DEPRECATED RETIRED".split()
    ),
}

# Values the service sends that the fake cannot stand behind, and why.
REFUSED: dict[str, dict[str, str]] = {
    "FinishReason": {
        "CONTINUATION": "makes the official SDKs re-request with a continuationToken, which the "
        "fake does not answer; end the answer with STOP",
    },
}

# A part carries exactly one of these, plus optionally thought and thoughtSignature.
PART_DATA = (
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "executableCode",
    "codeExecutionResult",
    "toolCall",
    "toolResponse",
)
# totalTokenCount is their sum (docs/evidence.md#service-usage: 1004 of 1004 recorded objects).
USAGE_SUM = (
    "promptTokenCount",
    "candidatesTokenCount",
    "thoughtsTokenCount",
    "toolUsePromptTokenCount",
)
# Counts the service leaves out rather than send as 0.
OMITTED_WHEN_ZERO = (
    "candidatesTokenCount",
    "thoughtsTokenCount",
    "cachedContentTokenCount",
    "toolUsePromptTokenCount",
)
RESPONSE_ID = re.compile(r"[A-Za-z0-9_-]{20}|[A-Za-z0-9_-]{22,23}")
STANDARD_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")

# google.rpc.Code names and the HTTP status each is sent with. UNKNOWN has been seen with a
# 302 as well as 500, so it goes with any code.
ERROR_STATUSES: dict[str, int] = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INTERNAL": 500,
    "DATA_LOSS": 500,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
ERROR_KEYS = ("code", "message", "status", "details")
DETAIL_TYPE_PREFIX = "type.googleapis.com/"

FIXTURE_KEYS = (
    "description",
    "match",
    "answer",
    "response",
    "sse",
    "streaming",
    "status",
    "sequence",
    "recorded",
)
ANSWER_KEYS = ("text", "thoughts", "json", "functionCalls")
SSE_SEPARATOR = b"\r\n\r\n"
SPACING = (
    "the JSON is not spaced as the service spaces it (one space after each colon, none after "
    "commas or anywhere else outside strings)"
)


# --- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing to change: in ``file``, at ``where`` (a JSON path or an event number)."""

    file: Path
    where: str
    message: str

    def __str__(self) -> str:
        if not self.where:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.where}: {self.message}"


Found = list[tuple[str, str]]  # (where, message) inside one file


def _at(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"the string {text}" if isinstance(value, str) else text


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown(key: str, known: Iterable[str], what: str) -> str:
    known = tuple(known)
    if "_" in key and camel(key) in known:
        return f'snake_case field name; the service sends "{camel(key)}"'
    return f"unknown field; {what} has only {', '.join(known)}"


# --- one GenerateContentResponse ------------------------------------------------------------


def _check(value: Any, kind: str, where: str, found: Found) -> None:
    """``value`` against ``kind`` (see :data:`MESSAGES`), every problem appended to ``found``."""
    if value is None:
        found.append((where, "is null; the service leaves out a field that is not set"))
    elif kind.endswith("[]"):
        if not isinstance(value, list):
            found.append((where, f"expected a list, got {_show(value)}"))
        elif not value:
            found.append((where, "is an empty list; the service leaves empty lists out"))
        for index, item in enumerate(value if isinstance(value, list) else []):
            _check(item, kind[:-2], f"{where}[{index}]", found)
    elif kind in MESSAGES:
        _check_message(value, kind, where, found)
    elif kind.startswith("enum:"):
        _check_enum(value, kind.removeprefix("enum:"), where, found)
    else:
        problem = _scalar_problem(value, kind)
        if problem:
            found.append((where, problem))


def _check_message(value: Any, message: str, where: str, found: Found) -> None:
    if not isinstance(value, dict):
        found.append((where, f"expected an object, got {_show(value)}"))
        return
    fields = MESSAGES[message]
    for key, item in value.items():
        if key in fields:
            _check(item, fields[key], _at(where, key), found)
        else:
            found.append((_at(where, key), _unknown(key, fields, f"the service's {message}")))


def _check_enum(value: Any, enum: str, where: str, found: Found) -> None:
    values = ENUMS[enum]
    if value in values:
        return
    if isinstance(value, str) and value in REFUSED.get(enum, {}):
        found.append((where, f"{value} {REFUSED[enum][value]}"))
        return
    name = where.rsplit(".", 1)[-1]
    if isinstance(value, str) and value.endswith("_UNSPECIFIED"):
        found.append((where, f"{value} means unset; the service leaves {name} out instead"))
        return
    hint = ""
    if isinstance(value, str) and value.upper() in values:
        hint = f' (did you mean "{value.upper()}"?)'
    elif isinstance(value, str) and value.lower() in values:
        hint = f' (did you mean "{value.lower()}"?)'
    listed = ", ".join(values)
    found.append((where, f"{_show(value)} is not a {name} the service sends{hint}; use {listed}"))


def _scalar_problem(value: Any, kind: str) -> str | None:
    if kind == "string" and not isinstance(value, str):
        return f"expected a string, got {_show(value)}"
    if kind == "bool" and not isinstance(value, bool):
        return f"expected true or false, got {_show(value)}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, got {_show(value)}"
    if kind == "count" and not (_is_int(value) and value >= 0):
        return f"expected a whole number (0 or more), got {_show(value)}"
    if kind == "struct" and not isinstance(value, dict):
        return f"expected an object, got {_show(value)}"
    if kind == "bytes":
        return _base64_problem(value)
    return None


def _base64_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a base64 string, got {_show(value)}"
    if STANDARD_BASE64.fullmatch(value) and len(value) % 4 == 0:
        return None
    if re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", value):
        return "uses the URL-safe base64 alphabet (- and _); the service sends standard base64"
    return "is not base64 (the service sends standard base64, padded with =)"


def check_response(body: Any, where: str = "", *, hand_written: bool = True) -> Found:
    """Problems of one GenerateContentResponse (a unary body or one stream event's).

    ``hand_written``: also hold it to rules the service keeps almost always but not always.
    """
    found: Found = []
    if isinstance(body, dict) and "error" in body:
        found.append(
            (
                _at(where, "error"),
                'an error envelope; give the fixture the error\'s HTTP "status" (e.g. 429), '
                "or answer with a GenerateContentResponse",
            )
        )
        body = {key: value for key, value in body.items() if key != "error"}
    _check_message(body, "GenerateContentResponse", where, found)
    if not isinstance(body, dict):
        return found
    candidates = body.get("candidates")
    for index, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        if isinstance(candidate, dict):
            _check_candidate(candidate, f"{_at(where, 'candidates')}[{index}]", found)
    usage = body.get("usageMetadata")
    if isinstance(usage, dict):
        found += _usage_problems(usage, _at(where, "usageMetadata"), hand_written=hand_written)
    response_id = body.get("responseId")
    if isinstance(response_id, str) and not RESPONSE_ID.fullmatch(response_id):
        found.append(
            (
                _at(where, "responseId"),
                f"{_show(response_id)} is not shaped like the service's ids (20, 22 or 23 "
                "characters of A-Z a-z 0-9 _ -)",
            )
        )
    return found


def _check_candidate(candidate: dict[str, Any], where: str, found: Found) -> None:
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    for index, part in enumerate(parts if isinstance(parts, list) else []):
        if isinstance(part, dict) and set(part) <= set(MESSAGES["Part"]):
            _check_part_data(part, f"{where}.content.parts[{index}]", found)


def _check_part_data(part: dict[str, Any], where: str, found: Found) -> None:
    data = [key for key in PART_DATA if key in part]
    if len(data) == 1:
        return
    has = f"this one has {' and '.join(data)}" if data else "this one has none"
    found.append((where, f"a part carries exactly one of {', '.join(PART_DATA)}; {has}"))


def _usage_problems(usage: dict[str, Any], where: str, *, hand_written: bool) -> Found:
    found: Found = []
    for key in OMITTED_WHEN_ZERO:
        if _is_int(usage.get(key)) and usage[key] == 0:
            found.append((_at(where, key), "is 0; the service leaves a count of 0 out"))
    total = usage.get("totalTokenCount")
    if "totalTokenCount" not in usage:
        found.append((where, "has no totalTokenCount; the service always sends it"))
    parts = {key: usage[key] for key in USAGE_SUM if key in usage}
    if _is_int(total) and all(_is_int(value) for value in parts.values()):
        added = sum(parts.values())
        if added != total:
            terms = " + ".join(f"{key} {value}" for key, value in parts.items()) or "nothing"
            found.append(
                (
                    _at(where, "totalTokenCount"),
                    f"is {total}, but {terms} = {added}; the service's total is always "
                    "prompt + candidates + thoughts + tool-use prompt",
                )
            )
    prompt, cached = usage.get("promptTokenCount", 0), usage.get("cachedContentTokenCount")
    if _is_int(prompt) and _is_int(cached) and cached > prompt:
        found.append(
            (
                _at(where, "cachedContentTokenCount"),
                f"is {cached}, more than promptTokenCount {prompt}; cached tokens are part of "
                "the prompt's",
            )
        )
    if hand_written:
        found += _details_sum(usage, where)
    return found


def _details_sum(usage: dict[str, Any], where: str) -> Found:
    """The prompt's modality details add up to the prompt (997 of 1004 recorded objects, so
    only hand-written fixtures are held to it)."""
    details, prompt = usage.get("promptTokensDetails"), usage.get("promptTokenCount", 0)
    if not isinstance(details, list) or not _is_int(prompt):
        return []
    counts = [d.get("tokenCount", 0) for d in details if isinstance(d, dict)]
    if not all(_is_int(count) for count in counts) or sum(counts) == prompt:
        return []
    message = f"add up to {sum(counts)}, but promptTokenCount is {prompt}; make them agree"
    return [(_at(where, "promptTokensDetails"), message)]


def _check_unary(body: Any, where: str, found: Found) -> None:
    """What a whole (unary) answer has that a stream event may lack."""
    if not isinstance(body, dict) or "error" in body:
        return
    for key in ("usageMetadata", "modelVersion"):
        if key not in body:
            found.append((where, f"has no {key}; the service sends it with every answer"))
    if "candidates" not in body and "promptFeedback" not in body:
        found.append((where, "has neither candidates nor promptFeedback"))
    candidates = body.get("candidates")
    for index, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        if isinstance(candidate, dict) and "finishReason" not in candidate:
            found.append(
                (
                    f"{_at(where, 'candidates')}[{index}]",
                    "has no finishReason; the service ends every answer with one (STOP, ...)",
                )
            )


# --- recorded streams -----------------------------------------------------------------------


def lint_sse(data: bytes, *, hand_written: bool = True) -> Found:
    """Problems of a ``.sse`` body: its framing, each event as a response, and their order."""
    found: Found = []
    events = parse_sse(data)
    if events and _is_stray(events[-1]):
        after = f"after event {len(events) - 1}" if len(events) > 1 else "start"
        stray = (
            f"stray bytes {events[-1][:30]!r}; the body ends with the last event's '\\r\\n\\r\\n'"
        )
        found.append((after, stray))
        events = events[:-1]
    if not events:
        return found + [("", "the stream has no events; a stream has at least one data: event")]
    bodies: list[tuple[int, dict[str, Any]]] = []
    for number, event in enumerate(events, 1):
        body = _event(event, number, found)
        if body is not None:
            bodies.append((number, body))
    for number, body in bodies:
        if "error" in body:
            found.append(
                (
                    f"event {number}",
                    "is an error; the service's streams carry none (record an error as a fixture "
                    'with "status" and the envelope in "response")',
                )
            )
            continue
        for where, message in check_response(body, hand_written=hand_written):
            found.append((f"event {number}" + (f", {where}" if where else ""), message))
    found += _stream_order(bodies, len(events))
    return found


def _is_stray(piece: bytes) -> bool:
    """Bytes after the last event that are not an event: no data, no separator."""
    return not piece.endswith((b"\r\n\r\n", b"\n\n", b"\r\r")) and not piece.startswith(b"data:")


def _event(event: bytes, number: int, found: Found) -> dict[str, Any] | None:
    """One event's JSON object, with what is wrong in its framing appended to ``found``."""
    where = f"event {number}"
    line = event.rstrip(b"\r\n")
    ending = event[len(line) :]
    if ending != SSE_SEPARATOR:
        shown = repr(ending.decode()) if ending else "nothing"
        found.append(
            (
                where,
                f"ends with {shown}; the service ends every event, the last too, "
                "with '\\r\\n\\r\\n'",
            )
        )
    problem = _line_problem(line)
    if problem:
        found.append((where, problem))
        return None
    try:
        text = line[6:].decode("utf-8")
        value = json.loads(text)
    except UnicodeDecodeError:
        found.append((where, "is not UTF-8 text"))
        return None
    except json.JSONDecodeError as exc:
        found.append((where, f"the data is not JSON: {exc.msg} (column {exc.colno + 6})"))
        return None
    if not isinstance(value, dict):
        found.append((where, f"the data is {_show(value)}, not a JSON object"))
        return None
    column = _spacing_column(text)
    if column is not None:
        found.append((where, f"{SPACING}; see column {column + 6}"))
    escaped = _escape_problem(text)
    if escaped:
        found.append((where, escaped))
    return value


def _line_problem(line: bytes) -> str | None:
    if not line:
        return "is a blank line; the service sends no blank lines between events"
    if line.startswith(b":"):
        return "is a comment; the service sends none (the Python SDK fails on comments)"
    for field in (b"event:", b"id:", b"retry:"):
        if line.startswith(field):
            return (
                f"has an {field.decode()} line; the service sends only data: lines (the JS SDK "
                "drops such events, the Python SDK fails on them)"
            )
    if line.startswith(b"data:") and not line.startswith(b"data: "):
        return "starts data: without a space; the service writes 'data: ' (the Python SDK fails)"
    if not line.startswith(b"data: "):
        return f"does not start with 'data: ' (starts {line[:20]!r})"
    if b"\n" in line or b"\r" in line:
        return "spans several lines; the service puts each event's JSON on one data: line"
    return None


def _spacing_column(text: str) -> int | None:
    """Where (1-based) ``text`` is spaced unlike ``json.dumps(separators=(",", ": "))``."""
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == ":" and (
            text[index + 1 : index + 2] != " " or text[index + 2 : index + 3] == " "
        ):
            return index + 1
        elif char.isspace() and text[index - 1 : index] != ":":
            return index + 1
    return None


def _escape_problem(text: str) -> str | None:
    """The service writes non-ASCII raw and escapes only ``<`` and ``>``
    (docs/evidence.md#service-serialisation)."""
    if "<" in text or ">" in text:
        return "has a raw < or >; the service escapes them inside strings as \\u003c and \\u003e"
    for match in re.finditer(r"(\\+)u([0-9a-fA-F]{4})", text):
        if len(match.group(1)) % 2 == 1 and int(match.group(2), 16) >= 0x80:
            return f"escapes non-ASCII text ({match.group(0)[-6:]}); the service sends it as UTF-8"
    return None


def _stream_order(bodies: list[tuple[int, dict[str, Any]]], count: int) -> Found:
    """Per-stream rules (docs/evidence.md#service-stream-chunks, all 115 recorded streams): every
    event carries usage, model version and the same response id; finishReason (and finishMessage)
    only the last."""
    found: Found = []
    first_id: tuple[int, Any] | None = None
    for number, body in bodies:
        if "error" in body:
            continue
        where = f"event {number}"
        for key in ("usageMetadata", "modelVersion", "responseId"):
            if key not in body:
                found.append((where, f"has no {key}; the service sends it in every event"))
        if "responseId" in body:
            first_id = first_id or (number, body["responseId"])
            if body["responseId"] != first_id[1]:
                found.append(
                    (
                        f"{where}, responseId",
                        f"differs from event {first_id[0]}'s; every event of a stream carries "
                        "the same id",
                    )
                )
        found += _finish_placement(body, where, last=number == count)
    return found


def _finish_placement(body: dict[str, Any], where: str, *, last: bool) -> Found:
    found: Found = []
    candidates = body.get("candidates")
    for index, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        if not isinstance(candidate, dict):
            continue
        at = f"{where}, candidates[{index}]"
        if last and "finishReason" not in candidate:
            found.append(
                (
                    at,
                    "the last event has no finishReason; the service ends every stream with one "
                    "(and the SDKs drop a streamed chat turn without it)",
                )
            )
        for key in ("finishReason", "finishMessage"):
            if not last and key in candidate:
                found.append((f"{at}.{key}", "before the last event; the service sends it last"))
    return found


# --- fixture files --------------------------------------------------------------------------


def lint_fixture(path: Path) -> list[Problem]:
    """Every problem of one fixture file and of the ``.sse`` file it names."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(path, "", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8")]
    except OSError as exc:
        return [Problem(path, "", f"cannot be read: {exc.strerror or exc}")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return [Problem(path, where, f"not valid JSON: {exc.msg}")]
    problems: list[Problem] = []
    try:
        parse(text, path.stem, str(path), directory=path.parent)
    except FixtureError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        problems.append(Problem(path, "", f"the fake cannot load it: {reason}"))
    if not isinstance(data, dict):
        return problems
    problems += [Problem(path, where, message) for where, message in _fixture(data)]
    sse = _sse_path(path, data)
    if sse is not None:
        problems += _lint_sse_file(sse, hand_written="recorded" not in data)
    return problems


def _lint_sse_file(path: Path, *, hand_written: bool) -> list[Problem]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [Problem(path, "", f"cannot be read: {exc.strerror or exc}")]
    return [
        Problem(path, where, message)
        for where, message in lint_sse(data, hand_written=hand_written)
    ]


def _fixture(data: dict[str, Any]) -> Found:
    found: Found = []
    for key in data:
        if key not in FIXTURE_KEYS:
            found.append((key, _unknown(key, FIXTURE_KEYS, "a fixture")))
    if "description" in data and not isinstance(data["description"], str):
        found.append(("description", f"expected a string, got {_show(data['description'])}"))
    if "answer" in data:
        found += _answer(data["answer"])
    status = data.get("status", 200)
    if not _is_int(status):
        return found  # the fake's own refusal (reported above) says what "status" takes
    if status != 200:
        return found + _recorded_error(data, status)
    if "response" in data:
        hand_written = "recorded" not in data
        found += check_response(data["response"], "response", hand_written=hand_written)
        _check_unary(data["response"], "response", found)
    return found


def _answer(answer: Any) -> Found:
    if not isinstance(answer, dict):
        return [("answer", f'expected an object such as {{"text": "..."}}, got {_show(answer)}')]
    found: Found = []
    for key, value in answer.items():
        where = _at("answer", key)
        if key not in ANSWER_KEYS:
            found.append((where, _unknown(key, ANSWER_KEYS, "an answer")))
        elif key in ("text", "thoughts") and not isinstance(value, str):
            if key == "text" or value is not None:
                found.append((where, f"expected a string, got {_show(value)}"))
        elif key == "functionCalls":
            found += _function_calls(value, where)
    return found


def _function_calls(calls: Any, where: str) -> Found:
    """Each call goes into the answer as it is, so it is held to the service's functionCall."""
    if not isinstance(calls, list):
        return [(where, f'expected a list of {{"name": ..., "args": {{...}}}}, got {_show(calls)}')]
    found: Found = []
    for index, call in enumerate(calls):
        at = f"{where}[{index}]"
        _check_message(call, "FunctionCall", at, found)
        if isinstance(call, dict) and not isinstance(call.get("name"), str):
            found.append((at, "has no name; every function call names its function"))
        if isinstance(call, dict) and "args" not in call:
            found.append((at, 'has no args; the service sends "args": {} for a call without any'))
    return found


def _recorded_error(data: dict[str, Any], status: int) -> Found:
    found: Found = []
    for kind in ("answer", "sse"):
        if kind in data:
            found.append(
                (kind, f'with "status" {status} the answer is the error envelope in "response"')
            )
    if "response" in data:
        found += _envelope(data["response"], status)
    return found


def _envelope(response: Any, status: int) -> Found:
    """A Google error envelope: ``{"error": {"code", "message", "status"[, "details"]}}``."""
    shape = '{"error": {"code": ..., "message": ..., "status": ...}}'
    if not isinstance(response, dict) or not isinstance(response.get("error"), dict):
        return [("response", f'with "status" {status} this is an error envelope, {shape}')]
    found: Found = []
    for key in response:
        if key != "error":
            found.append(
                (_at("response", key), 'unknown field; an error envelope has only "error"')
            )
    error = response["error"]
    for key in error:
        if key not in ERROR_KEYS:
            found.append((f"response.error.{key}", _unknown(key, ERROR_KEYS, "an error")))
    for key in ("code", "message", "status"):
        if key not in error:
            found.append(("response.error", f"has no {key}; the service's errors always have one"))
    code, name = error.get("code"), error.get("status")
    if "code" in error and not _is_int(code):
        found.append(("response.error.code", f"expected a whole number, got {_show(code)}"))
    elif _is_int(code) and code != status:
        found.append(
            (
                "response.error.code",
                f'is {code}, but the fixture\'s "status" is {status}; the service sends its '
                "error's code as the HTTP status, so make them the same",
            )
        )
    if "message" in error and not isinstance(error["message"], str):
        found.append(
            ("response.error.message", f"expected a string, got {_show(error['message'])}")
        )
    if "status" in error:
        found += _error_status(name, status)
    if "details" in error:
        found += _details(error["details"])
    return found


def _error_status(name: Any, code: int) -> Found:
    """A problem unless ``name`` is the canonical status sent with HTTP status ``code``."""
    where = "response.error.status"
    if name not in ERROR_STATUSES:
        listed = ", ".join(ERROR_STATUSES)
        return [(where, f"{_show(name)} is not a status the service sends; use one of {listed}")]
    if name == "UNKNOWN" or ERROR_STATUSES[name] == code:
        return []
    fitting = [status for status, http in ERROR_STATUSES.items() if http == code]
    instead = f"for {code} use {' or '.join(fitting)}" if fitting else "change one of them"
    http = ERROR_STATUSES[name]
    return [(where, f"{name} is sent with HTTP status {http}, not {code}; {instead}")]


def _details(details: Any) -> Found:
    if not isinstance(details, list):
        return [("response.error.details", f"expected a list, got {_show(details)}")]
    found: Found = []
    for index, detail in enumerate(details):
        kind = detail.get("@type") if isinstance(detail, dict) else None
        if not (isinstance(kind, str) and kind.startswith(DETAIL_TYPE_PREFIX)):
            found.append(
                (
                    f"response.error.details[{index}]",
                    'each detail is an object naming its type in "@type", e.g. '
                    '"type.googleapis.com/google.rpc.RetryInfo"',
                )
            )
    return found


def _sse_path(path: Path, data: dict[str, Any]) -> Path | None:
    """The ``.sse`` file the fixture names, if it can be read (else the fake said why)."""
    name = data.get("sse")
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        return None
    sse = path.parent / name
    return sse if sse.is_file() else None


# --- directories and the command ------------------------------------------------------------


def fixture_files(directory: Path) -> list[Path]:
    """The fixtures the fake would load from ``directory``: its ``*.json`` files, by name."""
    return sorted(directory.glob("*.json"), key=lambda path: path.name)


def lint_directories(paths: Iterable[Path]) -> list[Problem]:
    """Every problem of every fixture in ``paths``; a missing directory raises."""
    problems: list[Problem] = []
    for directory in paths:
        if not directory.is_dir():
            raise FileNotFoundError(f"fixture directory {directory} does not exist")
        for path in fixture_files(directory):
            problems += lint_fixture(path)
    return list(dict.fromkeys(problems))  # a .sse file two fixtures name is reported once


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def main(paths: Sequence[Path], out: TextIO) -> int:
    """Lint ``paths`` and print the problems and a summary: 0 clean, 1 problems, 2 unusable."""
    if not paths:
        print("gemini-fake lint: give one or more fixture directories", file=out)
        return 2
    missing = [path for path in paths if not path.is_dir()]
    for path in missing:
        print(f"gemini-fake lint: {path} is not a directory", file=out)
    if missing:
        return 2
    problems = lint_directories(paths)
    for problem in problems:
        print(problem, file=out)
    checked = sum(len(fixture_files(path)) for path in paths)
    print(f"{_plural(checked, 'fixture')} checked, {_plural(len(problems), 'problem')}", file=out)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main([Path(arg) for arg in sys.argv[1:]], sys.stdout))
