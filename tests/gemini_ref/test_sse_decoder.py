"""The event-stream decoder against the WHATWG rules, one rule at a time, then by property.

The properties feed the same bytes split every possible way (hypothesis picks the cuts) and
compare with a slow line-by-line transcription of the spec below, which reads the whole stream
at once.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from fake_server.protocol.wire import dumps_event
from gemini_ref._sse import ServerSentEvent, SSEDecoder


def decode(*chunks: bytes) -> tuple[list[ServerSentEvent], bytes]:
    """Every event the chunks make, and what ``close()`` reports left over."""
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events, decoder.close()


def datas(*chunks: bytes) -> list[str]:
    events, _ = decode(*chunks)
    return [event.data for event in events]


# --- Lines ----------------------------------------------------------------------------------


def test_lines_end_with_lf_crlf_or_cr_in_any_mix():
    assert datas(b"data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\r\ndata: e\r\n\r") == list(
        "abcde"
    )


def test_a_cr_ending_one_chunk_and_a_lf_starting_the_next_are_one_line_ending():
    # Had the LF counted as a line of its own, the blank line would dispatch "a" early and
    # "b" would be an event of its own.
    assert datas(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == ["a\nb"]


def test_a_cr_then_a_lf_after_an_empty_chunk_is_still_one_line_ending():
    assert datas(b"data: a\r", b"", b"\ndata: b\r\n\r\n") == ["a\nb"]


def test_a_lone_cr_at_a_chunk_boundary_ends_its_line():
    assert datas(b"data: a\r", b"\r") == ["a"]


def test_a_line_split_anywhere_across_chunks_is_joined():
    assert datas(b"da", b"ta: he", b"llo", b"\r", b"\n\r\n") == ["hello"]


def test_a_multibyte_character_split_across_chunks_is_decoded_whole():
    encoded = "data: héllo €\n\n".encode()
    cut = encoded.index("€".encode()) + 1

    assert datas(encoded[:cut], encoded[cut:]) == ["héllo €"]


def test_invalid_utf8_becomes_the_replacement_character():
    assert datas(b"data: a\xffb\n\n") == ["a\ufffdb"]


# --- Byte order mark ------------------------------------------------------------------------


def test_a_leading_bom_is_stripped():
    assert datas(b"\xef\xbb\xbfdata: a\n\n") == ["a"]


def test_a_bom_split_across_chunks_is_stripped():
    assert datas(b"\xef", b"\xbb", b"\xbfdata: a\n\n") == ["a"]


def test_only_the_first_bom_is_stripped():
    # The second one is part of the field name, which is then no longer ``data``.
    assert datas(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n") == ["b"]


def test_a_bom_later_in_the_stream_is_kept():
    assert datas(b"data: a\n\n\xef\xbb\xbfdata: b\n\ndata: \xef\xbb\xbfc\n\n") == ["a", "\ufeffc"]


# --- Fields ---------------------------------------------------------------------------------


def test_comment_lines_are_ignored():
    assert datas(b": keepalive\n\n:\ndata: a\n: between\ndata: b\n\n") == ["a\nb"]


def test_only_one_space_after_the_colon_is_removed():
    assert datas(b"data:a\n\ndata: b\n\ndata:  c\n\ndata:\td\n\n") == ["a", "b", " c", "\td"]


def test_the_field_name_ends_at_the_first_colon():
    assert datas(b"data: a: b:c\n\n") == ["a: b:c"]


def test_several_data_lines_are_joined_with_lf():
    assert datas(b'data: {\ndata:   "a": 1\ndata: }\n\n') == ['{\n  "a": 1\n}']


def test_a_data_line_without_colon_appends_an_empty_line():
    assert datas(b"data\n\ndata\ndata\n\ndata: a\ndata\n\n") == ["", "\n", "a\n"]


def test_one_empty_data_line_dispatches_an_event_with_empty_data():
    assert datas(b"data:\n\n") == [""]


def test_a_blank_line_without_data_dispatches_nothing():
    assert datas(b"\n\n\r\n: c\n\nevent: x\n\nid: 1\n\n") == []


def test_unknown_fields_and_field_names_are_case_sensitive():
    assert datas(b"Data: a\nDATA: b\nfoo: c\ndata : d\n\n") == []


def test_event_sets_the_type_for_one_event_only():
    events, _ = decode(b"event: delta\ndata: a\n\ndata: b\n\nevent\ndata: c\n\n")

    assert [(event.event, event.data) for event in events] == [
        ("delta", "a"),
        ("message", "b"),
        ("message", "c"),  # an empty type means "message"
    ]


def test_an_event_type_without_data_does_not_leak_into_the_next_event():
    events, _ = decode(b"event: ping\n\ndata: a\n\n")

    assert [(event.event, event.data) for event in events] == [("message", "a")]


def test_id_sets_the_last_event_id_for_this_and_later_events():
    decoder = SSEDecoder()
    events = decoder.feed(b"data: a\n\nid: 7\ndata: b\n\ndata: c\n\nid\ndata: d\n\n")

    assert [(event.data, event.id) for event in events] == [
        ("a", ""),
        ("b", "7"),
        ("c", "7"),
        ("d", ""),  # an empty id resets it
    ]
    assert decoder.last_event_id == ""


def test_an_id_holding_nul_is_ignored():
    events, _ = decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")

    assert [event.id for event in events] == ["1", "1"]


def test_an_id_on_a_blank_line_without_data_still_becomes_the_last_event_id():
    decoder = SSEDecoder()
    decoder.feed(b"id: 5\n\n")

    assert decoder.last_event_id == "5"


def test_an_id_is_published_only_when_its_event_ends():
    decoder = SSEDecoder()
    decoder.feed(b"id: 1\ndata: a\n\nid: 2\n")

    assert decoder.last_event_id == "1"


def test_retry_sets_the_reconnection_time_when_all_ascii_digits():
    decoder = SSEDecoder()

    decoder.feed(b"retry: 1500\n\n")
    assert decoder.retry == 1500
    for invalid in (b"retry: 15.5\n", b"retry: -1\n", b"retry: 1e3\n", b"retry:\n", b"retry\n"):
        decoder.feed(invalid)
    decoder.feed("retry: \u0661\u0662\n".encode())  # Arabic-Indic digits are not ASCII
    decoder.feed(b"retry:  200\n")  # the second space stays: not all digits
    assert decoder.retry == 1500
    decoder.feed(b"retry: 0\n")
    assert decoder.retry == 0


# --- End of stream --------------------------------------------------------------------------


def test_a_stream_ending_after_its_blank_line_leaves_nothing():
    assert decode(b"data: a\r\n\r\n") == ([ServerSentEvent("a")], b"")


def test_an_empty_stream_leaves_nothing():
    assert decode() == ([], b"")
    assert decode(b"") == ([], b"")


def test_a_last_event_without_its_blank_line_is_discarded_and_reported():
    events, left = decode(b"data: a\n\ndata: b\n")

    assert [event.data for event in events] == ["a"]
    assert left == b"data: b"


def test_a_last_line_without_its_ending_is_discarded_and_reported():
    events, left = decode(b'data: a\n\nevent: x\ndata: {"cand', b'idates"')

    assert [event.data for event in events] == ["a"]
    assert left == b'event: x\ndata: {"candidates"'


def test_a_trailing_cr_ends_the_last_line_but_not_the_event():
    assert decode(b"data: a\r") == ([], b"data: a")


def test_comments_and_blank_lines_at_the_end_leave_nothing():
    assert decode(b"data: a\n\n: bye\n\n\n") == ([ServerSentEvent("a")], b"")
    assert decode(b"data: a\n\n: bye\n")[1] == b""


def test_a_lone_partial_bom_is_reported():
    assert decode(b"\xef\xbb") == ([], b"\xef\xbb")


def test_close_readies_the_decoder_for_another_stream_keeping_what_reconnecting_needs():
    decoder = SSEDecoder()
    decoder.feed(b"id: 3\nretry: 10\ndata: a\n\nid: 4\ndata: half")
    assert decoder.close() == b"id: 4\ndata: half"
    assert (decoder.last_event_id, decoder.retry) == ("3", 10)  # for Last-Event-ID

    events = decoder.feed(b"\xef\xbb\xbfdata: b\n\n")

    # A new stream's buffers start empty, its last event ID buffer too (the spec's rule).
    assert events == [ServerSentEvent("b", id="")]
    assert decoder.retry == 10
    assert decoder.close() == b""


# --- Properties -----------------------------------------------------------------------------


class Decoded(NamedTuple):
    events: list[ServerSentEvent]
    cut: bool  # the stream ended in the middle of an event
    last_event_id: str
    retry: int | None


def spec_decode(stream: bytes) -> Decoded:
    """The spec's algorithm, transcribed slowly, reading the whole stream at once."""
    text = stream.decode("utf-8", "replace").removeprefix("\ufeff")
    *lines, incomplete = re.split(r"\r\n|\r|\n", text)
    events: list[ServerSentEvent] = []
    data, event_type, id_buffer, last_event_id, retry = "", "", "", "", None
    pending = False
    for line in lines:
        if line == "":
            last_event_id = id_buffer
            if data:
                event = ServerSentEvent(data.removesuffix("\n"), event_type or "message", id_buffer)
                events.append(event)
            data, event_type, pending = "", "", False
            continue
        if line.startswith(":"):
            continue
        pending = True
        name, colon, value = line.partition(":")
        value = value.removeprefix(" ") if colon else value
        if name == "data":
            data += value + "\n"
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            id_buffer = value
        elif name == "retry" and re.fullmatch("[0-9]+", value):
            retry = int(value)
    return Decoded(events, pending or incomplete != "", last_event_id, retry)


