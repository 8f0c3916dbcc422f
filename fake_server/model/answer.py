"""What the model says, before the request's settings shape it into a response.

The pipeline, module by module: :mod:`.generation` finds a fixture for the request or has
:mod:`.synthesis` make up an :class:`Answer`; :mod:`.shaping` applies the request's settings
(thinking, stop sequences, ``maxOutputTokens``, JSON mode, candidates) and builds the
GenerateContentResponse; :mod:`.chunking` cuts that into the chunks of a stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .builtin_tools import Builtin


@dataclass(frozen=True)
class Answer:
    """A model answer before shaping: prose, an optional thought summary, an optional JSON value.

    ``json`` is what JSON mode returns when the answer has one; otherwise JSON mode builds a value
    from the response schema (or wraps ``text``).
    """

    text: str
    thoughts: str | None = None
    json: Any = None
    has_json: bool = False
    function_calls: tuple[dict[str, Any], ...] = ()  # {"name", "args"}: the answer calls tools
    builtin: Builtin | None = None  # what the built-in tools (search, code, URLs) gave it

    @classmethod
    def from_fixture(cls, data: dict[str, Any]) -> Answer:
        return cls(
            text=str(data.get("text", "")),
            thoughts=data.get("thoughts"),
            json=data.get("json"),
            has_json="json" in data,
            function_calls=tuple(data.get("functionCalls", ())),
        )
