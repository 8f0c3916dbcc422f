"""Which function the fake's model calls for everyday prompts, and with what arguments.

One table of prompts against tool sets: each row names the calls expected (function and the
arguments that matter) or none. Negatives include prompts that share only stopwords with a
description; positives include prompts that share no word with the tool (synonyms).
"""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import pytest

from fake_server.model.tool_choice import function_calls


def fn(name: str, description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "parametersJsonSchema": {
            "type": "object",
            "properties": properties,
            "required": list(properties),
        },
    }


TEXT: dict[str, Any] = {"type": "string"}
WEATHER = fn(
    "get_weather",
    "Get the current weather for a city, for the given day.",
    city={"type": "string", "description": "The name of the city"},
)
TIME = fn("get_time", "Returns the current time in a location.", location=TEXT)
STOCK = fn("getStockPrice", "Look up the latest price of a stock.", symbol={"type": "string"})
EMAIL = fn("send_email", "Send an email to a person.", to=TEXT, subject=TEXT, body=TEXT)
CALENDAR = fn(
    "create_event",
    "Add an event to the user's calendar.",
    title=TEXT,
    date={"type": "string", "format": "date"},
)
SEARCH = fn("search_web", "Search the web and return the top results.", query=TEXT)
LIGHTS = fn(
    "set_light",
    "Switch a light in the house.",
    room={"type": "string", "enum": ["kitchen", "bedroom", "living room"]},
    on={"type": "boolean"},
)
TRANSLATE = fn(
    "translate_text", "Translate text into another language.", text=TEXT, target_language=TEXT
)
ADD = fn(
    "add_numbers",
    "Add two numbers and return their sum.",
    a={"type": "number"},
    b={"type": "number"},
)
FLIGHT = fn(
    "book_flight",
    "Reserve a seat on a plane.",
    origin=TEXT,
    destination=TEXT,
    passengers={"type": "integer", "minimum": 1, "maximum": 9},
)
CONVERT = fn(
    "convert_currency",
    "Convert an amount of money between currencies.",
    amount={"type": "number"},
    currency={"type": "string", "enum": ["USD", "EUR", "JPY", "GBP"]},
)

DAILY = [WEATHER, TIME]
HOME = [LIGHTS, WEATHER, EMAIL]
OFFICE = [EMAIL, CALENDAR, SEARCH]
MONEY = [STOCK, CONVERT, ADD]
TRIP = [FLIGHT, WEATHER, TRANSLATE]
EVERYTHING = [WEATHER, TIME, STOCK, EMAIL, CALENDAR, SEARCH, LIGHTS, TRANSLATE, ADD, FLIGHT]

