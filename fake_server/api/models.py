"""The models resource: ``models.get`` and ``models.list``, from the catalogue.

A model's ``supportedGenerationMethods`` lists only the methods the fake answers for it: those
a row of the route table serves (:data:`SERVED`), so that no listed method answers 404.
"""

from __future__ import annotations

import base64
from typing import Any

from ..http.adapter import ApiCall
from ..model import catalog
from ..protocol.errors import invalid_argument

MODELS_PAGE_SIZE = 50
MODELS_PAGE_SIZE_MAX = 1000

# The RPCs the route table serves, filled in by fake_server.api.routes once it is built.
SERVED: set[str] = set()
# A catalogue method served under an RPC of another name.
SERVED_AS = {"createCachedContent": "cachedContents.create"}


def served(method: str) -> bool:
    return method in SERVED or SERVED_AS.get(method) in SERVED


def resource(model: catalog.ModelInfo) -> dict[str, Any]:
    """The model as the service shows it, with the methods the fake serves."""
    body = model.resource()
    methods = body["supportedGenerationMethods"]
    body["supportedGenerationMethods"] = [m for m in methods if served(m)]
    return body


def listed() -> tuple[catalog.ModelInfo, ...]:
    """The catalogue's models the fake answers something for."""
    return tuple(m for m in catalog.MODELS if any(map(served, m.methods)))


async def get_model(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "catalogue"
    model = catalog.lookup(call.model or "")
    if model is None:
        raise call.model_not_found("get")
    return resource(model)


async def list_models(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "catalogue"
    size, token = call.page(MODELS_PAGE_SIZE, MODELS_PAGE_SIZE_MAX)
    start = _page_start(token)
    models = listed()
    page = models[start : start + size]
    body: dict[str, Any] = {"models": [resource(m) for m in page]}
    if start + size < len(models):
        body["nextPageToken"] = _page_token(page[-1].id)
    return body


def _page_token(last_id: str) -> str:
    """As the real service: base64 of a proto whose field 1 is the last name on the page."""
    name = f"models/{last_id}".encode()
    return base64.urlsafe_b64encode(b"\n" + bytes([len(name)]) + name).decode().rstrip("=")


def _page_start(token: str) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        name = raw[2 : 2 + raw[1]].decode().removeprefix("models/")
        ids = [m.id for m in listed()]
        return ids.index(name) + 1
    except (ValueError, IndexError, UnicodeDecodeError):
        raise invalid_argument("Invalid page token.") from None
