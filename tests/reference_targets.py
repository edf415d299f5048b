"""A plain-Python reference for the target engine, written from SPEC §3.

Deliberately naive and independent of ``registry.targets.engine``: it loads every
relevant row with simple ORM selects and computes in Python on integers and
``fractions.Fraction``. The property test compares the engine's results with
this one's; it is not meant to be fast.

Rules restated (SPEC §3, "Computation rules"):

* basis ``verified``: a submission is in the basis iff it has a verified copy
  (``verified_sequence`` is not None); the figures are that copy's, even if the
  submission has since been reopened, edited or resubmitted.
* basis ``reported``: state submitted/verified → the submission's current
  figures; otherwise, if it has a verified copy → that copy; else not in the basis.
* only agencies and services *valid in the period* count (rule 2, §2), whatever
  ``active`` says today: ``valid_from`` and ``valid_to`` are the first and last
  period in which the record exists (empty ``valid_from``: no first period);
  an empty ``valid_to`` means it still exists, i.e. it exists in every period
  from its start on while ``active`` ("valid in the open period") — a record
  switched off with no ``valid_to`` exists in no period. A service is valid in
  a period only while its agency is too.
* service targets count procedures (SPEC v2 §3 rule 3): the procedures are the
  distinct ``procedure_code`` of the valid services (offerings); a valid
  service is known when its own agency's submission is in the basis (a known
  service without a status row in the figures that count is level 0); a
  procedure is known when every one of its valid services is, and its level is
  then the lowest of theirs (an offering not valid in the period neither lowers
  it nor leaves it unknown); an unknown procedure meets no level. numerator =
  known procedures at ≥ min_level, denominator = procedures, coverage = known
  procedures. ``reference_offerings`` gives the same over valid services.
* agency_flag_share: denominator = valid in-scope agencies; numerator = those
  in the basis whose figures have every flag true (NULL is not true). A
  submission of an agency not valid in the period counts nowhere.
* report_sum_ratio: sums over valid in-scope agencies in the basis.
  An agency whose numerator or denominator figure is unknown (NULL: possible in
  a copy made by the administrator's import path, which does not require every
  field) is left out of both sums: an unknown figure cannot be summed.
* met on exact integers; zero denominator → value None, met False.
* value: percent rounded half away from zero to one decimal; a count target's
  value is the count itself.
"""

import math
from fractions import Fraction

from sqlmodel import Session, select

from registry.models import (
    Agency,
    Service,
    ServiceStatus,
    Submission,
    Target,
    VerifiedCopy,
    VerifiedServiceStatus,
)

SERVICE_FORMULAS = ("service_level_share", "service_level_count")
COUNTED_STATES = ("submitted", "verified")


def ref_parse_scope(scope):
    """"tier:kind,kind;tier:kind" → [(tier | None, frozenset(kinds) | None)]; "*" = any."""
    clauses = []
    for clause in (scope or "*:*").split(";"):
        clause = clause.strip()
        if not clause:
            continue
        tier, _, kinds = clause.partition(":")
        tier = tier.strip()
        kind_set = frozenset(k.strip() for k in kinds.split(",") if k.strip())
        clauses.append((None if tier in ("", "*") else tier,
                        None if (not kind_set or "*" in kind_set) else kind_set))
    return clauses or [(None, None)]


def ref_in_scope(clauses, agency) -> bool:
    return any((tier is None or tier == agency.tier) and (kinds is None or agency.kind in kinds)
               for tier, kinds in clauses)


def ref_percent(numerator: int, denominator: int) -> float:
    """Percentage with one decimal, half away from zero (all inputs are ≥ 0)."""
    tenths = Fraction(numerator * 1000, denominator)
    return math.floor(tenths + Fraction(1, 2)) / 10


def ref_met(target, numerator: int, denominator: int) -> bool:
    if denominator == 0:
        return False
    if target.unit == "count":
        left, right = numerator, target.threshold
    else:
        left, right = numerator * 100, target.threshold * denominator
    return left > right if target.comparator == ">" else left >= right


def ref_exists(record, period: int) -> bool:
    """Whether an agency or service exists in ``period`` (SPEC §2 and rule 2), from the
    words: it has begun (no valid_from, or valid_from is this period or earlier) and
    has not ended (valid_to is this period or later; with no valid_to it "still
    exists" exactly when it is active)."""
    if record.valid_from is not None and period < record.valid_from:
        return False  # not yet
    if record.valid_to is not None:
        return period <= record.valid_to
    return record.active is True


def _valid_records(session: Session, period: int) -> tuple[list, list]:
    """(agencies valid in ``period``, services valid in it whose agency is valid in it too)."""
    agencies = {a.id: a for a in session.exec(select(Agency)).all()}
    valid_agencies = [a for a in agencies.values() if ref_exists(a, period)]
    valid_services = [s for s in session.exec(select(Service)).all()
                      if ref_exists(s, period) and ref_exists(agencies[s.agency_id], period)]
    return valid_agencies, valid_services


