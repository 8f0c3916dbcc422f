"""Record mode: a second fake stands in for the real service as the upstream.

The official Python SDK talks to the recorder with a secret key; the recordings are then replayed
by a strict fake, and the SDK must parse the same responses, unary and streamed. The key must be
nowhere on disk.
"""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from fake_server import cli, create_app
from fake_server.config import FakeConfig
from fake_server.fixtures.lint import lint_directories
from fake_server.record import RecordConfig, create_record_app
from fake_server.server import ThreadedServer

SECRET = "AIzaSyD-recorded-key-must-never-reach-disk0"  # also shaped like a Google API key
MODEL = "gemini-2.5-flash"
HTTP = {"sdk_http_response"}  # headers such as Date differ from call to call
PROMPTS = ["How does AI work?", "Explain recursion in a sentence.", "Write a haiku about rain."]


@pytest.fixture
def upstream_fixtures(tmp_path: Path) -> Path:
    """Hand-written upstream answers: a die that rolls 4, then 2 (a sequence), and a 429."""
    directory = tmp_path / "upstream"
    directory.mkdir()
    for n, text in ((1, "4"), (2, "2")):
        fixture = {
            "match": {"lastUserText": "Roll a die."},
            "sequence": n,
            "answer": {"text": text},
        }
        (directory / f"die-{n}.json").write_text(json.dumps(fixture))
    busy = {
        "match": {"lastUserText": "Are you busy?"},
        "status": 429,
        "response": {
            "error": {
                "code": 429,
                "message": "Resource has been exhausted (e.g. check quota).",
                "status": "RESOURCE_EXHAUSTED",
            }
        },
    }
    (directory / "busy.json").write_text(json.dumps(busy))
    return directory


@pytest.fixture
def upstream(upstream_fixtures: Path) -> Iterator[ThreadedServer]:
    config = FakeConfig(fixture_dirs=(upstream_fixtures,), api_keys=frozenset({SECRET}))
    with ThreadedServer(create_app(config)) as server:
        yield server


def recorder(upstream: ThreadedServer, directory: Path, **options: Any) -> ThreadedServer:
    log = options.pop("log", io.StringIO())
    return ThreadedServer(
        create_record_app(RecordConfig(upstream.base_url, directory, log=log, **options))
    )


def replayer(directory: Path) -> ThreadedServer:
    """A strict fake answering from the recordings in ``directory`` alone."""
    config = FakeConfig(fixture_dirs=(directory,), default_fixtures=False, strict=True)
    return ThreadedServer(create_app(config))


def sdk(base_url: str) -> genai.Client:
    """The official SDK on ``base_url``. Keep it in a variable while it is used: a temporary
    client closes its connections as soon as it is collected, even mid-call."""
    return genai.Client(
        api_key=SECRET, http_options=types.HttpOptions(base_url=base_url, api_version="v1beta")
    )


def conversation(client: genai.Client) -> list[Any]:
    """What an app does: unary and streamed calls, a thinking config, a chat, a repeat."""
    seen: list[Any] = []
    for prompt in PROMPTS:
        seen.append(
            client.models.generate_content(model=MODEL, contents=prompt).model_dump(exclude=HTTP)
        )
    config = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=0))
    seen.append(
        client.models.generate_content(model=MODEL, contents=PROMPTS[0], config=config).model_dump(
            exclude=HTTP
        )
    )
    for prompt in PROMPTS[:2]:
        stream = client.models.generate_content_stream(model=MODEL, contents=prompt)
        seen.append([chunk.model_dump(exclude=HTTP) for chunk in stream])
    chat = client.chats.create(model=MODEL)
    seen.append(chat.send_message("I have two dogs.").model_dump(exclude=HTTP))
    seen.append([c.model_dump(exclude=HTTP) for c in chat.send_message_stream("How many paws?")])
    for _ in range(3):  # a sequence upstream: 4, then 2, then 2 again
        seen.append(client.models.generate_content(model=MODEL, contents="Roll a die.").text)
    return seen


def files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.iterdir() if path.is_file())


