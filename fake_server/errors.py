"""The one error type handlers raise, and the one adapter that writes it.

Every failure the fake reports leaves through :func:`error_response`, in the Google envelope::

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT", "details": [...]}}

pretty-printed like every other body. On a stream request the real service keeps
``Content-Type: text/event-stream`` but sends the same JSON, unframed, with a ``Content-Length``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .wire import SSE_CONTENT_TYPE, GoogleResponse, dumps_array, dumps_pretty

TYPE_PREFIX = "type.googleapis.com/google.rpc."


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


def bad_request_detail(description: str, field: str | None = None) -> dict[str, Any]:
    """A ``google.rpc.BadRequest`` detail with one field violation."""
    violation = (
        {"field": field, "description": description} if field else {"description": description}
    )
    return {"@type": TYPE_PREFIX + "BadRequest", "fieldViolations": [violation]}


def error_response(error: ApiError, *, framing: str = "json") -> GoogleResponse:
    """The error as the service sends it for a request framed as ``framing``.

    ``"json"``: a unary call. ``"sse"``: a stream with ``alt=sse``, where the body is the same
    JSON, not an event, with ``Content-Type: text/event-stream`` and a length
    (docs/evidence.md#service-stream-errors). ``"array"``: a JSON-array stream, where the envelope
    is the array's one element.
    """
    if framing == "sse":
        body = dumps_pretty(error.envelope())
        return GoogleResponse(body, error.code, content_type=SSE_CONTENT_TYPE, chunked=False)
    if framing == "array":
        return GoogleResponse(dumps_array([error.envelope()]), error.code)
    return GoogleResponse(dumps_pretty(error.envelope()), error.code)
