"""The steps an upload is made of, for a shell to perform: read bytes, send a request, sleep.

``Upload.steps()`` (``machine``) yields them and is answered with what each produced: ``Read``
with the ``bytes``, ``Send`` with the ``httpx.Response`` (or the ``httpx.TransportError`` raised
instead), ``Sleep`` with ``None``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from .._settings import Settings
from ..types import File
from .sources import Source

if TYPE_CHECKING:  # the cores don't import the I/O
    from .._transport import LightClient


@dataclass(frozen=True, eq=False)
class Read:
    """Read ``length`` bytes at ``offset`` of the source; answered with the ``bytes``."""

    offset: int
    length: int


@dataclass(frozen=True, eq=False)
class Send:
    """Send this request; answered with the response or the ``httpx.TransportError``."""

    method: str
    url: str
    headers: httpx.Headers
    json: dict[str, Any] | None = None
    content: bytes | None = None

    def build(
        self, http: httpx.Client | httpx.AsyncClient | LightClient, settings: Settings
    ) -> httpx.Request:
        # Built by the httpx client so its own defaults (headers, cookies, timeout) still apply.
        request = http.build_request(
            self.method,
            self.url,
            headers=self.headers,
            json=self.json,
            timeout=settings.request_timeout,
        )
        if not self.content:
            return request
        # A chunk goes out from a stream that lets go of its bytes once sent. httpx keeps each
        # response in a reference cycle (with its stream) until the garbage collector runs, and
        # the response holds its request: a request holding its body would keep every 8 MiB
        # chunk alive for a while, hundreds of MiB on a big file.
        headers = request.headers.copy()
        headers["Content-Length"] = str(len(self.content))
        return httpx.Request(
            request.method,
            request.url,
            headers=headers,
            stream=_SentOnce(self.content),
            extensions=request.extensions,
        )


class _SentOnce(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A request body that can be sent once, and is forgotten as it is."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data

    def __iter__(self) -> Iterator[bytes]:
        yield self._take()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._take()

    def _take(self) -> bytes:
        data, self._data = self._data, None
        if data is None:
            raise httpx.StreamConsumed()
        return data


@dataclass(frozen=True, eq=False)
class Sleep:
    """Wait before the next recovery attempt; answered with ``None``."""

    seconds: float


Step = Read | Send | Sleep
Reply = bytes | httpx.Response | httpx.TransportError | None


class Run:
    """An upload being performed: iterate it for the steps, and answer each by setting ``reply``.

    ::

        with upload.run() as run:
            for step in run:
                if isinstance(step, Read):
                    run.reply = upload.source.read(step.offset, step.length)
                ...
            return run.file

    ``reply`` is back to ``None`` for each step, so a ``Sleep`` needs no answer. Leaving the
    ``with`` block closes the steps, then the source, however the upload ended.
    """

    def __init__(self, steps: Generator[Step, Reply, File], source: Source) -> None:
        self._steps = steps
        self._source = source
        self._file: File | None = None
        self.reply: Reply = None

    def __iter__(self) -> Iterator[Step]:
        return self

    def __next__(self) -> Step:
        reply, self.reply = self.reply, None
        try:
            return self._steps.send(reply)
        except StopIteration as done:
            self._file = done.value
            raise

    @property
    def file(self) -> File:
        """What the upload made, once the steps have run out."""
        if self._file is None:
            raise RuntimeError("the upload has not finished")
        return self._file

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._steps.close()
        self._source.close()
