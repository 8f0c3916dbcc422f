"""Record mode never writes a key: not in a fixture, not in a file name, not on stderr.

A lenient fake stands in for the real service (it echoes prompts back, so a key asked about is
answered too) and the recorder sits in front of it. Each test sends a key one way it could
travel and looks for it, in any case, in every name and file under the fixture directory and
in everything the recorder said. Where a key cannot be cut out cleanly the call is not recorded,
the caller still gets the upstream's answer unchanged, and the log says why without the key.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.record import RecordConfig, create_record_app
from fake_server.server import ThreadedServer

GOOGLE_KEY = "AIzaSyC4q9Xv2Lm7Tn0Rb5Wd8Hk3Jp6Fs1Gy_eZ"  # the shape of a Google API key
TOKEN = "ya29.opaque-Token-Secret-7f3c9a"  # a credential of no known shape
MODEL = "gemini-2.5-flash"
GENERATE = f"/v1beta/models/{MODEL}:generateContent"


def forms(secret: str) -> set[str]:
    """How a secret could show, lower-cased: as it is, and as a file name's slug writes it."""
    return {secret.lower(), "-".join(re.findall(r"[a-z0-9]+", secret.lower()))}


def leaks(directory: Path, log: str, secret: str) -> list[str]:
    """Where ``secret`` shows, in any case: file names, file contents, the recorder's log."""
    found = []
    for path in sorted(directory.rglob("*")):
        content = path.read_bytes().lower() if path.is_file() else b""
        for form in forms(secret):
            if form in path.name.lower():
                found.append(f"the name {path.name}")
            if form.encode() in content:
                found.append(f"the content of {path.name}")
    if any(form in log.lower() for form in forms(secret)):
        found.append("the log")
    return found


def text(*parts: str, role: str = "user") -> dict[str, Any]:
    return {"role": role, "parts": [{"text": part} for part in parts]}


