"""The ranking as plain text, for ``registry ranking``, written from the document the
API gives (``Ranking.as_dict``): the same lines from a ranking just computed and from
one the last run kept (rankings/shared.py). No Flask, no SQLAlchemy here."""

from registry.core.numbers import number

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


def _movement(movement: int | None) -> str:
    if movement is None:
        return ""
    return "=" if movement == 0 else f"{movement:+d}"


def _line(entry: dict, grades: dict[str, str], words: dict, lang: str) -> str:
    rank = "" if entry["rank"] is None else str(entry["rank"])
    if not entry["assessed"]:
        return f"{rank:>5}  {'—':>6}  {words['not_assessed']:<14}      {entry['code']:<24} {entry['name']}"
    score = number(entry["score"], lang, 1)  # "155,5" in Vietnamese, "155.5" in English
    return (f"{rank:>5}  {score:>6}  {grades[entry['grade']]:<14}{_movement(entry['movement']):>4}  "
            f"{entry['code']:<24} {entry['name']}")


def ranking_lines(body: dict, lang: str = "vi") -> list[str]:
    """``body``: ``Ranking.as_dict(lang)``."""
    words = WORDS[lang]
    method = body["method"]
    grades = {band["code"]: band["title"] for band in method["bands"]}
    bands = ", ".join(f"{band['title']} ≥ {band['minimum']}" for band in method["bands"])
    lines = [words["period"].format(year=body["period"]) + (words["provisional"] if body["provisional"] else "")
             + "; " + (words["previous"].format(year=body["previous_period"]) if body["previous_period"]
                       else words["no_previous"]),
             words["method"].format(maximum=method["maximum"], bands=bands)]
    for group in body["groups"]:
        lines += ["", group["title"]]
        lines += [_line(e, grades, words, lang) for e in group["agencies"]] or [words["empty"]]
    if body["unranked"]:
        lines += ["", words["unranked"]] + [_line(e, grades, words, lang) for e in body["unranked"]]
    return lines
