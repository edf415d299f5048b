"""The DIC workbook's sheets about agencies (issue #14.6): the period's ranking, and each
target agency by agency, on verified data (SPEC §3c). Headers and
words in Vietnamese, as the rest of the workbook."""

from typing import Iterator

from sqlmodel import Session

from registry.core.numbers import number, percent
from registry.core.vocabulary import RESULT_LABELS
from registry.dataio.xlsx import Sheet, Style
from registry.models import Unit
from registry.rankings.breakdown import breakdown
from registry.rankings.ranking import Ranking, ranking
from registry.rankings.text import WORDS
from registry.targets.results import TargetResult

WORDS_VI = WORDS["vi"]  # the words of `registry ranking`
MEETS_VI = {True: RESULT_LABELS["met"], False: RESULT_LABELS["not_met"], None: "—"}
BREAKDOWN_HEADERS_VI = ("Mã cơ quan", "Tên cơ quan", "Tử số", "Mẫu số", "Tỷ lệ", "Đánh giá riêng", "Còn thiếu")
BREAKDOWN_WIDTHS = (24, 60, 12, 12, 10, 16, 12)


def _ranking_headers(found: Ranking) -> tuple[str, ...]:
    sections = tuple(f"Điểm: {section.title_vi}" for section in found.method.sections)
    return ("Nhóm", "Hạng", "Mã cơ quan", "Tên cơ quan", "Điểm", "Xếp loại", *sections,
            "Hạng kỳ trước", "Thay đổi thứ hạng", "Thay đổi điểm")


def _ranking_rows(found: Ranking) -> Iterator[tuple]:
    sections = found.method.sections
    for entry in found.entries:
        card, agency = entry.card, entry.card.agency
        group = entry.group.title_vi if entry.group else WORDS_VI["unranked"]
        previous = entry.previous.rank if entry.previous else None
        if not card.assessed:
            yield (group, None, agency.code, agency.name, WORDS_VI["not_assessed"], None, *(None for _ in sections),
                   previous, None, None)
            continue
        points = card.shown_sections()
        yield (group, entry.rank, agency.code, agency.name, card.shown_score, card.band.title_vi,
               *(points[section.code] for section in sections), previous, entry.movement, entry.shown_change)


def ranking_sheet(session: Session, year: int, preamble: list[str]) -> Sheet:
    """Every active agency: its group, rank, score, grade, each section's points and its
    movement since the previous closed period; the method beside it."""
    found = ranking(session, year)
    method = found.method
    bands = ", ".join(f"{band.title_vi} từ {band.minimum} điểm" for band in method.bands)
    against = (WORDS_VI["previous"].format(year=found.previous_period) if found.previous_period
               else WORDS_VI["no_previous"])
    lines = [*preamble, f"Xếp hạng kỳ {year} ({against}); phương pháp: tối đa {method.maximum} điểm; {bands}."]
    headers = _ranking_headers(found)
    widths = (34, 8, 24, 60, 10, 14, *(16 for _ in method.sections), 12, 14, 12)
    return Sheet("Xếp hạng", headers, _ranking_rows(found), widths, lines)


def _breakdown_rows(session: Session, result: TargetResult, year: int) -> Iterator[tuple]:
    """Computed when the sheet is written, not before, from the figures the ranking sheet
    reads (held once): for a closed period the same numbers closing it published, which
    only a correction can change, and it publishes again. Reading the published drill-down
    instead (as the target's page does) would hold every published offering per target:
    +310 MB at national scale against the export's 100 MB."""
    for row in breakdown(ranking(session, year), result.target).rows:
        agency = row.agency
        yield (agency.code, agency.name, row.numerator, row.denominator, row.value, MEETS_VI[row.meets],
               row.missing)


def breakdown_sheets(session: Session, results: list[TargetResult], year: int,
                     preamble: list[str]) -> Iterator[Sheet]:
    """A sheet per target ("CT1 theo cơ quan", in the order of the targets sheet): each agency in
    its scope, its numerator and denominator, its own share and the units it is missing, the
    most missing first; the rows sum to the province's numerator and denominator."""
    for position, result in enumerate(results, start=1):
        target = result.target
        value = "—" if result.value is None else (
            percent(result.value, "vi") if target.unit == Unit.percent.value else number(result.value, "vi"))
        lines = [*preamble, f"{target.code}: {target.title_vi}",
                 f"Toàn tỉnh: {value} ({number(result.numerator, 'vi')}/{number(result.denominator, 'vi')})."]
        if result.offerings is not None:  # a service target: counted over procedures, by agency over offerings
            lines.append("Theo cơ quan, tính theo dịch vụ (mỗi cơ quan thực hiện một thủ tục là một dịch vụ): "
                         f"{number(result.offerings.numerator, 'vi')}/{number(result.offerings.denominator, 'vi')}.")
        lines.append("Cơ quan thiếu nhiều nhất ở trên cùng.")
        yield Sheet(f"CT{position} theo cơ quan", BREAKDOWN_HEADERS_VI, _breakdown_rows(session, result, year),
                    BREAKDOWN_WIDTHS,
                    lines, number_styles={BREAKDOWN_HEADERS_VI.index("Tỷ lệ"): lambda _row: Style.percent})
