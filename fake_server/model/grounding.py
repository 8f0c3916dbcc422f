"""Grounding: what Google Search and Google Maps give an answer, in the service's shapes
(docs/evidence.md#service-grounding, #service-builtin-tools). Nothing is searched or looked up:
the sources and places are invented, seeded by the request.

- **Search**: one or two queries made from the prompt, two to four sources behind the service's
  redirect URIs, each titled with a bare domain, and a support for sentences of the final
  answer.
- **Maps**: two to four places of the kind the prompt asks for (restaurants, cafés, parks, ...),
  each a ``maps`` chunk (a ``maps.google.com`` ``cid`` URI, its title, a ``places/`` id), named
  by a sentence of the answer that its support points to; ``googleMapsWidgetContextToken`` when
  the tool sets ``enableWidget``.

A support's ``segment`` holds UTF-8 **byte** offsets into the answer's text (:func:`sentences`),
``startIndex`` left out when 0, and its ``text`` is exactly that slice.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
DOMAINS = (
    "wikipedia.org",
    "britannica.com",
    "nationalgeographic.com",
    "bbc.com",
    "reuters.com",
    "nasa.gov",
    "nature.com",
    "sciencedaily.com",
    "khanacademy.org",
    "howstuffworks.com",
    "theguardian.com",
    "nih.gov",
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class Search:
    queries: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # (redirect uri, title)


@dataclass(frozen=True)
class Place:
    title: str
    uri: str  # https://maps.google.com/?cid=<decimal>
    place_id: str  # places/<id>


def search(topic: str, rng: random.Random) -> Search:
    query = topic.rstrip("?.!:…").strip().lower() or "general information"
    queries = [query]
    if rng.random() < 0.5:
        queries.append(f"{query} explained")
    titles = rng.sample(DOMAINS, rng.randint(2, 4))
    sources = tuple((REDIRECT + _redirect_id(rng), title) for title in titles)
    return Search(tuple(queries), sources)


def _redirect_id(rng: random.Random) -> str:
    """An opaque id of the length the service's have (about 120 to 200 characters)."""
    raw = hashlib.sha512(rng.getrandbits(128).to_bytes(16, "big")).digest()
    return (
        "AUZIYQ" + base64.urlsafe_b64encode(raw * 2).decode().rstrip("=")[: rng.randint(110, 190)]
    )


def grounding_metadata(search: Search, text: str, rng: random.Random) -> dict[str, Any]:
    """``groundingMetadata`` for an answer of ``text``, its keys in the service's order."""
    metadata: dict[str, Any] = {
        "searchEntryPoint": {"renderedContent": entry_point(search.queries)},
        "groundingChunks": [{"web": {"uri": uri, "title": title}} for uri, title in search.sources],
    }
    supports = grounding_supports(text, len(search.sources), rng)
    if supports:
        metadata["groundingSupports"] = supports
    metadata["webSearchQueries"] = list(search.queries)
    return metadata


def grounding_supports(text: str, sources: int, rng: random.Random) -> list[dict[str, Any]]:
    """One support for most sentences of ``text``: UTF-8 byte offsets, ``text`` the slice."""
    supports = []
    for begin, end, sentence in sentences(text):
        if len(sentence) < 12 or rng.random() < 0.25:
            continue
        segment: dict[str, Any] = {"startIndex": begin} if begin else {}
        segment |= {"endIndex": end, "text": sentence}
        indices = sorted(rng.sample(range(sources), rng.randint(1, min(2, sources))))
        supports.append({"segment": segment, "groundingChunkIndices": indices})
    return supports


