"""The error catalogue of ``docs/errors.md``, case by case, over HTTP against the target.

Every row of the catalogue's table has a case here, named by the row's first cell (a test
checks that the two lists agree, so a new row needs a new case). Each case sends the request
that causes the error and checks what comes back: the HTTP status; the Google envelope
``{"error": {"code", "message", "status", "details"?}}`` with the keys in that order, the code
equal to the HTTP status, the documented status string and message (and ``details`` types);
and the service's serialisation (two-space indented, a final newline, ``<``/``>`` escaped,
``Content-Type: application/json; charset=UTF-8``). gemini_ref must read each one into the
typed error of its status family, with the same status and message.

Cases that need the fake configured (its accepted keys, strict mode) skip on a URL target.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance._target import Target
from gemini_ref import errors

DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
FLASH = "/v1beta/models/gemini-2.5-flash:generateContent"
TYPE = "type.googleapis.com/google.rpc."
RANGE = (
    "Unable to submit request because it has a {name} value of {value} but the supported range "
    "is from {low} (inclusive) to {high} (exclusive). Update the value and try again."
)
UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). Please "
    "use API Key or other form of API consumer identity to call this API."
)


def hi(text: str = "Hi") -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": "user"}


def call(name: str, **parts: Any) -> dict[str, Any]:
    return {"functionCall": {"name": name, "args": {}}, **parts}


def response(name: str) -> dict[str, Any]:
    return {"functionResponse": {"name": name, "response": {"result": "ok"}}}


def configured(**generation_config: Any) -> dict[str, Any]:
    return {"contents": [hi()], "generationConfig": generation_config}


@dataclass(frozen=True)
class Case:
    """One row of the catalogue: the request that causes it and what must come back."""

    row: str  # the row's first cell in docs/errors.md
    id: str
    code: int
    status: str
    message: str | re.Pattern[str]
    body: Any = None  # JSON
    raw: bytes | None = None  # a body that is not JSON
    method: str = "POST"
    path: str = FLASH
    key: bool = True
    details: tuple[str, ...] = ()  # the @type of each detail, after type.googleapis.com/google.rpc.
    fake: dict[str, Any] = field(default_factory=dict)  # FakeConfig fields it needs


def out_of_range(row: str, id: str, name: str, value: float, low: float, high: float) -> Case:
    """A ``generationConfig`` field outside its range: a 400 with the service's range message."""
    message = RANGE.format(name=name, value=value, low=low, high=high)
    return Case(row, id, 400, "INVALID_ARGUMENT", message, body=configured(**{name: value}))


