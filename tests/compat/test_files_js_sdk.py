"""The official JS SDK (@google/genai 2.32.0) on the Files API, through ``tests/js/guide.mjs``.

One node process runs every Files example in order (node is slow to start) against a fake of its
own, with a wire tap: the examples share their uploads (``files_get`` gets the first,
``files_delete`` deletes the last), and the test writes the media they upload (a 1 MB PNG, a
20,000,000-byte ``.mp3``, a JPEG, a text file) and passes the paths in the environment
(tests/js/README.md). Each test reads its example's JSON line, the uploads' exchanges on the
wire and the journal, and checks them as the Python SDK's tests do
(docs/evidence.md#sdk-upload-protocol, docs/evidence.md#service-files).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.files import FilesKit
from tests.kit.node import JS_API, NodeRun
from tests.kit.wire import Exchange

pytestmark = [pytest.mark.sdk, pytest.mark.node]  # node_guide skips when node is missing

EXAMPLES = (
    "files_upload_small",
    "files_upload_large",
    "files_upload_named",
    "files_get",
    "files_get_missing",
    "file_caption",
    "multiple_images",
    "files_list",
    "files_delete",
)
UPLOADS = ("files_upload_small", "files_upload_large", "files_upload_named", "file_caption")
FILE_NAMES = ("small.png", "large.mp3", "notes.txt", "sample.jpg", "image1.jpg")  # in order
SMALL, LARGE = 1_000_000, 20_000_000
NOTES = b"hello world"
MISSING = "You do not have permission to access the File {} or it may not exist."


@dataclass
class Run:
    """The node run: each example's line, the uploads' bytes, and what the fake saw."""

    fake: Fake
    lines: dict[str, dict[str, Any]]
    wire: list[Exchange]
    media: dict[str, bytes]

    def response(self, example: str) -> Any:
        line = self.lines[example]
        assert line["ok"], line.get("error")
        return line["response"]

    def sessions(self, files_kit: FilesKit) -> list[list[Exchange]]:
        """Every upload's exchanges, in the order the uploads started."""
        return list(files_kit.sessions(self.wire).values())


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory,
    files_kit: FilesKit,
    tap_wire: Callable[[Starlette], list[Exchange]],
    node_guide: Callable[..., NodeRun],
) -> Run:
    folder = tmp_path_factory.mktemp("js-files")
    media = {
        "GUIDE_UPLOAD_SMALL": files_kit.png(size=SMALL),
        "GUIDE_UPLOAD_LARGE": os.urandom(LARGE),
        "GUIDE_UPLOAD_NOTES": NOTES,
        "GUIDE_SAMPLE_JPG": files_kit.jpeg(),
        "GUIDE_IMAGE1": files_kit.jpeg(),
        "GUIDE_IMAGE2": files_kit.png(seed=2),
    }
    names = {
        "GUIDE_UPLOAD_SMALL": "small.png",
        "GUIDE_UPLOAD_LARGE": "large.mp3",
        "GUIDE_UPLOAD_NOTES": "notes.txt",
        "GUIDE_SAMPLE_JPG": "sample.jpg",
        "GUIDE_IMAGE1": "image1.jpg",
        "GUIDE_IMAGE2": "image2.png",
    }
    paths = {}
    for variable, data in media.items():
        path = folder / names[variable]
        path.write_bytes(data)
        paths[variable] = str(path)
    app = create_app(FakeConfig())
    wire = tap_wire(app)
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url, in_process=False)
        lines = node_guide(fake, *EXAMPLES, env=paths).lines()
    return Run(fake, lines, wire, media)


# --- upload -----------------------------------------------------------------------------------


