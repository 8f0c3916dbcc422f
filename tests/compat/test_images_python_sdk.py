"""Image understanding with the official Python SDK (google-genai 3.3.0) against the fake.

The guide's "Passing images to Gemini", "Object detection" and "Segmentation" examples, run as
the guide writes them: inline bytes with ``types.Part.from_bytes``, PIL images straight in
``contents`` (the SDK encodes them: PNG, or JPEG for an image opened from a JPEG file), the
detection prompt with a JSON answer converted to pixels, and the segmentation code with its
``parse_json`` and ``extract_segmentation_masks`` (writing into ``tmp_path``). The SDK is
configured only through ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY``; the test images are
made with Pillow.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from google import genai
from google.genai import errors, types
from PIL import Image

from conformance._guide import Assets, picture, run
from fake_server.pytest_plugin import Fake

# The journal keeps whole images here, so that the tests can look at what the SDK encoded.
pytestmark = [pytest.mark.sdk, pytest.mark.gemini_fake(journal_inline_bytes=20 * 1024 * 1024)]

MODEL = "gemini-2.5-flash"
CAPTION = "Caption this image."
DETECT = (
    "Detect the all of the prominent items in the image. The box_2d should be "
    "[ymin, xmin, ymax, xmax] normalized to 0-1000."
)
GUIDE_IMAGE_TOKENS = 1548  # the guide's worked example: 960x540, unit 360, 3 x 2 tiles of 258


@pytest.fixture
def api_version() -> str:
    """The image examples run on the SDK's default version only (text ones cover both)."""
    return "v1"


def save(im: Image.Image, path: Path) -> Path:
    im.save(path)
    return path


@pytest.fixture
def small_sample_jpg(tmp_path: Path) -> Path:
    """The guide's "path/to/small-sample.jpg": a 960x540 JPEG, its worked token example."""
    return save(picture(960, 540), tmp_path / "small-sample.jpg")


def details(usage: types.GenerateContentResponseUsageMetadata) -> dict[str, int]:
    dumped: dict[str, Any] = usage.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {d["modality"]: d["tokenCount"] for d in dumped.get("promptTokensDetails", [])}


def only_call(fake: Fake, rpc: str = "generateContent") -> dict[str, Any]:
    (call,) = fake.journal.calls(rpc)
    assert call.status == 200, call
    assert call.request is not None
    return call.request


def inline_parts(request: dict[str, Any]) -> list[dict[str, Any]]:
    (content,) = request["contents"]
    return [p["inlineData"] for p in content["parts"] if "inlineData" in p]


# --- Passing inline image data ---------------------------------------------------------------


@pytest.mark.parametrize("api_version", ["v1", "v1beta"])
def test_the_inline_bytes_example_counts_the_guides_1548_image_tokens(
    api_version: str,
    small_sample_jpg: Path,
    sdk_env: Fake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if api_version != "v1":
        monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", api_version)

    client = genai.Client()
    try:
        ran = run("inline_image_bytes", genai, types, client, Assets(small_sample_jpg.parent))
    finally:
        client.close()

    image_bytes, response = ran.names["image_bytes"], ran.names["response"]

    assert isinstance(response.text, str) and response.text.strip()
    assert response.candidates is not None
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_token_count is not None
    counted = details(usage)
    assert counted["IMAGE"] == GUIDE_IMAGE_TOKENS
    assert set(counted) == {"IMAGE", "TEXT"}
    assert 0 < counted["TEXT"] < 20
    assert usage.prompt_token_count == sum(counted.values())
    assert usage.total_token_count == (
        usage.prompt_token_count
        + (usage.candidates_token_count or 0)
        + (usage.thoughts_token_count or 0)
    )
    (call,) = sdk_env.journal.calls("generateContent")
    assert call.path == f"/{api_version}/models/gemini-2.5-flash:generateContent"
    assert call.request == {
        "contents": [
            {
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": "image/jpeg",
                            "data": base64.b64encode(image_bytes).decode(),
                        }
                    },
                    {"text": CAPTION},
                ],
                "role": "user",
            }
        ]
    }


