"""Recordings of apps that upload files replay with the app unchanged.

The app uploads a file and asks about it. Recorded through ``gemini-fake record`` (a second fake
is the upstream), the call names the upstream's file id; replayed by a strict fake, the app's
upload gets a new id, and the recording must still answer, because the replay's upload stands
for the recorded file: same content, else same display name, else same place in upload order.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.fixtures.format import FixtureError, parse_object
from fake_server.fixtures.uploads import KnownFile, renamed, stand_ins
from fake_server.record import RecordConfig, create_record_app
from fake_server.server import ThreadedServer

KEY = "test-key"
MODEL = "gemini-2.5-flash"
REPORT = b"Quarterly report: revenue up 12%, costs flat.\n" * 40
QUESTION = "Summarize this report in one sentence."


def client(base_url: str) -> genai.Client:
    return genai.Client(
        api_key=KEY, http_options=types.HttpOptions(base_url=base_url, api_version="v1beta")
    )


def app(sdk: genai.Client, content: bytes = REPORT, name: str = "report.txt") -> tuple[str, str]:
    """What the app does: upload its file, ask about it. Gives the file's name and the answer."""
    uploaded = sdk.files.upload(
        file=io.BytesIO(content),
        config=types.UploadFileConfig(mime_type="text/plain", display_name=name),
    )
    contents: list[types.PartUnionDict] = [uploaded, QUESTION]
    answer = sdk.models.generate_content(model=MODEL, contents=contents)
    return uploaded.name or "", answer.text or ""


@pytest.fixture
def recording(tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """The app run once through the recorder: the directory, the upstream's file name and the
    answer the app got."""
    directory = tmp_path / "recorded"
    # the upstream's ids are its own, as the service's are (a fake's repeat run to run)
    upstream = ThreadedServer(create_app(FakeConfig(api_keys=frozenset({KEY}), seed=7)))
    with upstream:
        proxy = create_record_app(RecordConfig(upstream.base_url, directory, log=io.StringIO()))
        with ThreadedServer(proxy) as recorder:
            sdk = client(recorder.base_url)
            name, answer = app(sdk)
    yield directory, name, answer


def replayer(directory: Path) -> ThreadedServer:
    config = FakeConfig(fixture_dirs=(directory,), default_fixtures=False, strict=True)
    return ThreadedServer(create_app(config))


def recorded_fixture(directory: Path) -> tuple[Path, dict[str, Any]]:
    (path,) = directory.glob("*.json")
    return path, json.loads(path.read_text())


def test_the_recording_says_what_the_upstream_said_of_the_file(
    recording: tuple[Path, str, str],
) -> None:
    directory, name, _ = recording
    _, fixture = recorded_fixture(directory)
    facts = fixture["files"][name]
    assert set(facts) == {"sha256Hash", "displayName", "upload"}
    assert facts["displayName"] == "report.txt" and facts["upload"] == 1
    # the Files API's hash: base64 of the hex digest
    assert base64.b64decode(facts["sha256Hash"]).decode() == hashlib.sha256(REPORT).hexdigest()


@pytest.mark.parametrize(
    ("content", "display_name", "by"),
    [
        (REPORT, "report.txt", "content"),
        (REPORT, "renamed.txt", "content"),
        (REPORT + b"(edited)\n", "report.txt", "display name"),
        (REPORT + b"(edited)\n", "renamed.txt", "upload order"),
    ],
)
def test_a_replay_upload_stands_for_the_recorded_file(
    recording: tuple[Path, str, str], content: bytes, display_name: str, by: str
) -> None:
    directory, recorded_name, recorded_answer = recording
    with replayer(directory) as fake:
        sdk = client(fake.base_url)
        name, answer = app(sdk, content, display_name)
        assert name != recorded_name  # the replay's upload has an id of its own
        assert answer == recorded_answer, by
        (entry,) = fake.app.state.fake.journal.calls("generateContent")  # type: ignore[attr-defined]
        assert entry.extra["recordedFiles"] == {name: recorded_name}
        assert entry.answered_by.startswith("fixture:")


def test_without_what_the_recording_says_of_the_file_the_replay_misses(
    recording: tuple[Path, str, str],
) -> None:
    directory, recorded_name, _ = recording
    path, fixture = recorded_fixture(directory)
    del fixture["files"]
    path.write_text(json.dumps(fixture))
    with replayer(directory) as fake:
        sdk = client(fake.base_url)
        with pytest.raises(genai_errors.ClientError) as raised:
            app(sdk)
    assert raised.value.code == 400
    assert "fileUri" in str(raised.value.message) and recorded_name in str(raised.value.message)


def test_a_second_upload_does_not_stand_for_the_first_recorded_file(
    recording: tuple[Path, str, str],
) -> None:
    """Different content, a different name, and second in order: it stands for nothing."""
    directory, _, _ = recording
    with replayer(directory) as fake:
        sdk = client(fake.base_url)
        sdk.files.upload(
            file=io.BytesIO(b"something else"),
            config=types.UploadFileConfig(mime_type="text/plain", display_name="other.txt"),
        )
        with pytest.raises(genai_errors.ClientError) as raised:
            app(sdk, REPORT + b"(edited)\n", "renamed.txt")
    assert "no fixture matches" in str(raised.value.message)


def test_upload_order_starts_over_at_reset(recording: tuple[Path, str, str]) -> None:
    directory, _, recorded_answer = recording
    with replayer(directory) as fake:
        sdk = client(fake.base_url)
        app(sdk, REPORT + b"(first run)\n", "first.txt")  # first in order: answered
        httpx.post(f"{fake.base_url}/__fake__/reset").raise_for_status()
        _, answer = app(sdk, REPORT + b"(second run)\n", "second.txt")
    assert answer == recorded_answer


def test_hand_written_fixtures_name_files_by_display_name(tmp_path: Path) -> None:
    fixture = {
        "match": {
            "request": {
                "contents": [
                    {
                        "role": "user",
                        "parts": [
                            {"fileData": {"mimeType": "text/plain", "fileUri": "files/report"}},
                            {"text": QUESTION},
                        ],
                    }
                ]
            }
        },
        "files": {"files/report": {"displayName": "report.txt"}},
        "answer": {"text": "Revenue rose; costs held."},
    }
    (tmp_path / "report.json").write_text(json.dumps(fixture))
    with replayer(tmp_path) as fake:
        sdk = client(fake.base_url)
        assert app(sdk)[1] == "Revenue rose; costs held."


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([], '"files" is an object'),
        ({"report": {"displayName": "r"}}, "is not a file name"),
        ({"files/a": {}}, "holds some of"),
        ({"files/a": {"name": "r"}}, "holds some of"),
        ({"files/a": {"upload": 0}}, '"upload" a whole number from 1'),
        ({"files/a": {"upload": True}}, '"upload" a whole number from 1'),
        ({"files/a": {"sha256Hash": 5}}, "are strings"),
    ],
)
def test_a_files_section_the_fake_cannot_use_is_refused(files: object, problem: str) -> None:
    with pytest.raises(FixtureError, match=problem):
        parse_object({"files": files, "answer": {"text": "x"}}, "f", "f.json")