def test_the_uploads_start_on_the_upload_path_with_the_bodies_sdk_wire_captured(
    run: Run, files_kit: FilesKit
) -> None:
    starts = [s[0] for s in run.sessions(files_kit)]
    assert [(e.method, e.path, e.query, e.status) for e in starts] == [
        ("POST", f"/upload/{JS_API}/files", "", 200)
    ] * 5
    bodies = [c.request for c in run.fake.journal.calls("files.upload") if not c.query]
    assert bodies == [
        {"file": {"mimeType": "image/png", "displayName": "js small", "sizeBytes": str(SMALL)}},
        {"file": {"mimeType": "audio/mpeg", "sizeBytes": str(LARGE)}},
        {"file": {"mimeType": "text/plain", "name": "files/js-notes", "sizeBytes": "11"}},
        {"file": {"mimeType": "image/jpeg", "sizeBytes": str(len(run.media["GUIDE_SAMPLE_JPG"]))}},
        {"file": {"mimeType": "image/jpeg", "sizeBytes": str(len(run.media["GUIDE_IMAGE1"]))}},
    ]
    for start, file_name in zip(starts, FILE_NAMES, strict=True):
        assert start.request_header("x-goog-upload-protocol") == "resumable"
        assert start.request_header("x-goog-upload-command") == "start"
        assert start.request_header("x-goog-upload-file-name") == file_name
        assert start.request_header("x-goog-api-key") == "test-key"
        assert (start.body, start.header("x-goog-upload-status")) == (b"", "active")


def test_the_chunks_are_8_mib_at_the_right_offsets_and_the_last_finalizes(
    run: Run, files_kit: FilesKit
) -> None:
    sessions = run.sessions(files_kit)
    assert [files_kit.chunks(s) for s in sessions[:3]] == [
        [("upload, finalize", 0, SMALL)],
        [
            ("upload", 0, 8388608),
            ("upload", 8388608, 8388608),
            ("upload, finalize", 16777216, 3222784),
        ],
        [("upload, finalize", 0, 11)],
    ]
    for session, file_name in zip(sessions, FILE_NAMES, strict=True):
        *active, final = session
        assert [e.header("x-goog-upload-status") for e in active] == ["active"] * len(active)
        assert (final.status, final.header("x-goog-upload-status")) == (200, "final")
        for chunk in session[1:]:
            # JS sends its usual headers with each chunk, the key included, and no protocol.
            assert chunk.request_header("x-goog-api-key") == "test-key"
            assert chunk.request_header("x-goog-upload-protocol") is None
            assert chunk.request_header("content-type") == "application/json"
            assert chunk.path == f"/upload/{JS_API}/files"
            assert chunk.request_header("x-goog-upload-file-name") == file_name


@pytest.mark.parametrize(
    ("example", "variable", "mime_type", "display_name", "file_id"),
    [
        ("files_upload_small", "GUIDE_UPLOAD_SMALL", "image/png", "js small", None),
        ("files_upload_large", "GUIDE_UPLOAD_LARGE", "audio/mpeg", None, None),
        ("files_upload_named", "GUIDE_UPLOAD_NOTES", "text/plain", None, "js-notes"),
    ],
)
def test_an_upload_returns_the_file_as_the_service_shapes_it(
    example: str,
    variable: str,
    mime_type: str,
    display_name: str | None,
    file_id: str | None,
    run: Run,
    files_kit: FilesKit,
) -> None:
    file = run.response(example)

    # The SDK hands back json.file as it came over the wire: sizeBytes stays a string.
    session = run.sessions(files_kit)[UPLOADS.index(example)]
    assert file == json.loads(session[-1].body)["file"]
    files_kit.check_file(
        file,
        run.media[variable],
        version=JS_API,
        mime_type=mime_type,
        display_name=display_name,
        file_id=file_id,
    )


# --- get, list, delete ------------------------------------------------------------------------


def test_get_returns_the_uploaded_file(run: Run) -> None:
    got = {k: v for k, v in run.response("files_get").items() if k != "sdkHttpResponse"}

    assert got == run.response("files_upload_small")
    gets = run.fake.journal.calls("files.get")
    assert (gets[0].method, gets[0].path, gets[0].status) == (
        "GET",
        f"/{JS_API}/{got['name']}",
        200,
    )


