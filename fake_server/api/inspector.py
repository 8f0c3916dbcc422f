"""The inspector page (docs/inspector.md): a live view, in a browser, of what the fake received.

- ``GET /__fake__/``: the page, behind the fake's keys like the rest of the admin API; a
  browser passes one as ``?key=`` on the page's URL, and the page sends it on every request it
  makes (``x-goog-api-key`` on its fetches, ``?key=`` on the feed, which a browser cannot give
  headers).
- ``GET /__fake__/inspector/{name}``: the page's script and style sheet, from the
  ``fake_server/inspector`` folder installed with the package. Not guarded: they hold the
  page's code, never what the fake received, and a browser loads them without the key.

The page reads only the admin API (the journal, its feed, the fixtures, the fault rules, the
quotas, the verdict): it has no state of its own on the server.
"""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response

from ..http.responses import error_response
from ..protocol.errors import not_found

ASSETS = resources.files("fake_server") / "inspector"
PAGE = "index.html"
# What may be served, by name, with its type: nothing else in the folder is reachable.
MEDIA_TYPES = {
    "inspector.css": "text/css; charset=utf-8",
    "inspector.js": "text/javascript; charset=utf-8",
    "detail.js": "text/javascript; charset=utf-8",
    "panels.js": "text/javascript; charset=utf-8",
    "vision.js": "text/javascript; charset=utf-8",
}
# The page loads nothing from elsewhere, and runs no script but its own.
POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _served(content: bytes, media_type: str) -> Response:
    headers = {"cache-control": "no-store", "content-security-policy": POLICY}
    return Response(content, media_type=media_type, headers=headers)


async def page(request: Request) -> Response:
    """The inspector page: what the fake received, live (docs/inspector.md)."""
    return _served((ASSETS / PAGE).read_bytes(), "text/html; charset=utf-8")


async def asset(request: Request) -> Response:
    """The inspector page's script and style sheet."""
    name = request.path_params["name"]
    media_type = MEDIA_TYPES.get(name)
    if media_type is None:
        return error_response(not_found("Method not found."))
    return _served((ASSETS / name).read_bytes(), media_type)
