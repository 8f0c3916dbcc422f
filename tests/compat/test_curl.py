"""The guide's REST examples, run with the real ``curl`` against the fake's socket.

The commands are the guide's, verbatim but for the host (the real service's becomes the fake's
base URL) and the output options appended to them; ``bash`` expands ``$GEMINI_API_KEY`` as a
user's shell would.
The guide is not part of this repository, so the commands are copied here (each names its guide
section); ``test_the_copied_commands_are_still_the_guides`` checks the copies against the guide
when it is around (``GEMINI_API_GUIDE``, default ``/work/shared/guide/gemini-api-guide.txt``).
The answer is read as the guide's Apps Script does:
``data['candidates'][0]['content']['parts'][0]['text']``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google import genai

from conformance._guide import guide_code, read_guide
from fake_server.pytest_plugin import Fake
from tests.kit.guide_answers import GuideExample

pytestmark = pytest.mark.needs("curl")

REAL_HOST = "https://generativelanguage.googleapis.com"
UNREGISTERED_CALLER = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)

# "Text generation", the first example (### REST).
BASIC = """\
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -X POST \\
  -d '{
    "contents": [
      {
        "parts": [
          {
            "text": "How does AI work?"
          }
        ]
      }
    ]
  }'
"""

# "Thinking with Gemini 2.5" (### REST).
THINKING_OFF = """\
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -X POST \\
  -d '{
    "contents": [
      {
        "parts": [
          {
            "text": "How does AI work?"
          }
        ]
      }
    ],
    "generationConfig": {
      "thinkingConfig": {
        "thinkingBudget": 0
      }
    }
  }'
"""

# "System instructions and other configurations", the system-instruction example (### REST).
SYSTEM_INSTRUCTION = """\
curl "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent" \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '{
    "system_instruction": {
      "parts": [
        {
          "text": "You are a cat. Your name is Neko."
        }
      ]
    },
    "contents": [
      {
        "parts": [
          {
            "text": "Hello there"
          }
        ]
      }
    ]
  }'
"""

# "System instructions and other configurations", the generationConfig example (### REST).
STOP_SEQUENCES = """\
curl https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent \\
  -H "x-goog-api-key: $GEMINI_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -X POST \\
  -d '{
    "contents": [
      {
        "parts": [
          {
            "text": "Explain how AI works"
          }
        ]
      }
    ],
    "generationConfig": {
      "stopSequences": [
        "Title"
      ],
      "temperature": 1.0,
      "topP": 0.8,
      "topK": 10
    }
  }'
"""

COMMANDS = {
    "basic": BASIC,
    "thinking_off": THINKING_OFF,
    "system_instruction": SYSTEM_INSTRUCTION,
    "stop_sequences": STOP_SEQUENCES,
}
KEY_HEADER_LINE = '  -H "x-goog-api-key: $GEMINI_API_KEY" \\\n'


@dataclass
class CurlResult:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def run_curl(
    command: str, fake: Fake, tmp_path: Path, *, key: str | None = "test-key"
) -> CurlResult:
    """Run a guide command in bash, pointed at ``fake``; what it wrote and the status it got."""
    command = command.replace(REAL_HOST, fake.base_url)
    out = tmp_path / "body"
    command = command.rstrip("\n") + f" -sS -o '{out}' -w '%{{http_code}} %{{content_type}}'"
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    if key is not None:
        env["GEMINI_API_KEY"] = key
    done = subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    status, _, content_type = done.stdout.partition(" ")
    return CurlResult(int(status), content_type, out.read_bytes())


def answer_text(data: Any) -> str:
    """As the guide's Apps Script reads the answer."""
    text: str = data["candidates"][0]["content"]["parts"][0]["text"]
    return text


def test_the_copied_commands_are_still_the_guides() -> None:
    # Every curl block under a "### REST" heading before "## Multimodal inputs".
    text_generation = read_guide().split("## Multimodal inputs", 1)[0]
    blocks = guide_code(text_generation, "REST")
    assert blocks == [BASIC, THINKING_OFF, SYSTEM_INSTRUCTION, STOP_SEQUENCES]


