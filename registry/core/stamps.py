"""What a value kept for others is stamped with: the bases tokens are kept for, the
generation row everything depends on, and how a period's stamp is made of the tokens
(core/generations.py moves them).

Apart from core/generations.py, which needs SQLAlchemy, so that a reader through the
database's own driver (targets/shared.py) stamps exactly as the cache does.
"""

import hashlib

BASES = ("verified", "reported")  # the figures tokens are kept for: verified data only, or as reported too
EVERY_PERIOD = 0  # the generation row everything depends on (no year is 0)


def stamp(found: dict[int, str], period: int) -> str:
    """What a period's figures depend on: EVERY_PERIOD's token and the period's own."""
    return f"{found[EVERY_PERIOD]}.{found.get(period, '')}"


def stamp_through(found: dict[int, str], period: int) -> str:
    """What a value depending on every period up to ``period`` depends on (a ranking:
    the previous closed period's figures count too): one digest of all their tokens."""
    joined = "|".join(f"{year}:{token}" for year, token in sorted(found.items()) if year <= period)
    return hashlib.sha256(joined.encode()).hexdigest()
