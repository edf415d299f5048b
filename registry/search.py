"""Vietnamese search and sort keys.

Search ignores diacritics and case: "dang ky khai sinh" finds "Đăng ký khai
sinh". Lists sort in Vietnamese alphabetical order (a ă â b c d đ e ê … with
the tones after the letters), which neither byte order nor most database
collations give. Both keys are stored beside the name so that the database can
filter, order and page by them with an index.
"""

import re
import unicodedata

# The Vietnamese alphabet; letters outside it (f, j, w, z) sort where Latin puts them.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i for i, ch in enumerate(ALPHABET)}
# Tone marks, in the order Vietnamese dictionaries use: none, grave, hook, tilde, acute, dot below.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a new letter rather than a tone: breve (ă), circumflex (â ê ô), horn (ơ ư).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower case, without diacritics, đ as d, single spaces: the search key."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def sort_key(text: str | None) -> str:
    """A key whose plain byte order is Vietnamese alphabetical order.

    Letters compare first (with ă, â, đ, ê, ô, ơ, ư as letters of their own), then
    tones; so "ba" < "bà" < "bá" < "bă" < "bâ" < "bb".
    """
    if not text:
        return ""
    letters, tones = [], []
    for cluster in _clusters(unicodedata.normalize("NFD", text.lower())):
        base, marks = cluster[0], cluster[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        tone = max((_TONES.get(m, 0) for m in marks), default=0)
        rank = _LETTER_RANK.get(letter)
        if rank is not None:
            letters.append(f"b{rank:02d}")
        elif letter.isspace():
            letters.append("a00")
        else:
            letters.append(f"c{ord(letter[0]):05x}")
        tones.append(str(tone))
    # the tones break ties only after every letter compared equal; "0" sorts before any
    # letter code, so a name sorts before the longer names it begins
    return "".join(letters) + "0" + "".join(tones)


def _clusters(decomposed: str):
    cluster = ""
    for ch in decomposed:
        if unicodedata.combining(ch) and cluster:
            cluster += ch
        else:
            if cluster:
                yield cluster
            cluster = ch
    if cluster:
        yield cluster


def search_terms(query: str | None) -> list[str]:
    """The folded words of a query, for matching every word anywhere in the key."""
    return [w for w in fold(query).split(" ") if w][:10]
