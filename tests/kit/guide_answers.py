"""The guide's text examples, described once for the Python SDK, JS SDK and curl tests.

Each example is the request the fake should journal for it (the canonical camelCase body, the
same whichever client sent it) and the shipped fixture that should answer it. The expected answer
text is read from that fixture file, never copied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fake_server
from fake_server.journal import Entry

MODEL = "gemini-2.5-flash"
SHIPPED_FIXTURES = Path(fake_server.__file__).parent / "fixtures" / "data"


@dataclass(frozen=True)
class GuideExample:
    """One of the guide's text-generation examples, as every client should send it."""

    prompt: str
    fixture: str  # the shipped fixture that answers it: fake_server/fixtures/<fixture>.json
    generation_config: dict[str, Any] = field(default_factory=dict)
    system_instruction: str | None = None

    @property
    def thinks(self) -> bool:
        """2.5 Flash thinks unless the budget is 0."""
        budget = self.generation_config.get("thinkingConfig", {}).get("thinkingBudget")
        return bool(budget != 0)

    def canonical_request(self, *, system_role: bool = True) -> dict[str, Any]:
        """The body the fake should journal. The SDKs give the system instruction a role."""
        request: dict[str, Any] = {"contents": [{"parts": [{"text": self.prompt}], "role": "user"}]}
        if self.system_instruction is not None:
            instruction: dict[str, Any] = {"parts": [{"text": self.system_instruction}]}
            if system_role:
                instruction["role"] = "user"
            request["systemInstruction"] = instruction
        if self.generation_config:
            request["generationConfig"] = self.generation_config
        return request

    def answer(self) -> dict[str, Any]:
        data = json.loads((SHIPPED_FIXTURES / f"{self.fixture}.json").read_text("utf-8"))
        answer: dict[str, Any] = data["answer"]
        return answer

    def expected_text(self) -> str:
        """The fixture's text cut at the first stop sequence, as the model stops there."""
        text: str = self.answer()["text"]
        cuts = [text.find(s) for s in self.generation_config.get("stopSequences", []) if s in text]
        return text[: min(cuts)] if cuts else text

    def check_text(self, text: str | None) -> None:
        """``response.text`` is the fixture's answer (in JSON mode: its JSON value, any layout)."""
        assert text is not None
        if self.generation_config.get("responseMimeType") == "application/json":
            assert json.loads(text) == self.answer()["json"]
        else:
            assert text == self.expected_text()

    def check_usage(self, usage: dict[str, Any]) -> None:
        """The real service's invariants (docs/evidence.md#service-usage), on camelCase
        usageMetadata."""
        prompt = usage["promptTokenCount"]
        candidates = usage.get("candidatesTokenCount", 0)
        thoughts = usage.get("thoughtsTokenCount", 0)
        assert prompt > 0 and candidates > 0, usage
        assert usage["totalTokenCount"] == prompt + candidates + thoughts, usage
        assert sum(d["tokenCount"] for d in usage["promptTokensDetails"]) == prompt, usage
        if self.thinks:
            assert thoughts > 0, f"2.5 Flash thinks by default: no thoughtsTokenCount in {usage}"
        else:
            assert "thoughtsTokenCount" not in usage, f"thinking is off, yet {usage}"

    def check_call(
        self,
        call: Entry,
        version: str,
        *,
        system_role: bool = True,
        rpc: str = "generateContent",
    ) -> None:
        """The journal entry: the path and version the client used, the body, the answerer."""
        assert (call.method, call.path, call.api_version, call.model, call.status) == (
            "POST",
            f"/{version}/models/{MODEL}:{rpc}",
            version,
            MODEL,
            200,
        )
        assert call.answered_by == f"fixture:{self.fixture}"
        assert without_empty_config(call.request) == self.canonical_request(system_role=system_role)


def without_empty_config(request: dict[str, Any] | None) -> dict[str, Any] | None:
    """The journalled body minus an empty ``generationConfig``.

    Both SDKs send ``"generationConfig": {}`` as soon as any config object exists (here: only a
    system instruction); an empty message and an absent one mean the same to the service.
    """
    if request is None or request.get("generationConfig") != {}:
        return request
    return {k: v for k, v in request.items() if k != "generationConfig"}


NEKO = "You are a cat. Your name is Neko."

# The guide's text-generation examples (the sections before "Multimodal inputs"), named as
# tests/js/guide.mjs names them.
EXAMPLES: dict[str, GuideExample] = {
    "basic": GuideExample("How does AI work?", "guide-how-does-ai-work"),
    "thinking_off": GuideExample(
        "How does AI work?", "guide-how-does-ai-work", {"thinkingConfig": {"thinkingBudget": 0}}
    ),
    "system_instruction": GuideExample(
        "Hello there", "guide-system-instruction-neko", system_instruction=NEKO
    ),
    "temperature": GuideExample(
        "Explain how AI works", "guide-explain-how-ai-works", {"temperature": 0.1}
    ),
    # Go's configuration example.
    "config_full": GuideExample(
        "What is the average size of a swallow?",
        "guide-average-size-of-a-swallow",
        {"temperature": 0.9, "topP": 0.5, "topK": 20, "responseMimeType": "application/json"},
    ),
    # The REST configuration example.
    "stop_sequences": GuideExample(
        "Explain how AI works",
        "guide-explain-how-ai-works",
        {"stopSequences": ["Title"], "temperature": 1.0, "topP": 0.8, "topK": 10},
    ),
    # "Streaming responses": the same prompt, no configuration, streamed.
    "stream": GuideExample("Explain how AI works", "guide-explain-how-ai-works"),
}
