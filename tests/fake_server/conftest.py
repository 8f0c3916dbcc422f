"""``client``: an httpx client for this test's ``gemini_fake``, sending the test key."""

from __future__ import annotations

import httpx
import pytest

from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY


@pytest.fixture
def client(gemini_fake: Fake) -> httpx.Client:
    return gemini_fake.client(headers=KEY)
