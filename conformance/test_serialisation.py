"""How the target writes JSON, on answers that hold the characters that tell serialisers apart.

The rules (docs/evidence.md#service-serialisation, docs/protocol.md "Serialisation"):

* non-ASCII text is raw UTF-8, never a ``\\uXXXX`` escape, in unary bodies, error bodies and
  stream events alike;
* ``<`` and ``>`` are always written ``\\u003c`` and ``\\u003e``, and no other ``\\u`` escape
  is used;
* int64 values travel as JSON strings (a file's ``sizeBytes``); a file's ``sha256Hash`` is the
  base64 of the lowercase hex digest (docs/evidence.md#service-file-hash);
* a request's integer field takes a number or a string holding one, as protobuf's JSON mapping
  reads it (docs/messages.md#reading-a-field): ``"candidateCount": "2"`` is two candidates.

The characters are put where every server must echo them: in an unknown field's name, which the
error message quotes, and in the prompt.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import httpx
import pytest

from conformance._target import Target

FLASH = "/v1beta/models/gemini-2.5-flash"
NAME = "naïve_<b>_名前"  # non-ASCII and angle brackets, in a field name the service quotes back
PROMPT = "Explain <b>crème brûlée</b> — in 日本語, briefly"
OTHER_ESCAPE = re.compile(rb"\\u(?!003c|003e)[0-9a-fA-F]{4}")


def check_escaping(raw: bytes, *, holds: str) -> None:
    """``raw`` holds ``holds`` (once parsed), its non-ASCII as raw UTF-8, its angles escaped."""
    assert b"<" not in raw and b">" not in raw, "a raw < or > in the body"
    assert OTHER_ESCAPE.search(raw) is None, "a \\uXXXX escape other than \\u003c / \\u003e"
    text = raw.decode("utf-8")
    for char in holds:
        if ord(char) > 127:
            assert char in text, f"{char!r} is not in the body as raw UTF-8"
    assert "\\u003c" in text and "\\u003e" in text


def unknown_field_request() -> dict[str, Any]:
    return {"contents": [{"parts": [{"text": "Hi"}], "role": "user"}], NAME: 1}


def test_an_error_body_keeps_non_ascii_raw_and_escapes_angles(target: Target) -> None:
    http = target.http(key=True)
    reply = http.post(f"{FLASH}:generateContent", json=unknown_field_request())
    assert reply.status_code == 400
    assert NAME in reply.json()["error"]["message"]
    check_escaping(reply.content, holds=NAME)


def test_an_sse_error_body_is_serialised_alike(target: Target) -> None:
    http = target.http(key=True)
    reply = http.post(f"{FLASH}:streamGenerateContent?alt=sse", json=unknown_field_request())
    assert reply.status_code == 400
    assert NAME in json.loads(reply.content)["error"]["message"]
    check_escaping(reply.content, holds=NAME)


def prompt_request() -> dict[str, Any]:
    return {
        "contents": [{"parts": [{"text": PROMPT}], "role": "user"}],
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}},
    }


def answer_text(chunks: list[dict[str, Any]]) -> str:
    return "".join(
        part.get("text", "")
        for chunk in chunks
        for candidate in chunk.get("candidates", [])
        for part in (candidate.get("content") or {}).get("parts", [])
    )


def test_a_unary_answer_has_no_raw_angle_and_no_ascii_escape(target: Target) -> None:
    reply = target.http(key=True).post(f"{FLASH}:generateContent", json=prompt_request())
    assert reply.status_code == 200
    raw = reply.content
    assert b"<" not in raw and b">" not in raw
    assert OTHER_ESCAPE.search(raw) is None
    said = answer_text([reply.json()])
    assert raw.decode("utf-8").count("\\u003c") == said.count("<")
    if target.is_fake:  # the fake's answer quotes the prompt, so it must hold these
        check_escaping(raw, holds="èûé—日本語")


def test_stream_events_have_no_raw_angle_and_no_ascii_escape(target: Target) -> None:
    http = target.http(key=True)
    reply = http.post(f"{FLASH}:streamGenerateContent?alt=sse", json=prompt_request())
    assert reply.status_code == 200
    raw = reply.content
    assert b"<" not in raw and b">" not in raw
    assert OTHER_ESCAPE.search(raw) is None
    if target.is_fake:
        check_escaping(raw, holds="èûé—日本語")


def upload(http: httpx.Client, data: bytes, mime: str) -> dict[str, Any]:
    start = http.post(
        "/upload/v1beta/files",
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Length": str(len(data)),
            "X-Goog-Upload-Header-Content-Type": mime,
        },
        json={"file": {"displayName": "serialisation check"}},
    )
    assert start.status_code == 200
    url = start.headers["x-goog-upload-url"]
    final = http.post(
        url,
        content=data,
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    )
    assert final.status_code == 200
    file: dict[str, Any] = final.json()["file"]
    return file


def test_a_files_int64_size_is_a_string_and_its_hash_the_base64_of_the_hex_digest(
    target: Target,
) -> None:
    data = "bonjour, café <3\n".encode() * 7
    http = target.http(key=True)
    file = upload(http, data, "text/plain")
    try:
        assert file["sizeBytes"] == str(len(data))
        hex_digest = hashlib.sha256(data).hexdigest()
        assert file["sha256Hash"] == base64.b64encode(hex_digest.encode()).decode()
        got = http.get(f"/v1beta/{file['name']}")
        assert got.status_code == 200
        assert re.search(rb'"sizeBytes": "\d+"', got.content)
    finally:
        http.delete(f"/v1beta/{file['name']}")


@pytest.mark.parametrize("count", [2, "2", 2.0])
def test_an_integer_field_takes_a_number_or_a_string_of_one(target: Target, count: Any) -> None:
    config = {"candidateCount": count, "maxOutputTokens": "64"}
    body = {"contents": [{"role": "user", "parts": [{"text": "Name a colour."}]}]}
    reply = target.http(key=True).post(
        f"{FLASH}:generateContent", json={**body, "generationConfig": config}
    )
    assert reply.status_code == 200, reply.text
    assert len(reply.json()["candidates"]) == 2
