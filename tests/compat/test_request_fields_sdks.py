"""Request fields the official SDKs send that the service takes, or refuses, over a real socket.

Taken: a Gemini 3 history holding a server-side tool turn (``toolCall``, ``toolResponse``) with
``toolConfig.includeServerSideToolInvocations``; a chat whose history holds code and its result
with their ``id``s; a function response carrying an image (``functionResponse.parts``).
Refused: ``presencePenalty`` on gemini-2.5-flash (docs/evidence.md#service-errors) and a
``cachedContent`` the service does not hold.

The Python SDK (google-genai 3.3.0) runs on both API versions; the JS SDK (@google/genai
2.32.0) runs ``tests/js/requests.mjs``, one node process for every example.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from google import genai
from google.genai import errors as sdk_errors
from google.genai import types

from fake_server import create_app
from fake_server.config import FakeConfig
from fake_server.journal import Entry
from fake_server.pytest_plugin import Fake
from fake_server.server import ThreadedServer
from tests.kit.files import FilesKit
from tests.kit.node import start_node

pytestmark = pytest.mark.sdk

G3 = "gemini-3-flash-preview"
G3_IMAGE_TOKENS = 1120  # an image at Gemini 3's default resolution (docs/tokens.md)
SIGNATURE = b"a signature the fake made"
PNG = FilesKit.png(64, 48)
PENALTY = "Penalty is not enabled for models/gemini-2.5-flash"
NO_CACHE = "CachedContent not found (or permission denied)"
SEARCH = "GOOGLE_SEARCH_WEB"


def user(text: str) -> types.Content:
    return types.Content(role="user", parts=[types.Part(text=text)])


def only_request(fake: Fake, rpc: str = "generateContent") -> dict[str, Any]:
    (call,) = fake.journal.calls(rpc)
    assert call.status == 200 and call.request is not None
    return call.request


# --- what each SDK sent, as the fake read it -------------------------------------------------


def check_server_tools_request(request: dict[str, Any]) -> None:
    assert request["toolConfig"] == {"includeServerSideToolInvocations": True}
    tool_call, tool_response, text = request["contents"][1]["parts"]
    assert tool_call["toolCall"] == {
        "toolType": SEARCH,
        "args": {"queries": ["weather in Lisbon"]},
        "id": "t8f3k2qa",
    }
    assert tool_response["toolResponse"]["id"] == "t8f3k2qa"
    assert text == {"text": "It is sunny in Lisbon."}


def check_code_request(request: dict[str, Any]) -> None:
    code, result, _ = request["contents"][1]["parts"]
    assert code["executableCode"]["id"] == result["codeExecutionResult"]["id"] == "c1"
    assert request["contents"][-1] == {"role": "user", "parts": [{"text": "Now double it"}]}


def check_function_media_request(request: dict[str, Any]) -> None:
    (part,) = request["contents"][2]["parts"]
    (media,) = part["functionResponse"]["parts"]
    assert media["inlineData"]["mimeType"] == "image/png"
    assert media["inlineData"]["data"] == base64.b64encode(PNG).decode()


# --- the Python SDK --------------------------------------------------------------------------


def test_a_server_side_tool_turn_goes_back_through_the_python_sdk(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    search_turn = types.Content(
        role="model",
        parts=[
            types.Part(
                tool_call=types.ToolCall(
                    tool_type=types.ToolType.GOOGLE_SEARCH_WEB,
                    args={"queries": ["weather in Lisbon"]},
                    id="t8f3k2qa",
                ),
                thought_signature=SIGNATURE,
            ),
            types.Part(
                tool_response=types.ToolResponse(
                    tool_type=types.ToolType.GOOGLE_SEARCH_WEB,
                    response={"search_suggestions": "x"},
                    id="t8f3k2qa",
                ),
                thought_signature=SIGNATURE,
            ),
            types.Part(text="It is sunny in Lisbon."),
        ],
    )
    response = client.models.generate_content(
        model=G3,
        contents=[user("Weather in Lisbon?"), search_turn, user("And tomorrow?")],
        config=types.GenerateContentConfig(
            tools=[types.Tool(google_search=types.GoogleSearch())],
            tool_config=types.ToolConfig(include_server_side_tool_invocations=True),
        ),
    )

    assert response.text
    check_server_tools_request(only_request(gemini_fake_server))


def test_code_with_ids_goes_back_in_a_python_sdk_chat(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    code_turn = types.Content(
        role="model",
        parts=[
            types.Part(
                executable_code=types.ExecutableCode(
                    language=types.Language.PYTHON, code="print(6 * 7)", id="c1"
                )
            ),
            types.Part(
                code_execution_result=types.CodeExecutionResult(
                    outcome=types.Outcome.OUTCOME_OK, output="42\n", id="c1"
                )
            ),
            types.Part(text="The answer is 42."),
        ],
    )
    chat = client.chats.create(
        model=G3,
        config=types.GenerateContentConfig(
            tools=[types.Tool(code_execution=types.ToolCodeExecution())]
        ),
        history=[user("Compute 6 * 7"), code_turn],
    )

    assert chat.send_message("Now double it").text
    check_code_request(only_request(gemini_fake_server))


def test_a_function_response_with_an_image_goes_through_the_python_sdk(
    client: genai.Client, gemini_fake_server: Fake
) -> None:
    call = types.Part(
        function_call=types.FunctionCall(name="take_photo", args={}), thought_signature=SIGNATURE
    )
    answer = types.Part.from_function_response(
        name="take_photo",
        response={"image": {"$ref": "photo.png"}},
        parts=[types.FunctionResponsePart.from_bytes(data=PNG, mime_type="image/png")],
    )
    declaration = types.FunctionDeclaration(name="take_photo", description="Takes a photo")
    response = client.models.generate_content(
        model=G3,
        contents=[
            user("Take a photo of the shelf"),
            types.Content(role="model", parts=[call]),
            types.Content(role="user", parts=[answer]),
        ],
        config=types.GenerateContentConfig(tools=[types.Tool(function_declarations=[declaration])]),
    )

    assert response.text and "take_photo" in response.text
    assert response.usage_metadata is not None
    details = response.usage_metadata.prompt_tokens_details or []
    assert {(d.modality, d.token_count) for d in details} >= {
        (types.MediaModality.IMAGE, G3_IMAGE_TOKENS)
    }
    check_function_media_request(only_request(gemini_fake_server))


def test_a_penalty_on_gemini_2_5_flash_is_refused_through_the_python_sdk(
    client: genai.Client,
) -> None:
    with pytest.raises(sdk_errors.ClientError) as raised:
        client.models.generate_content(
            model="gemini-2.5-flash",
            contents="Hi",
            config=types.GenerateContentConfig(presence_penalty=0.5),
        )
    error = raised.value
    assert (error.code, error.status, error.message) == (400, "INVALID_ARGUMENT", PENALTY)


def test_a_cache_the_service_does_not_hold_is_refused_through_the_python_sdk(
    client: genai.Client,
) -> None:
    with pytest.raises(sdk_errors.ClientError) as raised:
        client.models.generate_content(
            model="gemini-2.5-flash",
            contents="Hi",
            config=types.GenerateContentConfig(cached_content="cachedContents/nosuchcache"),
        )
    error = raised.value
    assert (error.code, error.status, error.message) == (403, "PERMISSION_DENIED", NO_CACHE)


# --- the JS SDK ------------------------------------------------------------------------------

JS_EXAMPLES = (
    "server_tools",
    "code_chat",
    "function_media",
    "penalty",
    "unknown_cache",
    "logprobs",
    "logprobs_refused",
)


@pytest.fixture(scope="module")
def js_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Entry]]:
    """Each example's JSON line and the one call the fake received for it."""
    png = tmp_path_factory.mktemp("requests") / "photo.png"
    png.write_bytes(PNG)
    app = create_app(FakeConfig())
    with ThreadedServer(app) as server:
        fake = Fake(app, server.base_url)
        run = start_node(fake, *JS_EXAMPLES, script="requests.mjs", env={"REQUESTS_PNG": str(png)})
        lines = run.lines()
    entries = fake.journal.entries
    assert [e.rpc for e in entries] == ["generateContent"] * len(JS_EXAMPLES)
    return {name: (lines[name], entry) for name, entry in zip(JS_EXAMPLES, entries, strict=True)}


