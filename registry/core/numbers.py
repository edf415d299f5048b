"""Numbers as people read them in each language, through Babel's locale data:
Vietnamese groups thousands with a dot and writes the decimal comma ("10.467", "44,1 %"),
English the other way round ("10,467", "44.1%"). Used by the pages' filters
(web/templating.py), the command line and the human-readable exports; machine-readable
files (CSV, JSON, the API) keep plain numbers. No Flask here.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import format_decimal

UNKNOWN = "—"


def _plain(value):
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value


def _half_up(value, places: int) -> Decimal:
    """The value to ``places`` decimals, a half rounded up (rule 7), as Babel is then given it:
    Babel itself would round a half to even ("62,25" → "62,2"). A float is taken as it prints."""
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# Formatting through Babel costs tens of microseconds a number; a ranking of 12 000 agencies
# writes a few thousand distinct scores. The same value of the same type in the same
# language is written the same way, so it is kept (typed: 1, 1.0 and True stay apart).
@lru_cache(maxsize=8192, typed=True)
def number(value, language: str = "vi", digits: int | None = None) -> str:
    """A count ("10.467") or, with ``digits``, a decimal with that many places ("3,5")."""
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, bool):
        return str(value)
    value = _plain(value)
    if digits is None:
        whole = value == int(value)
        pattern = "#,##0" if whole else "#,##0.###"
        value = value if whole else _half_up(value, 3)
    else:
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        value = _half_up(value, digits)
    return format_decimal(value, format=pattern, locale=language, decimal_quantization=True)


def exact(text, language="vi") -> str:
    """An exact decimal kept as text ("3.5", "2000"), every digit kept, as the language writes it
    ("3,5", "2.000" in Vietnamese)."""
    if text is None or text == "":
        return UNKNOWN
    return format_decimal(Decimal(text), locale=language, decimal_quantization=False)


def percent(value, language: str = "vi", digits: int = 1) -> str:
    """A percentage already multiplied by 100: "44,1 %" in Vietnamese, "44.1%" in English."""
    if value is None or value == "":
        return UNKNOWN
    shown = number(value, language, digits)
    return f"{shown}\u00a0%" if language == "vi" else f"{shown}%"
