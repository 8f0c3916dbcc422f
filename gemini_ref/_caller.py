"""The package's I/O: a ``Caller`` performs ``Call``\\ s and uploads over an ``httpx.Client``
(or the ``LightClient`` of ``_transport``, which has the same two methods it uses).

``Caller`` and ``AsyncCaller`` are thin shells around the I/O-free cores: what each call sends
is in ``_calls``, how its answer is read in ``_exchange``, an upload's steps in ``_upload``.
The two only differ in whether they ``await``.

``stream`` is a generator: nothing is sent until the first chunk is asked for, and the response
is closed when the generator finishes, fails or is closed (a ``break`` out of a ``for`` over
it, ``close()`` / ``aclose()``, or garbage collection).

``upload`` performs the steps of ``Upload.run()``. The async shell reads each chunk of a file or
stream in a worker thread (``anyio.to_thread``), so the event loop is not blocked by the disk for
more than opening the file, and sleeps with ``anyio.sleep``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Generator
from contextlib import aclosing, closing
from typing import TypeVar

import httpx

from ._calls import Call, Listing
from ._exchange import build_request, read_response, stream_reader, transport_errors
from ._settings import Settings
from ._transport import LightClient
from ._upload import Read, Sleep, Upload
from .pagers import AsyncPager, Page, Pager
from .types import File

T = TypeVar("T")


class Caller:
    """Performs calls with an ``httpx.Client`` (or a ``LightClient``), hands back their answers."""

    def __init__(self, settings: Settings, http: httpx.Client | LightClient) -> None:
        self.settings = settings
        self.http = http

    def send(self, call: Call[T]) -> T:
        request = build_request(self.http, self.settings, call)
        with transport_errors(request):
            response = self.http.send(request)
        return read_response(call, response)

    def stream(self, call: Call[T]) -> Generator[T, None, None]:
        request = build_request(self.http, self.settings, call)
        with transport_errors(request):
            response = self.http.send(request, stream=True)
        with closing(response):
            if response.status_code != 200:
                with transport_errors(request):
                    response.read()
            reader = stream_reader(call, response)
            with reader.interruptions():
                for data in response.iter_bytes():
                    yield from reader.feed(data)
            reader.end()

    def pager(self, listing: Listing[T]) -> Pager[T]:
        """A pager over ``listing``, holding its first page."""

        def fetch(page_token: str | None) -> Page[T]:
            return self.send(listing.page(page_token))

        return Pager(fetch, fetch(listing.first_token))

    def upload(self, upload: Upload) -> File:
        with upload.run() as run:
            for step in run:
                if isinstance(step, Read):
                    run.reply = upload.source.read(step.offset, step.length)
                elif isinstance(step, Sleep):
                    time.sleep(step.seconds)
                else:
                    try:
                        run.reply = self.http.send(step.build(self.http, self.settings))
                    except httpx.TransportError as exc:
                        run.reply = exc
            return run.file


class AsyncCaller:
    """``Caller`` with an ``httpx.AsyncClient``: the same methods, awaited."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http

    async def send(self, call: Call[T]) -> T:
        request = build_request(self.http, self.settings, call)
        with transport_errors(request):
            response = await self.http.send(request)
        return read_response(call, response)

    async def stream(self, call: Call[T]) -> AsyncGenerator[T, None]:
        request = build_request(self.http, self.settings, call)
        with transport_errors(request):
            response = await self.http.send(request, stream=True)
        async with aclosing(response):
            if response.status_code != 200:
                with transport_errors(request):
                    await response.aread()
            reader = stream_reader(call, response)
            with reader.interruptions():
                async for data in response.aiter_bytes():
                    for chunk in reader.feed(data):
                        yield chunk
            reader.end()

    async def pager(self, listing: Listing[T]) -> AsyncPager[T]:
        """A pager over ``listing``, holding its first page."""

        async def fetch(page_token: str | None) -> Page[T]:
            return await self.send(listing.page(page_token))

        return AsyncPager(fetch, await fetch(listing.first_token))

    async def upload(self, upload: Upload) -> File:
        import anyio.to_thread  # only an async upload needs anyio: the package loads without it

        with upload.run() as run:
            for step in run:
                if isinstance(step, Read):
                    read = upload.source.read
                    if upload.source.blocking:
                        run.reply = await anyio.to_thread.run_sync(read, step.offset, step.length)
                    else:
                        run.reply = read(step.offset, step.length)
                elif isinstance(step, Sleep):
                    await anyio.sleep(step.seconds)
                else:
                    try:
                        run.reply = await self.http.send(step.build(self.http, self.settings))
                    except httpx.TransportError as exc:
                        run.reply = exc
            return run.file
