"""``models.count_tokens``, ``models.get`` and the ``models.list`` pager."""

from __future__ import annotations

from typing import Any

import pytest

from gemini_ref import types

FLASH = {
    "name": "models/gemini-2.5-flash",
    "version": "001",
    "displayName": "Gemini 2.5 Flash",
    "inputTokenLimit": 1048576,
    "outputTokenLimit": 65536,
    "supportedGenerationMethods": ["generateContent", "countTokens"],
    "temperature": 1,
    "topP": 0.95,
    "topK": 64,
    "maxTemperature": 2,
    "thinking": True,
}


def model(name):
    return {"name": f"models/{name}"}


def test_count_tokens_posts_the_contents_and_reads_total_tokens(client, recorder):
    recorder.answers = [
        {"totalTokens": 12, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}]}
    ]

    counted = client.models.count_tokens(model="gemini-2.5-flash", contents="How does AI work?")

    assert recorder.request.method == "POST"
    assert recorder.request.url.path == "/v1beta/models/gemini-2.5-flash:countTokens"
    assert recorder.body == {
        "contents": [{"parts": [{"text": "How does AI work?"}], "role": "user"}]
    }
    assert counted.total_tokens == 12
    assert counted.prompt_tokens_details == [
        types.ModalityTokenCount(modality="TEXT", token_count=12)
    ]


@pytest.mark.parametrize("field", ["system_instruction", "tools", "generation_config"])
def test_count_tokens_refuses_config_fields_the_developer_api_lacks(client, recorder, field):
    value: Any = {"tools": [], "generation_config": {}}.get(field, "Be brief.")

    with pytest.raises(ValueError, match=f"config.{field}"):
        client.models.count_tokens(model="gemini-2.5-flash", contents="Hi", config={field: value})

    assert recorder.requests == []


def test_models_get_reads_the_model_resource(client, recorder):
    recorder.answers = [FLASH]

    found = client.models.get(model="gemini-2.5-flash")

    assert recorder.request.method == "GET"
    assert recorder.request.url.path == "/v1beta/models/gemini-2.5-flash"
    assert recorder.request.content == b""
    assert found.name == "models/gemini-2.5-flash"
    assert found.input_token_limit == 1048576
    assert found.supported_actions == ["generateContent", "countTokens"]
    assert found.thinking is True


def test_models_list_follows_next_page_token_across_pages(client, recorder):
    recorder.answers = [
        {"models": [model("a"), model("b")], "nextPageToken": "t1"},
        {"models": [model("c"), model("d")], "nextPageToken": "t2"},
        {"models": [model("e")]},
    ]

    names = [found.name for found in client.models.list(config={"page_size": 2})]

    assert names == [f"models/{letter}" for letter in "abcde"]
    assert [dict(request.url.params) for request in recorder.requests] == [
        {"pageSize": "2"},
        {"pageSize": "2", "pageToken": "t1"},
        {"pageSize": "2", "pageToken": "t2"},
    ]
    assert {request.url.path for request in recorder.requests} == {"/v1beta/models"}


def test_models_list_fetches_only_the_first_page_until_iterated(client, recorder):
    recorder.answers = [
        {"models": [model("a")], "nextPageToken": "t1"},
        {"models": [model("b")]},
    ]

    pager = client.models.list(config=types.ListModelsConfig(page_size=1))

    assert len(recorder.requests) == 1
    assert [found.name for found in pager.page] == ["models/a"]
    assert pager.next_page_token == "t1"
    assert [found.name for found in pager.next_page()] == ["models/b"]
    assert pager.next_page_token is None
    with pytest.raises(IndexError):
        pager.next_page()


def test_models_list_starts_from_a_given_page_token(client, recorder):
    recorder.answers = [{"models": [model("c")]}]

    list(client.models.list(config={"pageToken": "t2"}))

    assert dict(recorder.request.url.params) == {"pageToken": "t2"}


def test_models_list_of_an_empty_answer_is_empty(client, recorder):
    recorder.answers = [{}]

    assert list(client.models.list()) == []
    assert recorder.request.url.query == b""