Call = tuple[str, dict[str, Any]]
CASES: list[tuple[str, list[dict[str, Any]], list[Call]]] = [
    # --- no tool is relevant, whatever words the prompt shares with a description
    ("Write a haiku about the sea.", DAILY, []),
    ("Tell me a joke.", DAILY, []),
    ("What is the capital of France?", DAILY, []),
    ("Explain recursion for a beginner.", DAILY, []),
    ("What is the meaning of life?", [WEATHER], []),
    ("Give me the name of a good book for the summer.", [WEATHER], []),
    ("Summarize the plot of Hamlet in two sentences.", OFFICE, []),
    ("Who wrote Pride and Prejudice?", EVERYTHING, []),
    ("Write a poem about the given topic of love.", [WEATHER, SEARCH], []),
    ("How do vaccines work?", MONEY, []),
    ("Describe a cat to a child.", TRIP, []),
    ("Recommend a novel for a long weekend.", HOME, []),
    # --- the tool's own words
    ("What's the weather like in Boston?", DAILY, [("get_weather", {"city": "Boston"})]),
    ("What time is it in Tokyo?", DAILY, [("get_time", {"location": "Tokyo"})]),
    ("Search the web for electric cars.", OFFICE, [("search_web", {"query": "electric cars"})]),
    ("What is the stock price of AAPL?", MONEY, [("getStockPrice", {"symbol": "AAPL"})]),
    (
        'Translate "good morning" into Spanish.',
        TRIP,
        [("translate_text", {"text": "good morning", "target_language": "Spanish"})],
    ),
    ("Add 12 and 30.", MONEY, [("add_numbers", {"a": 12, "b": 30})]),
    # --- no word in common: related words of the domain
    ("Do I need an umbrella in Paris?", DAILY, [("get_weather", {"city": "Paris"})]),
    ("Is it raining in Seattle?", DAILY, [("get_weather", {"city": "Seattle"})]),
    ("Will it snow in Denver tomorrow?", DAILY, [("get_weather", {"city": "Denver"})]),
    ("How hot is it in Phoenix right now?", DAILY, [("get_weather", {"city": "Phoenix"})]),
    ("Should I bring a jacket to Oslo?", TRIP, [("get_weather", {"city": "Oslo"})]),
    ("When does the stock exchange open?", DAILY, [("get_time", {})]),
    ("What's the clock say in Sydney?", DAILY, [("get_time", {"location": "Sydney"})]),
    ("Turn on the kitchen lamp.", HOME, [("set_light", {"room": "kitchen", "on": True})]),
    ("Switch off the bedroom lights.", HOME, [("set_light", {"room": "bedroom", "on": False})]),
    ("Mail Alice about the budget.", OFFICE, [("send_email", {"to": "Alice"})]),
    ("Schedule a meeting on 2026-03-04.", OFFICE, [("create_event", {"date": "2026-03-04"})]),
    ("Find me reviews of the new Pixel phone.", OFFICE, [("search_web", {})]),
    ("How much is a share of NVDA?", MONEY, [("getStockPrice", {"symbol": "NVDA"})]),
    (
        "What is 250 dollars in EUR?",
        MONEY,
        [("convert_currency", {"amount": 250, "currency": "EUR"})],
    ),
    (
        "I want to fly from Boston to Denver with 3 people.",
        TRIP,
        [("book_flight", {"origin": "Boston", "destination": "Denver", "passengers": 3})],
    ),
    (
        "How do I say thank you in French?",
        TRIP,
        [("translate_text", {"target_language": "French"})],
    ),
    ("Calculate the total of 7 and 5.", MONEY, [("add_numbers", {"a": 7, "b": 5})]),
    # --- several entities for one function, or several functions: parallel calls
    (
        "The weather in Boston and in Paris",
        DAILY,
        [
            ("get_weather", {"city": "Boston"}),
            ("get_weather", {"city": "Paris"}),
        ],
    ),
    (
        "Is it sunny in Rome, Madrid and Lisbon?",
        DAILY,
        [
            ("get_weather", {"city": "Rome"}),
            ("get_weather", {"city": "Madrid"}),
            ("get_weather", {"city": "Lisbon"}),
        ],
    ),
    (
        "Quote AAPL and MSFT for me.",
        MONEY,
        [
            ("getStockPrice", {"symbol": "AAPL"}),
            ("getStockPrice", {"symbol": "MSFT"}),
        ],
    ),
    (
        "What time is it in Tokyo and what's the weather there?",
        DAILY,
        [
            ("get_weather", {"city": "Tokyo"}),
            ("get_time", {"location": "Tokyo"}),
        ],
    ),
    (
        "Email Bob the forecast for Chicago.",
        HOME,
        [
            ("get_weather", {"city": "Chicago"}),
            ("send_email", {"to": "Bob"}),
        ],
    ),
    (
        "Is it sunny in Rome and in Madrid, and what time is it in Tokyo?",
        DAILY,
        [
            ("get_weather", {"city": "Rome"}),
            ("get_weather", {"city": "Madrid"}),
            ("get_time", {"location": "Tokyo"}),
        ],
    ),
    (
        "Turn on the kitchen lamp and tell me the weather in Paris.",
        HOME,
        [("set_light", {"room": "kitchen", "on": True}), ("get_weather", {"city": "Paris"})],
    ),
    # --- the right tool among many
    ("Is it cold in Helsinki?", EVERYTHING, [("get_weather", {"city": "Helsinki"})]),
    ("Dim the living room lamp.", EVERYTHING, [("set_light", {"room": "living room"})]),
    ("Put an appointment with the dentist in my agenda.", EVERYTHING, [("create_event", {})]),
]