class _Figures:
    """What counts for one agency: a report-like object and {service_id: level}."""

    def __init__(self, report, levels):
        self.report = report
        self.levels = levels


def _load_figures(session: Session, period: int, basis: str) -> dict[int, _Figures]:
    """agency_id → figures that count, for the agencies whose submission is in the basis."""
    if basis not in ("verified", "reported"):
        raise ValueError(basis)
    submissions = session.exec(select(Submission).where(Submission.period_year == period)).all()
    copies = {(c.submission_id, c.sequence): c for c in session.exec(select(VerifiedCopy)).all()}
    copy_levels: dict[int, dict[int, int]] = {}
    for s in session.exec(select(VerifiedServiceStatus)).all():
        copy_levels.setdefault(s.copy_id, {})[s.service_id] = s.level
    current_levels: dict[int, dict[int, int]] = {}
    for s in session.exec(select(ServiceStatus)).all():
        current_levels.setdefault(s.submission_id, {})[s.service_id] = s.level

    figures = {}
    for sub in submissions:
        copy = copies.get((sub.id, sub.verified_sequence)) if sub.verified_sequence is not None else None
        if basis == "reported" and sub.state in COUNTED_STATES:
            figures[sub.agency_id] = _Figures(sub, current_levels.get(sub.id, {}))
        elif copy is not None:
            figures[sub.agency_id] = _Figures(copy, copy_levels.get(copy.id, {}))
    return figures


def reference_targets(session: Session, period: int, basis: str = "verified", targets=None) -> list[tuple]:
    """[(code, numerator, denominator, value, met, covered, total)] for every
    active target (or the given ones), ordered by (position, code)."""
    if targets is None:
        targets = session.exec(select(Target).where(Target.active)).all()
        targets = sorted(targets, key=lambda t: (t.position, t.code))
    valid_agencies, valid_services = _valid_records(session, period)
    figures = _load_figures(session, period, basis)

    out = []
    for target in targets:
        if target.formula in SERVICE_FORMULAS:
            by_procedure: dict[str, list] = {}
            for s in valid_services:
                by_procedure.setdefault(s.procedure_code, []).append(s)
            levels = {}  # procedure → its level, for the known ones
            for code, offered in by_procedure.items():
                if all(s.agency_id in figures for s in offered):
                    levels[code] = min(figures[s.agency_id].levels.get(s.id, 0) for s in offered)
            total = len(by_procedure)
            covered = len(levels)
            numerator = sum(1 for level in levels.values() if level >= target.min_level)
            denominator = total
        else:
            clauses = ref_parse_scope(target.scope)
            scoped = [a for a in valid_agencies if ref_in_scope(clauses, a)]
            in_basis = [a for a in scoped if a.id in figures]
            total, covered = len(scoped), len(in_basis)
            if target.formula == "agency_flag_share":
                flags = [f.strip() for f in target.flags.split(",") if f.strip()]
                numerator = sum(1 for a in in_basis
                                if all(getattr(figures[a.id].report, f) is True for f in flags))
                denominator = total
            elif target.formula == "report_sum_ratio":
                known = [figures[a.id].report for a in in_basis
                         if getattr(figures[a.id].report, target.numerator_field) is not None
                         and getattr(figures[a.id].report, target.denominator_field) is not None]
                numerator = sum(getattr(r, target.numerator_field) for r in known)
                denominator = sum(getattr(r, target.denominator_field) for r in known)
            else:  # pragma: no cover - every formula is handled above
                raise ValueError(target.formula)
        if denominator == 0:
            value = None
        elif target.unit == "count":
            value = numerator
        else:
            value = ref_percent(numerator, denominator)
        out.append((target.code, numerator, denominator, value, ref_met(target, numerator, denominator),
                    covered, total))
    return out


def reference_offerings(session: Session, period: int, basis: str = "verified", targets=None) -> dict[str, tuple]:
    """{code: (numerator, denominator, value, covered, total)} of every service target,
    over services (offerings): a service outside the basis meets no level."""
    if targets is None:
        targets = session.exec(select(Target).where(Target.active)).all()
    _, valid_services = _valid_records(session, period)
    figures = _load_figures(session, period, basis)
    out = {}
    for target in targets:
        if target.formula not in SERVICE_FORMULAS:
            continue
        known = [s for s in valid_services if s.agency_id in figures]
        numerator = sum(1 for s in known if figures[s.agency_id].levels.get(s.id, 0) >= target.min_level)
        denominator = len(valid_services)
        if denominator == 0:
            value = None
        elif target.unit == "count":
            value = numerator
        else:
            value = ref_percent(numerator, denominator)
        out[target.code] = (numerator, denominator, value, len(known), denominator)
    return out
