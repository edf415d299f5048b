"""The ranking method (SPEC §3c) as data: criteria and their maximum points, grade
bands and the groups ranked, versioned by period like the targets.

A method is a JSON document kept in ``ranking_method``, one row per version,
each in force from its year until the next version's. Without any row the
registry ranks by DEFAULT, the method the specification ships (MIC style:
points = ratio × maximum points). Every document is read through ``parse``,
which refuses anything the scorer could not use, so a stored method always
scores; the administrator's edit (``save_method``) is checked and audited.
"""

from dataclasses import asdict, dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from registry.audit import Actor, record
from registry.catalogue.levels import LEVELS, MIN_LEVEL
from registry.core.errors import N_, Msg, ValidationFailed
from registry.models import REPORT_COUNTS, REPORT_FLAGS, RankingMethod, ReportingPeriod
from registry.targets.definitions import in_scope, parse_scope

KINDS = ("flag", "ratio", "services")
MAX_POINTS = 1000  # of one criterion; a whole method stays a few hundred points


@dataclass(frozen=True)
class Criterion:
    code: str
    section: str  # the code of its section (infrastructure, e-mail and documents, …)
    kind: str  # flag: a report flag; ratio: a count over another; services: the share at min_level or above
    points: int  # the maximum
    title_vi: str
    title_en: str
    field: str | None = None  # flag
    numerator: str | None = None  # ratio
    denominator: str | None = None  # ratio
    min_level: int | None = None  # services

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


@dataclass(frozen=True)
class Section:
    code: str
    title_vi: str
    title_en: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


@dataclass(frozen=True)
class Band:
    code: str
    minimum: int  # the score a grade needs, at least
    title_vi: str
    title_en: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


@dataclass(frozen=True)
class Group:
    code: str
    scope: str  # "tier:kind,kind;…" as a target's scope (targets/definitions.py)
    title_vi: str
    title_en: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi

    def holds(self, tier: str, kind: str) -> bool:
        return in_scope(parse_scope(self.scope), tier, kind)


@dataclass(frozen=True)
class Method:
    effective_from: int | None  # None: the shipped default, never stored
    sections: tuple[Section, ...]
    criteria: tuple[Criterion, ...]
    bands: tuple[Band, ...]  # highest minimum first; the last one's minimum is 0
    groups: tuple[Group, ...]

    @property
    def maximum(self) -> int:
        return sum(c.points for c in self.criteria)

    def section_maximum(self, code: str) -> int:
        return sum(c.points for c in self.criteria if c.section == code)

    def band(self, score: Fraction) -> Band:
        """The grade of an exact score (rule §8.7): the first band whose minimum it reaches."""
        return next(b for b in self.bands if score >= b.minimum)

    def group_of(self, tier: str, kind: str) -> Group | None:
        return next((g for g in self.groups if g.holds(tier, kind)), None)

    def document(self) -> dict:
        """The method as it is stored: a fresh copy, free to change."""
        return {
            "sections": [asdict(s) for s in self.sections],
            "criteria": [{k: v for k, v in asdict(c).items() if v is not None} for c in self.criteria],
            "bands": [asdict(b) for b in self.bands],
            "groups": [asdict(g) for g in self.groups],
        }

    def as_dict(self, lang: str = "vi") -> dict:
        """The method as the API and the ranking page show it."""
        return {
            "effective_from": self.effective_from,
            "maximum": self.maximum,
            "sections": [{"code": s.code, "title": s.title(lang), "maximum": self.section_maximum(s.code)}
                         for s in self.sections],
            "criteria": [{"code": c.code, "section": c.section, "kind": c.kind, "title": c.title(lang),
                          "points": c.points, "field": c.field, "numerator": c.numerator,
                          "denominator": c.denominator, "min_level": c.min_level} for c in self.criteria],
            "bands": [{"code": b.code, "title": b.title(lang), "minimum": b.minimum} for b in self.bands],
            "groups": [{"code": g.code, "title": g.title(lang), "scope": g.scope} for g in self.groups],
        }


def _flag(code, section, points, vi, en):
    return Criterion(code, section, "flag", points, vi, en, field=code)


def _ratio(code, section, points, numerator, denominator, vi, en):
    return Criterion(code, section, "ratio", points, vi, en, numerator=numerator, denominator=denominator)


def _services(level, points):
    return Criterion(f"services_level{level}", "services", "services", points,
                     f"Tỷ lệ dịch vụ công đạt mức độ {level} trở lên",
                     f"Share of services at level {level} or above", min_level=level)


