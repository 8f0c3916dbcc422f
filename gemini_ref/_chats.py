"""Chats without the I/O: the two histories, which turns count, and what each turn sends.

The rules are the official Python SDK's (``google.genai.chats``, 3.3.0), so a conversation keeps
the same history and sends the same turns with either client (docs/evidence.md#sdk-chat-history):

* A chat keeps two lists. The *comprehensive* history holds every turn; the *curated* history
  only the valid ones. Each request sends the curated history, then the new user turn.
* A model turn is valid when the answer's first candidate has a content whose ``parts`` are not
  empty and hold no empty part (``Part()``: nothing set at all). An invalid turn is recorded in
  the comprehensive history only, so it drops out of the curated history together with the user
  turn that caused it. An answer without any content (a ``SAFETY`` block) is recorded as
  ``Content(role="model", parts=[])``, so the comprehensive history still alternates.
* A streamed turn records each chunk's content as its own model ``Content`` (the next request
  carries them as consecutive model turns), once the stream has been read to its end. It is
  valid when every chunk is, and some chunk has a ``finish_reason``.
* The model's content is kept as it came, even without a ``role`` (then it is sent back without
  one).
* A history given to ``chats.create`` is curated once, by the same rules applied to runs of
  model turns; every turn in it must have the role ``user`` or ``model``.
* A message's own ``config`` replaces the chat's for that call (it is not merged); a falsy one
  (``None``, ``{}``) means the chat's.

One deliberate difference: a part whose keys are all unknown to the SDK (a part kind newer
than it) is kept here, in ``Part.extra``, and sent back, so it is not empty and its turn stays
valid. The SDK drops the keys it does not know when it reads an answer, so to it such a part is
``Part()`` and the turn invalid. Keys the SDK knows but we don't model (``executableCode`` …)
make a valid part in both. Not here at all: the SDK's automatic function calling (Python
functions as tools) and automatic continuation (``finishReason: CONTINUATION``).

A stream that is not read to its end records nothing, in either history: not when the consumer
leaves the loop early or closes the iterator, and not when the stream fails (an error event, a
dropped connection). The next message is sent after the history as it was before, without the
abandoned message. This is what the SDK does too: it records a streamed turn after its last
chunk, in code that a ``break`` or an exception never reaches.

The sync and async ``Chat`` (in ``chats.py``) only move a ``Call`` over the network and hand
the answer back to a ``Turn`` or ``StreamTurn`` from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from ._calls import Call, generate_content, generate_content_stream, model_name
from ._coerce import coerce
from ._contents import is_pil_image, to_content
from ._wire import from_wire
from .types import Content, File, GenerateContentConfig, GenerateContentResponse, Part

ChatPart: TypeAlias = str | Part | File
ChatMessage: TypeAlias = ChatPart | list[ChatPart]
"""What ``send_message`` takes, as the SDK does: a part, or a non-empty list of parts."""
ConfigLike: TypeAlias = GenerateContentConfig | Mapping[str, Any]
HistoryTurn: TypeAlias = Content | Mapping[str, Any]
"""A turn of the history a chat starts from: a ``Content``, or a dict of one."""

_PART_TYPES = (str, Part, File)
ROLES = ("user", "model")


def message_turn(message: Any) -> Content:
    """The user's turn for a chat message, or ``ValueError`` for what the SDK refuses.

    A string, a ``Part``, an uploaded ``File`` or a PIL image is a turn of one part; a list of
    them is one turn holding them all, in order. The role is ``user``, except for a single
    function-call part (``model``), as the SDK decides. ``Content`` objects and dicts are
    refused: the SDK's ``send_message`` refuses them too.
    """
    parts = message if isinstance(message, list) else [message]
    if not parts:
        raise ValueError("a chat message needs at least one part; got an empty list")
    for part in parts:
        if not isinstance(part, _PART_TYPES) and not is_pil_image(part):
            raise ValueError(
                "a chat message is a str, a types.Part, an uploaded types.File, a PIL image or a"
                f" list of them, not a {type(part).__module__}.{type(part).__qualname__}"
                " (the official SDK refuses it too)"
            )
    return to_content(message)


# --- Validity ----------------------------------------------------------------------------------


def is_valid_content(content: Content) -> bool:
    """Non-empty ``parts``, none of them an empty ``Part()`` (no field set, no unknown key)."""
    return bool(content.parts) and all(part != Part() for part in content.parts or ())


def is_valid_response(response: GenerateContentResponse) -> bool:
    """Whether the first candidate holds a valid content (for a stream: this chunk does)."""
    if not response.candidates:
        return False
    content = response.candidates[0].content
    return content is not None and is_valid_content(content)


def model_output(response: GenerateContentResponse) -> Content | None:
    """What a response (or a chunk) adds to the history: its first candidate's content."""
    return response.candidates[0].content if response.candidates else None


