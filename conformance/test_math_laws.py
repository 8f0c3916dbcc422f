"""Box, mask and token math as laws: the rules the vector files describe, on any input.

Each law states a rule of ``vectors/*.json`` in exact arithmetic (``Fraction``, integer
division) and checks gemini_ref against it on inputs hypothesis picks, the way a port can
check itself beyond the vectors. Two laws hold against the target too: the prompt tokens the
target counts for an image are the guide's tile rule, and the boxes it answers to the guide's
detection prompt are boxes the rule accepts.

(tests/gemini_ref/test_vision.py has the finer-grained properties of each function.)
"""

from __future__ import annotations

import base64
import io
import json
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conformance._guide import DETECTION_PROMPT, picture
from conformance._target import Target
from gemini_ref import vision

sizes = st.integers(1, 5000)
coordinates = st.fractions(0, 1000, max_denominator=64)


@st.composite
def boxes_2d(draw: st.DrawFn) -> list[float]:
    """A valid ``[ymin, xmin, ymax, xmax]``: numbers in [0, 1000], each min below its max."""
    ys = sorted(draw(st.lists(coordinates, min_size=2, max_size=2, unique=True)))
    xs = sorted(draw(st.lists(coordinates, min_size=2, max_size=2, unique=True)))
    box = (ys[0], xs[0], ys[1], xs[1])
    if all(v.denominator == 1 for v in box) and draw(st.booleans()):
        return [int(v) for v in box]  # the model usually writes integers
    return [float(v) for v in box]


# --- boxes -------------------------------------------------------------------------------------


@given(boxes_2d(), sizes, sizes)
def test_a_pixel_edge_is_the_floor_of_the_exact_product(
    box_2d: list[float], width: int, height: int
) -> None:
    ymin, xmin, ymax, xmax = (Fraction(v) for v in box_2d)

    box = vision.to_pixels(box_2d, width, height)

    exact = [xmin * width, ymin * height, xmax * width, ymax * height]
    assert list(box) == [math.floor(v / 1000) for v in exact]
    assert 0 <= box.x1 <= box.x2 <= width and 0 <= box.y1 <= box.y2 <= height


@given(st.integers(1, 1000), st.integers(1, 1000), st.data())
def test_up_to_1000_px_a_pixel_box_survives_the_round_trip(
    width: int, height: int, data: st.DataObject
) -> None:
    x1, x2 = sorted(data.draw(st.lists(st.integers(0, width), min_size=2, max_size=2)))
    y1, y2 = sorted(data.draw(st.lists(st.integers(0, height), min_size=2, max_size=2)))

    box_2d = vision.to_normalized([x1, y1, x2, y2], width, height)

    edges = ((y1, height), (x1, width), (y2, height), (x2, width))
    assert list(box_2d) == [math.ceil(Fraction(1000 * p, side)) for p, side in edges]
    if x1 < x2 and y1 < y2:
        assert tuple(vision.to_pixels(list(box_2d), width, height)) == (x1, y1, x2, y2)


# --- masks -------------------------------------------------------------------------------------

grids = st.integers(1, 6).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(0, 255), min_size=width, max_size=width), min_size=1, max_size=6
    )
)


@given(grids, st.integers(0, 255))
def test_a_pixel_is_in_the_mask_when_strictly_above_the_threshold(
    values: list[list[int]], threshold: int
) -> None:
    mask = vision.binarize(values, threshold)

    assert [list(row) for row in mask] == [[v > threshold for v in row] for row in values]


@given(grids, st.integers(0, 255), st.integers(0, 300), st.integers(0, 300))
def test_a_mask_the_size_of_its_box_decodes_to_its_own_values(
    values: list[list[int]], threshold: int, left: int, top: int
) -> None:
    buffer = io.BytesIO()
    image = Image.new("L", (len(values[0]), len(values)))
    image.putdata([v for row in values for v in row])
    image.save(buffer, "PNG")
    mask = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    box = [left, top, left + len(values[0]), top + len(values)]

    assert vision.mask_probabilities(mask, box) == values
    assert [list(row) for row in vision.decode_mask(mask, box, threshold)] == [
        [v > threshold for v in row] for row in values
    ]


# --- tokens ------------------------------------------------------------------------------------

MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-2.0-flash")


def guide_tokens(width: int, height: int, model: str) -> int:
    """The rule of image_tokens.json, in integers."""
    if width <= 384 and height <= 384:
        return 258
    unit = max(1, 2 * min(width, height) // 3)
    if model.removeprefix("models/").startswith("gemini-1.5"):
        unit = min(max(unit, 256), 768)
    return -(-width // unit) * -(-height // unit) * 258


@given(sizes, sizes, st.sampled_from([*MODELS, "gemini-1.5-flash", "gemini-1.5-pro"]))
def test_image_tokens_are_the_tile_rule(width: int, height: int, model: str) -> None:
    assert vision.image_tokens(width, height, model) == guide_tokens(width, height, model)


def png(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 200).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, 2400), st.integers(1, 2400), st.sampled_from(MODELS))
def test_the_target_counts_an_image_by_the_tile_rule(
    target: Target, width: int, height: int, model: str
) -> None:
    image = {"inlineData": {"mimeType": "image/png", "data": png(width, height)}}
    body = {"contents": [{"parts": [image], "role": "user"}]}

    reply = target.http(key=True).post(f"/v1beta/models/{model}:countTokens", json=body)

    assert reply.status_code == 200, reply.text
    counted = reply.json()
    details = {d["modality"]: d["tokenCount"] for d in counted["promptTokensDetails"]}
    assert details == {"IMAGE": guide_tokens(width, height, model)}
    assert counted["totalTokens"] == details["IMAGE"]


@pytest.mark.parametrize("size", [(640, 480), (1024, 1024), (300, 900)])
def test_the_targets_detection_boxes_are_boxes_the_rule_accepts(
    target: Target, size: tuple[int, int]
) -> None:
    buffer = io.BytesIO()
    picture(*size).save(buffer, "PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    image = {"inlineData": {"mimeType": "image/png", "data": data}}
    body: dict[str, Any] = {
        "contents": [{"parts": [image, {"text": DETECTION_PROMPT}], "role": "user"}],
        "generationConfig": {"responseMimeType": "application/json"},
    }

    reply = target.http(key=True).post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)

    assert reply.status_code == 200, reply.text
    text = "".join(p.get("text", "") for p in reply.json()["candidates"][0]["content"]["parts"])
    items = json.loads(text)
    assert isinstance(items, list) and items
    for item in items:
        box = vision.to_pixels(item["box_2d"], *size)
        assert box.x1 < box.x2 and box.y1 < box.y2, f"{item} is thinner than a pixel"
    assert len(vision.boxes_from_response(text, *size)) == len(items)
