"""The official Python SDK (google-genai 3.3.0) on the Files API and the resumable upload protocol.

Configured as the guide does (``genai.Client()``, everything from the environment), on the SDK's
default ``/v1`` and on ``/v1beta``. The wire tap (``wire_tap``) shows each chunk's headers and
length, which the journal does not keep, and the File exactly as it went over the wire, before
the SDK converted it; ``files_kit`` checks both against docs/evidence.md#sdk-upload-protocol and
docs/evidence.md#service-files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from google import genai
from google.genai import errors, types

from conformance._guide import Assets, run
from fake_server.pytest_plugin import Fake
from tests.kit.files import FakeClock, FilesKit, check_two_images_prompt
from tests.kit.wire import Exchange

pytestmark = pytest.mark.sdk

LARGE = 20_000_000  # py:upload_large in docs/evidence.md#sdk-upload-chunks
SMALL = 1_000_000  # "a 1 MB file is a single upload, finalize at offset 0"
MISSING = "You do not have permission to access the File {} or it may not exist."
NOT_ACTIVE = "The File {} is not in an ACTIVE state and usage is not allowed."


def wire_file(session: list[Exchange]) -> dict[str, Any]:
    """The File in the last chunk's reply, as it went over the wire."""
    last = session[-1]
    assert (last.status, last.header("x-goog-upload-status")) == (200, "final")
    assert last.header("content-type") == "application/json; charset=UTF-8"
    file: dict[str, Any] = json.loads(last.body)["file"]
    return file


def check_sdk_file(file: types.File, wire: dict[str, Any], data: bytes) -> None:
    """What the SDK made of the wire File: an int size, datetimes, enums, the same strings."""
    assert file.name == wire["name"]
    assert file.size_bytes == len(data) and isinstance(file.size_bytes, int)
    assert file.sha256_hash == wire["sha256Hash"]
    assert file.uri == wire["uri"]
    assert file.mime_type == wire["mimeType"]
    assert file.display_name == wire.get("displayName")
    assert file.state == types.FileState.ACTIVE
    assert file.source == types.FileSource.UPLOADED
    assert file.create_time is not None and file.create_time == file.update_time
    assert file.expiration_time is not None
    assert file.create_time.isoformat(timespec="microseconds") == (
        wire["createTime"].replace("Z", "+00:00")
    )
    lifetime = file.expiration_time - file.create_time
    assert timedelta(hours=47, minutes=59) <= lifetime <= timedelta(hours=48)


# --- upload -----------------------------------------------------------------------------------


