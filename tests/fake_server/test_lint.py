"""``gemini-fake lint``: the fake's own answers pass, planted faults are named and explained."""

from __future__ import annotations

import base64
import copy
import enum
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.genai import types

from fake_server.fixtures.lint import Problem, lint_directories, lint_fixture, main
from fake_server.model.images import encode_png
from fake_server.protocol.messages import ENUMS, MESSAGES, sent_fields, sent_values

SHIPPED = Path(__file__).parents[2] / "fake_server" / "fixtures" / "data"
PNG = base64.b64encode(encode_png(4, 4, bytes(range(16)))).decode()
WEATHER_TOOL = {
    "functionDeclarations": [
        {
            "name": "get_weather",
            "description": "Get the weather in a city",
            "parameters": {
                "type": "OBJECT",
                "properties": {"city": {"type": "STRING"}},
                "required": ["city"],
            },
        }
    ]
}


def ask(text: str, **extra: Any) -> dict[str, Any]:
    return {"contents": [{"parts": [{"text": text}]}], **extra}


# Requests that make the fake use each shape it has: thoughts, signatures, 2.0's avgLogprobs and
# candidatesTokensDetails, MAX_TOKENS while thinking, several candidates, function calls, JSON,
# an image in the prompt.
ANSWERS = {
    "2.5-plain": ("gemini-2.5-flash", ask("How does AI work?")),
    "2.5-thoughts": (
        "gemini-2.5-flash",
        ask("Why is the sky blue?", generationConfig={"thinkingConfig": {"includeThoughts": True}}),
    ),
    "2.0-plain": ("gemini-2.0-flash", ask("Why is the sky blue?")),
    "3-signed": ("gemini-3-pro-preview", ask("Why is the sky blue?")),
    "out-of-tokens-while-thinking": (
        "gemini-2.5-pro",
        ask("Why is the sky blue?", generationConfig={"maxOutputTokens": 5}),
    ),
    "three-candidates": (
        "gemini-2.5-flash",
        ask("Name a colour", generationConfig={"candidateCount": 3}),
    ),
    "function-call": (
        "gemini-2.5-flash",
        ask("What is the weather in Paris?", tools=[WEATHER_TOOL]),
    ),
    "2.0-function-calls": (
        "gemini-2.0-flash",
        ask(
            "What is the weather in Paris?",
            tools=[WEATHER_TOOL],
            generationConfig={"candidateCount": 2},
        ),
    ),
    "json-mode": (
        "gemini-2.5-flash",
        ask("List three colours", generationConfig={"responseMimeType": "application/json"}),
    ),
    "image-prompt": (
        "gemini-2.5-flash",
        {
            "contents": [
                {
                    "parts": [
                        {"inlineData": {"mimeType": "image/png", "data": PNG}},
                        {"text": "Describe this image"},
                    ]
                }
            ]
        },
    ),
}


