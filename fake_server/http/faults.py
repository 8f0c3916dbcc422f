"""The adapter's side of fault rules (:mod:`fake_server.control.faults`): what a call looks like
to a rule, and each action carried out on the wire.

``error`` answers the rule's error instead of calling the handler (on a stream, with
``afterEvents`` N, after N events of the real answer instead); ``delay`` waits, in real time,
before the answer; ``stream`` ends a stream early as a stream's pacing can; ``drop`` closes the
connection half way through the body, as a network failure would; ``garbage`` answers a unary
body that is not JSON, or a stream whose second event is not.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..config import Pacing
from ..control.errors import fault_error
from ..control.faults import Call, FaultSet, Rule, delay_of
from ..protocol.errors import ApiError
from ..protocol.wire import dumps_element, dumps_event
from .responses import EventStreamResponse, GoogleResponse, StreamAborted, for_http10


def call_of(request: Request, rpc: str, model: str | None, faults: FaultSet, body: bytes) -> Call:
    """The call as a rule sees it; an upload's byte-carrying commands are counted per upload."""
    if rpc != "files.upload":
        return Call(rpc, model, body=body)
    upload_id = request.query_params.get("upload_id")
    if upload_id is None:
        return Call(rpc, model, frozenset({"start"}))
    header = request.headers.get("x-goog-upload-command", "")
    commands = frozenset(c.strip().lower() for c in header.split(",") if c.strip())
    chunk = faults.chunk(upload_id) if "upload" in commands else None
    return Call(rpc, model, commands, chunk)


async def before(rule: Rule, model: str | None) -> ApiError | None:
    """Carry out what comes before the answer: the rule's error (unless it waits for events of
    the answer first), or its delay."""
    if rule.action == "delay":
        await anyio.sleep(delay_of(rule))
    elif rule.action == "error" and "afterEvents" not in rule.spec:
        return fault_error(rule.spec, model)
    return None


def after(rule: Rule, model: str | None, response: Response, framing: str) -> Response:
    """The answer as the rule changes it: a stream ended early, or a body cut off."""
    if rule.action == "drop":
        if isinstance(response, EventStreamResponse):
            return response.paced(Pacing(end_after=len(response.events) // 2, end="abort"))
        return _CutOff(response) if isinstance(response, GoogleResponse) else response
    if rule.action == "garbage" and isinstance(response, GoogleResponse):
        return _not_json(response)
    if not isinstance(response, EventStreamResponse):
        return response
    if rule.action == "garbage":  # after the first event, one cut short; then the end
        broken = BROKEN_EVENT if framing == "sse" else BROKEN_ELEMENT
        return response.paced(Pacing(end_after=1, end="error"), error_event=broken)
    if rule.action == "stream":
        end = rule.spec.get("end", "close")
        return response.paced(Pacing(end_after=rule.spec["endAfter"], end=end))
    if rule.action == "error" and "afterEvents" in rule.spec:
        envelope = fault_error(rule.spec, model).envelope()
        event = dumps_event(envelope) if framing == "sse" else dumps_element(envelope)
        pacing = Pacing(end_after=rule.spec["afterEvents"], end="error")
        return response.paced(pacing, error_event=event)
    return response


BROKEN_BODY = b'{\n  "candidates": [\n    {\n      "content": {\n        "parts": [\n'
BROKEN_EVENT = b'data: {"candidates": [{"content": {"parts": [{"text": "Hel\r\n\r\n'
BROKEN_ELEMENT = b'{\n  "candidates": [\n    {\n      "content": {\n'


def _not_json(response: GoogleResponse) -> Response:
    """The answer, its status and headers, with a body that breaks off mid-JSON."""
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in response.raw_headers
        if name.lower() != b"content-length"
    }
    return Response(BROKEN_BODY, response.status_code, headers=headers)


class _CutOff(Response):
    """A finished answer whose connection drops half way through its body."""

    def __init__(self, inner: GoogleResponse) -> None:
        self.inner = inner
        self.status_code = inner.status_code
        self.raw_headers = inner.raw_headers
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.inner.body
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": for_http10(scope, self.raw_headers, len(body))})
        half = {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        await send(half)
        raise StreamAborted("the connection was dropped mid-body, as a fault rule says")
