"""The agency comparison (issue 14.3): per agency and period its report's progress, score,
grade and key figures, filtered and sorted on the server (no JavaScript), and the same
table as CSV or XLSX rows. Read from the ranking of the period (ranking.py), so a
page costs nothing more once the ranking is kept. No Flask here."""

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlmodel import Session

from registry.catalogue.paging import word_prefixes
from registry.catalogue.parameters import TIER_ORDER, clean
from registry.core.errors import N_, ValidationFailed
from registry.core.search import search_terms
from registry.core.vocabulary import label
from registry.models import Agency
from registry.rankings.figures import REPORT_STATUSES, AgencyFigures
from registry.rankings.ranking import Entry, Ranking
from registry.rankings.scorecard import one_decimal

# column → what it sorts by; "name" is the catalogue's order (tier, then Vietnamese name)
SORTS = ("name", "status", "score", "level1", "level2", "network", "email", "documents")
DIRECTIONS = ("asc", "desc")
COLUMNS = ("code", "name", "tier", "kind", "district", "status", "score", "grade", "rank", "level1_pct",
           "level2_pct", "has_lan", "wan_connected", "broadband_internet", "email_pct", "documents_pct")


def _share(part, whole) -> Fraction | None:
    return None if part is None or not whole else Fraction(part, whole)


@dataclass(frozen=True)
class ComparisonRow:
    entry: Entry
    district: AgencyFigures | None

    @property
    def agency(self) -> AgencyFigures:
        return self.entry.card.agency

    def _report(self, name):
        report = self.agency.report
        return None if report is None else report.get(name)

    @property
    def level1(self) -> Fraction | None:
        a = self.agency
        return _share(a.services_at(1), a.services) if a.assessed else None

    @property
    def level2(self) -> Fraction | None:
        a = self.agency
        return _share(a.services_at(2), a.services) if a.assessed else None

    @property
    def email(self) -> Fraction | None:
        return _share(self._report("staff_with_email"), self._report("staff_total"))

    @property
    def documents(self) -> Fraction | None:
        return _share(self._report("documents_online"), self._report("documents_total"))

    @property
    def network(self) -> tuple:
        """LAN, WAN and broadband Internet: True, False or None (no verified report)."""
        return tuple(self._report(f) for f in ("has_lan", "wan_connected", "broadband_internet"))

    def percent(self, name: str) -> float | None:
        value = getattr(self, name)
        return None if value is None else one_decimal(value * 100)

    def key(self, sort: str):
        """The value ``sort`` orders by (None: no figure, always listed last)."""
        if sort == "status":
            return REPORT_STATUSES.index(self.agency.report_status)
        if sort == "score":
            return self.entry.card.score
        if sort == "network":
            return None if self.network[0] is None else sum(bool(v) for v in self.network)
        return getattr(self, sort)

    def values(self, lang: str, gettext) -> list:
        """The row as the CSV and XLSX files give it (numbers as numbers, one decimal)."""
        a, card = self.agency, self.entry.card
        district = self.district
        return [a.code, a.name_en if lang == "en" and a.name_en else a.name, a.tier, a.kind,
                district.code if district else None, a.report_status, card.shown_score,
                card.band.title(lang) if card.band else gettext(N_("chưa đánh giá")), self.entry.rank,
                self.percent("level1"), self.percent("level2"), *self.network, self.percent("email"),
                self.percent("documents")]


def parse_sort(raw: str | None, direction: str | None) -> tuple[str, bool]:
    sort = clean(raw, 16) or "name"
    direction = clean(direction, 8) or ("asc" if sort == "name" else "desc")
    if sort not in SORTS or direction not in DIRECTIONS:
        raise ValidationFailed(N_("Cách sắp xếp không hợp lệ."), fields={"sort": N_("không hợp lệ")})
    return sort, direction == "desc"


def districts(found: Ranking) -> list[AgencyFigures]:
    """The active district people's committees, in Vietnamese order: the district filter's choices."""
    return sorted((a for a in found.figures.values()
                   if a.active and a.tier == "district" and a.kind == "people_committee"),
                  key=lambda a: (a.name_sort, a.code))


def district_filter(found: Ranking, code: str | None) -> AgencyFigures | None:
    code = clean(code, 64)
    if not code:
        return None
    chosen = next((a for a in districts(found) if a.code == code), None)
    if chosen is None:
        raise ValidationFailed(N_("Không có huyện mã %(code)s."), fields={"district": N_("không hợp lệ")}, code=code)
    return chosen


def matching_ids(session: Session, q: str) -> set[int] | None:
    """The agencies a search finds (as the catalogue searches names and codes); None without a search."""
    terms = search_terms(clean(q))
    if not terms:
        return None
    return set(session.execute(select(Agency.id).where(Agency.active, word_prefixes(Agency.name_key, terms)))
               .scalars())


def compare(found: Ranking, *, ids: set[int] | None = None, tier: str | None = None, kind: str | None = None,
            district: AgencyFigures | None = None, sort: str = "name", descending: bool = False) -> list[ComparisonRow]:
    """The comparison's rows: every active agency that passes the filters, in the chosen order
    (agencies without the figure last, whatever the direction; ties in the catalogue's order)."""
    figures = found.figures
    rows = [ComparisonRow(e, figures.get(e.card.agency.district_id)) for e in found.entries
            if (ids is None or e.card.agency.id in ids) and (tier is None or e.card.agency.tier == tier)
            and (kind is None or e.card.agency.kind == kind)
            and (district is None or e.card.agency.district_id == district.id)]

    def natural(row: ComparisonRow):
        a = row.agency
        return (TIER_ORDER.index(a.tier) if a.tier in TIER_ORDER else len(TIER_ORDER), a.name_sort, a.code)

    rows.sort(key=natural)
    if sort != "name":
        known = [r for r in rows if r.key(sort) is not None]
        unknown = [r for r in rows if r.key(sort) is None]
        known.sort(key=lambda r: r.key(sort), reverse=descending)  # stable: ties keep the natural order
        rows = known + unknown
    elif descending:
        rows.reverse()
    return rows


def header(gettext) -> list[str]:
    names = {
        "code": N_("Mã"), "name": N_("Cơ quan"), "tier": N_("Cấp"), "kind": N_("Loại cơ quan"),
        "district": N_("Huyện"), "status": N_("Tình trạng báo cáo"), "score": N_("Điểm"), "grade": N_("Xếp loại"),
        "rank": N_("Hạng trong nhóm"), "level1_pct": N_("Tỷ lệ dịch vụ mức độ 1 trở lên (%)"),
        "level2_pct": N_("Tỷ lệ dịch vụ mức độ 2 trở lên (%)"), "email_pct": N_("Tỷ lệ cán bộ có thư điện tử (%)"),
        "documents_pct": N_("Tỷ lệ văn bản xử lý trên mạng (%)"),
    }
    return [gettext(names[c]) if c in names else label("report", c, gettext) for c in COLUMNS]
