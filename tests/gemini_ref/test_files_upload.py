"""``client.files.upload``: the resumable upload on the wire (docs/evidence.md#sdk-upload-protocol).

The ``service`` fixture (conftest) models the upload service: it refuses a chunk whose offset is
not the number of bytes it holds, so every test here also checks that no byte is lost or sent
twice.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from conformance._uploads import sha256_hash
from gemini_ref import errors, types
from gemini_ref.files import CHUNK_SIZE

START_URL = "https://generativelanguage.googleapis.com/upload/v1beta/files"
MIB_8 = 8388608


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "large.mp3"
    path.write_bytes(pseudo_random(20_000_000))
    return path


def pseudo_random(size: int, seed: bytes = b"seed") -> bytes:
    """``size`` bytes that differ everywhere, so a misplaced chunk cannot go unnoticed."""
    blocks = (hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


# --- The start request -------------------------------------------------------------------------


def test_start_request_for_a_path_guesses_the_mime_type(tmp_path, service, upload_client):
    path = tmp_path / "sample.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"x" * 997)

    upload_client.files.upload(file=str(path))

    start = service.start
    assert (start.method, str(start.url)) == ("POST", START_URL)
    assert start.headers["x-goog-upload-protocol"] == "resumable"
    assert start.headers["x-goog-upload-command"] == "start"
    assert start.headers["x-goog-upload-header-content-length"] == "1000"
    assert start.headers["x-goog-upload-header-content-type"] == "image/jpeg"
    assert start.headers["content-type"] == "application/json"
    assert start.headers["x-goog-api-key"] == "test-key"
    assert service.start_body == {"file": {"mimeType": "image/jpeg", "sizeBytes": "1000"}}


def test_start_request_with_every_config_field(tmp_path, service, upload_client):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world")
    config = types.UploadFileConfig(
        mime_type="text/markdown", display_name="My notes", name="my-notes"
    )

    file = upload_client.files.upload(file=path, config=config)

    assert service.start.headers["x-goog-upload-header-content-type"] == "text/markdown"
    assert json.loads(service.start.content) == {
        "file": {
            "mimeType": "text/markdown",
            "displayName": "My notes",
            "name": "files/my-notes",
            "sizeBytes": "11",
        }
    }
    assert file.name == "files/my-notes"
    assert file.display_name == "My notes"
    assert file.mime_type == "text/markdown"


def test_config_as_a_dict_and_a_prefixed_name(service, upload_client):
    upload_client.files.upload(
        file=b"abc", config={"mimeType": "text/plain", "name": "files/abc-1"}
    )

    assert service.start_body == {
        "file": {"mimeType": "text/plain", "name": "files/abc-1", "sizeBytes": "3"}
    }


def test_bytes_upload(service, upload_client):
    file = upload_client.files.upload(file=b"\x00\x01binary", config={"mime_type": "image/png"})

    assert service.start.headers["x-goog-upload-header-content-length"] == "8"
    assert service.start_body == {"file": {"mimeType": "image/png", "sizeBytes": "8"}}
    assert bytes(service.session.data) == b"\x00\x01binary"
    assert file.size_bytes == 8


def test_stream_upload_starts_at_the_stream_position(service, upload_client):
    stream = io.BytesIO(b"HEADERpayload")
    stream.seek(6)

    file = upload_client.files.upload(file=stream, config={"mime_type": "application/pdf"})

    assert service.start.headers["x-goog-upload-header-content-length"] == "7"
    assert service.start_body == {"file": {"mimeType": "application/pdf", "sizeBytes": "7"}}
    assert bytes(service.session.data) == b"payload"
    assert file.size_bytes == 7
    assert not stream.closed  # the caller's stream stays the caller's


def test_an_open_file_upload(big_file, service, upload_client):
    with open(big_file, "rb") as stream:
        upload_client.files.upload(
            file=stream, config={"mime_type": "audio/mpeg"}, chunk_size=MIB_8
        )

    assert service.session.digest.hexdigest() == hashlib.sha256(big_file.read_bytes()).hexdigest()


def test_a_path_file_is_closed_after_the_upload(tmp_path, service, upload_client, monkeypatch):
    opened: list[io.BufferedReader] = []
    real_open = open

    def spying_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr("builtins.open", spying_open)
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")

    upload_client.files.upload(file=path)

    (handle,) = opened
    assert handle.closed


# --- MIME types and bad input ------------------------------------------------------------------


@pytest.mark.parametrize("file", [b"abc", io.BytesIO(b"abc")], ids=["bytes", "stream"])
def test_bytes_and_streams_need_a_mime_type(file, service, upload_client):
    with pytest.raises(errors.UnknownMimeTypeError, match="mime_type") as caught:
        upload_client.files.upload(file=file)

    assert isinstance(caught.value, ValueError)
    assert service.starts == []


def test_an_unguessable_path_needs_a_mime_type(tmp_path, service, upload_client):
    path = tmp_path / "data.unknownext"
    path.write_bytes(b"abc")

    with pytest.raises(errors.UnknownMimeTypeError, match=r"data\.unknownext.*mime_type"):
        upload_client.files.upload(file=path)

    upload_client.files.upload(file=path, config={"mime_type": "text/plain"})
    assert service.start.headers["x-goog-upload-header-content-type"] == "text/plain"


def test_bad_inputs_are_refused_before_anything_is_sent(tmp_path, service, upload_client):
    with pytest.raises(FileNotFoundError):
        upload_client.files.upload(file=tmp_path / "missing.jpg")
    with pytest.raises(FileNotFoundError):
        upload_client.files.upload(file=tmp_path)  # a directory
    with pytest.raises(TypeError, match="binary mode"):
        upload_client.files.upload(file=io.StringIO("text"), config={"mime_type": "text/plain"})
    with pytest.raises(TypeError, match="cannot upload a int"):
        upload_client.files.upload(file=42, config={"mime_type": "text/plain"})
    with pytest.raises(TypeError, match="has no field 'mimetype'"):
        upload_client.files.upload(file=b"x", config={"mimetype": "text/plain"})
    with pytest.raises(ValueError, match="chunk_size"):
        upload_client.files.upload(file=b"x", config={"mime_type": "a/b"}, chunk_size=0)
    with pytest.raises(ValueError, match="invalid file name"):
        upload_client.files.upload(file=b"x", config={"mime_type": "a/b", "name": "files/a/b"})
    with pytest.raises(ValueError, match="size_bytes is 5, but the file has 1 bytes"):
        upload_client.files.upload(file=b"x", config={"mime_type": "a/b", "size_bytes": 5})
    assert service.starts == []


# --- Chunks ------------------------------------------------------------------------------------


def test_a_20_mb_file_goes_in_8_mib_chunks_as_the_sdks_send_it(big_file, service, upload_client):
    file = upload_client.files.upload(file=big_file)

    assert CHUNK_SIZE == MIB_8
    # docs/evidence.md#sdk-upload-chunks, the table of py:upload_large.
    assert service.commands() == [
        ("upload", 0, 8388608),
        ("upload", 8388608, 8388608),
        ("upload, finalize", 16777216, 3222784),
    ]
    for request in service.chunk_requests:
        assert request.method == "POST"
        assert request.url.host == "upload.example.test"  # the X-Goog-Upload-URL, as given
        assert request.url.params["upload_id"] == service.session.id
        assert request.headers["content-length"] == str(len(request.content))
        assert "x-goog-api-key" not in request.headers  # the upload URL is the credential
    assert service.session.data == big_file.read_bytes()
    assert file.size_bytes == 20_000_000
    assert file.mime_type == "audio/mpeg"


def test_a_1_mb_file_is_one_upload_finalize(service, upload_client):
    upload_client.files.upload(file=bytes(1_000_000), config={"mime_type": "image/png"})

    assert service.commands() == [("upload, finalize", 0, 1_000_000)]


def test_a_file_of_exactly_one_chunk_is_one_upload_finalize(service, upload_client):
    upload_client.files.upload(file=bytes(64), config={"mime_type": "a/b"}, chunk_size=64)

    assert service.commands() == [("upload, finalize", 0, 64)]


def test_a_zero_byte_file_sends_one_empty_upload_finalize(tmp_path, service, upload_client):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    progress: list[tuple[int, int]] = []

    file = upload_client.files.upload(file=path, progress=lambda *args: progress.append(args))

    assert service.start.headers["x-goog-upload-header-content-length"] == "0"
    assert service.commands() == [("upload, finalize", 0, 0)]
    assert service.chunk_requests[0].headers["content-length"] == "0"
    assert file.size_bytes == 0
    assert progress == [(0, 0)]


def test_small_chunks_for_tests(service, upload_client):
    data = pseudo_random(1000)

    upload_client.files.upload(file=data, config={"mime_type": "a/b"}, chunk_size=300)

    assert service.commands() == [
        ("upload", 0, 300),
        ("upload", 300, 300),
        ("upload", 600, 300),
        ("upload, finalize", 900, 100),
    ]
    assert service.session.data == data


def test_progress_reports_each_confirmed_chunk(big_file, upload_client):
    progress: list[tuple[int, int]] = []

    upload_client.files.upload(file=big_file, progress=lambda *args: progress.append(args))

    assert progress == [
        (8388608, 20_000_000),
        (16777216, 20_000_000),
        (20_000_000, 20_000_000),
    ]


# --- The file that comes back ------------------------------------------------------------------


def test_the_final_answer_becomes_a_file(tmp_path, service, upload_client):
    path = tmp_path / "sample.pdf"
    path.write_bytes(b"%PDF-1.4 ...")

    file = upload_client.files.upload(file=path, config={"display_name": "sample.pdf"})

    assert file == types.File(
        name=f"files/{service.session.id}",
        display_name="sample.pdf",
        mime_type="application/pdf",
        size_bytes=12,
        create_time=datetime(2026, 8, 19, 14, 34, 14, 94797, tzinfo=UTC),
        update_time=datetime(2026, 8, 19, 14, 34, 14, 94797, tzinfo=UTC),
        expiration_time=datetime(2026, 8, 21, 14, 34, 13, 503405, tzinfo=UTC),
        sha256_hash=sha256_hash(b"%PDF-1.4 ..."),
        uri=f"https://generativelanguage.googleapis.com/v1beta/files/{service.session.id}",
        state="ACTIVE",
        source="UPLOADED",
    )
    assert file.state == types.FileState.ACTIVE
    assert file.source == types.FileSource.UPLOADED


# --- A broken protocol -------------------------------------------------------------------------


STARTED = httpx.Response(
    200,
    headers={
        "X-Goog-Upload-Status": "active",
        "X-Goog-Upload-URL": "https://upload.example.test/upload/v1beta/files?upload_id=U1",
    },
)
FILE = {"file": {"name": "files/abc", "uri": "https://x/v1beta/files/abc", "mimeType": "a/b"}}


def test_a_start_without_upload_url_is_a_protocol_error(answering):
    requests, client = answering(httpx.Response(200, headers={"X-Goog-Upload-Status": "active"}))

    with pytest.raises(errors.UploadProtocolError, match="X-Goog-Upload-URL") as caught:
        client.files.upload(file=b"abc", config={"mime_type": "a/b"})

    assert isinstance(caught.value, ValueError)
    assert caught.value.upload_url is None
    assert caught.value.offset == 0
    assert len(requests) == 1


def test_a_relative_upload_url_is_resolved_against_the_start_url(answering):
    requests, client = answering(
        httpx.Response(200, headers={"X-Goog-Upload-URL": "/upload/v1beta/files?upload_id=U2"}),
        httpx.Response(200, headers={"X-Goog-Upload-Status": "final"}, json=FILE),
    )

    client.files.upload(file=b"abc", config={"mime_type": "a/b"})

    assert str(requests[1].url) == (
        "https://generativelanguage.googleapis.com/upload/v1beta/files?upload_id=U2"
    )


def test_a_failed_start_raises_its_api_error(answering):
    envelope = {"error": {"code": 400, "message": "Unsupported MIME type", "status": "INVALID"}}
    _, client = answering(httpx.Response(400, json=envelope))

    with pytest.raises(errors.BadRequestError, match="Unsupported MIME type"):
        client.files.upload(file=b"abc", config={"mime_type": "bad/mime"})


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ConnectError("refused"), errors.APIConnectionError),
        (httpx.ConnectTimeout("slow"), errors.APITimeoutError),
    ],
)
def test_a_start_that_gets_no_answer_is_a_connection_error(failure, error, answering):
    requests, client = answering(failure)

    with pytest.raises(error, match="POST .*/upload/v1beta/files") as caught:
        client.files.upload(file=b"abc", config={"mime_type": "a/b"})

    assert caught.value.__cause__ is failure
    assert len(requests) == 1  # the start is not retried, like every other call


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Goog-Upload-Status": "paused"}],
    ids=["missing", "unknown"],
)
def test_a_chunk_answer_without_a_known_status_is_a_protocol_error(headers, answering):
    requests, client = answering(STARTED, httpx.Response(200, headers=headers))

    with pytest.raises(errors.UploadProtocolError, match="X-Goog-Upload-Status") as caught:
        client.files.upload(file=b"abcdef", config={"mime_type": "a/b"}, chunk_size=4)

    assert caught.value.upload_url == "https://upload.example.test/upload/v1beta/files?upload_id=U1"
    assert caught.value.offset == 0
    assert caught.value.size == 6
    assert caught.value.response is not None
    assert len(requests) == 2  # not re-sent: unlike the SDK, which re-sends it three times


def test_a_cancelled_upload_is_an_upload_error(answering):
    _, client = answering(
        STARTED, httpx.Response(200, headers={"X-Goog-Upload-Status": "cancelled"})
    )

    with pytest.raises(errors.UploadError, match="cancelled") as caught:
        client.files.upload(file=b"abc", config={"mime_type": "a/b"})

    assert not isinstance(caught.value, errors.UploadProtocolError)


def test_an_error_envelope_on_a_chunk_raises_its_api_error(answering):
    # docs/evidence.md#sdk-upload-client: 400 + X-Goog-Upload-Status: final + an error body, for a
    # bad MIME type.
    envelope = {
        "error": {
            "code": 400,
            "message": "Unsupported MIME type: bad/mime",
            "status": "INVALID_ARGUMENT",
        }
    }
    requests, client = answering(
        STARTED, httpx.Response(400, headers={"X-Goog-Upload-Status": "final"}, json=envelope)
    )

    with pytest.raises(errors.BadRequestError) as caught:
        client.files.upload(file=b"abc", config={"mime_type": "bad/mime"})

    assert caught.value.status == "INVALID_ARGUMENT"
    assert caught.value.message == "Unsupported MIME type: bad/mime"
    assert len(requests) == 2


def test_final_without_a_file_is_a_protocol_error(answering):
    _, client = answering(
        STARTED, httpx.Response(200, headers={"X-Goog-Upload-Status": "final"}, content=b"")
    )

    with pytest.raises(errors.UploadProtocolError, match="without a file"):
        client.files.upload(file=b"abc", config={"mime_type": "a/b"})


def test_final_before_the_last_chunk_is_a_protocol_error(answering):
    _, client = answering(
        STARTED, httpx.Response(200, headers={"X-Goog-Upload-Status": "final"}, json=FILE)
    )

    with pytest.raises(errors.UploadProtocolError, match="before the last chunk"):
        client.files.upload(file=b"abcdef", config={"mime_type": "a/b"}, chunk_size=4)


def test_active_after_the_last_chunk_is_a_protocol_error(answering):
    _, client = answering(STARTED, httpx.Response(200, headers={"X-Goog-Upload-Status": "active"}))

    with pytest.raises(errors.UploadProtocolError, match="not 'final'") as caught:
        client.files.upload(file=b"abcdef", config={"mime_type": "a/b"}, chunk_size=4)

    assert caught.value.offset == 4


# --- The uploaded file in a prompt -------------------------------------------------------------


def test_the_guide_example_uses_the_uploaded_file_as_a_part(tmp_path, service, upload_client):
    # The guide: my_file = client.files.upload(file="path/to/sample.jpg"), then
    # contents=[my_file, "Caption this image."].
    path = tmp_path / "sample.jpg"
    path.write_bytes(b"\xff\xd8\xff")
    my_file = upload_client.files.upload(file=str(path))

    response = upload_client.models.generate_content(
        model="gemini-2.5-flash", contents=[my_file, "Caption this image."]
    )

    assert response.text
    (request,) = service.other_requests
    assert request.url.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert json.loads(request.content) == {
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
