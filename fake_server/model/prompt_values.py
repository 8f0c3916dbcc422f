"""Values a prompt offers for a function's arguments, and filling them in where they fit.

:class:`PromptValues` reads a prompt once: places (capitalised words after "in", "at", "for",
"to", "from", "near", and the ones listed after them: "in Boston and in Paris"), proper names,
tickers (``AAPL``), quoted strings, numbers, ISO dates, e-mail addresses, languages after
"into"/"to", and "on"/"off". :func:`fill` gives each top-level property of a parameter schema
the value of its role (read from the property's name and description: a ``city`` takes a place,
a ``recipient`` a name, a ``query`` the quoted text or what follows "for"/"about") when the value
is valid against the property's schema, and keeps the schema-built value otherwise.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any

from . import tool_words
from .schema_instances import kind_of

_CAP = r"[A-Z][\w'.-]*"
# a name goes on over spaces, but not past a word that ends a sentence ("States. What's");
# an abbreviation of one or two letters does not end one ("St. Louis", "D.C.")
_PROPER = re.compile(rf"{_CAP}(?:(?<!\w\w\w\.)\s+{_CAP})*")
_PLACE_LEAD = re.compile(r"\b(?:in|at|for|to|from|near)\s+$", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)(?:(?:in|at|for|to|from)\s+)?$")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<![\w])'([^']+)'(?![\w])")
_NUMBER = re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\w-])")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TICKER = re.compile(r"\b[A-Z]{2,5}\b")
_LANGUAGE = re.compile(rf"\b(?:into|to|in)\s+({_CAP})")
_TOPIC = re.compile(r"\b(?:for|about|on)\s+(.+?)[?.!]*$", re.IGNORECASE)
_NOT_NAMES = frozenset(
    "I I'm I'd I'll Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Tomorrow".split()
)

# Roles a property can have, by the words of its name and description (first match wins).
_ROLES: tuple[tuple[str, frozenset[str]], ...] = (
    ("email", frozenset({"email", "mail"})),
    ("ticker", frozenset({"ticker", "symbol"})),
    ("language", frozenset({"language", "lang", "locale"})),
    ("date", frozenset({"date", "day"})),
    (
        "place",
        frozenset(
            "location city place destination origin where address country region town area "
            "airport".split()
        ),
    ),
    ("person", frozenset("name person recipient contact attendee who to".split())),
    (
        "query",
        frozenset(
            "query q text message body content subject term keyword keywords topic prompt "
            "search phrase".split()
        ),
    ),
)


# What a model fills in when the prompt does not say (the property's schema permitting).
_PLAUSIBLE = {"place": "London", "ticker": "GOOG", "person": "Alex", "language": "English"}


@dataclass
class PromptValues:
    """What one prompt offers, in the order it says it."""

    text: str
    places: list[tuple[str, str, int]] = field(default_factory=list)  # place, "in", list
    names: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    switch: bool | None = None
    words: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> PromptValues:
        found = cls(text=text)
        found.quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
        found.emails = _EMAIL.findall(text)
        found.dates = _DATE.findall(text)
        bare = _DATE.sub(" ", _EMAIL.sub(" ", text))
        found.numbers = [float(n) for n in _NUMBER.findall(bare)]
        found.tickers = list(dict.fromkeys(_TICKER.findall(bare)))
        found.languages = _LANGUAGE.findall(text)
        found.places, found.names = _places_and_names(bare)
        found.languages = [language.rstrip(".'") for language in found.languages]
        said = tool_words.words(text)
        found.words = frozenset(said) | {tool_words.stem(w) for w in said}
        switches = [w for w in said if w in ("on", "off")]
        found.switch = switches[-1] == "on" if switches else None
        return found

    def or_else(self, whole: PromptValues) -> PromptValues:
        """These values (read from part of a prompt), each kind the part lacks taken from the
        whole prompt's."""
        merged = PromptValues(text=self.text, words=self.words | whole.words)
        for kind in ("places", "names", "tickers", "quoted", "numbers", "dates", "emails"):
            setattr(merged, kind, getattr(self, kind) or getattr(whole, kind))
        merged.languages = self.languages or whole.languages
        merged.switch = whole.switch if self.switch is None else self.switch
        return merged


def _places_and_names(text: str) -> tuple[list[tuple[str, str, int]], list[str]]:
    """The places, each with the word before it and the number of its list, and the proper
    names (places among them), in the order the text says them."""
    places: list[tuple[str, str, int]] = []
    names: list[str] = []
    last_place_end = -1
    for match in _PROPER.finditer(text):
        start, value = match.start(), match.group().rstrip(".'")
        before = text[max(0, start - 16) : start]  # enough for "from ", and linear in the text
        stripped = before.rstrip()
        if stripped[-1:] in (".", "?", "!", ":") or (not stripped and start <= 16):  # "Email Bob"
            first, _, value = value.partition(" ")
            start += len(first) + 1
            before = text[max(0, start - 16) : start]
        if not value or value in _NOT_NAMES or value.isupper():
            continue
        lead = _PLACE_LEAD.search(before)
        gap = text[last_place_end:start] if 0 <= start - last_place_end <= 24 else "-"
        listed = last_place_end >= 0 and _LIST_JOIN.match(gap)
        if lead or listed:
            group = places[-1][2] if listed and places else len(places)
            word = lead.group().split()[0].lower() if lead else places[-1][1]
            places.append((value, word, group))
            last_place_end = match.end()
        names.append(value)
    return places, list(dict.fromkeys(names))


