"""``gemini_ref.vision``: the guide's JSON, box, mask and token rules, as properties.

The rules themselves are in the module's docstring; the language-neutral cases are in
``conformance/vectors/`` (checked by ``conformance/test_math_vectors.py``).
"""

from __future__ import annotations

import base64
import io
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image

from fake_server.model import images as fake_images
from gemini_ref import errors, vision
from gemini_ref._vision.overlays import COLORS
from gemini_ref.vision import Box, to_normalized, to_pixels

sizes = st.integers(1, 6000)
coordinates = st.integers(0, 1000)


@st.composite
def boxes_2d(draw, values=coordinates):
    """A valid box_2d: [ymin, xmin, ymax, xmax] with min < max on both axes."""
    ymin, ymax = sorted(draw(st.lists(values, min_size=2, max_size=2, unique=True)))
    xmin, xmax = sorted(draw(st.lists(values, min_size=2, max_size=2, unique=True)))
    return [ymin, xmin, ymax, xmax]


@st.composite
def pixel_boxes(draw, max_side=4000):
    """(box, width, height): a non-empty pixel box inside a width x height image."""
    width, height = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    x1 = draw(st.integers(0, width - 1))
    y1 = draw(st.integers(0, height - 1))
    x2 = draw(st.integers(x1 + 1, width))
    y2 = draw(st.integers(y1 + 1, height))
    return Box(x1, y1, x2, y2), width, height


# --- parse_json --------------------------------------------------------------------------------


def guide_parse_json(json_output: str) -> str:
    """The guide's helper, verbatim (the one ``vision.parse_json`` fixes)."""
    lines = json_output.splitlines()
    for i, line in enumerate(lines):
        if line == "```json":
            json_output = "\n".join(lines[i + 1 :])
            output = json_output.split("```")[0]  # noqa: F841 (computed, never returned)
            break
    return json_output


FENCED = 'Here are the boxes:\n```json\n[{"box_2d": [1, 2, 3, 4], "label": "cup"}]\n```\nDone.'


def test_parse_json_takes_the_json_out_of_a_fence():
    assert json.loads(vision.parse_json(FENCED)) == [{"box_2d": [1, 2, 3, 4], "label": "cup"}]


def test_the_guides_own_helper_keeps_the_closing_fence():
    with pytest.raises(json.JSONDecodeError):
        json.loads(guide_parse_json(FENCED))


@pytest.mark.parametrize("opening", ["```json", "```JSON", "  ```json  ", "```"])
def test_parse_json_accepts_any_json_fence(opening):
    assert json.loads(vision.parse_json(f"{opening}\n[1, 2]\n```")) == [1, 2]


def test_parse_json_leaves_text_without_a_fence_alone():
    assert vision.parse_json('[{"box_2d": [1, 2, 3, 4]}]') == '[{"box_2d": [1, 2, 3, 4]}]'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


@given(json_values, st.text(alphabet="abc :\n"), st.booleans())
def test_parse_json_gives_back_any_fenced_or_plain_json(value, preamble, fenced):
    text = json.dumps(value, indent=2)
    answer = f"{preamble}\n```json\n{text}\n```\n" if fenced else text
    assert json.loads(vision.parse_json(answer)) == value


# --- Boxes -------------------------------------------------------------------------------------


def test_the_guides_detection_conversion():
    # box_2d = [ymin, xmin, ymax, xmax]; the pixel box is (x1, y1, x2, y2), as the guide prints.
    assert to_pixels([100, 200, 500, 600], 640, 480) == (128, 48, 384, 240)


def test_to_pixels_is_exact_where_the_guides_float_expression_is_one_pixel_low():
    assert int(290 / 1000 * 100) == 28
    assert to_pixels([290, 290, 1000, 1000], 100, 100) == (29, 29, 100, 100)


@given(boxes_2d(), sizes, sizes)
def test_to_pixels_stays_inside_the_image_in_order(box_2d, width, height):
    x1, y1, x2, y2 = to_pixels(box_2d, width, height)

    assert 0 <= x1 <= x2 <= width
    assert 0 <= y1 <= y2 <= height