def write(directory: Path, name: str, fixture: Any) -> Path:
    path = directory / f"{name}.json"
    path.write_text(json.dumps(fixture, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_stream(directory: Path, name: str, events: bytes, **fixture: Any) -> Path:
    (directory / f"{name}.sse").write_bytes(events)
    return write(
        directory, name, {"match": {"lastUserText": name}, "sse": f"{name}.sse", **fixture}
    )


def found(problems: list[Problem]) -> list[tuple[str, str, str]]:
    """(file name, where, message) of each problem, for comparing without tmp paths."""
    return [(p.file.name, p.where, p.message) for p in problems]


def where_of(problems: list[Problem]) -> list[str]:
    return [p.where for p in problems]


def event(obj: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ": ")).encode() + b"\r\n\r\n"


# A hand-written fixture as a user would write it from docs/evidence.md#service-response-shape; the
# faults are planted into copies of it.
GOOD_RESPONSE: dict[str, Any] = {
    "candidates": [
        {
            "content": {"parts": [{"text": "Hello there."}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 12,
        "candidatesTokenCount": 3,
        "totalTokenCount": 40,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}],
        "thoughtsTokenCount": 25,
    },
    "modelVersion": "gemini-2.5-flash",
    "responseId": "bzlXaa_EE_aHqtsPi_zw8Ao",
}


def planted(tmp_path: Path, change: Any) -> list[Problem]:
    """Lint a copy of GOOD_RESPONSE after ``change(response)`` has planted a fault in it."""
    response = copy.deepcopy(GOOD_RESPONSE)
    change(response)
    return lint_fixture(write(tmp_path, "planted", {"match": {}, "response": response}))


# --- what lints clean -----------------------------------------------------------------------


def test_the_shipped_fixtures_lint_clean() -> None:
    assert len(list(SHIPPED.glob("*.json"))) >= 10
    assert lint_directories([SHIPPED]) == []


def test_the_well_formed_example_lints_clean(tmp_path: Path) -> None:
    assert planted(tmp_path, lambda response: None) == []


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_a_fixture_holding_the_fakes_own_answer_lints_clean(
    client: httpx.Client, tmp_path: Path, case: str
) -> None:
    model, request = ANSWERS[case]
    response = client.post(f"/v1beta/models/{model}:generateContent", json=request)
    assert response.status_code == 200, response.text
    fixture = {"match": {"model": model}, "response": response.json()}
    assert lint_fixture(write(tmp_path, case, fixture)) == []


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_a_stream_the_fake_sent_lints_clean(
    client: httpx.Client, tmp_path: Path, case: str
) -> None:
    model, request = ANSWERS[case]
    url = f"/v1beta/models/{model}:streamGenerateContent?alt=sse"
    response = client.post(url, json=request)
    assert response.status_code == 200, response.text
    assert lint_fixture(write_stream(tmp_path, case, response.content)) == []


def test_a_recorded_error_of_the_fake_lints_clean(client: httpx.Client, tmp_path: Path) -> None:
    response = client.post("/v1beta/models/gemini-0-nope:generateContent", json=ask("Hi"))
    assert response.status_code == 404
    fixture = {
        "description": "An unknown model.",
        "recorded": {"at": "2026-01-01T00:00:00Z", "status": 404},
        "match": {"model": "gemini-0-nope"},
        "sequence": 1,
        "status": 404,
        "response": response.json(),
    }
    assert lint_fixture(write(tmp_path, "unknown-model", fixture)) == []


def test_a_quota_error_with_details_lints_clean(tmp_path: Path) -> None:
    retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "48s"}
    error = {"code": 429, "message": "Quota.", "status": "RESOURCE_EXHAUSTED", "details": [retry]}
    fixture = {"match": {}, "status": 429, "response": {"error": error}}
    assert lint_fixture(write(tmp_path, "quota", fixture)) == []


# Shapes quoted from recordings (docs/evidence.md#service-response-shape): the linter must take
# every one of them.
REAL_SHAPES: dict[str, dict[str, Any]] = {
    "safety-block-1.5": {
        "candidates": [
            {
                "content": {},
                "finishReason": "SAFETY",
                "safetyRatings": [
                    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
                    {"blocked": True, "category": "HARM_CATEGORY_HARASSMENT", "probability": "LOW"},
                ],
            }
        ],
        "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9},
        "modelVersion": "gemini-1.5-flash",
    },
    "prompt-blocked": {
        "promptFeedback": {
            "blockReason": "SAFETY",
            "safetyRatings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}
            ],
        },
        "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5},
        "modelVersion": "gemini-2.0-flash",
    },
    "2.0-with-citations": {
        "candidates": [
            {
                "content": {"parts": [{"text": "def f(): ..."}], "role": "model"},
                "finishReason": "STOP",
                "citationMetadata": {
                    "citationSources": [
                        {"startIndex": 548, "endIndex": 690, "uri": "https://x", "license": "mit"},
                        {"startIndex": 1942, "endIndex": 2149},
                    ]
                },
                "avgLogprobs": -0.16834642205919539,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 8,
            "candidatesTokenCount": 20,
            "totalTokenCount": 28,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 20}],
        },
        "modelVersion": "gemini-2.0-flash",
        "responseId": "w1peaMz6INOvnvgPgYfPiQY",
    },
    "grounded-search": {
        "candidates": [
            {
                "content": {"parts": [{"text": "Spain won."}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
                "groundingMetadata": {
                    "webSearchQueries": ["euro 2024 winner"],
                    "searchEntryPoint": {"renderedContent": "<style>...</style>"},
                    "groundingChunks": [{"web": {"uri": "https://v", "title": "uefa.com"}}],
                    "groundingSupports": [
                        {
                            "segment": {"endIndex": 10, "text": "Spain won."},
                            "groundingChunkIndices": [0],
                        }
                    ],
                },
                "urlContextMetadata": {
                    "urlMetadata": [
                        {
                            "retrievedUrl": "https://example.com",
                            "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS",
                        }
                    ]
                },
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 10,
            "candidatesTokenCount": 4,
            "totalTokenCount": 64,
            "cachedContentTokenCount": 6,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
            "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 6}],
            "toolUsePromptTokenCount": 30,
            "toolUsePromptTokensDetails": [{"modality": "TEXT", "tokenCount": 30}],
            "thoughtsTokenCount": 20,
            "serviceTier": "standard",
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "bzlXaa_EE_aHqtsPi_zw8Ao",
    },
    "function-call-3": {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {
                            "functionCall": {"name": "f", "args": {}, "id": "gjl2yj5t"},
                            "thoughtSignature": "CiQBjz1rX+/wAA==",
                        },
                        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
                        {"inlineData": {"mimeType": "image/png", "data": PNG}},
                    ],
                    "role": "model",
                },
                "finishReason": "STOP",
                "index": 0,
                "finishMessage": "Model generated function call(s).",
            }
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
        "modelVersion": "gemini-3-pro-preview",
        "responseId": "abcdefghijABCDEFGHIJ",
    },
}


