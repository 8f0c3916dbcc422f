"""The inspector page (docs/inspector.md) in a real headless Chromium, against the fake on a
loopback port, driven by the official Python SDK: what the fake receives appears live, opens
whole, explains a miss, copies a fixture the fake loads, and draws an answer's boxes and masks
on the request's image. Without chromium and chromedriver these tests skip, saying what to
install; the HTTP tests at the end need no browser."""

from __future__ import annotations

import io
import json
import tomllib
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import types

from fake_server.api.routes import create_app
from fake_server.config import FakeConfig
from fake_server.server import ThreadedServer
from tests.kit import browser
from tests.kit.browser import problems, text_of, wait_for

ROOT = Path(__file__).resolve().parents[2]
KEY = "inspector-key"
MODEL = "gemini-2.5-flash"
GRAY = (200, 200, 200)  # the test image's one colour: none of the page's box colours
RED, GREEN = (230, 25, 75), (60, 180, 75)  # the first two box colours


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    browser.require_browser()
    with browser.chromium() as chromium:
        yield chromium


@pytest.fixture
def serve(driver: Any) -> Iterator[Any]:
    """Starts a fake with the given config on a free port; the page is left before it stops."""
    servers: list[ThreadedServer] = []

    def start(**options: Any) -> ThreadedServer:
        server = ThreadedServer(create_app(FakeConfig(**options))).start()
        servers.append(server)
        return server

    yield start
    browser.leave(driver)
    for server in servers:
        server.stop()


def sdk(server: ThreadedServer, key: str = "any-key") -> genai.Client:
    options = types.HttpOptions(base_url=server.base_url, api_version="v1beta")
    return genai.Client(api_key=key, http_options=options)


def open_inspector(driver: Any, server: ThreadedServer, key: str | None = None) -> None:
    url = f"{server.base_url}/__fake__/" + (f"?key={key}" if key else "")
    browser.open_page(driver, url)
    wait_for(lambda: text_of(driver, "#feed-status") == "live", what="the feed to open")


def row(driver: Any, seq: int) -> Any:
    return wait_for(
        lambda: driver.find_elements("css selector", f'#requests tr[data-seq="{seq}"]'),
        what=f"request #{seq} in the list",
    )[0]


def row_text(driver: Any, seq: int) -> str:
    text: str = row(driver, seq).text
    return text


def open_entry(driver: Any, seq: int) -> None:
    """Click request ``seq``'s row until its detail shows: the list re-renders as entries
    arrive, so a click can land on a row just replaced."""

    def opened() -> bool:
        row(driver, seq).click()
        try:
            wait_for(lambda: text_of(driver, "#detail-pane h2").startswith(f"#{seq} "), 2.0)
        except AssertionError:
            return False
        return True

    wait_for(opened, what=f"#{seq} opened")


