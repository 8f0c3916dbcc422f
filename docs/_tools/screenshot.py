"""Writes ``docs/inspector.png``, the inspector page as the README shows it.

    python docs/_tools/screenshot.py                 # needs chromium and chromedriver
    python docs/_tools/screenshot.py --out /tmp/x.png

A fresh fake on a loopback port gets what an app would send, through the official Python SDK:
a few questions, a stream, a request no fixture matches, an upload, the guide's segmentation
prompt with a picture drawn here, and a fault rule that fires once; the page is opened in
headless Chromium (tests/kit/browser.py), the segmentation request opened in it, and the window
saved. Nothing in the picture is drawn by hand: rerun this after changing the page.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.kit, run from anywhere

from google import genai  # noqa: E402
from google.genai import errors, types  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from fake_server.api.routes import create_app  # noqa: E402
from fake_server.config import FakeConfig  # noqa: E402
from fake_server.server import ThreadedServer  # noqa: E402
from tests.kit import browser  # noqa: E402

MODEL = "gemini-2.5-flash"
SEGMENT = (
    "Give the segmentation masks for the wooden and glass items. Output a JSON list of "
    'segmentation masks where each entry contains the 2D bounding box in the key "box_2d", '
    'the segmentation mask in key "mask", and the text label in the key "label". '
    "Use descriptive labels."
)


def picture() -> bytes:
    """A still life of a table, a bowl and a glass, drawn with Pillow."""
    image = Image.new("RGB", (480, 320), (236, 231, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 220, 480, 320), fill=(150, 105, 64))
    draw.ellipse((60, 150, 230, 240), fill=(181, 128, 74), outline=(120, 80, 40), width=3)
    draw.rectangle((300, 90, 370, 225), fill=(200, 225, 235), outline=(120, 150, 170), width=3)
    draw.ellipse((385, 40, 445, 100), fill=(250, 210, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def traffic(client: genai.Client) -> None:
    """What an app sends: the requests the picture shows."""
    client.models.generate_content(model=MODEL, contents="How does AI work?")
    for _ in client.models.generate_content_stream(model=MODEL, contents="Write a haiku."):
        pass
    client.models.count_tokens(model=MODEL, contents="How many tokens is this?")
    client.files.upload(
        file=io.BytesIO(b"Quarterly report: revenue up 12%.\n" * 64),
        config=types.UploadFileConfig(mime_type="text/plain", display_name="report.txt"),
    )
    try:
        client.models.generate_content(model="gemini-2.5-pro", contents="Summarise the report.")
    except errors.ServerError:
        pass  # the fault rule's 503: the verdict then looks for a retry
    image = types.Part.from_bytes(data=picture(), mime_type="image/png")
    contents: list[types.PartUnionDict] = [image, SEGMENT]
    client.models.generate_content(model=MODEL, contents=contents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "inspector.png")
    args = parser.parse_args()
    fault = {"match": {"rpc": "generateContent", "model": "gemini-2.5-pro"}, "calls": [1]}
    config = FakeConfig(faults=({**fault, "error": {"status": 503}},), seed=1)
    with ThreadedServer(create_app(config)) as server, browser.chromium((1400, 860)) as driver:
        browser.open_page(driver, f"{server.base_url}/__fake__/")
        options = types.HttpOptions(base_url=server.base_url, api_version="v1beta")
        client = genai.Client(api_key="any-key", http_options=options)
        traffic(client)
        last = server.app.state.fake.journal.last_seq  # type: ignore[attr-defined]
        row = f'#requests tr[data-seq="{last}"]'
        browser.wait_for(lambda: driver.find_elements("css selector", row), what="the requests")
        browser.wait_for(lambda: driver.find_element("css selector", row).click() or True)
        browser.wait_for(
            lambda: "boxes" in browser.text_of(driver, "#detail-pane figcaption"),
            what="the drawing",
        )
        browser.wait_for(lambda: "report.txt" in browser.text_of(driver, "#uploads"))
        browser.wait_for(lambda: "fired 1" in browser.text_of(driver, "#faults"))
        if browser.problems(driver):
            raise SystemExit(f"the page reports problems: {browser.problems(driver)}")
        args.out.write_bytes(driver.get_screenshot_as_png())
        browser.leave(driver)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