@pytest.mark.parametrize("case", sorted(REAL_SHAPES))
def test_shapes_the_real_service_sent_lint_clean(tmp_path: Path, case: str) -> None:
    fixture = {"match": {}, "response": REAL_SHAPES[case]}
    assert lint_fixture(write(tmp_path, case, fixture)) == []


def test_the_recorded_sse_example_lints_clean(tmp_path: Path) -> None:
    # docs/evidence.md#service-sse-framing, byte for byte, then a last event as the service ends a
    # stream.
    first = (
        b'data: {"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"}}],'
        b'"usageMetadata": {"promptTokenCount": 15,"totalTokenCount": 15,"promptTokensDetails":'
        b' [{"modality": "TEXT","tokenCount": 15}]},"modelVersion": "gemini-2.0-flash-exp",'
        b'"responseId": "w1peaMz6INOvnvgPgYfPiQY"}\r\n\r\n'
    )
    last = first.replace(b'"role": "model"}}', b'"role": "model"},"finishReason": "STOP"}')
    assert lint_fixture(write_stream(tmp_path, "recorded", first + last)) == []


def _answer_enums() -> set[str]:
    """The enums reachable from GenerateContentResponse through the fields answers carry."""
    seen: set[str] = set()
    enums: set[str] = set()
    todo = ["GenerateContentResponse"]
    while todo:
        message = todo.pop()
        if message in seen:
            continue
        seen.add(message)
        for kind in sent_fields(message).values():
            base = kind.removesuffix("[]")
            if base.startswith("enum:"):
                enums.add(base.removeprefix("enum:"))
            elif base in MESSAGES:
                todo.append(base)
    return enums


def test_the_enum_values_are_ones_the_official_sdk_knows() -> None:
    sdk: dict[str, type[enum.Enum]] = {
        "FinishReason": types.FinishReason,
        "MediaModality": types.MediaModality,
        "BlockReason": types.BlockedReason,
        "HarmCategory": types.HarmCategory,
        "HarmProbability": types.HarmProbability,
        "UrlRetrievalStatus": types.UrlRetrievalStatus,
        "Language": types.Language,
        "Outcome": types.Outcome,
        "ToolType": types.ToolType,
        "ModelStage": types.ModelStage,
    }
    assert _answer_enums() == set(sdk)
    for name in sdk:
        assert set(sent_values(name)) <= {member.value for member in sdk[name]}, name


def test_every_kind_in_the_message_table_is_defined() -> None:
    scalars = (
        "string", "bool", "int32", "int64", "count", "float", "double", "bytes", "value", "struct"
    )  # fmt: skip
    for fields in MESSAGES.values():
        for kind in fields.values():
            base = kind.removesuffix("[]").removeprefix("map:")
            assert base in MESSAGES or base in scalars or base.removeprefix("enum:") in ENUMS


def test_every_enum_starts_with_its_unset_placeholder() -> None:
    for name, values in ENUMS.items():
        assert values[0].endswith("UNSPECIFIED"), name


# --- planted faults: the fixture file -------------------------------------------------------


def test_unloadable_json_is_a_problem_naming_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "answer": {"text": "hi"\n', encoding="utf-8")
    [problem] = lint_fixture(path)
    assert problem.where == "line 3 column 1"
    assert problem.message.startswith("not valid JSON: Expecting ',' delimiter")
    assert str(problem) == f"{path}:line 3 column 1: {problem.message}"


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"answer": {"text": "café"}}'.encode("latin-1"))
    assert found(lint_fixture(path)) == [
        ("latin1.json", "", "is not UTF-8 text (byte 24); save it as UTF-8")
    ]


