"""Images in prompts: their token cost by size, and the service's 400 for bytes that are not one."""

from __future__ import annotations

import base64
import struct
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_server.model.images import NotAnImage, dimensions, encode_png, image_tokens
from gemini_ref import vision
from tests.kit.fakes import KEY


def jpeg(width: int, height: int) -> bytes:
    """The smallest JPEG header the service's decoder would start on: SOI, an APP0, an SOF0."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


def test_the_guides_worked_example() -> None:
    assert image_tokens(960, 540) == 6 * 258


@pytest.mark.parametrize(("width", "height"), [(1, 1), (384, 384), (384, 10), (100, 384)])
def test_small_images_cost_258(width: int, height: int) -> None:
    assert image_tokens(width, height) == 258


@given(st.integers(1, 5000), st.integers(1, 5000))
def test_the_cost_is_whole_tiles_and_never_below_258(width: int, height: int) -> None:
    tokens = image_tokens(width, height)
    assert tokens >= 258 and tokens % 258 == 0
    assert image_tokens(height, width) == tokens  # the rule is symmetric


@pytest.mark.parametrize(
    ("data", "mime", "size"),
    [
        (encode_png(7, 3, bytes(21)), "image/png", (7, 3)),
        (jpeg(640, 480), "image/jpeg", (640, 480)),
        (webp_vp8x(1024, 768), "image/webp", (1024, 768)),
    ],
)
def test_sizes_are_read_from_the_headers(data: bytes, mime: str, size: tuple[int, int]) -> None:
    assert dimensions(data, mime) == size


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"not an image", "image/png"),
        (jpeg(4, 4), "image/png"),
        (encode_png(1, 1, b"\x00"), "image/jpeg"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"RIFF....WEBPVP8Z", "image/webp"),
    ],
)
def test_corrupt_or_mislabelled_bytes_are_not_images(data: bytes, mime: str) -> None:
    with pytest.raises(NotAnImage):
        dimensions(data, mime)


def with_image(data: bytes, mime: str) -> dict[str, Any]:
    part = {"inline_data": {"mime_type": mime, "data": base64.urlsafe_b64encode(data).decode()}}
    return {"contents": [{"parts": [part, {"text": "What is in this image?"}]}]}


def test_an_image_is_counted_by_its_size_in_count_tokens_and_usage(client: httpx.Client) -> None:
    request = with_image(jpeg(960, 540), "image/jpeg")
    counted = client.post("/v1beta/models/gemini-2.5-flash:countTokens", json=request).json()
    assert {"modality": "IMAGE", "tokenCount": 1548} in counted["promptTokensDetails"]
    usage = client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=request).json()[
        "usageMetadata"
    ]
    assert usage["promptTokenCount"] == counted["totalTokens"]
    assert usage["promptTokensDetails"] == counted["promptTokensDetails"]


@pytest.mark.parametrize(("data", "mime"), [(b"garbage", "image/png"), (jpeg(8, 8), "image/png")])
def test_corrupt_or_mislabelled_images_get_the_services_400(
    client: httpx.Client, data: bytes, mime: str
) -> None:
    response = client.post(
        "/v1beta/models/gemini-2.5-flash:generateContent", json=with_image(data, mime)
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": 400,
        "message": "Provided image is not valid.",
        "status": "INVALID_ARGUMENT",
    }


def test_an_uploaded_image_is_counted_by_its_size_too(client: httpx.Client) -> None:
    data = jpeg(1920, 1080)
    headers = {
        **KEY,
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": str(len(data)),
        "X-Goog-Upload-Header-Content-Type": "image/jpeg",
    }
    url = client.post("/upload/v1beta/files", headers=headers, json={"file": {}}).headers[
        "x-goog-upload-url"
    ]
    file = client.post(
        url,
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
        content=data,
    ).json()["file"]
    part = {"fileData": {"fileUri": file["uri"], "mimeType": "image/jpeg"}}
    counted = client.post(
        "/v1beta/models/gemini-2.5-flash:countTokens", json={"contents": [{"parts": [part]}]}
    ).json()
    assert counted["promptTokensDetails"] == [
        {"modality": "IMAGE", "tokenCount": image_tokens(1920, 1080)}
    ]


@pytest.mark.parametrize(
    ("model", "tokens"),
    [
        ("gemini-2.5-flash", 1548),
        ("gemini-2.0-flash", 1548),
        ("gemini-flash-latest", 1548),
        ("gemini-pro-latest", 1548),
        ("gemini-3-flash-preview", 1120),
        ("gemini-3-pro-preview", 1120),
    ],
)
def test_an_alias_counts_an_image_as_the_model_it_names(
    client: httpx.Client, model: str, tokens: int
) -> None:
    """docs/images.md#which-models: an alias names a 2.5 model in the fake's catalogue, so it
    tiles; Gemini 3 charges its media-resolution figure whatever the size (960x540 here)."""
    counted = client.post(
        f"/v1beta/models/{model}:countTokens", json=with_image(jpeg(960, 540), "image/jpeg")
    ).json()
    assert {"modality": "IMAGE", "tokenCount": tokens} in counted["promptTokensDetails"]
    assert vision_rule(model) in (tokens, None)


def vision_rule(model: str) -> int | None:
    """What gemini_ref's tiling rule says for the same image: the fake's figure where it gives
    one, and a refusal (the vectors' unsupported_model) for Gemini 3 and the aliases."""
    try:
        return vision.image_tokens(960, 540, model)
    except ValueError:
        assert model.startswith("gemini-3") or model.endswith("-latest")
        return None
