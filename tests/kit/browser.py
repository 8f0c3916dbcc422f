"""A headless Chromium driven by Selenium, for the inspector page's tests and its screenshot:
Debian's ``chromium`` and ``chromedriver`` (``apt-get install chromium chromium-driver``), never
a downloaded browser. A test without them skips, saying what to install (tests/kit/toolchains.py).
"""

from __future__ import annotations

import base64
import io
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from tests.kit.toolchains import require

if TYPE_CHECKING:
    from PIL import Image
    from selenium.webdriver.chrome.webdriver import WebDriver

T = TypeVar("T")
WINDOW = (1400, 900)


def require_browser() -> None:
    """Skip (or fail, under ``GEMINI_REF_REQUIRE_TOOLCHAINS``) without chromium, chromedriver
    or the selenium package."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing: str | None = "needs the selenium package: pip install -e '.[test]'"
    else:
        missing = None
    require("chromium", "chromedriver", missing=missing)


@contextmanager
def chromium(window: tuple[int, int] = WINDOW) -> Iterator[WebDriver]:
    """A headless Chromium at one device pixel per CSS pixel (screenshots compare pixels),
    allowed to read and write the clipboard of the pages it opens."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",  # runs as root in containers
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={window[0]},{window[1]}",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
    ):
        options.add_argument(argument)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: WebDriver, url: str) -> None:
    """Opens ``url`` with the clipboard allowed for its origin."""
    origin = "/".join(url.split("/")[:3])
    driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    driver.get(url)


def leave(driver: WebDriver) -> None:
    """Leaves the page, closing its feed, so the server it read from can stop at once."""
    driver.get("about:blank")


def wait_for(check: Callable[[], T | None], timeout: float = 10.0, what: str = "") -> T:
    """``check()``'s first truthy answer, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            found = check()
        except Exception as exc:  # an element replaced while read: look again
            last = exc
        else:
            if found:
                return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}" + (f": {last}" if last else ""))


def text_of(driver: WebDriver, selector: str) -> str:
    from selenium.webdriver.common.by import By

    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, selector))


def problems(driver: WebDriver) -> list[str]:
    """What the page itself reports as gone wrong (its ``#problems`` list)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#problems li'), li => li.textContent)"
    )
    return found


def screenshot(driver: WebDriver, element: Any = None) -> Image.Image:
    """The page (or one element) as the browser painted it, RGB."""
    from PIL import Image

    png = element.screenshot_as_png if element is not None else driver.get_screenshot_as_png()
    return Image.open(io.BytesIO(png)).convert("RGB")


def clipboard(driver: WebDriver) -> str:
    """What the page put on the clipboard."""
    text: str = driver.execute_async_script(
        "const done = arguments[0];"
        "navigator.clipboard.readText().then(done, (e) => done('ERROR ' + e));"
    )
    return text


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