CASES = [
    Case(
        "no key (`x-goog-api-key` header or `?key=`)",
        "no-key",
        403,
        "PERMISSION_DENIED",
        UNREGISTERED,
        body={"contents": [hi()]},
        key=False,
    ),
    Case(
        "key not among `--api-key`",
        "unknown-key",
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        body={"contents": [hi()]},
        details=("ErrorInfo", "LocalizedMessage"),
        fake={"api_keys": frozenset({"the-only-key"})},
    ),
    Case(
        "malformed JSON",
        "malformed-json",
        400,
        "INVALID_ARGUMENT",
        "Invalid JSON payload received. Expected , or } after key:value pair.\n"
        's": [{"text": "Hi"}]]}\n' + " " * 20 + "^",
        raw=b'{"contents": [{"parts": [{"text": "Hi"}]]}',
        details=("BadRequest",),
    ),
    Case(
        "unknown field",
        "unknown-field",
        400,
        "INVALID_ARGUMENT",
        "Invalid JSON payload received. Unknown name \"x\" at 'contents[0]': Cannot find field.",
        body={"contents": [{"parts": [{"text": "Hi"}], "x": 1}]},
        details=("BadRequest",),
    ),
    Case(
        "wrong JSON type",
        "wrong-type",
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\"",
        body=configured(temperature="hot"),
        details=("BadRequest",),
    ),
    Case(
        "unknown model, or a model without the method",
        "unknown-model",
        404,
        "NOT_FOUND",
        "models/gemini-nope is not found for API version v1beta, or is not supported for "
        "generateContent. Call ModelService.ListModels to see the list of available models and "
        "their supported methods.",
        body={"contents": [hi()]},
        path="/v1beta/models/gemini-nope:generateContent",
    ),
    Case(
        "over 100 requests in a `batchEmbedContents`",
        "embed-batch-too-big",
        400,
        "INVALID_ARGUMENT",
        "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n",
        body={"requests": [{"content": hi("x")}] * 101},
        path="/v1beta/models/gemini-embedding-001:batchEmbedContents",
    ),
    Case(
        "empty or missing `contents`",
        "empty-contents",
        400,
        "INVALID_ARGUMENT",
        "* GenerateContentRequest.contents: contents is not specified\n",
        body={"contents": []},
    ),
    Case(
        "role other than `user`/`model`",
        "bad-role",
        400,
        "INVALID_ARGUMENT",
        "Please use a valid role: user, model.",
        body={"contents": [{"parts": [{"text": "Hi"}], "role": "system"}]},
    ),
    Case(
        "a turn with no parts",
        "no-parts",
        400,
        "INVALID_ARGUMENT",
        "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n",
        body={"contents": [hi(), {"parts": [], "role": "model"}]},
    ),
    Case(
        "a part with no data",
        "part-without-data",
        400,
        "INVALID_ARGUMENT",
        "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must "
        "have one initialized field\n",
        body={"contents": [{"parts": [{}], "role": "user"}]},
    ),
    out_of_range("`temperature` outside [0, 2]", "temperature", "temperature", 3, 0, 2.0001),
    out_of_range("`topP` outside [0, 1]", "top-p", "topP", 1.5, 0, 1.0001),
    out_of_range("`topK` outside [1, the model's topK]", "top-k", "topK", 65, 1, 65),
    out_of_range("`candidateCount` outside [1, 8]", "candidate-count", "candidateCount", 9, 1, 9),
    out_of_range(
        "`maxOutputTokens` outside [1, the model's output limit]",
        "max-output-tokens",
        "maxOutputTokens",
        70000,
        1,
        65537,
    ),
    Case(
        "`thinkingBudget` 0 on 2.5 Pro",
        "budget-zero-on-pro",
        400,
        "INVALID_ARGUMENT",
        "Budget 0 is invalid. This model only works in thinking mode.",
        body=configured(thinkingConfig={"thinkingBudget": 0}),
        path="/v1beta/models/gemini-2.5-pro:generateContent",
    ),
    Case(
        "`thinkingBudget` outside the model's range (Pro 128–32768, Flash 1–24576, Flash-Lite "
        "512–24576; `-1` and, but for Pro, `0` always allowed)",
        "budget-out-of-range",
        400,
        "INVALID_ARGUMENT",
        "The thinking budget (30000) is invalid.",
        body=configured(thinkingConfig={"thinkingBudget": 30000}),
    ),
    Case(
        "both `thinkingBudget` and `thinkingLevel`",
        "budget-and-level",
        400,
        "INVALID_ARGUMENT",
        "You can only set only one of thinking budget and thinking level.",
        body=configured(thinkingConfig={"thinkingBudget": 1024, "thinkingLevel": "LOW"}),
    ),
    Case(
        "`thinkingLevel` on a model without levels (2.5, 2.0)",
        "level-without-levels",
        400,
        "INVALID_ARGUMENT",
        "Thinking level is not supported for this model.",
        body=configured(thinkingConfig={"thinkingLevel": "LOW"}),
    ),
    Case(
        "unsupported `responseMimeType`",
        "response-mime-type",
        400,
        "INVALID_ARGUMENT",
        "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are "
        "`text/plain`, `application/json`, `application/xml`, `application/yaml` and "
        "`text/x.enum`.\n",
        body=configured(responseMimeType="text/csv"),
    ),
    Case(
        "unsupported inline MIME type",
        "inline-mime-type",
        400,
        "INVALID_ARGUMENT",
        "Unsupported MIME type: bad/mime",
        body={"contents": [{"parts": [{"inlineData": {"mimeType": "bad/mime", "data": "aGk="}}]}]},
    ),
    Case(
        "image bytes that are not an image of their MIME type (corrupt, truncated, mislabelled),"
        " inline or uploaded",
        "not-an-image",
        400,
        "INVALID_ARGUMENT",
        "Provided image is not valid.",
        body={
            "contents": [{"parts": [{"inlineData": {"mimeType": "image/png", "data": "aGVsbG8="}}]}]
        },
    ),
    Case(
        "a function call turn not right after a user turn (runs of same-role turns count as one)",
        "call-not-after-user",
        400,
        "INVALID_ARGUMENT",
        "Please ensure that function call turn comes immediately after a user turn or after a "
        "function response turn.",
        body={"contents": [{"parts": [call("f")], "role": "model"}, hi()]},
    ),
    Case(
        "function responses not right after a function call turn",
        "response-not-after-call",
        400,
        "INVALID_ARGUMENT",
        "Please ensure that function response turn comes immediately after a function call turn.",
        body={"contents": [hi(), {"parts": [response("f")], "role": "user"}]},
    ),
    Case(
        "fewer or more responses than calls",
        "responses-and-calls",
        400,
        "INVALID_ARGUMENT",
        "Please ensure that the number of function response parts is equal to the number of "
        "function call parts of the function call turn.",
        body={
            "contents": [
                hi(),
                {"parts": [call("f")], "role": "model"},
                {"parts": [response("f"), response("f")], "role": "user"},
            ]
        },
    ),
    Case(
        "Gemini 3: a function call of the current turn without its `thoughtSignature` (the "
        "first of parallel calls carries it)",
        "unsigned-call",
        400,
        "INVALID_ARGUMENT",
        "Function call is missing a thought_signature in functionCall parts. This is required "
        "for tools to work correctly, and missing thought_signature may lead to degraded model "
        "performance. Additional data, function call `default_api:get_weather` , position 2. "
        "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more "
        "details.",
        body={
            "contents": [
                hi("Weather in Boston?"),
                {"parts": [call("get_weather")], "role": "model"},
                {"parts": [response("get_weather")], "role": "user"},
            ]
        },
        path="/v1beta/models/gemini-3-pro-preview:generateContent",
    ),
    Case(
        "`thinkingLevel` the model does not take",
        "level-not-taken",
        400,
        "INVALID_ARGUMENT",
        "Thinking level MINIMAL is not supported for this model. Please retry with other "
        "thinking level.",
        body=configured(thinkingConfig={"thinkingLevel": "MINIMAL"}),
        path="/v1beta/models/gemini-3-pro-preview:generateContent",
    ),
    Case(
        "unknown path or HTTP method",
        "unknown-path",
        404,
        "NOT_FOUND",
        "Method not found.",
        method="GET",
        path="/v1beta/no/such/path",
    ),
    Case(
        "no fixture matches, `--strict`",
        "strict-miss",
        400,
        "FAILED_PRECONDITION",
        re.compile(r"gemini-fake \(strict\): no fixture matches this generateContent request "),
        body={"contents": [hi("A prompt no fixture answers.")]},
        fake={"strict": True, "default_fixtures": False},
    ),
]