def test_get_of_a_missing_file_is_the_403_api_error_with_the_real_body(run: Run) -> None:
    error = run.lines["files_get_missing"]["error"]

    assert (error["name"], error["status"]) == ("ApiError", 403)
    assert json.loads(error["message"]) == {
        "error": {
            "code": 403,
            "message": MISSING.format("nosuchfile01"),
            "status": "PERMISSION_DENIED",
        }
    }


def test_list_with_page_size_2_pages_through_every_file_newest_first(run: Run) -> None:
    listed = run.response("files_list")
    uploads = [run.response(e) for e in ("files_upload_small", "files_upload_large")]
    uploads.append(run.response("files_upload_named"))
    uploads.append(run.response("file_caption")["file"])
    uploads.append(run.response("multiple_images")["file"])

    assert listed["names"] == [f["name"] for f in reversed(uploads)]
    assert listed["files"] == list(reversed(uploads))
    pages = run.fake.journal.calls("files.list")
    assert [(c.path, c.query, c.status) for c in pages] == [
        (f"/{JS_API}/files", "pageSize=2", 200),
        (f"/{JS_API}/files", "pageSize=2&pageToken=2", 200),
        (f"/{JS_API}/files", "pageSize=2&pageToken=4", 200),
    ]


def test_delete_answers_an_empty_object_and_a_later_get_is_403(run: Run) -> None:
    result = run.response("files_delete")

    name = run.response("multiple_images")["file"]["name"]
    assert result["name"] == name
    assert {k: v for k, v in result["deleted"].items() if k != "sdkHttpResponse"} == {}
    assert result["after"]["ok"] is False
    assert result["after"]["error"]["status"] == 403
    assert json.loads(result["after"]["error"]["message"])["error"]["message"] == (
        MISSING.format(name.removeprefix("files/"))
    )
    (call,) = run.fake.journal.calls("files.delete")
    assert (call.method, call.path, call.status) == ("DELETE", f"/{JS_API}/{name}", 200)


# --- the uploaded file in a prompt ------------------------------------------------------------


def test_the_guides_caption_example_prompts_with_create_part_from_uri(
    run: Run, files_kit: FilesKit
) -> None:
    line = run.lines["file_caption"]
    file = run.response("file_caption")["file"]

    files_kit.check_file(
        file,
        run.media["GUIDE_SAMPLE_JPG"],
        version=JS_API,
        mime_type="image/jpeg",
    )
    assert line["text"] and "Caption this image" in line["text"]
    (call, _) = run.fake.journal.calls("generateContent")
    assert (call.path, call.status) == (f"/{JS_API}/models/gemini-2.5-flash:generateContent", 200)
    assert call.request == {
        "contents": [
            {
                "parts": [
                    {"fileData": {"fileUri": file["uri"], "mimeType": "image/jpeg"}},
                    {"text": "Caption this image."},
                ],
                "role": "user",
            }
        ]
    }
    usage = run.response("file_caption")["generated"]["usageMetadata"]
    assert usage["promptTokensDetails"][1] == {"modality": "IMAGE", "tokenCount": 258}


def test_the_guides_multiple_images_example_mixes_an_upload_and_inline_bytes(run: Run) -> None:
    line = run.lines["multiple_images"]
    file = run.response("multiple_images")["file"]

    assert line["text"] and "What is different between these two images" in line["text"]
    (_, call) = run.fake.journal.calls("generateContent")
    assert call.status == 200
    assert call.request is not None
    (content,) = call.request["contents"]
    assert content["parts"][:2] == [
        {"text": "What is different between these two images?"},
        {"fileData": {"fileUri": file["uri"], "mimeType": "image/jpeg"}},
    ]
    inline = content["parts"][2]["inlineData"]
    assert inline["mimeType"] == "image/png"
    assert base64.b64decode(inline["data"]) == run.media["GUIDE_IMAGE2"]
    usage = run.response("multiple_images")["generated"]["usageMetadata"]
    assert {"modality": "IMAGE", "tokenCount": 2 * 258} in usage["promptTokensDetails"]