def called(prompt: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """A conversation in which the model called ``name(**args)`` and the app answered."""
    call = {"functionCall": {"name": name, "args": args}}
    reply = {"functionResponse": {"name": name, "response": {}}}
    return {
        "contents": [
            text(prompt),
            {"role": "model", "parts": [call]},
            {"role": "user", "parts": [reply]},
        ]
    }


@dataclass
class Proxy:
    """The recorder in front of a lenient fake, its fixture directory and its log."""

    upstream: ThreadedServer
    recorder: ThreadedServer
    directory: Path
    log: io.StringIO

    def post(self, path: str, body: Any, headers: Any = (), *, direct: bool = False) -> bytes:
        """The answer through the recorder, checked to be the upstream's own, unchanged."""
        through = httpx.post(self.recorder.base_url + path, json=body, headers=list(headers))
        if direct:
            alone = httpx.post(self.upstream.base_url + path, json=body, headers=list(headers))
            assert (through.status_code, through.content) == (alone.status_code, alone.content)
        return through.content

    def files(self) -> list[Path]:
        return sorted(path for path in self.directory.iterdir() if path.is_file())

    def fixtures(self) -> int:
        return len([path for path in self.files() if path.suffix == ".json"])

    def leaks(self, secret: str) -> list[str]:
        return leaks(self.directory, self.log.getvalue(), secret)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    with running(tmp_path, FakeConfig()) as started:
        yield started


@contextmanager
def running(tmp_path: Path, upstream_config: FakeConfig) -> Iterator[Proxy]:
    directory, log = tmp_path / "recorded", io.StringIO()
    with ThreadedServer(create_app(upstream_config)) as upstream:
        config = RecordConfig(upstream.base_url, directory, log=log)
        with ThreadedServer(create_record_app(config)) as recorder:
            yield Proxy(upstream, recorder, directory, log)


def refused(proxy: Proxy, why: str) -> None:
    """Nothing was written, and the log says why."""
    assert proxy.files() == []
    assert f"not recorded: generateContent: {why}" in proxy.log.getvalue()


HALF = len(GOOGLE_KEY) // 2
SPLITS = {
    "two parts": {"contents": [text(f"My key is {GOOGLE_KEY[:HALF]}", f"{GOOGLE_KEY[HALF:]}.")]},
    "two turns": {
        "contents": [
            text(f"Remember {GOOGLE_KEY[:HALF]}"),
            text("Noted.", role="model"),
            text(f"{GOOGLE_KEY[HALF:]} is the rest."),
        ]
    },
    "system instruction": {
        "systemInstruction": text(f"The key: {GOOGLE_KEY[:HALF]}"),
        "contents": [text(f"{GOOGLE_KEY[HALF:]} is it")],
    },
}


@pytest.mark.parametrize("where", SPLITS)
def test_a_key_split_across_texts_is_not_recorded(proxy: Proxy, where: str) -> None:
    proxy.post(GENERATE, SPLITS[where], [("x-goog-api-key", GOOGLE_KEY)], direct=True)
    assert proxy.leaks(GOOGLE_KEY) == []
    refused(proxy, "a secret is split across the request's texts")


def test_a_credential_split_across_two_parts_is_not_recorded(proxy: Proxy) -> None:
    half = len(TOKEN) // 2
    body = {"contents": [text(f"Token {TOKEN[:half]}", TOKEN[half:])]}
    proxy.post(GENERATE, body, [("authorization", f"Bearer {TOKEN}")], direct=True)
    assert proxy.leaks(TOKEN) == []
    refused(proxy, "a secret is split across the request's texts")


@pytest.mark.parametrize("secret", [GOOGLE_KEY, TOKEN])
def test_a_key_as_a_function_argument_name_is_not_recorded(proxy: Proxy, secret: str) -> None:
    body = called("Look it up", "lookup", {secret: "x"})
    proxy.post(GENERATE, body, [("x-goog-api-key", secret)], direct=True)
    assert proxy.leaks(secret) == []
    refused(proxy, "a secret is in a field name")


def test_a_key_in_a_function_argument_named_data_is_cut_out(proxy: Proxy) -> None:
    """``data`` is a name for base64 bytes, but an argument of that name is a plain string."""
    body = called("Store it", "store", {"data": f"my key is {GOOGLE_KEY}"})
    proxy.post(GENERATE, body)
    assert proxy.leaks(GOOGLE_KEY) == []
    (fixture,) = [json.loads(p.read_text()) for p in proxy.files()]
    kept = fixture["match"]["request"]["contents"][1]["parts"][0]["functionCall"]["args"]
    assert kept == {"data": "my key is REDACTED"}


def test_every_value_of_a_repeated_api_key_header_is_a_secret(proxy: Proxy) -> None:
    headers = [("x-goog-api-key", "first-of-two-keys-1234"), ("x-goog-api-key", TOKEN)]
    proxy.post(GENERATE, {"contents": [text(f"Is {TOKEN} safe?")]}, headers, direct=True)
    assert proxy.leaks(TOKEN) == [] and proxy.leaks("first-of-two-keys-1234") == []
    (fixture,) = [json.loads(p.read_text()) for p in proxy.files() if p.suffix == ".json"]
    assert fixture["match"]["request"]["contents"][0]["parts"][0]["text"] == "Is REDACTED safe?"


def test_every_value_of_a_repeated_key_parameter_is_a_secret(proxy: Proxy) -> None:
    path = f"{GENERATE}?key={TOKEN}&key=second-of-two-keys-5678"
    proxy.post(path, {"contents": [text(f"Is {TOKEN} safe?")]}, direct=True)
    assert proxy.leaks(TOKEN) == []
    assert len(proxy.files()) == 1


def test_every_bearer_token_is_a_secret(proxy: Proxy) -> None:
    headers = [("authorization", "Bearer other-token-90"), ("authorization", f"Bearer {TOKEN}")]
    proxy.post(GENERATE, {"contents": [text(f"Is {TOKEN} safe?")]}, headers, direct=True)
    assert proxy.leaks(TOKEN) == []
    assert len(proxy.files()) == 1


@pytest.mark.parametrize("secret", [GOOGLE_KEY, TOKEN])
def test_a_key_in_the_model_path_is_not_recorded(proxy: Proxy, secret: str) -> None:
    path = f"/v1beta/models/{secret}:generateContent"
    proxy.post(path, {"contents": [text("Hello")]}, [("x-goog-api-key", secret)], direct=True)
    assert proxy.leaks(secret) == []
    refused(proxy, "a secret is in the model name")


@pytest.mark.parametrize("case", [str.upper, str.lower, str.swapcase])
def test_a_key_in_another_case_is_cut_out(proxy: Proxy, case: Any) -> None:
    for secret in (GOOGLE_KEY, TOKEN):
        body = {"contents": [text(f"{case(secret)} is my key")]}
        proxy.post(GENERATE, body, [("x-goog-api-key", TOKEN)])
        assert proxy.leaks(secret) == []
    assert len(proxy.files()) == 2
    assert all(p.name.startswith("redacted-is-my-key-") for p in proxy.files())


def test_a_key_the_slug_would_spell_names_no_file_after_it(proxy: Proxy) -> None:
    """The prompt holds the key with its separators changed: the name does not spell it."""
    body = {"contents": [text(GOOGLE_KEY.replace("_", " ").replace("-", " "))]}
    proxy.post(GENERATE, body, [("x-goog-api-key", GOOGLE_KEY)])
    assert proxy.leaks(GOOGLE_KEY) == []
    (path,) = proxy.files()
    assert path.name.startswith("request-")


def test_a_google_key_inside_base64_bytes_is_not_recorded(proxy: Proxy) -> None:
    env = base64.b64encode(f"GEMINI_API_KEY={GOOGLE_KEY}\n".encode()).decode()
    inline = {"inlineData": {"mimeType": "text/plain", "data": env}}
    body = {"contents": [{"role": "user", "parts": [inline, {"text": "Check this"}]}]}
    proxy.post(GENERATE, body, [("x-goog-api-key", TOKEN)], direct=True)
    refused(proxy, "a secret is inside base64 data")
    assert env.lower() not in proxy.log.getvalue().lower()


def test_a_credential_too_short_to_cut_out_is_not_recorded(proxy: Proxy) -> None:
    proxy.post(GENERATE, {"contents": [text("My pin is k9x2")]}, [("x-goog-api-key", "k9x2")])
    assert proxy.leaks("k9x2") == []
    refused(proxy, "the credential is shorter than 8 characters")


def upstream_answering(directory: Path, answer: dict[str, Any]) -> FakeConfig:
    directory.mkdir()
    fixture = {"match": {"lastUserText": "Answer me."}, "response": answer}
    (directory / "answer.json").write_text(json.dumps(fixture))
    return FakeConfig(fixture_dirs=(directory,), default_fixtures=False)


def candidate(*parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"parts": list(parts), "role": "model"}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 5, "totalTokenCount": 8},
        "modelVersion": MODEL,
        "responseId": "abcdefghijklmnopqrstuv",
    }


