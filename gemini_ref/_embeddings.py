"""``models.embed_content`` as a ``Call``: one ``:batchEmbedContents`` request, as the official
SDK sends it to the Developer API (one request per content, the config copied into each)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ._calls import Call, model_name
from ._coerce import coerce
from ._contents import to_content, to_contents
from ._wire import from_wire, to_wire
from .types import EmbedContentConfig, EmbedContentResponse


def embed_content(
    model: str, contents: Any, config: EmbedContentConfig | Mapping[str, Any] | None
) -> Call[EmbedContentResponse]:
    """Each item of ``contents`` is its own input and gets its own vector; on the multimodal
    gemini-embedding-2, as in the SDK, a list is one input made of its parts."""
    name = model_name(model)
    if "gemini-embedding-2" in name:
        inputs = to_contents(contents)
    elif isinstance(contents, list | tuple):
        inputs = [to_content(item) for item in contents]
    else:
        inputs = [to_content(contents)]
    if not inputs:
        raise ValueError("contents are required: pass a string, a Part, a Content or a list")
    options = to_wire(coerce(EmbedContentConfig, config or {}))
    requests = [{"model": name, "content": to_wire(c), **options} for c in inputs]
    return Call(
        "POST",
        f"{name}:batchEmbedContents",
        parse=partial(from_wire, EmbedContentResponse),
        body={"requests": requests},
    )
