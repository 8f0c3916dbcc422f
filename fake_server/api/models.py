"""The models resource: ``models.get`` and ``models.list``, from the catalogue."""

from __future__ import annotations

import base64
from typing import Any

from ..http.adapter import ApiCall
from ..model import catalog
from ..protocol.errors import invalid_argument

MODELS_PAGE_SIZE = 50
MODELS_PAGE_SIZE_MAX = 1000


async def get_model(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "catalogue"
    model = catalog.lookup(call.model or "")
    if model is None:
        raise call.model_not_found("get")
    return model.resource()


async def list_models(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "catalogue"
    size, token = call.page(MODELS_PAGE_SIZE, MODELS_PAGE_SIZE_MAX)
    start = _page_start(token)
    page = catalog.MODELS[start : start + size]
    body: dict[str, Any] = {"models": [m.resource() for m in page]}
    if start + size < len(catalog.MODELS):
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
        ids = [m.id for m in catalog.MODELS]
        return ids.index(name) + 1
    except (ValueError, IndexError, UnicodeDecodeError):
        raise invalid_argument("Invalid page token.") from None
