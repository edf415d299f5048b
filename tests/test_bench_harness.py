"""The benchmark harness's own logic (bench/): reading the load generators' reports, the ratios to
the baseline page, the goals' verdicts, the generated part of docs/BENCHMARKS.md and the import
files. The benchmark itself (timings) is `make bench`, never a test."""

import http.server
import shutil
import subprocess
import sys
import threading
import time

import pytest
from sqlmodel import select

from bench import report
from bench.commands import Timing
from bench.importdata import AGENCY_COLUMNS, SERVICE_COLUMNS, agency_rows, service_rows, write_csv
from bench.load import LoadResult, parse_report, percentile
from bench.peak import AnonymousPeak, anonymous_kib
from bench.results import NGINX_HOME, EngineRun, Import, Memory, Page, goals, ratio
from bench.run import Bench, parse_args
from registry.dataio.importing import import_file
from registry.models import Agency, Service
from tests.conftest import unavailable
from tests.factories import TEST_ACTOR

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:41234/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.13ms    3.01ms  40.12ms   80.00%
  8123 requests in 10.01s, 1.20MB read
Requests/sec:    811.51
BENCH {"requests": 8123, "seconds": 10.010000, "bytes": 1258000, "errors": 0, "status_errors": 2, \
"p50_ms": 8.500, "p95_ms": 14.250, "p99_ms": 22.000, "max_ms": 40.120}
"""


def load(rps: float = 100.0, p95: float = 10.0, errors: int = 0, status_errors: int = 0) -> LoadResult:
    return LoadResult(requests=int(rps * 10), seconds=10.0, errors=errors, status_errors=status_errors,
                      p50_ms=p95 / 2, p95_ms=p95, p99_ms=p95 * 2, max_ms=p95 * 3)


def test_the_report_line_is_read_among_wrks_own_output():
    result = parse_report(WRK_OUTPUT)
    assert result.requests == 8123
    assert result.rps == pytest.approx(8123 / 10.01)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (8.5, 14.25, 22.0)
    assert result.status_errors == 2 and not result.ok  # a bad status spoils the measurement


def test_output_without_a_report_line_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        parse_report("Running 10s test @ http://127.0.0.1:1/\nunable to connect\n")


def test_an_empty_run_has_no_throughput_and_is_not_ok():
    empty = LoadResult(0, 0.0, 0, 0, 0, 0, 0, 0)
    assert empty.rps == 0 and not empty.ok


@pytest.mark.parametrize("values, pct, expected", [
    ([], 95, 0.0),
    ([5.0], 95, 5.0),
    ([float(i) for i in range(1, 101)], 50, 50.0),
    ([float(i) for i in range(1, 101)], 95, 95.0),
    ([float(i) for i in range(1, 21)], 95, 19.0),
    ([1.0, 2.0, 3.0], 100, 3.0),
])
def test_percentile_is_nearest_rank(values, pct, expected):
    assert percentile(values, pct) == expected


def test_ratio_is_unknown_without_a_baseline():
    assert ratio(50.0, 200.0) == 0.25
    assert ratio(None, 200.0) is None
    assert ratio(50.0, None) is None
    assert ratio(50.0, 0.0) is None


def test_ratios_are_to_the_mean_of_the_baseline_runs_before_and_after():
    run = EngineRun("sqlite", "SQLite", "x", minimal=[load(rps=900, p95=8), load(rps=1100, p95=12)])
    page = Page("home", "transparency page", "/", load=load(rps=250, p95=50))
    assert run.throughput_ratio(page) == pytest.approx(0.25)
    assert run.p95_ratio(page) == pytest.approx(5.0)
    failed = Page("home", "transparency page", "/", load=load(rps=250, p95=50, status_errors=1))
    assert run.throughput_ratio(failed) is None  # a page that answered errors has no ratio


def goal_verdicts(run: EngineRun) -> dict[str, bool | None]:
    return {g.goal: g.met for g in goals(run)}


def national_run(**pages) -> EngineRun:
    run = EngineRun("postgres", "PostgreSQL 15", "100 000 services", minimal=[load(rps=1000, p95=10)],
                    small_dataset="1 000 services")
    run.pages = [Page(key, key, "/" + key, load=value) for key, value in pages.items()]
    return run


def test_goals_hold_at_their_thresholds_and_fail_just_past_them():
    run = national_run(home=load(rps=500), search_diacritics=load(rps=200, p95=99.9),
                       search_plain=load(rps=199, p95=10), agency=load(rps=400, p95=100), api_services=None)
    run.small_home = Page("home", "home", "/", load=load(rps=1000))
    run.targets = Timing(median=0.5, low=0.4, high=0.6, cpu=0.4, runs=5, tool="hyperfine")
    run.startup = Timing(median=0.29, low=0.2, high=0.3, cpu=0.2, runs=5, tool="hyperfine")
    run.ranking = Timing(median=1.99, low=1.9, high=2.1, cpu=1.9, runs=5, tool="hyperfine")
    run.imported = Import(rows=100_000, seconds=50.0, cpu_seconds=45.0, peak_kib=200_000)
    run.export_cli = Memory("export", peak_kib=300_000, baseline_kib=200_000, seconds=9.0, output_bytes=1,
                            anonymous_baseline_kib=70_000, anonymous_peak_kib=170_000)
    verdicts = list(goal_verdicts(run).values())
    by_text = goal_verdicts(run)
    assert by_text["`/` ≥ 0.5 × the minimal page's throughput"] is True  # exactly half
    assert by_text["`registry targets --period …` < 0.5 s (a fresh process)"] is False  # 0.5 s is not under it
    assert by_text["`registry --help` < 0.3 s (a fresh process)"] is True
    assert by_text["`registry ranking --period …` < 2 s (a fresh process)"] is True
    assert by_text["search_diacritics: ≥ 0.2 × throughput, p95 < 10 × the minimal's"] is True
    assert by_text["search_plain: ≥ 0.2 × throughput, p95 < 10 × the minimal's"] is False  # 0.199 ×
    assert by_text["agency: ≥ 0.2 × throughput, p95 < 10 × the minimal's"] is False  # p95 exactly 10 ×
    assert by_text["api_services: ≥ 0.2 × throughput, p95 < 10 × the minimal's"] is None  # not measured
    assert by_text["`/` at 100 000 services ≥ 0.5 × `/` at 1 000 services"] is True
    assert by_text["import of services ≥ 2000 rows/s"] is True
    assert by_text["export: < 100 MB extra memory"] is False  # 100 000 KiB is 102.4 MB
    assert by_text["`/` through nginx ≥ 2 × the minimal page's throughput"] is None  # not measured
    assert len(verdicts) == 12  # no open-data memory probe, search API nor ranking page here: no goal for them


def test_export_memory_is_judged_on_what_the_export_allocates_not_on_mapped_file_pages():
    run = national_run()
    # SQLite's mapped database file fills the resident set; the export itself allocated 24 MiB
    run.export_cli = Memory("export", peak_kib=270_000, baseline_kib=85_000, seconds=5.0, output_bytes=1,
                            anonymous_baseline_kib=68_000, anonymous_peak_kib=92_576)
    (goal,) = [g for g in goals(run) if g.goal.startswith("export")]
    assert goal.met is True
    assert goal.measured.startswith("+25 MB allocated; resident set +189 MB")


def test_the_anonymous_memory_peak_is_sampled_while_the_work_runs():
    with AnonymousPeak() as peak:
        block = b"x" * (64 * 1024 * 1024)  # every byte written, so resident: 64 MiB of this process's own
        time.sleep(0.05)
        del block
    assert peak.peak_kib - peak.before_kib >= 60 * 1024
    assert anonymous_kib() < peak.peak_kib


def test_a_page_that_fails_does_not_meet_its_goal_and_says_why():
    run = national_run(home=load(rps=900, status_errors=3))
    run.pages.append(Page("agency", "agency page", "/agencies/x", problem="answered 500"))
    by_text = {g.goal: g for g in goals(run)}
    home = by_text["`/` ≥ 0.5 × the minimal page's throughput"]
    assert home.met is False and home.measured == "0 errors and 3 bad statuses under load"
    agency = by_text["agency page: ≥ 0.2 × throughput, p95 < 10 × the minimal's"]
    assert agency.met is False and agency.measured == "answered 500"


def test_an_import_stopped_at_the_time_limit_is_not_met_and_reported_as_an_upper_bound():
    run = national_run()
    run.imported = Import(rows=100_000, seconds=1200.0, cpu_seconds=0.0, peak_kib=0, finished=False)
    (goal,) = [g for g in goals(run) if g.goal.startswith("import")]
    assert goal.met is False
    assert goal.measured == "did not finish in 1200 s: < 83 rows/s"


def test_the_generated_section_is_replaced_and_the_written_text_kept(tmp_path):
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(f"# Benchmarks\n\nMethod, written by hand.\n\n{report.BEGIN}\nold figures\n{report.END}\n\n"
                   "## Analysis\n\nAlso by hand.\n", encoding="utf-8")
    report.update_docs(doc, "new figures\n")
    report.update_docs(doc, "newer figures\n")
    text = doc.read_text(encoding="utf-8")
    assert "Method, written by hand." in text and "Also by hand." in text
    assert "newer figures" in text and "new figures" not in text.replace("newer figures", "")
    assert "old figures" not in text
    assert text.count(report.BEGIN) == 1 and text.count(report.END) == 1


def test_markers_quoted_in_the_prose_are_not_the_markers(tmp_path):
    doc = tmp_path / "BENCHMARKS.md"
    prose = f"A rerun replaces what lies between `{report.BEGIN}` and `{report.END}`.\n"
    doc.write_text(f"# Benchmarks\n\n{prose}\n{report.BEGIN}\nold figures\n{report.END}\n", encoding="utf-8")
    report.update_docs(doc, "new figures\n")
    text = doc.read_text(encoding="utf-8")
    assert prose in text and "old figures" not in text
    assert text.index(report.END) < text.index("new figures") < text.rindex(report.END)


def test_a_missing_document_is_created_with_the_markers(tmp_path):
    doc = tmp_path / "BENCHMARKS.md"
    report.update_docs(doc, "figures\n")
    text = doc.read_text(encoding="utf-8")
    assert text.index(report.BEGIN) < text.index("figures") < text.index(report.END)


def test_markdown_of_a_run_lists_every_page_and_goal():
    run = national_run(home=load(rps=600))
    run.period = 2020
    text = report.markdown([run], {"CPU": "test"}, {"gunicorn": "4 sync workers"})
    assert "`/` ≥ 0.5 × the minimal page's throughput | 0.60 × | **met**" in text
    assert "| home `/home` | 600.0 |" in text


def test_quick_mode_is_small_and_writes_no_docs_and_the_national_run_does():
    quick = parse_args(["--quick"])
    assert (quick.services, quick.agencies, quick.periods, quick.seed) == (1000, 120, 3, 1529)
    assert quick.write_docs is False
    national = parse_args([])
    assert (national.services, national.agencies, national.periods) == (100_000, 12_000, 10)
    assert national.write_docs is True
    assert parse_args(["--only", "sqlite"]).write_docs is False
    assert parse_args(["--quick", "--write-docs"]).write_docs is True


def test_the_import_files_are_accepted_by_the_registry_whole(db, tmp_path):
    agencies_file = write_csv(tmp_path / "agencies.csv", AGENCY_COLUMNS, agency_rows(230))
    services_file = write_csv(tmp_path / "services.csv", SERVICE_COLUMNS, service_rows(700, 230))
    for kind, path in (("agencies", agencies_file), ("services", services_file)):
        result = import_file(db, TEST_ACTOR, kind, path.name, path.read_bytes())
        assert result.ok, result.errors[:3]
        db.flush()
    db.commit()
    agencies = db.exec(select(Agency)).all()
    assert len(agencies) == 230
    assert {a.tier for a in agencies} == {"province", "district", "commune"}
    assert len(db.exec(select(Service)).all()) == 700


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello" if self.path == "/" else b"no"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def hello_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_python_load_generator_reports_what_it_did(hello_server):
    out = subprocess.run([sys.executable, "-m", "bench.pyload", hello_server + "/", "--duration", "1",
                          "--connections", "2"], capture_output=True, text=True, check=True).stdout
    result = parse_report(out)
    assert result.requests > 0 and result.ok
    assert 0 < result.p50_ms <= result.p95_ms <= result.max_ms
    missing = parse_report(subprocess.run(
        [sys.executable, "-m", "bench.pyload", hello_server + "/missing", "--duration", "1", "--connections", "1"],
        capture_output=True, text=True, check=True).stdout)
    assert missing.status_errors == missing.requests > 0


def test_a_page_too_slow_for_the_load_settings_is_requested_one_at_a_time(hello_server):
    from bench.load import one_at_a_time

    result = one_at_a_time(hello_server + "/", 3)
    assert result.requests == 3 and result.ok
    assert result.p50_ms <= result.p95_ms == result.max_ms
    assert one_at_a_time(hello_server + "/missing", 2).status_errors == 2


def test_the_wrk_script_prints_the_line_the_harness_reads(hello_server):
    if not shutil.which("wrk"):
        unavailable("wrk is not installed (apt-get install wrk); the harness falls back to bench/pyload.py")
    from bench.load import WRK_SCRIPT

    out = subprocess.run(["wrk", "-t1", "-c2", "-d1s", "-s", str(WRK_SCRIPT), hello_server + "/"],
                         capture_output=True, text=True, check=True).stdout
    result = parse_report(out)
    assert result.requests > 0 and result.ok
    assert 0 < result.p50_ms <= result.p95_ms <= result.max_ms


def test_home_through_nginx_is_judged_against_the_minimal_page_served_directly():
    by_text = {}
    for rps in (2000, 1999):
        run = national_run(home=load(rps=500))
        run.pages.append(Page(NGINX_HOME, "transparency page through nginx", "/", load=load(rps=rps)))
        by_text[rps] = goal_verdicts(run)["`/` through nginx ≥ 2 × the minimal page's throughput"]
    assert by_text == {2000: True, 1999: False}


class _Upstream:
    """What bench/front.py needs of the server behind nginx."""

    def __init__(self, url: str):
        self.port = int(url.rsplit(":", 1)[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_idle(self, timeout: float = 0.0) -> None:
        pass


def _bench(tmp_path) -> Bench:
    bench = Bench(parse_args(["--demo", "--duration", "1", "--warmup", "0", "--connections", "2", "--threads", "1"]))
    bench.logs = tmp_path
    return bench


def test_without_nginx_the_page_through_nginx_says_why_and_fails_its_goal(tmp_path, monkeypatch, hello_server):
    from bench import front

    monkeypatch.setattr(front, "unavailable_reason", lambda: "/usr/sbin/nginx is not installed")
    page = _bench(tmp_path).through_nginx(_Upstream(hello_server), "sqlite")
    assert page.key == NGINX_HOME and page.load is None and page.problem == "/usr/sbin/nginx is not installed"
    run = national_run()
    run.pages.append(page)
    (goal,) = [g for g in goals(run) if "through nginx" in g.goal]
    assert goal.met is False and goal.measured == "/usr/sbin/nginx is not installed"


def test_the_page_through_nginx_is_driven_through_the_shipped_configuration(tmp_path, hello_server):
    from bench import front

    if front.unavailable_reason():
        unavailable(front.unavailable_reason())
    page = _bench(tmp_path).through_nginx(_Upstream(hello_server), "sqlite")
    assert page.problem == "" and page.load is not None and page.load.ok, page
    assert (tmp_path / "sqlite-nginx" / "nginx-error.log").exists()  # nginx's own log beside the others