# Not rows of the table, but errors every client meets: a file that is not there
# (docs/files.md), and the other two methods' wording of the unknown model.
MORE = [
    Case(
        "",
        "missing-file",
        403,
        "PERMISSION_DENIED",
        "You do not have permission to access the File nosuchfile or it may not exist.",
        method="GET",
        path="/v1beta/files/nosuchfile",
    ),
    Case(
        "",
        "unknown-model-count-tokens",
        404,
        "NOT_FOUND",
        "models/gemini-nope is not found for API version v1, or is not supported for "
        "countTokens. Call ModelService.ListModels to see the list of available models and "
        "their supported methods.",
        body={"contents": [hi()]},
        path="/v1/models/gemini-nope:countTokens",
    ),
    Case(
        "",
        "unknown-method",
        404,
        "NOT_FOUND",
        "Method not found.",
        method="DELETE",
        path="/v1beta/models",
    ),
]


def documented_rows() -> list[str]:
    """The first cell of every row of the catalogue's table."""
    rows = []
    for line in DOCS.read_text("utf-8").splitlines():
        if line.startswith("| ") and not line.startswith(("| case |", "|---")):
            rows.append(line[2:].split(" | ", 1)[0])
    return rows


@pytest.mark.skipif(not DOCS.exists(), reason="docs/errors.md is not here")
def test_every_row_of_the_catalogue_has_a_case_and_every_case_a_row() -> None:
    rows = documented_rows()
    cased = [case.row for case in CASES]

    assert [r for r in rows if r not in cased] == [], "rows of docs/errors.md without a case"
    assert [c for c in cased if c not in rows] == [], "cases naming no row of docs/errors.md"


def pretty(envelope: Any) -> bytes:
    text = json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"
    return text.replace("<", "\\u003c").replace(">", "\\u003e").encode()


FAMILIES = {
    400: errors.BadRequestError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES + MORE])
def test_the_error_comes_back_as_documented(case: Case, target: Target) -> None:
    if case.fake:
        target.configure(**case.fake)
    headers = {"x-goog-api-key": target.api_key} if case.key else {}
    if case.raw is not None:
        headers["content-type"] = "application/json"
    http = target.http(headers=headers)

    reply = http.request(case.method, case.path, json=case.body, content=case.raw)

    assert reply.status_code == case.code, reply.text
    assert reply.headers["content-type"] == "application/json; charset=UTF-8"
    envelope = reply.json()
    assert list(envelope) == ["error"]
    error = envelope["error"]
    assert list(error) == ["code", "message", "status", "details"][: len(error)]
    assert (error["code"], error["status"]) == (case.code, case.status)
    if isinstance(case.message, str):
        assert error["message"] == case.message
    else:
        assert case.message.match(error["message"]), error["message"]
    assert [d["@type"].removeprefix(TYPE) for d in error.get("details", [])] == list(case.details)
    assert reply.content == pretty(envelope), "serialised as the service serialises"

    read = errors.error_from_response(reply)
    assert isinstance(read, FAMILIES[case.code])
    assert (read.code, read.status, read.message) == (case.code, case.status, error["message"])
    assert read.details == error.get("details", [])
