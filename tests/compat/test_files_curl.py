"""The guide's REST upload scripts, run with the real ``curl``, ``file``, ``jq``, ``grep`` and
``cut`` through ``bash`` against the fake's socket.

The scripts are the guide's ("Uploading images using the File API" and "Prompting with multiple
images", ### REST), verbatim but for the host (the real service's becomes the fake's base URL)
and the image paths (real PNG and JPEG files made here). They are copied here, and
``test_the_copied_scripts_are_still_the_guides`` checks the copies against the guide when it is
around (``GEMINI_API_GUIDE``). The audio variant is the one in the Files API docs
(docs/evidence.md#sdk-docs-curl): the single-quoted start body
``{'file': {'display_name': 'AUDIO'}}``, a chunk with no key, ``jq .file.uri`` (quotes kept) and a
snake_case ``file_data`` part. Each script runs in its own directory, where it writes its
``upload-header.tmp``, ``file_info.json`` and ``response.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance._guide import guide_code, read_guide
from fake_server.pytest_plugin import Fake
from tests.kit.files import SERVICE_FILES, FilesKit, check_two_images_prompt
from tests.kit.wire import Exchange

TOOLS = ("curl", "file", "jq", "grep", "cut", "tr", "wc", "base64")
pytestmark = pytest.mark.needs(*TOOLS)

REAL_HOST = "https://generativelanguage.googleapis.com"

# "Uploading images using the File API" (### REST).
CAPTION = """\
IMAGE_PATH="path/to/sample.jpg"
MIME_TYPE=$(file -b --mime-type "${IMAGE_PATH}")
NUM_BYTES=$(wc -c < "${IMAGE_PATH}")
DISPLAY_NAME=IMAGE

tmp_header_file=upload-header.tmp

# Initial resumable request defining metadata.
# The upload url is in the response headers dump them to a file.
curl "https://generativelanguage.googleapis.com/upload/v1beta/files" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -D upload-header.tmp \\
  -H "X-Goog-Upload-Protocol: resumable" \\
  -H "X-Goog-Upload-Command: start" \\
  -H "X-Goog-Upload-Header-Content-Length: ${NUM_BYTES}" \\
  -H "X-Goog-Upload-Header-Content-Type: ${MIME_TYPE}" \\
  -H "Content-Type: application/json" \\
  -d "{'file': {'display_name': '${DISPLAY_NAME}'}}" 2> /dev/null

upload_url=$(grep -i "x-goog-upload-url: " "${tmp_header_file}" | cut -d" " -f2 | tr -d "\\r")
rm "${tmp_header_file}"

# Upload the actual bytes.
curl "${upload_url}" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H "Content-Length: ${NUM_BYTES}" \\
  -H "X-Goog-Upload-Offset: 0" \\
  -H "X-Goog-Upload-Command: upload, finalize" \\
  --data-binary "@${IMAGE_PATH}" 2> /dev/null > file_info.json

file_uri=$(jq -r ".file.uri" file_info.json)
echo file_uri=$file_uri

# Now generate content using that file
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent" \\
    -H "x-goog-api-key: $GEMINI_API_KEY" \\
    -H 'Content-Type: application/json' \\
    -X POST \\
    -d '{
      "contents": [{
        "parts":[
          {"file_data":{"mime_type": "'"${MIME_TYPE}"'", "file_uri": "'"${file_uri}"'"}},
          {"text": "Caption this image."}]
        }]
      }' 2> /dev/null > response.json

cat response.json
echo

jq ".candidates[].content.parts[].text" response.json
"""

# "Prompting with multiple images" (### REST).
MULTIPLE_IMAGES = """\
# Upload the first image
IMAGE1_PATH="path/to/image1.jpg"
MIME1_TYPE=$(file -b --mime-type "${IMAGE1_PATH}")
NUM1_BYTES=$(wc -c < "${IMAGE1_PATH}")
DISPLAY_NAME1=IMAGE1

tmp_header_file1=upload-header1.tmp

curl "https://generativelanguage.googleapis.com/upload/v1beta/files" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -D upload-header1.tmp \\
  -H "X-Goog-Upload-Protocol: resumable" \\
  -H "X-Goog-Upload-Command: start" \\
  -H "X-Goog-Upload-Header-Content-Length: ${NUM1_BYTES}" \\
  -H "X-Goog-Upload-Header-Content-Type: ${MIME1_TYPE}" \\
  -H "Content-Type: application/json" \\
  -d "{'file': {'display_name': '${DISPLAY_NAME1}'}}" 2> /dev/null

