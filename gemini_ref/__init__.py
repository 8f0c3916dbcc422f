"""gemini_ref: a small, readable client for the Gemini API, shaped like ``google-genai``.

The guide's Python examples run with only their imports changed::

    import gemini_ref as genai
    from gemini_ref import types
"""

from . import errors, types
from ._version import __version__
from .client import AsyncClient, Client
from .pagers import AsyncPager, Pager

__all__ = ["AsyncClient", "AsyncPager", "Client", "Pager", "__version__", "errors", "types"]