def fast_decode(chunks: list[bytes]) -> Decoded:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return Decoded(events, bool(decoder.close()), decoder.last_event_id, decoder.retry)


# Streams of events made of the lines the rules are about, ended every possible way, with noise.
NAMES = [b"data"] * 4 + [b"event", b"event", b"id", b"id", b"retry", b"", b"Data", b"x"]
values = st.lists(
    st.sampled_from([b"x", b" ", b"42", b"\0", b":", "é€😀".encode(), b"\xff", b"\xef\xbb\xbf"]),
    max_size=3,
).map(b"".join)
field_lines = st.tuples(st.sampled_from(NAMES), st.sampled_from([b"", b":", b": "]), values)
comments = values.map(lambda value: b":" + value)
# one_of picks each alternative about equally often: mostly fields, some comments and noise.
lines = st.one_of(*[field_lines.map(b"".join)] * 3, comments, st.binary(max_size=4))
endings = st.sampled_from([b"\n", b"\r", b"\r\n"])


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    out = [draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))]
    for _ in range(draw(st.integers(0, 5))):  # events
        for line in draw(st.lists(lines, min_size=1, max_size=4)):
            out += [line, draw(endings)]
        out.append(draw(endings))  # the blank line that ends the event
    out.append(draw(st.sampled_from([b"", b"data: x", b"\r"])))
    return b"".join(out)


