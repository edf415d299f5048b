"""What a target is (SPEC §3): its formula's parameters, its scope of agencies, and
the administrator's operations that create and change one (checked, audited)."""

from sqlalchemy import func
from sqlmodel import Session, select

from registry.audit import Actor
from registry.audit.records import RecordKind, create_record, update_record
from registry.catalogue.levels import LEVELS, MAX_LEVEL, MIN_LEVEL
from registry.catalogue.records import by_code
from registry.core.errors import N_, Msg
from registry.core.validation import MAX_COUNT, FormReader, clean_text
from registry.models import REPORT_COUNTS, REPORT_FLAGS, Comparator, Formula, Kind, Target, Tier, Unit

SERVICE_FORMULAS = (Formula.service_level_share.value, Formula.service_level_count.value)
MAX_POSITION = 100_000
TARGET_FIELDS = ("code", "title_vi", "title_en", "citation", "unit", "comparator", "threshold", "deadline",
                 "formula", "min_level", "flags", "numerator_field", "denominator_field", "scope", "position",
                 "active")

# The formula parameters each kind of target uses; the others are cleared.
FORMULA_PARAMETERS = {
    Formula.service_level_share.value: ("min_level",),
    Formula.service_level_count.value: ("min_level",),
    Formula.agency_flag_share.value: ("flags", "scope"),
    Formula.report_sum_ratio.value: ("numerator_field", "denominator_field", "scope"),
}
PARAMETERS = ("min_level", "flags", "numerator_field", "denominator_field", "scope")

# What definition_errors names, as a message for the page.
DEFINITION_MESSAGES = {
    "min_level": N_("hãy chọn mức độ dịch vụ phải đạt"),
    "flags": N_("hãy chọn ít nhất một tiêu chí của báo cáo"),
    "numerator_field": N_("hãy chọn một số liệu của báo cáo"),
    "denominator_field": N_("hãy chọn một số liệu của báo cáo"),
    "formula": N_("công thức không hợp lệ"),
    "unit": N_("đơn vị «số lượng» chỉ dùng với công thức đếm số dịch vụ"),
}

Scope = list[tuple[str | None, frozenset[str] | None]]


# --- target definitions --------------------------------------------------------

def parse_scope(scope: str | None) -> Scope:
    """``"district:department,people_committee;province:people_committee"`` → clauses.

    A clause is ``tier:kinds``; ``*`` (or nothing) stands for any tier or any
    kind. An empty scope means every agency.
    """
    clauses: Scope = []
    for clause in (scope or "*:*").split(";"):
        clause = clause.strip()
        if not clause:
            continue
        tier, _, kinds = clause.partition(":")
        tier = tier.strip()
        kind_set = frozenset(k.strip() for k in kinds.split(",") if k.strip())
        clauses.append((None if tier in ("", "*") else tier,
                        None if not kind_set or "*" in kind_set else kind_set))
    return clauses or [(None, None)]


ANY_KIND = "*"


def scope_cells(scope: str | None) -> set[tuple[str, str]]:
    """The (tier, kind) cells ``scope`` covers, kind ``*`` for every kind of a tier: the
    grid of the administrators' pages (an unknown name is kept, for the checks to name)."""
    tiers = [t.value for t in Tier]
    cells: set[tuple[str, str]] = set()
    for tier, kinds in parse_scope(scope):
        for each in ([tier] if tier else tiers):
            cells |= {(each, ANY_KIND)} if kinds is None else {(each, kind) for kind in kinds}
    return cells


