"""Routes and keys over HTTP, against the target.

The rules:

* the key may come in the ``x-goog-api-key`` header or as ``?key=`` (older docs put it there,
  so a server takes both: docs/evidence.md#sdk-docs-curl); a
  call with neither is refused (docs/errors.md);
* each model serves the methods its ``supportedGenerationMethods`` lists; any other is the 404
  ``models/M is not found for API version V, or is not supported for <base method>`` (the base
  method: ``embedContent`` for ``:batchEmbedContents``) (docs/errors.md,
  docs/evidence.md#service-errors);
* the API is served under ``/v1`` as well as ``/v1beta``, and the 404 names the version asked.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._target import Target

HI = {"contents": [{"parts": [{"text": "Hi"}], "role": "user"}]}
EMBED = {"content": {"parts": [{"text": "Hi"}]}}
NOT_SUPPORTED = (
    "models/{model} is not found for API version {version}, or is not supported for {method}. "
    "Call ModelService.ListModels to see the list of available models and their supported "
    "methods."
)


def test_the_key_may_come_as_a_query_parameter(target: Target) -> None:
    http = target.http()
    path = "/v1beta/models/gemini-2.5-flash:generateContent"
    assert http.post(path, json=HI).status_code == 403
    reply = http.post(path, params={"key": target.api_key}, json=HI)
    assert reply.status_code == 200, reply.text
    assert reply.json()["candidates"]


def methods_of(target: Target, model: str) -> list[str]:
    reply = target.http(key=True).get(f"/v1beta/models/{model}")
    assert reply.status_code == 200
    methods: list[str] = reply.json()["supportedGenerationMethods"]
    return methods


CASES: list[tuple[str, str, str, str, dict[str, Any]]] = [
    # (model, path's method, base method, version, body)
    ("gemini-embedding-001", "generateContent", "generateContent", "v1beta", HI),
    ("gemini-embedding-001", "streamGenerateContent?alt=sse", "generateContent", "v1", HI),
    ("gemini-2.5-flash", "embedContent", "embedContent", "v1beta", EMBED),
    ("gemini-2.5-flash", "batchEmbedContents", "embedContent", "v1", {"requests": []}),
]


@pytest.mark.parametrize(("model", "rpc", "base", "version", "body"), CASES)
def test_a_model_refuses_a_method_it_does_not_list(
    target: Target, model: str, rpc: str, base: str, version: str, body: dict[str, Any]
) -> None:
    assert base not in methods_of(target, model)
    reply = target.http(key=True).post(f"/{version}/models/{model}:{rpc}", json=body)
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["status"] == "NOT_FOUND"
    assert error["message"] == NOT_SUPPORTED.format(model=model, version=version, method=base)


@pytest.mark.parametrize("version", ["v1", "v1beta"])
def test_each_model_serves_what_it_lists(target: Target, version: str) -> None:
    http = target.http(key=True)
    assert "generateContent" in methods_of(target, "gemini-2.5-flash")
    reply = http.post(f"/{version}/models/gemini-2.5-flash:generateContent", json=HI)
    assert reply.status_code == 200
    assert "embedContent" in methods_of(target, "gemini-embedding-001")
    reply = http.post(f"/{version}/models/gemini-embedding-001:embedContent", json=EMBED)
    assert reply.status_code == 200
    assert reply.json()["embedding"]["values"]