def test_record_then_replay_gives_the_sdk_identical_responses(
    upstream: ThreadedServer, tmp_path: Path
) -> None:
    directory = tmp_path / "recorded"
    with recorder(upstream, directory) as proxy:
        recorded = conversation(sdk(proxy.base_url))
    assert recorded[-3:] == ["4", "2", "2"]

    with replayer(directory) as replay:
        replayed = conversation(sdk(replay.base_url))
        journal = replay.app.state.fake.journal  # type: ignore[attr-defined]
    assert replayed == recorded
    answered = [e.answered_by for e in journal.entries]
    assert answered and all(by.startswith("fixture:") for by in answered), answered

    assert lint_directories([directory]) == []  # recordings have the service's shapes
    # one fixture per interaction: 4 unary + 2 streams + 2 chat turns + 3 rolls
    fixtures = [p for p in files_under(directory) if p.suffix == ".json"]
    streams = [p for p in files_under(directory) if p.suffix == ".sse"]
    assert (len(fixtures), len(streams)) == (11, 3)


def test_recordings_hold_no_secret_and_only_their_owner_reads_them(
    upstream: ThreadedServer, tmp_path: Path
) -> None:
    directory = tmp_path / "recorded"
    with recorder(upstream, directory) as proxy:
        client = sdk(proxy.base_url)
        client.models.generate_content(model=MODEL, contents=f"{SECRET} is my key, is it safe?")
        list(client.models.generate_content_stream(model=MODEL, contents=f"Spell {SECRET}"))
        client.models.generate_content(model=MODEL, contents="x" * 300 + " and a long word")
        # the key in the query string and a bearer token (any case of its scheme), as curl
        # users send them
        httpx.post(
            f"{proxy.base_url}/v1beta/models/{MODEL}:generateContent?key={SECRET}",
            json={"contents": [{"parts": [{"text": "token ya29.opaque-token-value here"}]}]},
            headers={"authorization": "bearer ya29.opaque-token-value"},
        ).raise_for_status()
    written = files_under(directory)
    assert len(written) == 5  # four fixtures and one stream
    for path in written:
        data = path.read_bytes()
        assert SECRET.encode() not in data and b"ya29.opaque-token-value" not in data, path.name
        assert b"x-goog-api-key" not in data.lower() and b"authorization" not in data.lower()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        # names come from the prompt once redacted, and stay short
        assert len(path.name) < 100 and SECRET.lower() not in path.name, path.name
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    texts = [json.loads(p.read_text()) for p in written if p.suffix == ".json"]
    asked = [t["match"]["request"]["contents"][-1]["parts"][0]["text"] for t in texts]
    assert "REDACTED is my key, is it safe?" in asked
    assert any(p.name.startswith("redacted-is-my-key-is-it-") for p in written)
    assert all("?" not in t["recorded"]["upstream"] for t in texts)
    assert lint_directories([directory]) == []


def test_a_recorded_stream_is_byte_exact(upstream: ThreadedServer, tmp_path: Path) -> None:
    directory = tmp_path / "recorded"
    path = f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
    body = {"contents": [{"parts": [{"text": "How does AI work?"}]}]}
    headers = {"x-goog-api-key": SECRET}
    direct = httpx.post(upstream.base_url + path, json=body, headers=headers)
    with recorder(upstream, directory) as proxy:
        through = httpx.post(proxy.base_url + path, json=body, headers=headers)
    (stream,) = [p for p in files_under(directory) if p.suffix == ".sse"]
    assert through.content == direct.content == stream.read_bytes()
    assert through.headers["content-type"] == direct.headers["content-type"]
    with replayer(directory) as replay:
        assert httpx.post(replay.base_url + path, json=body, headers=headers).content == (
            direct.content
        )


def test_a_json_array_stream_is_kept_as_events_and_replays_the_same(
    upstream: ThreadedServer, tmp_path: Path
) -> None:
    directory = tmp_path / "recorded"
    path = f"/v1beta/models/{MODEL}:streamGenerateContent"
    body = {"contents": [{"parts": [{"text": "Explain recursion in a sentence."}]}]}
    headers = {"x-goog-api-key": SECRET}
    direct = httpx.post(upstream.base_url + path, json=body, headers=headers)
    with recorder(upstream, directory) as proxy:
        assert httpx.post(proxy.base_url + path, json=body, headers=headers).content == (
            direct.content
        )
    (stream,) = [p for p in files_under(directory) if p.suffix == ".sse"]
    events = [json.loads(e[6:]) for e in stream.read_bytes().split(b"\r\n\r\n")[:-1]]
    assert events == json.loads(direct.content)
    with replayer(directory) as replay:
        replayed = httpx.post(replay.base_url + path, json=body, headers=headers)
    assert replayed.content == direct.content


