"""Request bodies read as the service's front end reads them: protobuf's JSON stream parser, its
leniency, its messages and its limits (docs/protocol.md#reading-request-bodies).

The expected messages are the parser's own, and many of the cases its own tests' (the page
says where both come from).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_server.protocol import json_body
from fake_server.protocol.errors import ApiError
from fake_server.protocol.json_body import read_json
from fake_server.protocol.json_stream import Refused, StreamReader

PREFIX = "Invalid JSON payload received. "


def refusal(raw: bytes) -> str:
    """The message of the 400 that ``raw`` gets, without the common prefix."""
    with pytest.raises(ApiError) as caught:
        read_json(raw)
    error = caught.value
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.details == [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"description": error.message}],
        }
    ]
    assert error.message.startswith(PREFIX)
    return error.message.removeprefix(PREFIX)


def reason(raw: bytes) -> str:
    """The parser's reason alone, without the snippet and the caret."""
    return refusal(raw).split("\n")[0]


# --- what is read -----------------------------------------------------------------------------


def test_an_empty_or_blank_body_is_an_empty_message() -> None:
    assert read_json(b"") == {}
    assert read_json(b" \r\n\t\v\f") == {}


def test_the_guides_curl_body_with_a_comma_before_the_bracket_is_read() -> None:
    raw = b'{"contents": [{"parts": [{"text": "Caption this image."},]}]}'
    assert read_json(raw) == {"contents": [{"parts": [{"text": "Caption this image."}]}]}


def test_single_quotes_bare_keys_and_trailing_commas_are_read() -> None:
    raw = b"{contents: [{'parts': [{text: 'it\\'s \"quoted\"'},],},], $k_1: 'v',}"
    assert read_json(raw) == {
        "contents": [{"parts": [{"text": 'it\'s "quoted"'}]}],
        "$k_1": "v",
    }


def test_the_docs_single_quoted_upload_start_body_is_read() -> None:
    assert read_json(b"{'file': {'display_name': 'AUDIO'}}") == {"file": {"display_name": "AUDIO"}}


def test_a_bare_key_may_begin_with_a_keyword() -> None:
    raw = b'{ nullkey: "a", truekey: "b", falsekey: "c"}'
    assert read_json(raw) == {"nullkey": "a", "truekey": "b", "falsekey": "c"}


def test_any_character_after_a_backslash_stands_for_itself() -> None:
    raw = b'["\\v\\b\\f\\n\\r\\t", "\\a\\q\\/\\\'\\\\", "\\\xc3\xa9"]'
    assert read_json(raw) == ["\v\b\f\n\r\t", "aq/'\\", "é"]


def test_raw_control_characters_in_strings_are_read() -> None:
    assert read_json(b'{"text": "a\x01b\tc\nd\x00"}') == {"text": "a\x01b\tc\nd\x00"}


def test_vertical_tab_and_form_feed_are_whitespace() -> None:
    assert read_json(b'\v{\f"a"\v:\f1\v}\f') == {"a": 1}


def test_surrogate_pairs_are_joined_in_either_case() -> None:
    raw = b'["\\u0bee\\ud800\\uddf1\\uD83d\\udC1D", "\\ud83d\\ude00"]'
    assert read_json(raw) == ["\u0bee\U000101f1\U0001f41d", "\U0001f600"]


def test_an_escaped_backslash_before_ud800_is_text_not_a_surrogate() -> None:
    assert read_json(b'["\\\\ud800"]') == ["\\ud800"]


def test_a_repeated_key_keeps_its_last_value() -> None:
    assert read_json(b'{"a": 1, "a": {"b": 2}}') == {"a": {"b": 2}}
    assert read_json(b"{'a': 1, a: [2],}") == {"a": [2]}


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b"18446744073709551615", 2**64 - 1),  # uint64's largest: an integer
        (b"18446744073709551616", 2.0**64),  # one more: a double
        (b"-9223372036854775808", -(2**63)),  # int64's smallest: an integer
        (b"-9223372036854775809", -(2.0**63)),  # one less: a double
        (b"1" * 300, float("1" * 300)),  # a long integer within a double's range
        (b"1e-999", 0.0),  # an underflow is zero, as strtod gives it
        (b"1.", 1.0),  # strtod's decimals, not JSON's
        (b"-.5", -0.5),
        (b"00.5", 0.5),
        (b"0x1.8", 1.5),  # strtod reads hex too once there is a "." or an "e" in it
        (b"-0", 0),
    ],
)
def test_numbers_are_read_as_the_parser_reads_them(raw: bytes, value: float) -> None:
    read = read_json(raw)
    assert read == value and type(read) is type(value)