@given(boxes_2d(), sizes, sizes)
def test_to_pixels_floors_exactly_and_never_above_the_guide(box_2d, width, height):
    ymin, xmin, ymax, xmax = box_2d
    box = to_pixels(box_2d, width, height)

    assert box == (xmin * width // 1000, ymin * height // 1000, xmax * width // 1000,
                   ymax * height // 1000)  # fmt: skip
    guide = (int(xmin / 1000 * width), int(ymin / 1000 * height),
             int(xmax / 1000 * width), int(ymax / 1000 * height))  # fmt: skip
    assert all(0 <= ours - theirs <= 1 for ours, theirs in zip(box, guide, strict=True))


@given(boxes_2d(st.floats(0, 1000, allow_nan=False)), sizes, sizes)
def test_to_pixels_takes_fractional_coordinates(box_2d, width, height):
    ymin, xmin, ymax, xmax = box_2d
    x1, y1, x2, y2 = to_pixels(box_2d, width, height)

    assert 0 <= x1 <= x2 <= width and 0 <= y1 <= y2 <= height
    exact = [math.floor(Fraction(v) * side / 1000) for v, side in
             ((xmin, width), (ymin, height), (xmax, width), (ymax, height))]  # fmt: skip
    assert [x1, y1, x2, y2] == exact


@pytest.mark.parametrize(
    "box_2d",
    [
        [500, 0, 500, 10],  # ymin == ymax
        [0, 10, 10, 10],  # xmin == xmax
        [600, 0, 500, 10],  # inverted
        [-1, 0, 10, 10],
        [0, 0, 10, 1001],
        [0, 0, 10],
        [0, 0, 10, 10, 10],
        [0, 0, float("nan"), 10],
        [0, 0, float("inf"), 10],
        [False, 0, True, 10],
        ["0", "0", "10", "10"],
        "0 0 10 10",
        None,
    ],
)
def test_to_pixels_refuses_an_invalid_box(box_2d):
    with pytest.raises(errors.InvalidBoxError) as caught:
        to_pixels(box_2d, 100, 100)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("size", [(0, 10), (10, -1), (10.0, 10), (True, 10)])
def test_to_pixels_refuses_an_image_without_pixels(size):
    with pytest.raises(ValueError, match="positive integers"):
        to_pixels([0, 0, 10, 10], *size)


@given(pixel_boxes(max_side=1000))
def test_to_normalized_is_inverted_exactly_up_to_1000_px(case):
    box, width, height = case
    assert to_pixels(to_normalized(box, width, height), width, height) == box


@given(pixel_boxes(max_side=8000))
def test_to_normalized_is_inverted_within_size_over_1000_px(case):
    box, width, height = case
    ymin, xmin, ymax, xmax = to_normalized(box, width, height)
    if ymin == ymax or xmin == xmax:
        # A box thinner than one 0-1000 unit collapses, only on a side over 1000 px.
        assert (xmin == xmax and width > 1000) or (ymin == ymax and height > 1000)
        return
    back = to_pixels((ymin, xmin, ymax, xmax), width, height)
    sides = (width, height, width, height)
    for before, after, side in zip(box, back, sides, strict=True):
        assert 0 <= after - before
        assert (after - before) * 1000 < side  # less than one 0-1000 unit of pixels
        assert after - before <= (0 if side <= 1000 else 1 if side <= 2000 else side)


@given(boxes_2d(), sizes, sizes)
def test_to_normalized_never_overshoots_a_box_2d(box_2d, width, height):
    box = to_pixels(box_2d, width, height)
    back = to_normalized(box, width, height)
    sides = (height, width, height, width)
    for before, after, side in zip(box_2d, back, sides, strict=True):
        assert 0 <= before - after and (before - after) * side < 1000


@pytest.mark.parametrize("box", [(0, 0, 11, 5), (5, 0, 4, 5), (-1, 0, 4, 5), (0, 0, 4.0, 5)])
def test_to_normalized_refuses_a_box_outside_the_image(box):
    with pytest.raises(errors.InvalidBoxError):
        to_normalized(box, 10, 10)


entries = st.one_of(
    st.fixed_dictionaries({"box_2d": boxes_2d(), "label": st.text(max_size=5)}),
    st.fixed_dictionaries({"box_2d": st.lists(st.integers(-5, 1005), max_size=5)}),
    st.fixed_dictionaries({"label": st.text(max_size=5)}),
    st.integers(),
    st.none(),
)


@given(st.lists(entries, max_size=8), st.integers(1, 2000), st.integers(1, 2000))
def test_boxes_from_response_keeps_exactly_the_usable_boxes_in_order(items, width, height):
    expected = []
    for item in items:
        try:
            box = to_pixels(item["box_2d"], width, height)
        except (TypeError, KeyError, errors.InvalidBoxError):
            continue
        if box.width and box.height:
            expected.append((box, item.get("label")))

    found = vision.boxes_from_response(f"```json\n{json.dumps(items)}\n```", width, height)

    assert [(detection.box, detection.label) for detection in found] == expected


def test_boxes_from_response_keeps_labels_masks_and_the_original_box():
    text = json.dumps([{"box_2d": [0, 0, 500, 250.5], "label": "cup", "mask": "data:..."}])

    (found,) = vision.boxes_from_response(text, 200, 100)

    assert found == vision.Detection(
        box=Box(0, 0, 50, 50), box_2d=(0, 0, 500, 250.5), label="cup", mask="data:..."
    )


def test_boxes_from_response_skips_a_box_thinner_than_a_pixel():
    assert vision.boxes_from_response('[{"box_2d": [0, 0, 1, 1]}]', 640, 480) == []


@pytest.mark.parametrize("text", ['{"box_2d": [0, 0, 1, 1]}', "not json", "```json\n```"])
def test_boxes_from_response_refuses_an_answer_that_is_not_a_list(text):
    with pytest.raises(ValueError):
        vision.boxes_from_response(text, 10, 10)


# --- Masks -------------------------------------------------------------------------------------


def png(values: list[list[int]], mode: str = "L") -> bytes:
    height, width = len(values), len(values[0])
    picture = Image.new("L", (width, height))
    picture.putdata([value for row in values for value in row])
    buffer = io.BytesIO()
    picture.convert(mode).save(buffer, "PNG")
    return buffer.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


grids = st.integers(1, 8).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(0, 255), min_size=width, max_size=width), min_size=1, max_size=8
    )
)


