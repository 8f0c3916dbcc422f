"""Every error this package raises on purpose.

The hierarchy::

    GeminiError
    ├── APIError                    the service answered, but not with 200
    │   ├── ClientError             4xx: change the request
    │   │   ├── BadRequestError         400 INVALID_ARGUMENT (also an invalid key)
    │   │   ├── AuthenticationError     401 UNAUTHENTICATED
    │   │   ├── PermissionDeniedError   403 PERMISSION_DENIED (also a missing key)
    │   │   ├── NotFoundError           404 NOT_FOUND
    │   │   ├── ConflictError           409 ABORTED, ALREADY_EXISTS
    │   │   └── RateLimitError          429 RESOURCE_EXHAUSTED (see ``retry_delay``)
    │   └── ServerError             5xx: retry later
    │       ├── InternalServerError     500 INTERNAL
    │       ├── ServiceUnavailableError 503 UNAVAILABLE
    │       └── DeadlineExceededError   504 DEADLINE_EXCEEDED
    ├── APIConnectionError          no answer at all (wraps the ``httpx`` error as ``__cause__``)
    │   ├── APITimeoutError
    │   └── StreamInterruptedError  a stream that began (200) but stopped in the middle
    ├── UploadError                 a resumable upload that stopped before its end (``upload_url``,
    │   │                           ``offset``: the bytes the service confirmed, ``size``)
    │   └── UploadProtocolError     the upload server answered outside the protocol: no
    │                               ``X-Goog-Upload-URL``, a missing or unknown
    │                               ``X-Goog-Upload-Status``, no file when final (ValueError)
    ├── MalformedResponseError      a 200 whose body is not the JSON the API promises (ValueError)
    ├── MissingAPIKeyError          no key in the arguments or the environment (ValueError)
    ├── UnknownMimeTypeError        an upload whose MIME type is neither given nor guessable
    │                               from its path (ValueError)
    ├── InlineDataTooLargeError     a request whose inline data is over 20 MB as sent: upload
    │                               it with ``client.files.upload`` instead (ValueError)
    └── ImageError                  an image the client cannot send or read (ValueError)
        ├── UnsupportedImageTypeError   an ``image/*`` MIME type the API does not take
        ├── ImageEncodingError          a PIL image that cannot be saved as PNG or JPEG
        ├── TooManyImagesError          more than 3,600 images in one request
        ├── InvalidBoxError             a ``box_2d`` outside 0-1000 or empty (``vision``)
        └── InvalidMaskError            a segmentation mask that is not a base64 PNG (``vision``)

``APIError`` and its subclasses carry the official SDK's attributes (``code``, ``status``,
``message``, ``details``, ``response``) with one difference: ``details`` is the envelope's
``details`` list, where the SDK puts the whole body (ours is in ``body``). ``retry_delay`` is an
addition: the SDK ignores ``google.rpc.RetryInfo``. Statuses other than 4xx and 5xx (a 204, a
302) raise ``APIError`` itself, because the API answers every success with exactly 200.

An upload answers each chunk with ``X-Goog-Upload-Status``. A chunk that gets no answer (a
network failure) or a 5xx is recovered: the upload asks the service how many bytes it has and
goes on from there, a few times, then raises ``UploadError`` with the last failure as its
``__cause__``. A chunk answered with a 4xx raises that ``APIError`` at once.

On a stream, an error can also arrive as an event, ``data: {"error": {...}}``, after a 200 and
some chunks: it raises the same classes, chosen by the envelope's ``code``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from ._types.base import Base
from ._wire import from_wire


class GeminiError(Exception):
    """The base of every error raised by ``gemini_ref``."""


class APIError(GeminiError):
    """The service answered with an error; the Google envelope parsed into typed fields."""

    code: int
    """The HTTP status code."""
    status: str | None
    """The canonical status (``"INVALID_ARGUMENT"``), or the reason phrase for a non-JSON body."""
    message: str
    details: list[dict[str, Any]]
    """The envelope's ``details``: ``google.rpc.ErrorInfo``, ``RetryInfo``, ``Help``…"""
    retry_delay: float | None
    """Seconds the service asks the caller to wait (``google.rpc.RetryInfo``), if it said."""
    body: Any
    """The whole parsed JSON body, or the text when it was not JSON."""
    response: httpx.Response | None

    def __init__(
        self,
        code: int,
        status: str | None,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        body: Any = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(f"{code} {status}. {message}")
        self.code = code
        self.status = status
        self.message = message
        self.details = details or []
        self.retry_delay = _retry_delay(self.details)
        self.body = body
        self.response = response


class ClientError(APIError):
    """A 4xx answer: the request has to change before it can succeed."""


class BadRequestError(ClientError):
    pass


class AuthenticationError(ClientError):
    pass


class PermissionDeniedError(ClientError):
    pass


class NotFoundError(ClientError):
    pass


class ConflictError(ClientError):
    pass


class RateLimitError(ClientError):
    pass


class ServerError(APIError):
    """A 5xx answer: the service failed; the same request may succeed later."""


class InternalServerError(ServerError):
    pass


class ServiceUnavailableError(ServerError):
    pass


class DeadlineExceededError(ServerError):
    pass


class APIConnectionError(GeminiError):
    """The request got no answer: DNS, connection, TLS or protocol failure."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request got no answer in time."""


class StreamInterruptedError(APIConnectionError):
    """A stream that began with a 200 but stopped before its end.

    The connection failed mid-stream (the ``httpx`` error is the ``__cause__``), or the body
    ended in the middle of an event. ``chunks`` is how many chunks were yielded before.
    """

    def __init__(self, message: str, *, chunks: int, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)
        self.chunks = chunks


class MalformedResponseError(GeminiError, ValueError):
    """A 200 answer whose body is not what the API promises (not JSON, or the wrong shape)."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.response = response


class MissingAPIKeyError(GeminiError, ValueError):
    """No API key was given, and none was found in the environment."""


class UnknownMimeTypeError(GeminiError, ValueError):
    """An upload's MIME type was not given and could not be guessed from a file name."""


class InlineDataTooLargeError(GeminiError, ValueError):
    """A request whose inline data would make it larger than the API takes (20 MB).

    ``size`` is the inline data's size as sent (base64, in bytes), ``limit`` the most the
    request may hold. Upload big files with ``client.files.upload`` and pass the ``File``.
    """

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class ImageError(GeminiError, ValueError):
    """An image the client cannot send (an input) or read (a ``vision`` helper's input)."""


class UnsupportedImageTypeError(ImageError):
    """An inline image whose MIME type is not one the API takes (``supported``)."""

    def __init__(self, message: str, *, mime_type: str, supported: tuple[str, ...]) -> None:
        super().__init__(message)
        self.mime_type = mime_type
        self.supported = supported


class ImageEncodingError(ImageError):
    """A PIL image that Pillow cannot save as PNG (or JPEG); Pillow's error is the cause."""


class TooManyImagesError(ImageError):
    """More images in one request than the API takes (``count`` of at most ``limit``)."""

    def __init__(self, message: str, *, count: int, limit: int) -> None:
        super().__init__(message)
        self.count = count
        self.limit = limit


class InvalidBoxError(ImageError):
    """A bounding box that is not four numbers in 0-1000 with ``min < max`` on both axes."""


class InvalidMaskError(ImageError):
    """A segmentation mask that is not a base64 PNG (optionally a ``data:image/png`` URL)."""


class UploadError(GeminiError):
    """A resumable upload that did not finish.

    ``offset`` is how many bytes the service had confirmed when the upload stopped, of
    ``size``; ``upload_url`` is the session's URL (``None`` if the upload never started). When
    the upload gave up after repeated failures, the last one is the ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        upload_url: str | None = None,
        offset: int = 0,
        size: int = 0,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.upload_url = upload_url
        self.offset = offset
        self.size = size
        self.response = response


class UploadProtocolError(UploadError, ValueError):
    """The upload server's answer does not follow the resumable-upload protocol.

    The start answer had no ``X-Goog-Upload-URL``; a chunk's answer had no (or an unknown)
    ``X-Goog-Upload-Status``; a ``final`` answer held no file, or came before the last chunk;
    ``X-Goog-Upload-Size-Received`` was missing or out of range. ``response`` is that answer.
    """


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
    500: InternalServerError,
    503: ServiceUnavailableError,
    504: DeadlineExceededError,
}


def _family(code: int) -> type[APIError]:
    if code in _BY_STATUS:
        return _BY_STATUS[code]
    if 400 <= code < 500:
        return ClientError
    if 500 <= code < 600:
        return ServerError
    return APIError


@dataclass(kw_only=True, repr=False, eq=False)
class _Status(Base):
    """``google.rpc.Status``, the inside of ``{"error": {...}}``."""

    code: int | None = None
    message: str | None = None
    status: str | None = None
    details: list[dict[str, Any]] | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class _Envelope(Base):
    error: _Status | None = None


def error_from_response(response: httpx.Response) -> APIError:
    """The ``APIError`` subclass for a non-200 answer, built from its envelope.

    A body that is not an envelope (an HTML page from a proxy, plain text) still gives a clean
    error: the reason phrase as ``status`` and the body text as ``message``.
    """
    body = _unwrapped(_json_or_none(response.content))
    status = _parse_envelope(body)
    if status is None:
        return _family(response.status_code)(
            response.status_code,
            response.reason_phrase,
            response.text,
            body=body if body is not None else response.text,
            response=response,
        )
    return _from_status(response.status_code, status, body, response)


def error_from_event(data: Any, response: httpx.Response | None = None) -> APIError | None:
    """The error a stream event carries (``{"error": {...}}``), or ``None`` for a chunk.

    The stream's HTTP status was 200, so the class follows the envelope's ``code``. An ``error``
    without an integer ``code`` is a ``MalformedResponseError``: the official Python SDK fails
    on it too (with a ``TypeError``), and there is no status to pick a class by.
    """
    body = _unwrapped(data)
    if not isinstance(body, dict) or "error" not in body:
        return None
    status = _parse_envelope(body)
    if status is None or status.code is None:
        raise MalformedResponseError(
            f"a stream event holds an error without an integer code: {body!r:.300}",
            response=response,
        )
    return _from_status(status.code, status, body, response)


def _from_status(
    code: int, status: _Status, body: Any, response: httpx.Response | None
) -> APIError:
    """The ``APIError`` subclass for ``code``, with the envelope's status, message and details."""
    return _family(code)(
        code,
        status.status,
        status.message or "",
        details=status.details,
        body=body,
        response=response,
    )


def _unwrapped(body: Any) -> Any:
    # Errors of a JSON-array stream arrive wrapped in a one-element array.
    if isinstance(body, list) and len(body) == 1:
        return body[0]
    return body


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


def _parse_envelope(body: Any) -> _Status | None:
    try:
        return from_wire(_Envelope, body).error
    except (TypeError, ValueError):
        return None


_DURATION = re.compile(r"(\d+(?:\.\d*)?)s")


def _retry_delay(details: list[dict[str, Any]]) -> float | None:
    """Seconds from a ``google.rpc.RetryInfo`` detail (``{"retryDelay": "34.4s"}``), if any."""
    for detail in details:
        match detail:
            case {"@type": str(kind), "retryDelay": str(delay)} if kind.endswith(".RetryInfo"):
                if found := _DURATION.fullmatch(delay):
                    return float(found.group(1))
    return None
