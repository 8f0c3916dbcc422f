"""``client.files.get``, ``list`` and ``delete``, and files used as parts of a prompt."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from gemini_ref import _contents, errors, types
from gemini_ref._wire import from_wire, to_wire

BASE = "https://generativelanguage.googleapis.com/v1beta"
FILE_JSON = {
    "name": "files/k4t1ywl66fz2",
    "displayName": "sample.pdf",
    "mimeType": "application/pdf",
    "sizeBytes": "18810",
    "createTime": "2026-08-19T14:34:14.094797Z",
    "updateTime": "2026-08-19T14:34:14.094797Z",
    "expirationTime": "2026-08-21T14:34:13.503405945Z",
    "sha256Hash": "MjI5ZGVmYmI=",
    "uri": "https://generativelanguage.googleapis.com/v1beta/files/k4t1ywl66fz2",
    "state": "ACTIVE",
    "source": "UPLOADED",
}


@pytest.mark.parametrize("name", ["files/k4t1ywl66fz2", "k4t1ywl66fz2"])
def test_get_takes_the_name_with_or_without_its_prefix(client, recorder, name):
    recorder.answers = [FILE_JSON]

    file = client.files.get(name=name)

    request = recorder.request
    assert (request.method, str(request.url)) == ("GET", f"{BASE}/files/k4t1ywl66fz2")
    assert request.headers["x-goog-api-key"] == "test-key"
    assert file.name == "files/k4t1ywl66fz2"
    assert file.size_bytes == 18810
    assert file.expiration_time == datetime(2026, 8, 21, 14, 34, 13, 503405, tzinfo=UTC)
    assert file.state == types.FileState.ACTIVE


def test_get_keeps_fields_it_does_not_model(client, recorder):
    recorder.answers = [
        FILE_JSON
        | {
            "state": "FAILED",
            "error": {"code": 3, "message": "bad video"},
            "videoMetadata": {"videoDuration": "12.5s"},
            "brandNewField": 1,
        }
    ]

    file = client.files.get(name="k4t1ywl66fz2")

    assert file.state == types.FileState.FAILED
    assert file.error == types.FileStatus(code=3, message="bad video")
    assert file.video_metadata == {"videoDuration": "12.5s"}
    assert file.extra == {"brandNewField": 1}


def test_get_of_a_missing_file_raises_permission_denied(client, recorder):
    recorder.answers = [
        httpx.Response(
            403,
            json={
                "error": {
                    "code": 403,
                    "message": "You do not have permission to access the File ID or it may not"
                    " exist.",
                    "status": "PERMISSION_DENIED",
                }
            },
        )
    ]

    with pytest.raises(errors.PermissionDeniedError, match="may not exist"):
        client.files.get(name="files/nope")


@pytest.mark.parametrize("name", ["", "files/", "files/a/b", "a?b", "..", "files/x#y", "a%2Fb"])
def test_names_that_would_escape_the_path_are_refused(client, recorder, name):
    with pytest.raises(ValueError, match="invalid file name"):
        client.files.get(name=name)
    with pytest.raises(ValueError, match="invalid file name"):
        client.files.delete(name=name)

    assert recorder.requests == []


def test_a_non_string_name_is_a_type_error(client):
    with pytest.raises(TypeError, match="name must be a str"):
        client.files.get(name=types.File(name="files/a"))


def test_list_follows_next_page_tokens(client, recorder):
    recorder.answers = [
        {"files": [FILE_JSON | {"name": "files/a"}], "nextPageToken": "t1"},
        {"files": [FILE_JSON | {"name": "files/b"}]},
    ]

    pager = client.files.list(config={"page_size": 1})
    names = [file.name for file in pager]

    assert names == ["files/a", "files/b"]
    first, second = recorder.requests
    assert (first.method, str(first.url)) == ("GET", f"{BASE}/files?pageSize=1")
    assert str(second.url) == f"{BASE}/files?pageSize=1&pageToken=t1"
    assert pager.next_page_token is None


def test_list_with_a_typed_config_and_a_start_token(client, recorder):
    recorder.answers = [{"files": []}]

    pager = client.files.list(config=types.ListFilesConfig(page_size=5, page_token="t9"))

    assert list(pager) == []
    assert dict(recorder.request.url.params) == {"pageSize": "5", "pageToken": "t9"}


def test_an_empty_listing_may_be_an_empty_object(client, recorder):
    recorder.answers = [{}]

    pager = client.files.list()

    assert list(pager) == []
    assert str(recorder.request.url) == f"{BASE}/files"


@pytest.mark.parametrize(
    "answer", [httpx.Response(200, json={}), httpx.Response(200)], ids=["{}", "empty"]
)
def test_delete_sends_delete_and_accepts_an_empty_answer(client, recorder, answer):
    recorder.answers = [answer]

    result = client.files.delete(name="files/k4t1ywl66fz2")

    request = recorder.request
    assert (request.method, str(request.url)) == ("DELETE", f"{BASE}/files/k4t1ywl66fz2")
    assert request.content == b""
    assert result == types.DeleteFileResponse()


def test_delete_still_refuses_a_204(client, recorder):
    recorder.answers = [httpx.Response(204)]

    with pytest.raises(errors.APIError) as caught:
        client.files.delete(name="abc")

    assert caught.value.code == 204


def test_files_follow_the_client_api_version_and_base_url(make_client, recorder):
    client = make_client(base_url="http://127.0.0.1:8765/prefix", api_version="v1")
    recorder.answers = [FILE_JSON]

    client.files.get(name="abc")

    assert str(recorder.request.url) == "http://127.0.0.1:8765/prefix/v1/files/abc"


# --- Files as parts ----------------------------------------------------------------------------

UPLOADED = types.File(
    name="files/abc", uri="https://generativelanguage.googleapis.com/v1beta/files/abc",
    mime_type="image/jpeg",
)  # fmt: skip


def test_a_file_in_contents_becomes_file_data(client, recorder):
    client.models.generate_content(model="gemini-2.5-flash", contents=UPLOADED)

    assert recorder.body == {
        "contents": [
            {
                "parts": [{"fileData": {"fileUri": UPLOADED.uri, "mimeType": "image/jpeg"}}],
                "role": "user",
            }
        ]
    }


def test_a_file_is_the_same_part_as_part_from_uri():
    assert UPLOADED.uri is not None
    assert _contents.to_part(UPLOADED) == types.Part.from_uri(
        file_uri=UPLOADED.uri, mime_type="image/jpeg"
    )


def test_files_mix_with_text_and_inline_parts_in_one_turn():
    turns = _contents.to_contents(
        ["What is different?", UPLOADED, types.Part.from_bytes(data=b"\x89PNG", mime_type="x/y")]
    )

    assert len(turns) == 1 and turns[0].parts is not None
    assert [part.file_data is not None for part in turns[0].parts] == [False, True, False]


def test_a_file_without_uri_or_mime_type_cannot_be_a_part():
    with pytest.raises(ValueError, match="no uri or no mime_type"):
        _contents.to_part(types.File(name="files/abc", uri="https://x/files/abc"))


def test_file_round_trips_through_the_wire_format():
    file = from_wire(types.File, FILE_JSON)

    # Written back as proto3 JSON also reads them: int64 as a number, and the timestamp cut to
    # the microseconds a datetime holds.
    assert to_wire(file) == FILE_JSON | {
        "sizeBytes": 18810,
        "expirationTime": "2026-08-21T14:34:13.503405Z",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-19T14:34:14Z", datetime(2026, 8, 19, 14, 34, 14, tzinfo=UTC)),
        ("2026-08-19T16:34:14.5+02:00", datetime(2026, 8, 19, 14, 34, 14, 500000, tzinfo=UTC)),
        ("2026-08-19T14:34:14", datetime(2026, 8, 19, 14, 34, 14, tzinfo=UTC)),
    ],
)
def test_timestamps_parse_to_aware_datetimes(text, expected):
    assert from_wire(types.File, {"createTime": text}).create_time == expected


def test_a_timestamp_that_is_not_one_is_malformed(client, recorder):
    recorder.answers = [{"name": "files/a", "createTime": "yesterday"}]

    with pytest.raises(errors.MalformedResponseError, match="unexpected body"):
        client.files.get(name="a")
