"""The guide's text examples end to end: our client against the fake, in process and on a socket.

Every test runs twice: once through ``fake.client()`` (an ``httpx.Client`` calling the app in
process) and once over a real loopback port. The fake's journal shows that each example was
answered by its shipped fixture, i.e. that our requests match the fixtures the guide's prompts
were written for.
"""

from __future__ import annotations

from typing import Any

import pytest

import gemini_ref as genai
from conformance._guide import run
from fake_server.pytest_plugin import Fake
from gemini_ref import errors, types

MODEL = "gemini-2.5-flash"

# The guide's text examples (conformance/_guide.py), by test id.
GUIDE_SCRIPTS = {
    "basic": "text_generation",
    "thinking-off": "thinking_off",
    "system-instruction": "system_instruction",
    "temperature": "temperature",
}
# Their requests, sent through ``client.aio`` (the guide has no async examples).
GUIDE_EXAMPLES: dict[str, dict[str, Any]] = {
    "basic": {"contents": "How does AI work?"},
    "thinking-off": {
        "contents": "How does AI work?",
        "config": types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(thinking_budget=0)
        ),
    },
    "system-instruction": {
        "contents": "Hello there",
        "config": types.GenerateContentConfig(
            system_instruction="You are a cat. Your name is Neko."
        ),
    },
    "temperature": {
        "contents": ["Explain how AI works"],
        "config": types.GenerateContentConfig(temperature=0.1),
    },
}


def answered_by(fake: Fake) -> list[str]:
    return [entry.answered_by for entry in fake.journal.calls()]


@pytest.mark.parametrize("script", GUIDE_SCRIPTS.values(), ids=GUIDE_SCRIPTS.keys())
def test_guide_example_gets_its_recorded_answer(fake, client, script):
    response = run(script, genai, types, client).names["response"]

    assert response.text
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    assert response.usage_metadata.total_token_count > 0
    assert response.model_version == MODEL
    (source,) = answered_by(fake)
    assert source.startswith("fixture:")


def test_count_tokens_get_and_list_against_the_fake(client):
    counted = client.models.count_tokens(model=MODEL, contents="How does AI work?")
    found = client.models.get(model=MODEL)
    listed = list(client.models.list(config={"page_size": 2}))

    assert counted.total_tokens > 0
    assert found.name == f"models/{MODEL}"
    assert "generateContent" in found.supported_actions
    assert f"models/{MODEL}" in [model.name for model in listed]
    assert len(listed) > 2  # more than one page was followed


def test_an_unknown_model_raises_not_found_from_the_fake(client):
    with pytest.raises(errors.NotFoundError) as caught:
        client.models.generate_content(model="gemini-1.5-flash", contents="Hi")

    assert caught.value.status == "NOT_FOUND"
    assert "models/gemini-1.5-flash is not found" in caught.value.message


@pytest.mark.anyio
async def test_async_guide_examples_against_the_fake(fake):
    async with fake.async_client() as http:
        client = genai.Client(api_key="test-key", base_url=fake.base_url, async_http_client=http)
        for example in GUIDE_EXAMPLES.values():
            response = await client.aio.models.generate_content(model=MODEL, **example)
            assert response.text
        pager = await client.aio.models.list(config={"page_size": 2})
        names = [model.name async for model in pager]
        client.close()

    assert f"models/{MODEL}" in names
    assert all(source.startswith("fixture:") for source in answered_by(fake)[:4])
