"""``client.batches`` and ``client.aio.batches``: many generate requests at half the price,
answered within a day (docs/batches.md)::

    job = client.batches.create(
        model="gemini-2.5-flash",
        src=[{"contents": "Hi", "metadata": {"key": "a"}}],  # or "files/<an uploaded JSONL>"
    )
    while not (job := client.batches.get(name=job.name)).done:
        time.sleep(30)
    for answer in job.dest.inlined_responses:
        print(answer.metadata, answer.response.text if answer.response else answer.error)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._batch_calls import (
    BatchSource,
    cancel_batch,
    create_batch,
    delete_batch,
    get_batch,
    list_batches,
)
from ._caller import AsyncCaller, Caller
from .pagers import AsyncPager, Pager
from .types import BatchJob, CreateBatchJobConfig, DeleteResourceJob, ListBatchJobsConfig

__all__ = ["AsyncBatches", "Batches"]

CreateConfigLike = CreateBatchJobConfig | Mapping[str, Any]
ListConfigLike = ListBatchJobsConfig | Mapping[str, Any]


class Batches:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def create(
        self, *, model: str, src: BatchSource, config: CreateConfigLike | None = None
    ) -> BatchJob:
        """A new batch job (``JOB_STATE_PENDING``) of ``src``: a list of inline requests, or the
        name of an uploaded JSONL file, one ``{"key": ..., "request": {...}}`` per line."""
        return self._caller.send(create_batch(model, src, config))

    def get(self, *, name: str) -> BatchJob:
        """The job now (``"batches/<id>"``); once ``done``, ``dest`` holds its answers."""
        return self._caller.send(get_batch(name))

    def list(self, *, config: ListConfigLike | None = None) -> Pager[BatchJob]:
        """Every batch job, newest first; iterating the pager fetches further pages."""
        return self._caller.pager(list_batches(config))

    def cancel(self, *, name: str) -> None:
        """Stop a job not yet done (it becomes ``JOB_STATE_CANCELLED``)."""
        self._caller.send(cancel_batch(name))

    def delete(self, *, name: str) -> DeleteResourceJob:
        """Forget a job (its result file stays until deleted or expired)."""
        return self._caller.send(delete_batch(name))


class AsyncBatches:
    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def create(
        self, *, model: str, src: BatchSource, config: CreateConfigLike | None = None
    ) -> BatchJob:
        """As ``client.batches.create``."""
        return await self._caller.send(create_batch(model, src, config))

    async def get(self, *, name: str) -> BatchJob:
        return await self._caller.send(get_batch(name))

    async def list(self, *, config: ListConfigLike | None = None) -> AsyncPager[BatchJob]:
        return await self._caller.pager(list_batches(config))

    async def cancel(self, *, name: str) -> None:
        await self._caller.send(cancel_batch(name))

    async def delete(self, *, name: str) -> DeleteResourceJob:
        return await self._caller.send(delete_batch(name))
