"""A verdict on how a client handled the failures the fake sent it, judged from the journal.

A fault proves little if a test only checks that the app "worked": it may have retried at once
and been lucky. After a test, :func:`judge` reads the journal and reports, naming the entries
behind each finding:

- ``retry-too-soon``: a call answered with a ``RetryInfo`` delay (a quota's 429) was sent again
  before that delay had passed;
- ``no-backoff``: a call that kept failing with a retryable status (429, 500, 503, 504) was
  retried with waits that did not grow;
- ``retried-non-retryable``: a call refused with a status no retry can change (400, 403, 404)
  was sent again unchanged;
- ``upload-resent-without-query``: after an upload chunk failed, the client sent bytes again
  without first asking how many the upload had (``query``);
- ``upload-resent-wrong-offset``: it resent from another offset than the bytes committed.

A call is "the same call" when its RPC, path and body are the same (``extra.body``, a digest
the adapter keeps while fault rules or quotas are in force). What the fake cannot see (whether
the app showed an error to its user) it does not judge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..journal import Entry, Journal

RETRYABLE = frozenset({429, 500, 503, 504})
FINAL = frozenset({400, 403, 404})
SLACK = 0.05  # seconds: a client that waits the delay to the letter is not too soon
_DELAY = re.compile(r"(\d+(?:\.\d+)?)s")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    entries: tuple[int, ...]  # journal sequence numbers

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "entries": list(self.entries)}


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    retries: int = 0  # calls sent again after a failure
    failures: int = 0  # answers of 400 and over the client met

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": [finding.to_json() for finding in self.findings],
            "failures": self.failures,
            "retries": self.retries,
        }


def judge(journal: Journal) -> Verdict:
    verdict = Verdict()
    entries = journal.entries
    verdict.failures = sum(entry.status >= 400 for entry in entries)
    for attempts in _same_calls(entries):
        _judge_retries(attempts, verdict)
    for upload in journal.uploads():
        _judge_upload(upload.steps, verdict)
    return verdict


def _same_calls(entries: Iterable[Entry]) -> list[list[Entry]]:
    calls: dict[tuple[str, str, str], list[Entry]] = {}
    for entry in entries:
        body = entry.extra.get("body")
        if body is not None and entry.rpc != "files.upload":
            calls.setdefault((entry.rpc, entry.path, body), []).append(entry)
    return [attempts for attempts in calls.values() if len(attempts) > 1]


def _judge_retries(attempts: list[Entry], verdict: Verdict) -> None:
    gaps: list[float] = []
    for before, after in zip(attempts, attempts[1:], strict=False):
        if before.status < 400:
            gaps = []
            continue
        verdict.retries += 1
        gap = after.received - before.received
        seqs = (before.seq, after.seq)
        if before.status in FINAL:
            verdict.findings.append(
                Finding(
                    "retried-non-retryable",
                    f"a call refused with {before.status} was sent again unchanged; no retry "
                    "changes that answer",
                    seqs,
                )
            )
            continue
        delay = _retry_delay(before)
        if delay is not None and gap + SLACK < delay:
            verdict.findings.append(
                Finding(
                    "retry-too-soon",
                    f"retried {gap:.2f} s after a {before.status} that asked for {delay:g} s "
                    "(RetryInfo)",
                    seqs,
                )
            )
        elif delay is None and before.status in RETRYABLE and gaps and gap + SLACK < gaps[-1]:
            verdict.findings.append(
                Finding(
                    "no-backoff",
                    f"retried {gap:.2f} s after a {before.status}, sooner than the "
                    f"{gaps[-1]:.2f} s before it: retries back off",
                    (attempts[0].seq, *seqs),
                )
            )
        gaps.append(gap)


def _retry_delay(entry: Entry) -> float | None:
    match = _DELAY.fullmatch(str(entry.extra.get("retryDelay", "")))
    return float(match.group(1)) if match else None


def _judge_upload(steps: list[Entry], verdict: Verdict) -> None:
    committed, failed_at, queried = 0, None, False
    for step in steps:
        command = str(step.extra.get("command", ""))
        carries = "upload" in command
        if "query" in command and step.status < 400:
            queried = True
        if not carries:
            continue
        offset = int(step.extra.get("offset") or 0)
        if failed_at is not None:
            verdict.retries += 1
            if not queried:
                verdict.findings.append(
                    Finding(
                        "upload-resent-without-query",
                        "after a failed chunk the client sent bytes again without asking the "
                        "upload how many it had (X-Goog-Upload-Command: query)",
                        (failed_at.seq, step.seq),
                    )
                )
            if offset != committed:
                verdict.findings.append(
                    Finding(
                        "upload-resent-wrong-offset",
                        f"resent from offset {offset}, but the upload had {committed} bytes",
                        (failed_at.seq, step.seq),
                    )
                )
            failed_at = None
        if step.status >= 400:
            failed_at, queried = step, False
        else:
            committed = offset + int(step.extra.get("bytes") or 0)