@st.composite
def split(draw: st.DrawFn, stream: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    return [stream[i:j] for i, j in zip([0, *cuts], [*cuts, len(stream)], strict=True)]


@given(st.data(), streams())
def test_any_split_of_any_bytes_decodes_as_the_spec_reads_the_whole(data, stream):
    chunks = data.draw(split(stream))
    one_byte_each = [stream[i : i + 1] for i in range(len(stream))]

    expected = spec_decode(stream)

    assert fast_decode(chunks) == expected
    assert fast_decode(one_byte_each) == expected


gemini_text = st.text(st.characters(codec="utf-8"), max_size=60)


@st.composite
def gemini_chunks(draw: st.DrawFn) -> dict[str, Any]:
    parts = draw(st.lists(st.fixed_dictionaries({"text": gemini_text}), min_size=1, max_size=3))
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if draw(st.booleans()):
        candidate["finishReason"] = "STOP"
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": draw(st.integers(0, 10**6))},
        "modelVersion": "gemini-2.5-flash",
        "responseId": draw(st.from_regex(r"[A-Za-z0-9_-]{23}", fullmatch=True)),
    }


def frame(obj: Any) -> bytes:
    """One event exactly as the fake frames it (which is as the service does,
    docs/evidence.md#service-sse-framing)."""
    return dumps_event(obj)


@given(st.data(), st.lists(gemini_chunks(), max_size=6))
def test_gemini_framed_chunks_decode_back_to_the_same_objects_for_any_split(data, objects):
    stream = b"".join(frame(obj) for obj in objects)
    chunks = data.draw(split(stream))

    events, left = decode(*chunks)

    assert [json.loads(event.data) for event in events] == objects
    assert left == b""
