"""How a fake is set up: where its fixtures come from, how it treats misses, which keys it
takes, how its streams are paced. Every other module reads these; this one reads only the
service's limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .protocol.limits import DEFAULT_QUOTA_BYTES

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Pacing:
    """When a stream's events go out, and whether it ends early (to test apps' error paths).

    ``end_after`` N: after N events the stream ends, as ``end`` says: ``"close"`` (a clean end
    without ``finishReason``), ``"abort"`` (the connection drops mid-body) or ``"error"`` (an
    error event the SDKs raise, then a clean end).
    """

    first_event_delay: float = 0.0  # seconds before the first event
    event_interval: float = 0.0  # seconds between events
    end_after: int | None = None
    end: str = "close"

    ENDS = ("close", "abort", "error")

    @property
    def unpaced(self) -> bool:
        """Whether every event goes out at once and the stream ends only at its end."""
        return not (self.first_event_delay or self.event_interval) and self.end_after is None

    @classmethod
    def from_json(cls, data: dict[str, Any], base: Pacing | None = None) -> Pacing:
        """A fixture's ``streaming`` object over ``base``; unknown keys raise ValueError."""
        names = {
            "firstEventDelay": "first_event_delay",
            "eventInterval": "event_interval",
            "endAfter": "end_after",
            "end": "end",
        }
        unknown = set(data) - set(names)
        if unknown:
            raise ValueError(f"unknown streaming options {sorted(unknown)}; use {sorted(names)}")
        values = {names[k]: v for k, v in data.items()}
        pacing = Pacing(**{**(base or cls()).__dict__, **values})
        pacing.check()
        return pacing

    def check(self) -> None:
        if self.first_event_delay < 0 or self.event_interval < 0:
            raise ValueError("stream delays must not be negative")
        if self.end_after is not None and self.end_after < 0:
            raise ValueError("endAfter must not be negative")
        if self.end not in self.ENDS:
            raise ValueError(f"end must be one of {list(self.ENDS)}, not {self.end!r}")


@dataclass(frozen=True)
class FakeConfig:
    """Everything :func:`fake_server.create_app` needs; every field has a useful default.

    ``fixture_dirs`` are searched in order and outrank the fixtures shipped with the package
    (``default_fixtures``; by default loaded unless ``strict``, so that a strict app's prompts
    are answered by its own fixtures only). ``strict`` turns a request no fixture matches into an
    error instead of a synthetic answer. ``api_keys`` empty means any key is accepted, as a
    developer expects; otherwise other keys are refused as the real service refuses an invalid
    key.
    ``journal_limit`` caps how many requests the journal keeps (the latest; None keeps all),
    and ``journal_bytes`` how many bytes of request bodies it holds; inline data of more than
    ``journal_inline_bytes`` is kept there as its digest and size. ``faults`` are fault rules
    (docs/faults.md) in force from the start, ``quotas`` the limits per model; a reset keeps
    both, their counters zeroed.
    ``streaming`` paces every stream and may end it early; a fixture's own pacing overrides it.

    Files: ``data_dir`` keeps uploads and files on disk across restarts (None: a temporary
    directory for the fake's lifetime); ``storage_quota_bytes`` is the project's storage;
    ``processing_seconds`` how long new files of a kind (``"video"``, ``"audio"``, ...) stay
    PROCESSING before they turn ACTIVE; ``clock`` and ``seed`` pin times and file ids.

    Batches: ``batch_delay`` is how long a batch takes on the fake's clock, from creation to
    done (PENDING for its first fifth, then RUNNING); 0 finishes every batch at once
    (docs/batches.md).
    """

    fixture_dirs: tuple[Path, ...] = ()
    default_fixtures: bool | None = None  # None: the shipped fixtures unless strict
    strict: bool = False
    api_keys: frozenset[str] = frozenset()

    @property
    def shipped_fixtures(self) -> bool:
        """Whether the fixtures shipped with the package are loaded."""
        return self.default_fixtures if self.default_fixtures is not None else not self.strict

    journal_limit: int | None = 10_000
    journal_bytes: int = 256 * 1024 * 1024
    journal_inline_bytes: int = 64 * 1024
    faults: tuple[dict[str, Any], ...] = ()  # fault rules in force from the start
    quotas: tuple[str | dict[str, Any], ...] = ()  # "gemini-2.5-flash:rpm=10,tpm=250000,rpd=250"
    streaming: Pacing = Pacing()
    data_dir: Path | None = None
    storage_quota_bytes: int = DEFAULT_QUOTA_BYTES
    processing_seconds: dict[str, float] = field(
        default_factory=lambda: {"video": 2.0, "audio": 0.0}
    )
    clock: Clock = utc_now
    seed: int | None = None  # file ids; None draws a fresh seed per fake
    batch_delay: float = 300.0
