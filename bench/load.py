"""Load generation: wrk when it is installed, else bench/pyload.py, always in a second process.

Both print one line ``BENCH {json}`` at the end of a run (wrk through
bench/report.lua), which ``parse_report`` turns into a ``LoadResult``.
"""

import json
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WRK_SCRIPT = HERE / "report.lua"
REPORT_PREFIX = "BENCH "


@dataclass(frozen=True)
class LoadSettings:
    duration: float  # seconds of measured load
    warmup: float  # seconds of load thrown away before it
    connections: int
    threads: int
    timeout: float = 600.0  # a request slower than this counts as an error (as long as gunicorn allows)


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int  # connect, read, write errors and timeouts
    status_errors: int  # answers outside 2xx/3xx
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.errors == 0 and self.status_errors == 0


def parse_report(output: str) -> LoadResult:
    """The ``BENCH {json}`` line of a load generator's output."""
    for line in reversed(output.splitlines()):
        if line.startswith(REPORT_PREFIX):
            fields = json.loads(line[len(REPORT_PREFIX):])
            return LoadResult(
                requests=int(fields["requests"]), seconds=float(fields["seconds"]),
                errors=int(fields["errors"]), status_errors=int(fields["status_errors"]),
                p50_ms=float(fields["p50_ms"]), p95_ms=float(fields["p95_ms"]),
                p99_ms=float(fields["p99_ms"]), max_ms=float(fields["max_ms"]))
    raise ValueError(f"no {REPORT_PREFIX.strip()} line in the load generator's output:\n{output[-2000:]}")


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one), as wrk reports it."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def generator() -> str:
    """'wrk' when it is on the PATH, else 'python' (bench/pyload.py)."""
    return "wrk" if shutil.which("wrk") else "python"


def wrk_version() -> str | None:
    if not shutil.which("wrk"):
        return None
    # wrk prints its version in the usage text on an unknown option
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    first = out.splitlines()[0] if out else ""
    return first.split("[")[0].strip() or "wrk"


def _command(url: str, seconds: float, settings: LoadSettings) -> list[str]:
    duration = max(1, math.ceil(seconds))
    if generator() == "wrk":
        return ["wrk", f"-t{settings.threads}", f"-c{settings.connections}", f"-d{duration}s",
                f"--timeout={math.ceil(settings.timeout)}s", "-s", str(WRK_SCRIPT), url]
    return [sys.executable, "-m", "bench.pyload", url, "--duration", str(duration),
            "--connections", str(settings.connections), "--timeout", str(settings.timeout)]


def drive(url: str, settings: LoadSettings, duration: float | None = None, settle=lambda: None) -> LoadResult:
    """Warm up, ``settle()``, then measure ``url`` for ``duration`` seconds (default: the settings')."""
    if settings.warmup > 0:
        _run(url, settings.warmup, settings)
        settle()
    return _run(url, duration or settings.duration, settings)


def one_at_a_time(url: str, runs: int) -> LoadResult:
    """``runs`` requests in sequence, for a page too slow to be driven by the load settings."""
    from .servers import fetch

    latencies, bad = [], 0
    for _ in range(runs):
        status, _body, seconds = fetch(url)
        latencies.append(seconds * 1000)
        bad += not 200 <= status < 400
    latencies.sort()
    return LoadResult(requests=runs, seconds=sum(latencies) / 1000, errors=0, status_errors=bad,
                      p50_ms=percentile(latencies, 50), p95_ms=percentile(latencies, 95),
                      p99_ms=percentile(latencies, 99), max_ms=latencies[-1])


def _run(url: str, seconds: float, settings: LoadSettings) -> LoadResult:
    command = _command(url, seconds, settings)
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent,
                          timeout=seconds + settings.timeout + 60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return parse_report(done.stdout)