ANSWERS = {
    "a field name": (
        candidate({"functionCall": {"name": "f", "args": {GOOGLE_KEY: 1}}}),
        "a secret is in a field name",
    ),
    "two parts": (
        candidate({"text": f"Key: {GOOGLE_KEY[:HALF]}"}, {"text": GOOGLE_KEY[HALF:]}),
        "a secret is split across the answer's texts",
    ),
}


@pytest.mark.parametrize("where", ANSWERS)
def test_a_key_the_upstream_answers_with_is_never_written(tmp_path: Path, where: str) -> None:
    answer, why = ANSWERS[where]
    with running(tmp_path, upstream_answering(tmp_path / "up", answer)) as proxy:
        answered = proxy.post(
            GENERATE, {"contents": [text("Answer me.")]}, [("x-goog-api-key", TOKEN)]
        )
        assert json.loads(answered) == answer
    assert proxy.leaks(GOOGLE_KEY) == []
    refused(proxy, why)


def test_an_access_token_parameter_and_each_piece_of_a_header_are_secrets(proxy: Proxy) -> None:
    other = "second-piece-of-a-header"
    path = f"{GENERATE}?key=a-decoy-key-value&access_token={TOKEN}"
    body = {"contents": [text(f"Are {TOKEN} and {other} safe?")]}
    proxy.post(path, body, [("x-goog-api-key", f"a-decoy-key-value, {other}")], direct=True)
    assert proxy.leaks(TOKEN) == [] and proxy.leaks(other) == []
    (fixture,) = [json.loads(p.read_text()) for p in proxy.files()]
    asked = fixture["match"]["request"]["contents"][0]["parts"][0]["text"]
    assert asked == "Are REDACTED and REDACTED safe?"


def test_a_model_name_that_is_not_an_id_is_not_recorded(proxy: Proxy) -> None:
    path = "/v1beta/models/gemini%0Aforged line:generateContent"
    proxy.post(path, {"contents": [text("Hello")]}, [("x-goog-api-key", TOKEN)], direct=True)
    refused(proxy, "the model name is not a model id")
    assert "forged" not in proxy.log.getvalue()


def test_a_last_look_at_the_bytes_finds_a_credential_no_string_holds(proxy: Proxy) -> None:
    """A credential of digits, sent back as a number: no string holds it, the file would."""
    digits = "20250601123456"
    body = called("Book it", "book", {"when": int(digits)})
    proxy.post(GENERATE, body, [("x-goog-api-key", digits)], direct=True)
    assert proxy.leaks(digits) == []
    refused(proxy, "a secret is left in what would be written")


def test_a_key_in_a_stream_comment_is_not_recorded(tmp_path: Path) -> None:
    directory = tmp_path / "up"
    directory.mkdir()
    event = candidate({"text": "Hello"})
    comment = f": served for {GOOGLE_KEY}\r\n".encode()
    (directory / "a.sse").write_bytes(
        comment + b"data: " + json.dumps(event).encode() + b"\r\n\r\n"
    )
    fixture = {"match": {"lastUserText": "Answer me."}, "sse": "a.sse"}
    (directory / "a.json").write_text(json.dumps(fixture))
    config = FakeConfig(fixture_dirs=(directory,), default_fixtures=False)
    path = f"/v1beta/models/{MODEL}:streamGenerateContent?alt=sse"
    with running(tmp_path, config) as proxy:
        proxy.post(
            path, {"contents": [text("Answer me.")]}, [("x-goog-api-key", TOKEN)], direct=True
        )
    assert proxy.leaks(GOOGLE_KEY) == [] and proxy.files() == []
    assert "not recorded: streamGenerateContent: a secret is in the stream's framing" in (
        proxy.log.getvalue()
    )