def request(prompt: str, tools: list[dict[str, Any]], **calling: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": prompt}]}],
        "tools": [{"functionDeclarations": tools}],
    }
    if calling:
        body["toolConfig"] = {"functionCallingConfig": calling}
    return body


def calls_for(body: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    return function_calls(body, random.Random(7))


@pytest.mark.parametrize(("prompt", "tools", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_prompt_gets_the_calls_a_model_would_make(
    prompt: str, tools: list[dict[str, Any]], expected: list[Call]
) -> None:
    calls = calls_for(request(prompt, tools))
    assert [c["name"] for c in calls] == [name for name, _ in expected]
    for call, (_, args) in zip(calls, expected, strict=True):
        assert {k: call["args"].get(k) for k in args} == args
        schema = next(t for t in tools if t["name"] == call["name"])["parametersJsonSchema"]
        jsonschema.validate(call["args"], schema)


def test_the_table_is_large_and_balanced() -> None:
    assert len(CASES) >= 40
    assert sum(1 for *_, expected in CASES if not expected) >= 10
    assert sum(1 for *_, expected in CASES if len(expected) > 1) >= 4


def test_the_same_request_gets_the_same_calls() -> None:
    body = request("Is it raining in Seattle?", DAILY)
    assert calls_for(body) == calls_for(body) == function_calls(body, random.Random(99))


def test_any_must_call_and_keeps_to_the_allowed_names() -> None:
    assert [c["name"] for c in calls_for(request("Tell me a joke.", DAILY, mode="ANY"))] == [
        "get_weather"
    ]
    allowed = request("Tell me a joke.", DAILY, mode="ANY", allowedFunctionNames=["get_time"])
    assert [c["name"] for c in calls_for(allowed)] == ["get_time"]
    relevant = request("Is it raining in Oslo?", DAILY, mode="ANY")
    assert calls_for(relevant)[0]["args"] == {"city": "Oslo"}


def test_validated_calls_like_auto_within_the_allowed_names() -> None:
    assert calls_for(request("Tell me a joke.", DAILY, mode="VALIDATED")) == ()
    rain = request("Is it raining in Oslo?", DAILY, mode="VALIDATED")
    assert [c["name"] for c in calls_for(rain)] == ["get_weather"]
    only_time = request(
        "Is it raining in Oslo?", DAILY, mode="VALIDATED", allowedFunctionNames=["get_time"]
    )
    assert calls_for(only_time) == ()


def test_none_never_calls() -> None:
    assert calls_for(request("Is it raining in Oslo?", DAILY, mode="NONE")) == ()


def test_a_function_response_turn_gets_no_call() -> None:
    body = request("Is it raining in Oslo?", DAILY)
    body["contents"] += [
        {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {}}}]},
    ]
    assert calls_for(body) == ()


def test_arguments_the_prompt_lacks_are_still_valid_against_the_schema() -> None:
    strict = fn(
        "get_weather",
        "Weather for a city.",
        city={"type": "string", "minLength": 20},
        days={"type": "integer", "minimum": 1, "maximum": 7},
        units={"type": "string", "enum": ["metric", "imperial"]},
    )
    [call] = calls_for(request("Weather in Paris for 30 days, in imperial units", [strict]))
    schema = strict["parametersJsonSchema"]
    jsonschema.validate(call["args"], schema)
    assert call["args"]["city"] != "Paris"  # too short for minLength
    assert call["args"]["days"] != 30  # past the maximum
    assert call["args"]["units"] == "imperial"
