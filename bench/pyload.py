"""A small closed-loop HTTP load generator, used only where wrk is not installed.

``python -m bench.pyload URL --duration S --connections N`` keeps N requests in
flight (one thread each, a new connection whenever the server closes one, as
gunicorn's sync workers do) and prints the same ``BENCH {json}`` line as
bench/report.lua. It runs in its own process, like wrk; being Python, it can
saturate a fast page less well than wrk, so its figures are a lower bound.
"""

import argparse
import http.client
import itertools
import json
import threading
import time
from urllib.parse import urlsplit

from .load import REPORT_PREFIX, percentile

# A path ending in this parameter gets a new value on every request (as report.lua does for wrk),
# so that no copy of an earlier response can answer it.
FRESH = "fresh="


def _worker(url, deadline, timeout, latencies, counters, lock):
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = None
    fresh = itertools.count(threading.get_ident() % 1000 * 10**8) if FRESH in target else None
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
            connection.request("GET", target if fresh is None else f"{target}{next(fresh)}")
            response = connection.getresponse()
            size = len(response.read())
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed * 1000)
                counters["bytes"] += size
                if not 200 <= response.status < 400:
                    counters["status_errors"] += 1
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            with lock:
                counters["errors"] += 1
            if connection is not None:
                connection.close()
            connection = None
    if connection is not None:
        connection.close()


def run(url: str, duration: float, connections: int, timeout: float) -> dict:
    latencies: list[float] = []
    counters = {"bytes": 0, "errors": 0, "status_errors": 0}
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + duration
    threads = [threading.Thread(target=_worker, args=(url, deadline, timeout, latencies, counters, lock))
               for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"requests": len(latencies), "seconds": time.perf_counter() - started, **counters,
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99), "max_ms": latencies[-1] if latencies else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    print(REPORT_PREFIX + json.dumps(run(args.url, args.duration, args.connections, args.timeout)), flush=True)


if __name__ == "__main__":
    main()
