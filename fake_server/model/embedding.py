"""The stand-in embedding model: deterministic vectors in which texts that share words and word
pieces lie near each other, so that a retrieval test's nearest neighbour is the document a
person would pick.

A text becomes sparse features: its words, stemmed (``planets`` and ``planet`` are one), and
the character trigrams of each word (``astronomy`` and ``astronomer`` share most of theirs).
Each feature stands for a fixed, seeded direction touching a few coordinates (a sparse random
projection, cached per feature), most of them among the first coordinates, so that a vector cut
to its first 128 or 768 values keeps most of what tells texts apart, as a Matryoshka-trained
model's does. A direction every text shares (and one per task type) gives unrelated texts the
positive cosine real embeddings have. The full vector is normalised; a shorter one is the full
one's first values, not normalised again: the service normalises only its full-size output
(docs/evidence.md#service-embeddings). Values are float32, written as the service writes them:
shortest, ``4.623822e-05`` style (:func:`float32_values`).
"""

from __future__ import annotations

import array
import functools
import hashlib
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

FULL = 3072  # the models' output size (docs/evidence.md#service-embeddings)
_BANDS = (128, 768, FULL)  # each feature touches coordinates below each of these ...
_HITS_PER_BAND = 8  # ... this many times
_SHARED = 1.0  # the weight of the direction every text shares (against the text's, 1)
_TASK = 0.15  # and of the one every text embedded for the same task shares
_WORD, _PIECE, _MEDIA = 1.0, 0.35, 3.0  # feature weights: a word, one of its trigrams, a media part

_WORDS = re.compile(r"\w+")
_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i in is it its of on or that "
    "the their this to was were what when where which who why will with you your".split()
)
_SUFFIXES = ("ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s")


@dataclass(frozen=True)
class Source:
    """What one vector is made from: texts (prose) and media (opaque identities: a digest of
    inline bytes, a file's URI), with the task the client names."""

    texts: tuple[str, ...]
    media: tuple[str, ...] = ()
    task: str = ""
    title: str = ""


def embed(source: Source, dimensions: int, model: str) -> list[float]:
    """The vector for ``source``: its first ``dimensions`` values, float32-rounded."""
    vector = [0.0] * FULL
    for feature, weight in _features(source):
        for index, sign in _direction(feature):
            vector[index] += weight * sign
    scale = 1.0 / (_norm(vector) or 1.0)
    shared = _dense(f"{model}:shared")
    if source.task:
        task = _dense(f"{model}:task:{source.task}")
        vector = [
            v * scale + _SHARED * s + _TASK * t
            for v, s, t in zip(vector, shared, task, strict=True)
        ]
    else:
        vector = [v * scale + _SHARED * s for v, s in zip(vector, shared, strict=True)]
    scale = 1.0 / _norm(vector)
    return float32_values([v * scale for v in vector[:dimensions]])


def _norm(vector: list[float]) -> float:
    return math.sqrt(math.fsum(v * v for v in vector))


def _features(source: Source) -> Iterable[tuple[str, float]]:
    """Each feature once, with its weight: a word's grows with the log of its count."""
    counts: dict[str, float] = {}
    texts = source.texts + ((source.title,) if source.title else ())
    for text in texts:
        for word in _WORDS.findall(text.lower()):
            if word in _STOP:
                continue
            stem = _stem(word)
            counts["w:" + stem] = counts.get("w:" + stem, 0.0) + _WORD
            for piece in _trigrams(stem):
                counts["p:" + piece] = counts.get("p:" + piece, 0.0) + _PIECE
    weighted = {
        name: 1.0 + math.log(count) if count >= 1 else count for name, count in counts.items()
    }
    for identity in source.media:
        weighted["m:" + identity] = _MEDIA
    return weighted.items()


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def _trigrams(stem: str) -> list[str]:
    marked = f"<{stem}>"
    return [marked[i : i + 3] for i in range(len(marked) - 2)]


@functools.lru_cache(maxsize=1 << 16)
def _direction(feature: str) -> tuple[tuple[int, float], ...]:
    """The coordinates a feature touches and the sign of each, from its digest."""
    digest = hashlib.blake2b(feature.encode(), digest_size=2 * _HITS_PER_BAND * len(_BANDS))
    raw = digest.digest()
    hits = []
    for n in range(len(raw) // 2):
        word = raw[2 * n] << 8 | raw[2 * n + 1]
        band = _BANDS[n // _HITS_PER_BAND]
        hits.append(((word >> 1) % band, 1.0 if word & 1 else -1.0))
    return tuple(hits)


@functools.lru_cache(maxsize=64)
def _dense(name: str) -> list[float]:
    """A seeded dense unit vector, the same in every run."""
    rng = random.Random(hashlib.sha256(name.encode()).digest())
    values = [rng.gauss(0.0, 1.0) for _ in range(FULL)]
    scale = 1.0 / _norm(values)
    return [v * scale for v in values]


def float32_values(values: list[float]) -> list[float]:
    """Each value rounded to float32 and then to the fewest significant digits that still read
    back as that float32, so that JSON writes it as the service does (``0.013796286``,
    ``4.623822e-05``): the float64 nearest a short decimal prints as that decimal."""
    exact = array.array("f", values).tolist()  # float32, held as float64
    out = exact[:]
    pending = list(range(len(exact)))
    for digits in (6, 7, 8):
        spelling = f"{{:.{digits}g}}".format  # a bound method: quicker than an f-string
        candidates = [float(spelling(exact[i])) for i in pending]
        back = array.array("f", candidates).tolist()
        still = []
        for i, candidate, read in zip(pending, candidates, back, strict=True):
            if read == exact[i]:
                out[i] = candidate
            else:
                still.append(i)
        pending = still
    for i in pending:  # nine significant digits always read back
        out[i] = float(f"{exact[i]:.9g}")
    return out