def png(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def test_the_page_loads_with_its_panels_and_no_problems(driver, serve) -> None:
    server = serve(fixture_dirs=())
    open_inspector(driver, server)
    assert "No requests yet" in text_of(driver, "#empty")
    wait_for(lambda: "No findings" in text_of(driver, "#verdict"), what="the verdict")
    assert text_of(driver, "#fixtures .names")  # the shipped fixtures, listed
    assert problems(driver) == []


def test_a_request_from_the_sdk_appears_without_a_reload_and_opens_whole(driver, serve) -> None:
    server = serve()
    open_inspector(driver, server)
    client = sdk(server)  # kept: the SDK closes its connections once the client is collected
    client.models.generate_content(model=MODEL, contents="Tell me about otters.")
    first = row(driver, 1)
    assert "generateContent" in first.text and MODEL in first.text
    open_entry(driver, 1)
    assert "Tell me about otters." in text_of(driver, "#detail-pane .sent .body")
    assert "candidates" in text_of(driver, "#detail-pane .answer .body")
    stream = client.models.generate_content_stream(model=MODEL, contents="Count to three.")
    assert "".join(chunk.text or "" for chunk in stream)
    open_entry(driver, 2)
    ticks = driver.find_elements("css selector", "#detail-pane .timeline .tick")
    assert len(ticks) == len(driver.find_elements("css selector", "#detail-pane .event")) > 0
    assert problems(driver) == []


def test_filters_narrow_the_list(driver, serve) -> None:
    server = serve()
    open_inspector(driver, server)
    client = sdk(server)
    client.models.generate_content(model=MODEL, contents="Hello")
    client.models.count_tokens(model=MODEL, contents="Hello")
    row(driver, 2)
    browser.choose(driver, "#filters select[name=rpc]", "countTokens")
    wait_for(lambda: len(driver.find_elements("css selector", "#requests tbody tr")) == 1)
    assert "countTokens" in text_of(driver, "#requests tbody")


def test_a_strict_miss_shows_its_differing_field_and_its_copied_fixture_loads(
    driver, serve, tmp_path: Path
) -> None:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    nearest = {"match": {"lastUserText": "What is the capital of France?"}, "answer": {"text": "P"}}
    (fixtures / "france.json").write_text(json.dumps(nearest))
    server = serve(fixture_dirs=(fixtures,), strict=True)
    open_inspector(driver, server)
    question = "What is the capital of Spain?"
    client = sdk(server)
    with pytest.raises(genai.errors.ClientError):
        client.models.generate_content(model=MODEL, contents=question)
    open_entry(driver, 1)
    assert "france" in text_of(driver, "#detail-pane .miss .nearest")
    differences = text_of(driver, "#detail-pane .miss .difference")
    assert "lastUserText" in differences and "Spain" in differences and "France" in differences

    driver.find_element("css selector", "#detail-pane .copy-fixture").click()
    wait_for(lambda: text_of(driver, "#detail-pane .copied") == "Copied.", what="the copy")
    copied = browser.clipboard(driver)
    fixture = json.loads(copied)
    assert fixture["match"]["request"]["contents"][0]["parts"][0]["text"] == question
    (fixtures / "spain.json").write_text(copied)  # saved as it was copied
    with ThreadedServer(create_app(FakeConfig(fixture_dirs=(fixtures,), strict=True))) as again:
        client = sdk(again)
        answer = client.models.generate_content(model=MODEL, contents=question)
        assert answer.text == fixture["answer"]["text"]
        assert again.app.state.fake.journal.last().answered_by == "fixture:spain"  # type: ignore[attr-defined]


def colored(pixel: Any, color: tuple[int, ...], tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=False))


def test_an_images_boxes_and_masks_are_drawn_where_the_answer_puts_them(driver, serve) -> None:
    width, height = 400, 200
    mask = browser.data_url(png((8, 8), (255, 255, 255)))  # every pixel in
    answer = [
        {"box_2d": [100, 50, 500, 300]},  # y 20-100, x 20-120: an outline only
        {"box_2d": [600, 500, 900, 900], "mask": mask},  # y 120-180, x 200-360: tinted
    ]
    server = serve()
    server.app.state.fake.add_stubs(
        [{"match": {"lastUserText": "Find the boxes"}, "answer": {"text": json.dumps(answer)}}]
    )
    open_inspector(driver, server)
    image: types.Part = types.Part.from_bytes(
        data=png((width, height), GRAY), mime_type="image/png"
    )
    client = sdk(server)
    contents: list[types.PartUnionDict] = [image, "Find the boxes"]
    client.models.generate_content(model=MODEL, contents=contents)
    open_entry(driver, 1)
    wait_for(lambda: "2 boxes" in text_of(driver, "#detail-pane figcaption"), what="the drawing")
    canvas = driver.find_element("css selector", "#detail-pane canvas.picture")
    border = "return [arguments[0].clientLeft, arguments[0].clientTop]"
    inset = driver.execute_script(border, canvas)
    shot = browser.screenshot(driver, canvas)
    assert shot.size == (width + 2 * inset[0], height + 2 * inset[1])
    pixels = shot.crop((inset[0], inset[1], inset[0] + width, inset[1] + height)).load()
    assert pixels is not None

    outline = {(x, y) for x in range(20, 120) for y in (20, 99)}
    outline |= {(x, y) for y in range(20, 100) for x in (20, 119)}
    red = {(x, y) for x in range(width) for y in range(height) if colored(pixels[x, y], RED)}
    assert red == outline  # the first box's outline, one pixel wide, and nothing else red
    assert colored(pixels[70, 60], GRAY) and colored(pixels[10, 10], GRAY)
    assert colored(pixels[205, 120], GREEN) and colored(pixels[359, 179], GREEN)  # outline
    tint = tuple(round(g * 127 / 255 + c * 128 / 255) for g, c in zip(GRAY, GREEN, strict=True))
    assert colored(pixels[280, 150], tint)  # the mask, tinted at alpha 128
    assert colored(pixels[380, 150], GRAY) and colored(pixels[280, 110], GRAY)
    assert problems(driver) == []


