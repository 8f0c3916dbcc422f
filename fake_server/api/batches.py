"""The batches resource: ``models.batchGenerateContent`` and ``batches.get``, ``batches.list``,
``batches.cancel`` and ``batches.delete`` (docs/batches.md).

A batch's requests come inline (``inputConfig.requests.requests[]``, each an InlinedRequest)
or as a JSONL file uploaded through the Files API (``inputConfig.fileName``, one
``{"key": ..., "request": {...}}`` per line). Each is answered as ``generateContent`` would
answer it, by the same stand-in model (a fixture if one matches, else a synthetic answer); a
request the service would refuse gets its error as a Status in its place, and the batch goes on.
The answers are worked out when a call first finds the batch due (:mod:`fake_server.store.batches`
says when), inline or written to a result file (``files/batch-<id>``) that the Files API shows
and serves for download (:mod:`.downloads`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread

from ..fixtures.key import Call
from ..http.adapter import ApiCall
from ..model import catalog, generation, validate
from ..model.catalog import ModelInfo
from ..protocol.errors import ApiError, invalid_argument, not_found
from ..protocol.json_body import read_json
from ..protocol.transcode import transcode
from ..state import FakeState
from ..store import PendingUpload
from ..store.batches import (
    CANCELLED,
    EXPIRED,
    FAILED,
    MAX_ACTIVE_BATCHES,
    SUCCEEDED,
    Batch,
    Outcome,
    status_of,
)
from . import files
from .generate import _strict_miss

# The fake's own bounds on a batch (docs/deviations.md): the service takes inline requests up
# to its 20 MB request size and files up to 2 GB; the fake answers every request of a batch at
# once, so it takes fewer.
MAX_BATCH_REQUESTS = 2_000
MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024
MAX_HELD_BYTES = 256 * 1024 * 1024  # inline requests held by unfinished batches, in all
BATCHES_PAGE_SIZE, BATCHES_PAGE_SIZE_MAX = 10, 100  # the project's choice (docs/batches.md)
RESULT_MIME_TYPE = "application/jsonl"
LONGEST_DELAY = 7 * 24 * 3600.0  # past 48 hours a batch expires anyway


def no_such_batch(batch_id: str) -> ApiError:
    return not_found(f"Batch batches/{batch_id} not found.")


async def create(call: ApiCall) -> dict[str, Any]:
    """``POST /{v}/models/{m}:batchGenerateContent``: a new PENDING batch."""
    body = await call.body("BatchGenerateContentRequest")
    model = call.model_info("batchGenerateContent")
    state, now = call.state, call.state.clock.now()
    call.repeatable = False
    spec = body.get("batch")
    if not isinstance(spec, dict):
        raise invalid_argument("BatchGenerateContentRequest.batch is required.")
    source = spec.get("inputConfig") or {}
    inline, file_name = source.get("requests"), source.get("fileName")
    if (inline is None) == (file_name is None):
        raise invalid_argument(
            "GenerateContentBatch.input_config: exactly one of file_name and requests is required."
        )
    if state.batches.active(now) >= MAX_ACTIVE_BATCHES:
        raise ApiError(
            429,
            "RESOURCE_EXHAUSTED",
            f"Too many batches are running: at most {MAX_ACTIVE_BATCHES} at once. "
            "Wait for one to finish, or cancel one.",
        )
    batch = Batch(
        batch_id=state.batches.new_id(),
        model=f"models/{model.id}",
        display_name=str(spec.get("displayName") or ""),
        created=now,
        delay=timedelta(seconds=min(state.config.batch_delay, LONGEST_DELAY)),
        request_count=0,
        api_version=call.version,
        priority=int(spec.get("priority") or 0),
    )
    if inline is not None:
        requests = inline.get("requests") or []
        _check_count(len(requests))
        if state.batches.held_bytes() + len(call.raw) > MAX_HELD_BYTES:
            raise ApiError(
                429,
                "RESOURCE_EXHAUSTED",
                "Too many inline requests are waiting in batches; wait for a batch to finish.",
            )
        batch.requests, batch.request_count = requests, len(requests)
        batch.held_bytes = len(call.raw)
    else:
        batch.file_name = _input_file(state, str(file_name))
        batch.request_count = len(_lines(state, batch.file_name))
        _check_count(batch.request_count)
    state.batches.add(batch)
    call.answered_by = f"batch:{batch.batch_id}"
    await settled(state, batch, now)
    return batch.operation(now)


async def get_batch(call: ApiCall) -> dict[str, Any]:
    batch = _find(call)
    now = call.state.clock.now()
    await settled(call.state, batch, now)
    return batch.operation(now)


async def list_batches(call: ApiCall) -> dict[str, Any]:
    call.answered_by = "batches"
    everything = list(call.state.batches.all())
    page, body = call.offset_page(everything, BATCHES_PAGE_SIZE, BATCHES_PAGE_SIZE_MAX)
    now = call.state.clock.now()
    for batch in page:
        await settled(call.state, batch, now)
    if page:
        body = {"operations": [batch.operation(now) for batch in page], **body}
    return body


async def cancel(call: ApiCall) -> dict[str, Any]:
    """A batch not yet done is CANCELLED (its requests are never answered); cancelling a
    finished batch changes nothing."""
    batch = _find(call)
    now = call.state.clock.now()
    await settled(call.state, batch, now)
    with batch.settling:
        if batch.final_state is None:
            error = status_of(ApiError(499, "CANCELLED", "The batch was cancelled."))
            batch.finish(CANCELLED, Outcome(error=error), now)
    return {}


async def delete(call: ApiCall) -> dict[str, Any]:
    """Forgets the batch (a result file stays, as files do, until deleted or expired)."""
    batch = _find(call)
    call.state.batches.delete(batch.batch_id)
    return {}


def _find(call: ApiCall) -> Batch:
    call.answered_by = "batches"
    batch_id = call.request.path_params["batch"]
    batch = call.state.batches.get(batch_id)
    if batch is None:
        raise no_such_batch(batch_id)
    call.answered_by = f"batch:{batch_id}"
    return batch


def _check_count(count: int) -> None:
    if count == 0:
        raise invalid_argument("A batch needs at least one request.")
    if count > MAX_BATCH_REQUESTS:
        raise invalid_argument(
            f"A batch holds at most {MAX_BATCH_REQUESTS} requests in gemini-fake; "
            f"this one has {count}."
        )


def _input_file(state: FakeState, name: str) -> str:
    """The input file's name, once it is known to exist, be ACTIVE and be small enough."""
    file_id = name.rsplit("files/", 1)[-1]
    stored = files.find(state.store, file_id)
    files.check_files([file_id], state.store, media=False)
    if stored.size > MAX_BATCH_FILE_BYTES:
        raise invalid_argument(
            f"A batch's input file holds at most {MAX_BATCH_FILE_BYTES} bytes in gemini-fake; "
            f"files/{file_id} has {stored.size}."
        )
    return f"files/{file_id}"