def test_the_default_threshold_is_the_midpoint_value_above_127():
    assert vision.MASK_THRESHOLD == 127
    assert vision.binarize([[0, 126, 127, 128, 129, 255]]) == [
        [False, False, False, True, True, True]
    ]
    # The guide's code (> 128) leaves out 128 too.
    assert vision.binarize([[127, 128, 129]], threshold=128) == [[False, False, True]]


@given(grids, st.integers(0, 255))
def test_binarize_keeps_exactly_the_values_above_the_threshold(values, threshold):
    mask = vision.binarize(values, threshold)

    assert [len(row) for row in mask] == [len(row) for row in values]
    for value_row, mask_row in zip(values, mask, strict=True):
        for value, kept in zip(value_row, mask_row, strict=True):
            assert kept is (value > threshold)


@given(grids, st.integers(0, 254))
def test_a_higher_threshold_keeps_a_subset(values, threshold):
    lower = vision.binarize(values, threshold)
    higher = vision.binarize(values, threshold + 1)
    for low_row, high_row in zip(lower, higher, strict=True):
        assert all(low or not high for low, high in zip(low_row, high_row, strict=True))


@pytest.mark.parametrize("threshold", [-1, 256, 0.5, 127.0, True, None])
def test_binarize_refuses_a_threshold_off_the_0_255_scale(threshold):
    with pytest.raises(ValueError, match="0-255"):
        vision.binarize([[1]], threshold)


@given(grids, st.integers(0, 255), st.integers(0, 50), st.integers(0, 50), st.booleans())
def test_a_mask_the_size_of_its_box_binarises_exactly(values, threshold, left, top, prefixed):
    height, width = len(values), len(values[0])
    data = png(values)
    text = data_url(data) if prefixed else base64.urlsafe_b64encode(data).decode().rstrip("=")
    box = Box(left, top, left + width, top + height)

    assert vision.mask_probabilities(text, box) == values
    assert vision.decode_mask(text, box, threshold) == vision.binarize(values, threshold)


