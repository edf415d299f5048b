"""Open data and the DIC's report (registry/dataio/opendata.py, dic_report.py; `registry export`)."""

import csv
import io
import json
import types

import openpyxl
import pytest
from sqlmodel import select

from registry.core.errors import NotFound, ValidationFailed
from registry.dataio import dic_report as dic
from registry.dataio import opendata, streams
from registry.models import REPORT_FIELDS, Agency, Service, Target
from registry.targets.engine import compute_targets
from tests.factories import full_report

# The figures the assertions below read from the verified report.
REPORT = full_report(has_lan=True, specialised_database=False, staff_total=40, documents_online=900)


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_xlsx(body: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body))


def sheet_dicts(ws, header_row: int = 1) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[header_row - 1]
    return [dict(zip(header, row)) for row in rows[header_row:]]


def report_header_row(ws) -> int:
    """The DIC report's sheets start with a title block; the header row is the frozen one."""
    return int(ws.freeze_panes[1:]) - 1


@pytest.fixture
def world(make):
    """Two agencies: one verified for 2015 with three services at levels 1, 2 and 0, one with no submission."""
    tttt = make.agency(code="so-tttt", name="Sở Thông tin và Truyền thông")
    other = make.agency(code="so-y-te", name="Sở Y tế")
    s1 = make.service(tttt, code="1.001", name="Cấp giấy phép bưu chính")
    s2 = make.service(tttt, code="1.002", name="Cấp phép xuất bản bản tin")
    s3 = make.service(tttt, code="1.003", name="Thủ tục chưa trực tuyến")
    s4 = make.service(other, code="2.001", name="Cấp chứng chỉ hành nghề")
    submission = make.submission(tttt, 2015, report=REPORT, levels={s1.id: 1, s2.id: 2, s3.id: 0})
    return {"tttt": tttt, "other": other, "services": [s1, s2, s3, s4], "submission": submission}


# --- open data against the target engine (demo data) -----------------------------------------

@pytest.mark.parametrize("year", [2014, 2015])
def test_open_data_targets_match_the_engine(db, demo_data, year):
    expected = {r.target.code: r for r in compute_targets(db, year, "verified")}
    assert expected

    ws = read_xlsx(opendata.open_data(db, "targets", year, "xlsx")).active
    rows = sheet_dicts(ws)
    assert [r["code"] for r in rows] == list(expected)
    for row in rows:
        r = expected[row["code"]]
        assert (row["numerator"], row["denominator"], row["value"], row["met"]) == \
            (r.numerator, r.denominator, r.value, r.verdict)
        assert row["status"] == r.status
        assert (row["coverage_covered"], row["coverage_total"]) == (r.coverage.covered, r.coverage.total)
        assert isinstance(row["numerator"], int)
        assert isinstance(row["met"], bool) or (row["met"] is None and r.verdict is None)

    for row in read_csv(opendata.open_data(db, "targets", year, "csv")):
        r = expected[row["code"]]
        assert int(row["numerator"]) == r.numerator and int(row["denominator"]) == r.denominator
        assert row["met"] == {True: "true", False: "false", None: ""}[r.verdict]
        assert row["value"] == ("" if r.value is None else str(r.value))

    document = json.loads(opendata.open_data(db, "targets", year, "json"))
    assert document["period"] == year and document["basis"] == "verified" and document["generated_at"]
    assert document["demonstration_data"] is True
    for row in document["rows"]:
        assert {k: row[k] for k in ("numerator", "denominator", "value", "met")} == \
            {k: v for k, v in expected[row["code"]].as_dict().items() if k in ("numerator", "denominator", "value", "met")}