def test_recorded_errors_replay_with_their_status(upstream: ThreadedServer, tmp_path: Path) -> None:
    directory = tmp_path / "recorded"
    with recorder(upstream, directory) as proxy:
        with pytest.raises(genai_errors.ClientError) as recorded:
            client = sdk(proxy.base_url)
            client.models.generate_content(model=MODEL, contents="Are you busy?")
    (fixture,) = [json.loads(p.read_text()) for p in files_under(directory)]
    assert fixture["status"] == 429
    with replayer(directory) as replay:
        with pytest.raises(genai_errors.ClientError) as replayed:
            client = sdk(replay.base_url)
            client.models.generate_content(model=MODEL, contents="Are you busy?")
    assert (
        (replayed.value.code, replayed.value.status, replayed.value.message)
        == (
            recorded.value.code,
            recorded.value.status,
            recorded.value.message,
        )
        == (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
    )


def test_existing_recordings_are_kept_unless_overwrite(
    upstream: ThreadedServer, tmp_path: Path
) -> None:
    directory = tmp_path / "recorded"
    with recorder(upstream, directory) as proxy:
        client = sdk(proxy.base_url)
        client.models.generate_content(model=MODEL, contents="Roll a die.")
    (path,) = files_under(directory)
    first = path.read_bytes()
    assert json.loads(first)["response"]["candidates"][0]["content"]["parts"][0]["text"] == "4"

    log = io.StringIO()  # the upstream's die now says 2: a new run must not replace the 4
    with recorder(upstream, directory, log=log) as proxy:
        client = sdk(proxy.base_url)
        client.models.generate_content(model=MODEL, contents="Roll a die.")
    assert files_under(directory) == [path] and path.read_bytes() == first
    assert f"{path.name} exists; kept as it is" in log.getvalue()

    with recorder(upstream, directory, overwrite=True) as proxy:
        client = sdk(proxy.base_url)
        client.models.generate_content(model=MODEL, contents="Roll a die.")
    assert files_under(directory) == [path]
    assert json.loads(path.read_text())["response"]["candidates"][0]["content"]["parts"][0][
        "text"
    ] == ("2")


def test_record_on_miss_only_sends_what_the_fixtures_do_not_answer(
    upstream: ThreadedServer, tmp_path: Path
) -> None:
    directory = tmp_path / "recorded"
    with recorder(upstream, directory) as proxy:
        client = sdk(proxy.base_url)
        client.models.generate_content(model=MODEL, contents=PROMPTS[0])
    journal = upstream.app.state.fake.journal  # type: ignore[attr-defined]
    journal.reset()
    with recorder(upstream, directory, on_miss=True) as proxy:
        client = sdk(proxy.base_url)
        client.models.generate_content(model=MODEL, contents=PROMPTS[0])  # answered here
        client.models.generate_content(model=MODEL, contents=PROMPTS[1])  # goes upstream
        client.models.generate_content(model=MODEL, contents=PROMPTS[1])  # now answered here
        # a unary recording answers a stream too, as any fixture does
        list(client.models.generate_content_stream(model=MODEL, contents=PROMPTS[1]))
        list(client.models.generate_content_stream(model=MODEL, contents=PROMPTS[2]))
        # a stream's recording answers streams only: this one goes upstream
        client.models.generate_content(model=MODEL, contents=PROMPTS[2])
    sent = [(e.rpc, e.request["contents"][0]["parts"][0]["text"]) for e in journal.calls()]
    assert sent == [
        ("generateContent", PROMPTS[1]),
        ("streamGenerateContent", PROMPTS[2]),
        ("generateContent", PROMPTS[2]),
    ]
    assert len([p for p in files_under(directory) if p.suffix == ".json"]) == 4


def test_uploads_pass_through_the_recorder(upstream: ThreadedServer, tmp_path: Path) -> None:
    with recorder(upstream, tmp_path / "recorded") as proxy:
        client = sdk(proxy.base_url)
        uploaded = client.files.upload(
            file=io.BytesIO(b"hello " * 1000), config={"mime_type": "text/plain"}
        )
        assert client.files.get(name=uploaded.name or "").size_bytes == 6000
    sessions = upstream.app.state.fake.journal.calls("files.upload")  # type: ignore[attr-defined]
    assert len(sessions) == 2  # start, then upload+finalize on the URL rewritten to the proxy
    assert files_under(tmp_path / "recorded") == []  # only generate calls become fixtures


def test_an_unreachable_upstream_is_a_clear_error(tmp_path: Path) -> None:
    dead = httpx.URL("http://127.0.0.1:9")  # the discard port: nothing listens
    config = RecordConfig(str(dead), tmp_path / "recorded", log=io.StringIO())
    with ThreadedServer(create_record_app(config)) as proxy:
        response = httpx.post(
            f"{proxy.base_url}/v1beta/models/{MODEL}:generateContent",
            json={"contents": [{"parts": [{"text": "Hi"}]}]},
        )
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["status"] == "UNAVAILABLE"
    assert "the upstream http://127.0.0.1:9 cannot be reached" in error["message"]


@pytest.mark.parametrize(
    "upstream_url",
    [
        "generativelanguage.googleapis.com",
        "https://h/?key=abc",
        "ftp://h",
        "https://user:secret@h",
    ],
)
def test_the_cli_refuses_an_unusable_upstream(
    upstream_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["record", "--upstream", upstream_url]) == 2
    err = capsys.readouterr().err
    assert "--upstream takes a base URL" in err and "secret" not in err


def leaky_upstream(tmp_path: Path) -> Path:
    """An upstream whose stream answer spells the key in two events, and a 429 without an
    envelope the fake could load again."""
    directory = tmp_path / "leaky"
    directory.mkdir()
    half = len(SECRET) // 2
    events = [
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"text": f"Your key is {SECRET[:half]}"}],
                        "role": "model",
                    },
                    "index": 0,
                }
            ],
            "usageMetadata": {"promptTokenCount": 3, "totalTokenCount": 3},
            "modelVersion": MODEL,
            "responseId": "abcdefghijklmnopqrstuv",
        },
        {
            "candidates": [
                {
                    "content": {"parts": [{"text": SECRET[half:]}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 3,
                "candidatesTokenCount": 9,
                "totalTokenCount": 12,
            },
            "modelVersion": MODEL,
            "responseId": "abcdefghijklmnopqrstuv",
        },
    ]
    from fake_server.protocol.wire import dumps_event

    (directory / "split.sse").write_bytes(b"".join(dumps_event(e) for e in events))
    (directory / "split.json").write_text(
        json.dumps({"match": {"lastUserText": "What is my key?"}, "sse": "split.sse"})
    )
    return directory


def test_what_cannot_be_kept_safely_is_not_kept(tmp_path: Path) -> None:
    config = FakeConfig(fixture_dirs=(leaky_upstream(tmp_path),), default_fixtures=False)
    log = io.StringIO()
    directory = tmp_path / "recorded"
    with (
        ThreadedServer(create_app(config)) as upstream,
        recorder(upstream, directory, log=log) as proxy,
    ):
        client = sdk(proxy.base_url)
        streamed = "".join(
            c.text or ""
            for c in client.models.generate_content_stream(model=MODEL, contents="What is my key?")
        )
        assert streamed == f"Your key is {SECRET}"  # the caller gets the answer as it came
        env_file = f"GEMINI_API_KEY={SECRET}\n".encode()
        client.models.generate_content(
            model=MODEL,
            contents=[types.Part.from_bytes(data=env_file, mime_type="text/plain"), "Check this"],  # type: ignore[arg-type]  # the SDK types contents as invariant lists
        )
    assert files_under(directory) == []
    said = log.getvalue()
    assert (
        "not recorded: streamGenerateContent: a secret is split across the stream's events" in said
    )
    assert "not recorded: generateContent: a secret is inside base64 data" in said


def test_recording_on_miss_keeps_each_sequences_place(
    upstream: ThreadedServer, tmp_path: Path
) -> None:
    directory = tmp_path / "recorded"
    with recorder(upstream, directory) as proxy:
        client = sdk(proxy.base_url)
        rolls = [
            client.models.generate_content(model=MODEL, contents="Roll a die.").text
            for _ in range(2)
        ]
    assert rolls == ["4", "2"]
    with recorder(upstream, directory, on_miss=True) as proxy:
        client = sdk(proxy.base_url)
        first = client.models.generate_content(model=MODEL, contents="Roll a die.").text
        client.models.generate_content(model=MODEL, contents=PROMPTS[2])  # recorded: a reload
        second = client.models.generate_content(model=MODEL, contents="Roll a die.").text
    assert [first, second] == ["4", "2"]
