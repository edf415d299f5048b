"""What a benchmark run measured, the ratios to the baseline page, and the issue's goals met or not."""

from dataclasses import dataclass, field

from .commands import Timing
from .load import LoadResult

KIB_PER_MB = 1e6 / 1024  # the goal is in MB (10^6 bytes); the kernel counts KiB


@dataclass
class Page:
    key: str  # stable name, used by the goals
    label: str
    path: str
    load: LoadResult | None = None
    duration: float = 0.0  # seconds of measured load
    problem: str = ""  # why there is no result (a status other than 200, a load-generator failure)
    note: str = ""  # how it was measured, where that differs from the load settings


@dataclass
class Memory:
    """A resident-set high-water mark against the same process's resident size before the work, in KiB."""
    what: str
    peak_kib: int
    baseline_kib: int
    seconds: float
    output_bytes: int
    reset: bool = True  # False: the peak could not be reset before the work, so it may include start-up
    process_peak_kib: int | None = None  # the whole command's peak, start-up included
    anonymous_baseline_kib: int = 0  # RssAnon before the work (bench/peak.py says why)
    anonymous_peak_kib: int = 0  # the highest RssAnon sampled during it

    @property
    def extra_mb(self) -> float:
        """What the work added to the resident set, mapped file pages included."""
        return (self.peak_kib - self.baseline_kib) / KIB_PER_MB

    @property
    def extra_anonymous_mb(self) -> float:
        """What the work itself allocated: the goal's "extra memory"."""
        return (self.anonymous_peak_kib - self.anonymous_baseline_kib) / KIB_PER_MB

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / KIB_PER_MB

    @property
    def baseline_mb(self) -> float:
        return self.baseline_kib / KIB_PER_MB


