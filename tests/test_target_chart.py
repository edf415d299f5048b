"""A target's chart over the periods (issue #14.4): years on the x-axis, each value, the
threshold and the deadline labelled, the projection drawn to the deadline, provisional points
marked and off the line, the same numbers in a table; the home cards' lines name their ends."""

import re

from registry.web.charts import target_chart

from .test_target_trend import history  # noqa: F401  (the fixture: levels rising over 2012–2014)

# Babel writes "25,0 %" with a no-break space; the pages are read here with plain spaces


def test_the_chart_reaches_the_deadline_with_the_projection_and_keeps_provisional_points_off_the_line():
    chart = target_chart([(2012, 25.0), (2013, 50.0), (2014, 75.0), (2015, 40.0)], 95, "percent", 2016,
                         projected=100.0, provisional={2015})
    assert [tick.value for tick in chart.years] == [2012, 2013, 2014, 2015, 2016]
    assert [tick.value for tick in chart.levels] == [0, 25, 50, 75, 100]
    assert len(chart.polyline.split()) == 3  # 2015 is provisional: marked, not joined
    assert [p.period for p in chart.points if p.provisional] == [2015]
    start, end = chart.projection
    assert (start.period, start.value) == (2014, 75.0) and (end.period, end.value) == (2016, 100.0)
    assert chart.deadline_x == end.x == chart.right
    level = {tick.value: tick.at for tick in chart.levels}
    assert level[100] < chart.threshold_y < level[75]  # y grows downwards: 95 % between 75 % and 100 %
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs) and chart.left == xs[0]


def test_a_count_gets_round_levels_and_no_deadline_line_outside_the_years():
    chart = target_chart([(2010, 0), (2011, 4), (2012, 6)], 9, "count", 2009)
    assert [tick.value for tick in chart.levels] == [0, 5, 10]
    assert chart.deadline_x is None and chart.projection is None
    assert target_chart([(2010, None), (2011, None)], 9, "count", 2015) is None
    many = target_chart([(year, year - 2000) for year in range(2000, 2031)], 9, "count", 2030)
    assert len(many.years) <= 12 and many.years[0].value == 2000


def test_the_target_page_draws_the_chart_and_the_table_beside_it(client, history):  # noqa: F811
    page = client.get("/targets/services_level1_pct?period=2014").get_data(as_text=True).replace("\xa0", " ")
    figure = page[page.index('<figure class="target-chart">'):page.index("</figure>", page.index("target-chart"))]
    assert 'role="img"' in figure and "qua các kỳ</title>" in figure and "<desc" in figure
    labels = re.findall(r'<text class="axis-label year"[^>]*>(\d{4})</text>', figure)
    assert labels == ["2012", "2013", "2014", "2015"]  # up to the deadline: the projection is drawn there
    values = re.findall(r'<text class="value-label"[^>]*>([^<]+)</text>', figure)
    assert values == ["25,0 %", "50,0 %", "75,0 %"]
    assert "Mức cần đạt: ≥ 95 %" in figure and "Thời hạn 2015" in figure
    assert '<line class="projection"' in figure and "dự báo 100,0 %" in figure
    table = page[page.index("</figure>", page.index("target-chart")):]
    table = table[:table.index("</table>")]
    assert re.findall(r'<th scope="row">(\d{4})</th>', table) == ["2012", "2013", "2014", "2015"]
    assert "sẽ đạt" in table  # the projected row
    english = client.get("/targets/services_level1_pct?period=2014&lang=en").get_data(as_text=True).replace("\xa0", " ")
    assert "Threshold: ≥ 95%" in english and "Deadline 2015" in english and "projected 100.0%" in english


def test_the_home_cards_line_names_its_first_and_last_values(client, history):  # noqa: F811
    page = client.get("/?period=2014").get_data(as_text=True).replace("\xa0", " ")
    card = page[page.index('id="target-services_level1_pct"'):]
    card = card[:card.index("</figure>")]
    assert re.findall(r'<text class="end-label"[^>]*>([^<]+)</text>', card) == ["25,0 %", "75,0 %"]
