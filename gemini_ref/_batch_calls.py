"""The batch operations without the I/O (``_calls`` has the rest): each a ``Call`` or a
``Listing``, and how the service's operation is read into the SDK's flat ``BatchJob``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import Any

from ._calls import Call, Listing, file_id, generate_content_body, listing, model_name
from ._coerce import coerce
from ._wire import from_wire
from .pagers import Page
from .types import (
    BatchJob,
    CreateBatchJobConfig,
    DeleteResourceJob,
    InlinedRequest,
    ListBatchJobsConfig,
)

BatchSource = str | list[InlinedRequest | Mapping[str, Any]]


def create_batch(
    model: str, src: BatchSource, config: CreateBatchJobConfig | Mapping[str, Any] | None
) -> Call[BatchJob]:
    """A batch of ``src``: inline requests (each ``contents``, ``config``, ``metadata``, as
    ``generate_content`` takes them) or the name of an uploaded JSONL file, ``"files/..."``."""
    options = coerce(CreateBatchJobConfig, config or {})
    if isinstance(src, str):
        source: dict[str, Any] = {"fileName": f"files/{file_id(src)}"}
    else:
        source = {"requests": {"requests": [_inlined(item) for item in src]}}
    batch: dict[str, Any] = {"inputConfig": source}
    if options.display_name is not None:
        batch = {"displayName": options.display_name, **batch}
    return Call(
        "POST", f"{model_name(model)}:batchGenerateContent", batch_job, body={"batch": batch}
    )


def _inlined(item: InlinedRequest | Mapping[str, Any]) -> dict[str, Any]:
    request = coerce(InlinedRequest, item)
    inlined: dict[str, Any] = {"request": generate_content_body(request.contents, request.config)}
    if request.metadata is not None:
        inlined["metadata"] = request.metadata
    return inlined


def get_batch(name: str) -> Call[BatchJob]:
    return Call("GET", f"batches/{batch_id(name)}", batch_job)


def cancel_batch(name: str) -> Call[None]:
    return Call("POST", f"batches/{batch_id(name)}:cancel", lambda data: None, body={})


def delete_batch(name: str) -> Call[DeleteResourceJob]:
    return Call(
        "DELETE",
        f"batches/{batch_id(name)}",
        partial(from_wire, DeleteResourceJob),
        empty_ok=True,
    )


def list_batches(config: ListBatchJobsConfig | Mapping[str, Any] | None) -> Listing[BatchJob]:
    options = coerce(ListBatchJobsConfig, config or {})
    return listing("batches", _batches_page, options.page_size, options.page_token)


def _batches_page(data: Any) -> Page[BatchJob]:
    return Page([batch_job(op) for op in data.get("operations", [])], data.get("nextPageToken"))


def batch_job(operation: Any) -> BatchJob:
    """The service's operation read as the SDK reads it: the batch is its ``metadata``, the
    answers its ``metadata.output`` (docs/batches.md#what-the-sdks-read)."""
    batch = operation.get("metadata", {})
    output = batch.get("output", {})
    dest = {
        "fileName": output.get("responsesFile"),
        "inlinedResponses": output.get("inlinedResponses", {}).get("inlinedResponses"),
    }
    state = batch.get("state")
    flat = {
        "name": operation.get("name"),
        "displayName": batch.get("displayName"),
        "state": state.replace("BATCH_STATE_", "JOB_STATE_") if state else None,
        "error": operation.get("error"),
        "createTime": batch.get("createTime"),
        "endTime": batch.get("endTime"),
        "updateTime": batch.get("updateTime"),
        "model": batch.get("model"),
        "dest": {k: v for k, v in dest.items() if v is not None} if output else None,
    }
    return from_wire(BatchJob, {k: v for k, v in flat.items() if v is not None})


def batch_id(name: str) -> str:
    """The ID in a batch's name: ``batches/abc`` → ``abc`` (the SDK takes only that form)."""
    if not isinstance(name, str) or not re.fullmatch(r"batches/[^/?#%]+", name):
        raise ValueError(f"invalid batch name {name!r}; expected 'batches/<id>'")
    return name.removeprefix("batches/")
