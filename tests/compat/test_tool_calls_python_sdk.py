"""Function calling through the official Python SDK (google-genai) over a socket, unary and
streamed: the SDK's ``function_calls`` sees the calls the fake's model chose; automatic function
calling runs a Python function only when the prompt needs it and ends with a text answer that
uses what the function returned; parallel calls arrive in one turn, the first one signed.
"""

from __future__ import annotations

from typing import Any

import pytest
from google import genai
from google.genai import types

from fake_server.pytest_plugin import Fake

pytestmark = pytest.mark.sdk

FLASH = "gemini-2.5-flash"
GEMINI_3 = "gemini-3-flash-preview"


class Forecasts:
    """A ``get_weather`` the SDK can run, recording each call."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get_weather(self, city: str) -> str:
        """Get the current weather for a city.

        Args:
            city: The name of the city.
        """
        self.asked.append(city)
        return f"light rain in {city}, 12 degrees"


def ask(
    client: genai.Client, prompt: str, config: types.GenerateContentConfig, streamed: bool
) -> list[types.GenerateContentResponse]:
    if streamed:
        return list(
            client.models.generate_content_stream(model=FLASH, contents=prompt, config=config)
        )
    return [client.models.generate_content(model=FLASH, contents=prompt, config=config)]


def text_of(responses: list[types.GenerateContentResponse]) -> str:
    """The answer's text. A stream under automatic function calling also yields the chunks of
    each call turn, before those of the answer."""
    return "".join(r.text or "" for r in responses if not r.function_calls)


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
@pytest.mark.parametrize(
    ("prompt", "cities"),
    [
        ("Do I need an umbrella in Paris?", ["Paris"]),
        ("Is it raining in Seattle?", ["Seattle"]),
        ("The weather in Boston and in Paris", ["Boston", "Paris"]),
        ("Write a haiku about the sea.", []),
        ("Tell me the story of the Trojan horse.", []),
    ],
)
def test_automatic_function_calling_runs_the_function_only_when_the_prompt_needs_it(
    client: genai.Client, gemini_fake_server: Fake, prompt: str, cities: list[str], streamed: bool
) -> None:
    forecasts = Forecasts()
    config = types.GenerateContentConfig(tools=[forecasts.get_weather])
    responses = ask(client, prompt, config, streamed)
    assert forecasts.asked == cities
    text = text_of(responses)
    for city in cities:
        assert f"light rain in {city}, 12 degrees" in text
    if not cities:
        assert "light rain" not in text and text
    assert not responses[-1].function_calls
    if not streamed:  # the unary call's response is the answer to the function's results
        assert not responses[0].function_calls
    # One request, and one more with every call's result when there were calls: parallel calls
    # come in one turn.
    requests = gemini_fake_server.journal.calls(
        "streamGenerateContent" if streamed else "generateContent"
    )
    assert len(requests) == (2 if cities else 1)
    if cities:
        sent = requests[1].request
        assert sent is not None
        answered = sent["contents"][-1]["parts"]
        assert [p["functionResponse"]["name"] for p in answered] == ["get_weather"] * len(cities)


def declared(mode: str = "AUTO", **config: Any) -> types.GenerateContentConfig:
    weather = types.FunctionDeclaration(
        name="get_weather",
        description="Get the current weather for a city.",
        parameters_json_schema={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    )
    clock = types.FunctionDeclaration(
        name="get_time",
        description="Returns the current time in a location.",
        parameters_json_schema={
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    )
    calling = types.FunctionCallingConfig(mode=types.FunctionCallingConfigMode(mode))
    return types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[weather, clock])],
        tool_config=types.ToolConfig(function_calling_config=calling),
        **config,
    )


def calls_in(responses: list[types.GenerateContentResponse]) -> list[tuple[str, dict[str, Any]]]:
    return [(c.name or "", dict(c.args or {})) for r in responses for c in r.function_calls or []]


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
def test_parallel_calls_arrive_in_one_turn_with_only_the_first_signed(
    client: genai.Client, streamed: bool
) -> None:
    prompt = "Is it sunny in Rome and in Madrid, and what time is it in Tokyo?"
    config = declared()
    if streamed:
        responses = list(
            client.models.generate_content_stream(model=GEMINI_3, contents=prompt, config=config)
        )
    else:
        responses = [client.models.generate_content(model=GEMINI_3, contents=prompt, config=config)]
    assert calls_in(responses) == [
        ("get_weather", {"city": "Rome"}),
        ("get_weather", {"city": "Madrid"}),
        ("get_time", {"location": "Tokyo"}),
    ]
    # One turn: one response, or one stream (each call whole in a chunk of its own).
    calling = [
        part
        for r in responses
        for part in (r.candidates[0].content.parts or [])  # type: ignore[index, union-attr]
        if part.function_call
    ]
    assert len(calling) == 3
    assert calling[0].thought_signature and not any(p.thought_signature for p in calling[1:])


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
def test_modes_decide_whether_the_model_may_answer_in_text(
    client: genai.Client, streamed: bool
) -> None:
    joke = "Tell me a joke about penguins."
    assert calls_in(ask(client, joke, declared("AUTO"), streamed)) == []
    assert calls_in(ask(client, joke, declared("VALIDATED"), streamed)) == []
    forced = calls_in(ask(client, joke, declared("ANY"), streamed))
    assert [name for name, _ in forced] == ["get_weather"]
    rain = "Is it raining in Oslo?"
    assert calls_in(ask(client, rain, declared("NONE"), streamed)) == []
    assert calls_in(ask(client, rain, declared("VALIDATED"), streamed)) == [
        ("get_weather", {"city": "Oslo"})
    ]
