"""``python -m bench.peak ARGS…``: run ``registry ARGS…`` in this process and print the memory it added.

The application is created first (every import and start-up allocation done),
the kernel's resident high-water mark is then reset (``/proc/self/clear_refs``,
Linux ≥ 4.0), and the command runs through the same click entry point as the
``registry`` script. The line ``PEAK {json}`` gives the high-water mark of start-up,
the resident memory before the command and the high-water mark during it, in KiB. Without the reset
(an older kernel, a locked-down /proc) the high-water mark includes start-up,
and ``"reset": false`` says so.

The resident set also counts pages of files the process maps: with SQLite, whose
database file the registry maps into memory (``mmap_size``), every page of the
file that a command reads shows up there, although it is the kernel's page cache,
shared and reclaimable, and would be read into that cache without the mapping
too. So the process's own (anonymous) memory, ``RssAnon``, is sampled as well,
every few milliseconds (the kernel keeps no high-water mark of it): the memory
the export itself allocates.
"""

import json
import sys
import threading
import time
from pathlib import Path

PREFIX = "PEAK "


def _status_kib(pid: str, names: tuple[str, ...]) -> dict[str, int]:
    values = dict.fromkeys(names, 0)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in values:
            values[name] = int(rest.split()[0])
    return values


def memory_kib(pid: str = "self") -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (resident high-water mark) of a process, in KiB."""
    return _status_kib(pid, ("VmRSS", "VmHWM"))


def anonymous_kib(pid: str = "self") -> int:
    """RssAnon: resident memory not backed by a file (heap, stacks), in KiB."""
    return _status_kib(pid, ("RssAnon",))["RssAnon"]


class AnonymousPeak:
    """The highest RssAnon of a process while the block runs, sampled every ``interval`` seconds."""

    def __init__(self, pid: str = "self", interval: float = 0.002):
        self.pid, self.interval = pid, interval
        self.before_kib = self.peak_kib = anonymous_kib(pid)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            try:
                self.peak_kib = max(self.peak_kib, anonymous_kib(self.pid))
            except OSError:  # the process ended
                return
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._done.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, anonymous_kib(self.pid))


def reset_peak(pid: str = "self") -> bool:
    """Set the high-water mark back to the present resident size; False where the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main(args: list[str]) -> int:
    from registry import create_app
    from registry.cli import main as registry

    create_app()  # imports and start-up allocations, outside the measurement
    start_up_peak = memory_kib()["VmHWM"]
    reset = reset_peak()
    before = memory_kib()["VmRSS"]
    with AnonymousPeak() as anonymous:
        try:
            registry.main(args, prog_name="registry", standalone_mode=False)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    after = memory_kib()
    print(PREFIX + json.dumps({"start_up_peak_kib": start_up_peak, "before_kib": before, "peak_kib": after["VmHWM"],
                               "reset": reset, "anonymous_before_kib": anonymous.before_kib,
                               "anonymous_peak_kib": anonymous.peak_kib}), flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
