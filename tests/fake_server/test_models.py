"""models.list and models.get: the catalogue, paged and shaped as the real service."""

from __future__ import annotations

import base64

import httpx

from fake_server.model import catalog


def test_list_pages_through_the_whole_catalogue(client: httpx.Client) -> None:
    names: list[str] = []
    token = ""
    pages = 0
    while True:
        params = {"pageSize": "3", **({"pageToken": token} if token else {})}
        body = client.get("/v1beta/models", params=params).json()
        names += [m["name"] for m in body["models"]]
        pages += 1
        token = body.get("nextPageToken", "")
        if not token:
            break
    assert names == [f"models/{m.id}" for m in catalog.MODELS]
    assert pages == -(-len(catalog.MODELS) // 3)


def test_page_token_encodes_the_last_name_as_the_service_does(client: httpx.Client) -> None:
    body = client.get("/v1/models", params={"pageSize": "1"}).json()
    token = body["nextPageToken"]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert raw == b"\n\x17models/gemini-2.5-flash"


def test_default_page_holds_every_model_here(client: httpx.Client) -> None:
    body = client.get("/v1beta/models").json()
    assert "nextPageToken" not in body
    assert len(body["models"]) == len(catalog.MODELS)


def test_bad_page_token_is_invalid_argument(client: httpx.Client) -> None:
    response = client.get("/v1beta/models", params={"pageToken": "garbage"})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_get_returns_the_resource_in_the_real_key_order(client: httpx.Client) -> None:
    model = client.get("/v1beta/models/gemini-2.5-flash").json()
    assert list(model) == [
        "name",
        "version",
        "displayName",
        "description",
        "inputTokenLimit",
        "outputTokenLimit",
        "supportedGenerationMethods",
        "temperature",
        "topP",
        "topK",
        "maxTemperature",
        "thinking",
    ]
    assert model["name"] == "models/gemini-2.5-flash"
    assert model["inputTokenLimit"] == 1048576
    assert model["outputTokenLimit"] == 65536


def test_get_accepts_the_models_prefix_and_aliases(client: httpx.Client) -> None:
    assert (
        client.get("/v1/models/gemini-flash-latest").json()["name"] == "models/gemini-flash-latest"
    )
    assert "thinking" not in client.get("/v1/models/gemini-2.0-flash").json()


def test_get_unknown_model_is_not_found(client: httpx.Client) -> None:
    response = client.get("/v1beta/models/gemini-nope")
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith(
        "models/gemini-nope is not found for API version v1beta"
    )


def test_catalogue_has_the_models_the_guide_uses() -> None:
    for name in ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-2.0-flash"):
        assert catalog.lookup(name) is not None
    alias = catalog.lookup("models/gemini-flash-latest")
    assert alias is not None and catalog.resolve(alias).id == "gemini-2.5-flash"