def entry_point(queries: tuple[str, ...]) -> str:
    """The Search suggestions chip block: a style sheet, then one chip per query."""
    chips = "\n".join(
        f'    <a class="chip" href="https://www.google.com/search?q={quote_plus(q)}'
        f'&amp;client=app-vertex-grounding&amp;safesearch=active">{_escaped(q)}</a>'
        for q in queries
    )
    return (
        "<style>\n.container {\n  align-items: center;\n  border-radius: 8px;\n"
        "  display: flex;\n  font-family: Google Sans, Roboto, sans-serif;\n  font-size: 14px;\n"
        "  line-height: 20px;\n  padding: 8px 12px;\n}\n.chip {\n  display: inline-block;\n"
        "  border: solid 1px;\n  border-radius: 16px;\n  min-width: 14px;\n  padding: 5px 16px;\n"
        "  text-align: center;\n  user-select: none;\n  margin: 0 8px;\n}\n"
        ".carousel {\n  overflow: auto;\n  scrollbar-width: none;\n  white-space: nowrap;\n"
        "  margin-right: -12px;\n}\n</style>\n"
        '<div class="container">\n  <div class="headline">\n'
        '    <div class="gradient-container"><div class="gradient"></div></div>\n  </div>\n'
        f'  <div class="carousel">\n{chips}\n  </div>\n</div>\n'
    )


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# What a prompt asks Google Maps for: a word of the prompt, and what the places found are called
PLACE_KINDS = (
    (
        ("restaurant", "restaurants", "dinner", "lunch", "eat", "food"),
        ("Kitchen", "Bistro", "Grill"),
    ),
    (
        ("cafe", "cafes", "café", "cafés", "coffee", "espresso"),
        ("Café", "Coffee House", "Roasters"),
    ),
    (("bar", "bars", "pub", "pubs", "drinks", "beer"), ("Tavern", "Taproom", "Pub")),
    (("bakery", "bakeries", "bread", "pastry"), ("Bakery", "Bakehouse", "Patisserie")),
    (("park", "parks", "playground", "hike", "trail"), ("Park", "Gardens", "Green")),
    (("museum", "museums", "gallery", "art", "exhibit"), ("Museum", "Gallery", "Art Center")),
    (("hotel", "hotels", "stay", "inn", "motel"), ("Hotel", "Inn", "Suites")),
    (("gym", "gyms", "fitness", "workout"), ("Fitness", "Athletic Club", "Gym")),
    (("pharmacy", "pharmacies", "drugstore"), ("Pharmacy", "Drugs", "Chemist")),
    (("charging", "charger", "chargers", "ev"), ("EV Charging", "Charge Point", "Supercharger")),
    (("grocery", "groceries", "supermarket", "market"), ("Market", "Grocer", "Foods")),
)
OTHER_KINDS = ("Center", "Corner", "Place")
PLACE_NAMES = (
    "Olive",
    "Juniper",
    "Harbor",
    "Maple",
    "Lantern",
    "Willow",
    "Union",
    "Cedar",
    "Blue Door",
    "Riverside",
    "Copper",
    "Marigold",
    "Northside",
    "Fig & Thistle",
    "Granite",
    "Summit",
)
CUISINES = (
    "Italian",
    "Mexican",
    "Thai",
    "Japanese",
    "Indian",
    "French",
    "Chinese",
    "Greek",
    "Korean",
    "Vietnamese",
    "Spanish",
    "Lebanese",
    "Ethiopian",
    "American",
)
_PLACE_NOTES = (
    "has a rating of {stars} stars based on {reviews} reviews",
    "is open until {hour} pm and is {minutes} minutes away on foot",
    "is popular with locals and has a rating of {stars} stars",
    "offers takeout and has {reviews} reviews averaging {stars} stars",
)


def places(prompt: str, rng: random.Random) -> tuple[Place, ...]:
    """Two to four places of the kind ``prompt`` asks for, named plausibly; their ids and
    Maps URIs the shapes the service's have."""
    words = set(re.findall(r"[\w'-]+", prompt.lower()))
    kinds = next((k for trigger, k in PLACE_KINDS if words & set(trigger)), OTHER_KINDS)
    cuisine = next((c for c in CUISINES if c.lower() in words), "")
    places = []
    for name in rng.sample(PLACE_NAMES, rng.randint(2, 4)):
        kind = rng.choice(kinds)
        title = " ".join(filter(None, (name, cuisine if kinds is PLACE_KINDS[0][1] else "", kind)))
        uri = f"https://maps.google.com/?cid={rng.randrange(10**18, 2**64)}"
        place_id = "places/ChIJ" + "".join(rng.choices(_PLACE_ID_ALPHABET, k=23))
        places.append(Place(title, uri, place_id))
    return tuple(places)


_PLACE_ID_ALPHABET = string.ascii_letters + string.digits + "_-"


def place_sentence(place: Place, rng: random.Random) -> str:
    note = rng.choice(_PLACE_NOTES).format(
        stars=f"{rng.randint(38, 49) / 10:.1f}",
        reviews=rng.randint(40, 2400),
        hour=rng.randint(8, 11),
        minutes=rng.randint(3, 15),
    )
    return f"{place.title} {note}."


def maps_grounding_metadata(
    places: tuple[Place, ...], widget: bool, text: str, rng: random.Random
) -> dict[str, Any]:
    """``groundingMetadata`` of a Google Maps answer: a ``maps`` chunk per place, a support for
    each sentence of ``text`` that names a place (UTF-8 byte offsets, as for search), and the
    widget's context token when asked for."""
    metadata: dict[str, Any] = {
        "groundingChunks": [
            {"maps": {"uri": p.uri, "title": p.title, "placeId": p.place_id}} for p in places
        ]
    }
    supports = []
    for begin, end, sentence in sentences(text):
        named = [index for index, place in enumerate(places) if place.title in sentence]
        if named:
            segment: dict[str, Any] = {"startIndex": begin} if begin else {}
            segment |= {"endIndex": end, "text": sentence}
            supports.append({"segment": segment, "groundingChunkIndices": named})
    if supports:
        metadata["groundingSupports"] = supports
    if widget:
        token = base64.urlsafe_b64encode(rng.randbytes(96)).decode().rstrip("=")
        metadata["googleMapsWidgetContextToken"] = f"widgetcontent/{token}"
    return metadata


def sentences(text: str) -> list[tuple[int, int, str]]:
    """Each sentence of ``text``, stripped, with its UTF-8 byte offsets: what a grounding
    support's ``segment`` holds (``text`` the bytes from ``startIndex`` to ``endIndex``)."""
    found = []
    data = text.encode()
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if not sentence:
            continue
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        begin = len(text[:start].encode())
        end = begin + len(sentence.encode())
        assert data[begin:end].decode() == sentence
        found.append((begin, end, sentence))
    return found