RECORDED = [
    KnownFile("files/a", "hash-a", "a.txt", 1),
    KnownFile("files/b", "hash-a", "b.txt", 2),  # the same content uploaded twice
    KnownFile("files/c", "hash-c", "c.txt", 3),
]


@pytest.mark.parametrize(
    ("upload", "stands_for"),
    [
        (KnownFile("files/x", "hash-c", "a.txt", 1), "files/c"),  # content first
        (KnownFile("files/x", "hash-a", None, 2), "files/b"),  # of two, the one in its place
        (KnownFile("files/x", "hash-a", None, 7), "files/a"),  # else the earliest
        (KnownFile("files/x", "hash-z", "b.txt", 1), "files/b"),  # then the display name
        (KnownFile("files/x", "hash-z", "z.txt", 3), "files/c"),  # then the place
        (KnownFile("files/x", "hash-z", "z.txt", 4), None),  # nothing in common
        (KnownFile("files/x", "hash-z", "z.txt", None), None),  # uploaded before a reset
    ],
)
def test_which_recorded_file_an_upload_stands_for(upload: KnownFile, stands_for: str) -> None:
    found = stand_ins(["files/x"], RECORDED, lambda file_id: upload if file_id == "x" else None)
    assert found == ({"files/x": stands_for} if stands_for else {})


def test_a_name_that_is_no_upload_of_this_run_or_is_recorded_stands_for_nothing() -> None:
    upload = KnownFile("files/a", "hash-c", None, 1)
    described = {"a": upload}.get  # "gone" was uploaded before the store started over
    assert stand_ins(["files/gone", "files/a"], RECORDED, described) == {}


def test_renamed_leaves_the_request_as_it_was() -> None:
    part = {"fileData": {"fileUri": "https://h/v1beta/files/x", "mimeType": "text/plain"}}
    request = {"contents": [{"role": "user", "parts": [part, {"text": "hi"}]}, "odd"]}
    before = json.dumps(request)
    out = renamed(request, {"files/x": "files/a"})
    assert out["contents"][0]["parts"][0]["fileData"]["fileUri"] == "files/a"
    assert out["contents"][1] == "odd" and json.dumps(request) == before
    assert renamed(request, {}) is request
