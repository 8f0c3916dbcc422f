"""Fixtures of the compatibility tests: the official SDKs, node, Java and curl against the fake.

The helpers live in importable modules (``tests/kit``): the guide's text examples
(``guide_answers``), the wire tap (``wire``), the JS drivers (``node``), the Java examples
(``java``), media files and File checks (``files``); these fixtures hand them to the tests.

For the official Python SDK: ``guide_env(fake)`` sets the environment of a developer who followed
the guide (``GEMINI_API_KEY`` and ``GOOGLE_GEMINI_BASE_URL``, nothing that would override them),
``sdk_env`` does it for ``gemini_fake_server``, ``api_version`` runs a test on ``v1`` (the SDK's
default) and ``v1beta`` (what JS and curl use), and ``client`` is ``genai.Client()`` built from
that environment. ``wire_tap`` records what went over the wire for each request the fake served;
``node_guide`` runs ``tests/js`` drivers against a fake; ``java_classpath`` compiles
``tests/java`` once; ``fake_server_with`` serves a fake with any ``FakeConfig`` (an injectable
clock, processing times) on the session's port.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from google import genai
from starlette.applications import Starlette

from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.fakes import new_fake
from tests.kit.files import FakeClock, FilesKit
from tests.kit.guide_answers import EXAMPLES, GuideExample
from tests.kit.java import compile_examples, require_java
from tests.kit.node import NodeRun, require_node, start_node
from tests.kit.toolchains import require
from tests.kit.wire import Exchange, tap

# --- the official Python SDK, configured as the guide configures it ---------------------------

SDK_OVERRIDING_ENV = ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_API_VERSION")
SDK_VERSIONS = ("v1", "v1beta")  # the Python SDK's default, and the one JS and curl use


@pytest.fixture
def guide_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Fake], Fake]:
    """``guide_env(fake)``: the environment of a developer who followed the guide, at ``fake``.

    Whatever could override it is cleared when the fixture is set up, so ``api_version``
    (which depends on it) sets the version after the clearing, in any argument order.
    """
    for name in SDK_OVERRIDING_ENV:
        monkeypatch.delenv(name, raising=False)

    def point(fake: Fake) -> Fake:
        for name, value in fake.env.items():
            monkeypatch.setenv(name, value)
        return fake

    return point


@pytest.fixture
def sdk_env(gemini_fake_server: Fake, guide_env: Callable[[Fake], Fake]) -> Fake:
    """``gemini_fake_server`` in the guide's environment."""
    return guide_env(gemini_fake_server)


@pytest.fixture(params=SDK_VERSIONS)
def api_version(
    request: pytest.FixtureRequest, sdk_env: Fake, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The API version the SDK uses in this run, in the guide's environment (``sdk_env``; a
    test may point it at another fake with ``guide_env``)."""
    version: str = request.param
    if version != "v1":
        monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", version)
    return version


@pytest.fixture
def client(sdk_env: Fake, api_version: str) -> Iterator[genai.Client]:
    """``genai.Client()`` as the guide writes it, on ``api_version``; closed after the test."""
    client = genai.Client()
    yield client
    client.close()


@pytest.fixture(scope="session")  # session: module-scoped runs (node) use it too
def guide_examples() -> dict[str, GuideExample]:
    return EXAMPLES


# --- what went over the wire ---------------------------------------------------------------


@pytest.fixture(scope="session")
def tap_wire() -> Callable[[Starlette], list[Exchange]]:
    """``tap_wire(app)``: the list the exchanges of a fresh fake ``app`` will be recorded in."""
    return tap


@pytest.fixture
def wire_tap(
    gemini_fake_server: Fake, tap_wire: Callable[[Starlette], list[Exchange]]
) -> list[Exchange]:
    """The exchanges of this test's ``gemini_fake_server``, in the order they began."""
    return tap_wire(gemini_fake_server.app)


# --- the JS SDK ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def node_guide() -> Callable[..., NodeRun]:
    """``node_guide(fake, *examples)`` starts node on the guide's JS examples, against ``fake``
    (``tests.kit.node.start_node``; ``script`` picks another driver in tests/js, ``images.mjs``
    or ``chats.mjs``). Several runs can go at once (node is slow to start); ``.lines()`` waits
    for one. Skips when node or the JS SDK is missing (tests.kit.node.require_node).
    """
    require_node()
    return start_node


@pytest.fixture(scope="session")
def java_classpath() -> str:
    """The guide's Java examples (``tests/java``) compiled, unless the same sources already
    are; the classpath that runs them with the Java SDK (skips, naming the install command,
    without it)."""
    require_java()
    return compile_examples()


# --- the Files API -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def files_kit() -> FilesKit:
    return FilesKit()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_server_with(
    _gemini_fake_listener: ThreadedServer,
) -> Callable[..., Fake]:
    """``fake_server_with(**fields)``: a fresh fake built from ``FakeConfig(**fields)`` (any
    field, an injectable ``clock`` included), served on the port ``gemini_fake_server`` uses."""

    def serve(**fields: Any) -> Fake:
        app = new_fake(**fields).app
        _gemini_fake_listener.app = app
        return Fake(app, _gemini_fake_listener.base_url, in_process=False)

    return serve


@pytest.fixture(autouse=True)
def _toolchains(request: pytest.FixtureRequest) -> None:
    """A test marked ``needs("curl", ...)`` or ``node`` skips without those tools, saying what
    to install (fails instead under CI's ``GEMINI_REF_REQUIRE_TOOLCHAINS``)."""
    for marker in request.node.iter_markers("needs"):
        require(*marker.args)
    if request.node.get_closest_marker("node") is not None:
        require_node()
