"""Every Python example of the guide, written once and run with either library.

Each example is the guide's code with its two import lines turned into parameters: ``genai``
and ``types`` are ``google.genai`` and ``google.genai.types``, or ``gemini_ref`` and
``gemini_ref.types``. What the guide reads from the network or the disk (``requests.get`` of an
image, ``/path/to/organ.png``) comes from :class:`Assets`, images made here with Pillow, and
``print`` becomes a returned value: what the app would have shown.

The examples are named as in the guide's sections; ``EXAMPLES`` lists them in its order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

MODEL = "gemini-2.5-flash"


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """An RGB picture with some structure (stripes and two shapes), not a flat colour."""
    im = Image.new("RGB", (width, height), (200, 180, 150))
    draw = ImageDraw.Draw(im)
    for x in range(0, width, 8):
        draw.line([(x, 0), (x, height)], fill=((x + seed) % 256, 120, 255 - x % 256))
    draw.ellipse([width // 5, height // 5, width // 2, height // 2], fill=(120, 80, 40))
    draw.rectangle([width // 2, height // 3, 4 * width // 5, 5 * height // 6], fill=(30, 90, 160))
    return im


@dataclass(frozen=True)
class Assets:
    """The files the guide's examples open, made in ``directory``."""

    directory: Path

    @classmethod
    def make(cls, directory: Path) -> Assets:
        files = {
            "organ.png": picture(320, 240, 1),
            "small-sample.jpg": picture(960, 540, 2),
            "instrument.jpg": picture(400, 300, 3),
            "sample.jpg": picture(300, 200, 4),
            "image1.jpg": picture(200, 150, 5),
            "image2.png": picture(150, 200, 6),
            "image.png": picture(640, 480, 7),
            "kitchen.png": picture(1280, 960, 8),
        }
        for name, image in files.items():
            image.save(directory / name)
        return cls(directory)

    def path(self, name: str) -> str:
        return str(self.directory / name)

    def read(self, name: str) -> bytes:
        return (self.directory / name).read_bytes()


Example = Callable[[Any, Any, Any, Assets], Any]


# --- Text generation ---------------------------------------------------------------------


def text_generation(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents="How does AI work?"
    )
    return response.text


def thinking_off(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents="How does AI work?",
        config=types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(thinking_budget=0)  # Disables thinking
        ),
    )
    return response.text


def system_instruction(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        config=types.GenerateContentConfig(system_instruction="You are a cat. Your name is Neko."),
        contents="Hello there",
    )
    return response.text


def temperature(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=["Explain how AI works"],
        config=types.GenerateContentConfig(temperature=0.1),
    )
    return response.text


def multimodal_pil_image(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    image = Image.open(assets.path("organ.png"))
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents=[image, "Tell me about this instrument"]
    )
    return response.text


def streaming(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    response = client.models.generate_content_stream(
        model="gemini-2.5-flash", contents=["Explain how AI works"]
    )
    return [chunk.text for chunk in response]


# --- Multi-turn conversations ---------------------------------------------------------------


def history_of(chat: Any) -> list[tuple[str, str]]:
    return [(message.role, message.parts[0].text) for message in chat.get_history()]


def chat(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    chat = client.chats.create(model="gemini-2.5-flash")
    first = chat.send_message("I have 2 dogs in my house.").text
    second = chat.send_message("How many paws are in my house?").text
    return {"answers": [first, second], "history": history_of(chat)}


def chat_streaming(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    chat = client.chats.create(model="gemini-2.5-flash")
    first = [chunk.text for chunk in chat.send_message_stream("I have 2 dogs in my house.")]
    second = [chunk.text for chunk in chat.send_message_stream("How many paws are in my house?")]
    return {"answers": [first, second], "history": history_of(chat)}


# --- Image understanding --------------------------------------------------------------------


def inline_image_bytes(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    with open(assets.path("small-sample.jpg"), "rb") as f:
        image_bytes = f.read()
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=[
            types.Part.from_bytes(data=image_bytes, mime_type="image/jpeg"),
            "Caption this image.",
        ],
    )
    return response.text


def image_from_url(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    image_bytes = assets.read("instrument.jpg")  # the guide: requests.get(image_path).content
    image = types.Part.from_bytes(data=image_bytes, mime_type="image/jpeg")
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents=["What is this image?", image]
    )
    return response.text


def uploaded_image(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    my_file = client.files.upload(file=assets.path("sample.jpg"))
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents=[my_file, "Caption this image."]
    )
    return response.text


def several_images(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    uploaded_file = client.files.upload(file=assets.path("image1.jpg"))
    with open(assets.path("image2.png"), "rb") as f:
        img2_bytes = f.read()
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=[
            "What is different between these two images?",
            uploaded_file,  # Use the uploaded file reference
            types.Part.from_bytes(data=img2_bytes, mime_type="image/png"),
        ],
    )
    return response.text


DETECTION_PROMPT = (
    "Detect the all of the prominent items in the image. The box_2d should be [ymin, xmin, ymax,"
    " xmax] normalized to 0-1000."
)


def object_detection(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    image = Image.open(assets.path("image.png"))
    config = types.GenerateContentConfig(response_mime_type="application/json")
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents=[image, DETECTION_PROMPT], config=config
    )
    width, height = image.size
    bounding_boxes = json.loads(response.text)
    converted_bounding_boxes = []
    for bounding_box in bounding_boxes:
        abs_y1 = int(bounding_box["box_2d"][0] / 1000 * height)
        abs_x1 = int(bounding_box["box_2d"][1] / 1000 * width)
        abs_y2 = int(bounding_box["box_2d"][2] / 1000 * height)
        abs_x2 = int(bounding_box["box_2d"][3] / 1000 * width)
        converted_bounding_boxes.append([abs_x1, abs_y1, abs_x2, abs_y2])
    return converted_bounding_boxes


SEGMENTATION_PROMPT = """
  Give the segmentation masks for the wooden and glass items.
  Output a JSON list of segmentation masks where each entry contains the 2D
  bounding box in the key "box_2d", the segmentation mask in key "mask", and
  the text label in the key "label". Use descriptive labels.
  """


def parse_json(json_output: str) -> str:
    """The guide's helper, as written (it returns the text after the fence, closing fence
    included, so only an answer without fences survives it)."""
    lines = json_output.splitlines()
    for i, line in enumerate(lines):
        if line == "```json":
            json_output = "\n".join(lines[i + 1 :])  # Remove everything before "```json"
            output = json_output.split("```")[0]  # noqa: F841  (the guide never uses it)
            break  # Exit the loop once "```json" is found
    return json_output


def segmentation(genai: Any, types: Any, client: Any, assets: Assets) -> Any:
    im = Image.open(assets.path("kitchen.png"))
    im.thumbnail((1024, 1024), Image.Resampling.LANCZOS)
    config = types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(thinking_budget=0)  # better results in detection
    )
    response = client.models.generate_content(
        model="gemini-2.5-flash", contents=[SEGMENTATION_PROMPT, im], config=config
    )
    items = json.loads(parse_json(response.text))
    return [(item["label"], item["box_2d"]) for item in items]


EXAMPLES: dict[str, Example] = {
    example.__name__: example
    for example in (
        text_generation,
        thinking_off,
        system_instruction,
        temperature,
        multimodal_pil_image,
        streaming,
        chat,
        chat_streaming,
        inline_image_bytes,
        image_from_url,
        uploaded_image,
        several_images,
        object_detection,
        segmentation,
    )
}
