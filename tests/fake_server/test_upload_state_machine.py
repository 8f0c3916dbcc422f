"""The upload endpoint against a trivial model of the resumable protocol, driven by hypothesis.

The model is the protocol as ``fake_server/api/uploads.py`` and docs/files.md state it
(docs/evidence.md#sdk-upload-protocol), ``conformance/_uploads.py``'s ``UploadModel``: an upload is
``active`` with the bytes received so far, then ``final`` (with its File) or ``cancelled``. A chunk
at the right offset is appended; at any other offset it is a 400 and nothing is appended; ``query``
reports the size and never finalizes; ``finalize`` needs exactly the declared size; after ``final``
every command answers the same File, after ``cancel`` a 499.
The rules drive the fake in process (``Fake.client()``) and the model side by side; "restart"
builds a new app over the same data directory in the middle of it all, as a new process would.

After every step: the size each active upload has received, as ``query`` reports it, is the
model's; every finalized file's ``sha256Hash`` (from ``GET``) and stored bytes are the model's.
Every reply must carry ``X-Goog-Upload-Status`` (without it the SDKs silently resend).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
)

from conformance._uploads import (
    START,
    Reply,
    UploadModel,
    command_headers,
    sha256_hash,
    start_headers,
)
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, new_fake

MAX_SIZE = 64 * 1024
MIME_TYPES = ("application/pdf", "text/plain", "image/png", "audio/mpeg")


@dataclass(kw_only=True)
class Upload(UploadModel):
    """One upload session: the model, its URL, the bytes sent, the File once final."""

    url: str
    mime_type: str
    data: bytearray = field(default_factory=bytearray)
    file: dict[str, Any] | None = None  # the File, once final

    def __repr__(self) -> str:  # short, for hypothesis's printed steps
        return f"Upload({self.declared}B, {len(self.data)} received, {self.state})"


class UploadMachine(RuleBasedStateMachine):
    uploads = Bundle("uploads")

    def __init__(self) -> None:
        super().__init__()
        self.data_dir = Path(tempfile.mkdtemp(prefix="gemini-fake-upload-sm-"))
        self.fake = self._boot()
        self.client = self.fake.client()
        self.all: list[Upload] = []

    def _boot(self) -> Fake:
        return new_fake(data_dir=self.data_dir, default_fixtures=False)

    def teardown(self) -> None:
        self.client.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # --- talking to the fake --------------------------------------------------------------

    def send(
        self,
        upload: Upload,
        command: str,
        offset: int | str | None = None,
        body: bytes = b"",
    ) -> httpx.Response:
        headers = command_headers(command, offset)
        response = self.client.post(upload.url, headers=headers, content=body)
        assert "x-goog-upload-status" in response.headers, (command, response.status_code)
        return response

    def reply(
        self, upload: Upload, command: str, offset: int | str | None = None, body: bytes = b""
    ) -> tuple[httpx.Response, Reply | None]:
        """``send``, and the model's reply: None when the upload had ended (the response
        checked to say so, as ``ended`` does)."""
        response = self.send(upload, command, offset, body)
        if self.ended(upload, response):
            return response, None
        at = offset if isinstance(offset, int) else None  # "", "x", "1.0" are no offset
        return response, upload.command(command, at, len(body))

    def expect_final(self, upload: Upload, response: httpx.Response) -> None:
        """Once final, every command answers 200, status final, and the same File."""
        assert (response.status_code, response.headers["x-goog-upload-status"]) == (200, "final")
        assert response.json() == {"file": upload.file}

    def expect_cancelled(self, response: httpx.Response) -> None:
        assert response.status_code == 499, response.text
        assert response.headers["x-goog-upload-status"] == "cancelled"
        assert response.json()["error"]["status"] == "CANCELLED"

    def ended(self, upload: Upload, response: httpx.Response) -> bool:
        """Whether the upload had already ended, checking that ``response`` says so: a
        cancelled one answers every command 499, a final one 200 with its File."""
        if upload.state == "cancelled":
            self.expect_cancelled(response)
        elif upload.state == "final":
            self.expect_final(upload, response)
        else:
            return False
        return True

    def expect_refused(self, response: httpx.Response, status: str = "active") -> None:
        assert response.status_code == 400, response.text
        assert response.headers["x-goog-upload-status"] == status
        assert response.json()["error"]["status"] == "INVALID_ARGUMENT"

    def finalized(self, upload: Upload, response: httpx.Response) -> None:
        """A finalize that had every declared byte: the File describes the model's bytes."""
        assert (response.status_code, response.headers["x-goog-upload-status"]) == (200, "final")
        file = response.json()["file"]
        assert file["sizeBytes"] == str(upload.declared)
        assert file["sha256Hash"] == sha256_hash(bytes(upload.data))
        assert file["mimeType"] == upload.mime_type
        assert file["state"] == "ACTIVE"
        upload.file = file
        event(f"finalized ({'empty' if upload.declared == 0 else 'bytes'})")

    # --- rules ----------------------------------------------------------------------------

    @rule(
        target=uploads,
        size=st.one_of(st.integers(0, 16), st.integers(0, MAX_SIZE)),
        mime_type=st.sampled_from(MIME_TYPES),
    )
    def start(self, size: int, mime_type: str) -> Upload:
        headers = {**KEY, **start_headers(size, mime_type)}
        response = self.client.post(START, headers=headers, json={"file": {}})
        assert (response.status_code, response.content) == (200, b"")
        assert response.headers["x-goog-upload-status"] == "active"
        upload = Upload(
            declared=size, url=response.headers["x-goog-upload-url"], mime_type=mime_type
        )
        self.all.append(upload)
        return upload

    @rule(
        upload=uploads,
        length=st.one_of(st.integers(0, 64), st.integers(0, MAX_SIZE)),
        finalize=st.booleans(),
        seed=st.integers(0, 2**32 - 1),
    )
    def chunk(self, upload: Upload, length: int, finalize: bool, seed: int) -> None:
        """A chunk at the right offset, no larger than what is left to send."""
        length = min(length, max(upload.declared - len(upload.data), 0))
        body = random.Random(seed).randbytes(length)
        command = "upload, finalize" if finalize else "upload"

        response, expected = self.reply(upload, command, len(upload.data), body)

        if expected is not None:
            upload.data += body
            if not finalize:
                assert expected == Reply(200, "active", len(upload.data))
                assert (response.status_code, response.content) == (200, b"")
                assert response.headers["x-goog-upload-status"] == "active"
            elif len(upload.data) == upload.declared:
                assert expected == Reply(200, "final")
                self.finalized(upload, response)
            else:
                assert expected == Reply(400, "active")
                self.expect_refused(response)  # appended, but short of the declared size

    @rule(
        upload=uploads,
        offset=st.one_of(
            st.integers(-MAX_SIZE, 2 * MAX_SIZE).map(lambda d: ("delta", d)),
            st.sampled_from([None, "", "x", "0x10", "1.0"]).map(lambda v: ("raw", v)),
        ),
        length=st.integers(0, 4096),
        finalize=st.booleans(),
    )
    def chunk_at_a_wrong_offset(
        self, upload: Upload, offset: tuple[str, Any], length: int, finalize: bool
    ) -> None:
        kind, value = offset
        sent: int | str | None = len(upload.data) + value if kind == "delta" else value
        if sent == len(upload.data) or sent == str(len(upload.data)):
            sent = len(upload.data) + 1  # a wrong offset, always
        body = bytes([0xAB]) * length

        command = "upload, finalize" if finalize else "upload"
        response, expected = self.reply(upload, command, sent, body)

        if expected is not None:
            assert expected == Reply(400, "active")
            self.expect_refused(response)
            assert "X-Goog-Upload-Offset" in response.json()["error"]["message"]

    @rule(upload=uploads, extra=st.integers(1, 4096))
    def chunk_past_the_declared_size(self, upload: Upload, extra: int) -> None:
        """At the right offset, but longer than what is left: a 400. What stays is checked by
        the next query; the fake may keep nothing, or the bytes up to the declared size."""
        left = max(upload.declared - len(upload.data), 0)
        body = random.Random(extra).randbytes(left + extra)

        response, expected = self.reply(upload, "upload", len(upload.data), body)

        if expected is not None:
            assert expected == Reply(400, "active")
            self.expect_refused(response)
            received = int(self.send(upload, "query").headers["x-goog-upload-size-received"])
            assert received in (len(upload.data), upload.declared), received
            kept = "nothing" if received == len(upload.data) else "a prefix"
            event(f"past the declared size: {kept} kept")
            upload.data += body[: received - len(upload.data)]
            upload.received = received  # the model allows either

    @rule(upload=uploads)
    def query(self, upload: Upload) -> None:
        response, expected = self.reply(upload, "query")

        if expected is not None:
            assert expected == Reply(200, "active", len(upload.data))
            assert (response.status_code, response.content) == (200, b"")
            assert response.headers["x-goog-upload-status"] == "active"
            assert response.headers["x-goog-upload-size-received"] == str(len(upload.data))

    @rule(upload=uploads)
    def finalize(self, upload: Upload) -> None:
        response, expected = self.reply(upload, "finalize")

        if expected is None:
            return
        if len(upload.data) == upload.declared:
            assert expected == Reply(200, "final")
            self.finalized(upload, response)
        else:
            assert expected == Reply(400, "active")
            self.expect_refused(response)
            assert "Cannot finalize" in response.json()["error"]["message"]

    @rule(upload=uploads)
    def cancel(self, upload: Upload) -> None:
        response, expected = self.reply(upload, "cancel")

        if expected is not None:
            assert expected == Reply(200, "cancelled")
            assert response.status_code == 200
            assert response.headers["x-goog-upload-status"] == "cancelled"

    @rule(upload=uploads, command=st.sampled_from(["", "jump", "upload, jump", "start"]))
    def an_unknown_command(self, upload: Upload, command: str) -> None:
        state = upload.state
        response = self.send(upload, command)

        assert upload.command(command) == Reply(400, state)
        assert response.status_code == 400
        assert response.headers["x-goog-upload-status"] == state

    @rule(upload_id=st.sampled_from(["NOPE", "A" * 40, "..%2F..%2Fetc", "x" * 300]))
    def an_unknown_session(self, upload_id: str) -> None:
        response = self.client.post(
            f"{START}?upload_id={upload_id}&upload_protocol=resumable",
            headers={"X-Goog-Upload-Command": "query"},
        )
        assert response.status_code == 404
        assert response.headers["x-goog-upload-status"] == "final"

    @rule(target=uploads, upload=consumes(uploads))
    def forget(self, upload: Upload) -> Any:
        """Keep the bundle small: drop an upload that has ended (it stays in the invariants)."""
        return multiple() if upload.state != "active" else multiple(upload)

    @rule()
    def restart(self) -> None:
        """A new fake over the same data directory: sessions and files carry on."""
        event(f"restart with {sum(u.state == 'active' for u in self.all)} uploads active")
        self.client.close()
        self.fake = self._boot()
        self.client = self.fake.client()

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def every_active_upload_has_received_what_the_model_sent(self) -> None:
        for upload in self.all:
            if upload.state != "active":
                continue
            response = self.send(upload, "query")
            assert response.headers["x-goog-upload-status"] == "active"
            assert response.headers["x-goog-upload-size-received"] == str(len(upload.data))

    @invariant()
    def every_finalized_file_holds_the_models_bytes(self) -> None:
        for upload in self.all:
            if upload.state != "final":
                continue
            assert upload.file is not None
            name = upload.file["name"]
            got = self.client.get(f"/v1beta/{name}", headers=KEY)
            assert got.status_code == 200
            assert got.json()["sha256Hash"] == sha256_hash(bytes(upload.data))
            assert got.json()["sizeBytes"] == str(len(upload.data))
            stored = self.fake.state.store.data_path(name.removeprefix("files/")).read_bytes()
            assert stored == upload.data


UploadMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestTheUploadEndpointFollowsTheResumableProtocolModel = UploadMachine.TestCase
