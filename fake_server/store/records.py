"""What the store keeps of an upload in progress and of a file, and how the Files API shows a
file."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def timestamp(moment: datetime, digits: int) -> str:
    """RFC 3339 in UTC with ``digits`` fractional digits (the service uses 6, or 9 for expiry)."""
    moment = moment.astimezone(UTC)
    fraction = f"{moment.microsecond:06d}".ljust(digits, "0")[:digits]
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + fraction + "Z"


# A file's ``uri`` names the service, whatever host the upload came to
# (docs/evidence.md#service-file-resource); the fake takes any host back in a ``fileData``.
SERVICE_ORIGIN = "https://generativelanguage.googleapis.com"


@dataclass
class PendingUpload:
    """An upload in progress: what was declared at the start, and where it is going."""

    upload_id: str
    file_id: str
    mime_type: str
    display_name: str | None
    declared_size: int | None
    started: str  # ISO time of the start call; the file expires 48 h after it
    api_version: str
    state: str = "active"  # active, final, cancelled


@dataclass
class StoredFile:
    """A file's metadata; :meth:`resource` renders it as the Files API does."""

    file_id: str
    mime_type: str
    display_name: str | None
    size: int
    sha256_hex: str
    created: str  # ISO times
    expires: str
    ready: str  # when PROCESSING turns ACTIVE
    uri: str
    source: str = "UPLOADED"  # or "GENERATED": made by the service (a batch's results)

    @property
    def sha256_hash(self) -> str:
        """As the service computes it: base64 of the lowercase hex digest, not of the digest."""
        return base64.b64encode(self.sha256_hex.encode()).decode()

    def state(self, now: datetime) -> str:
        return "ACTIVE" if now >= datetime.fromisoformat(self.ready) else "PROCESSING"

    def expired(self, now: datetime) -> bool:
        return now >= datetime.fromisoformat(self.expires)

    def resource(self, now: datetime) -> dict[str, Any]:
        created = datetime.fromisoformat(self.created)
        body: dict[str, Any] = {"name": f"files/{self.file_id}"}
        if self.display_name:
            body["displayName"] = self.display_name
        body.update(
            mimeType=self.mime_type,
            sizeBytes=str(self.size),  # int64 travels as a string
            createTime=timestamp(created, 6),
            updateTime=timestamp(created, 6),
            expirationTime=timestamp(datetime.fromisoformat(self.expires), 9),
            sha256Hash=self.sha256_hash,
            uri=self.uri,
        )
        if self.source == "GENERATED":  # docs/evidence.md#service-batches
            body["downloadUri"] = f"{self.uri}:download?alt=media"
        body.update(state=self.state(now), source=self.source)
        return body
