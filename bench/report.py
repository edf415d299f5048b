"""The printed table, the machine description and the generated part of docs/BENCHMARKS.md."""

import os
import platform
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from .results import KIB_PER_MB, EngineRun, Goal, Memory, Page, goals, ratio_text

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
DOC_SKELETON = "# Benchmarks\n\n{begin}\n{end}\n"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    os_name = platform.system()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {"CPU": cpu, "cores": str(os.cpu_count()), "RAM": ram, "OS": f"{os_name}, Linux {platform.release()}",
            "Python": platform.python_version(), "SQLite": sqlite3.sqlite_version,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "load average at start": load_average()}


def load_average() -> str:
    """1, 5 and 15 minute load averages: on a shared machine, how much else was running."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def busy() -> bool:
    return os.getloadavg()[0] > (os.cpu_count() or 1)


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def page_cells(run: EngineRun, page: Page) -> list[str]:
    """req/s, p50, p95, both ratios, requests, and a note, for one page."""
    load = page.load
    if load is None:
        return ["—", "—", "—", "—", "—", "—", page.problem or "not measured"]
    notes = [page.note, page.problem]
    if load.errors or load.status_errors:
        notes.append(f"{load.errors} errors, {load.status_errors} bad statuses")
    if not page.note and load.requests < 20:
        notes.append(f"only {load.requests} requests in {page.duration:.0f} s")
    note = "; ".join(n for n in notes if n)
    return [_num(load.rps), _num(load.p50_ms), _num(load.p95_ms), ratio_text(run.throughput_ratio(page)),
            _num(run.p95_ratio(page), 1), str(load.requests), note.strip()]


def shorten(path: str, width: int = 60) -> str:
    """A path for the table: a paging cursor can be hundreds of characters long."""
    return path if len(path) <= width else path[:width - 1] + "…"


PAGE_HEADER = ["page", "req/s", "p50 ms", "p95 ms", "req/s ÷ minimal", "p95 ÷ minimal", "requests", "note"]


def page_rows(run: EngineRun) -> list[list[str]]:
    rows = []
    for i, m in enumerate(run.minimal):
        label = "minimal Flask page (baseline)" + (" — before" if i == 0 else " — after")
        rows.append([label, _num(m.rps), _num(m.p50_ms), _num(m.p95_ms), "1.00", "1.0", str(m.requests), ""])
    for page in run.pages:
        rows.append([f"{page.label} `{shorten(page.path)}`", *page_cells(run, page)])
    if run.small_home is not None:
        rows.append([f"`/` at {run.small_dataset}", *page_cells(run, run.small_home)])
    return rows


def other_rows(run: EngineRun) -> list[list[str]]:
    """Commands: timings, memory, import."""
    rows = []
    for label, timing in (("`python -c pass` (the interpreter alone: the floor of every command)", run.interpreter),
                          ("`registry --help` (start-up only: the interpreter and the command's imports)",
                           run.startup),
                          (f"`registry targets --period {run.period}` at {run.dataset}", run.targets),
                          (f"`registry targets --period {run.period}` at {run.small_dataset}", run.small_targets),
                          (f"`registry ranking --period {run.period}` at {run.dataset}", run.ranking)):
        if timing is not None:
            rows.append([label, f"{timing.median:.2f} s median of {timing.runs} ({timing.tool}; "
                                f"{timing.low:.2f}–{timing.high:.2f} s; CPU {timing.cpu:.2f} s)"])
    if run.imported is not None:
        i = run.imported
        rows.append([f"`registry import services` ({i.rows} rows, fresh process)",
                     f"{i.summary}; CPU {i.cpu_seconds:.1f} s, peak RSS {i.peak_kib / KIB_PER_MB:.0f} MB"])
    for memory in (run.export_cli, run.export_endpoint):
        if memory is not None:
            rows.append([memory.what, memory_summary(memory)])
    return rows


def memory_summary(memory: Memory) -> str:
    method = ("peak reset after start-up" if memory.reset
              else "the peak could not be reset: start-up included")
    whole = (f"; the whole process peaked at {memory.process_peak_kib / KIB_PER_MB:.0f} MB"
             if memory.process_peak_kib else "")
    return (f"{memory.extra_anonymous_mb:+.0f} MB allocated (RssAnon, sampled); resident set "
            f"{memory.extra_mb:+.0f} MB over {memory.baseline_mb:.0f} MB, mapped files included "
            f"({method}){whole}; {memory.seconds:.1f} s, {memory.output_bytes / 1e6:.1f} MB written")


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]

    def line(cells):
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join(" --- " for _ in header) + "|", *map(line, rows)])


def _verdict(goal: Goal) -> str:
    return {True: "**met**", False: "**not met**", None: "not measured"}[goal.met]


def print_run(run: EngineRun) -> None:
    print(f"\n== {run.engine} ({run.version}) — {run.dataset}, period {run.period}")
    print(text_table(PAGE_HEADER, page_rows(run)))
    if other_rows(run):
        print()
        print(text_table(["command", "result"], other_rows(run)))
    for problem in run.problems:
        print(f"  problem: {problem}")


def print_goals(runs: list[EngineRun]) -> None:
    rows = [[g.engine, g.goal, g.measured, {True: "met", False: "NOT MET", None: "—"}[g.met]]
            for run in runs for g in goals(run)]
    print()
    print(text_table(["engine", "goal", "measured", "verdict"], rows))


def markdown(runs: list[EngineRun], facts: dict[str, str], settings: dict[str, str]) -> str:
    parts = ["## Results of the last run", "",
             "### Machine and software", "",
             markdown_table(["", ""], [[k, v] for k, v in facts.items()]), "",
             "### Settings", "",
             markdown_table(["", ""], [[k, v] for k, v in settings.items()]), "",
             "### Goals", "",
             markdown_table(["engine", "goal", "measured", "verdict"],
                            [[g.engine, g.goal, g.measured, _verdict(g)] for run in runs for g in goals(run)]), ""]
    for run in runs:
        parts += [f"### {run.version or run.engine} — {run.dataset}, period {run.period}", ""]
        if run.built_seconds is not None:
            parts += [f"The data set was built in this run in {run.built_seconds:.0f} s.", ""]
        parts += [markdown_table(PAGE_HEADER, page_rows(run)), ""]
        if other_rows(run):
            parts += [markdown_table(["command", "result"], other_rows(run)), ""]
        parts += [f"- problem: {p}" for p in run.problems]
        if run.problems:
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def update_docs(path: Path, generated: str) -> None:
    """Replace what lies between the marker lines (the hand-written sections around them are kept;
    a marker quoted inside a line of prose is not a marker)."""
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_SKELETON.format(begin=BEGIN, end=END)
    lines = text.splitlines(keepends=True)
    marks = [i for i, line in enumerate(lines) if line.strip() in (BEGIN, END)]
    kinds = [lines[i].strip() for i in marks]
    if kinds[:2] != [BEGIN, END]:
        lines += ["\n", BEGIN + "\n", END + "\n"]
        marks = [len(lines) - 2, len(lines) - 1]
    begin, end = marks[0], marks[1]
    path.write_text("".join(lines[:begin + 1]) + "\n" + generated + "\n" + "".join(lines[end:]), encoding="utf-8")