@pytest.mark.parametrize("year", [2014, 2015])
def test_dic_report_ranks_the_agencies_and_breaks_each_target_down_by_agency(db, demo_data, year):
    """Issue #14.6: the ranking sheet is the ranking the pages show; each target's sheet lists the
    agencies in its scope and sums exactly to the province's figures (offerings for a service target)."""
    from registry.rankings.ranking import compute_ranking

    wb = read_xlsx(dic.dic_report_xlsx(db, year))
    ranked = [entry.as_dict() for entry in compute_ranking(db, year).entries]
    sheet = wb["Xếp hạng"]
    assert f"Xếp hạng kỳ {year}" in sheet.cell(report_header_row(sheet) - 1, 1).value
    rows = sheet_dicts(sheet, report_header_row(sheet))
    assert [(r["Mã cơ quan"], r["Hạng"]) for r in rows] == [(e["code"], e["rank"]) for e in ranked]
    for row, entry in zip(rows, ranked):
        assert row["Điểm"] == (entry["score"] if entry["assessed"] else "chưa đánh giá")
        assert row["Thay đổi thứ hạng"] == entry["movement"] and row["Hạng kỳ trước"] == entry["previous_rank"]
    # graded agencies, and the demo's agencies that sent nothing that year, listed as not assessed
    assert any(r["Xếp loại"] for r in rows) and any(r["Điểm"] == "chưa đánh giá" for r in rows)
    for position, result in enumerate(compute_targets(db, year, "verified"), start=1):
        sheet = wb[f"CT{position} theo cơ quan"]
        assert result.target.code in "".join(str(sheet.cell(n, 1).value) for n in range(1, report_header_row(sheet)))
        rows = sheet_dicts(sheet, report_header_row(sheet))
        province = result.offerings or result
        assert sum(r["Tử số"] for r in rows) == province.numerator, result.target.code
        assert sum(r["Mẫu số"] for r in rows) == province.denominator, result.target.code
        assert all(r["Còn thiếu"] == r["Mẫu số"] - r["Tử số"] for r in rows)
        missing = [r["Còn thiếu"] for r in rows]
        assert missing == sorted(missing, reverse=True)  # the agency holding the province back most, first
    reported = read_xlsx(dic.dic_report_xlsx(db, year, basis="reported"))
    assert reported.sheetnames == ["Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh"]


@pytest.mark.parametrize("year", [2014, 2015])
def test_dic_report_workbook_matches_the_engine(db, demo_data, year):
    results = compute_targets(db, year, "verified")
    expected = {r.target.code: r for r in results}
    wb = read_xlsx(dic.dic_report_xlsx(db, year))
    assert wb.sheetnames == ["Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh", "Xếp hạng",
                             *(f"CT{n} theo cơ quan" for n in range(1, len(results) + 1))]

    ws = wb["Chỉ tiêu"]
    title = ws["A1"].value
    assert str(year) in title and ws["A1"].font.b
    assert "đã xác minh" in ws["A2"].value
    assert "Dữ liệu minh họa" in ws["A3"].value
    header_row = report_header_row(ws)
    assert [c.value for c in ws[header_row]] == list(dic.TARGET_HEADERS_VI)
    assert all(c.font.b for c in ws[header_row])
    words = {"met": "đạt", "not_met": "chưa đạt", "no_data": "chưa có dữ liệu", "insufficient_data": "chưa đủ dữ liệu"}
    rows = sheet_dicts(ws, header_row)
    assert [r["Mã"] for r in rows] == list(expected)
    for row in rows:
        r = expected[row["Mã"]]
        assert (row["Tử số"], row["Mẫu số"], row["Kết quả"]) == (r.numerator, r.denominator, r.value)
        assert row["Đánh giá"] == words[r.status]
        assert row["Còn thiếu"] == (None if r.status in ("no_data", "insufficient_data") else r.shortfall)
        assert row["Tỷ lệ bao phủ dữ liệu"].startswith(f"{r.coverage.covered}/{r.coverage.total}")
        assert row["Thời hạn"] == r.target.deadline
        assert row["Chỉ tiêu"] == r.target.title_vi

    # the agencies sheet: every active agency; its service counts add up to the service targets
    agencies = wb["Cơ quan"]
    agency_rows = sheet_dicts(agencies, report_header_row(agencies))
    active = db.exec(select(Agency).where(Agency.active)).all()
    assert sorted(r["Mã cơ quan"] for r in agency_rows) == sorted(a.code for a in active)
    # per agency, the services (offerings): they add up to the offerings beside each service target
    total = sum(r["Tổng số dịch vụ"] for r in agency_rows)
    assert total == expected["services_level1_pct"].offerings.denominator
    assert sum(r["Số dịch vụ mức 1"] + r["Số dịch vụ mức 2"] + r["Số dịch vụ mức 3"] + r["Số dịch vụ mức 4"]
               for r in agency_rows) == expected["services_level1_pct"].offerings.numerator
    assert sum(r["Số dịch vụ mức 3"] + r["Số dịch vụ mức 4"] for r in agency_rows) == \
        expected["services_level3_count"].offerings.numerator

    # the procedures sheet: what the service targets count
    procedures = wb["Thủ tục"]
    procedure_rows = sheet_dicts(procedures, report_header_row(procedures))
    level = "Mức độ (thấp nhất trong các cơ quan thực hiện)"
    assert len(procedure_rows) == expected["services_level1_pct"].denominator
    assert sum(r["Số cơ quan thực hiện"] for r in procedure_rows) == total
    assert sum(1 for r in procedure_rows if isinstance(r[level], int) and r[level] >= 3) == \
        expected["services_level3_count"].numerator
    assert sum(1 for r in procedure_rows if isinstance(r[level], int)) == \
        expected["services_level1_pct"].coverage.covered
    network = sum(1 for r in agency_rows if r["Loại"] in ("sở, ban, ngành", "Ủy ban nhân dân",
                                                          "cơ quan Đảng, Mặt trận và các tổ chức chính trị - xã hội")
                  and r["Có mạng nội bộ (LAN)"] == "có" and r["Kết nối mạng diện rộng (WAN) của tỉnh"] == "có"
                  and r["Có Internet tốc độ cao (băng thông rộng)"] == "có")
    assert network == expected["agencies_network_pct"].numerator

    services = wb["Dịch vụ"]
    service_rows = sheet_dicts(services, report_header_row(services))
    assert len(service_rows) == total
    assert sum(1 for r in service_rows if (r["Mức độ"] or 0) >= 2 and r["Có số liệu trong cơ sở tính"] == "có") == \
        expected["services_level2_pct"].offerings.numerator


