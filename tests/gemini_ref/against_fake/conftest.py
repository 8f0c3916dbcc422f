"""gemini_ref against the fake: every test runs twice, in process and then on a socket.

``fake`` is ``gemini_fake_both``; ``client`` a ``gemini_ref.Client`` on it: in process through
``fake.client()``, and on the socket through the HTTP client the ``Client`` makes for itself
(``LightClient``), so the default transport is tested against every answer the fake gives.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import gemini_ref as genai
from fake_server.pytest_plugin import TEST_API_KEY, Fake
from tests.kit.fakes import client_for


@pytest.fixture
def fake(gemini_fake_both: Fake) -> Fake:
    return gemini_fake_both


@pytest.fixture
def client(fake: Fake) -> Iterator[genai.Client]:
    if not fake.in_process:
        with genai.Client(api_key=TEST_API_KEY, base_url=fake.base_url) as own:
            yield own
        return
    with fake.client() as http:
        yield client_for(fake, http)
