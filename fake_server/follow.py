"""``gemini-fake journal``: what a running fake received, from another shell (docs/journal.md).

    gemini-fake journal                  # one line per request so far
    gemini-fake journal --follow         # ... and each new one as it comes, until Ctrl-C
    gemini-fake journal --seq 12         # one request whole: headers, bodies, events
    gemini-fake journal --json           # JSON lines instead (the admin API's entries)

The lines are the access log's (:mod:`fake_server.http.access`). It reads the journal API
(:mod:`fake_server.api.journal_api`); against a fake started with ``--api-key`` give one with
``--api-key`` or ``GEMINI_API_KEY``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import httpx

from .http.access import line_of

FEED_TIMEOUT = httpx.Timeout(10.0, read=None)  # a quiet feed is not a dead one


class JournalClient:
    """The journal API of the fake at ``url``."""

    def __init__(self, url: str, api_key: str | None = None) -> None:
        headers = {"x-goog-api-key": api_key} if api_key else {}
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=10.0)

    def __enter__(self) -> JournalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def entries(self, since: int = 0) -> tuple[list[dict[str, Any]], int]:
        """The summaries after ``since``, and the latest seq."""
        answer = self.http.get("/__fake__/journal", params={"since": since, "summary": "true"})
        answer.raise_for_status()
        data = answer.json()
        return data["entries"], data["lastSeq"]

    def entry(self, seq: int) -> dict[str, Any]:
        answer = self.http.get(f"/__fake__/journal/{seq}")
        answer.raise_for_status()
        entry: dict[str, Any] = answer.json()
        return entry

    def feed(self, since: int) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(event, data)`` from the live feed, from ``since`` on, until it closes."""
        params = {"since": since}
        with self.http.stream(
            "GET", "/__fake__/journal/stream", params=params, timeout=FEED_TIMEOUT
        ) as answer:
            answer.raise_for_status()
            name = "message"
            for raw in answer.iter_lines():
                if raw.startswith("event:"):
                    name = raw[len("event:") :].strip()
                elif raw.startswith("data:"):
                    yield name, json.loads(raw[len("data:") :])
                elif not raw:
                    name = "message"


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``gemini-fake journal``'s options."""
    journal = commands.add_parser(
        "journal",
        help="print what a running fake received",
        description="Print the journal of a running fake, a line per request (time, method, "
        "path, status, milliseconds, what answered), or one request whole (docs/journal.md).",
    )
    journal.add_argument(
        "--url",
        default="http://127.0.0.1:8080",
        help="the fake's base URL (default http://127.0.0.1:8080)",
    )
    journal.add_argument(
        "--follow", "-f", action="store_true", help="go on printing new requests until Ctrl-C"
    )
    journal.add_argument(
        "--seq", type=int, default=None, metavar="N", help="print request N whole, as JSON"
    )
    journal.add_argument(
        "--json", action="store_true", help="a JSON object per line instead of the text lines"
    )
    journal.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="for a fake started with --api-key (default: $GEMINI_API_KEY)",
    )


def run(args: argparse.Namespace) -> int:
    return show(
        args.url,
        api_key=args.api_key or os.environ.get("GEMINI_API_KEY"),
        follow=args.follow,
        as_json=args.json,
        seq=args.seq,
        out=sys.stdout,
    )


def show(
    url: str,
    *,
    api_key: str | None,
    follow: bool,
    as_json: bool,
    seq: int | None,
    out: TextIO,
) -> int:
    """Print the journal as asked; the exit status (SystemExit with the reason when the fake
    cannot be reached or refuses)."""
    try:
        with JournalClient(url, api_key) as client:
            return _show(client, follow=follow, as_json=as_json, seq=seq, out=out)
    except httpx.HTTPStatusError as exc:
        out.flush()
        message = _error_message(exc.response)
        raise SystemExit(f"gemini-fake journal: {url} answered {message}") from None
    except httpx.HTTPError as exc:
        raise SystemExit(f"gemini-fake journal: cannot reach a fake at {url} ({exc})") from None
    except KeyboardInterrupt:
        return 0


def _show(
    client: JournalClient, *, follow: bool, as_json: bool, seq: int | None, out: TextIO
) -> int:
    if seq is not None:
        out.write(json.dumps(client.entry(seq), indent=2, ensure_ascii=False) + "\n")
        return 0
    if follow:
        for event, data in client.feed(0):
            _print(event, data, as_json, out)
        return 0
    entries, _ = client.entries()
    for entry in entries:
        _print("entry", entry, as_json, out)
    return 0


def _print(event: str, data: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps({"event": event, **data}, ensure_ascii=False) + "\n")
    elif event == "reset":
        out.write(f"--- journal reset (after seq {data.get('after')}) ---\n")
    elif event in ("entry", "update") and (event == "update" or data.get("done", True)):
        out.write(f"{data['seq']:>5} {line_of(data)}\n")
    out.flush()


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['code']} {error['status']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return str(response.status_code)
