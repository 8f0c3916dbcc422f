"""Answers to the guide's image-understanding prompts: object detection and segmentation.

A prompt about an image that asks for bounding boxes (``box_2d``, "bounding box", "detect")
gets a JSON list of ``{"box_2d": [ymin, xmin, ymax, xmax], "label": ...}`` in the 0-1000
frame; one that asks for segmentation masks also gets ``"mask":
"data:image/png;base64,..."``, a real PNG probability map (an ellipse that fades out at its
edge) for the box. The fake cannot see, so the boxes are not *of* anything: they are valid,
inside the frame, deterministic for the request (the same image and prompt give the same boxes
on every run), and labelled from the prompt's words.

The JSON is sent plain, without markdown fences: the guide's own ``parse_json`` returns fenced
text with its closing fence still attached, so only plain JSON survives its example code.
"""

from __future__ import annotations

import base64
import json
import math
import random
import re
from typing import Any

from .images import encode_png

MASK_SIDE = 64
_STOP = set(
    """the all and of in image items item objects object give detect segmentation masks mask
    output json list where each entry contains box bounding key label labels text use
    descriptive should normalized prominent for with this that ymin xmin ymax xmax are what
    find show box_2d boxes""".split()
)


def kind_of(request: dict[str, Any]) -> str | None:
    """``"segment"``, ``"detect"`` or None, from the last user turn's text and images."""
    contents = request.get("contents", [])
    last = contents[-1] if contents else {}
    parts = last.get("parts", [])
    has_image = any(
        (p.get("inlineData") or p.get("fileData") or {}).get("mimeType", "").startswith("image/")
        for p in parts
    )
    text = " ".join(p["text"] for p in parts if isinstance(p.get("text"), str)).lower()
    if not has_image or not text:
        return None
    if "segmentation mask" in text or re.search(r"\bmasks?\b", text):
        return "segment"
    if "box_2d" in text or "bounding box" in text or re.search(r"\bdetect", text):
        return "detect"
    return None


def labels_for(text: str) -> list[str]:
    """Labels from the prompt: "the wooden and glass items" -> wooden item, glass item."""
    paired = re.search(r"(\w+) and (\w+) (items|objects|things)", text, re.IGNORECASE)
    if paired:
        noun = paired.group(3).rstrip("s")
        return [f"{paired.group(1).lower()} {noun}", f"{paired.group(2).lower()} {noun}"]
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2]
    distinct = list(dict.fromkeys(words))[:3]
    return distinct or ["object"]


def answer(request: dict[str, Any], kind: str, rng: random.Random) -> list[dict[str, Any]]:
    last = request["contents"][-1]
    text = " ".join(p["text"] for p in last["parts"] if isinstance(p.get("text"), str))
    labels = labels_for(text)
    count = max(len(labels), rng.randint(1, 3)) if labels == ["object"] else len(labels)
    found = []
    for index in range(count):
        box = _box(rng)
        item: dict[str, Any] = {"box_2d": box}
        if kind == "segment":
            item["mask"] = "data:image/png;base64," + base64.b64encode(_mask(rng)).decode()
        label = labels[index] if index < len(labels) else f"{labels[0]} {index + 1}"
        item["label"] = label
        found.append(item)
    return found


def answer_text(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, indent=2)


def _box(rng: random.Random) -> list[int]:
    height, width = rng.randint(120, 600), rng.randint(120, 600)
    top, left = rng.randint(0, 1000 - height), rng.randint(0, 1000 - width)
    return [top, left, top + height, left + width]


def _mask(rng: random.Random) -> bytes:
    """A probability map: 255 at the centre of an ellipse, falling to 0 past its edge."""
    cx = MASK_SIDE / 2 + rng.uniform(-6, 6)
    cy = MASK_SIDE / 2 + rng.uniform(-6, 6)
    rx, ry = rng.uniform(18, 30), rng.uniform(18, 30)
    pixels = bytearray()
    for y in range(MASK_SIDE):
        for x in range(MASK_SIDE):
            distance = math.hypot((x - cx) / rx, (y - cy) / ry)
            pixels.append(max(0, min(255, round(255 * (1.25 - distance) / 0.5))))
    return encode_png(MASK_SIDE, MASK_SIDE, bytes(pixels))
