"""The fake's memory under large bodies, and how long other clients wait meanwhile.

    .venv/bin/python bench/memory_limits.py              # a 200 MB body, eight 20 MB prompts
    .venv/bin/python bench/memory_limits.py --mb 100     # a smaller refused body

Starts ``gemini-fake serve`` on a free port and reads its resident memory (``VmRSS``) from
``/proc`` while it:

1. is refused a body of ``--mb`` megabytes (past the service's 20 MiB limit), sent as it is
   generated, while another client asks for ``/__fake__/health`` every 20 ms;
2. answers ``--prompts`` distinct prompts just under the limit (``countTokens`` and
   ``generateContent`` each), which the journal keeps;
3. empties its journal and resets (``DELETE /__fake__/journal``, ``POST /__fake__/reset``).

It prints the memory at each step, the peak while the large body arrived, and the longest a
health check waited. Targets (docs/security.md#limits): the refused body raises memory by at
most 64 MiB, no health check waits more than 100 ms, and after the reset memory is back within
64 MiB of where it started. A benchmark prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.serving import serve  # noqa: E402

MIB = 1024 * 1024
LIMIT = 20 * MIB  # the service's request size limit
KEY = {"x-goog-api-key": "bench-key"}


def rss(pid: int) -> int:
    """The process's resident memory, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Watch:
    """A thread that samples memory and times health checks until stopped."""

    def __init__(self, pid: int, base: str) -> None:
        self.pid, self.base = pid, base
        self.peak = 0
        self.longest = 0.0
        self.checks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self._stop.is_set():
                self.peak = max(self.peak, rss(self.pid))
                began = time.perf_counter()
                client.get("/__fake__/health").raise_for_status()
                self.longest = max(self.longest, time.perf_counter() - began)
                self.checks += 1
                self._stop.wait(0.02)


def body_of(megabytes: int) -> Iterator[bytes]:
    """A JSON body of ``megabytes`` MB, generated piece by piece (never whole in memory)."""
    yield b'{"contents": [{"role": "user", "parts": [{"text": "'
    for _ in range(megabytes):
        yield b"x" * 1_000_000
    yield b'"}]}]}'


def prompt(index: int) -> dict[str, object]:
    text = f"prompt {index} " + "word " * ((LIMIT - 1000) // 5)
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="the refused body's size in MB")
    parser.add_argument("--prompts", type=int, default=8, help="prompts just under the limit")
    args = parser.parse_args()
    process, base = serve()
    try:
        client = httpx.Client(base_url=base, headers=KEY, timeout=300)
        flash = "/v1beta/models/gemini-2.5-flash"
        warm_up = {"contents": [{"parts": [{"text": "How does AI work?"}]}]}
        client.post(f"{flash}:generateContent", json=warm_up).raise_for_status()
        baseline = rss(process.pid)
        print(f"memory at start                    {baseline / MIB:8.1f} MiB")
        with Watch(process.pid, base) as watch:
            began = time.perf_counter()
            refused = client.post(f"{flash}:generateContent", content=body_of(args.mb))
            took = time.perf_counter() - began
        message = refused.json()["error"]["message"]
        print(f"a {args.mb} MB body: {refused.status_code} {message!r} in {took:.1f} s")
        print(f"  peak memory while it arrived     {watch.peak / MIB:8.1f} MiB")
        print(f"  growth over the start            {(watch.peak - baseline) / MIB:8.1f} MiB")
        print(f"  longest health check meanwhile   {watch.longest * 1000:8.1f} ms")
        print(f"  health checks answered           {watch.checks:8d}")
        print(f"memory after it                    {rss(process.pid) / MIB:8.1f} MiB")
        with Watch(process.pid, base) as busy:
            for index in range(args.prompts):
                for rpc in ("countTokens", "generateContent"):
                    client.post(f"{flash}:{rpc}", json=prompt(index)).raise_for_status()
        after = rss(process.pid)
        print(f"after {args.prompts} prompts of 20 MB (journalled) {after / MIB:6.1f} MiB")
        print(f"  longest health check meanwhile   {busy.longest * 1000:8.1f} ms")
        client.delete("/__fake__/journal").raise_for_status()
        client.post("/__fake__/reset").raise_for_status()
        reset = rss(process.pid)
        print(f"after the journal and a reset      {reset / MIB:8.1f} MiB")
        print(f"  over the start                   {(reset - baseline) / MIB:8.1f} MiB")
        print(json.dumps({"status": refused.status_code, "healthy": watch.checks > 0}))
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
