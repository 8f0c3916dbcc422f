"""How a fake is set up: where its fixtures come from, how it treats misses, which keys it takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .files import DEFAULT_QUOTA_BYTES, Clock, utc_now
from .streams import Pacing


@dataclass(frozen=True)
class FakeConfig:
    """Everything :func:`fake_server.create_app` needs; every field has a useful default.

    ``fixture_dirs`` are searched in order and outrank the fixtures shipped with the package
    (``default_fixtures``). ``strict`` turns a request no fixture matches into an error instead of
    a synthetic answer. ``api_keys`` empty means any key is accepted, as a developer expects;
    otherwise other keys are refused as the real service refuses an invalid key.
    ``journal_limit`` caps how many requests the journal keeps (the latest; None keeps all).
    ``streaming`` paces every stream and may end it early; a fixture's own pacing overrides it.

    Files: ``data_dir`` keeps uploads and files on disk across restarts (None: a temporary
    directory for the fake's lifetime); ``storage_quota_bytes`` is the project's storage;
    ``processing_seconds`` how long new files of a kind (``"video"``, ``"audio"``, ...) stay
    PROCESSING before they turn ACTIVE; ``clock`` and ``seed`` pin times and file ids.
    """

    fixture_dirs: tuple[Path, ...] = ()
    default_fixtures: bool = True
    strict: bool = False
    api_keys: frozenset[str] = frozenset()
    journal_limit: int | None = 10_000
    streaming: Pacing = Pacing()
    data_dir: Path | None = None
    storage_quota_bytes: int = DEFAULT_QUOTA_BYTES
    processing_seconds: dict[str, float] = field(
        default_factory=lambda: {"video": 2.0, "audio": 0.0}
    )
    clock: Clock = utc_now
    seed: int | None = None  # file ids; None draws a fresh seed per fake
