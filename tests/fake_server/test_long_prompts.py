"""Long prompts are answered as short ones are, without holding the fake up: the shortcuts the
fake takes for them give exactly what the plain definitions give."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from fake_server.fixtures import matching
from fake_server.model import tokens
from fake_server.model.synthesis import topic_of

TEXT = st.text(st.sampled_from("ab_1 \t\n.,!?é日本٣\u00a0xyz"), max_size=400)


def counted_piece_by_piece(text: str) -> int:
    """The definition: a word is a token per six characters, any other visible one a token."""
    return sum(tokens.piece_tokens(piece) for piece in tokens.pieces(text))


@given(TEXT, st.integers(1, 50))
def test_counting_a_chunk_at_a_time_gives_the_definitions_count(text: str, chunk: int) -> None:
    before = tokens.CHUNK_CHARS
    tokens.CHUNK_CHARS = chunk  # small chunks: every way a text can be cut between words
    try:
        assert tokens._count(text) == counted_piece_by_piece(text)
    finally:
        tokens.CHUNK_CHARS = before


def topic_read_whole(texts: list[str]) -> str:
    """The definition: the whole turn collapsed, stripped, and cut to 80 characters."""
    text = re.sub(r"\s+", " ", " ".join(texts)).strip().rstrip("?.!:")
    if not text:
        return "the material you shared"
    return text if len(text) <= 80 else text[:80].rsplit(" ", 1)[0] + "…"


@given(st.lists(st.text(st.sampled_from("ab ?.!:\t\n\u00a0é"), max_size=300), max_size=3))
def test_the_topic_read_from_the_head_of_a_prompt_is_the_topic_of_all_of_it(
    texts: list[str],
) -> None:
    request = {"contents": [{"role": "user", "parts": [{"text": text} for text in texts]}]}
    assert topic_of(request) == topic_read_whole(texts)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3000),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@given(JSON)
def test_a_miss_compares_the_same_first_characters_however_large_the_body(value: Any) -> None:
    whole = json.dumps(value, sort_keys=True, ensure_ascii=False)[: matching.COMPARED_CHARS]
    assert matching._head(value) == whole


def test_a_prompt_near_the_size_limit_is_counted_and_answered(client: httpx.Client) -> None:
    text = "word " * 4_000_000 + "How long is this?"
    body = {"contents": [{"parts": [{"text": text}]}]}
    counted = client.post("/v1beta/models/gemini-2.5-flash:countTokens", json=body)
    assert counted.status_code == 200
    assert counted.json()["totalTokens"] == 4_000_000 + 5  # four words and a question mark
    answered = client.post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)
    assert answered.status_code == 200
    assert answered.json()["usageMetadata"]["promptTokenCount"] == 4_000_005
    assert "How long is this" not in answered.text  # the topic is the prompt's head
