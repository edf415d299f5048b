"""Reading a list a page at a time, by key: the cursor names the last row shown, and the
next page is read from the index of the list's order from there on. Shared by the
catalogue's lists of services and agencies. No Flask here."""

from dataclasses import dataclass

from sqlalchemy import Text, and_, literal_column, or_
from sqlmodel import Session

from registry.core.search import spellings, word_prefix_pattern


@dataclass(frozen=True)
class Page:
    rows: list
    total: int
    next: str | None  # the cursor of the next page, None on the last


def page_count(total: int, size: int) -> int:
    """How many pages of ``size`` a list of ``total`` rows takes: one at least (an empty list's)."""
    return max(1, -(-total // size))


def beyond(columns, values):
    """Rows strictly after ``values`` in the order of ``columns`` (all ascending).

    Written as ``first >= v1 AND (first > v1 OR (second, …) > (v2, …))`` so that
    both engines seek the index of the order to the cursor rather than filter
    every row before it.
    """
    return and_(columns[0] >= values[0], strictly_beyond(columns, values))


def strictly_beyond(columns, values):
    (column, value), rest = (columns[0], values[0]), (columns[1:], values[1:])
    if not rest[0]:
        return column > value
    return or_(column > value, and_(column == value, strictly_beyond(*rest)))


def code_order(dialect: str, code):
    """Codes break ties in byte order on both engines (a PostgreSQL database's collation may not)."""
    return code.collate("C") if dialect == "postgresql" else code


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def word_prefixes(key, terms: list[str]):
    """Each term begins a word of ``key`` (search.py), tested row by row: LIKE '% term%' on ' ' || key."""
    words = literal_column("' '", Text) + key
    return and_(*[or_(*[words.like(word_prefix_pattern(s), escape="\\") for s in spellings(term)])
                   for term in terms])


def localised(name: str, name_en: str | None, lang: str) -> str:
    return name_en if lang == "en" and name_en else name


