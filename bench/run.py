"""``python -m bench``: the national-scale benchmark of issue #7 (see docs/BENCHMARKS.md)."""

import argparse
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

from . import databases as dbs
from . import front, report
from .commands import PYTHON_PASS, TookTooLong, hyperfine_version, registry, registry_peak, time_command
from .databases import CACHE, BenchError, Database, DataSet
from .importdata import import_files
from .load import LoadSettings, drive, generator, one_at_a_time, wrk_version
from .peak import AnonymousPeak, memory_kib, reset_peak
from .results import NGINX_HOME, EngineRun, Import, Memory, Page
from .servers import MINIMAL_APP, REGISTRY_APP, Server, ServerSettings, failure, fetch

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "BENCHMARKS.md"
NATIONAL = {"services": 100_000, "agencies": 12_000, "periods": 10}
QUICK = {"services": 1000, "agencies": 120, "periods": 3, "duration": 3.0, "warmup": 1.0, "runs": 3}
FULL = {"duration": 10.0, "warmup": 3.0, "runs": 5}
SMALL = {"services": 1000, "agencies": 120}  # the reference of the scaling goal
API_DEEP_ROWS = 10_000  # the API page benchmarked starts after this many services (at most half of them)
API_WALK_LIMIT = 200
# A page slower than duration / 10 per request is measured for 10 × its request time (so that each
# connection completes a few requests even though 8 connections share 2 cores); one slower than
# 18 s per request is requested 3 times one at a time instead (8 at once would outlast any timeout).
SLOW_PAGE_FACTOR = 10
SLOW_PAGE_CAP = 180.0
ONE_AT_A_TIME = 3
DRILLDOWN_TARGET = "services_level1_pct"


STEPS = ("pages", "memory", "commands", "small", "import")
PAGE_KEYS = ("home", "drilldown", "search_diacritics", "search_plain", "search_variant", "search_fresh",
             "search_api", "agency", "rankings", "comparison", "api_targets", "api_services", "export_xlsx")