# --- what is refused, and how it is said ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        # the parser's tests
        (b"01234", "Octal/hex numbers are not valid JSON values."),
        (b"0x1234", "Octal/hex numbers are not valid JSON values."),
        (b"-01234", "Octal/hex numbers are not valid JSON values."),
        (b"{ null: 'a', true: 'b'}", "Expected an object key or }."),
        (b'{ foo-bar-baz: "a"}', "Expected : between key:value pair."),
        (b'["\\ude36"]', "Invalid unicode code point."),
        (b'["\\ud83d"]', "Missing low surrogate."),
        (b'["\\ud83d|ude36"]', "Missing low surrogate."),
        (b'["\\ud83d\\ude--"]', "Invalid escape sequence."),
        (b'["\\ud83d\\ud83d"]', "Invalid low surrogate."),
        (b"truee", "Parsing terminated before end of input."),
        (b"-", "Unable to parse number."),
        (b"-foo", "Unable to parse number."),
        (b"[nule]", "Unexpected token."),
        (b"{123false}", "Expected an object key or }."),
        (b"'Some str\"", "Closing quote expected in string."),
        (b'"Forgot the rest of \\', "Closing quote expected in string."),
        (b"{", "Unexpected end of string. Expected an object key or }."),
        (b"{'key': true]", "Expected , or } after key:value pair."),
        (b"[true, null}", "Expected , or ] after array value."),
        (b"{42: true}", "Expected an object key or }."),
        (b'{"key"}', "Expected : between key:value pair."),
        (b"{key", "Unexpected end of string. Expected : between key:value pair."),
        (b"{key:}", "Unexpected token."),
        (b"{key:20 'hello': true}", "Expected , or } after key:value pair."),
        (b"{}}", "Parsing terminated before end of input."),
        (b"[1.89769e+308]", "Number exceeds the range of double."),
        (b'"\\u12', "Illegal hex string."),
        (b'"\\u{1f36f}"', "Invalid escape sequence."),
        (b"{'k1': true,,'k2': false}", "Expected an object key or }."),
        (b"[true,,false}", "Unexpected token."),
        (b"[null] 'oops'", "Parsing terminated before end of input."),
        (b"*&#25", "Expected a value."),
        (b"[*&#25]", "Expected a value or ] within an array."),
        # what json.loads would take
        (b'{"a": NaN}', "Unexpected token."),
        (b'{"a": Infinity}', "Unexpected token."),
        (b'{"a": -Infinity}', "Unable to parse number."),
        (b'{"a": 1e999}', "Number exceeds the range of double."),
        (b'{"a": -1e999}', "Number exceeds the range of double."),
        (b'{"a": ' + b"9" * 4301 + b"}", "Number exceeds the range of double."),
        (b'{"a": "\\ud800"}', "Missing low surrogate."),
        (b'{"a": "\\udc00"}', "Invalid unicode code point."),
        (b'{"\\ud800 name": 1}', "Missing low surrogate."),
        (b'\xef\xbb\xbf{"a": 1}', "Expected a value."),
        # what ast.literal_eval would take
        (b"b'x'", "Unexpected token."),
        (b"{1, 2}", "Expected an object key or }."),
        (b"{'file': {'display_name': b'x'}}", "Unexpected token."),
    ],
)
def test_the_parsers_own_reason_is_given(raw: bytes, message: str) -> None:
    assert reason(raw) == message


def test_the_snippet_is_the_20_bytes_either_side_with_a_caret_under_the_stop() -> None:
    raw = b'{"contents": [{"parts": [{"text": "hi"}]]}'
    assert refusal(raw) == (
        'Expected , or } after key:value pair.\ns": [{"text": "hi"}]]}\n                    ^'
    )


def test_the_snippet_spans_lines_as_the_bytes_fall() -> None:
    raw = b'{\n  "contents": [\n    {"parts": []}\n    {"parts": []}\n  ]\n}\n'
    assert refusal(raw) == (
        "Expected , or ] after array value.\n"
        '  {"parts": []}\n    {"parts": []}\n  ]\n}\n\n'
        "                    ^"
    )


def test_an_error_at_the_end_shows_what_was_left_over_which_may_be_nothing() -> None:
    # The parser waits for more input where the body runs short, then finishes on what is left.
    assert refusal(b'{"contents": [{"parts": [{"text": "hi"}]}]') == (
        "Unexpected end of string. Expected , or } after key:value pair.\n\n^"
    )
    assert refusal(b'{"a": }') == "Unexpected token.\n}\n^"
    assert refusal(b'{"a": "\\ud800"}') == 'Missing low surrogate.\n\\ud800"}\n^'
    after_the_key = "Unexpected end of string. Expected : between key:value pair.\nkey\n   ^"
    assert refusal(b"{key") == after_the_key


