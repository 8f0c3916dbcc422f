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
    assert len(shared) == 12 and sum(map(len, shared)) == 25
    assert len(by_key) == len(DOC["vectors"]) - 13


# --- the rules the vectors show, on requests of their own ---------------------------------


def canonical(request: dict[str, Any]) -> dict[str, Any]:
    return canonical_request(transcode(request, "GenerateContentRequest"))


def call_turn(args: Any, response: Any) -> dict[str, Any]:
    return {
        "contents": [
            {"role": "model", "parts": [{"functionCall": {"name": "f", "args": args}}]},
            {"parts": [{"functionResponse": {"name": "f", "response": response}}]},
        ]
    }


def test_the_callers_data_keeps_every_key_and_value_the_fields_around_it_fold() -> None:
    data = {
        "thoughtSignature": "s",
        "candidateCount": 1,
        "includeThoughts": False,
        "id": "x",
        "note": None,
        "tags": [],
        "extra": {},
        "file_uri": "https://host/v1beta/files/abc",
        "nested": {"responseMimeType": "text/plain", "empty": {}},
    }
    folded = canonical(call_turn(data, data))

    call, answer = (turn["parts"][0] for turn in folded["contents"])
    assert call["functionCall"]["args"] == data
    assert answer["functionResponse"]["response"] == data


def test_numbers_in_data_are_doubles_and_float_fields_float32() -> None:
    # 16777217.5 is no float32 (the nearest is 16777218); a double keeps it.
    request = call_turn({"x": 16777217.5, "whole": 16777217.0}, {"y": 0.1})
    request["generationConfig"] = {"temperature": 16777217.5, "topP": 0.7624084949493408}
    request["toolConfig"] = {"retrievalConfig": {"latLng": {"latitude": 48.85661315917969}}}

    folded = canonical(request)

    assert folded["contents"][0]["parts"][0]["functionCall"]["args"] == {
        "x": 16777217.5,
        "whole": 16777217,
    }
    assert folded["generationConfig"] == {"temperature": 16777218, "topP": 0.7624085}
    assert folded["toolConfig"]["retrievalConfig"]["latLng"] == {"latitude": 48.85661315917969}
    assert isinstance(folded["contents"][0]["parts"][0]["functionCall"]["args"]["whole"], int)


def test_a_schemas_property_names_are_kept_whatever_they_are() -> None:
    schema = {
        "type": "object",
        "properties": {"thoughtSignature": {"type": "string"}, "anything": {}},
    }
    request = {"tools": [{"functionDeclarations": [{"name": "f", "parameters": schema}]}]}

    parameters = canonical(request)["tools"][0]["functionDeclarations"][0]["parameters"]

    assert parameters == {
        "type": "OBJECT",
        "properties": {"thoughtSignature": {"type": "STRING"}, "anything": {}},
    }


def test_the_fields_of_a_message_still_fold() -> None:
    request = {
        "contents": [{"parts": [{"text": "hi", "thoughtSignature": "c2ln"}]}],
        "generationConfig": {"candidateCount": 1, "stopSequences": [], "seed": None},
        "toolConfig": {},
    }
    assert canonical(request) == {"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}


def test_the_transcoder_reads_whole_numbers_in_data_as_the_integers_they_equal() -> None:
    body = transcode(call_turn({"n": 10.0, "m": [2.0, 2.5]}, {"ok": True}), "CountTokensRequest")

    args = body["contents"][0]["parts"][0]["functionCall"]["args"]
    assert args == {"n": 10, "m": [2, 2.5]}
    assert isinstance(args["n"], int) and isinstance(args["m"][0], int)