# SPEC §3c: 200 points in four sections; Khá ≥ 150, Trung bình 100–< 150, Thấp < 100.
DEFAULT = Method(
    effective_from=None,
    sections=(
        Section("infrastructure", "Hạ tầng kỹ thuật", "Infrastructure"),
        Section("email_documents", "Thư điện tử và văn bản điện tử", "E-mail and documents"),
        Section("applications", "Ứng dụng chuyên ngành", "Applications"),
        Section("services", "Dịch vụ công trực tuyến", "Online services"),
    ),
    criteria=(
        _flag("has_lan", "infrastructure", 10, "Có mạng nội bộ (LAN)", "Has a LAN"),
        _flag("wan_connected", "infrastructure", 10, "Kết nối mạng diện rộng (WAN) của tỉnh",
              "Connected to the provincial WAN"),
        _flag("broadband_internet", "infrastructure", 10, "Có Internet tốc độ cao", "Broadband Internet"),
        _ratio("staff_with_computer", "infrastructure", 30, "staff_with_computer", "staff_total",
               "Tỷ lệ cán bộ làm việc trên máy tính", "Share of staff working on a computer"),
        _flag("official_email", "email_documents", 10, "Có hộp thư điện tử chính thức", "Official e-mail box"),
        _ratio("staff_with_email", "email_documents", 20, "staff_with_email", "staff_total",
               "Tỷ lệ cán bộ có hộp thư điện tử công vụ", "Share of staff with official e-mail"),
        _ratio("documents_online", "email_documents", 30, "documents_online", "documents_total",
               "Tỷ lệ văn bản được xử lý trên mạng", "Share of documents handled online"),
        _flag("legal_docs_online", "applications", 10, "Tra cứu văn bản quy phạm pháp luật qua mạng",
              "Legal documents looked up online"),
        _flag("exchanges_online", "applications", 10, "Trao đổi thông tin qua mạng với Trung tâm tích hợp dữ liệu",
              "Exchanges with the data-integration centre online"),
        _flag("specialised_database", "applications", 20, "Có cơ sở dữ liệu chuyên ngành",
              "Specialised database"),
        _services(1, 10),
        _services(2, 15),
        _services(3, 15),
    ),
    bands=(
        Band("good", 150, "Khá", "Good"),
        Band("average", 100, "Trung bình", "Average"),
        Band("low", 0, "Thấp", "Low"),
    ),
    groups=(
        Group("departments", "province:department", "Sở, ban, ngành cấp tỉnh", "Province-tier departments"),
        Group("districts", "district:people_committee", "Ủy ban nhân dân cấp huyện", "District people's committees"),
        Group("communes", "commune:people_committee", "Ủy ban nhân dân cấp xã", "Commune people's committees"),
    ),
)

INVALID = N_("Phương pháp xếp hạng không hợp lệ")


def _text(item: dict, name: str, where: str, limit: int = 200) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ValidationFailed(INVALID, fields={where: Msg(N_("thiếu hoặc sai trường %(name)s"), name=name)})
    return value.strip()