upload_url1=$(grep -i "x-goog-upload-url: " "${tmp_header_file1}" | cut -d" " -f2 | tr -d "\\r")
rm "${tmp_header_file1}"

curl "${upload_url1}" \\
  -H "Content-Length: ${NUM1_BYTES}" \\
  -H "X-Goog-Upload-Offset: 0" \\
  -H "X-Goog-Upload-Command: upload, finalize" \\
  --data-binary "@${IMAGE1_PATH}" 2> /dev/null > file_info1.json

file1_uri=$(jq ".file.uri" file_info1.json)
echo file1_uri=$file1_uri

# Prepare the second image (inline)
IMAGE2_PATH="path/to/image2.png"
MIME2_TYPE=$(file -b --mime-type "${IMAGE2_PATH}")

if [[ "$(base64 --version 2>&1)" = *"FreeBSD"* ]]; then
  B64FLAGS="--input"
else
  B64FLAGS="-w0"
fi
IMAGE2_BASE64=$(base64 $B64FLAGS $IMAGE2_PATH)

# Now generate content using both images
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent" \\
    -H "x-goog-api-key: $GEMINI_API_KEY" \\
    -H 'Content-Type: application/json' \\
    -X POST \\
    -d '{
      "contents": [{
        "parts":[
          {"text": "What is different between these two images?"},
          {"file_data":{"mime_type": "'"${MIME1_TYPE}"'", "file_uri": '$file1_uri'}},
          {
            "inline_data": {
              "mime_type":"'"${MIME2_TYPE}"'",
              "data": "'"$IMAGE2_BASE64"'"
            }
          }
        ]
      }]
    }' 2> /dev/null > response.json

cat response.json
echo

jq ".candidates[].content.parts[].text" response.json
"""

# docs/evidence.md#sdk-docs-curl: the Files API docs' audio upload (the same two steps,
# DISPLAY_NAME=AUDIO, no key on the chunk, the URI read with its JSON quotes and put in the body
# unquoted).
AUDIO = """\
AUDIO_PATH="path/to/sample.mp3"
MIME_TYPE=$(file -b --mime-type "${AUDIO_PATH}")
NUM_BYTES=$(wc -c < "${AUDIO_PATH}")
DISPLAY_NAME=AUDIO

tmp_header_file=upload-header.tmp

# Initial resumable request defining metadata.
# The upload url is in the response headers dump them to a file.
curl "https://generativelanguage.googleapis.com/upload/v1beta/files" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -D upload-header.tmp \\
  -H "X-Goog-Upload-Protocol: resumable" \\
  -H "X-Goog-Upload-Command: start" \\
  -H "X-Goog-Upload-Header-Content-Length: ${NUM_BYTES}" \\
  -H "X-Goog-Upload-Header-Content-Type: ${MIME_TYPE}" \\
  -H "Content-Type: application/json" \\
  -d "{'file': {'display_name': '${DISPLAY_NAME}'}}" 2> /dev/null

upload_url=$(grep -i "x-goog-upload-url: " "${tmp_header_file}" | cut -d" " -f2 | tr -d "\\r")
rm "${tmp_header_file}"

# Upload the actual bytes.
curl "${upload_url}" \\
  -H "Content-Length: ${NUM_BYTES}" \\
  -H "X-Goog-Upload-Offset: 0" \\
  -H "X-Goog-Upload-Command: upload, finalize" \\
  --data-binary "@${AUDIO_PATH}" 2> /dev/null > file_info.json

file_uri=$(jq ".file.uri" file_info.json)
echo file_uri=$file_uri

# Now generate content using that file
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent" \\
    -H "x-goog-api-key: $GEMINI_API_KEY" \\
    -H 'Content-Type: application/json' \\
    -X POST \\
    -d '{
      "contents": [{
        "parts":[
          {"text": "Describe this audio clip"},
          {"file_data":{"mime_type": "audio/mpeg", "file_uri": '$file_uri'}}]
        }]
      }' 2> /dev/null > response.json

cat response.json
echo