@pytest.mark.node
@pytest.mark.parametrize(
    ("example", "check"),
    [
        ("server_tools", check_server_tools_request),
        ("code_chat", check_code_request),
        ("function_media", check_function_media_request),
    ],
)
def test_the_js_sdk_sends_back_what_the_service_takes(
    js_runs: dict[str, tuple[dict[str, Any], Entry]], example: str, check: Any
) -> None:
    line, entry = js_runs[example]
    assert line["ok"], line.get("error")
    assert line["text"]
    assert entry.status == 200 and entry.request is not None
    check(entry.request)


@pytest.mark.node
def test_the_js_sdk_reads_the_server_side_tool_parts_of_the_answer(
    js_runs: dict[str, tuple[dict[str, Any], Entry]],
) -> None:
    line, _ = js_runs["server_tools"]
    assert line["kinds"][:2] == ["toolCall", "toolResponse"]
    assert set(line["kinds"][2:]) == {"text"}
    call_id = line["ids"][0]
    assert len(call_id) == 8 and line["ids"][1] == call_id and call_id != "t8f3k2qa"


@pytest.mark.node
def test_a_function_responses_image_is_counted_as_an_image_in_js(
    js_runs: dict[str, tuple[dict[str, Any], Entry]],
) -> None:
    line, _ = js_runs["function_media"]
    details = {d["modality"]: d["tokenCount"] for d in line["usage"]["promptTokensDetails"]}
    assert details["IMAGE"] == G3_IMAGE_TOKENS