def test_count_tokens_on_an_image_equals_the_prompt_token_count(
    client: genai.Client, small_sample_jpg: Path, sdk_env: Fake
) -> None:
    contents: list[Any] = [
        types.Part.from_bytes(data=small_sample_jpg.read_bytes(), mime_type="image/jpeg"),
        CAPTION,
    ]

    counted = client.models.count_tokens(model=MODEL, contents=contents)
    generated = client.models.generate_content(model=MODEL, contents=contents)

    assert generated.usage_metadata is not None
    assert counted.total_tokens == generated.usage_metadata.prompt_token_count
    assert counted.total_tokens is not None and counted.total_tokens > GUIDE_IMAGE_TOKENS
    assert only_call(sdk_env, "countTokens")["contents"] == only_call(sdk_env)["contents"]


@pytest.mark.parametrize(
    ("size", "tokens"),
    [((300, 200), 258), ((384, 384), 258), ((385, 100), 3096), ((1000, 1000), 1032)],
)
def test_the_image_token_rule_through_the_sdk(
    client: genai.Client, size: tuple[int, int], tokens: int
) -> None:
    # 385x100: unit 66 -> 6 x 2 = 12 tiles; 1000x1000: unit 666 -> 2 x 2 tiles
    response = client.models.generate_content(model=MODEL, contents=[picture(*size), CAPTION])  # type: ignore[arg-type]  # the SDK types contents as invariant lists

    assert response.usage_metadata is not None
    assert details(response.usage_metadata)["IMAGE"] == tokens


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(b"this is not a jpeg at all" * 8, id="text"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="truncated-header"),
    ],
)
def test_bytes_that_are_not_a_jpeg_are_a_400_invalid_argument(
    client: genai.Client, sdk_env: Fake, corrupt: bytes
) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(
            model=MODEL,
            contents=[types.Part.from_bytes(data=corrupt, mime_type="image/jpeg"), CAPTION],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
        )

    error = raised.value
    assert (error.code, error.status, error.message) == (
        400,
        "INVALID_ARGUMENT",
        "Provided image is not valid.",
    )
    assert error.details == {
        "error": {
            "code": 400,
            "message": "Provided image is not valid.",
            "status": "INVALID_ARGUMENT",
        }
    }
    (call,) = sdk_env.journal.calls("generateContent")
    assert call.status == 400


def test_count_tokens_on_a_corrupt_image_is_also_a_400(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.models.count_tokens(
            model=MODEL,
            contents=[types.Part.from_bytes(data=b"garbage" * 10, mime_type="image/jpeg")],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
        )

    assert (raised.value.code, raised.value.message) == (400, "Provided image is not valid.")


# --- PIL images in contents ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mime_type"), [("image.png", "image/png"), ("photo.jpg", "image/jpeg")]
)
def test_a_pil_image_opened_from_a_file_is_sent_as_its_format(
    client: genai.Client, sdk_env: Fake, tmp_path: Path, name: str, mime_type: str
) -> None:
    path = save(picture(960, 540), tmp_path / name)
    image = Image.open(path)

    response = client.models.generate_content(model=MODEL, contents=[image, CAPTION])  # type: ignore[arg-type]  # the SDK types contents as invariant lists

    (inline,) = inline_parts(only_call(sdk_env))
    assert inline["mimeType"] == mime_type
    sent = Image.open(io.BytesIO(base64.b64decode(inline["data"])))
    assert sent.format == mime_type.removeprefix("image/").upper()
    assert sent.size == (960, 540)
    assert response.text
    assert response.usage_metadata is not None
    assert details(response.usage_metadata)["IMAGE"] == GUIDE_IMAGE_TOKENS


