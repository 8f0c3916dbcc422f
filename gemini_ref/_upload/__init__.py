"""``files.upload`` without the I/O: the resumable upload, its steps and its sources.

* ``machine``: the protocol as a state machine, ``Upload.steps()`` (start, chunks, recovery);
* ``steps``: what it asks a shell to do (``Read``, ``Send``, ``Sleep``) and ``Run``, the loop's
  handle on it;
* ``sources``: the bytes to upload, from a path, ``bytes`` or a stream, a chunk at a time;
* ``mime``: the MIME type guessed from a path when none is given.
"""

from __future__ import annotations

from .machine import (
    CHUNK_SIZE,
    MAX_RETRIES,
    MAX_RETRY_DELAY,
    RETRY_DELAY,
    ProgressCallback,
    Upload,
)
from .sources import FileInput, Source
from .steps import Read, Reply, Run, Send, Sleep, Step

__all__ = [
    "CHUNK_SIZE",
    "MAX_RETRIES",
    "MAX_RETRY_DELAY",
    "RETRY_DELAY",
    "FileInput",
    "ProgressCallback",
    "Read",
    "Reply",
    "Run",
    "Send",
    "Sleep",
    "Source",
    "Step",
    "Upload",
]
