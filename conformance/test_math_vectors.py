"""Box, mask and token math: ``vectors/{box_math,mask_math,image_tokens}.json``.

Each file holds its header (conformance/_vectors.py: the rule in ``description``, the
docs/images.md sections it ``pins``), then inputs and what ``gemini_ref.vision`` gives for them.
The tests check every case against the implementation, and that each file is exactly what this
module generates, so neither changes without the other. After a deliberate change of a rule,
rewrite the files and review the diff: ``.venv/bin/python -m conformance.test_math_vectors``.

Errors are named (``invalid_box``, ``invalid_mask``, ``invalid_size``, ``invalid_threshold``,
``unsupported_model``); binary masks (``bits``) are rows of ``0`` and ``1``. The mask PNGs are
8-bit grayscale, stored without compression: the same bytes whatever zlib writes them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from conformance._vectors import VECTORS, cases, header, load, render, sections
from fake_server.model.images import encode_png
from gemini_ref import errors, vision

# --- What each file holds: the inputs, and the rule in words -----------------------------------

BOX_DESCRIPTION = [
    "Bounding boxes between the model's 0-1000 frame and pixels (gemini_ref.vision).",
    "to_pixels: box_2d is [ymin, xmin, ymax, xmax], each a finite number in [0, 1000], with",
    "ymin < ymax and xmin < xmax; anything else is invalid_box. The pixel box is [x1, y1, x2, y2]",
    "(left, top, right, bottom; right and bottom are edges, so it covers x2 - x1 pixels), each",
    "edge floor(v * size / 1000) computed exactly (rationals, not floating point: the guide's",
    "int(v / 1000 * size) gives 28 for v = 290, size = 100). A valid box may be empty in pixels.",
    "to_normalized: a pixel box with 0 <= x1 <= x2 <= width, 0 <= y1 <= y2 <= height (integers:",
    "a value with a fraction, such as 4.5, is invalid_box) becomes [ymin, xmin, ymax, xmax] with",
    "each edge ceil(1000 * p / size).",
    "boxes_from_response: the answer's JSON list (inside a ```json fence or not); entries that",
    "are not objects, have no valid box_2d, or are empty in pixels are skipped.",
    "width and height are positive integers (else invalid_size).",
    "Numbers: box_2d values may have fractions; box, width and height are integers. No case",
    "depends on telling 4.0 from 4 (gemini_ref refuses 4.0 as a pixel edge; a reader whose",
    "numbers do not keep the difference may take it as 4).",
]

BOX_TO_PIXELS: list[dict[str, Any]] = [
    {"box_2d": [100, 200, 500, 600], "width": 640, "height": 480},
    {"box_2d": [0, 0, 1000, 1000], "width": 1920, "height": 1080, "note": "the whole image"},
    {"box_2d": [290, 290, 1000, 1000], "width": 100, "height": 100,
     "note": "the guide's float expression gives 28"},
    {"box_2d": [570, 570, 580, 580], "width": 100, "height": 100,
     "note": "the guide's float expression gives 56 and 57"},
    {"box_2d": [0, 0, 500, 500], "width": 7, "height": 3, "note": "3.5 and 1.5 floor"},
    {"box_2d": [333.5, 100.25, 666.75, 900.5], "width": 1000, "height": 1000,
     "note": "fractional coordinates"},
    {"box_2d": [250, 10, 750, 990], "width": 3000, "height": 200},
    {"box_2d": [0, 0, 999, 999], "width": 1, "height": 1, "note": "valid, empty in pixels"},
    {"box_2d": [10, 20, 11, 21], "width": 640, "height": 480, "note": "valid, empty in pixels"},
    {"box_2d": [500, 0, 500, 10], "width": 100, "height": 100, "note": "ymin == ymax"},
    {"box_2d": [0, 10, 10, 10], "width": 100, "height": 100, "note": "xmin == xmax"},
    {"box_2d": [600, 0, 500, 10], "width": 100, "height": 100, "note": "inverted"},
    {"box_2d": [-1, 0, 10, 10], "width": 100, "height": 100},
    {"box_2d": [0, 0, 10, 1001], "width": 100, "height": 100},
    {"box_2d": [0, 0, 10], "width": 100, "height": 100},
    {"box_2d": [0, 0, 10, 10, 10], "width": 100, "height": 100},
    {"box_2d": ["0", "0", "10", "10"], "width": 100, "height": 100},
    {"box_2d": [False, 0, True, 10], "width": 100, "height": 100, "note": "booleans"},
    {"box_2d": [0, 0, None, 10], "width": 100, "height": 100},
    {"box_2d": [0, 0, 10, 10], "width": 0, "height": 100},
]  # fmt: skip

BOX_TO_NORMALIZED: list[dict[str, Any]] = [
    {"box": [128, 48, 384, 240], "width": 640, "height": 480},
    {"box": [0, 0, 1920, 1080], "width": 1920, "height": 1080, "note": "the whole image"},
    {"box": [1, 1, 2, 2], "width": 3, "height": 3, "note": "ceil(333.3) and ceil(666.7)"},
    {"box": [29, 29, 100, 100], "width": 100, "height": 100},
    {"box": [5, 5, 5, 9], "width": 10, "height": 10, "note": "empty boxes are accepted"},
    {"box": [1, 0, 3, 10], "width": 4000, "height": 10,
     "note": "thinner than a unit: xmin == xmax, which to_pixels refuses"},
    {"box": [1, 1, 1999, 1999], "width": 2000, "height": 2000},
    {"box": [0, 0, 11, 5], "width": 10, "height": 10, "note": "outside the image"},
    {"box": [5, 0, 4, 5], "width": 10, "height": 10, "note": "inverted"},
    {"box": [0, 0, 4.5, 5], "width": 10, "height": 10, "note": "not an integer"},
]  # fmt: skip

DETECTION_ANSWER = json.dumps(
    [
        {"box_2d": [100, 200, 500, 600], "label": "cup"},
        {"box_2d": [500, 0, 400, 10], "label": "inverted"},
        {"box_2d": [10, 20, 11, 21], "label": "thinner than a pixel"},
        {"label": "no box"},
        "not an object",
        {"box_2d": [0, 0, 1000, 1000], "label": "table", "mask": "data:image/png;base64,..."},
    ]
)
BOX_ANSWERS: list[dict[str, Any]] = [
    {"text": f"Found these:\n```json\n{DETECTION_ANSWER}\n```\n", "width": 640, "height": 480},
    {"text": DETECTION_ANSWER, "width": 640, "height": 480, "note": "no fence"},
    {"text": "[]", "width": 10, "height": 10},
]

MASK_DESCRIPTION = [
    "Segmentation masks (gemini_ref.vision.decode_mask and binarize).",
    "binarize: a pixel is in the mask when value > threshold (strictly). threshold is an",
    "integer 0-255 on the map's scale (else invalid_threshold); the default is 127, the midpoint",
    "the guide's text names: 0-127 out, 128-255 in. (The guide's code uses > 128.)",
    "decode_mask: mask is a base64 PNG, optionally prefixed with data:image/png;base64, in",
    "either base64 alphabet, padded or not; anything else (another data: URL, not a PNG, a PNG",
    "whose IHDR chunk has a wrong CRC) is invalid_mask. Its probability map (an 8-bit",
    "grayscale PNG in every case here) is resized to the box's pixel size (x2 - x1) x",
    "(y2 - y1) with a bilinear filter (Pillow's), then binarised; an empty box is invalid_box.",
    "Bilinear filters differ",
    "between libraries, so the cases here either need no resize (the map has the box's size) or",
    "resize a constant map, which every bilinear filter keeps constant (another library may",
    "round its probabilities one off; the bits stay the same).",
    "probabilities: the map after the resize, before binarisation; bits: the binary mask, one",
    "string of 0 and 1 per row. Integers: values, threshold, default_threshold, box,",
    "probabilities; a threshold with a fraction (0.5) is invalid_threshold.",
]


def grid_png(values: list[list[int]]) -> bytes:
    return encode_png(len(values[0]), len(values), bytes(v for row in values for v in row), level=0)


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def bad_header_crc(png: bytes) -> bytes:
    """The PNG with one bit of its IHDR chunk's CRC (bytes 29-32) flipped."""
    return png[:32] + bytes([png[32] ^ 1]) + png[33:]