@dataclass
class Import:
    rows: int
    seconds: float  # wall time of the command, start-up included
    cpu_seconds: float
    peak_kib: int
    finished: bool = True  # False: stopped at the time limit, so rows_per_second is an upper bound

    @property
    def summary(self) -> str:
        if not self.finished:
            return f"did not finish in {self.seconds:.0f} s: < {self.rows_per_second:.0f} rows/s"
        return f"{self.rows_per_second:.0f} rows/s ({self.rows} rows in {self.seconds:.1f} s)"

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class EngineRun:
    engine: str
    version: str
    dataset: str
    built_seconds: float | None = None
    period: int | None = None
    minimal: list[LoadResult] = field(default_factory=list)  # before and after the registry's pages
    pages: list[Page] = field(default_factory=list)
    small_dataset: str | None = None
    small_home: Page | None = None  # "/" on the small data set (the scaling goal)
    interpreter: Timing | None = None  # `python -c pass`: the floor of every command
    startup: Timing | None = None  # `registry --help`: the interpreter and the command's own imports, no query
    targets: Timing | None = None
    small_targets: Timing | None = None
    ranking: Timing | None = None  # `registry ranking --period …` (issue #14)
    export_cli: Memory | None = None
    export_endpoint: Memory | None = None
    imported: Import | None = None
    problems: list[str] = field(default_factory=list)

    def page(self, key: str) -> Page | None:
        return next((p for p in self.pages if p.key == key), None)

    @property
    def baseline_rps(self) -> float | None:
        values = [m.rps for m in self.minimal if m.ok]
        return sum(values) / len(values) if values else None

    @property
    def baseline_p95(self) -> float | None:
        values = [m.p95_ms for m in self.minimal if m.ok]
        return sum(values) / len(values) if values else None

    def throughput_ratio(self, page: Page | None) -> float | None:
        if page is None or page.load is None or not page.load.ok:
            return None
        return ratio(page.load.rps, self.baseline_rps)

    def p95_ratio(self, page: Page | None) -> float | None:
        if page is None or page.load is None or not page.load.ok:
            return None
        return ratio(page.load.p95_ms, self.baseline_p95)


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value ÷ baseline, or None when either is unknown or the baseline is zero."""
    if value is None or not baseline:
        return None
    return value / baseline


# --- goals (issue #7) ------------------------------------------------------------------------

HOME_RATIO = 0.5
NGINX_HOME = "home_nginx"  # `/` through nginx (issue #18), against the minimal page served directly
NGINX_HOME_RATIO = 2.0
LIGHT_PAGE_RATIO = 0.2
LIGHT_PAGE_P95_RATIO = 10.0
TARGETS_SECONDS = 0.5  # issue #18 (issue #7 asked for 1 s)
HELP_SECONDS = 0.3
SEARCH_API_RATIO = 0.3
SCALING_RATIO = 0.5
IMPORT_ROWS_PER_SECOND = 2000
EXPORT_EXTRA_MB = 100.0
LIGHT_PAGES = ("search_diacritics", "search_plain", "agency", "api_services")
RANKING_SECONDS = 2.0  # issue #14: `registry ranking` at national scale
RANKING_PAGE_RATIO = 0.2  # issue #14: the ranking and the agencies compared, first page
RANKING_PAGES = ("rankings", "comparison")


@dataclass(frozen=True)
class Goal:
    engine: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


def ratio_text(value: float | None) -> str:
    """A ratio with two decimals, three below 0.1 (so that 0.004 does not read as zero)."""
    if value is None:
        return "—"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def _page_goal(engine: str, goal: str, page: Page | None, measured: str, met: bool | None) -> Goal:
    """A page that failed (an error status, errors under load) does not meet its goal."""
    failure = page.problem if page is not None else ""
    if page is not None and page.load is not None and not page.load.ok:
        failure = f"{page.load.errors} errors and {page.load.status_errors} bad statuses under load"
    return Goal(engine, goal, failure, False) if failure else Goal(engine, goal, measured, met)


def goals(run: EngineRun) -> list[Goal]:
    e = run.engine
    out = []
    home = run.page("home")
    r = run.throughput_ratio(home)
    out.append(_page_goal(e, f"`/` ≥ {HOME_RATIO} × the minimal page's throughput", home, f"{ratio_text(r)} ×",
                          None if r is None else r >= HOME_RATIO))
    nginx = run.page(NGINX_HOME)
    r = run.throughput_ratio(nginx)
    out.append(_page_goal(e, f"`/` through nginx ≥ {NGINX_HOME_RATIO:g} × the minimal page's throughput", nginx,
                          f"{ratio_text(r)} ×", None if r is None else r >= NGINX_HOME_RATIO))
    for timing, command, limit in ((run.startup, "registry --help", HELP_SECONDS),
                                   (run.targets, "registry targets --period …", TARGETS_SECONDS),
                                   (run.ranking, "registry ranking --period …", RANKING_SECONDS)):
        base = run.interpreter
        out.append(Goal(e, f"`{command}` < {limit:g} s (a fresh process)",
                        "—" if timing is None else f"{timing.median:.2f} s median, CPU {timing.cpu:.2f} s"
                        + ("" if base is None else f" (`python -c pass`: {base.median:.2f} s, CPU {base.cpu:.2f} s)"),
                        None if timing is None else timing.median < limit))
    api = run.page("search_api")
    rr = run.throughput_ratio(api)
    if api is not None:
        out.append(_page_goal(e, f"{api.label}: ≥ {SEARCH_API_RATIO} × throughput", api, f"{ratio_text(rr)} ×",
                              None if rr is None else rr >= SEARCH_API_RATIO))
    for key in RANKING_PAGES:
        page = run.page(key)
        if page is None:  # a run from before issue #14 measured neither
            continue
        rr = run.throughput_ratio(page)
        out.append(_page_goal(e, f"{page.label}: ≥ {RANKING_PAGE_RATIO} × throughput", page, f"{ratio_text(rr)} ×",
                              None if rr is None else rr >= RANKING_PAGE_RATIO))
    for key in LIGHT_PAGES:
        page = run.page(key)
        label = page.label if page else key
        rr, pr = run.throughput_ratio(page), run.p95_ratio(page)
        out.append(_page_goal(e, f"{label}: ≥ {LIGHT_PAGE_RATIO} × throughput, "
                                 f"p95 < {LIGHT_PAGE_P95_RATIO:g} × the minimal's", page,
                              f"{ratio_text(rr)} ×, p95 {'—' if pr is None else f'{pr:.1f}'} ×",
                              None if rr is None or pr is None
                              else rr >= LIGHT_PAGE_RATIO and pr < LIGHT_PAGE_P95_RATIO))
    big = home.load.rps if home and home.load and home.load.ok else None
    small = (run.small_home.load.rps if run.small_home and run.small_home.load and run.small_home.load.ok
             else None)
    sr = ratio(big, small)
    out.append(Goal(e, f"`/` at {run.dataset} ≥ {SCALING_RATIO} × `/` at {run.small_dataset or 'the small set'}",
                    "—" if sr is None else f"{sr:.2f} × ({big:.1f} vs {small:.1f} req/s)",
                    None if sr is None else sr >= SCALING_RATIO))
    imp = run.imported
    out.append(Goal(e, f"import of services ≥ {IMPORT_ROWS_PER_SECOND} rows/s",
                    "—" if imp is None else imp.summary,
                    None if imp is None else imp.finished and imp.rows_per_second >= IMPORT_ROWS_PER_SECOND))
    for memory in (run.export_cli, run.export_endpoint):
        if memory is not None:
            out.append(Goal(e, f"{memory.what}: < {EXPORT_EXTRA_MB:g} MB extra memory",
                            f"{memory.extra_anonymous_mb:+.0f} MB allocated; resident set "
                            f"{memory.extra_mb:+.0f} MB, mapped files included (peak {memory.peak_mb:.0f} MB)",
                            memory.extra_anonymous_mb < EXPORT_EXTRA_MB))
    return out
