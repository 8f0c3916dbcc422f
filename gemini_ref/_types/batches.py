"""Batch jobs (``batches.create``, ``batches.get``…): what they hold, as the SDK shows them.

The service answers an operation, ``{"name", "metadata": {...the batch...}, "done", ...}``; the
SDK (and ``_batch_calls.batch_job``) reads it into a flat ``BatchJob`` whose ``state`` is a
``JobState`` (``BATCH_STATE_RUNNING`` becomes ``JOB_STATE_RUNNING``) and whose ``dest`` holds the
answers: inline, or the name of the result file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .base import Base
from .configs import GenerateContentConfig
from .responses import GenerateContentResponse


@dataclass(kw_only=True, repr=False, eq=False)
class InlinedRequest(Base):
    """One request of an inline batch: what ``generate_content`` takes, and your ``metadata``
    (returned with its answer)."""

    contents: Any = None
    config: GenerateContentConfig | None = None
    metadata: dict[str, Any] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class JobError(Base):
    """A ``google.rpc.Status``: its ``code`` is a gRPC code (3 is INVALID_ARGUMENT), not HTTP."""

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class InlinedResponse(Base):
    """The answer to one inline request: its ``response`` or its ``error``, and its metadata."""

    response: GenerateContentResponse | None = None
    metadata: dict[str, Any] | None = None
    error: JobError | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class BatchJobDestination(Base):
    file_name: str | None = None
    """The result file (``files/...``): one JSON line per request, ``{"key", "response"}`` or
    ``{"key", "error"}``."""
    inlined_responses: list[InlinedResponse] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class BatchJob(Base):
    name: str | None = None
    display_name: str | None = None
    state: str | None = None
    error: JobError | None = None
    create_time: datetime | None = None
    end_time: datetime | None = None
    update_time: datetime | None = None
    model: str | None = None
    dest: BatchJobDestination | None = None

    @property
    def done(self) -> bool:
        """Whether the job has stopped: succeeded, failed, cancelled or expired."""
        return self.state in DONE_STATES


DONE_STATES = frozenset(
    {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}
)


@dataclass(kw_only=True, repr=False, eq=False)
class CreateBatchJobConfig(Base):
    display_name: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ListBatchJobsConfig(Base):
    page_size: int | None = None
    page_token: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class DeleteResourceJob(Base):
    """The answer to ``batches.delete`` (empty from the service)."""

    name: str | None = None
    done: bool | None = None
    error: JobError | None = None