jq ".candidates[].content.parts[].text" response.json
"""


@dataclass
class ScriptRun:
    stdout: str
    folder: Path

    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def json(self, name: str) -> Any:
        return json.loads((self.folder / name).read_text())

    def printed_texts(self) -> list[str]:
        """What the closing ``jq ".candidates[].content.parts[].text"`` printed, decoded."""
        after_blank = self.stdout.rsplit("\n\n", 1)[1]
        return [json.loads(line) for line in after_blank.splitlines()]


def run_script(script: str, fake: Fake, folder: Path, paths: dict[str, Path]) -> ScriptRun:
    """The guide's script in bash, in ``folder``, with the fake's host and the given paths."""
    script = script.replace(REAL_HOST, fake.base_url)
    for placeholder, path in paths.items():
        assert f'"{placeholder}"' in script
        script = script.replace(f'"{placeholder}"', f'"{path}"')
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["GEMINI_API_KEY"] = "test-key"
    done = subprocess.run(
        ["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return ScriptRun(done.stdout, folder)


def rest_blocks(guide: str, section: str, next_section: str) -> list[str]:
    """The "### REST" blocks of a guide section."""
    return guide_code(guide.split(section, 1)[1].split(next_section, 1)[0], "REST")


def test_the_copied_scripts_are_still_the_guides() -> None:
    guide = read_guide()
    caption = rest_blocks(
        guide, "### Uploading images using the File API", "## Prompting with multiple images"
    )
    multiple = rest_blocks(guide, "## Prompting with multiple images", "## Object detection")
    assert (caption, multiple) == ([CAPTION], [MULTIPLE_IMAGES])


def uploads(wire: list[Exchange], files_kit: FilesKit) -> list[list[Exchange]]:
    return list(files_kit.sessions(wire).values())


def check_upload_exchanges(
    session: list[Exchange], data: bytes, mime_type: str, *, key: bool
) -> None:
    """The docs' curl upload (docs/evidence.md#sdk-docs-curl): a start with the key, one
    ``upload, finalize`` chunk at 0."""
    start, chunk = session
    assert start.request_header("x-goog-api-key") == "test-key"
    assert start.request_header("x-goog-upload-header-content-length") == str(len(data))
    assert start.request_header("x-goog-upload-header-content-type") == mime_type
    assert start.request_header("user-agent") is not None
    assert (start.status, start.body) == (200, b"")
    assert chunk.request_header("x-goog-upload-command") == "upload, finalize"
    assert chunk.request_header("x-goog-upload-offset") == "0"
    assert chunk.request_header("content-length") == str(len(data)) == str(chunk.request_size)
    assert chunk.request_header("content-type") == "application/x-www-form-urlencoded"
    assert (chunk.request_header("x-goog-api-key") is not None) is key
    assert (chunk.status, chunk.header("x-goog-upload-status")) == (200, "final")


def stored_sha256(fake: Fake, file_id: str) -> str:
    """The sha256 of the bytes the fake stored for a file (not of what it reported)."""
    digest = hashlib.sha256(fake.state.store.data_path(file_id).read_bytes())
    return digest.hexdigest()


def test_the_guides_rest_upload_script_uploads_the_image_and_captions_it(
    gemini_fake_server: Fake, wire_tap: list[Exchange], files_kit: FilesKit, tmp_path: Path
) -> None:
    image = tmp_path / "sample.png"
    data = files_kit.png(64, 48)
    image.write_bytes(data)

    run = run_script(CAPTION, gemini_fake_server, tmp_path, {"path/to/sample.jpg": image})

    lines = run.lines()
    match = re.fullmatch(rf"file_uri=({re.escape(SERVICE_FILES)}/v1beta/files/(\w+))", lines[0])
    assert match, lines[0]
    file_uri, file_id = match.groups()
    file = run.json("file_info.json")["file"]
    files_kit.check_file(
        file,
        data,
        version="v1beta",
        mime_type="image/png",
        display_name="IMAGE",
    )
    assert file["uri"] == file_uri
    assert stored_sha256(gemini_fake_server, file_id) == hashlib.sha256(data).hexdigest()
    assert not (tmp_path / "upload-header.tmp").exists()
    (session,) = uploads(wire_tap, files_kit)
    check_upload_exchanges(session, data, "image/png", key=True)
    start = gemini_fake_server.journal.calls("files.upload")[0]
    assert start.request == {"file": {"display_name": "IMAGE"}}
    # The generate call: the snake_case file_data part, read as fileData; the answer printed.
    response = run.json("response.json")
    # What the script printed: the URI, the answer as cat shows it, then jq's texts.
    printed = (tmp_path / "response.json").read_text()
    assert run.stdout.startswith(f"file_uri={file_uri}\n{printed}\n")
    text = response["candidates"][0]["content"]["parts"][0]["text"]
    assert run.printed_texts() == [text]
    assert "Caption this image" in text
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert (call.path, call.status) == ("/v1beta/models/gemini-2.5-flash:generateContent", 200)
    assert call.request == {
        "contents": [
            {
                "parts": [
                    {"fileData": {"mimeType": "image/png", "fileUri": file_uri}},
                    {"text": "Caption this image."},
                ],
                "role": "user",
            }
        ]
    }


def test_the_guides_multiple_images_script_uploads_one_and_inlines_the_other(
    gemini_fake_server: Fake, wire_tap: list[Exchange], files_kit: FilesKit, tmp_path: Path
) -> None:
    image1, image2 = tmp_path / "image1.jpg", tmp_path / "image2.png"
    jpeg, png = files_kit.jpeg(), files_kit.png(seed=2)
    image1.write_bytes(jpeg)
    image2.write_bytes(png)

    run = run_script(
        MULTIPLE_IMAGES,
        gemini_fake_server,
        tmp_path,
        {"path/to/image1.jpg": image1, "path/to/image2.png": image2},
    )

    # jq without -r: the URI keeps its JSON quotes, and goes into the body as a JSON string.
    match = re.fullmatch(r'file1_uri="(\S+/v1beta/files/(\w+))"', run.lines()[0])
    assert match, run.lines()[0]
    file_uri, file_id = match.groups()
    files_kit.check_file(
        run.json("file_info1.json")["file"],
        jpeg,
        version="v1beta",
        mime_type="image/jpeg",
        display_name="IMAGE1",
    )
    assert stored_sha256(gemini_fake_server, file_id) == hashlib.sha256(jpeg).hexdigest()
    (session,) = uploads(wire_tap, files_kit)
    check_upload_exchanges(session, jpeg, "image/jpeg", key=False)
    (call,) = gemini_fake_server.journal.calls("generateContent")
    check_two_images_prompt(call, file_uri)
    texts = run.printed_texts()
    assert len(texts) == 1 and "What is different between these two images" in texts[0]


def test_the_audio_variant_with_a_single_quoted_body_and_no_key_on_the_chunk(
    gemini_fake_server: Fake, wire_tap: list[Exchange], files_kit: FilesKit, tmp_path: Path
) -> None:
    audio = tmp_path / "sample.mp3"
    data = files_kit.mp3()
    audio.write_bytes(data)

    run = run_script(AUDIO, gemini_fake_server, tmp_path, {"path/to/sample.mp3": audio})

    match = re.fullmatch(r'file_uri="(\S+/v1beta/files/(\w+))"', run.lines()[0])
    assert match, run.lines()[0]
    file_uri, file_id = match.groups()
    file = run.json("file_info.json")["file"]
    files_kit.check_file(
        file,
        data,
        version="v1beta",
        mime_type="audio/mpeg",
        display_name="AUDIO",
    )
    assert stored_sha256(gemini_fake_server, file_id) == hashlib.sha256(data).hexdigest()
    (session,) = uploads(wire_tap, files_kit)
    check_upload_exchanges(session, data, "audio/mpeg", key=False)
    start_call = gemini_fake_server.journal.calls("files.upload")[0]
    assert start_call.request == {"file": {"display_name": "AUDIO"}}
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert call.status == 200
    assert call.request == {
        "contents": [
            {
                "parts": [
                    {"text": "Describe this audio clip"},
                    {"fileData": {"mimeType": "audio/mpeg", "fileUri": file_uri}},
                ],
                "role": "user",
            }
        ]
    }
    (text,) = run.printed_texts()
    assert "Describe this audio clip" in text
    details = run.json("response.json")["usageMetadata"]["promptTokensDetails"]
    # 24 frames of 417 bytes at 128 kbit/s last 0.6255 s: 32 tokens a second, a started one whole
    assert {"modality": "AUDIO", "tokenCount": 21} in details