def _lines(state: FakeState, file_name: str) -> list[bytes]:
    """The non-blank lines of an input file (its size is bounded at creation)."""
    path = state.store.data_path(file_name.removeprefix("files/"))
    with path.open("rb") as data:
        text = data.read(MAX_BATCH_FILE_BYTES + 1)
    return [line for line in text.splitlines() if line.strip()]


# --- finishing a batch -------------------------------------------------------------------------


async def settled(state: FakeState, batch: Batch, now: datetime) -> None:
    """``batch`` finished if it is due, its answers worked out on a worker thread (a batch of
    thousands of requests takes a second or two: other clients are not kept waiting)."""
    if batch.is_due(now):
        await anyio.to_thread.run_sync(settle, state, batch, now)


def settle(state: FakeState, batch: Batch, now: datetime) -> None:
    """If ``batch`` is due, finish it: expired, failed, or its requests answered."""
    with batch.settling:
        if batch.is_due(now):
            _finish(state, batch)


def _finish(state: FakeState, batch: Batch) -> None:
    if batch.overdue():
        error = ApiError(504, "DEADLINE_EXCEEDED", "The batch did not finish within 48 hours.")
        batch.finish(EXPIRED, Outcome(error=status_of(error)), batch.expires)
        return
    model = catalog.lookup(batch.model) or catalog.stand_in(batch.model)
    if batch.requests is not None:
        inlined = [_inlined(state, model, item) for item in batch.requests]
        failed = sum(1 for item in inlined if "error" in item)
        outcome = Outcome(len(inlined) - failed, failed, inlined=inlined)
        batch.finish(SUCCEEDED, outcome, batch.due)
        return
    assert batch.file_name is not None
    if state.store.get(batch.file_name.removeprefix("files/")) is None:
        error = ApiError(404, "NOT_FOUND", f"The input file {batch.file_name} no longer exists.")
        batch.finish(FAILED, Outcome(error=status_of(error)), batch.due)
        return
    lines = [_line(state, model, batch.api_version, raw) for raw in _lines(state, batch.file_name)]
    failed = sum(1 for line in lines if "error" in line)
    data = b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
    result = _write_result(state, batch, data)
    batch.finish(SUCCEEDED, Outcome(len(lines) - failed, failed, responses_file=result), batch.due)


