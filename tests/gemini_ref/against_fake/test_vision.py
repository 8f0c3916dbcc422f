"""The guide's detection and segmentation examples end to end: a PIL image through our client
to the fake, its answer read with ``gemini_ref.vision``. In process and on a socket."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from gemini_ref import errors, types, vision

MODEL = "gemini-2.5-flash"
DETECT = (
    "Detect the all of the prominent items in the image. The box_2d should be [ymin, xmin, ymax,"
    " xmax] normalized to 0-1000."
)
SEGMENT = """
Give the segmentation masks for the wooden and glass items.
Output a JSON list of segmentation masks where each entry contains the 2D
bounding box in the key "box_2d", the segmentation mask in key "mask", and
the text label in the key "label". Use descriptive labels.
"""


def table(size: tuple[int, int] = (640, 480)) -> Image.Image:
    image = Image.new("RGB", size, (240, 230, 210))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 100, 300, 260), fill=(150, 100, 50))
    draw.rectangle((380, 120, 520, 400), fill=(180, 220, 240))
    return image


def test_the_guides_detection_example(client):
    image = table()
    config = types.GenerateContentConfig(response_mime_type="application/json")

    response = client.models.generate_content(model=MODEL, contents=[image, DETECT], config=config)
    found = vision.boxes_from_response(response.text, *image.size)

    assert found
    width, height = image.size
    for detection in found:
        x1, y1, x2, y2 = detection.box
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        ymin, xmin, ymax, xmax = detection.box_2d
        guide = [int(xmin / 1000 * width), int(ymin / 1000 * height),
                 int(xmax / 1000 * width), int(ymax / 1000 * height)]  # fmt: skip
        pairs = zip(detection.box, guide, strict=True)
        assert all(0 <= ours - theirs <= 1 for ours, theirs in pairs)


def test_the_guides_segmentation_example(client, tmp_path):
    path = tmp_path / "table.jpg"
    table((1280, 960)).save(path, "JPEG")
    image = Image.open(path)
    image.thumbnail([1024, 1024], Image.Resampling.LANCZOS)  # type: ignore[arg-type]  # the guide's
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0))

    response = client.models.generate_content(model=MODEL, contents=[SEGMENT, image], config=config)
    found = vision.boxes_from_response(response.text, *image.size)

    assert [detection.label for detection in found] == ["wooden item", "glass item"]
    assert all(detection.mask is not None for detection in found)
    masks = [vision.decode_mask(str(detection.mask), detection.box) for detection in found]
    for detection, mask in zip(found, masks, strict=True):
        assert (len(mask), len(mask[0])) == (detection.box.height, detection.box.width)
        assert any(any(row) for row in mask) and not all(all(row) for row in mask)
        # The guide's own numpy code, at its own threshold, keeps the same pixels.
        assert detection.mask is not None
        png = base64.b64decode(detection.mask.removeprefix("data:image/png;base64,"))
        resized = Image.open(io.BytesIO(png)).resize(
            (detection.box.width, detection.box.height), Image.Resampling.BILINEAR
        )
        assert vision.decode_mask(detection.mask, detection.box, 128) == (
            (np.array(resized) > 128).tolist()
        )
    drawn = vision.overlay(image, masks, [d.box for d in found], [d.label for d in found])
    assert drawn.size == image.size and drawn.tobytes() != image.convert("RGBA").tobytes()
    image.close()


@pytest.mark.parametrize("size", [(960, 540), (384, 384), (385, 200), (1000, 3000)])
def test_the_fake_charges_what_image_tokens_computes(client, size):
    counted = client.models.count_tokens(model=MODEL, contents=[table(size), "Caption this."])

    by_modality = {detail.modality: detail.token_count for detail in counted.prompt_tokens_details}
    width, height = size
    assert by_modality["IMAGE"] == vision.image_tokens(width, height, model=MODEL)


def test_an_image_type_the_fake_would_refuse_never_leaves_the_client(client, fake):
    gif = types.Part.from_bytes(data=b"GIF89a\x01\x00\x01\x00", mime_type="image/gif")
    with pytest.raises(errors.UnsupportedImageTypeError):
        client.models.generate_content(model=MODEL, contents=[gif, "Caption this."])
    assert fake.journal.calls() == []