# A key at a random place of a random request: it never reaches the disk or the log, and a
# request like it without a secret is still recorded.
WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=30)
PLACES = ("text", "field name", "two parts", "two turns", "system", "path", "nowhere")
CHANNELS = ("header", "second header", "query", "first query", "bearer", "none")
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
KEYS = st.one_of(
    st.text(alphabet=ALNUM + "_-", min_size=35, max_size=35).map(lambda tail: "AIza" + tail),
    st.text(alphabet=ALNUM + "._-", min_size=16, max_size=40).map(lambda tail: "tok-" + tail),
).filter(lambda key: sum(c.isalnum() for c in key) >= 16)


@dataclass(frozen=True)
class Case:
    key: str
    place: str  # where the key goes in the request
    channel: str  # how it is sent as the credential
    words: str
    case: str  # how the request spells it: str.upper, ...
    rpc: str
    nonce: int = 0  # unique to each example: a request without a secret is a new recording


def request(case: Case, secret: bool) -> tuple[str, dict[str, Any], list[tuple[str, str]]]:
    """The path, body and headers of ``case``; without ``secret``, the same request with a
    value that is no secret where the key would go, and a credential not in the body."""
    value = case.key if secret else f"nothing-secret-{case.nonce}"
    spelled = value if case.place == "path" else getattr(str, case.case)(value)
    prompt = f"{case.words} {case.nonce}"
    half = len(spelled) // 2
    body: dict[str, Any] = {"contents": [text(prompt)]}
    model = MODEL
    if case.place == "text":
        body["contents"] = [text(f"{prompt} {spelled} end")]
    elif case.place == "field name":
        call = {"functionCall": {"name": "f", "args": {spelled: prompt}}}
        reply = {"functionResponse": {"name": "f", "response": {"v": 1}}}
        body["contents"] = [text(prompt), {"role": "model", "parts": [call]}]
        body["contents"].append({"role": "user", "parts": [reply]})
    elif case.place == "two parts":
        body["contents"] = [text(f"{prompt} {spelled[:half]}", f"{spelled[half:]} end")]
    elif case.place == "two turns":
        body["contents"] = [text(f"{prompt} {spelled[:half]}"), text("ok", role="model")]
        body["contents"].append(text(f"{spelled[half:]} end"))
    elif case.place == "system":
        body["systemInstruction"] = text(f"{case.words} {spelled}")
    elif case.place == "path":
        model = spelled
    credential = case.key if secret else f"plain-credential-{case.nonce}"
    headers, query = [], ["alt=sse"] if case.rpc == "streamGenerateContent" else []
    if case.channel == "header":
        headers = [("x-goog-api-key", credential)]
    elif case.channel == "second header":
        headers = [("x-goog-api-key", "a-decoy-key-value"), ("x-goog-api-key", credential)]
    elif case.channel == "query":
        query.append(f"key={credential}")
    elif case.channel == "first query":
        query += [f"key={credential}", "key=a-decoy-key-value"]
    elif case.channel == "bearer":
        headers = [("authorization", f"Bearer {credential}")]
    path = f"/v1beta/models/{model}:{case.rpc}" + ("?" + "&".join(query) if query else "")
    return path, body, headers


CASES = st.builds(
    Case,
    key=KEYS,
    place=st.sampled_from(PLACES),
    channel=st.sampled_from(CHANNELS),
    words=WORDS,
    case=st.sampled_from(["upper", "lower", "swapcase", "strip"]),
    rpc=st.sampled_from(["generateContent", "streamGenerateContent"]),
)


def test_a_key_anywhere_in_a_request_never_reaches_disk_or_log(tmp_path: Path) -> None:
    sent: list[str] = []
    examples = itertools.count()
    with running(tmp_path, FakeConfig()) as proxy:

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(CASES)
        def check(case: Case) -> None:
            if case.key.startswith("tok-") and case.channel == "none":
                return  # not sent as a credential, and of no known shape: no secret to anyone
            case = dataclasses.replace(case, nonce=next(examples))
            proxy.post(*request(case, secret=True))
            sent.append(case.key)
            assert proxy.leaks(case.key) == [], case
            before = proxy.fixtures()
            proxy.post(*request(case, secret=False))
            assert proxy.fixtures() == before + 1, (case, proxy.log.getvalue()[-1500:])

        check()
    assert sent and all(proxy.leaks(key) == [] for key in sent)
