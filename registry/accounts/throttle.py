"""How many attempts were made lately: sign-ins per account and per client address,
and checks of a signed-in user's current password.

Each key has one row in ``attempt_counter``. An attempt first increments its row
(an ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, the same statement on
PostgreSQL and SQLite) and is refused when the count it gets back is over the
limit; only then is the password checked. The increment locks the row until
the request commits (on SQLite the request's transaction holds the write lock),
so concurrent attempts are counted one after another: eighteen parallel wrong
passwords give at most the limit's number of password checks. An attempt that
succeeds gives its count back. The window starts at the first attempt and
ends ``THROTTLE_WINDOW`` later; the database is the shared store, so the limit
holds across all workers and servers. Reading a count is a primary-key lookup,
whatever the size of the audit log.
"""

from datetime import timedelta

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from registry.accounts.passwords import normalise_email
from registry.models import AttemptCounter, utcnow

# Failed sign-ins allowed within the window, per account and per client address.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
# Wrong current passwords allowed within the window on /account/password, per user.
MAX_PASSWORD_CHECKS = 5


# Refusals of anonymous requests (no account to blame), per client address: counted per
# minute in one row, logged once a minute, so that a flood neither grows the audit log nor
# holds the write lock for long; past the limit the answer is 429.
REFUSAL_WINDOW = timedelta(minutes=1)
MAX_ANONYMOUS_REFUSALS = 300


def refusal_key(address: str) -> str:
    return "refused:address:" + address[:64]


def account_key(email: str) -> str:
    return "login:account:" + normalise_email(email)[:254]


def address_key(address: str) -> str:
    return "login:address:" + address[:64]


def password_check_key(user_id: int) -> str:
    return f"password:user:{user_id}"


def count_attempt(session: Session, key: str, window: timedelta = THROTTLE_WINDOW) -> int:
    """Count one more attempt for ``key`` and return the count within the window, this one included."""
    table = AttemptCounter.__table__
    now = utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(key=key, window_start=now, count=1)
    over = table.c.window_start < now - window
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"count": case((over, 1), else_=table.c.count + 1),
              "window_start": case((over, now), else_=table.c.window_start)},
    ).returning(table.c.count)
    return session.execute(statement).scalar_one()


def count_refusal(session: Session, address: str) -> tuple[int, int | None]:
    """Count an anonymous refusal from ``address``: its number within the minute and, when it
    opens a new minute, how many the minute before counted (None otherwise)."""
    table, key = AttemptCounter.__table__, refusal_key(address)
    ended = session.execute(select(table.c.count).where(
        table.c.key == key, table.c.window_start < utcnow() - REFUSAL_WINDOW)).scalar()
    count = count_attempt(session, key, REFUSAL_WINDOW)
    return count, ended if count == 1 else None


def give_back(session: Session, *keys: str) -> None:
    """An attempt that succeeded is no failure: its counts go back."""
    table = AttemptCounter.__table__
    session.execute(table.update().where(table.c.key.in_(keys), table.c.count > 0)
                    .values(count=table.c.count - 1))


def sign_in_allowed(session: Session, email: str, address: str | None) -> tuple[bool, list[str]]:
    """Count a sign-in attempt for the account and the address; whether it may go on, and the keys counted."""
    keys = [account_key(email)]
    allowed = count_attempt(session, keys[0]) <= MAX_FAILURES_PER_ACCOUNT
    if address:
        keys.append(address_key(address))
        allowed = count_attempt(session, keys[1]) <= MAX_FAILURES_PER_ADDRESS and allowed
    return allowed, keys
