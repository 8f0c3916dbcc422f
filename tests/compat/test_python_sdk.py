"""The official Python SDK (google-genai 3.3.0) against the fake, configured as the guide does.

The guide writes ``client = genai.Client()``: everything comes from the environment, so these
tests set only ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY`` (and take away the variables that
would override them). Every example runs on the SDK's default ``/v1`` and on ``/v1beta``
(``GOOGLE_GENAI_API_VERSION=v1beta``). The client is kept in a variable: the SDK closes a client
that is only a temporary (``genai.Client().models...``) while the call is still running.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from google import genai
from google.genai import errors, types

from conformance._guide import run
from fake_server.model import catalog
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import model_not_found
from tests.kit.guide_answers import GuideExample

pytestmark = pytest.mark.sdk


def dumped(model: Any) -> dict[str, Any]:
    """An SDK object as the camelCase JSON it was read from (unset fields left out)."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


# --- the guide's examples, as the guide writes them in Python -------------------------------


def guide(script: str) -> Callable[[genai.Client], types.GenerateContentResponse]:
    """The guide's own example (``conformance/_guide.py``, verbatim): its ``response``."""

    def example(client: genai.Client) -> types.GenerateContentResponse:
        response: types.GenerateContentResponse = run(script, genai, types, client).names[
            "response"
        ]
        return response

    return example


basic = guide("text_generation")
thinking_off = guide("thinking_off")
system_instruction = guide("system_instruction")
temperature = guide("temperature")


def config_full(client: genai.Client) -> types.GenerateContentResponse:
    """The guide's Go configuration example, in Python."""
    return client.models.generate_content(
        model="gemini-2.5-flash",
        contents="What is the average size of a swallow?",
        config=types.GenerateContentConfig(
            temperature=0.9, top_p=0.5, top_k=20, response_mime_type="application/json"
        ),
    )


def stop_sequences(client: genai.Client) -> types.GenerateContentResponse:
    """The guide's REST configuration example, in Python."""
    return client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Explain how AI works",
        config=types.GenerateContentConfig(
            stop_sequences=["Title"], temperature=1.0, top_p=0.8, top_k=10
        ),
    )


GUIDE_CODE: dict[str, Callable[[genai.Client], types.GenerateContentResponse]] = {
    "basic": basic,
    "thinking_off": thinking_off,
    "system_instruction": system_instruction,
    "temperature": temperature,
    "config_full": config_full,
    "stop_sequences": stop_sequences,
}


def check_response(response: types.GenerateContentResponse, guide: GuideExample) -> None:
    """What an app reads from the answer, and the real service's shape rules."""
    guide.check_text(response.text)
    assert response.model_version == "gemini-2.5-flash"
    assert response.response_id is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{23}", response.response_id)
    assert response.candidates is not None and len(response.candidates) == 1
    candidate = response.candidates[0]
    assert candidate.finish_reason == types.FinishReason.STOP
    assert candidate.index == 0
    assert candidate.content is not None and candidate.content.role == "model"
    assert response.usage_metadata is not None
    guide.check_usage(dumped(response.usage_metadata))


@pytest.mark.parametrize("example", list(GUIDE_CODE))
def test_a_guide_example_gets_its_fixture_answer_through_the_sdk(
    example: str,
    guide_examples: dict[str, GuideExample],
    client: genai.Client,
    api_version: str,
    gemini_fake_server: Fake,
) -> None:
    guide = guide_examples[example]

    response = GUIDE_CODE[example](client)

    check_response(response, guide)
    (call,) = gemini_fake_server.journal.calls("generateContent")
    guide.check_call(call, api_version)


