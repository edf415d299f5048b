"""The ranking as plain text, for ``registry ranking`` (no Flask here)."""

from registry.core.numbers import number
from registry.rankings.ranking import Entry, Ranking
from registry.rankings.scorecard import one_decimal

WORDS = {
    "vi": {"period": "Kỳ báo cáo {year}", "provisional": " (tạm tính)", "previous": "so với kỳ {year}",
           "no_previous": "không có kỳ đã khóa trước đó để so sánh",
           "method": "Phương pháp: tối đa {maximum} điểm; {bands}", "unranked": "Được chấm điểm, không xếp hạng",
           "not_assessed": "chưa đánh giá", "empty": "(không có cơ quan nào)"},
    "en": {"period": "Reporting period {year}", "provisional": " (provisional)", "previous": "against {year}",
           "no_previous": "no earlier closed period to compare with",
           "method": "Method: at most {maximum} points; {bands}", "unranked": "Scored, not ranked",
           "not_assessed": "not assessed", "empty": "(no agency)"},
}


def _movement(entry: Entry) -> str:
    if entry.movement is None:
        return ""
    return "=" if entry.movement == 0 else f"{entry.movement:+d}"


def _line(entry: Entry, words: dict, lang: str) -> str:
    card, agency = entry.card, entry.card.agency
    name = agency.name_en if lang == "en" and agency.name_en else agency.name
    rank = "" if entry.rank is None else str(entry.rank)
    if not card.assessed:
        return f"{rank:>5}  {'—':>6}  {words['not_assessed']:<14}      {agency.code:<24} {name}"
    score = number(one_decimal(card.score), lang, 1)  # "155,5" in Vietnamese, "155.5" in English
    return f"{rank:>5}  {score:>6}  {card.band.title(lang):<14}{_movement(entry):>4}  {agency.code:<24} {name}"


def ranking_lines(found: Ranking, lang: str = "vi") -> list[str]:
    words = WORDS[lang]
    method = found.method
    bands = ", ".join(f"{b.title(lang)} ≥ {b.minimum}" for b in method.bands)
    lines = [words["period"].format(year=found.period) + (words["provisional"] if found.provisional else "")
             + "; " + (words["previous"].format(year=found.previous_period) if found.previous_period
                       else words["no_previous"]),
             words["method"].format(maximum=method.maximum, bands=bands)]
    for group in (*method.groups, None):
        entries = found.group_entries(group.code if group else None)
        if group is None and not entries:
            continue
        lines += ["", group.title(lang) if group else words["unranked"]]
        lines += [_line(e, words, lang) for e in entries] or [words["empty"]]
    return lines
