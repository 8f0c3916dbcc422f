"""Taking a request in: the key check, as the service's front end makes it, and the body, read
within the service's size limit."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request

from ..config import FakeConfig
from ..protocol.errors import TYPE_PREFIX, invalid_argument, payload_too_large, permission_denied

UNREGISTERED_CALLER = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY = "API key not valid. Please pass a valid API key."


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or the service's 400 once it runs past ``limit`` bytes.

    The body is read as it arrives and what is past the limit is dropped unread, so memory
    stays flat whatever the client sends, and the client gets its answer once it has sent all.
    """
    receive = request.receive
    pieces: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise invalid_argument("The request body ended before its declared length.")
        piece: bytes = message.get("body", b"")
        size += len(piece)
        if size <= limit:
            pieces.append(piece)
        elif pieces:
            pieces.clear()  # over the limit: keep nothing, read on to the end
        if not message.get("more_body", False):
            break
    if size > limit:
        raise payload_too_large(limit)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


async def drain(request: Request) -> None:
    """Read the body to its end and drop it (a client disconnecting meanwhile is no matter)."""
    try:
        async for _ in request.stream():
            pass
    except ClientDisconnect:
        pass


def authenticate(request: Request, config: FakeConfig) -> None:
    """``x-goog-api-key`` or ``?key=``; refused exactly as the real front end refuses."""
    for name, value in request.scope["headers"]:
        if name == b"x-goog-api-key":
            key: str | None = value.decode("latin-1")
            break
    else:
        key = request.query_params.get("key")
    if not key:
        raise permission_denied(UNREGISTERED_CALLER)
    if config.api_keys and key not in config.api_keys:
        raise invalid_argument(
            INVALID_KEY,
            [
                {
                    "@type": TYPE_PREFIX + "ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                },
                {
                    "@type": TYPE_PREFIX + "LocalizedMessage",
                    "locale": "en-US",
                    "message": INVALID_KEY,
                },
            ],
        )