def _inlined(state: FakeState, model: ModelInfo, item: dict[str, Any]) -> dict[str, Any]:
    """An InlinedResponse: the request's metadata, and its response or error."""
    answer: dict[str, Any] = {}
    if "metadata" in item:
        answer["metadata"] = item["metadata"]
    try:
        answer["response"] = answer_one(state, model, item.get("request") or {})
    except ApiError as error:
        answer["error"] = status_of(error)
    return answer


def _line(state: FakeState, model: ModelInfo, version: str, raw: bytes) -> dict[str, Any]:
    """One line of the result file: the input line's key, and its response or error."""
    answer: dict[str, Any] = {}
    try:
        value = read_json(raw)
        if isinstance(value, dict) and "key" in value:
            answer["key"] = value["key"]
        if not isinstance(value, dict) or not isinstance(value.get("request"), dict):
            raise invalid_argument('Each line of a batch file is {"key": ..., "request": {...}}.')
        request = transcode(value["request"], "GenerateContentRequest", version)
        answer["response"] = answer_one(state, model, request)
    except ApiError as error:
        answer["error"] = status_of(error)
    except RecursionError:
        answer["error"] = status_of(invalid_argument("The request is nested too deeply."))
    return answer


def answer_one(state: FakeState, model: ModelInfo, request: dict[str, Any]) -> dict[str, Any]:
    """What ``generateContent`` answers for ``request`` on ``model``, or the ApiError it
    raises: the same checks, and the same stand-in model (fixtures first, then synthesis)."""
    validate.check_generate(request, model)
    named = files.file_ids(request)
    files.check_files(named, state.store)
    lookup = Call("generateContent", model.id, request)
    stand_ins = state.fixtures.stand_ins(request, files.uploaded(state.store))
    resolved = catalog.resolve(model)
    try:
        generated = generation.generate(
            state.fixtures,
            lookup,
            resolved,
            strict=state.config.strict,
            file_tokens=files.file_tokens(state.store, resolved.family),
            files=stand_ins,
        )
    except generation.NoFixture as no_fixture:
        raise _strict_miss("generateContent", no_fixture.miss) from None
    except generation.RecordedError as recorded:
        error = recorded.error
        raise ApiError(
            error["code"], error["status"], error["message"], error.get("details", ())
        ) from None
    return generated.body


def _write_result(state: FakeState, batch: Batch, data: bytes) -> str:
    """The result file, as the Files API shows a generated file; its name."""
    store = state.store
    file_id = f"batch-{store.new_id(12)}"
    upload_id = store.new_id(24)
    store.part_path(upload_id).write_bytes(data)
    session = PendingUpload(
        upload_id=upload_id,
        file_id=file_id,
        mime_type=RESULT_MIME_TYPE,
        display_name=f"{batch.name}-output",
        declared_size=len(data),
        started=batch.due.isoformat(),
        api_version=batch.api_version,
    )
    store.commit(session, timedelta(0), source="GENERATED")
    return f"files/{file_id}"