def test_a_1_mb_image_goes_up_as_one_upload_finalize_chunk_and_comes_back_active(
    client: genai.Client,
    api_version: str,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    data = files_kit.png(size=SMALL)
    path = tmp_path / "small.png"
    path.write_bytes(data)

    file = client.files.upload(file=path, config={"display_name": "small image"})

    (session,) = files_kit.sessions(wire_tap).values()
    assert files_kit.chunks(session) == [("upload, finalize", 0, SMALL)]
    wire = wire_file(session)
    files_kit.check_file(
        wire,
        data,
        version=api_version,
        mime_type="image/png",
        display_name="small image",
    )
    check_sdk_file(file, wire, data)
    # docs/evidence.md#sdk-upload-start: the start body in snake_case, the size as an int.
    (start, chunk) = sdk_env.journal.calls("files.upload")
    assert (start.path, start.query, start.status) == (f"/upload/{api_version}/files", "", 200)
    assert start.request == {
        "file": {"display_name": "small image", "mime_type": "image/png", "size_bytes": SMALL}
    }
    assert file.name is not None
    assert chunk.answered_by == f"file:{file.name.removeprefix('files/')}"


def test_a_20_mb_upload_goes_in_8_mib_chunks_exactly_as_sdk_wire_tabulates(
    client: genai.Client,
    api_version: str,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    data = os.urandom(LARGE)
    path = tmp_path / "large.mp3"
    path.write_bytes(data)

    file = client.files.upload(file=path)

    (session,) = files_kit.sessions(wire_tap).values()
    assert files_kit.chunks(session) == [
        ("upload", 0, 8388608),
        ("upload", 8388608, 8388608),
        ("upload, finalize", 16777216, 3222784),
    ]
    assert [e.header("x-goog-upload-status") for e in session] == [
        "active",
        "active",
        "active",
        "final",
    ]
    assert [e.body for e in session[:-1]] == [b"", b"", b""]
    wire = wire_file(session)
    files_kit.check_file(wire, data, version=api_version, mime_type="audio/mpeg")
    check_sdk_file(file, wire, data)
    assert file.sha256_hash is not None
    # sha256Hash is base64 of the hex digest of exactly the bytes on disk.
    assert base64.b64decode(file.sha256_hash).decode() == hashlib.sha256(data).hexdigest()


def test_the_start_and_chunk_requests_carry_the_headers_sdk_wire_captured(
    client: genai.Client,
    api_version: str,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.mp3"
    path.write_bytes(files_kit.mp3())

    client.files.upload(file=path)

    (session,) = files_kit.sessions(wire_tap).values()
    start, chunk = session
    size = str(path.stat().st_size)
    for exchange, command in ((start, "start"), (chunk, "upload, finalize")):
        assert exchange.request_header("x-goog-upload-protocol") == "resumable"
        assert exchange.request_header("x-goog-upload-command") == command
        assert exchange.request_header("x-goog-upload-header-content-length") == size
        assert exchange.request_header("x-goog-upload-header-content-type") == "audio/mpeg"
        assert exchange.request_header("x-goog-upload-file-name") == "notes.mp3"
        assert exchange.request_header("content-type") == "application/json"
    assert start.request_header("x-goog-api-key") == "test-key"
    # The chunk carries no key and none of the SDK's labels; it goes to the URL as given.
    assert chunk.request_header("x-goog-api-key") is None
    assert chunk.request_header("x-goog-api-client") is None
    upload_url = start.header("x-goog-upload-url")
    assert upload_url == f"{sdk_env.base_url}{chunk.path}?{chunk.query}"
    assert chunk.path == f"/upload/{api_version}/files"
    # Every reply names its status; the start's is empty, from the upload server.
    assert (start.status, start.body, start.header("x-goog-upload-status")) == (200, b"", "active")
    # docs/evidence.md#service-files: the upload server's empty start reply, and its headers.
    assert start.header("server") == "UploadServer"
    assert start.header("content-type") == "text/plain; charset=utf-8"
    assert start.header("content-length") == "0"
    assert start.header("x-goog-upload-control-url") == upload_url
    assert start.header("x-goog-upload-chunk-granularity") == "8388608"
    assert start.header("x-goog-upload-header-content-type") == "application/json; charset=UTF-8"
    assert start.header("x-guploader-uploadid") == chunk.header("x-guploader-uploadid")
    assert chunk.header("server") == "UploadServer"


def test_a_name_in_the_upload_config_becomes_the_file_id(
    client: genai.Client,
    api_version: str,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world")

    file = client.files.upload(file=path, config={"name": "my-notes"})

    assert file.name == "files/my-notes"
    (session,) = files_kit.sessions(wire_tap).values()
    files_kit.check_file(
        wire_file(session),
        b"hello world",
        version=api_version,
        mime_type="text/plain",
        file_id="my-notes",
    )
    start = sdk_env.journal.calls("files.upload")[0]
    assert start.request == {
        "file": {"name": "files/my-notes", "mime_type": "text/plain", "size_bytes": 11}
    }
    assert client.files.get(name="my-notes").name == "files/my-notes"


def test_a_zero_byte_file_is_one_empty_upload_finalize_and_works(
    client: genai.Client,
    api_version: str,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")

    file = client.files.upload(file=path)

    (session,) = files_kit.sessions(wire_tap).values()
    assert files_kit.chunks(session) == [("upload, finalize", 0, 0)]
    files_kit.check_file(
        wire_file(session),
        b"",
        version=api_version,
        mime_type="text/plain",
    )
    assert file.size_bytes == 0


@pytest.mark.anyio
async def test_the_async_client_uploads_20_mb_in_the_same_8_mib_chunks(
    sdk_env: Fake,
    api_version: str,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    data = os.urandom(LARGE)
    path = tmp_path / "large.mp3"
    path.write_bytes(data)
    client = genai.Client()
    try:
        file = await client.aio.files.upload(file=path)
    finally:
        await client.aio.aclose()
        client.close()

    (session,) = files_kit.sessions(wire_tap).values()
    assert files_kit.chunks(session) == files_kit.expected_chunks(LARGE)
    wire = wire_file(session)
    files_kit.check_file(wire, data, version=api_version, mime_type="audio/mpeg")
    check_sdk_file(file, wire, data)


def test_a_file_object_upload_needs_a_mime_type_and_sends_no_file_name(
    client: genai.Client,
    api_version: str,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    files_kit: FilesKit,
) -> None:
    data = files_kit.png(seed=3)

    file = client.files.upload(
        file=io.BytesIO(data), config={"mime_type": "image/png", "display_name": "from memory"}
    )

    (session,) = files_kit.sessions(wire_tap).values()
    assert session[0].request_header("x-goog-upload-file-name") is None
    assert files_kit.chunks(session) == [("upload, finalize", 0, len(data))]
    files_kit.check_file(
        wire_file(session),
        data,
        version=api_version,
        mime_type="image/png",
        display_name="from memory",
    )
    assert file.display_name == "from memory"


def test_a_type_the_models_do_not_take_uploads_and_is_the_400_client_error_where_used(
    client: genai.Client,
    sdk_env: Fake,
    wire_tap: list[Exchange],
    tmp_path: Path,
) -> None:
    """docs/files.md#mime-types: the SDK guesses application/zip, the upload takes it, and the
    request that uses the file is refused."""
    path = tmp_path / "archive.zip"
    path.write_bytes(b"PK\x05\x06" + bytes(18))

    file = client.files.upload(file=path)
    assert file.mime_type == "application/zip"
    with pytest.raises(errors.ClientError) as caught:
        client.models.count_tokens(model="gemini-2.5-flash", contents=file)

    assert (caught.value.code, caught.value.status) == (400, "INVALID_ARGUMENT")
    assert caught.value.message == "Unsupported MIME type: application/zip"
    uploads = [exchange for exchange in wire_tap if exchange.path.startswith("/upload/")]
    assert [(e.status, e.request_header("x-goog-upload-command")) for e in uploads] == [
        (200, "start"),
        (200, "upload, finalize"),
    ]
    client.files.delete(name=file.name or "")
    assert list(client.files.list()) == []


def test_a_name_already_taken_is_a_409_client_error_from_the_start(
    client: genai.Client, sdk_env: Fake, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world")
    client.files.upload(file=path, config={"name": "my-notes"})

    with pytest.raises(errors.ClientError) as caught:
        client.files.upload(file=path, config={"name": "my-notes"})

    assert (caught.value.code, caught.value.status) == (409, "ALREADY_EXISTS")
    assert caught.value.message == "File files/my-notes already exists."
    assert [c.status for c in sdk_env.journal.calls("files.upload")] == [200, 200, 409]


# --- get, list, delete ------------------------------------------------------------------------


@pytest.fixture
def uploaded(client: genai.Client, files_kit: FilesKit, tmp_path: Path) -> types.File:
    """A PNG uploaded through ``client``: the File the upload returned."""
    path = tmp_path / "sample.png"
    path.write_bytes(files_kit.png())
    file = client.files.upload(file=path)
    assert file.name is not None
    return file


def test_get_returns_the_file_the_upload_returned(
    client: genai.Client, api_version: str, sdk_env: Fake, uploaded: types.File
) -> None:
    assert uploaded.name is not None

    by_name = client.files.get(name=uploaded.name)
    by_id = client.files.get(name=uploaded.name.removeprefix("files/"))

    assert by_name == by_id
    assert by_name.model_dump(exclude={"sdk_http_response"}) == uploaded.model_dump(
        exclude={"sdk_http_response"}
    )
    calls = sdk_env.journal.calls("files.get")
    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", f"/{api_version}/{uploaded.name}", 200)
    ] * 2


def test_list_with_page_size_2_pages_through_every_file_newest_first(
    client: genai.Client, api_version: str, sdk_env: Fake, files_kit: FilesKit, tmp_path: Path
) -> None:
    names = []
    for i in range(5):
        path = tmp_path / f"image{i}.png"
        path.write_bytes(files_kit.png(seed=i))
        names.append(client.files.upload(file=path).name)

    listed = list(client.files.list(config={"page_size": 2}))

    assert [f.name for f in listed] == names[::-1]
    assert all(f.state == types.FileState.ACTIVE and f.size_bytes for f in listed)
    pages = sdk_env.journal.calls("files.list")
    assert [(c.path, c.status) for c in pages] == [(f"/{api_version}/files", 200)] * 3
    assert [c.query for c in pages] == [
        "pageSize=2",
        "pageSize=2&pageToken=2",
        "pageSize=2&pageToken=4",
    ]
    # One unpaged listing gives the same files.
    assert [f.name for f in client.files.list()] == names[::-1]


def test_an_empty_list_is_an_empty_pager(client: genai.Client, sdk_env: Fake) -> None:
    assert list(client.files.list()) == []


def test_delete_removes_the_file_and_a_later_get_is_403(
    client: genai.Client, api_version: str, sdk_env: Fake, uploaded: types.File
) -> None:
    file = uploaded
    assert file.name is not None

    deleted = client.files.delete(name=file.name)

    assert deleted.model_dump(exclude={"sdk_http_response"}, exclude_none=True) == {}
    with pytest.raises(errors.ClientError) as caught:
        client.files.get(name=file.name)
    file_id = file.name.removeprefix("files/")
    assert (caught.value.code, caught.value.status) == (403, "PERMISSION_DENIED")
    assert caught.value.message == MISSING.format(file_id)
    (call,) = sdk_env.journal.calls("files.delete")
    assert (call.method, call.path, call.status) == ("DELETE", f"/{api_version}/{file.name}", 200)
    assert list(client.files.list()) == []


def test_a_missing_file_is_a_403_client_error_with_the_real_message(
    client: genai.Client, api_version: str, sdk_env: Fake
) -> None:
    for call in (client.files.get, client.files.delete):
        with pytest.raises(errors.ClientError) as caught:
            call(name="files/nosuchfile01")
        error = caught.value
        assert (error.code, error.status) == (403, "PERMISSION_DENIED")
        assert error.message == MISSING.format("nosuchfile01")
        assert error.details == {
            "error": {
                "code": 403,
                "message": MISSING.format("nosuchfile01"),
                "status": "PERMISSION_DENIED",
            }
        }


# --- the uploaded file in a prompt ------------------------------------------------------------


def test_the_guides_caption_example_sends_the_uploaded_file_as_file_data(
    client: genai.Client, api_version: str, sdk_env: Fake, files_kit: FilesKit, tmp_path: Path
) -> None:
    """ "Uploading images using the File API", Python, verbatim but for the path."""
    (tmp_path / "sample.jpg").write_bytes(files_kit.jpeg())

    ran = run("uploaded_image", genai, types, client, Assets(tmp_path))

    my_file, response = ran.names["my_file"], ran.names["response"]

    assert response.text and "Caption this image" in response.text
    assert my_file.mime_type == "image/jpeg"
    (call,) = sdk_env.journal.calls("generateContent")
    assert (call.path, call.status) == (
        f"/{api_version}/models/gemini-2.5-flash:generateContent",
        200,
    )
    assert call.request == {
        "contents": [
            {
                "parts": [
                    {"fileData": {"fileUri": my_file.uri, "mimeType": "image/jpeg"}},
                    {"text": "Caption this image."},
                ],
                "role": "user",
            }
        ]
    }
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_tokens_details is not None
    modalities = {d.modality: d.token_count for d in usage.prompt_tokens_details}
    assert modalities[types.MediaModality.IMAGE] == 258
    assert set(modalities) == {types.MediaModality.TEXT, types.MediaModality.IMAGE}


def test_the_guides_multiple_images_example_mixes_an_upload_and_inline_bytes(
    client: genai.Client, api_version: str, sdk_env: Fake, files_kit: FilesKit, tmp_path: Path
) -> None:
    """ "Prompting with multiple images", Python, verbatim but for the paths."""
    (tmp_path / "image1.jpg").write_bytes(files_kit.jpeg())
    png = files_kit.png(seed=2)
    (tmp_path / "image2.png").write_bytes(png)

    ran = run("several_images", genai, types, client, Assets(tmp_path))

    uploaded_file, response = ran.names["uploaded_file"], ran.names["response"]

    assert response.text and "What is different between these two images" in response.text
    (call,) = sdk_env.journal.calls("generateContent")
    inline = check_two_images_prompt(call, uploaded_file.uri)
    assert base64.b64decode(inline["inlineData"]["data"]) == png
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_tokens_details is not None
    images = [d for d in usage.prompt_tokens_details if d.modality == types.MediaModality.IMAGE]
    assert [d.token_count for d in images] == [2 * 258]


def test_a_prompt_naming_a_deleted_file_is_the_403_client_error(
    client: genai.Client, sdk_env: Fake, uploaded: types.File
) -> None:
    file = uploaded
    assert file.name is not None
    client.models.generate_content(model="gemini-2.5-flash", contents=[file, "Describe it."])  # type: ignore[arg-type]  # the SDK types contents as invariant lists
    client.files.delete(name=file.name)

    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents=[file, "Describe it."])  # type: ignore[arg-type]  # the SDK types contents as invariant lists

    assert (caught.value.code, caught.value.status) == (403, "PERMISSION_DENIED")
    assert caught.value.message == MISSING.format(file.name.removeprefix("files/"))


# --- a video: PROCESSING, then ACTIVE ---------------------------------------------------------


def test_a_video_stays_processing_and_is_refused_until_active_then_answered(
    api_version: str,
    fake_server_with: Callable[..., Fake],
    fake_clock: FakeClock,
    guide_env: Callable[[Fake], Fake],
    monkeypatch: pytest.MonkeyPatch,
    files_kit: FilesKit,
    tmp_path: Path,
) -> None:
    fake = guide_env(fake_server_with(clock=fake_clock, processing_seconds={"video": 12.0}, seed=5))
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4096))
    client = genai.Client()
    try:
        video = client.files.upload(file=path)
        assert video.mime_type == "video/mp4"
        assert video.state == types.FileState.PROCESSING
        assert video.name is not None and video.uri is not None
        file_id = video.name.removeprefix("files/")

        # The documented polling loop, with the fake's clock for time.sleep.
        polls, refusals = 0, 0
        while video.state == types.FileState.PROCESSING:
            with pytest.raises(errors.ClientError) as caught:
                client.models.generate_content(
                    model="gemini-2.5-flash",
                    contents=[video, "Summarize this video."],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
                )
            assert (caught.value.code, caught.value.status) == (400, "FAILED_PRECONDITION")
            assert caught.value.message == NOT_ACTIVE.format(file_id)
            refusals += 1
            fake_clock.advance(5)  # time.sleep(5)
            video = client.files.get(name=video.name)
            polls += 1
            assert polls < 10, "the video never turned ACTIVE"
        response = client.models.generate_content(
            model="gemini-2.5-flash", contents=[video, "Summarize this video."]
        )
    finally:
        client.close()

    assert (polls, refusals) == (3, 3)  # PROCESSING at +0, +5 and +10 s; ACTIVE at +15 s
    assert video.state == types.FileState.ACTIVE
    assert response.text and "Summarize this video" in response.text
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_tokens_details is not None
    assert types.MediaModality.VIDEO in {d.modality for d in usage.prompt_tokens_details}
    generated = fake.journal.calls("generateContent")
    assert [c.status for c in generated] == [400, 400, 400, 200]
    assert [c.answered_by for c in generated[:3]] == ["error:FAILED_PRECONDITION"] * 3
    assert [c.path for c in fake.journal.calls("files.get")] == [
        f"/{api_version}/files/{file_id}"
    ] * 3
