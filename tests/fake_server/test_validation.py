"""Every request the real service refuses, refused with its status and message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, new_fake

FLASH = "/v1beta/models/gemini-2.5-flash:generateContent"


def user(text: str = "Hello") -> dict[str, Any]:
    return {"parts": [{"text": text}], "role": "user"}


def body(**generation_config: Any) -> dict[str, Any]:
    return {"contents": [user()], "generationConfig": generation_config}


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert response.text.endswith("\n}\n"), "error bodies are pretty-printed with a newline"
    error: dict[str, Any] = response.json()["error"]
    assert list(error)[:3] == ["code", "message", "status"]
    assert error["code"] == response.status_code
    return error


RANGE = (
    "Unable to submit request because it has a {name} value of {value} but the supported "
    "range is from {low} (inclusive) to {high} (exclusive). Update the value and try again."
)


def out_of_range(name: str, value: float, low: float, high: float, id: str) -> Any:
    """A ``generationConfig`` field outside its range, and the service's message for it."""
    message = RANGE.format(name=name, value=value, low=low, high=high)
    return pytest.param(body(**{name: value}), message, id=id)


REFUSED = [
    pytest.param(
        {"contents": []},
        "* GenerateContentRequest.contents: contents is not specified\n",
        id="empty-contents",
    ),
    pytest.param(
        {}, "* GenerateContentRequest.contents: contents is not specified\n", id="no-contents"
    ),
    pytest.param(
        {"contents": [{"role": "system", "parts": [{"text": "hi"}]}]},
        "Please use a valid role: user, model.",
        id="bad-role",
    ),
    pytest.param(
        {"contents": [user(), {"role": "model", "parts": []}]},
        "* GenerateContentRequest.contents[1].parts: contents.parts must not be empty.\n",
        id="empty-parts",
    ),
    pytest.param(
        {"contents": [{"parts": [{}]}]},
        "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must "
        "have one initialized field\n",
        id="part-without-data",
    ),
    out_of_range("temperature", 3, 0, 2.0001, id="temperature"),
    out_of_range("temperature", -0.5, 0, 2.0001, id="negative-temperature"),
    out_of_range("topP", 1.5, 0, 1.0001, id="top-p"),
    out_of_range("topK", 65, 1, 65, id="top-k"),
    out_of_range("topK", 0, 1, 65, id="top-k-zero"),
    out_of_range("candidateCount", 9, 1, 9, id="candidates"),
    out_of_range("maxOutputTokens", 70000, 1, 65537, id="max-output-tokens"),
    pytest.param(
        body(thinkingConfig={"thinkingBudget": 30000}),
        "The thinking budget (30000) is invalid.",
        id="budget-too-big",
    ),
    pytest.param(
        body(thinkingConfig={"thinkingBudget": 1024, "thinkingLevel": "LOW"}),
        "You can only set only one of thinking budget and thinking level.",
        id="budget-and-level",
    ),
    pytest.param(
        body(responseMimeType="text/csv"),
        "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are "
        "`text/plain`, `application/json`, `application/xml`, `application/yaml` and "
        "`text/x.enum`.\n",
        id="response-mime-type",
    ),
    pytest.param(
        {"contents": [{"parts": [{"inlineData": {"mimeType": "bad/mime", "data": "aGk="}}]}]},
        "Unsupported MIME type: bad/mime",
        id="inline-mime-type",
    ),
]


