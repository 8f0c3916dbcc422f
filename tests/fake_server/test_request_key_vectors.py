"""conformance/vectors/request_key.json: the request key's worked examples hold for the fake."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from fake_server.fixtures.key import Call, canonical_request, request_key
from fake_server.protocol.transcode import transcode

VECTORS = Path(__file__).parents[2] / "conformance" / "vectors" / "request_key.json"
DOC = json.loads(VECTORS.read_text("utf-8"))


@pytest.mark.parametrize("vector", DOC["vectors"], ids=lambda v: v["name"])
def test_each_vector_has_its_canonical_form_and_key(vector: dict[str, Any]) -> None:
    rpc, model = vector["rpc"], vector["model"]
    body = canonical_request(transcode(vector["request"], "GenerateContentRequest"))
    folded = [rpc.replace("stream", "").lower(), model.removeprefix("models/"), body]
    text = json.dumps(folded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == vector["canonical"]
    assert hashlib.sha256(text.encode()).hexdigest()[:16] == vector["key"]
    call = Call(rpc, model, transcode(vector["request"], "GenerateContentRequest"))
    assert request_key(call) == vector["key"]


def test_the_vectors_pair_spellings_of_one_request_and_part_different_ones() -> None:
    by_key: dict[str, list[str]] = {}
    for vector in DOC["vectors"]:
        by_key.setdefault(vector["key"], []).append(vector["name"])
    shared = sorted(names for names in by_key.values() if len(names) > 1)
    assert len(shared) == 8 and sum(map(len, shared)) == 17
    assert len(by_key) == len(DOC["vectors"]) - 9
