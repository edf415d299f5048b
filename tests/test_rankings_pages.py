"""The ranking's doors (SPEC §3c, §5): the page, the agency page's scorecard, the API,
``registry ranking`` and the administrators' method page; bad input never a 500.

The registry is test_rankings.py's: Sở A and Sở B tie at 155.5 (both first), Sở C 10 (third),
Sở D not assessed; UBND huyện E alone in its group at 110.3; a school scored, not ranked.
"""

import json

import pytest
from sqlmodel import select

from registry.models import AuditEvent, RankingMethod
from tests.test_rankings import build_province

ADMIN = "admin@example.vn"


@pytest.fixture
def province(make):
    return build_province(make)


def rows(html: str) -> list[str]:
    import re

    body = html[html.find("<tbody>"):html.find("</table>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", "<tr" + row)).strip() for row in body.split("<tr")[1:]
            if not row.startswith(' class="section-row"')]


def test_the_ranking_page(client, province):
    page = client.get("/rankings?period=2014")
    assert page.status_code == 200
    assert rows(page.text)[:4] == [
        "1 Sở A 155,5 Khá ▲ lên 1 bậc 15,0", "1 Sở B 155,5 Khá — —", "3 Sở C 10,0 Thấp ▼ xuống 2 bậc 130,5",
        "— Sở D — chưa đánh giá — —"]
    assert "Tạm tính" in page.text and "Phương pháp chấm điểm" in page.text and "Khá ≥ 150" in page.text
    districts = client.get("/rankings?period=2014&group=districts")
    assert rows(districts.text)[0] == "1 UBND huyện E 110,3 Trung bình — —"  # decimals as Vietnamese writes them
    others = client.get("/rankings?period=2014&group=unranked")
    assert rows(others.text)[0].startswith("— Trường F 130,5 Trung bình")


@pytest.mark.parametrize("query", ["group=nope", "page=x", "page=0", "period=abc", "period=1999", "period=2099"])
def test_bad_ranking_parameters_are_explained(client, province, query):
    response = client.get(f"/rankings?{query}")
    assert response.status_code in (404, 422) and "<h1" in response.text


def test_the_agency_page_shows_its_scorecard(client, province):
    page = client.get("/agencies/ubnd-e?period=2014")
    assert page.status_code == 200
    text = page.text
    assert "Phiếu đánh giá kỳ 2014" in text and "110,3" in text and "Trung bình" in text
    assert 'role="img"' in text and "Điểm theo nhóm tiêu chí" in text
    assert "2 / 3" in text and "66,7\xa0%" in text  # staff with e-mail
    assert "mẫu số bằng 0" in text  # no services
    assert "Đóng góp vào các chỉ tiêu của tỉnh" in text
    missing = client.get("/agencies/so-d?period=2014").text
    assert "Chưa đánh giá" in missing and "Tổng điểm" not in missing


def test_the_api_gives_the_ranking_and_the_scorecard(client, province):
    body = client.get("/api/v1/rankings?period=2014").get_json()
    assert body["period"] == 2014 and body["provisional"] is True and body["previous_period"] == 2013
    assert body["method"]["maximum"] == 200
    departments = body["groups"][0]
    assert departments["code"] == "departments"
    assert [(a["code"], a["rank"], a["score"], a["score_exact"], a["grade"]) for a in departments["agencies"]] == [
        ("so-a", 1, 155.5, "311/2", "good"), ("so-b", 1, 155.5, "311/2", "good"), ("so-c", 3, 10.0, "10", "low"),
        ("so-d", None, None, None, None)]
    assert [a["code"] for a in body["unranked"]] == ["truong-f"]
    only = client.get("/api/v1/rankings?period=2014&group=districts").get_json()
    assert [g["code"] for g in only["groups"]] == ["districts"] and only["unranked"] == []
    assert client.get("/api/v1/rankings?period=2014&group=nope").status_code == 422
    for bad in ("yes", "", "TRUE"):
        refused = client.get(f"/api/v1/rankings?period=2014&scorecards={bad}")
        assert refused.status_code == 422 and "scorecards" in refused.get_json()["error"]["fields"]
    agency = client.get("/api/v1/agencies/ubnd-e?period=2014").get_json()
    card = agency["scorecard"]
    assert (card["rank"], card["score_exact"], card["scorecard"]["grade"]["code"]) == (1, "331/3", "average")
    documents = next(c for c in card["contributions"] if c["code"] == "documents_online_pct")
    assert (documents["numerator"], documents["denominator"], documents["missing"]) == (900, 1000, 100)


