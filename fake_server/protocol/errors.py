"""The one error type the fake raises for an answer in Google's error envelope::

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT", "details": [...]}}

Handlers, the transcoder and the service's checks raise :class:`ApiError`; the adapter
(:func:`fake_server.http.responses.error_response`) is the one place that writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TYPE_PREFIX = "type.googleapis.com/google.rpc."

# google.rpc.Code names and the HTTP status each is sent with. UNKNOWN has been seen with a
# 302 as well as 500, so it goes with any code.
ERROR_STATUSES: dict[str, int] = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INTERNAL": 500,
    "DATA_LOSS": 500,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}


class ApiError(Exception):
    """An answer in the Google error envelope: HTTP code, canonical status, message, details."""

    def __init__(
        self, code: int, status: str, message: str, details: Sequence[dict[str, Any]] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.details = list(details)
        self.headers: dict[str, str] = {}  # more headers the answer carries

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid_argument(message: str, details: Sequence[dict[str, Any]] = ()) -> ApiError:
    return ApiError(400, "INVALID_ARGUMENT", message, details)


def failed_precondition(message: str, details: Sequence[dict[str, Any]] = ()) -> ApiError:
    return ApiError(400, "FAILED_PRECONDITION", message, details)


def permission_denied(message: str, details: Sequence[dict[str, Any]] = ()) -> ApiError:
    return ApiError(403, "PERMISSION_DENIED", message, details)


def not_found(message: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


def payload_too_large(limit: int) -> ApiError:
    """A request body past the service's size limit (docs/evidence.md#service-request-size)."""
    return invalid_argument(f"Request payload size exceeds the limit: {limit} bytes.")


def internal_error() -> ApiError:
    """What the service says when it fails on its side; the fake says it only for a fault of
    its own (which the fake's own fuzz tests look for)."""
    return ApiError(
        500,
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    )


def bad_request_detail(description: str, field: str | None = None) -> dict[str, Any]:
    """A ``google.rpc.BadRequest`` detail with one field violation."""
    violation = (
        {"field": field, "description": description} if field else {"description": description}
    )
    return {"@type": TYPE_PREFIX + "BadRequest", "fieldViolations": [violation]}