def test_a_fixture_the_fake_refuses_says_why(tmp_path: Path) -> None:
    path = write(tmp_path, "two-answers", {"answer": {"text": "a"}, "response": GOOD_RESPONSE})
    [problem] = lint_fixture(path)
    assert problem.where == ""
    assert problem.message.startswith("the fake cannot load it: give exactly one of")
    assert str(problem) == f"{path}: {problem.message}"


def test_unknown_keys_of_the_fixture_and_its_answer(tmp_path: Path) -> None:
    fixture = {"match": {}, "answr": {}, "answer": {"text": "hi", "function_calls": []}}
    known = "description, match, answer, response, sse, streaming, status, sequence, recorded"
    assert found(lint_fixture(write(tmp_path, "typos", fixture))) == [
        (  # the fake refuses an unknown key; the lint says where
            "typos.json",
            "",
            f"the fake cannot load it: 'answr': unknown field; a fixture has only {known}, "
            "afterLast, files",
        ),
        (
            "typos.json",
            "answr",
            "unknown field; a fixture has only description, match, answer, response, sse, "
            "streaming, status, sequence, recorded, afterLast, files",
        ),
        (
            "typos.json",
            "answer.function_calls",
            'snake_case field name; the service sends "functionCalls"',
        ),
    ]


def test_an_answer_that_is_not_an_object(tmp_path: Path) -> None:
    problems = lint_fixture(write(tmp_path, "bare", {"match": {}, "answer": "hello"}))
    assert found(problems) == [
        ("bare.json", "", 'the fake cannot load it: "answer" is an object such as {"text": "..."}'),
        (
            "bare.json",
            "answer",
            'expected an object such as {"text": "..."}, got the string "hello"',
        ),
    ]


