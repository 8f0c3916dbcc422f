"""gemini_ref: a small, readable client for the Gemini API, shaped like ``google-genai``.

The guide's Python examples run with only their imports changed::

    import gemini_ref as genai
    from gemini_ref import types

Where things are:

* the public modules: ``client`` (``Client`` and ``client.aio``); ``models``, ``chats`` and
  ``files``, the API's resources, each a sync and an async class; ``pagers``; ``types``;
  ``errors``; ``vision``;
* the cores, without I/O, shared by sync and async: ``_calls`` (each operation as a ``Call``),
  ``_exchange`` (a request out, its answer or its stream read back), ``_sse`` (the event-stream
  decoder), ``_contents`` (what ``contents`` may be), ``_coerce`` (a config as given, checked),
  ``_chats`` (the chat history rules), ``_upload/`` (the resumable upload), ``_settings`` (key,
  URL, version, headers and timeout, resolved once), ``_wire`` (dataclasses to JSON and back);
  ``_types/`` and ``_vision/`` are what ``types`` and ``vision`` export;
* every network exchange, upload chunk and retry sleep: ``_caller``; the HTTP client ``Client``
  makes when given none: ``_transport`` (``LightClient`` on the standard library's
  ``http.client``).
"""

from . import errors, types
from ._version import __version__
from .client import AsyncClient, Client
from .pagers import AsyncPager, Pager

__all__ = ["AsyncClient", "AsyncPager", "Client", "Pager", "__version__", "errors", "types"]
