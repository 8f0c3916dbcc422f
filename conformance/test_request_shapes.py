"""Request shapes: for every Python example of the guide, what ``gemini_ref`` sends is what the
official SDK (``google-genai``) sends, once read the way the service reads it.

The examples (``conformance/_guide.py``) are the guide's code, verbatim but for the imports and
the paths. Each library runs them through an httpx client of ours, whose request hook keeps the
requests as sent; the SDK is asked for ``v1beta``, the version gemini_ref, the JS SDK and the
REST docs use (the Python SDK's default is ``v1``; the paths are otherwise the same).

* The snapshots (``__snapshots__/test_request_shapes/``) pin what each library sends, as sent:
  the SDK's snake_case inside objects, its URL-safe base64, its ``"generationConfig": {}``,
  its upload headers repeated on every chunk. They are recorded against the fake in process
  and do not depend on the target. Update with ``pytest conformance --snapshot-update``.
* Against the target, both libraries run each example and their requests must read the same
  (``_capture.canonical``). On the fake targets each library gets a fresh fake, so uploads get
  the same ids and the app must show the same (what it prints, the files it writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google import genai
from google.genai import types as sdk_types
from syrupy.assertion import SnapshotAssertion

import gemini_ref
from conformance._capture import Placeholders, Recorder, canonical, shape
from conformance._guide import SCRIPTS, Assets, Run, guide_code, read_guide
from conformance._guide import run as run_example
from conformance._target import DEFAULT_FAKE, Target

LIBRARIES: dict[str, tuple[Any, Any]] = {
    "gemini_ref": (gemini_ref, gemini_ref.types),
    "google-genai": (genai, sdk_types),
}


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Assets:
    return Assets.make(tmp_path_factory.mktemp("guide"))


def run(example: str, library: str, target: Target, assets: Assets) -> tuple[Run, Recorder]:
    """The example run with ``library`` against ``target``: what the app did, what was sent."""
    recorder = Recorder()
    module, types = LIBRARIES[library]
    if library == "gemini_ref":
        client = target.client(on_request=[recorder])
    else:
        client = target.sdk(on_request=[recorder])
    return run_example(example, module, types, client, assets), recorder


def names_for(target: Target, assets: Assets) -> Placeholders:
    sizes = {
        path.stat().st_size: path.name
        for path in Path(assets.directory).iterdir()
        if path.is_file()
    }
    return Placeholders(target.base_url, sizes)


def mask_model_turns(request: dict[str, Any]) -> dict[str, Any]:
    """The real model answers differently each time: its turns are compared by role only."""
    body = request.get("body")
    if isinstance(body, dict) and "contents" in body:
        body["contents"] = [
            c if c.get("role") != "model" else {"role": "model", "parts": "<the model's answer>"}
            for c in body["contents"]
        ]
    return request


def test_the_examples_are_still_the_guides() -> None:
    assert [script.text for script in SCRIPTS.values()] == guide_code(read_guide(), "Python")


# --- the snapshots: each library, as sent -----------------------------------------------------


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("example", SCRIPTS)
def test_what_a_guide_example_sends(
    example: str,
    library: str,
    fake_in_process: Target,
    assets: Assets,
    snapshot: SnapshotAssertion,
) -> None:
    _, recorder = run(example, library, fake_in_process, assets)

    names = names_for(fake_in_process, assets)
    assert [shape(sent, names) for sent in recorder.sent] == snapshot


# --- against the target: the same requests -------------------------------------------------


@pytest.mark.parametrize("example", SCRIPTS)
def test_gemini_ref_sends_what_the_sdk_sends(example: str, target: Target, assets: Assets) -> None:
    ours, ours_sent = run(example, "gemini_ref", target, assets)
    if target.is_fake:  # the SDK gets a fake in the same state: the same file ids
        target.configure(**DEFAULT_FAKE)
    theirs, sdk_sent = run(example, "google-genai", target, assets)

    ours_requests = [canonical(s, names_for(target, assets)) for s in ours_sent.sent]
    sdk_requests = [canonical(s, names_for(target, assets)) for s in sdk_sent.sent]
    if not target.deterministic:
        ours_requests = [mask_model_turns(r) for r in ours_requests]
        sdk_requests = [mask_model_turns(r) for r in sdk_requests]
    assert ours_requests == sdk_requests
    if target.is_fake:
        assert ours.shown == theirs.shown, "the same requests got different answers"


def test_an_upload_from_a_path_names_the_file_as_the_sdk_does(
    fake_in_process: Target, assets: Assets
) -> None:
    _, ours = run("uploaded_image", "gemini_ref", fake_in_process, assets)
    _, theirs = run("uploaded_image", "google-genai", fake_in_process, assets)

    assert theirs.sent[0].headers.get("x-goog-upload-file-name") == "sample.jpg"
    assert ours.sent[0].headers.get("x-goog-upload-file-name") == "sample.jpg"
