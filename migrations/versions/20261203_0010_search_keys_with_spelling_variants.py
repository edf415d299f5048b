"""search keys that treat spelling variants alike

Revision ID: 0010
Revises: 0007e
Create Date: 2026-12-03 14:30:00.000000

The search key of every agency and service (name_key, registry/core/search.py)
now writes i for a y that ends a syllable after a consonant, as Vietnamese
spells such words both ways ("đăng ký" and "đăng kí", "quy định" and "qui
định"); the old and new placement of tone marks ("hoà"/"hòa") was already
folded away. This revision rewrites the keys of the existing rows that hold
such a y. The search index follows the keys by itself: on SQLite the FTS5
triggers re-index each rewritten service, on PostgreSQL the GIN index is kept
by the database; both are then optimised or analysed.

The rule is frozen here as it was when this revision was written. Nothing for
an administrator to check: names are not changed, only the keys beside them;
on a large registry (100 000 services) the upgrade takes some seconds.
"""
import re
import unicodedata
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, None] = '0007e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_CONSONANTS = "b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x"
FINAL_Y = re.compile(r"(?<![^\W_])(%s)y(?![^\W_])" % _CONSONANTS)
SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
BATCH = 5000


def _table(name: str):
    return sa.table(name, sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name", sa.String),
                    sa.column("name_en", sa.String), sa.column("name_key", sa.Text))


def _write(keyed, changed: list[dict]) -> None:
    update = sa.update(keyed).where(keyed.c.id == sa.bindparam("row")).values(name_key=sa.bindparam("key"))
    for start in range(0, len(changed), BATCH):
        op.get_bind().execute(update, changed[start:start + BATCH])


def _with_variants(name: str) -> None:
    """The keys that hold a final y after a consonant, with i instead."""
    keyed = _table(name)
    rows = op.get_bind().execute(sa.select(keyed.c.id, keyed.c.name_key).where(keyed.c.name_key.like("%y%"))).all()
    _write(keyed, [{"row": row.id, "key": key} for row in rows
                   if (key := FINAL_Y.sub(r"\1i", row.name_key)) != row.name_key])


def _old_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return SPACES.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def _without_variants(name: str) -> None:
    """The keys as the earlier rule made them from the names."""
    keyed = _table(name)
    rows = op.get_bind().execute(sa.select(keyed.c.id, keyed.c.code, keyed.c.name, keyed.c.name_en,
                                           keyed.c.name_key).where(keyed.c.name_key.like("%i%"))).all()
    _write(keyed, [{"row": row.id, "key": key} for row in rows
                   if (key := _old_fold(" ".join(filter(None, (row.code, row.name, row.name_en)))))
                   != row.name_key])


def _settle() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("INSERT INTO service_search (service_search) VALUES ('optimize')")
    elif bind.dialect.name == "postgresql":
        op.execute("ANALYZE service")
        op.execute("ANALYZE agency")


def upgrade() -> None:
    for table in ("agency", "service"):
        _with_variants(table)
    _settle()


def downgrade() -> None:
    for table in ("agency", "service"):
        _without_variants(table)
    _settle()