@pytest.mark.parametrize("example", list(COMMANDS))
def test_a_guide_rest_example_gets_the_fixture_answer_from_curl(
    example: str, guide_examples: dict[str, GuideExample], gemini_fake_server: Fake, tmp_path: Path
) -> None:
    guide = guide_examples[example]

    result = run_curl(COMMANDS[example], gemini_fake_server, tmp_path)

    assert (result.status, result.content_type) == (200, "application/json; charset=UTF-8")
    data = result.json()
    guide.check_text(answer_text(data))
    assert data["modelVersion"] == "gemini-2.5-flash"
    assert re.fullmatch(r"[A-Za-z0-9_-]{23}", data["responseId"])
    guide.check_usage(data["usageMetadata"])
    # curl sends no role anywhere: the contents get the default "user"; the system instruction
    # (snake_case in the guide) is read as systemInstruction, without a role.
    (call,) = gemini_fake_server.journal.calls("generateContent")
    guide.check_call(call, "v1beta", system_role=False)


def test_the_curl_answer_is_pretty_printed_as_the_service_prints_it(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    result = run_curl(BASIC, gemini_fake_server, tmp_path)

    expected = json.dumps(result.json(), indent=2, ensure_ascii=False) + "\n"
    assert result.body.decode() == expected.replace("<", "\\u003c").replace(">", "\\u003e")
    assert list(result.json()) == ["candidates", "usageMetadata", "modelVersion", "responseId"]


def test_the_key_can_be_given_as_a_key_query_parameter(
    guide_examples: dict[str, GuideExample], gemini_fake_server: Fake, tmp_path: Path
) -> None:
    command = BASIC.replace(KEY_HEADER_LINE, "").replace(
        ':generateContent"', ':generateContent?key=$GEMINI_API_KEY"'
    )
    assert "x-goog-api-key" not in command

    result = run_curl(command, gemini_fake_server, tmp_path)

    assert result.status == 200, result.body
    guide_examples["basic"].check_text(answer_text(result.json()))
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert call.answered_by == "fixture:guide-how-does-ai-work"


@pytest.mark.gemini_fake(api_keys=["right-key"])
def test_a_wrong_key_in_the_query_is_refused_like_a_wrong_header(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    command = BASIC.replace(KEY_HEADER_LINE, "").replace(
        ':generateContent"', ':generateContent?key=$GEMINI_API_KEY"'
    )

    result = run_curl(command, gemini_fake_server, tmp_path, key="wrong-key")

    assert result.status == 400
    error = result.json()["error"]
    assert (error["status"], error["message"]) == (
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
    )
    assert error["details"][0]["reason"] == "API_KEY_INVALID"


def test_without_a_key_curl_gets_the_real_403_envelope_byte_for_byte(
    gemini_fake_server: Fake, tmp_path: Path
) -> None:
    command = BASIC.replace(KEY_HEADER_LINE, "")

    result = run_curl(command, gemini_fake_server, tmp_path, key=None)

    assert (result.status, result.content_type) == (403, "application/json; charset=UTF-8")
    expected = (
        "{\n"
        '  "error": {\n'
        '    "code": 403,\n'
        f'    "message": "{UNREGISTERED_CALLER}",\n'
        '    "status": "PERMISSION_DENIED"\n'
        "  }\n"
        "}\n"
    )
    assert result.body == expected.encode()
    (call,) = gemini_fake_server.journal.calls("generateContent")
    assert (call.status, call.answered_by) == (403, "error:PERMISSION_DENIED")


@pytest.mark.sdk
def test_the_same_request_from_curl_and_from_the_python_sdk_gets_the_same_answer(
    gemini_fake_server: Fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One canonical key per request: curl's snake_case, role-less body and the SDK's
    ``generationConfig: {}`` plus system role must not change the deterministic answer."""
    for name in ("GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in gemini_fake_server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", "v1beta")

    from_curl = run_curl(SYSTEM_INSTRUCTION, gemini_fake_server, tmp_path).json()
    with genai.Client() as client:
        from_sdk = client.models.generate_content(
            model="gemini-2.5-flash",
            config=genai.types.GenerateContentConfig(
                system_instruction="You are a cat. Your name is Neko."
            ),
            contents="Hello there",
        )

    curl_call, sdk_call = gemini_fake_server.journal.calls("generateContent")
    assert curl_call.key == sdk_call.key
    assert from_sdk.response_id == from_curl["responseId"]
    usage = from_sdk.usage_metadata
    assert usage is not None
    assert usage.total_token_count == from_curl["usageMetadata"]["totalTokenCount"]
