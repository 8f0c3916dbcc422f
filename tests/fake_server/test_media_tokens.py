"""Media counted at the docs' rates (docs/tokens.md): lengths and pages read from generated files,
the cost by model family and media resolution, inline and uploaded alike, through the official
SDK too, and malformed media never breaking a count."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import types
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_server.model import media, media_tokens, tokens
from fake_server.pytest_plugin import Fake
from tests.fake_server.test_images import jpeg
from tests.kit import media as make
from tests.kit.fakes import KEY

FLASH, GEMINI_3 = "gemini-2.5-flash", "gemini-3-flash-preview"


def part(data: bytes, mime: str, **extra: Any) -> dict[str, Any]:
    return {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}, **extra}


def request_with(*parts: dict[str, Any], resolution: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [*parts, {"text": "Hi"}]}]}
    if resolution:
        body["generationConfig"] = {"mediaResolution": f"MEDIA_RESOLUTION_{resolution}"}
    return body


def counted(client: httpx.Client, model: str, body: dict[str, Any]) -> dict[str, int]:
    """The prompt's tokens by modality, from countTokens and from generateContent, which must
    agree; countTokens is sent the request whole (``generateContentRequest``) so that it sees
    the configuration too."""
    inner = {"model": f"models/{model}", **body}
    count = client.post(
        f"/v1beta/models/{model}:countTokens", json={"generateContentRequest": inner}
    ).json()
    usage = client.post(f"/v1beta/models/{model}:generateContent", json=body).json()[
        "usageMetadata"
    ]
    assert count["totalTokens"] == usage["promptTokenCount"]
    assert count["promptTokensDetails"] == usage["promptTokensDetails"]
    return {d["modality"]: d["tokenCount"] for d in usage["promptTokensDetails"]}


# --- reading lengths and pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "seconds"),
    [
        (make.wav(2.5), "audio/wav", 2.5),
        (make.wav(1.0, rate=44100, channels=2), "audio/x-wav", 1.0),
        (make.mp3(100), "audio/mpeg", 100 * 417 * 8 / 128000),
        (make.mp3(100, id3=True, tag=True), "audio/mp3", 100 * 417 * 8 / 128000),
        (make.mp3_xing(1000), "audio/mpeg", 1000 * 1152 / 44100),
        (make.mp3_vbri(500), "audio/mpeg", 500 * 1152 / 44100),
        (make.flac(3 * 44100), "audio/flac", 3.0),
        (make.ogg_vorbis(4.0), "audio/ogg", 4.0),
        (make.ogg_opus(5.0), "audio/ogg", 5.0),
        (bytes(48000), "audio/L16;codec=pcm;rate=24000", 1.0),  # raw: the size over the rate
        (bytes(96000), "audio/pcm; rate=16000; channels=3", 1.0),
    ],
)
def test_an_audio_files_length_is_read_from_its_headers(
    data: bytes, mime: str, seconds: float
) -> None:
    assert media.audio_seconds(media.BytesSource(data), mime) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("data", "seconds"),
    [
        (make.mp4(10), 10.0),
        (make.mp4(12.5, version=1, moov_last=True, timescale=90000), 12.5),
        (make.webm(7.0), 7.0),
    ],
)
def test_a_videos_length_is_read_from_its_headers(data: bytes, seconds: float) -> None:
    assert media.video_seconds(media.BytesSource(data)) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("data", "pages"),
    [
        (make.pdf(1), 1),
        (make.pdf(3), 3),
        (make.pdf(5, compressed=True), 5),
        (make.pdf(4, stated=1), 4),  # the page objects count, not a page tree's wrong /Count
    ],
)
def test_a_pdfs_pages_are_counted(data: bytes, pages: int) -> None:
    assert media.pdf_pages(media.BytesSource(data)) == pages


@given(st.binary(max_size=300), st.integers(-5, 310), st.integers(-5, 50))
def test_inline_base64_is_read_a_slice_at_a_time_exactly(
    data: bytes, offset: int, length: int
) -> None:
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        source = media.Base64Source(encode(data).decode())
        assert source.size == len(data)
        expected = data[max(0, offset) : max(0, offset) + max(0, length)]
        assert source.read(offset, length) == expected


# --- the cost, by model family and resolution --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "modality", "on_2x", "on_3"),
    [
        (make.wav(2.5), "audio/wav", "AUDIO", 80, 80),  # 32 a second
        (make.mp3(100, id3=True), "audio/mpeg", "AUDIO", 84, 84),  # 2.606 s
        (make.mp3_xing(1000), "audio/mpeg", "AUDIO", 836, 836),  # 26.12 s
        (make.flac(3 * 44100), "audio/flac", "AUDIO", 96, 96),
        (make.ogg_vorbis(4.0), "audio/ogg", "AUDIO", 128, 128),
        (make.ogg_opus(5.0), "audio/ogg", "AUDIO", 160, 160),
        (bytes(96000), "audio/L16;codec=pcm;rate=24000", "AUDIO", 64, 64),
        (make.mp4(10), "video/mp4", "VIDEO", 10 * 258 + 320, 10 * 70 + 320),
        (make.mp4(9.5, moov_last=True), "video/quicktime", "VIDEO", 10 * 258 + 304, 700 + 304),
        (make.webm(7.0), "video/webm", "VIDEO", 7 * 258 + 224, 7 * 70 + 224),
        (make.pdf(3), "application/pdf", "DOCUMENT", 3 * 258, 3 * 560),
        (make.pdf(5, compressed=True), "application/pdf", "DOCUMENT", 5 * 258, 5 * 560),
        (jpeg(640, 480), "image/jpeg", "IMAGE", 1032, 1120),
    ],
)
def test_media_cost_the_docs_rates_in_count_tokens_and_usage_alike(
    client: httpx.Client, data: bytes, mime: str, modality: str, on_2x: int, on_3: int
) -> None:
    body = request_with(part(data, mime))
    assert counted(client, FLASH, body) == {"TEXT": 1, modality: on_2x}
    assert counted(client, GEMINI_3, body) == {"TEXT": 1, modality: on_3}


@pytest.mark.parametrize(
    ("model", "resolution", "image", "video", "pdf"),
    [
        (FLASH, None, 1032, 10 * 258 + 320, 3 * 258),
        (FLASH, "LOW", 64, 10 * 66 + 320, 3 * 258),
        (FLASH, "MEDIUM", 256, 10 * 258 + 320, 3 * 258),
        (FLASH, "HIGH", 1032, 10 * 258 + 320, 3 * 258),
        (GEMINI_3, None, 1120, 10 * 70 + 320, 3 * 560),
        (GEMINI_3, "LOW", 280, 10 * 70 + 320, 3 * 280),
        (GEMINI_3, "MEDIUM", 560, 10 * 70 + 320, 3 * 560),
        (GEMINI_3, "HIGH", 1120, 10 * 280 + 320, 3 * 1120),
    ],
)
def test_the_global_media_resolution_sets_the_cost_per_family(
    client: httpx.Client, model: str, resolution: str | None, image: int, video: int, pdf: int
) -> None:
    body = request_with(
        part(jpeg(640, 480), "image/jpeg"),
        part(make.mp4(10), "video/mp4"),
        part(make.pdf(3), "application/pdf"),
        resolution=resolution,
    )
    assert counted(client, model, body) == {
        "TEXT": 1,
        "IMAGE": image,
        "VIDEO": video,
        "DOCUMENT": pdf,
    }


def level(name: str) -> dict[str, Any]:
    return {"mediaResolution": {"level": f"MEDIA_RESOLUTION_{name}"}}


def test_on_gemini_3_a_parts_own_resolution_overrides_the_global_one(
    client: httpx.Client,
) -> None:
    image = jpeg(640, 480)
    body = request_with(
        part(image, "image/jpeg", **level("ULTRA_HIGH")),
        part(image, "image/jpeg", **level("HIGH")),
        part(image, "image/jpeg"),  # takes the global LOW
        resolution="LOW",
    )
    assert counted(client, GEMINI_3, body)["IMAGE"] == 2240 + 1120 + 280


def test_on_2x_models_a_parts_own_resolution_is_ignored(client: httpx.Client) -> None:
    body = request_with(part(jpeg(640, 480), "image/jpeg", **level("LOW")))
    assert counted(client, FLASH, body)["IMAGE"] == 1032


@pytest.mark.parametrize(
    ("metadata", "tokens"),
    [
        ({"fps": 2}, 20 * 258 + 320),
        ({"fps": 0.5}, 5 * 258 + 320),
        ({"startOffset": "2s", "endOffset": "6s"}, 4 * 258 + 128),
        ({"startOffset": "7.5s"}, 3 * 258 + 80),
        ({"fps": 1000}, 240 * 258 + 320),  # 24 frames a second at most
    ],
)
def test_a_videos_frame_rate_and_clip_come_from_its_metadata(
    client: httpx.Client, metadata: dict[str, Any], tokens: int
) -> None:
    body = request_with(part(make.mp4(10), "video/mp4", videoMetadata=metadata))
    assert counted(client, FLASH, body)["VIDEO"] == tokens


def upload(client: httpx.Client, data: bytes, mime: str) -> dict[str, Any]:
    headers = {
        **KEY,
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": str(len(data)),
        "X-Goog-Upload-Header-Content-Type": mime,
    }
    url = client.post("/upload/v1beta/files", headers=headers, json={"file": {}}).headers[
        "x-goog-upload-url"
    ]
    file: dict[str, Any] = client.post(
        url,
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
        content=data,
    ).json()["file"]
    return file


@pytest.mark.parametrize(
    ("data", "mime", "modality"),
    [
        (make.wav(3.25), "audio/wav", "AUDIO"),
        (make.ogg_opus(2.0), "audio/ogg", "AUDIO"),
        (make.mp4(6, moov_last=True), "video/mp4", "VIDEO"),
        (make.pdf(4, compressed=True), "application/pdf", "DOCUMENT"),
    ],
)
def test_an_uploaded_file_costs_what_the_same_bytes_cost_inline(
    gemini_fake: Fake, client: httpx.Client, data: bytes, mime: str, modality: str
) -> None:
    file = upload(client, data, mime)
    gemini_fake.advance_clock(60)  # a video is PROCESSING for a while
    by_file = request_with({"fileData": {"fileUri": file["uri"], "mimeType": mime}})
    inline = request_with(part(data, mime))
    for model in (FLASH, GEMINI_3):
        assert counted(client, model, by_file) == counted(client, model, inline)
        assert counted(client, model, by_file)[modality] != media_tokens.FALLBACK


# --- through the official SDK, over a socket ---------------------------------------------------


@pytest.mark.sdk
def test_the_python_sdk_sees_audio_by_length_and_images_by_resolution(
    gemini_fake_server: Fake,
) -> None:
    options = types.HttpOptions(base_url=gemini_fake_server.base_url)
    client = genai.Client(api_key="k", http_options=options)
    audio = types.Part.from_bytes(data=make.wav(10.0), mime_type="audio/wav")
    prompt = types.Content(role="user", parts=[audio, types.Part(text="Transcribe this")])
    count = client.models.count_tokens(model=FLASH, contents=prompt)
    response = client.models.generate_content(model=FLASH, contents=prompt)
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_tokens_details is not None
    assert count.total_tokens == usage.prompt_token_count
    assert {(d.modality, d.token_count) for d in usage.prompt_tokens_details} == {
        (types.MediaModality.AUDIO, 320),
        (types.MediaModality.TEXT, 3),
    }

    image = jpeg(640, 480)
    costs = {}
    for resolution in (types.MediaResolution.MEDIA_RESOLUTION_LOW, None):
        config = types.GenerateContentConfig(media_resolution=resolution)
        picture = types.Part.from_bytes(data=image, mime_type="image/jpeg")
        answer = client.models.generate_content(model=GEMINI_3, contents=picture, config=config)
        assert answer.usage_metadata is not None
        costs[resolution] = answer.usage_metadata.prompt_token_count
    assert costs == {types.MediaResolution.MEDIA_RESOLUTION_LOW: 280, None: 1120}

    ultra = types.Part.from_bytes(
        data=image,
        mime_type="image/jpeg",
        media_resolution=types.PartMediaResolutionLevel.MEDIA_RESOLUTION_ULTRA_HIGH,
    )
    answer = client.models.generate_content(model=GEMINI_3, contents=ultra)
    assert answer.usage_metadata is not None
    assert answer.usage_metadata.prompt_token_count == 2240


# --- malformed media ---------------------------------------------------------------------------

MEDIA_TYPES = (
    "audio/wav",
    "audio/mpeg",
    "audio/flac",
    "audio/ogg",
    "audio/aac",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "application/pdf",
)
VALID: list[Callable[[], bytes]] = [
    lambda: make.wav(1.5),
    lambda: make.mp3(20),
    lambda: make.mp3_xing(100),
    lambda: make.flac(44100),
    lambda: make.ogg_vorbis(2.0),
    lambda: make.ogg_opus(2.0),
    lambda: make.mp4(3),
    lambda: make.webm(3.0),
    lambda: make.pdf(2),
    lambda: make.pdf(2, compressed=True),
]
SIGNATURES = (b"RIFF", b"\xff\xfb", b"ID3", b"fLaC", b"OggS", b"\x1a\x45\xdf\xa3", b"%PDF-")


def cost(data: bytes, mime: str, family: str = "2.5") -> int:
    body = {"parts": [part(data, mime)]}
    totals = tokens.count_contents([body], media_tokens.MediaCosts(family))
    (value,) = totals.values()
    return value


# Bytes no reader could start on: no format's signature, no MP3 frame sync, no ISO box name.
STARTS = (*SIGNATURES, b"\xff", b"moov", b"ftyp")


@settings(max_examples=300)
@given(st.binary(max_size=4096), st.sampled_from(MEDIA_TYPES), st.sampled_from(["2.5", "3"]))
def test_random_bytes_with_a_media_type_cost_the_fallback_quickly(
    data: bytes, mime: str, family: str
) -> None:
    started = time.perf_counter()
    value = cost(data, mime, family)
    assert time.perf_counter() - started < 1.0
    if not any(start in data for start in STARTS):
        assert value == media_tokens.FALLBACK
    assert value >= 1


@settings(max_examples=300)
@given(
    st.sampled_from(VALID),
    st.sampled_from(MEDIA_TYPES),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
    st.integers(0, 10**6),
)
def test_damaged_media_never_break_a_count(
    valid: Callable[[], bytes], mime: str, flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(valid())
    for position, value in flips:
        data[position % len(data)] = value
    damaged = bytes(data[: max(1, cut % (len(data) + 1))])
    started = time.perf_counter()
    value = cost(damaged, mime)
    assert time.perf_counter() - started < 1.0
    longest = 10**7 * (24 * 280 + media_tokens.AUDIO_PER_SECOND)  # 10^7 s is the readers' limit
    assert 1 <= value <= max(longest, media.MAX_PAGES * 1120)


class Huge:
    """A source of ``size`` bytes, a header then zeros, that keeps count of what is read."""

    def __init__(self, header: bytes, size: int) -> None:
        self.header, self.size, self.read_bytes = header, size, 0

    def read(self, offset: int, length: int) -> bytes:
        data = (self.header + bytes(max(0, offset + length - len(self.header))))[
            offset : offset + length
        ]
        self.read_bytes += len(data)
        return data


@pytest.mark.parametrize(
    ("header", "mime"),
    [
        (make.mp3(1), "audio/mpeg"),
        (make.wav(1.0)[:44], "audio/wav"),
        (make.ogg_vorbis(1.0)[:80], "audio/ogg"),
        (make.mp4(1)[:200], "video/mp4"),
        (make.pdf(2)[:-20], "application/pdf"),
    ],
)
def test_a_huge_file_is_measured_from_a_bounded_number_of_bytes(header: bytes, mime: str) -> None:
    source = Huge(header, 2 * 10**9)
    media_tokens.part_tokens(mime, source, {}, None, "2.5")
    assert source.read_bytes <= 3 * media.PDF_WINDOW
