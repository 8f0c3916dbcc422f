"""The ``target`` fixture: every server-side test runs against each selected target.

Targets are chosen with ``GEMINI_CONFORMANCE_TARGET`` (see ``conformance/_target.py`` and
``conformance/README.md``), not with a command-line option: options declared in a conftest
below the root are not seen when pytest starts from elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conformance._target import SocketFake, Target, TargetError, select

try:
    SELECTION = select(os.environ)
    _REFUSAL = ""
except TargetError as refused:
    SELECTION = select({})
    _REFUSAL = str(refused)


def pytest_configure(config: pytest.Config) -> None:
    if _REFUSAL:
        raise pytest.UsageError(f"conformance: {_REFUSAL}")


@pytest.fixture(scope="session")
def _socket_fake() -> Iterator[SocketFake]:
    socket = SocketFake()
    yield socket
    socket.stop()


@pytest.fixture(params=SELECTION.ids)
def target(request: pytest.FixtureRequest, _socket_fake: SocketFake) -> Iterator[Target]:
    """The target this run of the test talks to (a fresh fake on the fake targets)."""
    started = Target.start(request.param, SELECTION, _socket_fake)
    yield started
    started.close()


@pytest.fixture
def fake_in_process() -> Iterator[Target]:
    """A fresh fake in process in every mode: for client-side tests that need some server."""
    fake = Target.in_process()
    yield fake
    fake.close()