def test_registry_ranking_prints_the_same_as_the_api(runner, client, province):
    text = runner.invoke(args=["ranking", "--period", "2014"])
    assert text.exit_code == 0, text.output
    assert "Kỳ báo cáo 2014 (tạm tính); so với kỳ 2013" in text.output
    assert "chưa đánh giá" in text.output and "155,5" in text.output
    assert "155.5" in runner.invoke(args=["--lang", "en", "ranking", "--period", "2014"]).output
    as_json = runner.invoke(args=["ranking", "--period", "2014", "--json"])
    assert json.loads(as_json.output) == client.get("/api/v1/rankings?period=2014").get_json()
    assert runner.invoke(args=["ranking", "--period", "1999"]).exit_code != 0


@pytest.fixture
def as_admin(client, auth, make):
    make.user("admin", email=ADMIN)
    assert auth.login(ADMIN).status_code == 302
    return client


def test_an_administrator_changes_the_method(as_admin, db, province):
    form = as_admin.get("/admin/ranking-method?year=2014")
    assert form.status_code == 200 and 'name="points-has_lan"' in form.text
    saved = as_admin.post("/admin/ranking-method", data={"effective_from": "2014", "points-specialised_database": "0",
                                                          "minimum-good": "140"})
    assert saved.status_code == 302
    row = db.exec(select(RankingMethod)).one()
    assert row.effective_from == 2014
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "ranking_method.create")).one()
    ranking = as_admin.get("/api/v1/rankings?period=2014").get_json()
    assert ranking["method"]["maximum"] == 180 and ranking["method"]["effective_from"] == 2014


@pytest.mark.parametrize("data", [
    {"effective_from": "năm ngoái"},
    {"effective_from": "2013"},  # closed
    {"effective_from": "2014", "points-has_lan": "-5"},
    {"effective_from": "2014", "minimum-good": "nhiều"},
])
def test_bad_method_edits_change_nothing(as_admin, db, province, data):
    response = as_admin.post("/admin/ranking-method", data=data)
    assert response.status_code == 422 and "Phương pháp xếp hạng không hợp lệ" in response.text
    assert db.exec(select(RankingMethod)).all() == []


# --- the agency comparison on /agencies ---------------------------------------------------

def names(html: str) -> list[str]:
    return [row.split(" ")[0] + " " + row.split(" ")[1] for row in rows(html)]


def test_the_comparison_sorts_and_filters_without_javascript(client, province):
    by_score = client.get("/agencies?period=2014&sort=score")
    assert by_score.status_code == 200
    assert names(by_score.text) == ["Sở A", "Sở B", "Trường F", "UBND huyện", "Sở C", "Sở D"]
    first = rows(by_score.text)[0]
    assert "đã xác minh 155,5 Khá (hạng 1) 100,0 % 50,0 % LAN: có · WAN: có · Internet: có 75,0 % 90,0 %" in first
    assert rows(by_score.text)[-1].startswith("Sở D so-d cấp tỉnh, sở, ban, ngành đã gửi chưa đánh giá")
    assert 'aria-sort="descending"' in by_score.text
    lowest_first = client.get("/agencies?period=2014&sort=score&dir=asc")
    assert names(lowest_first.text)[:2] == ["Sở C", "UBND huyện"] and names(lowest_first.text)[-1] == "Sở D"
    email = client.get("/agencies?period=2014&sort=email&dir=asc&tier=province")
    assert names(email.text) == ["Sở A", "Sở B", "Sở C", "Sở D"]  # equal shares keep the name order; none last
    district = client.get("/agencies?period=2014&district=ubnd-e")
    assert names(district.text) == ["Trường F", "UBND huyện"]  # its school and itself, by name
    schools = client.get("/agencies?period=2014&kind=school")
    assert names(schools.text) == ["Trường F"]
    found = client.get("/agencies?period=2014&q=so+c")
    assert names(found.text) == ["Sở C"]


