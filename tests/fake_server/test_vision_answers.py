"""The guide's detection and segmentation prompts get boxes and real PNG masks, repeatably."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from fake_server.model.images import dimensions, encode_png
from fake_server.model.vision import labels_for

URL = "/v1beta/models/gemini-2.5-flash:generateContent"
IMAGE = base64.b64encode(encode_png(8, 6, bytes(range(48)))).decode()
DETECT = (
    "Detect the all of the prominent items in the image. The box_2d should be [ymin, xmin, ymax, "
    "xmax] normalized to 0-1000."
)
SEGMENT = (
    "Give the segmentation masks for the wooden and glass items. Output a JSON list of "
    'segmentation masks where each entry contains the 2D bounding box in the key "box_2d", the '
    'segmentation mask in key "mask", and the text label in the key "label". Use descriptive '
    "labels."
)


def ask(prompt: str, image: str = IMAGE, **config: Any) -> dict[str, Any]:
    parts = [{"inlineData": {"mimeType": "image/png", "data": image}}, {"text": prompt}]
    body: dict[str, Any] = {"contents": [{"parts": parts}]}
    if config:
        body["generationConfig"] = config
    return body


def items(client: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    text = response.json()["candidates"][0]["content"]["parts"][0]["text"]
    assert not text.startswith("```"), "plain JSON: the guide's parse_json keeps a closing fence"
    found: list[dict[str, Any]] = json.loads(text)
    return found


def test_a_detection_prompt_gets_boxes_in_the_0_1000_frame(client: httpx.Client) -> None:
    found = items(client, ask(DETECT, responseMimeType="application/json"))
    assert found
    for item in found:
        assert list(item) == ["box_2d", "label"]
        ymin, xmin, ymax, xmax = item["box_2d"]
        assert 0 <= ymin < ymax <= 1000 and 0 <= xmin < xmax <= 1000
        assert item["label"]


def test_the_same_image_and_prompt_get_the_same_boxes(client: httpx.Client) -> None:
    assert items(client, ask(DETECT)) == items(client, ask(DETECT))
    other = base64.b64encode(encode_png(8, 6, bytes(48))).decode()
    assert items(client, ask(DETECT)) != items(client, ask(DETECT, other))


def test_a_segmentation_prompt_gets_png_probability_masks(client: httpx.Client) -> None:
    found = items(client, ask(SEGMENT, thinkingConfig={"thinkingBudget": 0}))
    assert [item["label"] for item in found] == ["wooden item", "glass item"]
    for item in found:
        assert list(item) == ["box_2d", "mask", "label"]
        prefix = "data:image/png;base64,"
        assert item["mask"].startswith(prefix)
        png = base64.b64decode(item["mask"].removeprefix(prefix))
        assert dimensions(png, "image/png") == (64, 64)


def test_a_prompt_without_an_image_is_not_a_detection(client: httpx.Client) -> None:
    body = {"contents": [{"parts": [{"text": DETECT}]}]}
    text = client.post(URL, json=body).json()["candidates"][0]["content"]["parts"][0]["text"]
    assert not text.startswith("[")


@pytest.mark.parametrize(
    ("prompt", "labels"),
    [
        (SEGMENT, ["wooden item", "glass item"]),
        ("Detect the cats and dogs", ["cats", "dogs"]),
        (DETECT, ["object"]),
    ],
)
def test_labels_come_from_the_prompt(prompt: str, labels: list[str]) -> None:
    assert labels_for(prompt) == labels