RAMP = [[0, 1, 126, 127], [128, 129, 254, 255]]
NOT_PNG = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").decode()

MASK_BINARIZE: list[dict[str, Any]] = [
    {"values": RAMP, "note": "the default threshold, 127"},
    {"values": RAMP, "threshold": 128, "note": "the guide's code"},
    {"values": RAMP, "threshold": 0},
    {"values": RAMP, "threshold": 254},
    {"values": RAMP, "threshold": 255, "note": "nothing is above 255"},
    {"values": [[200]], "threshold": -1},
    {"values": [[200]], "threshold": 256},
    {"values": [[200]], "threshold": 0.5, "note": "not a probability in 0-1"},
]

MASK_DECODE: list[dict[str, Any]] = [
    {"mask": data_url(grid_png(RAMP)), "box": [0, 0, 4, 2], "note": "no resize"},
    {"mask": data_url(grid_png(RAMP)), "box": [0, 0, 4, 2], "threshold": 128},
    {"mask": data_url(grid_png(RAMP)), "box": [300, 120, 304, 122], "note": "anywhere"},
    {"mask": base64.b64encode(grid_png(RAMP)).decode(), "box": [0, 0, 4, 2],
     "note": "base64 without the data: prefix"},
    {"mask": base64.urlsafe_b64encode(grid_png(RAMP)).decode().rstrip("="), "box": [0, 0, 4, 2],
     "note": "URL-safe base64 without padding"},
    {"mask": data_url(grid_png([[0, 255, 0], [255, 0, 255], [0, 255, 0]])), "box": [5, 5, 8, 8]},
    {"mask": data_url(grid_png([[200, 200], [200, 200]])), "box": [10, 20, 15, 23],
     "note": "a constant map, resized from 2x2 to 5x3"},
    {"mask": data_url(grid_png([[100] * 4] * 4)), "box": [0, 0, 3, 2],
     "note": "a constant map, resized down"},
    {"mask": data_url(grid_png([[128]])), "box": [0, 0, 2, 2], "threshold": 127},
    {"mask": data_url(grid_png([[128]])), "box": [0, 0, 2, 2], "threshold": 128},
    {"mask": "data:image/jpeg;base64," + NOT_PNG, "box": [0, 0, 2, 2]},
    {"mask": NOT_PNG, "box": [0, 0, 2, 2], "note": "not a PNG"},
    {"mask": "data:image/png;base64,not base64!", "box": [0, 0, 2, 2]},
    {"mask": data_url(b"\x89PNG\r\n\x1a\ntruncated"), "box": [0, 0, 2, 2]},
    {"mask": data_url(bad_header_crc(grid_png(RAMP))), "box": [0, 0, 4, 2],
     "note": "the IHDR chunk's CRC is wrong"},
    {"mask": data_url(grid_png(RAMP)), "box": [5, 5, 5, 9], "note": "an empty box"},
]  # fmt: skip

