"""gemini-fake: a fake of the Gemini API that the official SDKs cannot tell from the real one.

``create_app(FakeConfig(...))`` builds the Starlette app; ``gemini-fake serve`` runs it under
uvicorn; the pytest plugin (:mod:`fake_server.pytest_plugin`) gives tests a running fake.
"""

from .app import create_app
from .config import FakeConfig

__all__ = ["FakeConfig", "create_app"]
