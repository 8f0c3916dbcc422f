"""A pytest plugin giving each test a fresh fake (entry point ``gemini_fake``).

Fixtures:

``gemini_fake``
    The fake in process: ``gemini_fake.client()`` is an ``httpx.Client`` wired to the app with
    no socket, ``gemini_fake.async_client()`` its async twin.
``gemini_fake_server``
    The fake on a real loopback port, for the official SDKs, node and curl:
    ``gemini_fake_server.base_url`` and ``gemini_fake_server.env`` (the variables to set);
    its ``client()`` and ``async_client()`` go over the socket.

``gemini_fake_both``
    Runs the test twice, once with each of the above.

All have ``.journal`` (what the fake received) and their own state: fixtures' sequences and the
journal start empty in every test. ``calls()`` and ``last_call()`` give the generate calls
parsed (``.model``, ``.contents``, ``.config``, ``.system_instruction``, ``.last_user_text``,
``.stream``, ``.answered_by``), ``uploads()`` the upload sessions with their steps, and
``reset()`` starts the journal and every fixture sequence over. Configure them with a marker::

    @pytest.mark.gemini_fake(strict=True, fixtures=["tests/fixtures"], api_keys=["k"],
                             streaming={"eventInterval": 0.1, "endAfter": 3, "end": "error"},
                             processing_seconds={"video": 5})

Every other :class:`~fake_server.config.FakeConfig` field is accepted by its own name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from .api.routes import create_app
from .config import FakeConfig, Pacing
from .control.verdict import judge
from .inprocess import AsyncASGITransport, SyncASGITransport
from .journal import GenerateCall, Journal, UploadSession
from .server import ThreadedServer
from .state import FakeState

TEST_API_KEY = "test-key"


@dataclass
class Fake:
    """A fake for one test: its app, where to reach it, and what it received."""

    app: Starlette
    base_url: str
    in_process: bool = True  # False: served on a loopback port, reached over a socket

    @property
    def state(self) -> FakeState:
        state: FakeState = self.app.state.fake
        return state

    @property
    def journal(self) -> Journal:
        return self.state.journal

    def calls(self, model: str | None = None) -> list[GenerateCall]:
        """The generate calls received (on ``model``), oldest first, parsed."""
        return self.journal.generate_calls(model)

    def last_call(self) -> GenerateCall:
        calls = self.calls()
        if not calls:
            raise LookupError("the fake received no generateContent or streamGenerateContent call")
        return calls[-1]

    def uploads(self) -> list[UploadSession]:
        return self.journal.uploads()

    def reset(self) -> None:
        """The journal, fixture sequences, remembered answers and fault rules start over, as
        at start-up, and stubs are removed (files stay)."""
        self.state.reset()

    def fault(self, **rule: Any) -> str:
        """Adds a fault rule (docs/faults.md), as ``POST /__fake__/faults`` does; its id::

        gemini_fake.fault(match={"rpc": "generateContent"}, calls=[1], error={"status": 503})
        """
        return self.state.faults.add(rule).id

    def verdict(self) -> dict[str, Any]:
        """How the client handled the failures it met (docs/faults.md#the-verdict)."""
        return judge(self.journal).to_json()

    def assert_resilient(self) -> None:
        """Fails the test, naming the journal entries, if the client retried too soon, did
        not back off, retried what no retry changes, or resent an upload's bytes blindly."""
        found = judge(self.journal).findings
        if found:
            lines = [f"  {f.rule}: {f.message} (journal entries {list(f.entries)})" for f in found]
            raise AssertionError(
                "the client did not handle its failures well:\n" + "\n".join(lines)
            )

    def stub(self, **fixture: Any) -> str:
        """Adds a fixture in the file format (docs/fixtures.md), as ``POST /__fake__/fixtures``
        does, ahead of every other; its name. ``reset()`` removes it::

        gemini_fake.stub(match={"lastUserText": "Hi"}, answer={"text": "Hello!"})
        """
        return self.state.add_stubs([fixture])[0].name

    def quota(self, model: str, **limits: int) -> None:
        """Limits ``model``'s generate calls (``rpm``, ``tpm``, ``rpd``), counting afresh."""
        self.state.quotas.set({"model": model, **limits})

    def advance_clock(self, seconds: float) -> None:
        """Moves the fake's clock forward: quotas, file expiry and PROCESSING times follow."""
        self.state.clock.advance(seconds)

    @property
    def env(self) -> dict[str, str]:
        """What an app or an official SDK needs in its environment to use this fake: its URL,
        a key it takes, and the variables that would send an SDK elsewhere turned off."""
        key = next(iter(sorted(self.state.config.api_keys)), TEST_API_KEY)
        return {
            "GOOGLE_GEMINI_BASE_URL": self.base_url,
            "GEMINI_API_KEY": key,
            "GOOGLE_API_KEY": "",  # it outranks GEMINI_API_KEY in the SDKs; empty, it is unset
            "GOOGLE_GENAI_USE_VERTEXAI": "false",  # Vertex AI would ignore the base URL
        }

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for this fake: in process, or over the socket it is served on."""
        if self.in_process:
            kwargs["transport"] = SyncASGITransport(self.app)
        return httpx.Client(base_url=self.base_url, **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        if self.in_process:
            kwargs["transport"] = AsyncASGITransport(app=self.app)
        return httpx.AsyncClient(base_url=self.base_url, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "gemini_fake(strict=False, fixtures=(), api_keys=(), default_fixtures=True, "
        "streaming={}, **other FakeConfig fields): "
        "configure the gemini_fake / gemini_fake_server fixtures for this test",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("gemini_fake")
    return dict(marker.kwargs) if marker else {}


def _config(request: pytest.FixtureRequest) -> FakeConfig:
    options = _options(request)
    options.pop("allow_misses", None)  # the plugin's own option (see _check_misses)
    # Friendlier spellings for a few fields; the rest are FakeConfig's own.
    options["fixture_dirs"] = tuple(_directory(request, d) for d in options.pop("fixtures", ()))
    options["api_keys"] = frozenset(options.pop("api_keys", ()))
    options["streaming"] = Pacing.from_json(options.pop("streaming", {}))
    options["faults"] = tuple(options.pop("faults", ()))
    options["quotas"] = tuple(options.pop("quotas", ()))
    unknown = set(options) - {f.name for f in dataclasses.fields(FakeConfig)}
    if unknown:
        raise pytest.UsageError(f"gemini_fake marker: unknown options {sorted(unknown)}")
    return FakeConfig(**options)


def _directory(request: pytest.FixtureRequest, given: str | Path) -> Path:
    """A marker's fixture directory: relative to the test's file, else to the rootdir."""
    path = Path(given)
    if path.is_absolute():
        return path
    beside = Path(request.node.path).parent / path
    return beside if beside.is_dir() else Path(request.config.rootpath) / path


_FAKES = pytest.StashKey[list[Fake]]()


def _served(request: pytest.FixtureRequest, fake: Fake) -> Iterator[Fake]:
    """Hands ``fake`` to the test; afterwards, a strict miss fails it even if the app
    swallowed the error (unless the marker says ``allow_misses=True``)."""
    request.node.stash.setdefault(_FAKES, []).append(fake)
    yield fake
    if fake.state.config.strict and not _options(request).get("allow_misses", False):
        misses = [e for e in fake.journal.entries if e.status >= 400 and "miss" in e.extra]
        if misses:
            listed = "\n".join(f"  {e.method} {e.path}: {e.extra['miss']}" for e in misses)
            pytest.fail(
                f"gemini_fake (strict): {len(misses)} request(s) no fixture matched:\n{listed}\n"
                "(add fixtures for them, or mark the test gemini_fake(allow_misses=True))",
                pytrace=False,
            )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed test's report says what each of its fakes received."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for fake in item.stash.get(_FAKES, []):
            lines = [
                f"{e.seq:>4} {e.method} {e.path} -> {e.status} ({e.answered_by})"
                for e in fake.journal.entries[-50:]
            ]
            report.sections.append(("gemini-fake received", "\n".join(lines) or "nothing"))


@pytest.fixture
def gemini_fake(request: pytest.FixtureRequest) -> Iterator[Fake]:
    """A fresh fake in process, no socket: ``client()`` is an httpx client wired to it."""
    yield from _served(request, Fake(create_app(_config(request)), "http://gemini-fake.test"))


@pytest.fixture(scope="session")
def _gemini_fake_listener() -> Iterator[ThreadedServer]:
    """The session's one loopback listener; each ``gemini_fake_server`` swaps in its app."""
    with ThreadedServer(create_app(FakeConfig(default_fixtures=False))) as server:
        yield server


@pytest.fixture(params=["in-process", "socket"])
def gemini_fake_both(request: pytest.FixtureRequest) -> Fake:
    """The test runs twice: against ``gemini_fake``, then against ``gemini_fake_server``."""
    name = "gemini_fake" if request.param == "in-process" else "gemini_fake_server"
    fake: Fake = request.getfixturevalue(name)
    return fake


@pytest.fixture
def gemini_fake_server(
    request: pytest.FixtureRequest, _gemini_fake_listener: ThreadedServer
) -> Iterator[Fake]:
    """A fresh fake on a loopback port (one listener for the session, a new app per test),
    for the official SDKs, node and curl: ``base_url`` and ``env``."""
    app = create_app(_config(request))
    _gemini_fake_listener.app = app
    yield from _served(request, Fake(app, _gemini_fake_listener.base_url, in_process=False))