def _choices(allowed):
    def parse(text: str) -> list[str]:
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [c for c in chosen if c not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown: {', '.join(unknown)} (choose from {', '.join(allowed)})")
        return chosen
    return parse


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="small data set (1000 services, 120 agencies, 3 periods) and short runs, for development")
    parser.add_argument("--demo", action="store_true", help="smoke run on the demonstration data instead of synth")
    parser.add_argument("--only", choices=dbs.ENGINES, help="one database only")
    parser.add_argument("--steps", type=_choices(STEPS), default=",".join(STEPS),
                        help=f"the parts to run, comma-separated (default all: {','.join(STEPS)})")
    parser.add_argument("--pages", type=_choices(PAGE_KEYS), default=",".join(PAGE_KEYS),
                        help=f"the pages to drive, comma-separated (default all: {','.join(PAGE_KEYS)})")
    parser.add_argument("--services", type=int)
    parser.add_argument("--agencies", type=int)
    parser.add_argument("--periods", type=int)
    parser.add_argument("--seed", type=int, default=1529)
    parser.add_argument("--duration", type=float, help="seconds of measured load per page (10; quick 3)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up load per page (3; quick 1)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, for every server alike")
    parser.add_argument("--runs", type=int, help="runs of each timed command (5; quick 3)")
    parser.add_argument("--import-timeout", type=float, default=600.0,
                        help="stop the import benchmark after this many seconds (then report an upper bound)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a database on the server where scratch databases are created and dropped")
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument("--write-docs", action="store_true", default=None,
                      help=f"write the results into {DOCS.relative_to(ROOT)} (default: only after a full run)")
    docs.add_argument("--no-docs", action="store_false", dest="write_docs")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick or args.demo else NATIONAL
    timing = QUICK if args.quick or args.demo else FULL
    for name in ("services", "agencies", "periods"):
        if getattr(args, name) is None:
            setattr(args, name, sizes[name])
    for name in ("duration", "warmup", "runs"):
        if getattr(args, name) is None:
            setattr(args, name, timing[name])
    if args.write_docs is None:
        partial = args.steps != list(STEPS) or args.pages != list(PAGE_KEYS)
        args.write_docs = not (args.quick or args.demo or args.only or partial) and (
            (args.services, args.agencies, args.periods) == tuple(NATIONAL.values()))
    return args


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.dataset = DataSet(args.services, args.agencies, args.periods, args.seed, demo=args.demo)
        self.small = (None if args.demo or args.services <= SMALL["services"]
                      else DataSet(SMALL["services"], SMALL["agencies"], args.periods, args.seed))
        self.load = LoadSettings(duration=args.duration, warmup=args.warmup, connections=args.connections,
                                 threads=args.threads)
        self.server = ServerSettings(workers=args.workers)
        self.logs = CACHE / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # --- one engine ------------------------------------------------------------------------

    def run_engine(self, run: EngineRun) -> None:
        """Fill ``run`` step by step; a step that fails is reported and the next one still runs."""
        engine = run.engine
        step(f"{engine}: the data set ({self.dataset.label})")
        steps = self.args.steps
        with self.database(engine, self.dataset, "main") as db:
            run.built_seconds = db.built_seconds
            attempt(run, "pages", lambda: self.pages(run, db))
            if run.period is None:
                return
            if "memory" in steps:
                attempt(run, "export memory", lambda: self.export_memory(run, db))
            if "commands" in steps:
                attempt(run, "command timing", lambda: self.time_commands(run, db))
        if self.small is not None and "small" in steps:
            step(f"{engine}: `/` and `registry targets` at {self.small.label}")
            with self.database(engine, self.small, "small") as db:
                attempt(run, "the small data set", lambda: self.small_set(run, db))
        if "import" in steps:
            attempt(run, "import", lambda: self.import_services(run, engine))

    def time_commands(self, run: EngineRun, db: Database) -> None:
        step(f"{run.engine}: timing the commands")
        run.interpreter = time_command([], db.env, self.args.runs, program=PYTHON_PASS)
        run.startup = time_command(["--help"], db.env, self.args.runs)
        run.targets = time_command(["targets", "--period", str(run.period)], db.env, self.args.runs)
        run.ranking = time_command(["ranking", "--period", str(run.period)], db.env, self.args.runs)

    def small_set(self, run: EngineRun, db: Database) -> None:
        with Server(REGISTRY_APP, db.env, self.server, self.logs / f"{run.engine}-small.log") as app:
            run.small_home = self.measure(app, Page("home", "transparency page", "/"))
        run.small_targets = time_command(["targets", "--period", str(run.period)], db.env, self.args.runs)

    def database(self, engine: str, dataset: DataSet | None, purpose: str):
        return dbs.database(engine, dataset, purpose, self.args.postgres_url)

    def pages(self, run: EngineRun, db: Database) -> None:
        env = db.env
        with Server(REGISTRY_APP, env, self.server, self.logs / f"{run.engine}-app.log") as app, \
                Server(MINIMAL_APP, env, self.server, self.logs / f"{run.engine}-minimal.log") as minimal:
            run.period = latest_period(app)
            if "pages" not in self.args.steps:
                return
            step(f"{run.engine}: pages (period {run.period})")
            run.minimal.append(self.measure(minimal, Page("minimal", "minimal", "/")).load)
            for page in page_plan(app, run.period):
                if page.key in self.args.pages:
                    run.pages.append(self.measure(app, page))
                    if page.key == "home":
                        run.pages.append(self.through_nginx(app, run.engine))
            run.minimal.append(self.measure(minimal, Page("minimal", "minimal", "/")).load)

    def through_nginx(self, app: Server, engine: str) -> Page:
        """`/` through nginx with the shipped configuration (bench/front.py) in front of ``app``; its
        ratio is to the minimal page served directly, as the goal says."""
        page = Page(NGINX_HOME, "transparency page through nginx", "/", problem=front.unavailable_reason() or "")
        if page.problem:
            return self.measure(app, page)  # says why, measures nothing
        try:
            with front.Front(app, self.logs / f"{engine}-nginx", access_log=False) as nginx:
                return self.measure(nginx, page)
        except RuntimeError as exc:  # nginx refused the configuration or did not start
            page.problem = str(exc).splitlines()[0][:200]
            print(f"    {page.label}: {page.problem}", flush=True)
            return page

    def measure(self, server: Server | front.Front, page: Page) -> Page:
        """Check that the page answers 200, then drive it (longer for a slow page) and let the workers go idle."""
        if page.problem:
            print(f"    {page.label}: {page.problem}", flush=True)
            return page
        status, body, seconds = fetch(server.url(page.path))
        if status != 200:
            page.problem = failure(status, body)
            print(f"    {page.label}: {page.problem}", flush=True)
            return page
        slow = seconds * SLOW_PAGE_FACTOR > self.load.duration
        if slow:  # the first request may have paid for a cold worker: time a second one before deciding
            status, _body, seconds = fetch(server.url(page.path))
            slow = seconds * SLOW_PAGE_FACTOR > self.load.duration
        try:
            if seconds * SLOW_PAGE_FACTOR > SLOW_PAGE_CAP:
                page.note = (f"too slow for {self.load.connections} connections: "
                             f"{ONE_AT_A_TIME} requests one at a time")
                page.load = one_at_a_time(server.url(page.path), ONE_AT_A_TIME)
                page.duration = page.load.seconds
            else:
                page.duration = seconds * SLOW_PAGE_FACTOR if slow else self.load.duration
                # a slow page has just been warmed up by the check; a warm-up run would leave requests behind
                settings = LoadSettings(**{**asdict(self.load), "warmup": 0.0}) if slow else self.load
                page.load = drive(server.url(page.path), settings, page.duration, settle=server.wait_idle)
        except RuntimeError as exc:
            page.problem = str(exc).splitlines()[0][:200]
        server.wait_idle()
        if page.load is not None:
            print(f"    {page.label:<40} {page.load.rps:8.1f} req/s  p50 {page.load.p50_ms:8.1f} ms  "
                  f"p95 {page.load.p95_ms:8.1f} ms  ({page.load.requests} requests)", flush=True)
        return page

    def export_memory(self, run: EngineRun, db: Database) -> None:
        """The memory an XLSX export adds to a started application: `registry export` (the DIC's workbook)
        run in-process by bench/peak.py, and a lone gunicorn worker serving the open-data catalogue."""
        step(f"{run.engine}: memory of the exports")
        year = str(run.period)
        out = CACHE / f"export-{run.engine}.xlsx"
        peak = registry_peak("export", "--period", year, "--format", "xlsx", "-o", str(out), env=db.env)
        size = out.stat().st_size
        out.unlink(missing_ok=True)
        run.export_cli = Memory(f"`registry export --period {year} -o report.xlsx` (the DIC's workbook)",
                                peak.peak_kib, peak.before_kib, peak.process.seconds, size, peak.reset,
                                max(peak.start_up_peak_kib, peak.peak_kib), peak.anonymous_before_kib,
                                peak.anonymous_peak_kib)
        path = f"/open-data/{year}/services.xlsx"
        with Server(REGISTRY_APP, db.env, ServerSettings(workers=1), self.logs / f"{run.engine}-memory.log") as one:
            for _ in range(3):  # load the app's code and warm its caches before the baseline
                fetch(one.url("/api/v1/periods"))
                fetch(one.url("/"))
            (worker,) = one.worker_pids()
            idle = memory_kib(str(worker))
            reset = reset_peak(str(worker))
            before = memory_kib(str(worker))
            with AnonymousPeak(str(worker)) as anonymous:
                status, body, seconds = fetch(one.url(path))
            after = memory_kib(str(worker))
        if status != 200:
            run.problems.append(f"GET {path} in the memory probe: {failure(status, body)}")
            return
        run.export_endpoint = Memory(f"GET `{path}` (open data; one gunicorn worker)",
                                     after["VmHWM"], before["VmRSS"] if reset else before["VmHWM"], seconds,
                                     len(body), reset, max(idle["VmHWM"], after["VmHWM"]),
                                     anonymous.before_kib, anonymous.peak_kib)

    def import_services(self, run: EngineRun, engine: str) -> None:
        step(f"{engine}: import of {self.args.services} services")
        agencies_csv, services_csv = import_files(CACHE / "import", self.args.services, self.args.agencies)
        with self.database(engine, None, "import") as db:
            registry("import", "agencies", str(agencies_csv), env=db.env)
            started = time.perf_counter()
            try:
                done = registry("import", "services", str(services_csv), env=db.env,
                                timeout=self.args.import_timeout)
            except TookTooLong:
                run.imported = Import(self.args.services, time.perf_counter() - started, 0.0, 0, finished=False)
                return
        run.imported = Import(self.args.services, done.seconds, done.cpu_seconds, done.max_rss_kib)

    # --- the whole run ---------------------------------------------------------------------

    def engines(self) -> list[str]:
        return [self.args.only] if self.args.only else list(dbs.ENGINES)

    def settings_description(self) -> dict[str, str]:
        a = self.args
        tool = generator()
        return {
            "data set": self.dataset.label + ("" if a.demo else f", seed {a.seed} (`registry synth`)"),
            "scaling reference": self.small.label if self.small else "— (not run)",
            "gunicorn": f"{a.workers} sync workers, 127.0.0.1, the same for the registry and the minimal page",
            "nginx": (f"{front.nginx_version()}, worker_processes auto, the shipped docs/deploy/nginx/registry.conf "
                      "(bench/front.py) in front of the registry's gunicorn"
                      if front.nginx_version() else "not installed: `/` through nginx not measured"),
            "load generator": (f"{wrk_version()}, {a.threads} threads, {a.connections} connections"
                               if tool == "wrk" else
                               f"bench/pyload.py (wrk is not installed), {a.connections} connections"),
            "duration": f"{a.warmup:g} s warm-up, then {a.duration:g} s measured per page "
                        f"(a page slower than {a.duration / SLOW_PAGE_FACTOR:.1f} s per request: "
                        f"{SLOW_PAGE_FACTOR} × its request time, no warm-up run; slower than "
                        f"{SLOW_PAGE_CAP / SLOW_PAGE_FACTOR:.0f} s: {ONE_AT_A_TIME} requests one at a time)",
            "command timing": f"{hyperfine_version() or 'repeated runs (hyperfine is not installed)'}, "
                              f"median of {a.runs} runs after 1 warm-up run, a fresh process each",
            "git commit": dbs.git_commit(),
        }

    def run(self) -> list[EngineRun]:
        if "postgres" in self.engines():
            dbs.check_postgres(self.args.postgres_url)
        if generator() != "wrk":
            print("wrk is not installed (apt-get install wrk): driving the pages with bench/pyload.py instead; "
                  "its figures are lower bounds.", flush=True)
        runs = []
        for engine in self.engines():
            version = ("SQLite " + report.machine()["SQLite"] if engine == "sqlite"
                       else "PostgreSQL " + dbs.postgres_version(self.args.postgres_url))
            run = EngineRun(engine=engine, version=version, dataset=self.dataset.label,
                            small_dataset=self.small.label if self.small else None)
            runs.append(run)
            try:
                self.run_engine(run)
            except Exception as exc:  # noqa: BLE001 — say what stopped this database's run, go on with the next
                print(f"\n{engine}: the run stopped: {exc.__class__.__name__}: {exc}", flush=True)
                run.problems.append(f"the run stopped: {exc.__class__.__name__}: {str(exc)[:2000]}")
        return runs