@given(st.integers(0, 255), st.integers(1, 6), st.integers(1, 6), pixel_boxes(max_side=40))
def test_a_constant_mask_stays_constant_at_any_box_size(value, width, height, case):
    box, _, _ = case
    mask = vision.decode_mask(data_url(png([[value] * width] * height)), box)

    assert mask == [[value > 127] * box.width] * box.height


@given(grids, pixel_boxes(max_side=30))
def test_decode_mask_matches_the_guides_numpy_code_at_its_threshold(values, case):
    box, _, _ = case
    text = data_url(png(values))
    # The guide: strip the prefix, open, resize bilinearly to the box, np.array(mask) > 128.
    mask: Image.Image = Image.open(
        io.BytesIO(base64.b64decode(text.removeprefix("data:image/png;base64,")))
    )
    mask = mask.resize((box.x2 - box.x1, box.y2 - box.y1), Image.Resampling.BILINEAR)
    guide = (np.array(mask) > 128).tolist()

    assert vision.decode_mask(text, box, threshold=128) == guide


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "LA", "P", "1"])
def test_a_mask_in_another_png_mode_is_read_as_grayscale(mode):
    values = [[0, 255], [255, 0]]  # pure black and white survive every mode
    assert vision.mask_probabilities(data_url(png(values, mode)), Box(0, 0, 2, 2)) == values


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (2, 2)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "mask",
    [
        "data:image/jpeg;base64," + base64.b64encode(jpeg()).decode(),
        base64.b64encode(jpeg()).decode(),
        "data:image/png;base64,not base64!",
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\ntruncated").decode(),
        "",
    ],
    ids=["jpeg-data-url", "jpeg", "not-base64", "truncated-png", "empty"],
)
def test_decode_mask_refuses_what_is_not_a_base64_png(mask):
    with pytest.raises(errors.InvalidMaskError) as caught:
        vision.decode_mask(mask, Box(0, 0, 2, 2))
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("box", [Box(5, 5, 5, 9), Box(5, 5, 9, 5), Box(5, 5, 4, 9)])
def test_decode_mask_refuses_an_empty_box(box):
    with pytest.raises(errors.InvalidBoxError):
        vision.decode_mask(data_url(png([[255]])), box)


# --- overlay -----------------------------------------------------------------------------------


def test_overlay_tints_the_mask_outlines_the_box_and_leaves_the_rest():
    image = Image.new("RGB", (40, 30), (0, 0, 0))
    box = Box(10, 5, 30, 25)
    mask = [[10 <= x < 20 for x in range(box.width)] for _ in range(box.height)]

    result = vision.overlay(image, [mask], [box], ["cup"])

    assert (result.mode, result.size) == ("RGBA", image.size)
    assert image.getpixel((25, 15)) == (0, 0, 0)  # the input is untouched
    assert result.getpixel((25, 15)) != (0, 0, 0, 255)  # inside the mask: tinted
    assert result.getpixel((15, 15)) == (0, 0, 0, 255)  # in the box, outside the mask
    assert result.getpixel((10, 15)) == (*COLORS[0], 255)  # the box's left edge
    assert result.getpixel((29, 15)) == (*COLORS[0], 255)  # its right edge: x2 - 1
    assert result.getpixel((35, 15)) == (0, 0, 0, 255)  # outside the box


def test_overlay_draws_boxes_without_masks_or_labels():
    result = vision.overlay(Image.new("L", (20, 20)), None, [Box(2, 2, 8, 8), Box(10, 10, 20, 20)])

    first, second = result.getpixel((2, 5)), result.getpixel((19, 15))
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert first[:3] == COLORS[0]
    assert second[:3] == COLORS[1]


def test_overlay_refuses_masks_or_labels_that_do_not_match_the_boxes():
    image = Image.new("RGB", (20, 20))
    with pytest.raises(ValueError, match="one mask and one label per box"):
        vision.overlay(image, [None, None], [Box(0, 0, 5, 5)], ["a"])
    with pytest.raises(ValueError, match="not the size of its box"):
        vision.overlay(image, [[[True]]], [Box(0, 0, 5, 5)], ["a"])


