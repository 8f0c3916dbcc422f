"""The JavaScript port example (``examples/js_port``): a client written for node from the docs and
the vectors alone, standard library only. Run as a port runs it, it must pass every case of the
six vector files (the request key reads requests with a seventh, the message table) and say how
many it checked, fail naming the cases when they are wrong, and pass its live run (generate,
stream, chat, upload, an API error) against the fake on a loopback port, where the fake's journal
must show what it says it sent.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conformance._vectors import VECTORS, load
from fake_server.fixtures.key import Call, request_key
from fake_server.protocol.transcode import transcode
from fake_server.pytest_plugin import Fake
from tests.kit.toolchains import require

PORT = Path(__file__).parent / "examples" / "js_port"
# Each file the port checks, and its sections of cases.
SECTIONS = {
    "sse_decoding.json": ("events", "chunks", "arrays"),
    "chat_history.json": ("curate", "conversations"),
    "box_math.json": ("to_pixels", "to_normalized", "boxes_from_response"),
    "mask_math.json": ("binarize", "decode_mask"),
    "image_tokens.json": ("cases",),
    "request_key.json": ("vectors",),
    "messages.json": (),  # no cases: the message table the request key reads requests with
}
HEADER = ("format", "description", "pins")
LIVE_STEPS = 5


@pytest.fixture(scope="module")
def node() -> str:
    require("node")
    path = shutil.which("node")
    assert path is not None
    return path


def run(node: str, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(PORT / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def total_cases() -> int:
    return sum(len(load(name)[s]) for name, sections in SECTIONS.items() for s in sections)


def verdicts(stdout: str) -> dict[str, list[str]]:
    """The ids of the passing and failing lines (``pass  <id>``, ``FAIL  <id>  <why>``)."""
    found: dict[str, list[str]] = {"pass": [], "FAIL": []}
    for line in stdout.splitlines():
        verdict, _, rest = line.partition("  ")
        if verdict in found:
            found[verdict].append(rest.split("  ")[0])
    return found


def test_the_js_port_passes_every_vector_and_says_how_many(node: str) -> None:
    done = run(node, "vectors.mjs", str(VECTORS))

    assert done.returncode == 0, done.stdout + done.stderr
    total = total_cases()
    assert done.stdout.splitlines()[-1] == f"{total} of {total} vectors pass"
    found = verdicts(done.stdout)
    assert found["FAIL"] == []
    assert len(found["pass"]) == len(set(found["pass"])) == total
    assert "request_key/vectors/the guide's basic request" in found["pass"]


def test_the_js_port_fails_with_status_1_naming_each_wrong_vector(
    node: str, tmp_path: Path
) -> None:
    # One expected value made wrong in each section the port reads differently.
    wrong: list[tuple[str, str, int, str, Any]] = [
        ("sse_decoding.json", "events", 0, "events", [{"data": "x", "event": "message", "id": ""}]),
        ("sse_decoding.json", "chunks", 0, "end", "interrupted"),
        ("chat_history.json", "curate", 2, "curated", []),
        ("chat_history.json", "conversations", 0, "sends", [[]]),
        ("box_math.json", "to_pixels", 0, "box", [0, 0, 0, 0]),
        ("mask_math.json", "decode_mask", 0, "bits", ["1111", "1111"]),
        ("image_tokens.json", "cases", 0, "tokens", 258),
        ("request_key.json", "vectors", 0, "key", "0000000000000000"),
    ]
    documents = {name: load(name) for name in SECTIONS}
    for name, section, index, key, value in wrong:
        documents[name][section][index][key] = value
    for name, document in documents.items():
        (tmp_path / name).write_text(json.dumps(document), "utf-8")

    done = run(node, "vectors.mjs", str(tmp_path))

    assert done.returncode == 1, done.stdout + done.stderr
    assert verdicts(done.stdout)["FAIL"] == [
        "sse_decoding/events/lf",
        "sse_decoding/chunks/two-chunks",
        "chat_history/curate/an-invalid-turn-goes-with-its-question",
        "chat_history/conversations/unary-turns",
        "box_math/to_pixels/0",
        "mask_math/decode_mask/0",
        "image_tokens/cases/0",
        "request_key/vectors/the guide's basic request",
    ]
    total = total_cases()
    assert done.stdout.splitlines()[-1] == f"{total - len(wrong)} of {total} vectors pass"


def test_the_js_port_reads_the_sections_by_name_whatever_the_header(
    node: str, tmp_path: Path
) -> None:
    # The sections after another header (an older layout's, a later version's), in another order.
    header = {"format": "the layout, as text", "description": "one string", "version": 2}
    for name in SECTIONS:
        document = load(name)
        sections = {k: document[k] for k in reversed(document) if k not in HEADER}
        (tmp_path / name).write_text(json.dumps({**header, **sections}), "utf-8")

    done = run(node, "vectors.mjs", str(tmp_path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == f"{total_cases()} of {total_cases()} vectors pass"


def live(node: str, fake: Fake, key: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    done = run(node, "live.mjs", fake.base_url, key)
    return done, json.loads(done.stdout.splitlines()[-1])


def test_the_js_port_live_run_passes_against_the_fake(node: str, gemini_fake_server: Fake) -> None:
    done, summary = live(node, gemini_fake_server, gemini_fake_server.env["GEMINI_API_KEY"])

    assert done.returncode == 0, done.stdout + done.stderr
    found = verdicts(done.stdout)
    assert found["FAIL"] == [] and len(found["pass"]) == LIVE_STEPS
    assert done.stdout.splitlines()[-2] == f"{LIVE_STEPS} of {LIVE_STEPS} steps pass"
    # What the port says it sent is what the fake received.
    journal = gemini_fake_server.journal.entries
    generate = [e for e in journal if e.rpc in ("generateContent", "streamGenerateContent")]
    # Its request keys are the fake's, and the stream shares the unary call's.
    assert [e.key for e in generate[:3]] == [*summary["keys"], summary["keys"][0]]
    assert "alt=sse" in generate[2].query
    chat = [e.request or {} for e in generate if e.status == 200][3:5]
    assert [len(request["contents"]) for request in chat] == [1, 3]
    assert chat[1]["contents"] == summary["chatSecondRequest"]
    (upload,) = gemini_fake_server.uploads()
    assert (upload.display_name, upload.mime_type) == ("note.txt", "text/plain")
    assert upload.commands == ["upload, finalize"]
    assert (upload.status, upload.file_name) == ("final", summary["file"])
    assert [e.method for e in journal if summary["file"].split("/")[1] in e.path] == [
        "GET",
        "DELETE",
        "GET",
    ]


@pytest.mark.gemini_fake(api_keys=["the-right-key"])
def test_the_js_port_live_run_fails_each_step_on_a_refused_key(
    node: str, gemini_fake_server: Fake
) -> None:
    done, _ = live(node, gemini_fake_server, "a-wrong-key")

    assert done.returncode == 1, done.stdout + done.stderr
    found = verdicts(done.stdout)
    assert len(found["FAIL"]) == LIVE_STEPS and found["pass"] == []
    assert "400 INVALID_ARGUMENT: API key not valid" in done.stdout


# --- the request key on requests no vector holds -------------------------------------------

# Numbers where spellings part: float32 ties and double roundings, exponent forms, big wholes.
EDGE_NUMBERS = (1.00390625, 0.134364244112, 1e-05, 0.0001, 1e16, 1.5e16, 1e21, 3.4028235e38)


def generated_requests(seed: int, count: int) -> list[dict[str, Any]]:
    """Requests in client spellings with numbers and data at the edges of the key's rules."""
    rng = random.Random(seed)

    def number() -> float | int:
        pick = rng.randrange(6)
        if pick == 0:
            return rng.choice(EDGE_NUMBERS)
        if pick == 1:
            return rng.randint(-(10**6), 10**6)
        if pick == 2:
            return rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 20)
        if pick == 3:
            return rng.randint(0, 2**24) / 2.0 ** rng.randint(0, 40)  # float32 values
        return round(rng.random() * 2, rng.randint(1, 12))

    def data(depth: int = 0) -> Any:
        pick = rng.randrange(10)
        if depth > 2 or pick < 4:
            return rng.choice([None, True, "text", number(), number()])
        names = ["a", "city_name", "thoughtSignature", "id", "candidateCount", "fileUri"]
        if pick < 7:
            return {rng.choice(names): data(depth + 1) for _ in range(rng.randint(0, 3))}
        return [data(depth + 1) for _ in range(rng.randint(0, 3))]

    requests = []
    for _ in range(count):
        call = {"name": "f", "args": {"k": data(), "m": data()}}
        temperature = abs(number())
        requests.append(
            {
                "contents": [
                    {"parts": {"text": "hi"}},
                    {"role": "model", "parts": [{"function_call": call}]},
                ],
                "generation_config": {
                    "temperature": str(temperature) if rng.random() < 0.3 else temperature,
                    "top_p": abs(number()),
                    "candidate_count": rng.choice([1, 2, "1"]),
                },
                "tool_config": {"retrieval_config": {"lat_lng": {"latitude": number()}}},
            }
        )
    return requests


def test_the_js_ports_request_key_is_the_fakes_on_generated_requests(
    node: str, tmp_path: Path
) -> None:
    requests = generated_requests(seed=20, count=300)
    (tmp_path / "requests.json").write_text(json.dumps(requests), "utf-8")
    script = (
        f"import {{ requestKey }} from {json.dumps((PORT / 'key.mjs').as_uri())};\n"
        'import { readFileSync } from "node:fs";\n'
        "const requests = JSON.parse(readFileSync(process.argv[1], 'utf8'));\n"
        "console.log(JSON.stringify(requests.map((r) => requestKey('generateContent', 'm', r))));"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", script, str(tmp_path / "requests.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    keys = json.loads(done.stdout)
    expected = [
        request_key(Call("generateContent", "m", transcode(r, "GenerateContentRequest")))
        for r in requests
    ]
    differing = [r for r, got, want in zip(requests, keys, expected, strict=True) if got != want]
    assert differing == [], json.dumps(differing[:2])
