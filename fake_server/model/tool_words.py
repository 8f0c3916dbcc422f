"""The words the stand-in model reads a tool by: stems, stopwords and a table of related words.

A function is chosen for a prompt when they share *content* words (:func:`content_words`:
lower-cased, camelCase and snake_case split, stopwords removed, suffixes stemmed) or words of
one everyday domain (:data:`DOMAINS`: "umbrella" and "raining" belong with "weather"). This is
matching, not understanding; docs/deviations.md says what it gets wrong.
"""

from __future__ import annotations

import re
from functools import cache

# Function words, and the words every tool description uses ("Returns the current value of the
# given ..."), which say nothing about what a tool is for.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just let me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what where which while who whom why will with would you your yours yourself yourselves
    please tell give show want need know like could can may might must shall also really
    get gets set sets return returns returned current currently given specified specific value
    values data info information use used using provide provides thing things one two make
    something anything some much many well good new way able okay ok hi hello thanks thank
    function tool call calls
    """.split()
)

# Everyday domains: a prompt word and a function word of the same domain count as related.
# "when", "open" and "close" are time words; "on"/"off" are read for booleans, not here.
DOMAINS: dict[str, list[str]] = {
    "weather": (
        "weather umbrella rain raining rainy sunny sun forecast temperature temperatures cold hot "
        "warm snow snowing snowy wind windy storm stormy humid humidity cloudy clouds degrees "
        "celsius fahrenheit climate jacket coat"
    ).split(),
    "time": (
        "time clock hour hours minute minutes open opens opening close closes closing when "
        "timezone o'clock"
    ).split(),
    "message": (
        "email emails mail message messages send sent texting sms notify notification "
        "inbox reply recipient"
    ).split(),
    "calendar": (
        "calendar meeting meetings schedule scheduled appointment appointments event events "
        "agenda remind reminder book availability available busy"
    ).split(),
    "search": "search find look lookup query browse web google results".split(),
    "finance": (
        "stock stocks share shares price prices quote quotes ticker market exchange trading "
        "trade nasdaq invest dow"
    ).split(),
    "home": (
        "light lights lamp lamps thermostat heating heater switch turn dim brightness bulb "
        "device devices home room bedroom kitchen"
    ).split(),
    "translate": "translate translation translated language languages spanish french".split(),
    "math": (
        "calculate calculation compute sum add plus minus multiply divide total math "
        "arithmetic percent square root"
    ).split(),
    "travel": (
        "booking book reserve reservation flight flights fly hotel hotels room trip travel "
        "ticket tickets airline airport stay"
    ).split(),
    "currency": "currency currencies dollar dollars euro euros yen pound exchange rate".split(),
    "food": "restaurant restaurants food eat dinner lunch breakfast recipe cook menu".split(),
    "news": "news headline headlines article articles latest happening".split(),
    "music": "music song songs play playing playlist album artist track".split(),
    "direction": "direction directions route drive driving distance far navigate map".split(),
}

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD = re.compile(r"[a-z0-9']+")
_VOWEL = re.compile(r"[aeiouy]")


@cache
def stem(word: str) -> str:
    """A crude, consistent stem: "raining" → "rain", "cities" → "city", "scheduled" →
    "schedul", "schedule" → "schedul". Both sides of every comparison go through it."""
    word = word.removesuffix("'s").strip("'")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        rest = word[: -len(suffix)]
        if word.endswith(suffix) and len(rest) >= 3 and _VOWEL.search(rest):
            word = rest[:-1] if len(rest) > 3 and rest[-1] == rest[-2] not in "lsz" else rest
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """All the words of ``text``, lower-cased, camelCase and snake_case split apart."""
    return _WORD.findall(_CAMEL.sub(r"\1 \2", text).lower().replace("_", " "))


def content_words(text: str) -> list[str]:
    """The stems of the words of ``text`` that are not stopwords, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


_DOMAIN_OF: dict[str, frozenset[str]] = {}
for _domain, _members in DOMAINS.items():
    for _member in _members:
        _key = stem(_member)
        _DOMAIN_OF[_key] = _DOMAIN_OF.get(_key, frozenset()) | {_domain}


def domains(stemmed: str) -> frozenset[str]:
    """The domains a stemmed word belongs to (none for most words)."""
    return _DOMAIN_OF.get(stemmed, frozenset())


def domain_words(text: str) -> list[str]:
    """The stems of ``text``'s words that belong to a domain, stopwords included ("when")."""
    return [s for s in (stem(w) for w in words(text)) if s in _DOMAIN_OF]
