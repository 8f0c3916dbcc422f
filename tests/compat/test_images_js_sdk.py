"""Image understanding with the official JS SDK (@google/genai 2.32.0), via tests/js/images.mjs.

One ``node images.mjs <every example>`` run serves the module, against a fake of its own; each
test reads its example's JSON line and its call in that fake's journal. The child's environment
is the guide's (``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY`` only); the images it reads are
made here with Pillow and named by ``GUIDE_*`` variables.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image, ImageDraw

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.node import JS_API, NodeRun

pytestmark = [pytest.mark.sdk, pytest.mark.node]  # node_guide skips when node is missing

EXAMPLES = {  # each example, in the order they run, and its one RPC
    "inline_caption": "generateContent",
    "inline_count": "countTokens",
    "detect": "generateContent",
    "corrupt": "generateContent",
}
CAPTION = "Caption this image."
DETECT = (
    "Detect the all of the prominent items in the image. The box_2d should be "
    "[ymin, xmin, ymax, xmax] normalized to 0-1000."
)
GUIDE_IMAGE_TOKENS = 1548  # 960x540: unit 360, 3 x 2 tiles of 258


def picture(width: int, height: int, fmt: str) -> bytes:
    im = Image.new("RGB", (width, height), (200, 180, 150))
    draw = ImageDraw.Draw(im)
    draw.ellipse([width // 5, height // 5, width // 2, height // 2], fill=(120, 80, 40))
    draw.rectangle([width // 2, height // 3, 4 * width // 5, 5 * height // 6], fill=(30, 90, 160))
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


@dataclass
class Run:
    line: dict[str, Any]
    call: Entry

    @property
    def response(self) -> dict[str, Any]:
        assert self.line["ok"], self.line.get("error")
        response: dict[str, Any] = self.line["response"]
        return response


@pytest.fixture(scope="module")
def media() -> dict[str, bytes]:
    return {
        "GUIDE_SMALL_SAMPLE_JPG": picture(960, 540, "JPEG"),
        "GUIDE_IMAGE_PNG": picture(800, 600, "PNG"),
        "GUIDE_CORRUPT_JPG": b"this is not a jpeg at all" * 8,
    }


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
    media: dict[str, bytes],
    node_guide: Callable[..., NodeRun],
) -> dict[str, Run]:
    folder = tmp_path_factory.mktemp("js-images")
    paths = {}
    for variable, data in media.items():
        path = folder / variable.lower().replace("_", "-")
        path.write_bytes(data)
        paths[variable] = str(path)
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        lines = node_guide(fake, *EXAMPLES, script="images.mjs", env=paths).lines()
    entries = fake.journal.entries
    assert [e.rpc for e in entries] == list(EXAMPLES.values())
    return {name: Run(lines[name], entry) for name, entry in zip(EXAMPLES, entries, strict=True)}


def test_the_inline_image_example_is_answered_with_image_tokens_in_usage(
    runs: dict[str, Run], media: dict[str, bytes]
) -> None:
    run = runs["inline_caption"]
    response = run.response

    assert isinstance(run.line["text"], str) and run.line["text"].strip()
    (candidate,) = response["candidates"]
    assert (candidate["finishReason"], candidate["content"]["role"]) == ("STOP", "model")
    usage = response["usageMetadata"]
    counted = {d["modality"]: d["tokenCount"] for d in usage["promptTokensDetails"]}
    assert counted["IMAGE"] == GUIDE_IMAGE_TOKENS
    assert set(counted) == {"IMAGE", "TEXT"}
    assert usage["promptTokenCount"] == sum(counted.values())
    assert (run.call.path, run.call.status) == (
        f"/{JS_API}/models/gemini-2.5-flash:generateContent",
        200,
    )
    assert run.call.request == {
        "contents": [
            {
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": "image/jpeg",
                            "data": base64.b64encode(media["GUIDE_SMALL_SAMPLE_JPG"]).decode(),
                        }
                    },
                    {"text": CAPTION},
                ],
                "role": "user",
            }
        ]
    }


def test_count_tokens_in_js_on_the_image_equals_the_prompt_token_count(
    runs: dict[str, Run],
) -> None:
    counted = runs["inline_count"].response
    generated = runs["inline_caption"].response

    assert counted["totalTokens"] == generated["usageMetadata"]["promptTokenCount"]
    assert runs["inline_count"].call.request == runs["inline_caption"].call.request


def test_the_detection_prompt_answers_json_boxes_in_js(runs: dict[str, Run]) -> None:
    run = runs["detect"]

    items = json.loads(run.line["text"])
    assert isinstance(items, list) and items
    width, height = 800, 600
    for item in items:
        assert set(item) == {"box_2d", "label"}
        ymin, xmin, ymax, xmax = item["box_2d"]
        assert 0 <= ymin < ymax <= 1000 and 0 <= xmin < xmax <= 1000
        x1, x2 = int(xmin / 1000 * width), int(xmax / 1000 * width)
        y1, y2 = int(ymin / 1000 * height), int(ymax / 1000 * height)
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        assert isinstance(item["label"], str) and item["label"]
    assert run.call.request is not None
    assert run.call.request["generationConfig"] == {"responseMimeType": "application/json"}
    parts = run.call.request["contents"][0]["parts"]
    assert parts[0]["inlineData"]["mimeType"] == "image/png"
    assert parts[1] == {"text": DETECT}


def test_a_corrupt_image_is_an_api_error_400_in_js(runs: dict[str, Run]) -> None:
    line = runs["corrupt"].line

    assert line["ok"] is False
    assert (line["error"]["name"], line["error"]["status"]) == ("ApiError", 400)
    assert json.loads(line["error"]["message"]) == {
        "error": {
            "code": 400,
            "message": "Provided image is not valid.",
            "status": "INVALID_ARGUMENT",
        }
    }
    assert runs["corrupt"].call.status == 400
