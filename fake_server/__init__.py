"""gemini-fake: a fake of the Gemini API that the official SDKs cannot tell from the real one.

``create_app(FakeConfig(...))`` builds the Starlette app; ``gemini-fake serve`` runs it under
uvicorn; the pytest plugin (:mod:`fake_server.pytest_plugin`) gives tests a running fake.

Both names load on first use, so importing a pure part of the package (the fixture linter, the
stand-in model) does not load the web framework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api.routes import create_app
    from .config import FakeConfig

__all__ = ["FakeConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .api.routes import create_app

        return create_app
    if name == "FakeConfig":
        from .config import FakeConfig

        return FakeConfig
    raise AttributeError(f"module 'fake_server' has no attribute {name!r}")
