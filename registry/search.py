"""Vietnamese search and sort keys, and what a search matches.

Search ignores diacritics and case: "dang ky khai sinh" finds "Đăng ký khai
sinh". Lists sort in Vietnamese alphabetical order (a ă â b c d đ e ê … with
the tones after the letters), which neither byte order nor most database
collations give. Both keys are stored beside the name so that the database can
filter, order and page by them with an index.

A record matches a query when every word of the folded query begins a word of
its folded key (code, name and English name): "dang ky" finds "Đăng ký kết
hôn", "1.00" finds the code "1.001", "k" finds every key with a word starting with k.
A word is what spaces delimit, punctuation included ("100%", "p_3", "1.001").
Word beginnings, not arbitrary substrings, because that is what an index of
words answers, on both engines (models.py: FTS5 on SQLite, a GIN index of the
words on PostgreSQL), however many services match and however short the word:
Vietnamese words are syllables of one to seven letters, so "ky", "y" or "xa"
are common words to search for, and a substring index (trigrams) cannot look
up a string shorter than three letters.
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
# Control characters separate words like spaces (the FTS5 tokenizer treats them so).
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
# Every printable ASCII character that is not a letter or digit: part of a word, not a separator.
WORD_PUNCTUATION = "".join(ch for ch in map(chr, range(33, 127)) if not ch.isalnum())


def fold(text: str | None) -> str:
    """Lower case, without diacritics, đ as d, words separated by single spaces: the search key."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


SORT_KEY_LETTERS = 250


def sort_key(text: str | None) -> str:
    """A key whose plain byte order is Vietnamese alphabetical order.

    Letters compare first (with ă, â, đ, ê, ô, ơ, ư as letters of their own), then
    tones; so "ba" < "bà" < "bá" < "bă" < "bâ" < "bb".
    """
    if not text:
        return ""
    letters, tones = [], []
    # four key characters per letter: the first SORT_KEY_LETTERS letters decide the order
    # (ties fall to the code) and the key fits its column (models.BINARY_SORT)
    text = unicodedata.normalize("NFC", text)[:SORT_KEY_LETTERS]
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
    """The folded words of a query; a record matches when each begins a word of its key."""
    return [w for w in fold(query).split(" ") if w][:10]


def fts5_query(terms: list[str]) -> str:
    """The SQLite FTS5 query for ``terms``: each, quoted, as the beginning of a word."""
    return " AND ".join('"%s"*' % term.replace('"', '""') for term in terms)


def tsquery(terms: list[str]) -> str:
    """The PostgreSQL tsquery for ``terms``: each, quoted, as the beginning of a word."""
    return " & ".join("'%s':*" % term.replace("\\", "\\\\").replace("'", "''") for term in terms)


def word_prefix_pattern(term: str) -> str:
    """The LIKE pattern (escape character ``\\``) that ``' ' || key`` matches when
    ``term`` begins one of the key's words: the same test without an index."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%"
