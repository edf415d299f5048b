"""``python -m bench.peak ARGS…``: run ``registry ARGS…`` in this process and print the memory it added.

The application is created first (every import and start-up allocation done),
the kernel's resident high-water mark is then reset (``/proc/self/clear_refs``,
Linux ≥ 4.0), and the command runs through the same click entry point as the
``registry`` script. The line ``PEAK {json}`` gives the high-water mark of start-up,
the resident memory before the command and the high-water mark during it, in KiB. Without the reset
(an older kernel, a locked-down /proc) the high-water mark includes start-up,
and ``"reset": false`` says so.
"""

import json
import sys
from pathlib import Path

PREFIX = "PEAK "


def memory_kib(pid: str = "self") -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (resident high-water mark) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


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
    try:
        registry.main(args, prog_name="registry", standalone_mode=False)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    after = memory_kib()
    print(PREFIX + json.dumps({"start_up_peak_kib": start_up_peak, "before_kib": before, "peak_kib": after["VmHWM"],
                               "reset": reset}), flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