def scope_from_cells(cells) -> str:
    """The scope of the chosen (tier, kind) cells, in a stable order: a tier with every kind
    chosen is ``tier:*``; the same kinds at every tier ``*:kinds`` (every kind of every tier
    ``*:*``); no cell at all is ``""``."""
    tiers, kinds = [t.value for t in Tier], [k.value for k in Kind]
    chosen: dict[str, set[str]] = {}
    for tier, kind in cells:
        chosen.setdefault(tier, set()).add(kind)
    for tier, picked in chosen.items():
        if ANY_KIND in picked or set(kinds) <= picked:
            chosen[tier] = {ANY_KIND}
    if set(chosen) == set(tiers) and len({frozenset(picked) for picked in chosen.values()}) == 1:
        picked = chosen[tiers[0]]  # the same kinds at every tier
        return f"*:{ANY_KIND if ANY_KIND in picked else ','.join(_named_kinds(picked, kinds))}"
    clauses = []
    for tier in tiers + sorted(set(chosen) - set(tiers)):
        picked = chosen.get(tier)
        if picked:
            clauses.append(f"{tier}:{ANY_KIND if ANY_KIND in picked else ','.join(_named_kinds(picked, kinds))}")
    return ";".join(clauses)


def _named_kinds(picked: set[str], kinds: list[str]) -> list[str]:
    """Known kinds in their order, then any unknown one (for the checks to name)."""
    return [k for k in kinds if k in picked] + sorted(picked - set(kinds) - {ANY_KIND})


def same_scope(one: str | None, other: str | None) -> bool:
    """Whether two scopes cover the same agencies, however written."""
    return scope_cells(one) == scope_cells(other)


def in_scope(clauses: Scope, tier: str, kind: str) -> bool:
    return any((t is None or t == tier) and (k is None or kind in k) for t, k in clauses)


def target_flags(target: Target) -> tuple[str, ...]:
    return tuple(sorted(f.strip() for f in (target.flags or "").split(",") if f.strip()))


def definition_errors(target: Target) -> dict[str, str]:
    """What is wrong with a target row's formula parameters (empty when usable)."""
    errors = {}
    if target.formula in SERVICE_FORMULAS:
        if target.min_level is None or not MIN_LEVEL <= target.min_level <= MAX_LEVEL:
            errors["min_level"] = "min_level"
    elif target.formula == Formula.agency_flag_share.value:
        flags = target_flags(target)
        if not flags or any(f not in REPORT_FLAGS for f in flags):
            errors["flags"] = "flags"
    elif target.formula == Formula.report_sum_ratio.value:
        for name in ("numerator_field", "denominator_field"):
            if getattr(target, name) not in REPORT_COUNTS:
                errors[name] = name
    else:
        errors["formula"] = "formula"
    if target.formula != Formula.service_level_count.value and target.unit != Unit.percent.value:
        errors["unit"] = "unit"
    return errors


# --- the administrator's operations ---------------------------------------------------

def target_values(target: Target) -> dict:
    return {name: getattr(target, name) for name in TARGET_FIELDS}


def scope_errors(scope: str | None) -> str | None:
    """A message when ``scope`` (the syntax of targets.parse_scope) names a tier or
    kind that does not exist."""
    tiers = [t.value for t in Tier]
    kinds = [k.value for k in Kind]
    for tier, kind_set in parse_scope(scope):
        if tier is not None and tier not in tiers:
            return Msg(N_("không có cấp «%(value)s»; các cấp là: %(choices)s, hoặc *"),
                       value=tier, choices=", ".join(tiers))
        for kind in sorted(kind_set or ()):
            if kind not in kinds:
                return Msg(N_("không có loại cơ quan «%(value)s»; các loại là: %(choices)s, hoặc *"),
                           value=kind, choices=", ".join(kinds))
    return None


def _flag_list(value) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [clean_text(item) for item in items if clean_text(item)]


TARGET_TAKEN = N_("đã có chỉ tiêu mã %(code)s")


def _any_published(session: Session) -> bool:
    """Whether any period has been published: a target's code never changes after (rule 11)."""
    from registry.models import PublishedPart

    return session.exec(select(PublishedPart.period_year).limit(1)).first() is not None


