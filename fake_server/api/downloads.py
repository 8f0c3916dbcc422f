"""Downloading a file the service generated (a batch's results): ``files.download``.

``GET /{v}/files/{id}:download?alt=media`` answers a 302 to the download server,
``/download/{v}/files/{id}:download?alt=media``, with the odd error-shaped body the service
sends with it; the download server sends the bytes (docs/evidence.md#service-batches). Both
SDKs' ``files.download`` follow the redirect. Uploaded files cannot be downloaded.
"""

from __future__ import annotations

from starlette.responses import Response

from ..http.adapter import ApiCall
from ..http.responses import GoogleResponse
from ..protocol.errors import ApiError, invalid_argument
from ..protocol.wire import dumps_pretty
from ..store import StoredFile
from . import files

# What the service sends with its redirect to the download server.
REDIRECT_BODY = {"error": {"code": 302, "message": "Unknown Error.", "status": "UNKNOWN"}}


def _generated(call: ApiCall) -> StoredFile:
    call.answered_by = "files"
    file_id = call.request.path_params["file"]
    stored = files.find(call.state.store, file_id)
    if stored.source != "GENERATED":
        raise invalid_argument(
            f"Only generated files can be downloaded; files/{file_id} was uploaded."
        )
    return stored


async def download(call: ApiCall) -> Response:
    """The redirect to the download server."""
    stored = _generated(call)
    url = call.request.url
    location = f"{url.scheme}://{url.netloc}/download/{call.version}/files/{stored.file_id}"
    return GoogleResponse(
        dumps_pretty(REDIRECT_BODY),
        302,
        started=call.started,
        extra_headers={"location": f"{location}:download?alt=media"},
    )


async def media(call: ApiCall) -> Response:
    """The file's bytes, as the download server sends them."""
    stored = _generated(call)
    if call.request.query_params.get("alt") != "media":
        raise ApiError(400, "INVALID_ARGUMENT", "Downloads need the query parameter alt=media.")
    data = call.state.store.data_path(stored.file_id).read_bytes()
    return GoogleResponse(
        data,
        content_type=stored.mime_type,
        front_end=False,
        chunked=False,
        extra_headers={"content-disposition": "attachment"},
    )
