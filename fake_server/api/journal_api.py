"""The journal over HTTP (docs/journal.md#the-journal-api): the entries, one entry, and a live
feed of them as server-sent events, for the inspector page, ``gemini-fake journal --follow``
and any tool that wants to follow what the fake receives.

- ``GET /__fake__/journal``: the kept entries, oldest first; ``?rpc=``, ``?model=`` narrow
  them, ``?since=SEQ`` keeps those after ``SEQ``, ``?summary=true`` leaves out what travelled
  (headers, bodies, events). The answer also says ``lastSeq`` and ``resets``.
- ``GET /__fake__/journal/{seq}``: one entry, whole.
- ``GET /__fake__/journal/stream``: ``event: entry`` with each entry's summary as it is
  journalled (from ``?since=SEQ`` on, or from the ``Last-Event-ID`` an ``EventSource`` sends
  when it reconnects: each entry's event has its seq as ``id``), ``event: update`` when a
  stream it sent unfinished ends, ``event: reset`` when the journal is emptied; a comment every
  15 s keeps it open. It follows the journal until the client goes; with ``?follow=false`` it
  sends what is there and ends (for a client without a socket, such as one in process, which
  never goes).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..http.responses import GoogleResponse, error_response
from ..journal import Entry, Journal
from ..protocol.errors import ApiError, invalid_argument, not_found
from ..protocol.wire import dumps_pretty

POLL_SECONDS = 0.1  # how often the feed looks for new entries
KEEP_ALIVE_SECONDS = 15.0
FEED_BATCH = 500  # entries sent per look, at most (a long journal is sent in steps)


def _since(request: Request) -> int:
    value = request.query_params.get("since", "0")
    try:
        return max(int(value), 0)
    except ValueError:
        raise invalid_argument(f'since is a journal seq (a whole number), not "{value}"') from None


async def journal_list(request: Request) -> Response:
    """The journal, oldest first; `?rpc=`, `?model=` and `?since=SEQ` narrow it, `?summary=true`
    leaves out headers, bodies and events; with `lastSeq` and `resets`."""
    journal: Journal = request.app.state.fake.journal
    params = request.query_params
    try:
        since = _since(request)
    except ApiError as error:
        return error_response(error)
    rpc, model = params.get("rpc"), params.get("model")
    whole = params.get("summary", "false").lower() not in ("true", "1", "yes")
    entries = [
        e.to_json(exchange=whole)
        for e in journal.since(since)
        if (rpc is None or e.rpc == rpc) and (model is None or e.model == model)
    ]
    body = {"entries": entries, "lastSeq": journal.last_seq, "resets": journal.resets}
    return GoogleResponse(dumps_pretty(body))


async def journal_entry(request: Request) -> Response:
    """One journal entry, whole; a 404 in the envelope once it is no longer kept."""
    journal: Journal = request.app.state.fake.journal
    seq: int = request.path_params["seq"]
    entry = journal.find(seq)
    if entry is None:
        return error_response(not_found(f"No journal entry {seq} (not yet, or no longer kept)."))
    return GoogleResponse(dumps_pretty(entry.to_json()))


async def journal_stream(request: Request) -> Response:
    """The journal live, as server-sent events: `entry` (each entry's summary, from `?since=SEQ`
    or `Last-Event-ID`), `update` (a stream that ended), `reset`; `?follow=false` ends it."""
    try:
        since = _since(request)
    except ApiError as error:
        return error_response(error)
    resumed = request.headers.get("last-event-id", "")
    if resumed.isdigit():
        since = max(since, int(resumed))
    journal: Journal = request.app.state.fake.journal
    follow = request.query_params.get("follow", "true").lower() not in ("false", "0", "no")
    return StreamingResponse(
        _feed(request, journal, since, follow),
        media_type="text/event-stream",
        headers={"cache-control": "no-store"},
    )


async def _feed(
    request: Request, journal: Journal, since: int, follow: bool
) -> AsyncIterator[bytes]:
    sent, resets = since, journal.resets
    unfinished: dict[int, Entry] = {}  # sent before their stream ended
    quiet = 0.0
    yield b": gemini-fake journal feed\n\n"
    while not await request.is_disconnected():
        out = []
        for seq, entry in list(unfinished.items()):
            if entry.done:
                del unfinished[seq]
                out.append(_event("update", entry.to_json(exchange=False)))
        if journal.resets != resets:
            resets = journal.resets
            unfinished.clear()
            out.append(_event("reset", {"after": journal.reset_after, "resets": resets}))
        for entry in journal.since(sent)[:FEED_BATCH]:
            sent = entry.seq
            if not entry.done:
                unfinished[entry.seq] = entry
            out.append(_event("entry", entry.to_json(exchange=False), entry.seq))
        if not follow:
            yield b"".join(out)
            return
        if out:
            quiet = 0.0
            yield b"".join(out)
        elif quiet >= KEEP_ALIVE_SECONDS:
            quiet = 0.0
            yield b": keep-alive\n\n"
        await anyio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS


def _event(name: str, data: object, seq: int | None = None) -> bytes:
    head = f"event: {name}\n" + ("" if seq is None else f"id: {seq}\n")
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