def curate(history: Sequence[Content]) -> list[Content]:
    """The valid turns of a history: each run of model turns with any invalid one is dropped,
    with the user turn just before it. Raises ``ValueError`` for a role other than user/model.
    """
    curated: list[Content] = []
    index = 0
    while index < len(history):
        role = history[index].role
        if role not in ROLES:
            raise ValueError(f"a chat history's roles are 'user' or 'model', but got {role!r}")
        if role == "user":
            curated.append(history[index])
            index += 1
            continue
        end = index
        while end < len(history) and history[end].role == "model":
            end += 1
        run = history[index:end]
        if all(is_valid_content(content) for content in run):
            curated.extend(run)
        elif curated:
            curated.pop()  # the user turn that asked for the invalid answer
        index = end
    return curated


# --- The chat ----------------------------------------------------------------------------------


class ChatHistory:
    """Both histories of one chat; changed only by ``record``."""

    def __init__(self, initial: Iterable[HistoryTurn] = ()) -> None:
        contents = [from_wire(Content, content, strict=True) for content in initial]
        self.comprehensive: list[Content] = contents
        self.curated: list[Content] = curate(contents)

    def record(self, user: Content, output: list[Content], valid: bool) -> None:
        turn = [user, *(output or [Content(role="model", parts=[])])]
        self.comprehensive.extend(turn)
        if valid:
            self.curated.extend(turn)

    def get(self, curated: bool = False) -> list[Content]:
        """A new list each time; the contents in it are the history's own."""
        return list(self.curated if curated else self.comprehensive)


class ChatSession:
    """A chat's model, default config and history: what ``Chat`` and ``AsyncChat`` share."""

    def __init__(
        self,
        model: str,
        config: ConfigLike | None = None,
        history: Iterable[HistoryTurn] | None = None,
    ) -> None:
        model_name(model)  # refuse a bad name now rather than on the first message
        self.model = model
        self.config = None if config is None else coerce(GenerateContentConfig, config)
        self.history = ChatHistory(history or ())

    def config_for(self, config: ConfigLike | None) -> GenerateContentConfig | None:
        """The config a message is sent with: its own, unless falsy, else the chat's."""
        return coerce(GenerateContentConfig, config) if config else self.config

    def turn(self, message: ChatMessage, config: ConfigLike | None = None) -> Turn:
        return Turn(self, message_turn(message), self.config_for(config))

    def stream_turn(self, message: ChatMessage, config: ConfigLike | None = None) -> StreamTurn:
        return StreamTurn(self, message_turn(message), self.config_for(config))


class _BaseTurn:
    """A message on its way: the user's turn and the config it goes with."""

    def __init__(
        self, session: ChatSession, user: Content, config: GenerateContentConfig | None
    ) -> None:
        self.session = session
        self.user = user
        self.config = config

    def contents(self) -> list[Content]:
        """What the request sends: the curated history as it is now, then the user's turn."""
        return [*self.session.history.curated, self.user]


class Turn(_BaseTurn):
    """One unary exchange: send ``call()``, then ``record`` its answer."""

    def call(self) -> Call[GenerateContentResponse]:
        return generate_content(self.session.model, self.contents(), self.config)

    def record(self, response: GenerateContentResponse) -> None:
        output = model_output(response)
        self.session.history.record(
            self.user, [] if output is None else [output], is_valid_response(response)
        )


class StreamTurn(_BaseTurn):
    """One streamed exchange: send ``call()``, ``add`` each chunk, ``finish`` at its end.

    Nothing is recorded until ``finish``: a stream abandoned before its end (left early or
    failed) leaves both histories as they were.
    """

    def __init__(
        self, session: ChatSession, user: Content, config: GenerateContentConfig | None
    ) -> None:
        super().__init__(session, user, config)
        self.outputs: list[Content] = []
        self.valid = True
        self.finished = False  # some chunk had a finish_reason

    def call(self) -> Call[GenerateContentResponse]:
        return generate_content_stream(self.session.model, self.contents(), self.config)

    def add(self, chunk: GenerateContentResponse) -> None:
        if not is_valid_response(chunk):
            self.valid = False
        output = model_output(chunk)
        if output is not None:
            self.outputs.append(output)
        if chunk.candidates and chunk.candidates[0].finish_reason:
            self.finished = True

    def finish(self) -> None:
        """The stream ended cleanly: record the turn."""
        valid = self.valid and self.finished and bool(self.outputs)
        self.session.history.record(self.user, self.outputs, valid)