def test_a_pil_image_made_in_memory_is_sent_as_png(client: genai.Client, sdk_env: Fake) -> None:
    image = picture(200, 100)

    response = client.models.generate_content(model=MODEL, contents=[image, CAPTION])  # type: ignore[arg-type]  # the SDK types contents as invariant lists

    (inline,) = inline_parts(only_call(sdk_env))
    assert inline["mimeType"] == "image/png"
    assert base64.b64decode(inline["data"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert response.usage_metadata is not None
    assert details(response.usage_metadata)["IMAGE"] == 258


# --- Object detection ------------------------------------------------------------------------


def detect(client: genai.Client, image_path: Path) -> tuple[tuple[int, int], list[list[int]], str]:
    """The guide's object detection example on ``image_path`` (named ``image.png``); the size,
    the boxes and the raw text."""
    assert image_path.name == "image.png"
    names = run("object_detection", genai, types, client, Assets(image_path.parent)).names
    return (
        (names["width"], names["height"]),
        names["converted_bounding_boxes"],
        names["response"].text,
    )


def test_the_object_detection_example_end_to_end(
    client: genai.Client, sdk_env: Fake, tmp_path: Path
) -> None:
    path = save(picture(800, 600), tmp_path / "image.png")

    (width, height), boxes, text = detect(client, path)

    assert (width, height) == (800, 600)
    assert boxes
    for x1, y1, x2, y2 in boxes:
        assert 0 <= x1 < x2 <= width
        assert 0 <= y1 < y2 <= height
    items = json.loads(text)
    assert isinstance(items, list)
    for item in items:
        assert set(item) == {"box_2d", "label"}
        ymin, xmin, ymax, xmax = item["box_2d"]
        assert 0 <= ymin < ymax <= 1000 and 0 <= xmin < xmax <= 1000
        assert isinstance(item["label"], str) and item["label"]
    request = only_call(sdk_env)
    assert request["generationConfig"] == {"responseMimeType": "application/json"}
    (inline,) = inline_parts(request)
    assert inline["mimeType"] == "image/png"
    assert request["contents"][0]["parts"][1] == {"text": DETECT}


def test_detection_is_deterministic_for_the_same_image_and_prompt(
    client: genai.Client, tmp_path: Path
) -> None:
    path = save(picture(640, 480), tmp_path / "image.png")

    first = detect(client, path)
    second = detect(client, path)

    assert first == second


# --- Segmentation (the guide's code, verbatim but for `client` and the paths) ----------------


def test_the_segmentation_example_end_to_end(
    client: genai.Client, sdk_env: Fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image_path = save(picture(640, 480), tmp_path / "kitchen.png")  # the guide's image.png
    output_dir = tmp_path / "segmentation_outputs"
    answers: list[types.GenerateContentResponse] = []
    generate = client.models.generate_content

    def keeping_the_answer(**kwargs: Any) -> types.GenerateContentResponse:
        answers.append(generate(**kwargs))
        return answers[-1]

    monkeypatch.setattr(client.models, "generate_content", keeping_the_answer)

    parse_json = run("segmentation", genai, types, client, Assets(tmp_path)).names["parse_json"]

    request = only_call(sdk_env)
    assert request["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 0}}
    parts = request["contents"][0]["parts"]
    assert "segmentation masks" in parts[0]["text"]
    assert parts[1]["inlineData"]["mimeType"] == "image/png"
    (response,) = answers
    assert response.text is not None
    items = json.loads(response.text)  # plain JSON: the guide's parse_json passes it through
    assert parse_json(response.text) == response.text
    assert [item["label"] for item in items] == ["wooden item", "glass item"]
    for item in items:
        assert set(item) == {"box_2d", "mask", "label"}
        assert item["mask"].startswith("data:image/png;base64,")

    written = sorted(p.name for p in output_dir.iterdir())
    expected = sorted(
        f"{item['label']}_{i}_{kind}.png"
        for i, item in enumerate(items)
        for kind in ("mask", "overlay")
    )
    assert written == expected
    for i, item in enumerate(items):
        ymin, xmin, ymax, xmax = item["box_2d"]
        box_w = int(xmax / 1000 * 640) - int(xmin / 1000 * 640)
        box_h = int(ymax / 1000 * 480) - int(ymin / 1000 * 480)
        mask = Image.open(output_dir / f"{item['label']}_{i}_mask.png")
        assert mask.size == (box_w, box_h)
        values = np.array(mask)
        assert values.min() == 0 and values.max() > 200  # a probability map, 0-255
        covered = (values > 128).mean()
        assert 0.1 < covered < 0.95  # the threshold keeps a real, partial region
        overlay = Image.open(output_dir / f"{item['label']}_{i}_overlay.png")
        assert (overlay.format, overlay.mode, overlay.size) == ("PNG", "RGBA", (640, 480))
        original = np.array(Image.open(image_path).convert("RGBA"))
        changed = (np.array(overlay) != original).any(axis=2)
        assert 0 < changed.sum() <= (values > 128).sum()  # only thresholded pixels are painted
