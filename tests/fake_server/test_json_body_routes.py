"""Every route reads its JSON body as the service does (docs/protocol.md#reading-request-bodies):
what the documented curl commands send is answered, and what the service refuses is a 400 in the
envelope, never a 500, with nothing left behind that the journal could not write."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from fake_server import FakeConfig, create_app
from fake_server.pytest_plugin import Fake
from fake_server.record import RecordConfig, create_record_app
from fake_server.server import ThreadedServer

KEY = {"x-goog-api-key": "test-key"}
GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
COUNT = "/v1beta/models/gemini-2.5-flash:countTokens"
START = "/upload/v1beta/files"
START_HEADERS = {
    **KEY,
    "X-Goog-Upload-Protocol": "resumable",
    "X-Goog-Upload-Command": "start",
    "X-Goog-Upload-Header-Content-Length": "3",
    "X-Goog-Upload-Header-Content-Type": "text/plain",
}


@pytest.fixture
def client(gemini_fake: Fake) -> httpx.Client:
    return gemini_fake.client(headers=KEY)


def refused(response: httpx.Response) -> str:
    """The message of a 400 in the Google envelope, after checking the envelope."""
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    message: str = error["message"]
    assert message.startswith("Invalid JSON payload received. ")
    return message.removeprefix("Invalid JSON payload received. ").split("\n")[0]


def journal_is_readable(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get("/__fake__/journal")
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def test_the_guides_curl_body_with_a_comma_before_the_bracket_is_answered(
    client: httpx.Client,
) -> None:
    # The guide's inline-image curl example, byte for byte but for the image, ends its parts
    # with `{"text": "Caption this image."},` and then `]`.
    image = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(image, "JPEG")
    data = base64.b64encode(image.getvalue())
    body = b"""{
        "contents": [{
        "parts":[
            {
                "inline_data": {
                "mime_type":"image/jpeg",
                "data": "IMAGE"
                }
            },
            {"text": "Caption this image."},
        ]
        }]
    }""".replace(b"IMAGE", data)
    response = client.post(GENERATE, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["candidates"][0]["content"]["role"] == "model"
    parts = journal_is_readable(client)[-1]["request"]["contents"][0]["parts"]
    assert parts == [
        {"inlineData": {"mimeType": "image/jpeg", "data": data.decode()}},
        {"text": "Caption this image."},
    ]


def test_single_quotes_bare_keys_and_control_characters_are_answered(
    client: httpx.Client,
) -> None:
    body = b"{contents: [{parts: [{text: 'two\tlines\x0bof text'}]}]}"
    response = client.post(COUNT, content=body)
    assert response.status_code == 200, response.text


NOT_A_CODE_POINT = "Invalid unicode code point."
NOT_UTF8 = "Encountered non UTF-8 code points."
TOO_LARGE = "Number exceeds the range of double."


def in_a_part(part: bytes) -> bytes:
    return b'{"contents": [{"parts": [' + part + b"]}]}"


def as_top_k(value: bytes) -> bytes:
    return (
        b'{"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"topK": ' + value + b"}}"
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(in_a_part(b'{"text": "\\ud800"}'), "Missing low surrogate.", id="lone-high"),
        pytest.param(
            in_a_part(b'{"text": "\\udc00"}'), "Invalid unicode code point.", id="lone-low"
        ),
        pytest.param(in_a_part(b'{"\\ud800": "x"}'), "Missing low surrogate.", id="in-a-name"),
        pytest.param(
            in_a_part(b'{"text": "x\xff"}'), "Encountered non UTF-8 code points.", id="utf8"
        ),
        pytest.param(
            as_top_k(b"9" * 4301), "Number exceeds the range of double.", id="4301-digits"
        ),
        pytest.param(as_top_k(b"1e999"), "Number exceeds the range of double.", id="infinity"),
        pytest.param(as_top_k(b"NaN"), "Unexpected token.", id="nan"),
        pytest.param(as_top_k(b"Infinity"), "Unexpected token.", id="infinity-literal"),
        pytest.param(as_top_k(b"0x10"), "Octal/hex numbers are not valid JSON values.", id="hex"),
    ],
)
@pytest.mark.parametrize("path", [COUNT, GENERATE])
def test_text_or_a_number_the_parser_refuses_is_its_400_and_the_journal_stays_readable(
    client: httpx.Client, raw: bytes, reason: str, path: str
) -> None:
    assert refused(client.post(path, content=raw)) == reason
    assert journal_is_readable(client)[-1]["status"] == 400


def test_an_integer_beyond_64_bits_is_read_as_a_double(client: httpx.Client) -> None:
    raw = b'{"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"topK": '
    response = client.post(GENERATE, content=raw + b"18446744073709551616}}")
    assert response.json()["error"]["message"] == (
        "Invalid value at 'generation_config.top_k' (TYPE_INT32), 1.8446744073709552e+19"
    )


def test_a_bom_is_refused(client: httpx.Client) -> None:
    raw = b'\xef\xbb\xbf{"contents": [{"parts": [{"text": "hi"}]}]}'
    assert refused(client.post(GENERATE, content=raw)) == "Expected a value."


def test_a_repeated_key_keeps_its_last_value(client: httpx.Client) -> None:
    raw = b'{"contents": [{"parts": [{"text": "first", "text": "second"}]}]}'
    assert client.post(COUNT, content=raw).status_code == 200
    assert journal_is_readable(client)[-1]["request"]["contents"][0]["parts"] == [
        {"text": "second"}
    ]


def call_with_args(args: bytes) -> bytes:
    return (
        b'{"contents": [{"role": "model", "parts": [{"functionCall": {"name": "f", "args": '
        + args
        + b"}}]}]}"
    )


def test_the_101st_nested_object_is_refused_as_the_parser_refuses_it(client: httpx.Client) -> None:
    # The body, its turn, its part and the call are four objects; the args make up the rest.
    deep = b'{"k": ' * 96 + b"1" + b"}" * 96
    assert client.post(COUNT, content=call_with_args(deep)).status_code == 200
    deeper = b'{"k": ' * 97 + b"1" + b"}" * 97
    assert refused(client.post(COUNT, content=call_with_args(deeper))) == (
        "Message too deep. Max recursion depth reached for key 'k'"
    )


def test_arrays_nested_past_the_fakes_bound_are_too_deep(client: httpx.Client) -> None:
    deep = b'{"k": ' + b"[" * 300 + b"]" * 300 + b"}"
    message = refused(client.post(COUNT, content=call_with_args(deep)))
    assert message == "The payload is nested too deeply."


def test_an_empty_body_is_an_empty_request(client: httpx.Client) -> None:
    response = client.post(GENERATE, content=b"")
    assert response.status_code == 400
    assert "contents is not specified" in response.json()["error"]["message"]


# --- the upload start -------------------------------------------------------------------------


def test_the_docs_single_quoted_start_body_still_starts_an_upload(client: httpx.Client) -> None:
    body = b"{'file': {'display_name': 'AUDIO'}}"
    response = client.post(START, content=body, headers=START_HEADERS)
    assert response.status_code == 200, response.text
    assert journal_is_readable(client)[-1]["request"] == {"file": {"display_name": "AUDIO"}}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{'file': {'display_name': b'x'}}", "Unexpected token."),
        (b"{'file': {'display_name': {1, 2}}}", "Expected an object key or }."),
        (b"{'file': {b'name': 1}}", "Expected : between key:value pair."),
        (b"{'file': {'display_name': 'x'}} + 1", "Parsing terminated before end of input."),
    ],
    ids=["bytes", "set", "bytes-key", "expression"],
)
def test_a_python_literal_start_body_is_a_400_in_the_envelope(
    client: httpx.Client, body: bytes, reason: str
) -> None:
    assert refused(client.post(START, content=body, headers=START_HEADERS)) == reason
    journal_is_readable(client)


# --- recording --------------------------------------------------------------------------------


def test_the_recorder_records_a_body_the_service_reads(tmp_path: Path) -> None:
    upstream = ThreadedServer(create_app(FakeConfig()))
    directory = tmp_path / "recorded"
    with (
        upstream,
        ThreadedServer(
            create_record_app(RecordConfig(upstream.base_url, directory, log=io.StringIO()))
        ) as proxy,
    ):
        body = b"{'contents': [{'parts': [{'text': 'Caption this image.'},]}]}"
        response = httpx.post(proxy.base_url + GENERATE, content=body, headers=KEY, timeout=30)
    assert response.status_code == 200, response.text
    (recorded,) = directory.glob("*.json")
    request = json.loads(recorded.read_text())["match"]["request"]
    assert request["contents"][0]["parts"] == [{"text": "Caption this image."}]