def test_an_answers_function_call_is_held_to_the_services_shape(tmp_path: Path) -> None:
    answer = {"functionCalls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    problems = lint_fixture(write(tmp_path, "call", {"match": {}, "answer": answer}))
    assert where_of(problems) == ["answer.functionCalls[0].arguments", "answer.functionCalls[0]"]
    assert problems[1].message == 'has no args; the service sends "args": {} for a call without any'


# --- planted faults: a response -------------------------------------------------------------


def test_an_invalid_finish_reason(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["candidates"][0]["finishReason"] = "DONE"

    [problem] = planted(tmp_path, plant)
    assert problem.where == "response.candidates[0].finishReason"
    assert problem.message.startswith(
        'the string "DONE" is not a finishReason the service sends; use STOP, MAX_TOKENS, SAFETY,'
    )


def test_an_enum_in_the_wrong_case_gets_a_hint(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["candidates"][0]["finishReason"] = "stop"
        response["candidates"][0]["content"]["role"] = "MODEL"

    problems = planted(tmp_path, plant)
    assert [p.message.split(";")[0] for p in problems] == [
        'the string "MODEL" is not a role the service sends (did you mean "model"?)',
        'the string "stop" is not a finishReason the service sends (did you mean "STOP"?)',
    ]


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("content.role", "user", 'the string "user" is not a role the service sends; use model'),
        (
            "finishReason",
            "FINISH_REASON_UNSPECIFIED",
            "FINISH_REASON_UNSPECIFIED means unset; the service leaves finishReason out instead",
        ),
        (
            "safetyRatings",
            [{"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NONE"}],
            'the string "NONE" is not a probability the service sends; '
            "use NEGLIGIBLE, LOW, MEDIUM, HIGH",
        ),
    ],
)
def test_other_enum_values_the_service_never_sends(
    tmp_path: Path, where: str, value: Any, message: str
) -> None:
    def plant(response: dict[str, Any]) -> None:
        target = response["candidates"][0]
        *parents, last = where.split(".")
        for key in parents:
            target = target[key]
        target[last] = value

    [problem] = planted(tmp_path, plant)
    assert problem.message == message


def test_a_modality_the_service_never_sends(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["usageMetadata"]["promptTokensDetails"][0]["modality"] = "PICTURE"

    [problem] = planted(tmp_path, plant)
    assert problem.where == "response.usageMetadata.promptTokensDetails[0].modality"
    assert problem.message.endswith("use TEXT, IMAGE, AUDIO, VIDEO, DOCUMENT")


def test_a_continuation_finish_is_refused_with_the_reason(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["candidates"][0]["finishReason"] = "CONTINUATION"

    [problem] = planted(tmp_path, plant)
    assert problem.where == "response.candidates[0].finishReason"
    assert problem.message.startswith(
        "CONTINUATION makes the official SDKs re-request with a continuationToken"
    )


def test_a_broken_usage_sum(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["usageMetadata"]["totalTokenCount"] = 15

    assert found(planted(tmp_path, plant)) == [
        (
            "planted.json",
            "response.usageMetadata.totalTokenCount",
            "is 15, but promptTokenCount 12 + candidatesTokenCount 3 + thoughtsTokenCount 25 "
            "= 40; the service's total is always prompt + candidates + thoughts + tool-use prompt",
        )
    ]


def test_cached_tokens_beyond_the_prompt(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["usageMetadata"]["cachedContentTokenCount"] = 13

    [problem] = planted(tmp_path, plant)
    assert problem.where == "response.usageMetadata.cachedContentTokenCount"
    assert problem.message == (
        "is 13, more than promptTokenCount 12; cached tokens are part of the prompt's"
    )


def test_prompt_details_that_do_not_add_up_in_a_hand_written_fixture(tmp_path: Path) -> None:
    response = copy.deepcopy(GOOD_RESPONSE)
    response["usageMetadata"]["promptTokensDetails"][0]["tokenCount"] = 10
    path = write(tmp_path, "hand", {"match": {}, "response": response})
    assert found(lint_fixture(path)) == [
        (
            "hand.json",
            "response.usageMetadata.promptTokensDetails",
            "add up to 10, but promptTokenCount is 12; make them agree",
        )
    ]
    # The service itself breaks this one now and then (997 of 1004), so a recording may.
    recorded = {"match": {}, "recorded": {"status": 200}, "response": response}
    assert lint_fixture(write(tmp_path, "recorded", recorded)) == []


def test_a_zero_count_the_service_would_leave_out(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["usageMetadata"]["thoughtsTokenCount"] = 0
        response["usageMetadata"]["totalTokenCount"] = 15

    assert found(planted(tmp_path, plant)) == [
        (
            "planted.json",
            "response.usageMetadata.thoughtsTokenCount",
            "is 0; the service leaves a count of 0 out",
        )
    ]


def test_a_snake_case_field(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["usage_metadata"] = response.pop("usageMetadata")

    assert found(planted(tmp_path, plant)) == [
        (
            "planted.json",
            "response.usage_metadata",
            'snake_case field name; the service sends "usageMetadata"',
        ),
        (
            "planted.json",
            "response",
            "has no usageMetadata; the service sends it with every answer",
        ),
    ]


def test_an_unknown_field_deep_inside(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["candidates"][0]["content"]["parts"][0]["score"] = 1

    [problem] = planted(tmp_path, plant)
    assert problem.where == "response.candidates[0].content.parts[0].score"
    assert problem.message.startswith(
        "unknown field; the service's Part has only text, inlineData,"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("promptTokenCount", "12", 'expected a whole number (0 or more), got the string "12"'),
        ("promptTokenCount", 12.0, "expected a whole number (0 or more), got 12.0"),
        ("candidatesTokenCount", -3, "expected a whole number (0 or more), got -3"),
        ("promptTokensDetails", [], "is an empty list; the service leaves empty lists out"),
        ("serviceTier", None, "is null; the service leaves out a field that is not set"),
    ],
)
def test_usage_values_of_the_wrong_type(
    tmp_path: Path, field: str, value: Any, message: str
) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["usageMetadata"][field] = value

    problems = planted(tmp_path, plant)
    assert (f"response.usageMetadata.{field}", message) in [(p.where, p.message) for p in problems]


def test_text_that_is_not_a_string_and_parts_with_two_kinds_of_data(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["candidates"][0]["content"]["parts"] = [
            {"text": ["Hello"]},
            {"text": "a", "functionCall": {"name": "f", "args": {}}},
            {"thought": True},
        ]

    assert [(p.where, p.message) for p in planted(tmp_path, plant)] == [
        ("response.candidates[0].content.parts[0].text", "expected a string, got a list"),
        (
            "response.candidates[0].content.parts[1]",
            "a part carries exactly one of text, inlineData, fileData, functionCall, "
            "executableCode, codeExecutionResult, toolCall, toolResponse; this one has text and "
            "functionCall",
        ),
        (
            "response.candidates[0].content.parts[2]",
            "a part carries exactly one of text, inlineData, fileData, functionCall, "
            "executableCode, codeExecutionResult, toolCall, toolResponse; this one has none",
        ),
    ]


def test_a_url_safe_signature(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        response["candidates"][0]["content"]["parts"][0]["thoughtSignature"] = "ab-_"

    [problem] = planted(tmp_path, plant)
    assert problem.message.startswith("uses the URL-safe base64 alphabet")


def test_a_unary_answer_without_finish_reason_or_model_version(tmp_path: Path) -> None:
    def plant(response: dict[str, Any]) -> None:
        del response["candidates"][0]["finishReason"]
        del response["modelVersion"]
        response["responseId"] = "resp-1"

    assert [(p.where, p.message) for p in planted(tmp_path, plant)] == [
        (
            "response.responseId",
            'the string "resp-1" is not shaped like the service\'s ids (20, 22 or 23 characters '
            "of A-Z a-z 0-9 _ -)",
        ),
        ("response", "has no modelVersion; the service sends it with every answer"),
        (
            "response.candidates[0]",
            "has no finishReason; the service ends every answer with one (STOP, ...)",
        ),
    ]


# --- planted faults: recorded errors --------------------------------------------------------


def error_fixture(code: Any, status: str, http_status: int = 429) -> dict[str, Any]:
    error = {"code": code, "message": "Resource exhausted.", "status": status}
    return {"match": {}, "status": http_status, "response": {"error": error}}


def test_an_error_whose_code_disagrees_with_the_fixtures_status(tmp_path: Path) -> None:
    problems = lint_fixture(write(tmp_path, "quota", error_fixture(400, "RESOURCE_EXHAUSTED")))
    mine = [(p.where, p.message) for p in problems if p.where]
    assert mine == [
        (
            "response.error.code",
            "is 400, but the fixture's \"status\" is 429; the service sends its error's code as "
            "the HTTP status, so make them the same",
        )
    ]


def test_an_error_status_name_that_does_not_go_with_the_http_status(tmp_path: Path) -> None:
    problems = lint_fixture(write(tmp_path, "e", error_fixture(400, "NOT_FOUND", 400)))
    assert [(p.where, p.message) for p in problems] == [
        (
            "response.error.status",
            "NOT_FOUND is sent with HTTP status 404, not 400; for 400 use INVALID_ARGUMENT or "
            "FAILED_PRECONDITION or OUT_OF_RANGE",
        )
    ]


def test_an_error_status_the_service_never_sends(tmp_path: Path) -> None:
    problems = lint_fixture(write(tmp_path, "e", error_fixture(429, "QUOTA_EXCEEDED")))
    assert [p.where for p in problems] == ["response.error.status"]
    assert problems[0].message.startswith(
        'the string "QUOTA_EXCEEDED" is not a status the service sends; use one of '
    )


def test_an_error_envelope_with_unknown_keys_and_untyped_details(tmp_path: Path) -> None:
    fixture = error_fixture(429, "RESOURCE_EXHAUSTED")
    fixture["response"]["error"]["reason"] = "quota"
    fixture["response"]["error"]["details"] = [{"retryDelay": "1s"}]
    problems = lint_fixture(write(tmp_path, "e", fixture))
    assert where_of(problems) == ["response.error.reason", "response.error.details[0]"]


def test_an_error_envelope_without_the_fixtures_status(tmp_path: Path) -> None:
    fixture = error_fixture(429, "RESOURCE_EXHAUSTED")
    del fixture["status"]
    problems = lint_fixture(write(tmp_path, "e", fixture))
    assert problems[0].where == "response.error"
    assert problems[0].message.startswith(
        'an error envelope; give the fixture the error\'s HTTP "status"'
    )


# --- planted faults: recorded streams -------------------------------------------------------


@pytest.fixture
def stream(client: httpx.Client) -> bytes:
    url = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    body = client.post(url, json=ask("How does AI work?")).content
    assert body.count(b"\r\n\r\n") >= 3
    return body


def test_lf_only_separators_are_named_event_by_event(tmp_path: Path, stream: bytes) -> None:
    lf = stream.replace(b"\r\n\r\n", b"\n\n")
    problems = lint_fixture(write_stream(tmp_path, "lf", lf))
    count = stream.count(b"\r\n\r\n")
    assert found(problems) == [
        (
            "lf.sse",
            f"event {n}",
            "ends with '\\n\\n'; the service ends every event, the last too, with '\\r\\n\\r\\n'",
        )
        for n in range(1, count + 1)
    ]


def test_an_event_that_is_not_json(tmp_path: Path, stream: bytes) -> None:
    broken = stream.replace(b"\r\n\r\n", b"\r\n\r\ndata: {not json}\r\n\r\n", 1)
    problems = lint_fixture(write_stream(tmp_path, "nonjson", broken))
    assert [(p.file.name, p.where, p.message) for p in problems if p.file.suffix == ".sse"] == [
        (
            "nonjson.sse",
            "event 2",
            "the data is not JSON: Expecting property name enclosed in double quotes (column 8)",
        )
    ]
    # The fake would not start with it either, and says so about the fixture.
    [refused] = [p for p in problems if p.file.name == "nonjson.json"]
    assert refused.message.startswith("the fake cannot load it: nonjson.sse is not a stream")


def test_trailing_garbage_and_a_missing_last_separator(tmp_path: Path, stream: bytes) -> None:
    count = stream.count(b"\r\n\r\n")
    garbage = lint_fixture(write_stream(tmp_path, "garbage", stream + b"oops"))
    assert found(garbage)[0][2].startswith("the fake cannot load it: garbage.sse is not a stream")
    assert found(garbage)[1:] == [
        (
            "garbage.sse",
            f"after event {count}",
            "stray bytes b'oops'; the body ends with the last event's '\\r\\n\\r\\n'",
        )
    ]
    cut = lint_fixture(write_stream(tmp_path, "cut", stream.removesuffix(b"\r\n\r\n")))
    assert found(cut) == [
        (
            "cut.sse",
            f"event {count}",
            "ends with nothing; the service ends every event, the last too, with '\\r\\n\\r\\n'",
        )
    ]


def first_event(**changes: Any) -> dict[str, Any]:
    """A first event of a stream: GOOD_RESPONSE without its finishReason."""
    body = copy.deepcopy(GOOD_RESPONSE)
    del body["candidates"][0]["finishReason"]
    return {**body, **changes}


FIRST = json.dumps(first_event(), separators=(",", ": ")).encode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"data:" + FIRST, "starts data: without a space; the service writes 'data: '"),
        (b": keepalive", "is a comment; the service sends none"),
        (b"event: message\r\ndata: " + FIRST, "has an event: line; the service sends only data:"),
        (b"data: " + json.dumps(first_event()).encode(), "the JSON is not spaced as the service"),
        (
            b"data: "
            + json.dumps(first_event(modelVersion="gémini"), separators=(",", ": ")).encode(),
            "escapes non-ASCII text (\\u00e9); the service sends it as UTF-8",
        ),
        (
            b"data: "
            + json.dumps(first_event(modelVersion="<b>"), separators=(",", ": ")).encode(),
            "has a raw < or >; the service escapes them inside strings as \\u003c and \\u003e",
        ),
        (b"data: [1]", "the data is a list, not a JSON object"),
        (b"", "is a blank line; the service sends no blank lines between events"),
    ],
)
def test_events_framed_unlike_the_service(tmp_path: Path, line: bytes, message: str) -> None:
    body = line + b"\r\n\r\n" + event(GOOD_RESPONSE)
    problems = lint_fixture(write_stream(tmp_path, "framing", body))
    mine = [(p.where, p.message) for p in problems if p.file.suffix == ".sse"]
    assert len(mine) == 1 and mine[0][0] == "event 1" and mine[0][1].startswith(message), mine


def test_the_event_with_the_spacing_fault_names_its_column(tmp_path: Path) -> None:
    line = b'data: {"modelVersion": "m", "usageMetadata": {}}'
    [problem] = [
        p
        for p in lint_fixture(write_stream(tmp_path, "s", line + b"\r\n\r\n"))
        if "spaced" in p.message
    ]
    assert problem.message.endswith("; see column 28")  # the space after the comma


def test_finish_reason_only_on_the_last_event(tmp_path: Path) -> None:
    early = copy.deepcopy(GOOD_RESPONSE)
    late = copy.deepcopy(GOOD_RESPONSE)
    del late["candidates"][0]["finishReason"]
    problems = lint_fixture(write_stream(tmp_path, "order", event(early) + event(late)))
    assert [(p.where, p.message) for p in problems] == [
        (
            "event 1, candidates[0].finishReason",
            "before the last event; the service sends it last",
        ),
        (
            "event 2, candidates[0]",
            "the last event has no finishReason; the service ends every stream with one (and the "
            "SDKs drop a streamed chat turn without it)",
        ),
    ]


def test_every_event_carries_usage_and_one_response_id(tmp_path: Path) -> None:
    first = copy.deepcopy(GOOD_RESPONSE)
    del first["candidates"][0]["finishReason"]
    del first["usageMetadata"]
    last = copy.deepcopy(GOOD_RESPONSE)
    last["responseId"] = "ZZZZZZZZZZZZZZZZZZZZZZZ"
    problems = lint_fixture(write_stream(tmp_path, "ids", event(first) + event(last)))
    assert [(p.where, p.message) for p in problems] == [
        ("event 1", "has no usageMetadata; the service sends it in every event"),
        (
            "event 2, responseId",
            "differs from event 1's; every event of a stream carries the same id",
        ),
    ]


def test_an_error_event_inside_a_stream(tmp_path: Path) -> None:
    error = {"error": {"code": 503, "message": "Overloaded.", "status": "UNAVAILABLE"}}
    problems = lint_fixture(write_stream(tmp_path, "err", event(first_event()) + event(error)))
    assert [p.where for p in problems] == ["event 2"]
    assert problems[0].message.startswith("is an error; the service's streams carry none")


def test_an_event_field_problem_names_the_event_and_the_path(tmp_path: Path) -> None:
    bad = copy.deepcopy(GOOD_RESPONSE)
    bad["candidates"][0]["finishReason"] = "DONE"
    [problem] = lint_fixture(write_stream(tmp_path, "enum", event(bad)))
    assert problem.file.name == "enum.sse"
    assert problem.where == "event 1, candidates[0].finishReason"
    assert str(problem).startswith(f"{tmp_path / 'enum.sse'}:event 1, candidates[0].finishReason: ")


# --- the command ----------------------------------------------------------------------------


def test_main_on_clean_fixtures_exits_0() -> None:
    out = io.StringIO()
    assert main([SHIPPED], out) == 0
    count = len(list(SHIPPED.glob("*.json")))
    assert out.getvalue() == f"{count} fixtures checked, 0 problems\n"


def test_main_prints_each_problem_then_a_summary_and_exits_1(tmp_path: Path) -> None:
    bad = copy.deepcopy(GOOD_RESPONSE)
    bad["candidates"][0]["finishReason"] = "DONE"
    bad["usageMetadata"]["totalTokenCount"] = 41
    path = write(tmp_path, "bad", {"match": {}, "response": bad})
    write(tmp_path, "good", {"match": {}, "answer": {"text": "fine"}})
    out = io.StringIO()
    assert main([tmp_path], out) == 1
    lines = out.getvalue().splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:2]] == [
        f"{path}:response.candidates[0].finishReason",
        f"{path}:response.usageMetadata.totalTokenCount",
    ]
    assert lines[2:] == ["2 fixtures checked, 2 problems"]


def test_main_counts_in_the_singular(tmp_path: Path) -> None:
    write(tmp_path, "one", {"match": {}, "answer": {"text": 1}})
    out = io.StringIO()
    assert main([tmp_path], out) == 1
    assert out.getvalue().splitlines()[-1] == "1 fixture checked, 1 problem"


def test_main_exits_2_on_a_missing_directory(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main([SHIPPED, tmp_path / "nowhere"], out) == 2
    assert out.getvalue() == f"gemini-fake lint: {tmp_path / 'nowhere'} does not exist\n"
    with pytest.raises(FileNotFoundError):
        lint_directories([tmp_path / "nowhere"])


def test_main_exits_2_without_directories() -> None:
    out = io.StringIO()
    assert main([], out) == 2
    assert "give one or more fixture directories" in out.getvalue()


def test_python_dash_m_runs_it(tmp_path: Path) -> None:
    write(tmp_path, "bad", {"match": {}, "answer": {"txt": "hi"}})
    command = [sys.executable, "-m", "fake_server.fixtures.lint", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout.endswith("1 fixture checked, 1 problem\n")


def test_a_fixture_that_cannot_be_read_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "folder.json").mkdir()
    out = io.StringIO()
    assert main([tmp_path], out) == 1
    assert out.getvalue().splitlines() == [
        f"{tmp_path / 'folder.json'}: cannot be read: Is a directory",
        "1 fixture checked, 1 problem",
    ]
