"""Quotas per model, counted as the service counts them, refused as it refuses them.

``gemini-fake serve --quota gemini-2.5-flash:rpm=10,tpm=250000,rpd=250`` (or
``POST /__fake__/quota``) limits a model's generate calls: requests per minute (``rpm``) and
input tokens per minute (``tpm``) over a rolling 60 seconds, requests per day (``rpd``) until
midnight Pacific time, when Google resets daily quotas. A call past a limit gets the service's
429 (:func:`~.errors.quota_error`) naming the metric it broke, with a ``retryDelay`` that is
the time until the window frees what the call needs. Time is the fake's clock (:mod:`.clock`).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..protocol.errors import ApiError, invalid_argument
from .errors import quota_error

PACIFIC = ZoneInfo("America/Los_Angeles")
MINUTE = timedelta(seconds=60)
LIMITS = ("rpm", "tpm", "rpd")
# What the service names each limit in its 429 (the free tier's names).
METRICS = {
    "rpm": (
        "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
    ),
    "tpm": (
        "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count",
        "GenerateContentInputTokensPerModelPerMinute-FreeTier",
    ),
    "rpd": (
        "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
    ),
}


@dataclass
class Quota:
    """One model's limits, and what it has used of them."""

    model: str
    limits: dict[str, int]
    from_start: bool = False
    minute: deque[tuple[datetime, int]] = field(default_factory=deque)  # (when, tokens)
    day: tuple[object, int] = (None, 0)  # (the Pacific date, requests on it)

    def admit(self, tokens: int, now: datetime) -> ApiError | None:
        """Count a call of ``tokens`` input tokens at ``now``, or the 429 that refuses it."""
        while self.minute and now - self.minute[0][0] >= MINUTE:
            self.minute.popleft()
        date = now.astimezone(PACIFIC).date()
        today = self.day[1] if self.day[0] == date else 0
        if "rpd" in self.limits and today >= self.limits["rpd"]:
            return self._refuse("rpd", _until_pacific_midnight(now))
        if "rpm" in self.limits and len(self.minute) >= self.limits["rpm"]:
            index = len(self.minute) - self.limits["rpm"]  # the call whose leaving frees a slot
            return self._refuse("rpm", self.minute[index][0] + MINUTE - now)
        if "tpm" in self.limits:
            limit, used = self.limits["tpm"], sum(t for _, t in self.minute)
            if used + tokens > limit:
                return self._refuse("tpm", self._tokens_free(used + tokens - limit, now))
        self.minute.append((now, tokens))
        self.day = (date, today + 1)
        return None

    def _tokens_free(self, needed: int, now: datetime) -> timedelta:
        freed = 0
        for when, tokens in self.minute:
            freed += tokens
            if freed >= needed:
                return when + MINUTE - now
        return MINUTE  # more than the limit in one call: it will never fit; say a minute

    def _refuse(self, limit: str, wait: timedelta) -> ApiError:
        metric, quota_id = METRICS[limit]
        seconds = max(1, math.ceil(wait.total_seconds()))
        return quota_error(
            self.model, f"{seconds}s", metric=metric, quota_id=quota_id, limit=self.limits[limit]
        )

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, **self.limits, "fromStart": self.from_start}


def _until_pacific_midnight(now: datetime) -> timedelta:
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return midnight - local


class QuotaSet:
    """The quotas in force, per model; safe to share between threads."""

    def __init__(self, specs: tuple[str | dict[str, Any], ...] = ()) -> None:
        self._lock = threading.Lock()
        self._quotas: dict[str, Quota] = {}
        for spec in specs:
            quota = parse(spec)
            quota.from_start = True
            self._quotas[quota.model] = quota

    def __bool__(self) -> bool:
        return bool(self._quotas)

    def set(self, spec: str | dict[str, Any]) -> Quota:
        quota = parse(spec)
        with self._lock:
            self._quotas[quota.model] = quota
        return quota

    def admit(self, model: str | None, tokens: int, now: datetime) -> ApiError | None:
        with self._lock:
            quota = self._quotas.get((model or "").removeprefix("models/"))
            return quota.admit(tokens, now) if quota is not None else None

    def reset(self) -> None:
        """Back to start-up: those quotas, their counts zeroed; the others gone."""
        with self._lock:
            self._quotas = {
                m: Quota(m, q.limits, from_start=True)
                for m, q in self._quotas.items()
                if q.from_start
            }

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [quota.to_json() for quota in self._quotas.values()]


def parse(spec: str | dict[str, Any]) -> Quota:
    """``"gemini-2.5-flash:rpm=10,tpm=250000"`` or ``{"model": ..., "rpm": 10, ...}``."""
    if isinstance(spec, str):
        name, _, rest = spec.partition(":")
        try:
            pairs = dict(item.split("=", 1) for item in rest.split(",") if item)
            data: dict[str, Any] = {"model": name, **{k: int(v) for k, v in pairs.items()}}
        except ValueError:
            raise invalid_argument(f'A quota is MODEL:rpm=N,tpm=N,rpd=N, not "{spec}".') from None
    elif isinstance(spec, dict):
        data = spec
    else:
        raise invalid_argument('A quota is {"model": ..., "rpm": N, "tpm": N, "rpd": N}.')
    model = data.get("model")
    limits = {k: v for k, v in data.items() if k != "model"}
    if not isinstance(model, str) or not model or set(limits) - set(LIMITS) or not limits:
        raise invalid_argument(f"A quota names a model and any of {list(LIMITS)}.")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in limits.values()):
        raise invalid_argument("A quota's limits are whole numbers, 1 or more.")
    return Quota(model.removeprefix("models/"), limits)
