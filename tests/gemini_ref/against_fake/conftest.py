"""gemini_ref against the fake: every test runs twice, in process and then on a socket.

``fake`` is ``gemini_fake_both``; ``client`` a ``gemini_ref.Client`` on it (its httpx client
calls the app in process, or goes over the loopback port).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import gemini_ref as genai
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import client_for


@pytest.fixture
def fake(gemini_fake_both: Fake) -> Fake:
    return gemini_fake_both


@pytest.fixture
def client(fake: Fake) -> Iterator[genai.Client]:
    with fake.client() as http:
        yield client_for(fake, http)
