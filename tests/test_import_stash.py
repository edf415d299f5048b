"""Files kept between an import's dry run and the import (registry/dataio/stash.py)."""

from datetime import timedelta

from registry.dataio import stash
from registry.models import ImportStash, utcnow


def test_a_kept_file_is_given_back_to_its_owner_while_it_is_kept(db, make):
    owner, other = make.user("admin"), make.user("admin")
    now = utcnow()
    token = stash.keep(db, owner.id, "agencies", "coquan.csv", b"code,name\n", now=now)
    db.commit()
    kept = stash.take(db, token, owner.id, now=now + timedelta(hours=1))
    assert (kept.kind, kept.filename, kept.data) == ("agencies", "coquan.csv", b"code,name\n")
    assert stash.take(db, token, other.id, now=now) is None  # another administrator's token is no key
    assert stash.take(db, token, owner.id, now=now + timedelta(hours=stash.STASH_HOURS, seconds=1)) is None
    for wrong in (None, "", "x" * 65, "../../secret_key"):
        assert stash.take(db, wrong, owner.id, now=now) is None


def test_keeping_a_file_clears_the_expired_ones(db, make):
    owner = make.user("admin")
    start = utcnow()
    old = stash.keep(db, owner.id, "services", "a.csv", b"1", now=start)
    db.commit()
    fresh = stash.keep(db, owner.id, "services", "b.csv", b"2", now=start + timedelta(hours=stash.STASH_HOURS + 1))
    db.commit()
    assert db.get(ImportStash, old) is None and db.get(ImportStash, fresh) is not None
