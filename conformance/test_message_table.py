"""``vectors/messages.json``: the fake's message table (``fake_server/protocol/messages.py`` and
``enums.py``) exported for ports, which need each field's kind to read a request as the service
does (docs/messages.md#reading-a-field) and to fold it into the request key
(docs/fixtures.md#the-request-key). The file must be what the table exports; regenerate it with
``.venv/bin/python -m conformance.test_message_table``.
"""

from __future__ import annotations

import json
from typing import Any

from conformance._vectors import VECTORS, header, load
from fake_server.protocol.messages import ENUMS, MESSAGES

FILE = "messages.json"
DESCRIPTION = [
    "The message table: every message the service reads or answers with, by JSON name, and",
    "every enum (docs/messages.md, where the same table is a page).",
    "'messages' maps a message name to its fields, in the table's order: each field's JSON",
    "(camelCase) name to its kind. A request may spell a field by that name or by its proto name",
    "(snake_case: each capital letter becomes '_' and its lower case). The kinds: 'string',",
    "'bool', 'bytes' (base64), 'int32', 'int64', 'count' (an int32 never negative), 'float'",
    "(kept by the service as IEEE float32), 'double', 'value' (any JSON: google.protobuf.Value),",
    "'struct' (a JSON object: google.protobuf.Struct), 'enum:E' (a value of enums[E]), 'M' (the",
    "message M of this table), 'K[]' (a list of K) and 'map:K' (an object whose keys are names",
    "the caller chose and whose values are K). 'value' and 'struct' fields are the caller's",
    "data: their keys are not field names and keep their spelling.",
    "'enums' maps an enum name to its values in the service's numbering: the value at index n is",
    "what a request may send as the number n; index 0 is the unset placeholder.",
]
PINS = ["docs/messages.md#reading-a-field", "docs/fixtures.md#the-request-key"]


def generate() -> dict[str, Any]:
    return {
        **header(DESCRIPTION, PINS),
        "messages": {name: dict(fields) for name, fields in MESSAGES.items()},
        "enums": {name: list(values) for name, values in ENUMS.items()},
    }


def render(document: dict[str, Any]) -> str:
    """JSON with one message or enum per line."""
    lines = ["{"]
    lines.append(f'  "format": {json.dumps(document["format"])},')
    lines.append('  "description": [')
    described = document["description"]
    lines.extend(
        f"    {json.dumps(line)}{',' if i < len(described) - 1 else ''}"
        for i, line in enumerate(described)
    )
    lines += ["  ],", f'  "pins": {json.dumps(document["pins"])},']
    for section in ("messages", "enums"):
        entries = list(document[section].items())
        lines.append(f"  {json.dumps(section)}: {{")
        lines.extend(
            f"    {json.dumps(name)}: {json.dumps(value)}{',' if i < len(entries) - 1 else ''}"
            for i, (name, value) in enumerate(entries)
        )
        lines.append("  }," if section == "messages" else "  }")
    return "\n".join([*lines, "}"]) + "\n"


def test_the_file_is_what_the_table_exports() -> None:
    path = VECTORS / FILE
    assert path.exists() and path.read_text("utf-8") == render(generate()), (
        f"{path} is out of date: run .venv/bin/python -m conformance.test_message_table"
        " and review the diff"
    )


def test_every_kind_names_a_scalar_an_enum_or_a_message_of_the_file() -> None:
    document = load(FILE)
    scalars = {"string", "bool", "bytes", "int32", "int64", "count", "float", "double"}
    scalars |= {"value", "struct"}
    for name, fields in document["messages"].items():
        for field, kind in fields.items():
            base = kind.removesuffix("[]").removeprefix("map:")
            known = (
                base in scalars
                or base in document["messages"]
                or base.removeprefix("enum:") in document["enums"]
            )
            assert known and field[:1].islower() and "_" not in field, (name, field, kind)


def test_the_file_reads_back_as_the_table() -> None:
    document = load(FILE)
    assert document["messages"] == MESSAGES
    assert {name: tuple(values) for name, values in document["enums"].items()} == ENUMS


def main() -> None:
    (VECTORS / FILE).write_text(render(generate()), "utf-8")
    print(f"wrote {VECTORS / FILE}")


if __name__ == "__main__":
    main()
