"""``vectors/request_key.json`` over HTTP: spellings of one request are one request to the target.

The file (see its ``description``) pairs requests written differently (casing, base64 alphabet,
defaults, ``models/`` prefixes, streamed or not) that share a canonical key. Sent to the target,
requests with one key must get one answer (on a fake, a synthetic one: seeded by the request,
it would differ had the spellings been read as different requests). On a fake, the journal must
show the vector's key for each request, so different keys are told apart too.
(tests/fake_server/test_request_key_vectors.py checks the key function itself.)
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

import gemini_ref
from conformance._target import DEFAULT_FAKE, Target
from conformance._vectors import load
from fake_server.model.images import encode_png

VECTORS = load("request_key.json")["vectors"]
GROUPS: dict[str, list[dict[str, Any]]] = {}
for _vector in VECTORS:
    GROUPS.setdefault(_vector["key"], []).append(_vector)


def path_of(vector: dict[str, Any]) -> str:
    model: str = vector["model"]
    name = model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"
    return f"/v1beta/{name}:{vector['rpc']}"


def listed(value: Any) -> list[Any]:
    """A list as the service reads one: a lone value is a list of one."""
    return value if isinstance(value, list) else [value]


def upload_named_files(target: Target, vector: dict[str, Any]) -> None:
    """The files a vector's ``fileData`` parts name, uploaded under those names (once)."""
    client = target.client()
    for content in listed(vector["request"]["contents"]):
        for part in listed(content["parts"]):
            data = part.get("fileData") or part.get("file_data")
            if data is None:
                continue
            name = (data.get("fileUri") or data.get("file_uri")).rsplit("/", 1)[-1]
            mime_type = data.get("mimeType") or data.get("mime_type")
            try:
                client.files.get(name=f"files/{name}")
            except gemini_ref.errors.APIError:
                png = encode_png(2, 2, bytes(4))
                client.files.upload(
                    file=io.BytesIO(png), config={"name": name, "mime_type": mime_type}
                )


def answer_text(target: Target, vector: dict[str, Any]) -> tuple[int, str]:
    """The status and the answer's text (a stream's chunks joined)."""
    upload_named_files(target, vector)
    streamed = vector["rpc"] == "streamGenerateContent"
    params = {"alt": "sse"} if streamed else {}
    reply = target.http(key=True).post(path_of(vector), params=params, json=vector["request"])
    if reply.status_code != 200:
        return reply.status_code, reply.text
    bodies = (
        [json.loads(line[6:]) for line in reply.text.split("\r\n\r\n") if line]
        if streamed
        else [reply.json()]
    )
    texts = [
        part.get("text", "")
        for body in bodies
        for part in body["candidates"][0].get("content", {}).get("parts", [])
        if not part.get("thought")
    ]
    return 200, "".join(texts)


@pytest.mark.parametrize(
    "group", [pytest.param(g, id=g[0]["name"]) for g in GROUPS.values() if len(g) > 1]
)
def test_spellings_of_one_request_get_one_answer(
    target: Target, group: list[dict[str, Any]]
) -> None:
    if not target.deterministic:
        pytest.skip("the real model answers differently each time")
    if target.is_fake:  # synthetic answers, seeded by the request: no fixture hides a difference
        target.configure(**DEFAULT_FAKE, default_fixtures=False)
    answers = [answer_text(target, vector) for vector in group]

    assert answers[0][0] == 200, answers[0][1]
    assert all(answer == answers[0] for answer in answers), [v["name"] for v in group]


@pytest.mark.parametrize("vector", [pytest.param(v, id=v["name"]) for v in VECTORS])
def test_the_fake_journals_the_vectors_key(target: Target, vector: dict[str, Any]) -> None:
    journal = target.journal  # skips on a URL target
    answer_text(target, vector)

    assert journal.last().key == vector["key"]
