"""A district at a glance (issue #14.5): on its people's committee's page, every agency of the
district together and the district's own figure for each target, summed over them as the
province's figure sums over every agency."""

import re

import pytest

from registry.rankings.district import district
from registry.rankings.ranking import compute_ranking, usable_targets
from tests.factories import full_report


@pytest.fixture
def province(make, db):
    """District E: its people's committee (staff 6 of 10 with e-mail; services at levels 2 and 0),
    commune X (10 of 20; a service at level 1) and school S under X; district F (5 of 5) and its
    commune Y, which has not reported; a department (30 of 40)."""
    e = make.agency(code="ubnd-e", name="UBND huyện E", tier="district", kind="people_committee")
    x = make.agency(code="ubnd-x", name="UBND xã X", tier="commune", kind="people_committee", parent=e)
    school = make.agency(code="truong-s", name="Trường S", tier="commune", kind="school", parent=x)
    f = make.agency(code="ubnd-f", name="UBND huyện F", tier="district", kind="people_committee")
    make.agency(code="ubnd-y", name="UBND xã Y", tier="commune", kind="people_committee", parent=f)
    department = make.agency(code="so-a", name="Sở A")
    high, none = make.service(e), make.service(e)
    low = make.service(x)
    make.submission(e, 2015, report=full_report(staff_total=10, staff_with_computer=8, staff_with_email=6), levels={high.id: 2, none.id: 0})
    make.submission(x, 2015, report=full_report(staff_total=20, staff_with_computer=15, staff_with_email=10), levels={low.id: 1})
    make.submission(school, 2015, report=full_report())
    make.submission(f, 2015, report=full_report(staff_total=5, staff_with_computer=5, staff_with_email=5))
    make.submission(department, 2015, report=full_report(staff_total=40, staff_with_email=30))
    db.commit()


def test_a_districts_figures_are_its_agencies_summed_by_hand(db, province):
    found = compute_ranking(db, 2015)
    targets = usable_targets(db, 2015)
    e = district(found, found.entry("ubnd-e").card.agency, targets)
    assert [m.card.agency.code for m in e.members] == ["ubnd-e", "ubnd-x", "truong-s"]  # its committee first
    assert [(kind, len(entries)) for kind, entries in e.by_kind()] == [("people_committee", 2), ("school", 1)]
    rows = {row.contribution.target.code: row for row in e.targets}
    email = rows["staff_email_pct"]
    assert (email.contribution.numerator, email.contribution.denominator) == (6 + 10, 10 + 20)
    assert email.meets is False  # 53.3 % against 80 %
    assert (email.contribution.province_numerator, email.contribution.province_denominator) == (51, 75)
    level1, level2 = rows["services_level1_pct"].contribution, rows["services_level2_pct"].contribution
    assert (level1.numerator, level1.denominator) == (2, 3) and (level2.numerator, level2.denominator) == (1, 3)
    assert rows["services_level3_count"].meets is None  # a count is the province's to meet
    # the districts and the agencies of no district add up to the province, target by target
    f = district(found, found.entry("ubnd-f").card.agency, targets)
    for target in targets:
        parts = [c for c in (*found.contributions(targets, *(m.card.agency for m in e.members)),
                             *found.contributions(targets, *(m.card.agency for m in f.members)),
                             *found.contributions(targets, found.entry("so-a").card.agency))
                 if c.target.code == target.code]
        assert sum(c.numerator for c in parts) == parts[0].province_numerator, target.code
        assert sum(c.denominator for c in parts) == parts[0].province_denominator, target.code
    assert district(found, found.entry("so-a").card.agency, targets) is None
    assert district(found, found.entry("ubnd-x").card.agency, targets) is None  # a commune is not a district


def test_the_district_page_shows_its_agencies_and_its_figures(client, province):
    page = client.get("/agencies/ubnd-e?period=2015").get_data(as_text=True).replace("\xa0", " ")
    section = page[page.index('<section class="district"'):]
    section = section[:section.index("</section>")]
    assert "Toàn huyện: 3 cơ quan trên địa bàn, kỳ 2015" in section
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert re.search(r"80% cán bộ công chức có hộp thư điện tử 16 30 53,3 % 14 trên 24 chưa đạt", text), text
    assert 'href="/agencies/ubnd-x?period=2015"' in section and 'href="/agencies/truong-s?period=2015"' in section
    assert "UBND xã Y" not in section and "Sở A" not in section
    assert 'class="district"' not in client.get("/agencies/so-a?period=2015").get_data(as_text=True)
    english = client.get("/agencies/ubnd-e?period=2015&lang=en").get_data(as_text=True)
    assert "The whole district: 3 agencies in its territory, 2015" in english
