"""Throughput of ``gemini_ref._sse.SSEDecoder`` on a realistic Gemini stream body.

    python bench/sse_decoder.py            # 50 MB, about 10 s
    python bench/sse_decoder.py --mb 10    # quicker

The body is what ``:streamGenerateContent?alt=sse`` sends (docs/evidence.md#service-sse-framing):
events of ``data: `` + one-line JSON
(``json.dumps(obj, separators=(",", ": "), ensure_ascii=False)``)
+ ``\\r\\n\\r\\n``, each a chunk with usage, model version and response id, of 200 to 3000
bytes, with some non-ASCII text and JSON escapes. It is fed in network-sized reads (16 KiB and
1 KiB) and in tiny reads of 1 to 100 bytes, the decoder alone: no JSON parsing, no client.
Each figure is the best of ``--rounds``; the events decoded are checked against the ones sent.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gemini_ref._sse import SSEDecoder  # noqa: E402

TARGET_MB_S = 50.0
WORDS = 'the model learns patterns from data — naïve café 日本語 "quoted" line\nbreak'.split(" ")


def chunk(rng: random.Random, size: int) -> dict[str, object]:
    """A stream chunk whose framed event is about ``size`` bytes."""
    text, length = [], 0
    while length < size - 230:
        text.append(rng.choice(WORDS))
        length += len(text[-1]) + 1
    return {
        "candidates": [
            {"content": {"parts": [{"text": " ".join(text)}], "role": "model"}, "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": 15,
            "candidatesTokenCount": rng.randint(1, 900),
            "totalTokenCount": rng.randint(16, 1000),
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "bzlXaa_EE_aHqtsPi_zw8Ao",
    }


def body(megabytes: float, seed: int = 1) -> tuple[bytes, int]:
    rng = random.Random(seed)
    events: list[bytes] = []
    total = 0
    while total < megabytes * 1e6:
        obj = chunk(rng, rng.randint(200, 3000))
        data = json.dumps(obj, separators=(",", ": "), ensure_ascii=False)
        events.append(b"data: " + data.encode() + b"\r\n\r\n")
        total += len(events[-1])
    return b"".join(events), len(events)


def fixed_reads(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def tiny_reads(data: bytes, seed: int = 2) -> list[bytes]:
    rng = random.Random(seed)
    reads, i = [], 0
    while i < len(data):
        n = rng.randint(1, 100)
        reads.append(data[i : i + n])
        i += n
    return reads


def decode(reads: list[bytes]) -> Iterator[int]:
    decoder = SSEDecoder()
    for read in reads:
        yield len(decoder.feed(read))
    assert decoder.close() == b""


def run(reads: list[bytes], events: int, rounds: int) -> float:
    size = sum(map(len, reads))
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        decoded = sum(decode(reads))
        best = min(best, time.perf_counter() - start)
        assert decoded == events, (decoded, events)
    return size / best / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="body size in MB (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="best of how many (default 3)")
    args = parser.parse_args()

    data, events = body(args.mb)
    print(
        f"body: {len(data) / 1e6:.1f} MB, {events} events of {len(data) // events} bytes on average"
    )
    print(f"target: >= {TARGET_MB_S:.0f} MB/s for typical network reads\n")
    print(f"{'reads':<28}{'count':>10}{'MB/s':>10}")
    for label, reads in [
        ("16 KiB", fixed_reads(data, 16384)),
        ("1 KiB", fixed_reads(data, 1024)),
        ("1-100 bytes (tiny)", tiny_reads(data)),
    ]:
        speed = run(reads, events, args.rounds)
        verdict = "" if speed >= TARGET_MB_S else "  (below target)"
        print(f"{label:<28}{len(reads):>10}{speed:>10.0f}{verdict}")


if __name__ == "__main__":
    main()