def _check_target(session: Session, values: dict, target: Target | None) -> tuple[dict, dict]:
    f = FormReader(values)
    clean = {
        "code": f.code("code"),
        "title_vi": f.text("title_vi", 1000),
        "title_en": f.text("title_en", 1000),
        "citation": f.text("citation", 1000),
        "unit": f.choice("unit", [u.value for u in Unit]),
        "comparator": f.choice("comparator", [c.value for c in Comparator]),
        "threshold": f.integer("threshold", 0, MAX_COUNT),
        "deadline": f.year("deadline"),
        "formula": f.choice("formula", [x.value for x in Formula]),
        "min_level": f.integer("min_level", MIN_LEVEL, MAX_LEVEL, required=False,
                               range_message=Msg(N_("mức độ phải là một trong %(levels)s"),
                                                 levels=", ".join(str(lv.number) for lv in LEVELS))),
        "numerator_field": f.choice("numerator_field", REPORT_COUNTS, required=False),
        "denominator_field": f.choice("denominator_field", REPORT_COUNTS, required=False),
        "scope": f.text("scope", 255, required=False),
        "position": f.integer("position", 0, MAX_POSITION, required=False),
        "active": f.boolean("active"),
    }
    flags = _flag_list(values.get("flags"))
    unknown = [flag for flag in flags if flag not in REPORT_FLAGS]
    if unknown:
        f.fail("flags", Msg(N_("phải là một trong: %(choices)s"), choices=", ".join(REPORT_FLAGS)))
    clean["flags"] = ",".join(flag for flag in REPORT_FLAGS if flag in flags) or None
    if clean["scope"] and "scope" not in f.errors:
        problem = scope_errors(clean["scope"])
        if problem:
            f.fail("scope", problem)
    if clean["unit"] == Unit.percent.value and clean["threshold"] is not None and clean["threshold"] > 100:
        f.fail("threshold", N_("tỷ lệ không được lớn hơn 100"))
    if clean["formula"] in FORMULA_PARAMETERS:
        used = FORMULA_PARAMETERS[clean["formula"]]
        for name in PARAMETERS:
            if name not in used:
                clean[name] = None  # parameters of another formula mean nothing here
                f.errors.pop(name, None)
        if clean["unit"] is not None and not f.errors.keys() & set(used):
            probe = Target(**{**clean, "position": 0})
            for name in definition_errors(probe):
                f.fail(name, DEFINITION_MESSAGES.get(name, N_("không hợp lệ")))
    code = clean["code"]
    if code and "code" not in f.errors:
        other = by_code(session, Target, code)
        if other is not None and (target is None or other.id != target.id):
            f.taken["code"] = Msg(TARGET_TAKEN, code=code)
        elif target is not None and code != target.code and _any_published(session):
            f.fail("code", N_("mã chỉ tiêu không đổi được sau khi đã công bố (quy tắc 11)"))
    f.check(TARGETS.invalid)
    if clean["position"] is None:
        # a new target goes last; an edit that leaves the position empty puts it first
        last = session.exec(select(func.max(Target.position))).first() or 0
        clean["position"] = last + 1 if target is None else 0
    return clean, clean


TARGETS = RecordKind(Target, "target", TARGET_FIELDS, N_("Định nghĩa chỉ tiêu chưa hợp lệ."), TARGET_TAKEN,
                     lambda _session, target: target_values(target), _check_target,
                     defaults={"active": True, "position": None})


def create_target(session: Session, actor: Actor, values: dict) -> Target:
    """A new target row; refused unless the target engine can compute it."""
    return create_record(session, actor, TARGETS, values)


def update_target(session: Session, actor: Actor, target: Target, changes: dict) -> Target:
    """The fields to change; a field left out keeps its value, and so does a scope written
    otherwise but covering the same agencies."""
    if "scope" in changes and same_scope(changes["scope"], target.scope):
        changes = {**changes, "scope": target.scope}
    return update_record(session, actor, TARGETS, target, changes)
