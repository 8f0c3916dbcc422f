"""Matching: the canonical request key, FIFO sequences, precedence, the admin API and the
journal helpers tests assert with."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server.fixtures.key import Call, request_key
from fake_server.model.images import encode_png
from fake_server.pytest_plugin import Fake
from tests.kit.fakes import KEY, ask, new_fake

GENERATE = "/v1beta/models/gemini-2.5-flash:generateContent"
STREAM = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
PNG = base64.b64encode(encode_png(16, 16, bytes(range(256)))).decode()
assert {"+", "/"} & set(PNG), "the URL-safe variant below must differ from the standard one"


def key(request: dict[str, Any], rpc: str = "generateContent") -> str:
    from fake_server.protocol.transcode import transcode

    return request_key(Call(rpc, "gemini-2.5-flash", transcode(request, "GenerateContentRequest")))


BASE: dict[str, Any] = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "Describe this."},
                {"inlineData": {"mimeType": "image/png", "data": PNG}},
            ],
        }
    ],
    "generationConfig": {"temperature": 0.95, "topK": 20},
}


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(
            {
                "generation_config": {"top_k": 20.0, "temperature": 0.949999988079071},
                "contents": [
                    {
                        "parts": [
                            {"text": "Describe this."},
                            {
                                "inline_data": {
                                    "mime_type": "image/png",
                                    "data": base64.urlsafe_b64encode(base64.b64decode(PNG))
                                    .decode()
                                    .rstrip("="),
                                }
                            },
                        ]
                    }
                ],
            },
            id="snake-case-urlsafe-base64-float32-no-role",
        ),
        pytest.param(
            {
                **BASE,
                "generationConfig": {
                    **BASE["generationConfig"],
                    "candidateCount": 1,
                    "responseMimeType": "text/plain",
                    "thinkingConfig": {"includeThoughts": False},
                    "stopSequences": [],
                },
                "tools": [],
                "systemInstruction": {"role": "user", "parts": []},
            },
            id="defaults-and-empties",
        ),
        pytest.param(
            {
                "contents": [
                    {
                        **BASE["contents"][0],
                        "parts": [
                            {**BASE["contents"][0]["parts"][0], "thoughtSignature": "c2lnbmF0dXJl"},
                            BASE["contents"][0]["parts"][1],
                        ],
                    }
                ],
                "generationConfig": {"topK": 20, "temperature": 0.95},
            },
            id="volatile-signature-and-key-order",
        ),
    ],
)
def test_the_key_folds_what_does_not_change_the_request(variant: dict[str, Any]) -> None:
    assert key(variant) == key(BASE)
    assert key(variant, "streamGenerateContent") == key(BASE)


@pytest.mark.parametrize(
    "changed",
    [
        {**BASE, "generationConfig": {"temperature": 0.9, "topK": 20}},
        {**BASE, "generationConfig": {**BASE["generationConfig"], "candidateCount": 2}},
        {**BASE, "generationConfig": {**BASE["generationConfig"], "presencePenalty": 0.5}},
        {"contents": [{"role": "user", "parts": [{"text": "Describe this!"}]}]},
    ],
)
def test_the_key_tells_different_requests_apart(changed: dict[str, Any]) -> None:
    assert key(changed) != key(BASE)


def write(directory: Path, name: str, fixture: dict[str, Any]) -> None:
    (directory / f"{name}.json").write_text(json.dumps(fixture))


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["candidates"][0]["content"]["parts"][0]["text"])


def streamed_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    events = [json.loads(line[6:]) for line in response.text.split("\r\n") if line]
    return "".join(e["candidates"][0]["content"]["parts"][0].get("text", "") for e in events)


@pytest.fixture
def sequences(tmp_path: Path) -> Path:
    for n in (1, 2, 3):
        write(
            tmp_path,
            f"die-{n}",
            {"match": {"lastUserText": "Roll"}, "sequence": n, "answer": {"text": f"die {n}"}},
        )
    for n in (1, 2):
        write(
            tmp_path,
            f"coin-{n}",
            {
                "match": {"lastUserText": "Flip"},
                "sequence": n,
                "answer": {"text": ("heads", "tails")[n - 1]},
            },
        )
    return tmp_path


def sequence_fake(directory: Path) -> Fake:

    return new_fake(fixture_dirs=(directory,))


def test_a_sequence_answers_in_order_then_repeats_its_last(sequences: Path) -> None:
    client = sequence_fake(sequences).client(headers=KEY)
    rolls = [text_of(client.post(GENERATE, json=ask("Roll"))) for _ in range(5)]
    assert rolls == ["die 1", "die 2", "die 3", "die 3", "die 3"]


def test_sequences_count_on_their_own_and_across_unary_and_stream(sequences: Path) -> None:
    fake = sequence_fake(sequences)
    client = fake.client(headers=KEY)
    got = [
        text_of(client.post(GENERATE, json=ask("Flip"))),
        text_of(client.post(GENERATE, json=ask("Roll"))),
        streamed_text(client.post(STREAM, json=ask("Roll"))),
        text_of(client.post(GENERATE, json=ask("Flip"))),
        text_of(client.post(GENERATE, json=ask("Flip"))),
    ]
    assert got[0:2] == ["heads", "die 1"]
    assert got[2] == "die 2"
    assert got[3:] == ["tails", "tails"]
    assert [c.answered_by for c in fake.calls()] == [
        "fixture:coin-1",
        "fixture:die-1",
        "fixture:die-2",
        "fixture:coin-2",
        "fixture:coin-2",
    ]


def test_the_admin_api_lists_sequences_and_starts_them_over(sequences: Path) -> None:
    fake = sequence_fake(sequences)
    client = fake.client(headers=KEY)
    for _ in range(2):
        client.post(GENERATE, json=ask("Roll"))
    listed = client.get("/__fake__/fixtures").json()["fixtures"]
    die = next(f for f in listed if f["names"][0] == "die-1")
    assert die["names"] == ["die-1", "die-2", "die-3"] and die["served"] == die["answered"] == 2
    coin = next(f for f in listed if f["names"][0] == "coin-1")
    assert coin["served"] == coin["answered"] == 0
    assert client.post("/__fake__/reset").json() == {}
    assert client.get("/__fake__/journal").json() == {"entries": [], "lastSeq": 2, "resets": 1}
    assert text_of(client.post(GENERATE, json=ask("Roll"))) == "die 1"


def test_hand_written_fixtures_outrank_recorded_ones(tmp_path: Path) -> None:
    recorded = {
        "recorded": {"upstream": "http://upstream/v1beta/models/gemini-2.5-flash:generateContent"},
        "match": {"rpc": "generateContent", "model": "gemini-2.5-flash", "request": ask("Q")},
        "answer": {"text": "recorded"},
    }
    write(tmp_path, "a-recorded", recorded)
    client = sequence_fake(tmp_path).client(headers=KEY)
    assert text_of(client.post(GENERATE, json=ask("Q"))) == "recorded"
    write(tmp_path, "z-by-hand", {"match": {"lastUserText": "Q"}, "answer": {"text": "by hand"}})
    client = sequence_fake(tmp_path).client(headers=KEY)
    assert text_of(client.post(GENERATE, json=ask("Q"))) == "by hand"


def test_a_request_condition_matches_the_same_request_in_any_spelling(tmp_path: Path) -> None:
    write(tmp_path, "exact", {"match": {"request": BASE}, "answer": {"text": "exact"}})
    client = sequence_fake(tmp_path).client(headers=KEY)
    same = {
        "contents": [
            {
                "parts": [
                    {"text": "Describe this."},
                    {"inline_data": {"mime_type": "image/png", "data": PNG}},
                ]
            }
        ],
        "generation_config": {"top_k": 20, "temperature": 0.949999988079071, "candidate_count": 1},
    }
    assert text_of(client.post(GENERATE, json=same)) == "exact"
    other = {**same, "generation_config": {"top_k": 21, "temperature": 0.95}}
    assert text_of(client.post(GENERATE, json=other)) != "exact"


def test_a_recorded_error_then_success_exercises_a_retry(tmp_path: Path) -> None:
    error = {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}
    write(
        tmp_path,
        "busy-1",
        {
            "match": {"lastUserText": "Hi"},
            "sequence": 1,
            "status": 503,
            "response": {"error": error},
        },
    )
    write(
        tmp_path,
        "busy-2",
        {"match": {"lastUserText": "Hi"}, "sequence": 2, "answer": {"text": "Hello!"}},
    )
    fake = sequence_fake(tmp_path)
    client = fake.client(headers=KEY)
    first = client.post(GENERATE, json=ask("Hi"))
    assert (first.status_code, first.json()) == (503, {"error": error})
    assert text_of(client.post(GENERATE, json=ask("Hi"))) == "Hello!"
    assert [c.answered_by for c in fake.calls()] == ["fixture:busy-1", "fixture:busy-2"]


@pytest.mark.parametrize(
    "fixture, message",
    [
        ({"status": 429, "answer": {"text": "x"}}, '"response" is the error envelope'),
        (
            {"status": 429, "response": {"error": {"code": 400, "message": "m", "status": "S"}}},
            '"response" is the error envelope',
        ),
        ({"sequence": "first", "answer": {"text": "x"}}, '"sequence" is a whole number'),
        ({"match": {"request": [1]}, "answer": {"text": "x"}}, '"request" is a whole request'),
    ],
)
def test_unusable_recorded_fields_stop_the_fake(
    tmp_path: Path, fixture: dict[str, Any], message: str
) -> None:
    from fake_server import FakeConfig, create_app
    from fake_server.fixtures.format import FixtureError

    write(tmp_path, "bad", fixture)
    with pytest.raises(FixtureError, match=message):
        create_app(FakeConfig(fixture_dirs=(tmp_path,)))


def test_the_journal_gives_generate_calls_parsed(gemini_fake: Fake) -> None:
    client = gemini_fake.client(headers=KEY)
    client.post(
        "/v1beta/models/gemini-2.5-pro:generateContent",
        json={
            "system_instruction": {"parts": [{"text": "You are a cat."}]},
            "contents": [
                {"role": "user", "parts": [{"text": "Hello"}]},
                {"role": "model", "parts": [{"text": "Meow."}]},
                {"role": "user", "parts": [{"text": "Your name?"}]},
            ],
            "generation_config": {"temperature": 0.1},
        },
    ).raise_for_status()
    client.post(STREAM, json=ask("Stream it")).raise_for_status()
    first, second = gemini_fake.calls()
    assert (first.model, first.stream, second.model, second.stream) == (
        "gemini-2.5-pro",
        False,
        "gemini-2.5-flash",
        True,
    )
    assert first.system_instruction == "You are a cat."
    assert first.config == {"temperature": 0.1}
    assert first.history == [("user", "Hello"), ("model", "Meow."), ("user", "Your name?")]
    assert first.last_user_text == "Your name?"
    assert gemini_fake.last_call().last_user_text == "Stream it"
    assert [c.model for c in gemini_fake.calls("gemini-2.5-pro")] == ["gemini-2.5-pro"]


def test_the_journal_gives_upload_sessions_with_their_steps(gemini_fake: Fake) -> None:
    import gemini_ref

    client = gemini_ref.Client(api_key="test-key", http_client=gemini_fake.client())
    data = b"x" * (8 * 1024 * 1024 + 10)
    uploaded = client.files.upload(
        file=io.BytesIO(data), config={"mime_type": "text/plain", "display_name": "notes"}
    )
    (session,) = gemini_fake.uploads()
    assert session.display_name == "notes"
    assert (session.declared_size, session.mime_type) == (len(data), "text/plain")
    assert session.commands == ["upload", "upload, finalize"]
    assert session.bytes_sent == len(data)
    assert (session.status, session.file_name) == ("final", uploaded.name)


@pytest.mark.parametrize("strict", [True, False])
def test_the_journal_explains_a_miss(strict: bool) -> None:

    fake = new_fake(strict=strict, default_fixtures=True)
    fake.client(headers=KEY).post(GENERATE, json=ask("How does AI works?"))
    entry = fake.journal.last()
    assert entry.answered_by == ("error:FAILED_PRECONDITION" if strict else "synthetic")
    assert entry.extra["miss"] == {
        "key": entry.key,
        "nearest": "guide-how-does-ai-work",
        "source": "default/guide-how-does-ai-work.json",
        "differences": ['lastUserText: fixture "How does AI work?", request "How does AI works?"'],
    }
    # a repeat answered from the memo is journaled the same way
    fake.client(headers=KEY).post(GENERATE, json=ask("How does AI works?"))
    assert fake.journal.last().extra == entry.extra


def test_a_users_recording_outranks_a_shipped_hand_written_fixture(tmp_path: Path) -> None:
    recorded = {
        "recorded": {"upstream": "http://upstream/v1beta/models/gemini-2.5-flash:generateContent"},
        "match": {"rpc": "generateContent", "request": ask("How does AI work?")},
        "answer": {"text": "recorded"},
    }
    write(tmp_path, "recorded", recorded)
    client = sequence_fake(tmp_path).client(headers=KEY)  # the shipped fixtures are loaded
    assert text_of(client.post(GENERATE, json=ask("How does AI work?"))) == "recorded"


def test_a_miss_against_a_whole_request_names_the_fields_that_differ(tmp_path: Path) -> None:

    long_prompt = "Summarise the plot of Hamlet in two sentences, for a reader of twelve."
    recorded = {**ask(long_prompt), "generationConfig": {"temperature": 0.5, "topK": 3}}
    write(tmp_path, "hamlet", {"match": {"request": recorded}, "answer": {"text": "x"}})
    fake = new_fake(fixture_dirs=(tmp_path,), strict=True)
    sent = {**ask(long_prompt), "generationConfig": {"temperature": 0.6, "topP": 0.9}}
    error = fake.client(headers=KEY).post(GENERATE, json=sent).json()["error"]
    assert (
        "which differs in request.generationConfig.temperature: fixture 0.5, request 0.6; "
        "request.generationConfig.topK: fixture 3, request (absent); "
        "request.generationConfig.topP: fixture (absent), request 0.9."
    ) in error["message"]


def test_a_conversation_streamed_chunk_by_chunk_matches_it_written_whole(tmp_path: Path) -> None:
    whole = [
        {"role": "user", "parts": [{"text": "Hello"}]},
        {"role": "model", "parts": [{"text": "Great to meet you."}]},
        {"role": "user", "parts": [{"text": "How many paws?"}]},
    ]
    write(tmp_path, "paws", {"match": {"contents": whole}, "answer": {"text": "Eight."}})
    client = sequence_fake(tmp_path).client(headers=KEY)
    as_streamed = [
        whole[0],
        {"role": "model", "parts": [{"text": "Great to "}]},
        {"role": "model", "parts": [{"text": "meet you."}]},
        {"role": "model", "parts": [{"text": "", "thoughtSignature": "c2lnbmF0dXJl"}]},
        whole[2],
    ]
    model = "/v1beta/models/gemini-3-flash-preview:generateContent"
    assert text_of(client.post(model, json={"contents": as_streamed})) == "Eight."


def test_a_model_only_a_users_fixture_names_is_replayed_not_refused(tmp_path: Path) -> None:
    write(
        tmp_path,
        "newer",
        {"match": {"model": "gemini-9-flash", "lastUserText": "Hi"}, "answer": {"text": "Hello"}},
    )
    client = sequence_fake(tmp_path).client(headers=KEY)
    newer = "/v1beta/models/gemini-9-flash:generateContent"
    answer = client.post(newer, json=ask("Hi"))
    assert text_of(answer) == "Hello" and answer.json()["modelVersion"] == "gemini-9-flash"
    streamed = client.post(
        newer.replace("generateContent", "streamGenerateContent?alt=sse"), json=ask("Hi")
    )
    assert streamed_text(streamed) == "Hello"
    # other models, and other methods on this one, are still unknown
    assert (
        client.post("/v1beta/models/gemini-8-flash:generateContent", json=ask("Hi")).status_code
        == 404
    )
    assert client.get("/v1beta/models/gemini-9-flash").status_code == 404


def test_a_recording_matches_by_its_request_whatever_key_its_file_name_carries(
    tmp_path: Path,
) -> None:
    # A recording keeps the request as transcoded, and matching folds both sides with today's
    # rules: one made when the key dropped nulls and rounded numbers inside args still matches.
    turn = {
        "role": "model",
        "parts": [{"functionCall": {"name": "f", "args": {"note": None, "x": 0.1234567891}}}],
    }
    request = {"contents": [*ask("Call f")["contents"], turn, *ask("Go on")["contents"]]}
    fixture = {"match": {"rpc": "generateContent", "request": request}, "answer": {"text": "old"}}
    write(tmp_path, "call-f-0123456789abcdef", fixture)
    client = sequence_fake(tmp_path).client(headers=KEY)

    assert text_of(client.post(GENERATE, json=request)) == "old"
    without_null = json.loads(json.dumps(request))
    del without_null["contents"][1]["parts"][0]["functionCall"]["args"]["note"]
    assert text_of(client.post(GENERATE, json=without_null)) != "old"