# --- Tokens ------------------------------------------------------------------------------------

MODELS_2X = ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash", "gemini-2.5-flash-lite"]
models = st.sampled_from([*MODELS_2X, "gemini-1.5-flash", "gemini-1.5-pro"])


def test_the_guides_worked_example():
    assert vision.crop_unit(960, 540) == 360
    assert vision.image_tiles(960, 540) == 3 * 2
    assert vision.image_tokens(960, 540) == 1548


@pytest.mark.parametrize("model", [*MODELS_2X, "gemini-1.5-pro", "models/gemini-1.5-flash-002"])
@pytest.mark.parametrize("size", [(1, 1), (384, 384), (384, 1), (200, 300)])
def test_an_image_of_at_most_384_px_per_side_is_258_tokens(model, size):
    width, height = size
    assert vision.image_tokens(width, height, model=model) == 258


def test_one_pixel_over_384_makes_four_tiles():
    assert vision.image_tokens(385, 384) == vision.image_tokens(384, 385) == 4 * 258


def test_gemini_1_5_clamps_the_crop_unit_to_256_768():
    assert vision.image_tiles(3000, 3000, "gemini-1.5-pro") == 4 * 4  # unit 2000 -> 768
    assert vision.image_tiles(3000, 3000, "gemini-2.5-pro") == 2 * 2  # unit 2000
    assert vision.image_tiles(400, 20, "gemini-1.5-flash") == 2 * 1  # unit 13 -> 256
    assert vision.image_tiles(400, 20, "gemini-2.5-flash") == 31 * 2  # unit 13


def test_a_one_pixel_side_has_a_one_pixel_unit():
    # floor(1 / 1.5) is 0: the guide's formula would divide by zero. The fake does the same.
    assert vision.crop_unit(400, 1) == 1
    assert vision.image_tiles(400, 1) == 400


def test_the_guides_formula_is_not_monotone_in_the_shorter_side():
    assert vision.crop_unit(600, 1000) == 400 and vision.image_tiles(600, 1000) == 2 * 3
    assert vision.crop_unit(750, 1000) == 500 and vision.image_tiles(750, 1000) == 2 * 2


@given(sizes, sizes, models)
def test_tokens_are_whole_tiles_of_258_and_symmetric(width, height, model):
    tokens = vision.image_tokens(width, height, model)

    assert tokens >= 258 and tokens % 258 == 0
    assert tokens == vision.image_tiles(width, height, model) * 258
    assert tokens == vision.image_tokens(height, width, model)


@given(sizes, sizes, st.integers(1, 500), models)
def test_tokens_grow_with_the_longer_side(short, long, more, model):
    assume(short <= long)
    assert vision.image_tokens(long, short, model) <= vision.image_tokens(long + more, short, model)
    assert vision.image_tokens(short, long, model) <= vision.image_tokens(short, long + more, model)


@given(sizes, sizes, st.sampled_from(MODELS_2X))
def test_an_image_over_384_px_is_at_least_four_tiles_on_2_x(width, height, model):
    assume(max(width, height) > 384)
    assert vision.image_tiles(width, height, model) >= 4


@given(sizes, sizes, st.sampled_from(MODELS_2X))
def test_tokens_agree_with_the_fake_servers_count(width, height, model):
    assert vision.image_tokens(width, height, model) == fake_images.image_tokens(width, height)


@pytest.mark.parametrize(
    "model", ["gemini-3-pro-preview", "gemini-flash-latest", "gemini-2.50-flash", "gemma-3-27b-it"]
)
def test_models_the_guide_gives_no_rule_for_are_refused(model):
    with pytest.raises(ValueError, match="1.5, 2.0 and 2.5"):
        vision.image_tokens(960, 540, model)


@pytest.mark.parametrize("size", [(0, 10), (10, 0), (-5, 10), (10.5, 10)])
def test_token_math_refuses_an_image_without_pixels(size):
    with pytest.raises(ValueError, match="positive integers"):
        vision.image_tokens(*size)