def _whole(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(INVALID, fields={where: Msg(N_("phải là số nguyên từ %(low)s đến %(high)s"),
                                                            low=low, high=high)})
    return value


def parse(document, effective_from: int | None) -> Method:
    """A Method from a stored or submitted document; ValidationFailed names what is wrong."""
    if not isinstance(document, dict):
        raise ValidationFailed(INVALID)
    sections = tuple(Section(_text(s, "code", "sections", 64), _text(s, "title_vi", "sections"),
                             _text(s, "title_en", "sections")) for s in _list(document, "sections"))
    section_codes = {s.code for s in sections}
    criteria = []
    for item in _list(document, "criteria"):
        code = _text(item, "code", "criteria", 64)
        where = f"criteria.{code}"
        kind, section = item.get("kind"), item.get("section")
        if kind not in KINDS or section not in section_codes:
            raise ValidationFailed(INVALID, fields={where: Msg(N_("loại hoặc nhóm tiêu chí không hợp lệ"))})
        values = dict(code=code, section=section, kind=kind, points=_whole(item.get("points"), where, 0, MAX_POINTS),
                      title_vi=_text(item, "title_vi", where), title_en=_text(item, "title_en", where))
        if kind == "flag":
            if item.get("field") not in REPORT_FLAGS:
                raise ValidationFailed(INVALID, fields={where: Msg(N_("không có tiêu chí báo cáo này"))})
            values["field"] = item["field"]
        elif kind == "ratio":
            if item.get("numerator") not in REPORT_COUNTS or item.get("denominator") not in REPORT_COUNTS:
                raise ValidationFailed(INVALID, fields={where: Msg(N_("không có số liệu báo cáo này"))})
            values.update(numerator=item["numerator"], denominator=item["denominator"])
        else:
            values["min_level"] = _whole(item.get("min_level"), where, MIN_LEVEL + 1, LEVELS[-1].number)
        criteria.append(Criterion(**values))
    if len({c.code for c in criteria}) != len(criteria) or len(section_codes) != len(sections):
        raise ValidationFailed(INVALID, fields={"criteria": Msg(N_("mã tiêu chí bị trùng"))})
    bands = sorted((Band(_text(b, "code", "bands", 64), _whole(b.get("minimum"), "bands", 0, 100 * MAX_POINTS),
                         _text(b, "title_vi", "bands"), _text(b, "title_en", "bands"))
                    for b in _list(document, "bands")), key=lambda b: -b.minimum)
    if not bands or bands[-1].minimum != 0 or len({b.minimum for b in bands}) != len(bands):
        raise ValidationFailed(INVALID, fields={"bands": Msg(
            N_("các mức xếp loại phải khác nhau, mức thấp nhất từ 0"))})
    groups = []
    for g in _list(document, "groups"):
        scope = _text(g, "scope", "groups")
        try:
            parse_scope(scope)
        except (ValueError, ValidationFailed):
            raise ValidationFailed(INVALID, fields={"groups": Msg(N_("phạm vi nhóm không hợp lệ"))}) from None
        groups.append(Group(_text(g, "code", "groups", 64), scope, _text(g, "title_vi", "groups"),
                            _text(g, "title_en", "groups")))
    return Method(effective_from, sections, tuple(criteria), tuple(bands), tuple(groups))


def _list(document: dict, name: str) -> list:
    value = document.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise ValidationFailed(INVALID, fields={name: Msg(N_("thiếu danh sách %(name)s"), name=name)})
    return value


def method_for(session: Session, year: int) -> Method:
    """The method in force in ``year``: the latest version from that year or before, else DEFAULT."""
    return methods_for(session, [year])[year]


def document_of(year):
    """A scalar subquery: the (effective_from, document) in force in ``year`` (a column or a value)."""
    older = aliased(RankingMethod)
    latest = (select(func.max(older.effective_from)).where(older.effective_from <= year)
              .correlate_except(older).scalar_subquery())
    document = (select(RankingMethod.document).where(RankingMethod.effective_from == latest)
                .correlate_except(RankingMethod).scalar_subquery())
    return latest, document


def from_row(effective_from, document) -> Method:
    return DEFAULT if effective_from is None else parse(document, effective_from)


def methods_for(session: Session, years) -> dict:
    """``method_for`` of each year, in one query."""
    years = list(years)
    rows = session.execute(select(RankingMethod.effective_from, RankingMethod.document)
                           .where(RankingMethod.effective_from <= max(years))
                           .order_by(RankingMethod.effective_from.desc())).all()
    found = {}
    for year in years:
        row = next((r for r in rows if r.effective_from <= year), None)
        found[year] = DEFAULT if row is None else parse(row.document, row.effective_from)
    return found


def versions(session: Session) -> list[RankingMethod]:
    return list(session.execute(select(RankingMethod).order_by(RankingMethod.effective_from)).scalars())


# --- the administrator's edit -------------------------------------------------------------

def edited_document(current: Method, points: dict[str, object], minimums: dict[str, object]) -> dict:
    """``current``'s document with new maximum points per criterion and new minimums per
    band, as a form gives them (text; a value left out keeps the current one): every value
    a whole number; ValidationFailed otherwise."""
    fields = {}

    def number(raw, where, high):
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not 0 <= value <= high:
            fields[where] = Msg(N_("hãy nhập số nguyên từ 0 đến %(high)s"), high=high)
            return 0
        return value

    document = current.document()
    for item in document["criteria"]:
        if points.get(item["code"]) is not None:
            item["points"] = number(points[item["code"]], f"points-{item['code']}", MAX_POINTS)
    for item in document["bands"]:
        if minimums.get(item["code"]) is not None and item is not document["bands"][-1]:
            item["minimum"] = number(minimums[item["code"]], f"minimum-{item['code']}", 100 * MAX_POINTS)
    if fields:
        raise ValidationFailed(INVALID, fields=fields)
    return document


def save_method(session: Session, actor: Actor, year: int, document: dict) -> RankingMethod:
    """The method in force from ``year`` on (a new version, or that year's version
    replaced), checked by ``parse``; audited with its values before and after. A closed
    period's ranking is published: its method is changed only by a correction (rule 12)."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed(INVALID, fields={"effective_from": Msg(N_("hãy nhập năm từ 2000 đến 2100"))})
    period = session.get(ReportingPeriod, year)
    if period is not None and period.status == "closed":
        raise ValidationFailed(INVALID, fields={"effective_from": Msg(
            N_("kỳ báo cáo %(year)s đã khóa: hãy mở lại kỳ trước khi đổi phương pháp"), year=year)})
    parse(document, year)  # refuses what the scorer could not use
    row = session.execute(select(RankingMethod).where(RankingMethod.effective_from == year)).scalars().first()
    before = row.document if row is not None else None
    if row is None:
        row = RankingMethod(effective_from=year, document=document)
        session.add(row)
    else:
        row.document = document
    session.flush()
    record(session, actor, "ranking_method.update" if before else "ranking_method.create", "ranking_method",
           str(year), before=before, after=document)
    return row