def role_of(key: str, prop: dict[str, Any]) -> str | None:
    if prop.get("format") == "email":
        return "email"
    if prop.get("format") in ("date", "date-time"):
        return "date"
    said = set(tool_words.words(f"{key} {prop.get('description', '')}"))
    key_words = set(tool_words.words(key))
    for role, marks in _ROLES:  # the name first: a `city` described as "a place's name"
        if key_words & marks:
            return role
    return next((role for role, marks in _ROLES if said & marks), None)


_ORIGIN = frozenset("origin from departure depart source start leaving".split())
_DESTINATION = frozenset("destination to arrival arrive dest going".split())


def fill(base: dict[str, Any], schema: Any, values: PromptValues) -> list[dict[str, Any]]:
    """The arguments: ``base`` with the prompt's values put in where they fit; one set of
    arguments per place (or ticker) when a place-like (ticker) property finds a list of them
    ("in Boston and in Paris", "AAPL and MSFT")."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return [base]
    args = dict(base)
    numbers = iter(values.numbers)
    fanned: tuple[str, list[Any]] | None = None
    for key, prop in properties.items():
        if key not in args or not isinstance(prop, dict) or "$ref" in prop:
            continue
        role = role_of(key, prop)
        candidates = _candidates(key, prop, role, values, numbers)
        fitting = [c for c in candidates if fits(c, prop)]
        if fitting:
            args[key] = fitting[0]
        elif role in _PLAUSIBLE and kind_of(prop) == "string" and fits(_PLAUSIBLE[role], prop):
            args[key] = _PLAUSIBLE[role]
        listed = _listed(fitting, role, values)
        if fanned is None and len(listed) > 1:
            fanned = (key, listed)
    if fanned is None:
        return [args]
    key, many = fanned
    return [{**args, key: one} for one in many]


def _listed(fitting: list[Any], role: str | None, values: PromptValues) -> list[Any]:
    """The values a property is called once each for: the places of the first list of two or
    more, or every ticker."""
    if role == "ticker":
        return fitting
    if role != "place" or not fitting:
        return []
    group = next((p[2] for p in values.places if p[0] == fitting[0]), None)
    return [p[0] for p in values.places if p[2] == group and p[0] in fitting]


def _candidates(
    key: str, prop: dict[str, Any], role: str | None, values: PromptValues, numbers: Any
) -> list[Any]:
    if "enum" in prop:
        members = prop["enum"] if isinstance(prop["enum"], list) else []
        return [m for m in members if isinstance(m, str) and _said(m, values)]
    kind = kind_of(prop)
    if kind in ("integer", "number"):
        number = next(numbers, None)
        if number is None or (kind == "integer" and not number.is_integer()):
            return []
        return [int(number) if number.is_integer() else number]
    if kind == "boolean":
        return [] if values.switch is None else [values.switch]
    if kind != "string":
        return []
    if role == "date":
        dates = values.dates
        return [f"{d}T09:00:00Z" for d in dates] if prop.get("format") == "date-time" else dates
    if role == "place":
        return _places_for(key, values)
    by_role = {
        "email": values.emails,
        "ticker": values.tickers,
        "language": values.languages,
        "person": [n for n in values.names if n not in _place_names(values)] + _place_names(values),
        "query": values.quoted or _topic(values.text),
    }
    if role in by_role:
        return by_role[role]
    return values.quoted + values.names


def _place_names(values: PromptValues) -> list[str]:
    return [p[0] for p in values.places]


def _places_for(key: str, values: PromptValues) -> list[str]:
    """The places, those after "from" first for an origin, after "to" for a destination."""
    said = set(tool_words.words(key))
    lead = "from" if said & _ORIGIN else "to" if said & _DESTINATION else None
    ordered = sorted(values.places, key=lambda p: p[1] != lead) if lead else values.places
    return [p[0] for p in ordered] or values.names


def _said(member: str, values: PromptValues) -> bool:
    said = tool_words.words(member)
    return bool(said) and all(w in values.words or tool_words.stem(w) in values.words for w in said)


def _topic(text: str) -> list[str]:
    match = _TOPIC.search(text.strip())
    topic = (match.group(1) if match else text).strip().rstrip("?.!").strip()
    return [topic] if topic else []


def fits(value: Any, prop: dict[str, Any]) -> bool:
    """Whether ``value`` is valid against the simple keywords of ``prop`` (the property is
    left to its schema-built value when it has keywords this does not check)."""
    if any(k in prop for k in ("pattern", "multipleOf", "const", "anyOf", "oneOf", "allOf")):
        return False
    if isinstance(value, bool) or isinstance(value, str):
        return _fits_string(value, prop) if isinstance(value, str) else True
    if isinstance(value, int | float):
        return _fits_number(value, prop)
    return False


def _fits_string(value: str, prop: dict[str, Any]) -> bool:
    if "enum" in prop:
        return value in prop["enum"]
    fmt = prop.get("format")
    if fmt == "email" and not _EMAIL.fullmatch(value):
        return False
    if fmt == "date" and not _DATE.fullmatch(value):
        return False
    if fmt not in (None, "email", "date", "date-time"):
        return False
    low, high = prop.get("minLength", 0), prop.get("maxLength")
    return _count(low) <= len(value) and (high is None or len(value) <= _count(high))


def _count(bound: Any) -> int:
    return int(bound) if isinstance(bound, int | float) and not isinstance(bound, bool) else 0


_BOUNDS = (
    ("minimum", operator.ge),
    ("maximum", operator.le),
    ("exclusiveMinimum", operator.gt),
    ("exclusiveMaximum", operator.lt),
)


def _fits_number(value: float, prop: dict[str, Any]) -> bool:
    if not math.isfinite(value):
        return False
    for name, holds in _BOUNDS:
        bound = prop.get(name)
        if (
            isinstance(bound, int | float)
            and not isinstance(bound, bool)
            and not holds(value, bound)
        ):
            return False
    return True
