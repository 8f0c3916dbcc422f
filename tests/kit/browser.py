"""A headless Chromium for the inspector page's tests and its screenshot: Debian's ``chromium``
driven through Debian's ``chromedriver`` (``apt-get install chromium chromium-driver``) over the
W3C WebDriver protocol, which is plain JSON over HTTP on loopback; httpx speaks it, so no
browser-automation package (and no downloaded browser) is needed. A test without the two
commands skips, saying what to install (tests/kit/toolchains.py).

The few commands used are those of the protocol (https://www.w3.org/TR/webdriver2/), named as
Selenium names them, plus chromedriver's ``goog/cdp/execute`` to grant the clipboard.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from tests.kit.serving import free_port
from tests.kit.toolchains import require

if TYPE_CHECKING:
    from PIL import Image

T = TypeVar("T")
WINDOW = (1400, 900)
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the protocol's key for an element reference


class WebDriverError(Exception):
    """An error the driver answered, e.g. ``stale element reference``."""


class Element:
    def __init__(self, driver: Driver, element_id: str) -> None:
        self._driver, self.id = driver, element_id

    def _path(self, command: str) -> str:
        return f"element/{self.id}/{command}"

    def click(self) -> None:
        self._driver.command("POST", self._path("click"), {})

    @property
    def text(self) -> str:
        """The text as rendered (what a reader sees)."""
        text: str = self._driver.command("GET", self._path("text"))
        return text

    def get_attribute(self, name: str) -> Any:
        """The element's DOM property ``name`` (``textContent``, ``value``...)."""
        return self._driver.command("GET", self._path(f"property/{name}"))

    @property
    def screenshot_as_png(self) -> bytes:
        return base64.b64decode(self._driver.command("GET", self._path("screenshot")))


class Driver:
    """One browser session on a running chromedriver."""

    def __init__(self, base_url: str, session_id: str) -> None:
        self._session = f"{base_url}/session/{session_id}"
        self._http = httpx.Client(timeout=60)

    def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self._session}/{path}" if path else self._session
        response = self._http.request(method, url, json=body)
        value = response.json().get("value")
        if response.status_code >= 400:
            error = value if isinstance(value, dict) else {}
            message = (str(error.get("message", "")).splitlines() or [""])[0]
            raise WebDriverError(f"{error.get('error', response.status_code)}: {message}")
        return value

    def get(self, url: str) -> None:
        self.command("POST", "url", {"url": url})

    def find_elements(self, by: str, value: str) -> list[Element]:
        found = self.command("POST", "elements", {"using": by, "value": value})
        return [Element(self, item[ELEMENT]) for item in found]

    def find_element(self, by: str, value: str) -> Element:
        found = self.command("POST", "element", {"using": by, "value": value})
        return Element(self, found[ELEMENT])

    def _args(self, args: tuple[Any, ...]) -> list[Any]:
        return [{ELEMENT: a.id} if isinstance(a, Element) else a for a in args]

    def execute_script(self, script: str, *args: Any) -> Any:
        return self.command("POST", "execute/sync", {"script": script, "args": self._args(args)})

    def execute_async_script(self, script: str, *args: Any) -> Any:
        body = {"script": script, "args": self._args(args)}
        return self.command("POST", "execute/async", body)

    def execute_cdp_cmd(self, cmd: str, params: dict[str, Any]) -> Any:
        return self.command("POST", "goog/cdp/execute", {"cmd": cmd, "params": params})

    def get_screenshot_as_png(self) -> bytes:
        return base64.b64decode(self.command("GET", "screenshot"))

    def quit(self) -> None:
        try:
            self.command("DELETE", "")
        finally:
            self._http.close()


def require_browser() -> None:
    """Skip (or fail, under ``GEMINI_REF_REQUIRE_TOOLCHAINS``) without chromium and
    chromedriver."""
    require("chromium", "chromedriver")


@contextmanager
def chromium(window: tuple[int, int] = WINDOW) -> Iterator[Driver]:
    """A headless Chromium at one device pixel per CSS pixel (screenshots compare pixels)."""
    port = free_port()
    driver_command = [shutil.which("chromedriver") or "chromedriver", f"--port={port}"]
    process = subprocess.Popen(driver_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(base), timeout=20, what="chromedriver to start")
        arguments = [
            "--headless=new",
            "--no-sandbox",  # runs as root in containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--window-size={window[0]},{window[1]}",
            "--force-device-scale-factor=1",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ]
        chrome = {"binary": shutil.which("chromium") or "chromium", "args": arguments}
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": chrome}}
        answer = httpx.post(f"{base}/session", json={"capabilities": capabilities}, timeout=60)
        value = answer.json()["value"]
        if answer.status_code >= 400:
            raise WebDriverError(f"no browser session: {value.get('message', value)}")
        driver = Driver(base, value["sessionId"])
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _ready(base: str) -> bool:
    try:
        return bool(httpx.get(f"{base}/status", timeout=2).json()["value"]["ready"])
    except (httpx.TransportError, ValueError, KeyError):
        return False


def open_page(driver: Driver, url: str) -> None:
    """Opens ``url``, its origin allowed to read and write the clipboard."""
    origin = "/".join(url.split("/")[:3])
    driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    driver.get(url)


def leave(driver: Driver) -> None:
    """Leaves the page, closing its feed, so the server it read from can stop at once."""
    driver.get("about:blank")


def wait_for(check: Callable[[], T | None], timeout: float = 10.0, what: str = "") -> T:
    """``check()``'s first truthy answer, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            found = check()
        except (WebDriverError, IndexError, KeyError) as exc:  # e.g. an element re-rendered
            last = exc
        else:
            if found:
                return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}" + (f": {last}" if last else ""))


def text_of(driver: Driver, selector: str) -> str:
    return "\n".join(e.text for e in driver.find_elements("css selector", selector))


def choose(driver: Driver, selector: str, value: str) -> None:
    """Picks ``value`` in the ``<select>`` at ``selector``, as a user's choice does."""
    driver.execute_script(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];"
        "s.dispatchEvent(new Event('change', {bubbles: true}));",
        selector,
        value,
    )


def problems(driver: Driver) -> list[str]:
    """What the page itself reports as gone wrong (its ``#problems`` list)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#problems li'), li => li.textContent)"
    )
    return found


def screenshot(driver: Driver, element: Element | None = None) -> Image.Image:
    """The page (or one element) as the browser painted it, RGB."""
    from PIL import Image

    png = element.screenshot_as_png if element is not None else driver.get_screenshot_as_png()
    return Image.open(io.BytesIO(png)).convert("RGB")


def clipboard(driver: Driver) -> str:
    """What the page put on the clipboard."""
    text: str = driver.execute_async_script(
        "const done = arguments[0];"
        "navigator.clipboard.readText().then(done, (e) => done('ERROR ' + e));"
    )
    return text


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