def test_odd_entries_open_without_breaking_the_page(driver, serve) -> None:
    server = serve(journal_inline_bytes=1024)
    open_inspector(driver, server)
    generate = f"{server.base_url}/v1beta/models/{MODEL}:generateContent"
    count = f"{server.base_url}/v1beta/models/{MODEL}:countTokens"
    headers = {"x-goog-api-key": "k"}
    big: types.Part = types.Part.from_bytes(data=png((900, 900), GRAY), mime_type="image/png")
    client = sdk(server)
    contents: list[types.PartUnionDict] = [big, "What is this?"]
    client.models.generate_content(model=MODEL, contents=contents)
    odd = [
        httpx.post(generate, headers=headers),  # no body
        httpx.post(generate, headers=headers, content=b"{no"),  # not JSON
        httpx.get(f"{server.base_url}/v1beta/no/such/path", headers=headers),  # rpc unknown
        httpx.post(count, headers=headers, content=b"x" * 5000),  # over the inline size
        httpx.post(generate, headers=headers, json=[1, 2]),  # JSON, not an object
    ]
    assert all(response.status_code >= 400 for response in odd)
    for seq in range(1, 2 + len(odd)):
        open_entry(driver, seq)
    open_entry(driver, 1)
    assert "kept as its digest" in text_of(driver, "#detail-pane .image.folded")
    assert "matches on the last user text" in driver.find_element(
        "css selector", "#detail-pane .fixture summary"
    ).get_attribute("textContent")
    open_entry(driver, 4)
    assert "unknown" in text_of(driver, "#detail-pane h2")
    assert problems(driver) == []


def test_uploads_faults_quotas_and_the_verdict_show_at_the_side(driver, serve) -> None:
    server = serve(quotas=("gemini-2.5-pro:rpm=5",))
    open_inspector(driver, server)
    client = sdk(server)
    httpx.post(
        f"{server.base_url}/__fake__/faults",
        json={"match": {"rpc": "countTokens"}, "error": {"status": 503}},
    )
    client.files.upload(
        file=io.BytesIO(b"hello inspector\n" * 100),
        config=types.UploadFileConfig(mime_type="text/plain", display_name="notes.txt"),
    )
    with pytest.raises(genai.errors.ServerError):
        client.models.count_tokens(model=MODEL, contents="Hi")
    # The list can show the upload begun before its last chunk: wait for the end.
    wait_for(
        lambda: (
            "final" in text_of(driver, "#uploads")
            and "1600 of 1600 bytes" in text_of(driver, "#uploads")
        ),
        what="the finished upload",
    )
    wait_for(lambda: "fired 1" in text_of(driver, "#faults"), what="the fault rule's count")
    assert "gemini-2.5-pro" in text_of(driver, "#quotas") and "rpm 5" in text_of(driver, "#quotas")
    assert "failures met" in text_of(driver, "#verdict")
    assert problems(driver) == []


def test_with_keys_the_page_takes_its_key_from_its_url(driver, serve) -> None:
    server = serve(api_keys=frozenset({KEY}))
    open_inspector(driver, server, key=KEY)
    client = sdk(server, key=KEY)
    client.models.generate_content(model=MODEL, contents="Keyed")
    open_entry(driver, 1)
    assert "Keyed" in text_of(driver, "#detail-pane .sent .body")
    assert KEY not in driver.find_element("css selector", "#detail-pane").text
    assert problems(driver) == []


def test_the_page_and_its_assets_are_served_and_guarded_like_the_admin_api() -> None:
    with ThreadedServer(create_app(FakeConfig(api_keys=frozenset({KEY})))) as server:
        base = server.base_url
        assert httpx.get(f"{base}/__fake__/").status_code == 403
        page = httpx.get(f"{base}/__fake__/", params={"key": KEY})
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "default-src 'self'" in page.headers["content-security-policy"]
        for name in ("inspector.js", "detail.js", "panels.js", "vision.js", "inspector.css"):
            assert f"/__fake__/inspector/{name}" in page.text
            assert httpx.get(f"{base}/__fake__/inspector/{name}").status_code == 200
        assert httpx.get(f"{base}/__fake__/inspector/index.html").status_code == 404
        assert httpx.get(f"{base}/__fake__/inspector/..%2Fapi%2Fadmin.py").status_code == 404


