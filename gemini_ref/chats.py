"""``client.chats`` and ``client.aio.chats``: conversations that keep their own history.

::

    chat = client.chats.create(model="gemini-2.5-flash")
    response = chat.send_message("I have 2 dogs in my house.")
    response = chat.send_message("How many paws are in my house?")  # sent after the first turn
    for message in chat.get_history():
        print(message.role, message.parts[0].text)

The history rules are the official Python SDK's; they are in ``_chats`` (one place, no I/O),
with what a stream that is not read to its end leaves behind (nothing). These classes only put
each turn's request on the network and hand the answer back.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Iterable
from contextlib import aclosing, closing

from ._caller import AsyncCaller, Caller
from ._chats import ChatMessage, ChatSession, ConfigLike, HistoryTurn, StreamTurn
from .types import Content, GenerateContentResponse

__all__ = ["AsyncChat", "AsyncChats", "Chat", "ChatMessage", "Chats"]


class _BaseChat:
    def __init__(self, session: ChatSession) -> None:
        self._session = session

    def get_history(self, curated: bool = False) -> list[Content]:
        """The conversation so far, oldest turn first.

        By default the *comprehensive* history: every turn, including answers that were
        blocked, empty, or streamed without a finish reason (a blocked answer shows as
        ``Content(role="model", parts=[])``), each after the user turn that caused it; a
        streamed answer is one model ``Content`` per chunk. ``curated=True`` leaves out the
        invalid answers with their user turns: it is what the next message is sent after.

        A new list each time (changing it does not change the chat); the ``Content`` objects
        in it are the chat's own.
        """
        return self._session.history.get(curated)


class Chat(_BaseChat):
    """A conversation with one model; make one with ``client.chats.create``."""

    def __init__(self, caller: Caller, session: ChatSession) -> None:
        super().__init__(session)
        self._caller = caller

    def send_message(
        self, message: ChatMessage, config: ConfigLike | None = None
    ) -> GenerateContentResponse:
        """Send ``message`` after the (curated) history; record the answer and return it.

        ``message`` is a str, a ``types.Part``, an uploaded ``types.File`` or a list of them
        (one turn); anything else raises ``ValueError``, as in the SDK. ``config`` replaces the
        chat's config for this message only. If the call raises, nothing is recorded.
        """
        turn = self._session.turn(message, config)
        response = self._caller.send(turn.call())
        turn.record(response)
        return response

    def send_message_stream(
        self, message: ChatMessage, config: ConfigLike | None = None
    ) -> Generator[GenerateContentResponse, None, None]:
        """As ``send_message``, answered as an iterator of chunks.

        The message is checked now; the request is sent, after the history as it is then,
        when the first chunk is asked for. The turn is recorded once the iterator is
        exhausted. A stream left early (``break``, ``close()``) or that fails records nothing:
        the next message goes after the history as it was, without this one.
        """
        return self._stream(self._session.stream_turn(message, config))

    def _stream(self, turn: StreamTurn) -> Generator[GenerateContentResponse, None, None]:
        with closing(self._caller.stream(turn.call())) as chunks:
            for chunk in chunks:
                turn.add(chunk)
                yield chunk
        turn.finish()


class AsyncChat(_BaseChat):
    """The async twin of ``Chat``; make one with ``client.aio.chats.create``."""

    def __init__(self, caller: AsyncCaller, session: ChatSession) -> None:
        super().__init__(session)
        self._caller = caller

    async def send_message(
        self, message: ChatMessage, config: ConfigLike | None = None
    ) -> GenerateContentResponse:
        """As ``Chat.send_message``."""
        turn = self._session.turn(message, config)
        response = await self._caller.send(turn.call())
        turn.record(response)
        return response

    async def send_message_stream(
        self, message: ChatMessage, config: ConfigLike | None = None
    ) -> AsyncGenerator[GenerateContentResponse, None]:
        """``async for chunk in await chat.send_message_stream(...)``; as the sync method.

        To close the response at once when leaving early, ``await`` the iterator's
        ``aclose()`` or use ``contextlib.aclosing``.
        """
        return self._stream(self._session.stream_turn(message, config))

    async def _stream(self, turn: StreamTurn) -> AsyncGenerator[GenerateContentResponse, None]:
        async with aclosing(self._caller.stream(turn.call())) as chunks:
            async for chunk in chunks:
                turn.add(chunk)
                yield chunk
        turn.finish()


class Chats:
    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def create(
        self,
        *,
        model: str,
        config: ConfigLike | None = None,
        history: Iterable[HistoryTurn] | None = None,
    ) -> Chat:
        """A new chat with ``model``, optionally starting from ``history``.

        ``config`` is sent with every message that does not bring its own. ``history`` (turns
        as ``types.Content`` or dicts, roles ``user`` and ``model`` only) is kept as given and
        curated once, by the same rules as the answers that follow.
        """
        return Chat(self._caller, ChatSession(model, config, history))


class AsyncChats:
    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    def create(
        self,
        *,
        model: str,
        config: ConfigLike | None = None,
        history: Iterable[HistoryTurn] | None = None,
    ) -> AsyncChat:
        """As ``Chats.create``; note that this one is not awaited, as in the SDK."""
        return AsyncChat(self._caller, ChatSession(model, config, history))