@pytest.mark.parametrize(("request_body", "message"), REFUSED)
def test_invalid_requests_get_the_real_400(
    client: httpx.Client, request_body: dict[str, Any], message: str
) -> None:
    response = client.post(FLASH, json=request_body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == message


def test_thinking_budget_zero_is_refused_on_pro_only(client: httpx.Client) -> None:
    request = body(thinkingConfig={"thinkingBudget": 0})
    pro = client.post("/v1beta/models/gemini-2.5-pro:generateContent", json=request)
    assert pro.status_code == 400
    assert (
        error_of(pro)["message"] == "Budget 0 is invalid. This model only works in thinking mode."
    )
    assert client.post(FLASH, json=request).status_code == 200
    assert (
        client.post(
            "/v1beta/models/gemini-2.5-flash-lite:generateContent", json=request
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("model", "budget", "ok"),
    [
        ("gemini-2.5-pro", 127, False),
        ("gemini-2.5-pro", 128, True),
        ("gemini-2.5-pro", 32768, True),
        ("gemini-2.5-pro", 32769, False),
        ("gemini-2.5-flash", 1, True),
        ("gemini-2.5-flash", 24576, True),
        ("gemini-2.5-flash", 24577, False),
        ("gemini-2.5-flash-lite", 511, False),
        ("gemini-2.5-flash-lite", 512, True),
        ("gemini-2.5-flash", -1, True),
        ("gemini-2.5-pro", -1, True),
    ],
)
def test_thinking_budget_range_is_the_models_own(
    client: httpx.Client, model: str, budget: int, ok: bool
) -> None:
    response = client.post(
        f"/v1beta/models/{model}:generateContent",
        json=body(thinkingConfig={"thinkingBudget": budget}),
    )
    assert (response.status_code == 200) is ok
    if not ok:
        assert error_of(response)["message"] == f"The thinking budget ({budget}) is invalid."


def test_malformed_json_points_at_the_error(client: httpx.Client) -> None:
    response = client.post(FLASH, content=b'{"contents": [{"parts": [{"text": "hi"}]]}')
    assert response.status_code == 400
    error = error_of(response)
    assert error["status"] == "INVALID_ARGUMENT"
    head, snippet, caret = error["message"].split("\n")
    assert head == "Invalid JSON payload received. Expected , or } after key:value pair."
    assert snippet == 's": [{"text": "hi"}]]}'  # the 20 bytes either side
    assert caret == " " * 20 + "^"  # under the second "]", where a "}" belongs
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"


def test_unknown_fields_are_all_named_with_their_paths(client: httpx.Client) -> None:
    response = client.post(
        FLASH,
        json={"contents": [{"parts": [{"text": "hi", "colour": "red"}]}], "temprature": 1},
    )
    error = error_of(response)
    assert error["message"] == (
        "Invalid JSON payload received. Unknown name \"colour\" at 'contents[0].parts[0]': "
        "Cannot find field.\n"
        'Invalid JSON payload received. Unknown name "temprature": Cannot find field.'
    )
    violations = error["details"][0]["fieldViolations"]
    assert violations[0]["field"] == "contents[0].parts[0]"
    assert "field" not in violations[1]


def test_wrongly_typed_value_is_refused_with_its_path(client: httpx.Client) -> None:
    response = client.post(FLASH, json=body(temperature="hot"))
    assert error_of(response)["message"] == (
        "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""
    )


def test_unknown_model_names_the_base_method(client: httpx.Client) -> None:
    for verb, method in [("generateContent", "generateContent"), ("countTokens", "countTokens")]:
        response = client.post(f"/v1beta/models/gemini-nope:{verb}", json={"contents": [user()]})
        assert response.status_code == 404
        error = error_of(response)
        assert error["status"] == "NOT_FOUND"
        assert error["message"] == (
            "models/gemini-nope is not found for API version v1beta, or is not supported for "
            f"{method}. Call ModelService.ListModels to see the list of available models and "
            "their supported methods."
        )


def test_embedding_model_does_not_generate(client: httpx.Client) -> None:
    response = client.post("/v1/models/gemini-embedding-001:generateContent", json=body())
    assert response.status_code == 404
    assert "is not found for API version v1," in error_of(response)["message"]


def test_malformed_json_is_reported_before_an_unknown_model(client: httpx.Client) -> None:
    response = client.post("/v1beta/models/gemini-nope:generateContent", content=b"{")
    assert response.status_code == 400


def test_missing_api_key_is_permission_denied(gemini_fake: Fake) -> None:
    response = gemini_fake.client().post(FLASH, json=body())
    assert response.status_code == 403
    assert response.text == (
        '{\n  "error": {\n    "code": 403,\n    "message": "Method doesn\'t allow unregistered '
        "callers (callers without established identity). Please use API Key or other form of "
        'API consumer identity to call this API.",\n    "status": "PERMISSION_DENIED"\n  }\n}\n'
    )


def test_key_in_the_query_string_is_accepted(gemini_fake: Fake) -> None:
    response = gemini_fake.client().post(FLASH + "?key=anything", json=body())
    assert response.status_code == 200


@pytest.mark.gemini_fake(api_keys=["right-key"])
def test_other_keys_are_refused_when_keys_are_configured(gemini_fake: Fake) -> None:
    client = gemini_fake.client()
    assert (
        client.post(FLASH, json=body(), headers={"x-goog-api-key": "right-key"}).status_code == 200
    )
    response = client.post(FLASH, json=body(), headers={"x-goog-api-key": "wrong-key"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["message"] == "API key not valid. Please pass a valid API key."
    assert error["status"] == "INVALID_ARGUMENT"
    info, localized = error["details"]
    assert info == {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "API_KEY_INVALID",
        "domain": "googleapis.com",
        "metadata": {"service": "generativelanguage.googleapis.com"},
    }
    assert localized["message"] == error["message"]


def test_unknown_path_is_not_found_in_the_envelope(client: httpx.Client) -> None:
    response = client.post("/v1beta/models/gemini-2.5-flash:sing", json=body())
    assert response.status_code == 404
    assert error_of(response)["message"] == "Method not found."
    assert client.get("/v2/models").status_code == 404


def test_refused_requests_are_journaled_with_their_status(
    client: httpx.Client, gemini_fake: Fake
) -> None:
    client.post(FLASH, json={"contents": []})
    entry = gemini_fake.journal.last("generateContent")
    assert entry.status == 400
    assert entry.answered_by == "error:INVALID_ARGUMENT"
    assert entry.request == {"contents": []}


def test_error_body_bytes_match_the_real_serialisation(client: httpx.Client) -> None:
    response = client.post(FLASH, json={"contents": [{"role": "system", "parts": [{"text": "x"}]}]})
    expected = {
        "error": {
            "code": 400,
            "message": "Please use a valid role: user, model.",
            "status": "INVALID_ARGUMENT",
        }
    }
    assert response.content == (json.dumps(expected, indent=2) + "\n").encode()


@pytest.mark.parametrize("penalty", ["presencePenalty", "frequencyPenalty", "presence_penalty"])
@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-flash-preview"])
def test_a_penalty_on_a_model_without_penalties_is_refused(
    client: httpx.Client, penalty: str, model: str
) -> None:
    # docs/evidence.md#service-errors (recorded on gemini-2.5-flash)
    response = client.post(f"/v1beta/models/{model}:generateContent", json=body(**{penalty: 0.5}))
    assert response.status_code == 400
    error = error_of(response)
    assert error == {
        "code": 400,
        "message": f"Penalty is not enabled for models/{model}",
        "status": "INVALID_ARGUMENT",
    }


def test_a_penalty_of_zero_is_taken_by_every_model(client: httpx.Client) -> None:
    zero = body(presencePenalty=0, frequencyPenalty=0.0)
    assert client.post(FLASH, json=zero).status_code == 200


def test_a_model_with_penalties_takes_them(client: httpx.Client) -> None:
    penalised = body(presencePenalty=0.5, frequencyPenalty=-0.5)
    response = client.post("/v1beta/models/gemini-2.0-flash:generateContent", json=penalised)
    assert response.status_code == 200, response.text


CACHE_MISSING = {
    "code": 403,
    "message": "CachedContent not found (or permission denied)",
    "status": "PERMISSION_DENIED",
}


@pytest.mark.parametrize("rpc", ["generateContent", "streamGenerateContent?alt=sse"])
def test_a_cache_the_service_does_not_hold_is_refused(client: httpx.Client, rpc: str) -> None:
    request = {"contents": [user()], "cachedContent": "cachedContents/nosuchcache"}
    response = client.post(f"/v1beta/models/gemini-2.5-flash:{rpc}", json=request)
    assert response.status_code == 403
    assert response.json()["error"] == CACHE_MISSING


def test_counting_with_a_cache_the_service_does_not_hold_is_refused(client: httpx.Client) -> None:
    inner = {"contents": [user()], "cachedContent": "cachedContents/nosuchcache"}
    response = client.post(
        "/v1beta/models/gemini-2.5-flash:countTokens", json={"generateContentRequest": inner}
    )
    assert response.status_code == 403
    assert response.json()["error"] == CACHE_MISSING


def test_a_cache_named_by_a_recording_is_answered_by_it(tmp_path: Path) -> None:
    request = {"contents": [user()], "cachedContent": "cachedContents/recorded"}
    fixture = {"match": {"request": request}, "answer": {"text": "From the cached document."}}
    (tmp_path / "cached.json").write_text(json.dumps(fixture))
    fake = new_fake(fixture_dirs=(tmp_path,))
    with fake.client(headers=KEY) as http:
        response = http.post(FLASH, json=request)
    assert response.status_code == 200, response.text
    assert response.json()["candidates"][0]["content"]["parts"][0]["text"] == (
        "From the cached document."
    )
