"""Every Python example of the guide, written once, verbatim, and run with either library.

``SCRIPTS`` holds each example as the guide prints it (``gemini-api-guide.txt``, the sections
named), not one character changed; ``conformance/test_request_shapes.py`` checks the copies
against the guide when it is around. :func:`run` executes one as ``__main__`` with only what a
reader changes to run it offline:

* its imports of the SDK and of ``requests``: ``genai`` is either library, its ``Client()`` the
  client the test made (on a fake, with request hooks...), ``types`` that library's types, and
  ``requests.get`` reads a file made here;
* its paths: each names an image made here (:class:`Assets`), and the segmentation example
  writes into a folder of the assets directory.

What the script printed, the files it wrote and its variables (``response``, ``chat``,
``my_file``...) come back in a :class:`Run`, for the checks.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image, ImageDraw

GUIDE = Path(os.environ.get("GEMINI_API_GUIDE", "/work/shared/guide/gemini-api-guide.txt"))
MODEL = "gemini-2.5-flash"
DETECTION_PROMPT = (
    "Detect the all of the prominent items in the image. The box_2d should be [ymin, xmin, ymax,"
    " xmax] normalized to 0-1000."
)


def read_guide() -> str:
    """The guide's text; skips the test when it is not at ``GUIDE`` (set GEMINI_API_GUIDE)."""
    if not GUIDE.is_file():
        pytest.skip(f"the guide is not at {GUIDE} (set GEMINI_API_GUIDE)")
    return GUIDE.read_text(encoding="utf-8")


def guide_code(text: str, language: str) -> list[str]:
    """The code blocks under each "### ``language``" heading of ``text`` (the guide or a part
    of it), dedented: a block runs to the first line that is neither blank nor indented."""
    blocks = []
    for part in text.split(f"\n### {language}\n")[1:]:
        lines = []
        for line in part.splitlines(keepends=True):
            if line.strip() and not line[0].isspace():
                break
            lines.append(line)
        blocks.append(textwrap.dedent("".join(lines)).strip("\n") + "\n")
    return blocks


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


@dataclass(frozen=True)
class Script:
    """One example: the guide's section, its code, and the paths in it (the guide's path or
    URL, and the name of the file made here that stands for it)."""

    section: str
    code: str
    paths: dict[str, str]

    @property
    def text(self) -> str:
        return self.code.removeprefix("\n")


# The lines run() supplies instead of running them.
SUPPLIED_IMPORTS = ("from google import genai", "from google.genai import types", "import requests")