def test_dic_report_csv_is_the_targets_table(db, demo_data):
    results = compute_targets(db, 2015, "verified")
    rows = read_csv(dic.dic_report_csv(db, 2015))
    assert list(rows[0]) == list(dic.TARGET_HEADERS_VI)
    assert [r["Mã"] for r in rows] == [r.target.code for r in results]
    for row, result in zip(rows, results):
        assert int(row["Tử số"]) == result.numerator and int(row["Mẫu số"]) == result.denominator


def test_no_demo_note_without_the_demo_data(db, world):
    ws = read_xlsx(dic.dic_report_xlsx(db, 2015))["Chỉ tiêu"]
    texts = [c.value for row in ws.iter_rows(max_row=report_header_row(ws)) for c in row if c.value]
    assert not any("minh họa" in str(t) for t in texts)
    assert json.loads(opendata.open_data(db, "targets", 2015, "json"))["demonstration_data"] is False


# --- the files themselves ----------------------------------------------------------------------

def test_csv_has_bom_crlf_and_parses_back(db, world):
    body = opendata.open_data(db, "services", 2015, "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body and body.count(b"\n") == body.count(b"\r\n")
    rows = read_csv(body)
    assert list(rows[0]) == list(opendata.SERVICE_COLUMNS)
    by_code = {r["code"]: r for r in rows}
    assert by_code["1.002"]["name"] == "Cấp phép xuất bản bản tin"
    assert by_code["1.002"]["level"] == "2" and by_code["1.002"]["in_basis"] == "true"
    assert by_code["1.002"]["form_url"] == "https://dvc.dienbien.example/1.002/form_url"
    assert by_code["1.002"]["submission_url"] == ""
    # no verified data is not level 0 (rule 3): the cell is empty
    assert by_code["2.001"]["level"] == "" and by_code["2.001"]["in_basis"] == "false"


def test_agencies_carry_the_verified_report_or_nothing(db, world, make):
    parent = world["tttt"]
    make.agency(code="phong-vh", tier="district", kind="other", parent=parent, active=False)
    rows = {r["code"]: r for r in read_csv(opendata.open_data(db, "agencies", 2015, "csv"))}
    assert list(next(iter(rows.values()))) == list(opendata.AGENCY_COLUMNS)
    tttt = rows["so-tttt"]
    assert tttt["in_basis"] == "true" and tttt["has_lan"] == "true" and tttt["specialised_database"] == "false"
    assert tttt["staff_total"] == "40" and tttt["documents_online"] == "900"
    other = rows["so-y-te"]
    assert other["in_basis"] == "false" and all(other[f] == "" for f in REPORT_FIELDS)
    assert rows["phong-vh"]["parent_code"] == "so-tttt" and rows["phong-vh"]["active"] == "false"

    document = json.loads(opendata.open_data(db, "agencies", 2015, "json"))
    by_code = {r["code"]: r for r in document["rows"]}
    assert by_code["so-tttt"]["staff_total"] == 40 and by_code["so-tttt"]["has_lan"] is True
    assert by_code["so-y-te"]["has_lan"] is None


FORMULA_NAMES = ["=1+1", "=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(A1:A2)", "+1", "-2", "\tcmd", "\rcmd"]


def test_formula_like_cells_are_neutralised(db, make):
    agency = make.agency(code="cmd-agency", name="@cmd")
    services = [make.service(agency, code=f"f.{n}", name=name) for n, name in enumerate(FORMULA_NAMES)]
    make.service(agency, code="plain", name="Đăng ký khai sinh")
    make.submission(agency, 2015, levels={s.id: 1 for s in services})
    expected = {f"f.{n}": "'" + name for n, name in enumerate(FORMULA_NAMES)}
    expected["plain"] = "Đăng ký khai sinh"

    rows = read_csv(opendata.open_data(db, "services", 2015, "csv"))
    assert {r["code"]: r["name"] for r in rows} == expected
    assert {r["level"] for r in rows if r["code"] != "plain"} == {"1"}
    agencies = read_csv(opendata.open_data(db, "agencies", 2015, "csv"))
    assert agencies[0]["name"] == "'@cmd"

    ws = read_xlsx(opendata.open_data(db, "services", 2015, "xlsx")).active
    cells = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    for code, name in expected.items():
        name_cell, level_cell = cells[code][2], cells[code][6]  # after code and procedure_code
        # XML reads a stored carriage return back as a line feed
        assert name_cell.value == name.replace("\r", "\n") and name_cell.data_type == "s"
        assert isinstance(level_cell.value, int) and level_cell.data_type == "n"
    ws = read_xlsx(opendata.open_data(db, "agencies", 2015, "xlsx")).active
    assert ws["B2"].value == "'@cmd" and ws["B2"].data_type == "s"

    report = read_xlsx(dic.dic_report_xlsx(db, 2015))
    services_sheet = report["Dịch vụ"]
    names = {r["Mã dịch vụ"]: r["Tên thủ tục"] for r in sheet_dicts(services_sheet, report_header_row(services_sheet))}
    assert names == {code: name.replace("\r", "\n") for code, name in expected.items()}
    agencies_sheet = report["Cơ quan"]
    assert sheet_dicts(agencies_sheet, report_header_row(agencies_sheet))[0]["Tên cơ quan"] == "'@cmd"


def test_safe_text_leaves_ordinary_text_and_drops_control_characters():
    assert streams.safe_text("Đăng ký khai sinh") == "Đăng ký khai sinh"
    assert streams.safe_text("a=b") == "a=b"
    assert streams.safe_text("x\x00y\x07") == "xy"
    assert streams.safe_text("=x") == "'=x"


def test_json_is_utf8_with_metadata(db, world):
    body = opendata.open_data(db, "services", 2015, "json")
    assert "Cấp giấy phép bưu chính".encode() in body  # not \\u escapes
    document = json.loads(body.decode("utf-8"))
    assert document["dataset"] == "services" and document["period"] == 2015 and document["basis"] == "verified"
    assert document["generated_at"].startswith("20")
    assert document["columns"] == list(opendata.SERVICE_COLUMNS)
    assert sorted(r["code"] for r in document["rows"]) == ["1.001", "1.002", "1.003", "2.001"]
    assert {r["code"]: r["level"] for r in document["rows"]}["1.001"] == 1


def test_open_data_is_verified_only(db, make, world):
    """A change submitted after a reopen is not in the open data until it is verified."""
    submission, (s1, *_rest) = world["submission"], world["services"]
    make.revise(submission, "submitted", report={"staff_total": 99}, levels={s1.id: 3}, reason="sửa mức độ")

    def levels(body):
        return {r["code"]: r["level"] for r in read_csv(body)}

    assert levels(opendata.open_data(db, "services", 2015, "csv"))["1.001"] == "1"
    assert {r["code"]: r["staff_total"] for r in read_csv(opendata.open_data(db, "agencies", 2015, "csv"))}[
        "so-tttt"] == "40"
    assert b"submission_url" in opendata.open_data(db, "services", 2015, "csv")  # the header only
    assert b"https://dvc.dienbien.example/1.001/submission_url" not in opendata.open_data(db, "services", 2015, "json")

    def report_level(basis):
        ws = read_xlsx(dic.dic_report_xlsx(db, 2015, basis))["Dịch vụ"]
        return {r["Mã dịch vụ"]: r["Mức độ"] for r in sheet_dicts(ws, report_header_row(ws))}["1.001"]

    assert report_level("verified") == 1
    assert report_level("reported") == 3  # the auditors' view counts the submitted figures
    reported = read_xlsx(dic.dic_report_xlsx(db, 2015, "reported"))["Chỉ tiêu"]
    assert "đã báo cáo" in reported["A2"].value


def test_a_never_verified_submission_is_not_in_the_open_data(db, make):
    agency = make.agency(code="so-xd")
    service = make.service(agency, code="9.001")
    make.submission(agency, 2015, "submitted", levels={service.id: 2})
    row = read_csv(opendata.open_data(db, "services", 2015, "csv"))[0]
    assert (row["level"], row["in_basis"], row["info_url"]) == ("", "false", "")
    assert read_csv(opendata.open_data(db, "agencies", 2015, "csv"))[0]["has_lan"] == ""


def test_dic_report_agency_sheet_has_states_and_counts(db, world, make):
    make.agency(code="cu", name="Cơ quan đã giải thể", active=False)
    ws = read_xlsx(dic.dic_report_xlsx(db, 2015))["Cơ quan"]
    header_row = report_header_row(ws)
    assert ws.freeze_panes == f"A{header_row + 1}"
    rows = {r["Mã cơ quan"]: r for r in sheet_dicts(ws, header_row)}
    assert set(rows) == {"so-tttt", "so-y-te"}  # active agencies only
    tttt = rows["so-tttt"]
    assert tttt["Trạng thái báo cáo kỳ 2015"] == "đã xác minh" and tttt["Có số liệu trong cơ sở tính"] == "có"
    assert (tttt["Số dịch vụ mức 0"], tttt["Số dịch vụ mức 1"], tttt["Số dịch vụ mức 2"],
            tttt["Số dịch vụ mức 3"], tttt["Tổng số dịch vụ"]) == (1, 1, 1, 0, 3)
    assert tttt["Tổng số cán bộ, công chức, viên chức"] == 40 and tttt["Có mạng nội bộ (LAN)"] == "có"
    other = rows["so-y-te"]
    assert other["Trạng thái báo cáo kỳ 2015"] == "chưa có báo cáo"
    assert other["Có mạng nội bộ (LAN)"] is None and other["Số dịch vụ mức 0"] == 1

    make.revise(world["submission"], reason="sửa")
    ws = read_xlsx(dic.dic_report_xlsx(db, 2015))["Cơ quan"]
    rows = {r["Mã cơ quan"]: r for r in sheet_dicts(ws, report_header_row(ws))}
    # reopened: its last verified copy still counts
    assert rows["so-tttt"]["Trạng thái báo cáo kỳ 2015"] == "mở lại"
    assert rows["so-tttt"]["Số dịch vụ mức 2"] == 1


def test_report_column_widths_are_set(db, world):
    ws = read_xlsx(dic.dic_report_xlsx(db, 2015))["Chỉ tiêu"]
    assert ws.column_dimensions["B"].width >= 40


# --- batches ------------------------------------------------------------------------------------

def test_services_are_read_in_batches_each_row_once(db, make):
    agencies = [make.agency(code=f"a-{n}") for n in range(3)]
    codes = [make.service(agencies[n % 3], code=f"s-{n:02d}").code for n in range(11)]
    make.submission(agencies[0], 2015)

    rows = opendata.service_rows(db, 2015, batch_size=2)
    assert isinstance(rows, types.GeneratorType)  # nothing read until asked
    seen = [r[0] for r in rows]
    assert sorted(seen) == sorted(codes) and len(seen) == len(set(seen))

    agency_rows = list(opendata.agency_rows(db, 2015, batch_size=2))
    assert sorted(r[0] for r in agency_rows) == [a.code for a in agencies]

    for fmt in ("csv", "json"):
        body = opendata.open_data(db, "services", 2015, fmt, batch_size=3)
        found = ([r["code"] for r in read_csv(body)] if fmt == "csv"
                 else [r["code"] for r in json.loads(body)["rows"]])
        assert sorted(found) == sorted(codes) and len(found) == len(codes)
    ws = read_xlsx(opendata.open_data(db, "services", 2015, "xlsx", batch_size=4)).active
    assert sorted(r[0] for r in ws.iter_rows(min_row=2, values_only=True)) == sorted(codes)
    ws = read_xlsx(dic.dic_report_xlsx(db, 2015, batch_size=2))["Dịch vụ"]
    assert sorted(r["Mã dịch vụ"] for r in sheet_dicts(ws, report_header_row(ws))) == sorted(codes)


def test_services_fetch_in_partitions(db, make, monkeypatch):
    """The statement is executed once with yield_per; rows come in partitions of batch_size."""
    agency = make.agency()
    for n in range(7):
        make.service(agency, code=f"p-{n}")
    make.submission(agency, 2015)
    executed = []
    real_execute = db.execute

    def spy(statement, *args, **kwargs):
        result = real_execute(statement, *args, **kwargs)
        executed.append(statement.get_execution_options().get("yield_per"))
        return result

    monkeypatch.setattr(db, "execute", spy)
    assert len(list(opendata.service_rows(db, 2015, batch_size=3))) == 7
    assert [e for e in executed if e is not None] == [3]  # (the other query: whether 2015 was published)


# --- refusals -------------------------------------------------------------------------------------

def test_unknown_period_dataset_format_and_basis(db, world):
    with pytest.raises(NotFound):
        opendata.open_data(db, "targets", 2099, "csv")
    with pytest.raises(NotFound):
        dic.dic_report_xlsx(db, 2099)
    with pytest.raises(ValueError):
        opendata.open_data(db, "users", 2015, "csv")
    with pytest.raises(ValueError):
        opendata.open_data(db, "targets", 2015, "pdf")
    with pytest.raises(ValidationFailed):
        dic.dic_report(db, 2015, "xlsx", "draft")
    with pytest.raises(ValidationFailed):
        dic.dic_report(db, 2015, "pdf")


def test_no_data_target_has_empty_value(db, make):
    """A period with no active service: the service targets have no data."""
    make.agency(code="empty")
    make.period(2016)
    rows = {r["code"]: r for r in read_csv(opendata.open_data(db, "targets", 2016, "csv"))}
    assert rows["services_level1_pct"]["value"] == "" and rows["services_level1_pct"]["status"] == "no_data"
    report = {r["Mã"]: r for r in read_csv(dic.dic_report_csv(db, 2016))}
    assert report["services_level1_pct"]["Đánh giá"] == "chưa có dữ liệu"
    assert report["services_level1_pct"]["Còn thiếu"] == ""


# --- the command -----------------------------------------------------------------------------------

def test_cli_export_writes_the_report(runner, db, world, tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(args=["export", "--period", "2015", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = read_xlsx(out.read_bytes())
    count = db.exec(select(Target).where(Target.active)).all()
    assert wb.sheetnames == ["Chỉ tiêu", "Cơ quan", "Thủ tục", "Dịch vụ", "Chỉ số toàn tỉnh", "Xếp hạng",
                             *(f"CT{n} theo cơ quan" for n in range(1, len(count) + 1))]
    ws = wb["Chỉ tiêu"]
    assert len(sheet_dicts(ws, report_header_row(ws))) == len(count)

    out_csv = tmp_path / "bao-cao.csv"
    result = runner.invoke(args=["export", "--period", "2015", "--format", "csv", "-o", str(out_csv),
                                 "--basis", "reported"])
    assert result.exit_code == 0, result.output
    rows = read_csv(out_csv.read_bytes())
    assert list(rows[0]) == list(dic.TARGET_HEADERS_VI)


def test_cli_export_unknown_period_fails_clearly(runner, db, world, tmp_path):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["export", "--period", "2099", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code != 0
    assert "Không có kỳ báo cáo 2099" in result.output
    assert not out.exists()


def test_cli_export_requires_known_format(runner, db, world, tmp_path):
    result = runner.invoke(args=["export", "--period", "2015", "--format", "pdf", "-o", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert db.exec(select(Service)).all()  # nothing changed
