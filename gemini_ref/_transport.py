"""The two thin shells that put a ``Call`` on the network: one sync, one async.

All the protocol (URL, headers, body, status and error mapping, parsing) is in ``_protocol``;
these only differ in whether they ``await``.
"""

from __future__ import annotations

from typing import TypeVar

import httpx

from ._protocol import Call, build_request, read_response, transport_errors
from ._settings import Settings

T = TypeVar("T")


class SyncTransport:
    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self.settings = settings
        self.http = http

    def send(self, call: Call[T]) -> T:
        request = build_request(self.http, self.settings, call)
        with transport_errors(request):
            response = self.http.send(request)
        return read_response(call, response)


class AsyncTransport:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http

    async def send(self, call: Call[T]) -> T:
        request = build_request(self.http, self.settings, call)
        with transport_errors(request):
            response = await self.http.send(request)
        return read_response(call, response)
