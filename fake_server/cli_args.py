"""What ``gemini-fake``'s options accept, and what it says when they are not: each ``type=``
function below turns one option's text into its value or raises an
:class:`argparse.ArgumentTypeError` whose message argparse prints after the option's name
(``argument --port: 'abc' is not a port number (0-65535)``), under the subcommand's usage.

Sizes take units (docs/cli.md#values): KB, MB and GB are powers of 1000 (SI, as disk sizes are
written); KiB, MiB and GiB are powers of 1024.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .protocol.limits import SUPPORTED_MIME_TYPES

UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[a-zA-Z]*)\s*$")
# What --processing-seconds can name: the first part of the MIME types an upload may have.
FILE_KINDS = tuple(sorted({mime.split("/", 1)[0] for mime in SUPPORTED_MIME_TYPES}))


def port(text: str) -> int:
    if not text.strip().isdecimal() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def count(text: str) -> int:
    """A whole number, 0 or more."""
    if not text.strip().isdecimal():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (0 or more)")
    return int(text)


def seconds(text: str) -> float:
    """A number of seconds, 0 or more (``0.25``, ``2``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def byte_size(text: str) -> int:
    """A size in bytes: ``1000000``, or with a unit, ``500MB``, ``1.5GiB`` (see :data:`UNITS`)."""
    match = _SIZE.match(text)
    unit = match.group("unit").lower() if match else ""
    if not match or unit not in UNITS and unit:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: write bytes (1000000) or a number and a unit, one of "
            "B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), e.g. 500MB"
        )
    try:
        return int(Decimal(match.group("number")) * UNITS[unit or "b"])
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        raise argparse.ArgumentTypeError(f"{text!r} is not a size") from None


def fixture_directory(text: str) -> Path:
    """An existing directory of fixtures (a file is refused, naming the directory it is in)."""
    path = Path(text)
    if path.is_file():
        raise argparse.ArgumentTypeError(
            f"{text} is a file; --fixtures takes the directory that holds fixture files "
            f"(here {path.parent}), and loads every *.json in it"
        )
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"fixture directory {text} does not exist")
    return path


def data_directory(text: str) -> Path:
    """Where files are kept: a directory, or a path where one can be made."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a file; --data-dir takes a directory (it is created if missing)"
        )
    return path


def port_file(text: str) -> Path:
    """Where the port is written: a file in an existing directory."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory; --port-file takes a file name")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text}: the directory {path.parent} does not exist (it is not created)"
        )
    return path


def kind_seconds(text: str) -> tuple[str, float]:
    """``KIND=SECONDS``: how long new files of a kind (the first part of their MIME type) stay
    PROCESSING."""
    kind, equals, value = text.partition("=")
    kind = kind.strip().lower()
    if not equals:
        raise argparse.ArgumentTypeError(f"{text!r} is not KIND=SECONDS, e.g. video=2")
    if kind not in FILE_KINDS:
        hint = "; a PDF is application/pdf: application=3" if kind == "pdf" else ""
        raise argparse.ArgumentTypeError(
            f"{kind!r} is not a kind of file; a kind is the first part of a MIME type, one of "
            f"{', '.join(FILE_KINDS)}{hint}"
        )
    try:
        return kind, seconds(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {value!r} is not a number of seconds (0 or more)"
        ) from None


def fault_file(text: str) -> tuple[dict[str, Any], ...]:
    """The fault rules of a ``--faults`` file: a JSON list of rules (docs/faults.md)."""
    try:
        rules = json.loads(Path(text).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"{text}: {exc}") from None
    if not isinstance(rules, list):
        raise argparse.ArgumentTypeError(f"{text}: the file holds a JSON list of fault rules")
    return tuple(rules)


def parse_command_line(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace:
    """``parser.parse_args(argv)``, except that an option its subcommand does not know is
    reported under that subcommand's usage, with the nearest option it has (argparse reports
    it under the top-level usage, which lists no option at all)."""
    args, extras = parser.parse_known_args(argv)
    if not extras:
        return args
    sub = subcommand_parser(parser, args)
    options = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
    notes = []
    for extra in extras:
        word = extra.split("=", 1)[0]
        if word in options:
            notes.append(f"{word} goes after the command: {sub.prog} {word} ...")
        elif word.startswith("-") and (near := difflib.get_close_matches(word, options, n=1)):
            notes.append(f"did you mean {near[0]}?")
    sub.error("; ".join([f"unrecognized arguments: {' '.join(extras)}", *notes]))


def subcommand_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen: argparse.ArgumentParser = action._name_parser_map.get(
                getattr(args, action.dest, None) or "", parser
            )
            return chosen
    return parser
