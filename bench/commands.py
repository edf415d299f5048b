"""Running the ``registry`` command: once with its wall time and peak memory, or timed repeatedly."""

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = str(Path(sys.executable).with_name("registry"))


class CommandFailed(RuntimeError):
    pass


class TookTooLong(CommandFailed):
    pass


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the child: less disturbed than wall time by other load
    max_rss_kib: int  # the child's resident-set high-water mark (getrusage ru_maxrss)
    output: str


def _wait(process: subprocess.Popen, timeout: float | None):
    """os.wait4 (for the child's own rusage) with a deadline, after which the child is killed."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, 0 if deadline is None else os.WNOHANG)
        if pid:
            return status, usage
        if time.monotonic() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -9
            raise TookTooLong(f"stopped after {timeout:.0f} s")
        time.sleep(0.2)


def _measure(command: list[str], env: dict[str, str], timeout: float | None = None) -> Measured:
    """Run ``command`` to completion; CommandFailed with its output on a non-zero exit,
    TookTooLong when it runs past ``timeout`` seconds."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        status, usage = _wait(process, timeout)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if process.returncode != 0:
        shown = " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command))
        raise CommandFailed(f"{shown} exited {process.returncode}:\n{output[-3000:]}")
    return Measured(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output)


def registry(*args: str, env: dict[str, str], quiet: bool = False, timeout: float | None = None) -> Measured:
    """``registry ARGS`` in a fresh process, its output echoed unless ``quiet``."""
    done = _measure([REGISTRY, *args], env, timeout)
    if not quiet and done.output.strip():
        print("    " + done.output.strip().replace("\n", "\n    ")[-1500:], flush=True)
    return done


@dataclass(frozen=True)
class Timing:
    median: float  # wall time
    low: float
    high: float
    cpu: float  # mean user + system time
    runs: int
    tool: str  # hyperfine, or "repeat" where it is not installed


# The interpreter alone, measured beside the commands: what no command can go below.
PYTHON_PASS = [sys.executable, "-c", "pass"]


def time_command(args: list[str], env: dict[str, str], runs: int, warmup: int = 1,
                 program: list[str] | None = None) -> Timing:
    """Wall time of ``registry ARGS`` (or of ``program``), a fresh process each run: hyperfine
    when installed, else repeated."""
    if program is not None and not shutil.which("hyperfine"):
        times, cpus = [], []
        for n in range(warmup + runs):
            done = _measure(program, env)
            if n >= warmup:
                times.append(done.seconds)
                cpus.append(done.cpu_seconds)
        return Timing(statistics.median(times), min(times), max(times), statistics.mean(cpus), runs, "repeat")
    if shutil.which("hyperfine"):
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "hyperfine.json"
            line = shlex.join(program or [REGISTRY, *args])
            subprocess.run(["hyperfine", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                            "--export-json", str(export), line],
                           env=env, cwd=ROOT, check=True, capture_output=True, text=True)
            result = json.loads(export.read_text())["results"][0]
        return Timing(result["median"], result["min"], result["max"], result["user"] + result["system"],
                      len(result["times"]), "hyperfine")
    for _ in range(warmup):
        registry(*args, env=env, quiet=True)
    done = [registry(*args, env=env, quiet=True) for _ in range(runs)]
    times = [d.seconds for d in done]
    return Timing(statistics.median(times), min(times), max(times),
                  statistics.mean(d.cpu_seconds for d in done), runs, "repeat")


@dataclass(frozen=True)
class Peak:
    start_up_peak_kib: int  # high-water mark of creating the app, before the reset
    before_kib: int  # resident memory once the app is created, before the command
    peak_kib: int  # high-water mark while the command ran
    reset: bool  # False: the kernel kept the start-up peak in the high-water mark
    process: Measured  # the whole process: wall time, CPU (its ru_maxrss follows the reset)
    anonymous_before_kib: int  # RssAnon before the command
    anonymous_peak_kib: int  # the highest RssAnon sampled while it ran


def registry_peak(*args: str, env: dict[str, str]) -> Peak:
    """The memory ``registry ARGS`` adds to a started application (bench/peak.py)."""
    from .peak import PREFIX

    done = _measure([sys.executable, "-m", "bench.peak", *args], env)
    lines = [line for line in done.output.splitlines() if line.startswith(PREFIX)]
    if not lines:
        raise CommandFailed(f"bench.peak {' '.join(args)} printed no {PREFIX.strip()} line:\n{done.output[-3000:]}")
    fields = json.loads(lines[-1][len(PREFIX):])
    return Peak(fields["start_up_peak_kib"], fields["before_kib"], fields["peak_kib"], fields["reset"], done,
                fields["anonymous_before_kib"], fields["anonymous_peak_kib"])


def hyperfine_version() -> str | None:
    if not shutil.which("hyperfine"):
        return None
    return subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