def test_thinking_budget_zero_reaches_the_fake_and_no_thoughts_are_counted(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    response = thinking_off(client)

    assert response.usage_metadata is not None
    assert response.usage_metadata.thoughts_token_count is None
    usage = response.usage_metadata
    assert usage.total_token_count == (usage.prompt_token_count or 0) + (
        usage.candidates_token_count or 0
    )
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert call.request is not None
    assert call.request["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 0}


def test_the_go_config_example_answers_json_text(
    client: genai.Client, guide_examples: dict[str, GuideExample]
) -> None:
    response = config_full(client)

    assert response.text is not None
    assert json.loads(response.text) == guide_examples["config_full"].answer()["json"]


def test_v1beta_can_also_be_chosen_with_http_options(
    sdk_env: Fake, guide_examples: dict[str, GuideExample]
) -> None:
    client = genai.Client(http_options=types.HttpOptions(api_version="v1beta"))
    try:
        response = basic(client)
    finally:
        client.close()

    check_response(response, guide_examples["basic"])
    (call,) = sdk_env.journal.calls("generateContent")
    guide_examples["basic"].check_call(call, "v1beta")


@pytest.mark.anyio
async def test_the_async_client_runs_the_basic_example(
    sdk_env: Fake, guide_examples: dict[str, GuideExample]
) -> None:
    client = genai.Client()
    try:
        response = await client.aio.models.generate_content(
            model="gemini-2.5-flash", contents="How does AI work?"
        )
    finally:
        await client.aio.aclose()
        client.close()

    check_response(response, guide_examples["basic"])
    (call,) = sdk_env.journal.calls("generateContent")
    guide_examples["basic"].check_call(call, "v1")


@pytest.mark.parametrize(
    "prompt",
    ["How does AI work?", "Explain how AI works", "What is the average size of a swallow?"],
)
def test_count_tokens_equals_the_prompt_token_count_of_generate_content(
    prompt: str, client: genai.Client, api_version: str, gemini_fake_server: Fake
) -> None:
    counted = client.models.count_tokens(model="gemini-2.5-flash", contents=prompt)
    generated = client.models.generate_content(model="gemini-2.5-flash", contents=prompt)

    assert generated.usage_metadata is not None
    assert counted.total_tokens == generated.usage_metadata.prompt_token_count
    (call,) = gemini_fake_server.journal.calls("countTokens")
    assert (call.path, call.status) == (f"/{api_version}/models/gemini-2.5-flash:countTokens", 200)
    assert call.request == {"contents": [{"parts": [{"text": prompt}], "role": "user"}]}


def test_models_get_returns_the_model_resource(
    client: genai.Client, api_version: str, gemini_fake_server: Fake
) -> None:
    model = client.models.get(model="gemini-2.5-flash")

    assert model.name == "models/gemini-2.5-flash"
    assert model.display_name == "Gemini 2.5 Flash"
    assert model.version == "001"
    assert model.description
    assert (model.input_token_limit, model.output_token_limit) == (1_048_576, 65_536)
    assert model.supported_actions is not None
    assert {"generateContent", "countTokens"} <= set(model.supported_actions)
    assert (model.temperature, model.max_temperature, model.top_p, model.top_k) == (1, 2, 0.95, 64)
    assert model.thinking is True
    (call,) = gemini_fake_server.journal.calls("models.get")
    assert (call.method, call.path, call.status) == (
        "GET",
        f"/{api_version}/models/gemini-2.5-flash",
        200,
    )


def test_models_list_with_page_size_two_iterates_the_whole_catalogue(
    client: genai.Client, api_version: str, gemini_fake_server: Fake
) -> None:
    names = [m.name for m in client.models.list(config={"page_size": 2})]

    assert names == [f"models/{m.id}" for m in catalog.MODELS]
    assert len(names) == len(set(names))
    pages = gemini_fake_server.journal.calls("models.list")
    assert len(pages) == -(-len(catalog.MODELS) // 2)
    assert {(c.path, c.status) for c in pages} == {(f"/{api_version}/models", 200)}
    # One unpaged listing gives the same catalogue.
    assert [m.name for m in client.models.list()] == names


def test_the_flash_latest_alias_answers_as_the_concrete_model(
    client: genai.Client, guide_examples: dict[str, GuideExample], gemini_fake_server: Fake
) -> None:
    response = client.models.generate_content(
        model="gemini-flash-latest", contents="How does AI work?"
    )

    assert response.model_version == "gemini-2.5-flash"
    guide_examples["basic"].check_text(response.text)
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert call.model == "gemini-flash-latest"


# --- errors, as the SDK raises them ---------------------------------------------------------


def test_an_unknown_model_is_a_404_client_error_with_the_real_message(
    client: genai.Client, api_version: str, gemini_fake_server: Fake
) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-nope", contents="hi")

    error = caught.value
    assert (error.code, error.status) == (404, "NOT_FOUND")
    assert error.message == model_not_found("gemini-nope", api_version)
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert (call.status, call.api_version) == (404, api_version)


@pytest.mark.gemini_fake(api_keys=["right-key"])
def test_a_key_the_fake_does_not_know_is_refused_as_not_valid(
    sdk_env: Fake, api_version: str
) -> None:
    client = genai.Client(api_key="wrong-key")  # env carries the right one
    with pytest.raises(errors.ClientError) as caught:
        basic(client)

    error = caught.value
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "API key not valid. Please pass a valid API key."
    details = error.details["error"]["details"]
    assert [d["@type"].rsplit(".", 1)[-1] for d in details] == ["ErrorInfo", "LocalizedMessage"]
    assert details[0]["reason"] == "API_KEY_INVALID"


@pytest.mark.gemini_fake(api_keys=["right-key"])
def test_the_key_the_fake_knows_is_accepted(
    sdk_env: Fake, monkeypatch: pytest.MonkeyPatch, guide_examples: dict[str, GuideExample]
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "right-key")
    client = genai.Client()
    try:
        response = basic(client)
    finally:
        client.close()

    guide_examples["basic"].check_text(response.text)


def test_thinking_budget_zero_on_2_5_pro_is_refused(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(
            model="gemini-2.5-pro",
            contents="How does AI work?",
            config=types.GenerateContentConfig(
                thinking_config=types.ThinkingConfig(thinking_budget=0)
            ),
        )

    error = caught.value
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == "Budget 0 is invalid. This model only works in thinking mode."


def test_a_temperature_out_of_range_is_refused_with_the_range(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(
            model="gemini-2.5-flash",
            contents="Explain how AI works",
            config=types.GenerateContentConfig(temperature=3),
        )

    error = caught.value
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.message == (
        "Unable to submit request because it has a temperature value of 3 but the supported "
        "range is from 0 (inclusive) to 2.0001 (exclusive). Update the value and try again."
    )
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert (call.status, call.answered_by) == (400, "error:INVALID_ARGUMENT")