def test_the_middle_of_a_body_is_shown_from_the_body() -> None:
    raw = b'{"a": "\\ud800 and then more text"}'
    assert refusal(raw) == 'Missing low surrogate.\n{"a": "\\ud800 and then more\n       ^'


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b'{"text": "x\xffy"}', '\ufffdy"}'),  # from the first byte that is not UTF-8
        (b'\xff{"a": 1}', '\ufffd{"a": 1}'),
        (b'{"a": 1}\xff', "\ufffd"),
        (b'{"a": *}\xff', "*}\ufffd"),  # where the parser waited, before it read on
        (b'{"a": "\xed\xa0\x80"}', '\ufffd\ufffd\ufffd"}'),  # an encoded surrogate
    ],
)
def test_bytes_that_are_not_utf8_are_refused(raw: bytes, shown: str) -> None:
    assert refusal(raw) == f"Encountered non UTF-8 code points.\n{shown}\n^"


def test_a_syntax_error_before_a_bad_byte_is_reported_first() -> None:
    assert reason(b'{"a" 1, "b": "\xff"}') == "Expected : between key:value pair."


# --- nesting ----------------------------------------------------------------------------------


def nested_objects(depth: int, key: str = "a") -> bytes:
    return (f'{{"{key}": ' * depth + "1" + "}" * depth).encode()


def test_100_nested_objects_are_read_and_the_101st_is_refused_naming_its_key() -> None:
    assert read_json(nested_objects(100)) is not None
    assert refusal(nested_objects(101, "deep")) == (
        "Message too deep. Max recursion depth reached for key 'deep'"
    )


def test_the_parsers_own_nesting_cases() -> None:
    inner = b"{'nest11' : [{'nest12' : null,},],'nest21' : {'nest22' : {'nest23' : false}}}"
    assert refusal(b"{'a':" * 98 + inner + b"}" * 98) == (
        "Message too deep. Max recursion depth reached for key 'nest22'"
    )
    repeated = b"{'nest64':'v1', 'nest64': false, 'nest64': ['v2']}"
    value = read_json(b"{'a':" * 99 + repeated + b"}" * 99)
    for _ in range(99):
        value = value["a"]
    assert value == {"nest64": ["v2"]}


def test_arrays_do_not_count_toward_the_parsers_limit() -> None:
    raw = b'{"a": [' * 100 + b"1" + b"]}" * 100
    assert read_json(raw) is not None
    assert refusal(b'[{"a": ' * 101 + b"1" + b"}]" * 101) == (
        "Message too deep. Max recursion depth reached for key ''"
    )


def test_the_fake_reads_at_most_256_nested_arrays() -> None:
    assert read_json(b"[" * 256 + b"]" * 256) is not None
    assert refusal(b"[" * 257 + b"]" * 257) == "The payload is nested too deeply."
    assert refusal(b"[" * 100_000) == "The payload is nested too deeply."


def test_too_deep_a_value_hidden_behind_a_repeated_key_is_refused_all_the_same() -> None:
    raw = b'{"a": ' + nested_objects(100) + b', "a": 1}'
    assert json.loads(raw) == {"a": 1}
    assert reason(raw).startswith("Message too deep.")


def test_brackets_inside_strings_do_not_count() -> None:
    raw = json.dumps({"a": "{" * 300, "b": [{"c": "[" * 300}] * 200}).encode()
    assert read_json(raw) == json.loads(raw)


# --- the fast path ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"contents": [{"parts": [{"text": "How does AI work?"}]}]},
        {"contents": [{"role": "user", "parts": [{"text": f"turn {i}"}]} for i in range(120)]},
        {"text": '😀 é \\ud800 "{[\n', "n": [2**63 - 1, -(2**63), 2**64 - 1, 1.5e308]},
        {"data": "A" * 100_000, "braces": "{" * 5000},
    ],
    ids=["guide", "long-chat", "escapes-and-numbers", "large"],
)
@pytest.mark.parametrize("ascii_only", [True, False])
def test_a_strict_body_never_reaches_the_stream_parser(
    value: Any, ascii_only: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unexpected(raw: bytes) -> None:
        raise AssertionError("the body went to the stream parser")

    monkeypatch.setattr(json_body, "StreamReader", unexpected)
    assert read_json(json.dumps(value, ensure_ascii=ascii_only).encode()) == value


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values, st.booleans())
def test_strict_json_reads_as_json_loads_reads_it_on_either_path(
    value: Any, ascii_only: bool
) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert read_json(raw) == value
    assert StreamReader(raw).read() == value


pieces = st.sampled_from(
    [b"{", b"}", b"[", b"]", b",", b":", b" ", b'"a"', b"'b'", b"k", b"1", b"-", b"1e999", b"2.5",
     b"true", b"nul", b"NaN", b'"\\ud83d', b"\\ude00", b'\\"', b"\\", b'"', b"\xff", b"\xc3\xa9"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(pieces, max_size=12).map(b"".join))
def test_json_loads_keeps_only_what_the_stream_parser_reads_alike(raw: bytes) -> None:
    try:
        expected: Any = StreamReader(raw).read() if raw.strip() else {}
    except Refused as refused:
        assert refusal(raw) == str(refused)
    else:
        assert read_json(raw) == expected