@pytest.mark.node
@pytest.mark.parametrize(
    ("example", "status", "code", "message"),
    [
        ("penalty", 400, "INVALID_ARGUMENT", PENALTY),
        ("unknown_cache", 403, "PERMISSION_DENIED", NO_CACHE),
        (
            "logprobs_refused",
            400,
            "INVALID_ARGUMENT",
            "Logprobs is not enabled for models/gemini-2.5-flash",
        ),
    ],
)
def test_the_js_sdk_gets_the_services_refusal(
    js_runs: dict[str, tuple[dict[str, Any], Entry]],
    example: str,
    status: int,
    code: str,
    message: str,
) -> None:
    line, entry = js_runs[example]
    assert not line["ok"]
    assert (line["error"]["name"], line["error"]["status"]) == ("ApiError", status)
    error = json.loads(line["error"]["message"])["error"]
    assert (error["code"], error["status"], error["message"]) == (status, code, message)
    assert entry.status == status


@pytest.mark.node
def test_the_js_sdk_reads_the_log_probabilities(
    js_runs: dict[str, tuple[dict[str, Any], Entry]],
) -> None:
    line, entry = js_runs["logprobs"]
    assert line["ok"], line.get("error")
    result = line["logprobsResult"]
    chosen = result["chosenCandidates"]
    assert "".join(c["token"] for c in chosen) == line["text"].rstrip()
    assert [len(step["candidates"]) for step in result["topCandidates"]] == [2] * len(chosen)
    mean = sum(c["logProbability"] for c in chosen) / len(chosen)
    assert line["avgLogprobs"] == pytest.approx(mean, abs=1e-6)
    assert entry.request is not None
    assert entry.request["generationConfig"] == {"responseLogprobs": True, "logprobs": 2}