TOKEN_DESCRIPTION = [
    "Prompt tokens of one image (gemini_ref.vision.image_tokens), by the guide's rules.",
    "Both sides <= 384 px: one tile (unit null). Otherwise unit = floor(min(width, height) /",
    "1.5), at least 1, and for Gemini 1.5 models clamped to [256, 768]; tiles = ceil(width /",
    "unit) * ceil(height / unit); tokens = 258 * tiles. Models: gemini-1.5-*, gemini-2.0-*,",
    "gemini-2.5-* (optionally models/...); the guide gives no rule for others (unsupported_model).",
    "width and height are positive integers (else invalid_size). The rule is not monotone in the",
    "shorter side: 600x1000 is 6 tiles, 750x1000 is 4. Every number here is an integer:",
    "tile_tokens, width, height, unit (or null), tiles, tokens.",
]

TOKEN_CASES: list[dict[str, Any]] = [
    {"width": 960, "height": 540, "model": "gemini-2.5-flash", "note": "the guide's example"},
    {"width": 1, "height": 1, "model": "gemini-2.5-flash"},
    {"width": 384, "height": 384, "model": "gemini-2.5-flash"},
    {"width": 384, "height": 385, "model": "gemini-2.5-flash"},
    {"width": 200, "height": 300, "model": "gemini-2.0-flash"},
    {"width": 768, "height": 768, "model": "gemini-2.5-pro", "note": "every square is 2 x 2"},
    {"width": 1024, "height": 1024, "model": "gemini-2.5-flash"},
    {"width": 1920, "height": 1080, "model": "gemini-2.5-flash"},
    {"width": 3840, "height": 2160, "model": "gemini-2.5-flash-lite"},
    {"width": 1000, "height": 3000, "model": "gemini-2.5-flash"},
    {"width": 600, "height": 1000, "model": "gemini-2.5-flash"},
    {"width": 750, "height": 1000, "model": "gemini-2.5-flash", "note": "wider, fewer tiles"},
    {"width": 400, "height": 20, "model": "gemini-2.5-flash"},
    {"width": 400, "height": 1, "model": "gemini-2.5-flash", "note": "the unit is at least 1"},
    {"width": 960, "height": 540, "model": "gemini-1.5-flash"},
    {"width": 400, "height": 20, "model": "gemini-1.5-flash", "note": "unit 13 -> 256"},
    {"width": 3000, "height": 3000, "model": "gemini-1.5-pro", "note": "unit 2000 -> 768"},
    {"width": 3000, "height": 3000, "model": "gemini-2.5-pro"},
    {"width": 384, "height": 384, "model": "models/gemini-1.5-pro-002"},
    {"width": 960, "height": 540, "model": "gemini-3-pro-preview"},
    {"width": 960, "height": 540, "model": "gemini-flash-latest"},
    {"width": 0, "height": 540, "model": "gemini-2.5-flash"},
]