def attempt(run: EngineRun, what: str, action) -> None:
    """Run one step of a database's run; a failure is reported with the run, not raised."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 — whatever failed, the other steps' figures are still worth having
        print(f"\n{run.engine}: {what} failed: {exc.__class__.__name__}: {exc}", flush=True)
        run.problems.append(f"{what} failed: {exc.__class__.__name__}: {str(exc)[:2000]}")


def step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


def latest_period(app: Server) -> int:
    status, body, _ = fetch(app.url("/api/v1/periods"))
    years = [p["year"] for p in json.loads(body)["periods"]] if status == 200 else []
    if not years:
        raise BenchError("the data set has no reporting period")
    return max(years)


def deep_services_path(app: Server, period: int) -> tuple[str, int]:
    """The API services page that starts after API_DEEP_ROWS rows (at most half of them), found by paging."""
    status, body, _ = fetch(app.url(f"/api/v1/services?period={period}&limit=1"))
    total = json.loads(body)["total"] if status == 200 else 0
    pages = max(1, min(API_DEEP_ROWS, total // 2) // API_WALK_LIMIT)
    cursor, skipped = None, 0
    for _ in range(pages):
        query = {"period": period, "limit": API_WALK_LIMIT, **({"after": cursor} if cursor else {})}
        status, body, _ = fetch(app.url("/api/v1/services?" + urlencode(query)))
        following = json.loads(body).get("next") if status == 200 else None
        if following is None:
            break
        cursor, skipped = following, skipped + API_WALK_LIMIT
    query = {"period": period, **({"after": cursor} if cursor else {})}
    return "/api/v1/services?" + urlencode(query), skipped


def page_plan(app: Server, period: int) -> list[Page]:
    status, body, _ = fetch(app.url("/api/v1/agencies?limit=1"))
    agencies = json.loads(body)["agencies"] if status == 200 else []
    agency = Page("agency", "agency page", f"/agencies/{agencies[0]['code']}" if agencies else "/agencies/…",
                  problem="" if agencies else f"no agency to show: /api/v1/agencies?limit=1 answered {status}")
    api_path, skipped = deep_services_path(app, period)
    return [
        Page("home", "transparency page", "/"),
        Page("drilldown", "drill-down (services counted)", f"/targets/{DRILLDOWN_TARGET}?period={period}"),
        Page("search_diacritics", "catalogue search «đăng ký»", "/services?" + urlencode({"q": "đăng ký"})),
        Page("search_plain", "catalogue search «dang ky»", "/services?" + urlencode({"q": "dang ky"})),
        Page("search_variant", "catalogue search «đăng kí kết hôn»",
             "/services?" + urlencode({"q": "đăng kí kết hôn"})),
        # a new address every request (report.lua), so that no kept response answers it: the search itself
        Page("search_fresh", "catalogue search «đăng ký», rendered every time",
             "/services?" + urlencode({"q": "đăng ký", "fresh": ""})),
        Page("search_api", "search API «đăng ký»", "/api/v1/services?" + urlencode({"q": "đăng ký"})),
        agency,
        Page("rankings", "ranking page", f"/rankings?period={period}"),
        Page("comparison", "agencies compared", f"/agencies?period={period}"),
        Page("api_targets", "API targets", f"/api/v1/targets?period={period}"),
        Page("api_services", f"API services, the page after {skipped} rows", api_path),
        Page("export_xlsx", "open-data catalogue XLSX", f"/open-data/{period}/services.xlsx"),
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    facts = report.machine()
    if report.busy():
        print(f"The machine is busy (load average {facts['load average at start']} on {facts['cores']} cores): "
              "the figures will be lower and noisier than on a quiet machine.", flush=True)
    bench = Bench(args)
    try:
        runs = bench.run()
    except BenchError as exc:
        print(f"bench: {exc}")
        return 2
    facts["PostgreSQL"] = next((r.version for r in runs if r.engine == "postgres" and r.version), "not run")
    facts["load average at end"] = report.load_average()
    facts["gunicorn"] = gunicorn_version()
    elapsed = time.perf_counter() - started
    settings = bench.settings_description()
    settings["duration of the whole run"] = f"{elapsed / 60:.1f} min"
    for run in runs:
        report.print_run(run)
    report.print_goals(runs)
    (CACHE / "results-latest.json").write_text(
        json.dumps({"machine": facts, "settings": settings, "runs": [asdict(r) for r in runs]},
                   ensure_ascii=False, indent=2, default=str))
    if args.write_docs:
        report.update_docs(DOCS, report.markdown(runs, facts, settings))
        print(f"\nResults written into {DOCS.relative_to(ROOT)}.")
    else:
        print(f"\n{DOCS.relative_to(ROOT)} not updated (a partial or quick run; --write-docs writes it anyway).")
    print(f"The run took {elapsed / 60:.1f} min.")
    return 1 if any(r.problems for r in runs) else 0


def gunicorn_version() -> str:
    from importlib.metadata import version

    return f"gunicorn {version('gunicorn')}"
