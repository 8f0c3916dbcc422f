"""Many hostile requests against a fake on a socket, counted.

    .venv/bin/python bench/fuzz_routes.py                  # 10,000 requests
    .venv/bin/python bench/fuzz_routes.py --requests 500   # quicker

Starts ``gemini-fake serve`` (with a key, so the admin routes are guarded too) on a free port
and sends it requests built by ``tests/kit/fuzz.py`` from the route table and
the message table: every route, any path parameter, query and header, and JSON bodies whose
fields have their kind, the wrong kind, or values at its edges. It counts the answers by
status, the answers that break the rules (a status of 500 or more, an error outside the Google
envelope), and the requests that got no answer within ``--timeout`` seconds; then it checks the
fake still answers and its journal still reads. Prints the counts and the first few offending
requests. The target is none of either, and a healthy fake at the end.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.fuzz import KEY, REQUESTS, Request, problem  # noqa: E402
from tests.kit.serving import serve  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a hang")
    args = parser.parse_args()
    fake, base = serve("--api-key", KEY)
    client = httpx.Client(base_url=base, timeout=args.timeout)
    statuses: collections.Counter[int] = collections.Counter()
    broken: list[str] = []
    hangs: list[Request] = []
    began = time.perf_counter()

    @settings(
        max_examples=args.requests,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(REQUESTS)
    def send(request: Request) -> None:
        try:
            response = client.request(
                request.method, request.path, headers=request.headers, content=request.body
            )
        except httpx.TimeoutException:
            hangs.append(request)
            return
        except httpx.TransportError as error:  # the connection dropped: no answer at all
            broken.append(f"{request!r}: no answer ({error!r})")
            return
        statuses[response.status_code] += 1
        found = problem(
            response.status_code, response.headers.get("content-type", ""), response.content
        )
        if found:
            broken.append(f"{request!r}: {found}")
        if request.path.startswith("/__fake__/"):  # a rule or quota it set holds up nothing
            client.post("/__fake__/reset", headers={"x-goog-api-key": KEY})
        elif sum(statuses.values()) % 200 == 0:
            client.delete("/__fake__/journal", headers={"x-goog-api-key": KEY})

    try:
        send()
        took = time.perf_counter() - began
        healthy = client.get("/__fake__/health").status_code == 200
        journal = client.get("/__fake__/journal", headers={"x-goog-api-key": KEY})
    finally:
        fake.terminate()
        stopped = fake.wait(10)
    sent = sum(statuses.values()) + len(hangs) + sum("no answer" in b for b in broken)
    print(f"requests sent            {sent:8d}  in {took:.0f} s")
    print("answers by status        " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"statuses of 500 or more  {sum(n for s, n in statuses.items() if s >= 500):8d}")
    print(f"answers breaking a rule  {len(broken):8d}")
    print(f"hangs (> {args.timeout:g} s)          {len(hangs):8d}")
    print(f"healthy afterwards       {healthy and journal.status_code == 200!s:>8}")
    print(f"stopped with status      {stopped:8d}")
    for line in broken[:5]:
        print("  " + line[:400])
    for request in hangs[:5]:
        print(f"  hang: {request!r}"[:400])
    return 0 if not broken and not hangs and healthy else 1


if __name__ == "__main__":
    raise SystemExit(main())