# --- Generation: the inputs above, with what the implementation answers ------------------------

ERRORS: dict[str, type[Exception]] = {
    "invalid_box": errors.InvalidBoxError,
    "invalid_mask": errors.InvalidMaskError,
    "invalid_size": ValueError,
    "invalid_threshold": ValueError,
    "unsupported_model": ValueError,
}


def outcome(compute: Callable[[], dict[str, Any]], value_error: str) -> dict[str, Any]:
    """``compute()``'s fields, or ``{"error": name}`` for what it raised."""
    try:
        return compute()
    except errors.InvalidBoxError:
        return {"error": "invalid_box"}
    except errors.InvalidMaskError:
        return {"error": "invalid_mask"}
    except ValueError as exc:
        return {"error": "invalid_size" if "positive integers" in str(exc) else value_error}


def with_outcome(case: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    inputs = {key: value for key, value in case.items() if key != "note"}
    note = {"note": case["note"]} if "note" in case else {}
    return inputs | result | note


def bits(mask: vision.Mask) -> list[str]:
    return ["".join("1" if kept else "0" for kept in row) for row in mask]


def threshold_of(case: dict[str, Any]) -> Any:
    return case.get("threshold", vision.MASK_THRESHOLD)


def box_math() -> dict[str, Any]:
    def pixels(case: dict[str, Any]) -> dict[str, Any]:
        return {"box": list(vision.to_pixels(case["box_2d"], case["width"], case["height"]))}

    def normalized(case: dict[str, Any]) -> dict[str, Any]:
        return {"box_2d": list(vision.to_normalized(case["box"], case["width"], case["height"]))}

    def answer(case: dict[str, Any]) -> dict[str, Any]:
        found = vision.boxes_from_response(case["text"], case["width"], case["height"])
        return {"boxes": [{"box": list(d.box), "label": d.label} for d in found]}

    return {
        **header(BOX_DESCRIPTION, ["docs/images.md#boxes"]),
        "to_pixels": [
            with_outcome(c, outcome(partial(pixels, c), "invalid_box")) for c in BOX_TO_PIXELS
        ],
        "to_normalized": [
            with_outcome(c, outcome(partial(normalized, c), "invalid_box"))
            for c in BOX_TO_NORMALIZED
        ],
        "boxes_from_response": [with_outcome(c, answer(c)) for c in BOX_ANSWERS],
    }


def mask_math() -> dict[str, Any]:
    def binarized(case: dict[str, Any]) -> dict[str, Any]:
        return {"bits": bits(vision.binarize(case["values"], threshold_of(case)))}

    def decoded(case: dict[str, Any]) -> dict[str, Any]:
        probabilities = vision.mask_probabilities(case["mask"], case["box"])
        mask = vision.decode_mask(case["mask"], case["box"], threshold_of(case))
        return {"probabilities": probabilities, "bits": bits(mask)}

    return {
        **header(MASK_DESCRIPTION, ["docs/images.md#masks", "docs/images.md#boxes"]),
        "default_threshold": vision.MASK_THRESHOLD,
        "binarize": [
            with_outcome(c, outcome(partial(binarized, c), "invalid_threshold"))
            for c in MASK_BINARIZE
        ],
        "decode_mask": [
            with_outcome(c, outcome(partial(decoded, c), "invalid_mask")) for c in MASK_DECODE
        ],
    }


def image_tokens() -> dict[str, Any]:
    def tokens(case: dict[str, Any]) -> dict[str, Any]:
        size = (case["width"], case["height"], case["model"])
        return {
            "unit": vision.crop_unit(*size),
            "tiles": vision.image_tiles(*size),
            "tokens": vision.image_tokens(*size),
        }

    return {
        **header(TOKEN_DESCRIPTION, ["docs/images.md#token-cost-of-an-image"]),
        "tile_tokens": vision.TILE_TOKENS,
        "cases": [
            with_outcome(c, outcome(partial(tokens, c), "unsupported_model")) for c in TOKEN_CASES
        ],
    }


GENERATORS = {
    "box_math.json": box_math,
    "mask_math.json": mask_math,
    "image_tokens.json": image_tokens,
}


# --- The checks --------------------------------------------------------------------------------


def outcome_of(case: dict[str, Any], compute: Callable[[], Any]) -> Any:
    """What ``compute`` gives, or, for a case that expects an error, that it raises it."""
    if "error" in case:
        with pytest.raises(ERRORS[case["error"]]):
            compute()
        return None
    return compute()


@pytest.mark.parametrize("name", GENERATORS)
def test_each_file_describes_its_rule_and_stays_small(name: str) -> None:
    lists = [value for value in sections(load(name)).values() if isinstance(value, list)]
    assert 10 <= sum(len(value) for value in lists) <= 60


@pytest.mark.parametrize("case", cases("box_math.json", "to_pixels"))
def test_to_pixels_vector(case: dict[str, Any]) -> None:
    box = outcome_of(case, lambda: vision.to_pixels(case["box_2d"], case["width"], case["height"]))
    assert "error" in case or list(box) == case["box"]


@pytest.mark.parametrize("case", cases("box_math.json", "to_normalized"))
def test_to_normalized_vector(case: dict[str, Any]) -> None:
    box_2d = outcome_of(
        case, lambda: vision.to_normalized(case["box"], case["width"], case["height"])
    )
    assert "error" in case or list(box_2d) == case["box_2d"]


@pytest.mark.parametrize("case", cases("box_math.json", "boxes_from_response"))
def test_boxes_from_response_vector(case: dict[str, Any]) -> None:
    found = vision.boxes_from_response(case["text"], case["width"], case["height"])
    assert [{"box": list(d.box), "label": d.label} for d in found] == case["boxes"]


@pytest.mark.parametrize("case", cases("mask_math.json", "binarize"))
def test_binarize_vector(case: dict[str, Any]) -> None:
    mask = outcome_of(case, lambda: vision.binarize(case["values"], threshold_of(case)))
    assert "error" in case or bits(mask) == case["bits"]


@pytest.mark.parametrize("case", cases("mask_math.json", "decode_mask"))
def test_decode_mask_vector(case: dict[str, Any]) -> None:
    threshold = threshold_of(case)
    mask = outcome_of(case, lambda: vision.decode_mask(case["mask"], case["box"], threshold))
    if "error" in case:
        return
    assert bits(mask) == case["bits"]
    assert vision.mask_probabilities(case["mask"], case["box"]) == case["probabilities"]
    kept = [[value > threshold for value in row] for row in case["probabilities"]]
    assert bits(kept) == case["bits"]  # the file agrees with its own rule


def test_the_default_threshold_vector() -> None:
    assert load("mask_math.json")["default_threshold"] == vision.MASK_THRESHOLD == 127


@pytest.mark.parametrize("case", cases("image_tokens.json", "cases"))
def test_image_tokens_vector(case: dict[str, Any]) -> None:
    size = (case["width"], case["height"], case["model"])
    tokens = outcome_of(case, lambda: vision.image_tokens(*size))
    if "error" in case:
        return
    assert tokens == case["tokens"] == case["tiles"] * load("image_tokens.json")["tile_tokens"]
    assert vision.image_tiles(*size) == case["tiles"]
    assert vision.crop_unit(*size) == case["unit"]


@pytest.mark.parametrize("name", GENERATORS)
def test_each_file_is_what_the_implementation_generates(name: str) -> None:
    path = VECTORS / name
    assert path.exists() and path.read_text() == render(GENERATORS[name]()), (
        f"{path} is out of date: run .venv/bin/python -m conformance.test_math_vectors"
        " and review the diff"
    )


def main() -> None:
    for name, generate in GENERATORS.items():
        (VECTORS / name).write_text(render(generate()))
        print(f"wrote {VECTORS / name}")


if __name__ == "__main__":
    main()