@pytest.mark.parametrize("query", ["sort=x", "dir=up", "district=nope", "page=x", "page=-5", "tier=x", "period=abc"])
def test_bad_comparison_parameters_are_explained(client, province, query):
    response = client.get(f"/agencies?{query}")
    assert response.status_code in (400, 404) and "<h1" in response.text


def test_the_comparison_downloads_as_csv_and_xlsx(client, province):
    import csv
    import io
    import zipfile

    response = client.get("/agencies/comparison.csv?period=2014&sort=score")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0][:3] == ["Mã", "Cơ quan", "Cấp"]
    assert table[1][:9] == ["so-a", "Sở A", "province", "department", "", "verified", "155.5", "Khá", "1"]
    assert table[-1][:8] == ["so-d", "Sở D", "province", "department", "", "submitted", "", "chưa đánh giá"]
    assert [r[0] for r in table[1:]] == ["so-a", "so-b", "truong-f", "ubnd-e", "so-c", "so-d"]
    xlsx = client.get("/agencies/comparison.xlsx?period=2014&district=ubnd-e")
    assert xlsx.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "UBND huyện E" in sheet and "Sở A" not in sheet and "<v>110.3</v>" in sheet
    assert client.get("/agencies/comparison.csv?sort=nope").status_code == 422


def test_a_target_page_names_the_agencies_that_hold_it_back(client, province):
    page = client.get("/targets/services_level3_count?period=2014").text
    assert "Cơ quan nào cần chuyển biến" in page
    table = page[page.find('<table class="breakdown">'):]
    assert rows(table)[:2] == ["Sở A 1 2 50,0 % — 1", "Sở B 1 2 50,0 % — 1"]
    assert 'href="/agencies/so-a?period=2014#contributions"' in page


def test_the_ranking_is_open_data(client, province):
    import csv
    import io

    response = client.get("/open-data/2014/ranking.csv")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    rows_by_code = {row["code"]: row for row in table}
    assert {k: rows_by_code["so-a"][k] for k in ("group", "rank", "score", "score_exact", "grade", "movement")} == {
        "group": "departments", "rank": "1", "score": "155.5", "score_exact": "311/2", "grade": "good",
        "movement": "1"}
    assert rows_by_code["so-d"]["assessed"] == "false" and rows_by_code["so-d"]["score"] == ""
    assert rows_by_code["truong-f"]["group"] == "" and rows_by_code["truong-f"]["rank"] == ""
    document = client.get("/open-data/2014/ranking.json").get_json()
    assert document["dataset"] == "ranking" and len(document["rows"]) == 6
    assert "Xếp hạng cơ quan" in client.get("/open-data").text


def test_long_lists_say_which_page_of_how_many(client, make, province):
    """Issue 17: page k of n, first/previous/next/last, on the ranking and the comparison;
    a page past the end shows the last one."""
    for n in range(100):
        make.agency(code=f"so-x{n:03d}", name=f"Sở X {n:03d}")
    ranked = client.get("/rankings?period=2014&group=departments").text
    assert "Trang 1 trên 2" in ranked and "group=departments" in ranked and "page=2" in ranked
    last = client.get("/rankings?period=2014&group=departments&page=9").text
    assert "Trang 2 trên 2" in last and "Sở X 099" in last
    compared = client.get("/agencies?period=2014&tier=province&sort=name").text
    assert "Trang 1 trên 2" in compared and "tier=province" in compared and "page=2" in compared
    second = client.get("/agencies?period=2014&tier=province&sort=name&page=2").text
    assert "Trang 2 trên 2" in second and 'rel="prev"' in second
