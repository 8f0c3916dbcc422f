"""The catalogue tells the truth: every method ``models.list`` advertises for a model is
answered for that model, and what no route serves is not advertised."""

from __future__ import annotations

from typing import Any

import httpx

from fake_server.api import models
from fake_server.api.routes import ROUTE_TABLE
from fake_server.model import catalog

CONTENTS = [{"role": "user", "parts": [{"text": "What is the meaning of life?"}]}]

# How to call each method the catalogue can advertise: path and body, for model {m}.
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "generateContent": ("/v1beta/models/{m}:generateContent", {"contents": CONTENTS}),
    "countTokens": ("/v1beta/models/{m}:countTokens", {"contents": CONTENTS}),
    "embedContent": ("/v1beta/models/{m}:embedContent", {"content": CONTENTS[0]}),
    "createCachedContent": (
        "/v1beta/cachedContents",
        {"model": "models/{m}", "contents": CONTENTS * 400},
    ),
    "batchGenerateContent": (
        "/v1beta/models/{m}:batchGenerateContent",
        {
            "batch": {
                "displayName": "catalogue",
                "inputConfig": {"requests": {"requests": [{"request": {"contents": CONTENTS}}]}},
            }
        },
    ),
}
ANSWERED_IN_FULL = ("generateContent", "countTokens", "embedContent")


def every_listed_model(client: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        page = client.get("/v1beta/models", params={"pageToken": token} if token else {}).json()
        found += page["models"]
        token = page.get("nextPageToken", "")
        if not token:
            return found


def test_no_listed_method_answers_404(client: httpx.Client) -> None:
    listed = every_listed_model(client)
    assert listed
    for model in listed:
        model_id = model["name"].removeprefix("models/")
        for method in model["supportedGenerationMethods"]:
            assert method in CALLS, f"{method} is listed: add how to call it to CALLS"
            path, body = CALLS[method]
            sent = {k: v.format(m=model_id) if k == "model" else v for k, v in body.items()}
            response = client.post(path.format(m=model_id), json=sent)
            assert response.status_code not in (404, 500), (model_id, method, response.text)
            if method in ANSWERED_IN_FULL:
                assert response.status_code == 200, (model_id, method, response.text)


def test_a_model_lists_only_methods_a_route_serves(client: httpx.Client) -> None:
    rpcs = {spec.rpc for spec in ROUTE_TABLE}
    for model in every_listed_model(client):
        for method in model["supportedGenerationMethods"]:
            assert method in rpcs or models.SERVED_AS.get(method) in rpcs


def test_the_embedding_models_list_what_they_answer(client: httpx.Client) -> None:
    for model_id in ("gemini-embedding-001", "gemini-embedding-2"):
        model = client.get(f"/v1beta/models/{model_id}").json()
        assert model["supportedGenerationMethods"][:1] == ["embedContent"]
        assert "countTokens" in model["supportedGenerationMethods"]
        # Listed by the service, answered by no route here: left out.
        assert "countTextTokens" not in model["supportedGenerationMethods"]
        assert "temperature" not in model


def test_a_method_without_a_route_is_left_out_and_a_model_without_any_is_unlisted() -> None:
    unserved = catalog.ModelInfo("imagen-x", "1", "Imagen", "", 480, 8192, methods=("predict",))
    assert models.resource(unserved)["supportedGenerationMethods"] == []
    assert unserved not in models.listed()
    flash = catalog.lookup("gemini-2.5-flash")
    assert flash is not None and flash in models.listed()
    assert set(models.resource(flash)["supportedGenerationMethods"]) <= set(flash.methods)
