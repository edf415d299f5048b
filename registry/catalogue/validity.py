"""Validity in time of agencies and services (SPEC §2, rule 2).

A record is valid in a period between its ``valid_from`` and ``valid_to``
(either may be empty: no bound). A record switched off without a ``valid_to``
(as every record switched off before validity existed) is valid in no period.
Deactivating a record ends its validity after the last closed period, so that
closed periods keep it. No Flask here.
"""

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from registry.models import PeriodStatus, ReportingPeriod


def valid_in(model, year: int):
    """The condition: a row of ``model`` (Agency or Service) exists in period ``year``."""
    return and_(or_(model.valid_from.is_(None), model.valid_from <= year),
                or_(model.valid_to >= year, and_(model.valid_to.is_(None), model.active.is_(True))))


def is_valid(record, year: int) -> bool:
    """``valid_in`` for one record in memory."""
    if record.valid_from is not None and record.valid_from > year:
        return False
    if record.valid_to is None:
        return bool(record.active)
    return record.valid_to >= year


def last_closed_year(session: Session) -> int | None:
    return session.execute(select(ReportingPeriod.year).where(ReportingPeriod.status != PeriodStatus.open.value)
                           .order_by(ReportingPeriod.year.desc()).limit(1)).scalar()


def first_open_year(session: Session) -> int | None:
    """The first period that is not closed (§8.2): the earliest open period, or, when
    none is open, the year after the latest closed one; None without any period."""
    year = session.execute(select(ReportingPeriod.year).where(ReportingPeriod.status == PeriodStatus.open.value)
                           .order_by(ReportingPeriod.year).limit(1)).scalar()
    if year is not None:
        return year
    closed = last_closed_year(session)
    return None if closed is None else closed + 1


def default_valid_from(session: Session) -> int | None:
    """A new record's validity, when none is given: from the first period that is not
    closed, with no lower bound while no period is closed."""
    if last_closed_year(session) is None:
        return None
    return first_open_year(session)


def deactivated_valid_to(session: Session) -> int:
    """``valid_to`` of a record switched off now: the last closed period (1999, before
    every period, when none is closed)."""
    closed = last_closed_year(session)
    return 1999 if closed is None else closed


class ValidityOfRows:
    """A record's validity as a row of the file leaves it (SPEC §2): what the row gives;
    else a new record is valid from the first period that is not closed, switching a
    record off ends its validity after the last closed period, switching it on again
    lifts the end, and an existing record otherwise keeps its validity."""

    def __init__(self, session):
        self.first = default_valid_from(session)
        self.last = deactivated_valid_to(session)

    def __call__(self, r: dict, current, active: bool) -> dict:
        if current is None:
            start, end = self.first, (None if active else self.last)
        else:
            start, end = current.valid_from, current.valid_to
            if current.active and not active:
                end = self.last
            elif active and not current.active:
                end = None
        return {"valid_from": r["valid_from"] if r["valid_from"] is not None else start,
                "valid_to": r["valid_to"] if r["valid_to"] is not None else end}