def test_every_file_of_the_page_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["fake_server"]
    package = ROOT / "fake_server"
    packaged = {path for pattern in globs for path in package.glob(pattern)}
    assert set((package / "inspector").iterdir()) <= packaged


def test_a_reset_empties_the_list_and_later_requests_still_appear(driver, serve) -> None:
    server = serve()
    open_inspector(driver, server)
    client = sdk(server)
    client.models.generate_content(model=MODEL, contents="Before the reset")
    open_entry(driver, 1)
    assert httpx.delete(f"{server.base_url}/__fake__/journal").status_code == 200
    wait_for(lambda: not driver.find_elements("css selector", "#requests tbody tr"), what="reset")
    assert "no longer kept" in text_of(driver, "#detail-pane")
    client.models.generate_content(model=MODEL, contents="After the reset")
    open_entry(driver, 2)
    assert "After the reset" in text_of(driver, "#detail-pane .sent .body")
    assert problems(driver) == []


def test_a_refused_call_a_fault_and_an_unknown_path_show_in_the_list(driver, serve) -> None:
    server = serve(api_keys=frozenset({KEY}))
    open_inspector(driver, server, KEY)
    generate = f"{server.base_url}/v1beta/models/{MODEL}:generateContent"
    body = {"contents": [{"parts": [{"text": "Hi"}]}]}
    httpx.post(generate, json=body)  # no key: refused
    rule = httpx.post(
        f"{server.base_url}/__fake__/faults",
        headers={"x-goog-api-key": KEY},
        json={"match": {"rpc": "generateContent"}, "error": {"status": "UNAVAILABLE"}},
    ).json()["id"]
    httpx.post(generate, json=body, headers={"x-goog-api-key": KEY})  # the fault answers
    httpx.post(f"{server.base_url}/v1beta/models/{MODEL}:predict", json=body)
    shown = {seq: wait_for(partial(row_text, driver, seq), what=f"#{seq}") for seq in (1, 2, 3)}
    assert "403" in shown[1] and "error:PERMISSION_DENIED" in shown[1]
    assert "503" in shown[2] and f"fault:{rule}" in shown[2]
    assert shown[3].split()[2:6] == ["unknown", MODEL, "404", "error:NOT_FOUND"]
    assert problems(driver) == []


def test_an_answers_tools_show_as_calls_code_search_urls_and_places(driver, serve) -> None:
    server = serve()
    open_inspector(driver, server)
    client = sdk(server)
    search = types.GenerateContentConfig(
        tools=[
            types.Tool(google_search=types.GoogleSearch()),
            types.Tool(url_context=types.UrlContext()),
        ]
    )
    client.models.generate_content(
        model=MODEL, contents="Summarize https://example.com/news for me", config=search
    )
    code = types.GenerateContentConfig(tools=[types.Tool(code_execution=types.ToolCodeExecution())])
    client.models.generate_content(model=MODEL, contents="What is 12 * 7?", config=code)
    maps = types.GenerateContentConfig(tools=[types.Tool(google_maps=types.GoogleMaps())])
    places = client.models.generate_content(model=MODEL, contents="Cafés near me?", config=maps)

    open_entry(driver, 1)
    shown = wait_for(lambda: text_of(driver, "#detail-pane .tools"), what="the tools section")
    again = client.models.generate_content(  # the same request: the same answer
        model=MODEL, contents="Summarize https://example.com/news for me", config=search
    )
    grounding = (again.candidates or [types.Candidate()])[0].grounding_metadata
    assert grounding is not None and grounding.grounding_chunks
    for chunk in grounding.grounding_chunks:
        assert chunk.web is not None and (chunk.web.title or "") in shown
    assert "searched" in shown and "https://example.com/news" in shown
    open_entry(driver, 2)
    shown = wait_for(lambda: text_of(driver, "#detail-pane .tools"), what="the code")
    assert "runs code:" in shown and "84" in shown  # 12 * 7, worked out, not run
    open_entry(driver, 3)
    shown = wait_for(lambda: text_of(driver, "#detail-pane .tools"), what="the places")
    metadata = (places.candidates or [types.Candidate()])[0].grounding_metadata
    assert metadata is not None and metadata.grounding_chunks
    assert shown.startswith("Tools in the answer\ngrounded;")
    for chunk in metadata.grounding_chunks:
        assert chunk.maps is not None and f"{chunk.maps.title} (Google Maps)" in shown
    assert problems(driver) == []