@dataclass
class Run:
    """What one example did: each ``print`` call's arguments, the text they made, the files it
    wrote (name and bytes) and the names it defined."""

    printed: list[tuple[Any, ...]] = field(default_factory=list)
    output: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    names: dict[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> tuple[list[tuple[Any, ...]], dict[str, bytes]]:
        """What the app showed and left behind: for comparing two runs."""
        return self.printed, self.files


def run(name: str, genai: Any, types: Any, client: Any, assets: Assets | None = None) -> Run:
    """Example ``name`` with ``genai`` and ``types`` (one library), ``genai.Client()`` being
    ``client``, its paths the files of ``assets`` (the text examples open none)."""
    script = SCRIPTS[name]
    code = "\n".join(
        line for line in script.text.splitlines() if line.strip() not in SUPPLIED_IMPORTS
    )
    written = None
    if script.paths:
        assert assets is not None, f"{name} opens files: give it the assets"
        for guide_path, asset in script.paths.items():
            for quote in ('"', "'"):
                code = code.replace(f"{quote}{guide_path}{quote}", repr(assets.path(asset)))
        written = assets.directory / "segmentation_outputs"
        shutil.rmtree(written, ignore_errors=True)
    done = Run()
    shown = io.StringIO()

    def print(*args: Any, **kwargs: Any) -> None:  # the script's print
        done.printed.append(args)
        builtins.print(*args, file=shown, **kwargs)

    def get(path: str) -> SimpleNamespace:
        return SimpleNamespace(content=Path(path).read_bytes())

    names: dict[str, Any] = {
        "__name__": "__main__",
        "genai": SimpleNamespace(Client=lambda: client),
        "types": types,
        "requests": SimpleNamespace(get=get),
        "print": print,
    }
    exec(compile(code, f"<the guide: {script.section}>", "exec"), names)
    done.output = shown.getvalue()
    done.names = names
    if written is not None and written.is_dir():
        done.files = {path.name: path.read_bytes() for path in sorted(written.iterdir())}
    return done


# The guide's Python examples, in its order, named by what they show.
SCRIPTS: dict[str, Script] = {
    "text_generation": Script(
        "Text generation",
        r"""
from google import genai

client = genai.Client()

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents="How does AI work?"
)
print(response.text)
""",
        {},
    ),
    "thinking_off": Script(
        "Thinking with Gemini 2.5",
        r"""
from google import genai
from google.genai import types

client = genai.Client()

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents="How does AI work?",
    config=types.GenerateContentConfig(
        thinking_config=types.ThinkingConfig(thinking_budget=0) # Disables thinking
    ),
)
print(response.text)
""",
        {},
    ),
    "system_instruction": Script(
        "System instructions and other configurations",
        r"""
from google import genai
from google.genai import types

client = genai.Client()

response = client.models.generate_content(
    model="gemini-2.5-flash",
    config=types.GenerateContentConfig(
        system_instruction="You are a cat. Your name is Neko."),
    contents="Hello there"
)

print(response.text)
""",
        {},
    ),
    "temperature": Script(
        "System instructions and other configurations (temperature)",
        r"""
from google import genai
from google.genai import types

client = genai.Client()

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=["Explain how AI works"],
    config=types.GenerateContentConfig(
        temperature=0.1
    )
)
print(response.text)
""",
        {},
    ),
    "multimodal_pil_image": Script(
        "Multimodal inputs",
        r"""
from PIL import Image
from google import genai

client = genai.Client()

image = Image.open("/path/to/organ.png")
response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[image, "Tell me about this instrument"]
)
print(response.text)
""",
        {"/path/to/organ.png": "organ.png"},
    ),
    "streaming": Script(
        "Streaming responses",
        r"""
from google import genai

client = genai.Client()

response = client.models.generate_content_stream(
    model="gemini-2.5-flash",
    contents=["Explain how AI works"]
)
for chunk in response:
    print(chunk.text, end="")
""",
        {},
    ),
    "chat": Script(
        "Multi-turn conversations (Chat)",
        r"""
from google import genai

client = genai.Client()
chat = client.chats.create(model="gemini-2.5-flash")

response = chat.send_message("I have 2 dogs in my house.")
print(response.text)

response = chat.send_message("How many paws are in my house?")
print(response.text)

for message in chat.get_history():
    print(f'role - {message.role}',end=": ")
    print(message.parts[0].text)
""",
        {},
    ),
    "chat_streaming": Script(
        "Multi-turn conversations (Chat), streaming",
        r"""
from google import genai

client = genai.Client()
chat = client.chats.create(model="gemini-2.5-flash")

response = chat.send_message_stream("I have 2 dogs in my house.")
for chunk in response:
    print(chunk.text, end="")

response = chat.send_message_stream("How many paws are in my house?")
for chunk in response:
    print(chunk.text, end="")

for message in chat.get_history():
    print(f'role - {message.role}', end=": ")
    print(message.parts[0].text)
""",
        {},
    ),
    "inline_image_bytes": Script(
        "Passing inline image data",
        r"""
from google import genai
from google.genai import types

with open('path/to/small-sample.jpg', 'rb') as f:
    image_bytes = f.read()

client = genai.Client()
response = client.models.generate_content(
  model='gemini-2.5-flash',
  contents=[
    types.Part.from_bytes(
      data=image_bytes,
      mime_type='image/jpeg',
    ),
    'Caption this image.'
  ]
)

print(response.text)
""",
        {"path/to/small-sample.jpg": "small-sample.jpg"},
    ),
    "image_from_url": Script(
        "Passing inline image data (from a URL)",
        r"""
from google import genai
from google.genai import types

import requests

image_path = "https://goo.gle/instrument-img"
image_bytes = requests.get(image_path).content
image = types.Part.from_bytes(
  data=image_bytes, mime_type="image/jpeg"
)

client = genai.Client()

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=["What is this image?", image],
)

print(response.text)
""",
        {"https://goo.gle/instrument-img": "instrument.jpg"},
    ),
    "uploaded_image": Script(
        "Uploading images using the File API",
        r"""
from google import genai

client = genai.Client()

my_file = client.files.upload(file="path/to/sample.jpg")

response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[my_file, "Caption this image."],
)

print(response.text)
""",
        {"path/to/sample.jpg": "sample.jpg"},
    ),
    "several_images": Script(
        "Prompting with multiple images",
        r"""
from google import genai
from google.genai import types

client = genai.Client()

# Upload the first image
image1_path = "path/to/image1.jpg"
uploaded_file = client.files.upload(file=image1_path)

# Prepare the second image as inline data
image2_path = "path/to/image2.png"
with open(image2_path, 'rb') as f:
    img2_bytes = f.read()

# Create the prompt with text and multiple images
response = client.models.generate_content(

    model="gemini-2.5-flash",
    contents=[
        "What is different between these two images?",
        uploaded_file,  # Use the uploaded file reference
        types.Part.from_bytes(
            data=img2_bytes,
            mime_type='image/png'
        )
    ]
)

print(response.text)
""",
        {"path/to/image1.jpg": "image1.jpg", "path/to/image2.png": "image2.png"},
    ),
    "object_detection": Script(
        "Object detection",
        r"""
from google import genai
from google.genai import types
from PIL import Image
import json

client = genai.Client()
prompt = "Detect the all of the prominent items in the image. The box_2d should be [ymin, xmin, ymax, xmax] normalized to 0-1000."

image = Image.open("/path/to/image.png")

config = types.GenerateContentConfig(
  response_mime_type="application/json"
  )

response = client.models.generate_content(model="gemini-2.5-flash",
                                          contents=[image, prompt],
                                          config=config
                                          )

width, height = image.size
bounding_boxes = json.loads(response.text)

converted_bounding_boxes = []
for bounding_box in bounding_boxes:
    abs_y1 = int(bounding_box["box_2d"][0]/1000 * height)
    abs_x1 = int(bounding_box["box_2d"][1]/1000 * width)
    abs_y2 = int(bounding_box["box_2d"][2]/1000 * height)
    abs_x2 = int(bounding_box["box_2d"][3]/1000 * width)
    converted_bounding_boxes.append([abs_x1, abs_y1, abs_x2, abs_y2])

print("Image size: ", width, height)
print("Bounding boxes:", converted_bounding_boxes)
""",
        {"/path/to/image.png": "image.png"},
    ),
    "segmentation": Script(
        "Segmentation",
        r'''
from google import genai
from google.genai import types
from PIL import Image, ImageDraw
import io
import base64
import json
import numpy as np
import os

client = genai.Client()

def parse_json(json_output: str):
  # Parsing out the markdown fencing
  lines = json_output.splitlines()
  for i, line in enumerate(lines):
    if line == "```json":
      json_output = "\n".join(lines[i+1:])  # Remove everything before "```json"
      output = json_output.split("```")[0]  # Remove everything after the closing "```"
      break  # Exit the loop once "```json" is found
  return json_output

def extract_segmentation_masks(image_path: str, output_dir: str = "segmentation_outputs"):
  # Load and resize image
  im = Image.open(image_path)
  im.thumbnail([1024, 1024], Image.Resampling.LANCZOS)

  prompt = """
  Give the segmentation masks for the wooden and glass items.
  Output a JSON list of segmentation masks where each entry contains the 2D
  bounding box in the key "box_2d", the segmentation mask in key "mask", and
  the text label in the key "label". Use descriptive labels.
  """

  config = types.GenerateContentConfig(
    thinking_config=types.ThinkingConfig(thinking_budget=0) # set thinking_budget to 0 for better results in object detection
  )

  response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[prompt, im], # Pillow images can be directly passed as inputs (which will be converted by the SDK)
    config=config
  )

  # Parse JSON response
  items = json.loads(parse_json(response.text))

  # Create output directory
  os.makedirs(output_dir, exist_ok=True)

  # Process each mask
  for i, item in enumerate(items):
      # Get bounding box coordinates
      box = item["box_2d"]
      y0 = int(box[0] / 1000 * im.size[1])
      x0 = int(box[1] / 1000 * im.size[0])
      y1 = int(box[2] / 1000 * im.size[1])
      x1 = int(box[3] / 1000 * im.size[0])

      # Skip invalid boxes
      if y0 >= y1 or x0 >= x1:
          continue

      # Process mask
      png_str = item["mask"]
      if not png_str.startswith("data:image/png;base64,"):
          continue

      # Remove prefix
      png_str = png_str.removeprefix("data:image/png;base64,")
      mask_data = base64.b64decode(png_str)
      mask = Image.open(io.BytesIO(mask_data))

      # Resize mask to match bounding box
      mask = mask.resize((x1 - x0, y1 - y0), Image.Resampling.BILINEAR)

      # Convert mask to numpy array for processing
      mask_array = np.array(mask)

      # Create overlay for this mask
      overlay = Image.new('RGBA', im.size, (0, 0, 0, 0))
      overlay_draw = ImageDraw.Draw(overlay)

      # Create overlay for the mask
      color = (255, 255, 255, 200)
      for y in range(y0, y1):
          for x in range(x0, x1):
              if mask_array[y - y0, x - x0] > 128:  # Threshold for mask
                  overlay_draw.point((x, y), fill=color)

      # Save individual mask and its overlay
      mask_filename = f"{item['label']}_{i}_mask.png"
      overlay_filename = f"{item['label']}_{i}_overlay.png"

      mask.save(os.path.join(output_dir, mask_filename))

      # Create and save overlay
      composite = Image.alpha_composite(im.convert('RGBA'), overlay)
      composite.save(os.path.join(output_dir, overlay_filename))
      print(f"Saved mask and overlay for {item['label']} to {output_dir}")

# Example usage
if __name__ == "__main__":
  extract_segmentation_masks("path/to/image.png")
''',
        {"path/to/image.png": "kitchen.png", "segmentation_outputs": "segmentation_outputs"},
    ),
}
