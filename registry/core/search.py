"""Vietnamese search and sort keys, and what a search matches.

Search ignores diacritics and case: "dang ky khai sinh" finds "Đăng ký khai
sinh". It also treats alike the spellings that Vietnamese writes both ways: i
and y ending a syllable after a consonant ("đăng kí" and "đăng ký", "lí lịch"
and "lý lịch", "qui định" and "quy định"), and the old and new placement of the
tone mark ("hoà" and "hòa", "thuỷ" and "thủy"), which folding drops anyway.

Lists sort in Vietnamese alphabetical order (a ă â b c d đ e ê … with the
tones after the letters), which neither byte order nor most database
collations give. Both keys are stored beside the name so that the database can
filter, order and page by them with an index.

A record matches a query when every word of the folded query begins a word of
its folded key (code, name and English name): "dang ky" finds "Đăng ký kết
hôn", "1.00" finds the code "1.001", "k" finds every key with a word starting with k.
A word is what spaces delimit, punctuation included ("100%", "p_3", "1.001").
Results come in order of relevance (catalogue.services): the names that begin
with the query's words as typed, then those that hold them together elsewhere,
then the rest, each group in Vietnamese order.
Word beginnings, not arbitrary substrings, because that is what an index of
words answers, on both engines (models.py: FTS5 on SQLite, a GIN index of the
words on PostgreSQL), however many services match and however short the word:
Vietnamese words are syllables of one to seven letters, so "ky", "y" or "xa"
are common words to search for, and a substring index (trigrams) cannot look
up a string shorter than three letters.
"""

import functools
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


# A syllable that is a consonant (or qu) and y, which Vietnamese also writes with i
# (kí/ký, lí/lý, mĩ/mỹ, hi/hy, qui/quy): the key writes i. Not y alone ("y tế"), nor
# y after a vowel, where i and y are different words (tay/tai, thuy/thui).
_FINAL_Y = re.compile(r"(?<![^\W_])(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)y(?![^\W_])")
# What a key's word that ends so began as: "qui" may be typed for "quyết", "ki" for "kỹ"…
_FINAL_I = re.compile(r"(?<![^\W_])(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)i\Z")


def fold(text: str | None) -> str:
    """Lower case, without diacritics, đ as d, a final y after a consonant as i, words
    separated by single spaces: the search key."""
    if not text:
        return ""
    lowered = text.lower()
    # character by character through a table, since NFD decomposes each character on its own
    stripped = lowered if lowered.isascii() else "".join(map(_folded_character, lowered))
    spaced = _SPACES.sub(" ", stripped).strip()
    return _FINAL_Y.sub(r"\1i", spaced) if "y" in spaced else spaced


@functools.cache
def _folded_character(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", "d" if ch in "đĐ" else ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


SORT_KEY_LETTERS = 250


def sort_key(text: str | None) -> str:
    """A key whose plain byte order is Vietnamese alphabetical order.

    Letters compare first (with ă, â, đ, ê, ô, ơ, ư as letters of their own), then
    tones; so "ba" < "bà" < "bá" < "bă" < "bâ" < "bb".
    """
    if not text:
        return ""
    # four key characters per letter: the first SORT_KEY_LETTERS letters decide the order
    # (ties fall to the code) and the key fits its column (models.BINARY_SORT)
    lowered = unicodedata.normalize("NFC", text)[:SORT_KEY_LETTERS].lower()
    keys = list(map(_character_keys, lowered))
    if None in keys:  # a mark NFC left alone belongs to the letter before it
        return _sort_key_of_clusters(lowered)
    # the tones break ties only after every letter compared equal; "0" sorts before any
    # letter code, so a name sorts before the longer names it begins
    return "".join(letters for letters, _ in keys) + "0" + "".join(tones for _, tones in keys)


@functools.cache
def _character_keys(ch: str) -> tuple[str, str] | None:
    """The letter and tone keys of one character, or None if it begins with a combining mark.

    Each character decomposes on its own, so the clusters of a text in which no
    character begins with a mark are those of its characters taken one by one.
    """
    decomposed = unicodedata.normalize("NFD", ch)
    if unicodedata.combining(decomposed[0]):
        return None
    keys = [_cluster_keys(cluster) for cluster in _clusters(decomposed)]
    return "".join(letter for letter, _ in keys), "".join(tone for _, tone in keys)


def least_sort_key(folded: str) -> str:
    """A key no greater than the sort key of any name (trimmed, as every name is stored)
    whose search key (``fold``) begins with ``folded``: the letters of its first word as
    they are, for the plain letter is the first of its kind (a before ă and â, d before
    đ, i before y) and tones come after the letters. (Only the first word: a name may
    separate its words by more than one space.)"""
    first = folded.lower().split(" ", 1)[0]
    return "".join(keys[0] for keys in map(_character_keys, first) if keys is not None)


def _sort_key_of_clusters(lowered: str) -> str:
    keys = [_cluster_keys(cluster) for cluster in _clusters(unicodedata.normalize("NFD", lowered))]
    return "".join(letter for letter, _ in keys) + "0" + "".join(tone for _, tone in keys)


def _cluster_keys(cluster: str) -> tuple[str, str]:
    """A letter with its marks: its letter code (ă, â, ê, ô, ơ, ư are letters) and its tone."""
    base, marks = cluster[0], cluster[1:]
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
    tone = max((_TONES.get(m, 0) for m in marks), default=0)
    rank = _LETTER_RANK.get(letter)
    if rank is not None:
        return f"b{rank:02d}", str(tone)
    if letter.isspace():
        return "a00", str(tone)
    return f"c{ord(letter[0]):05x}", str(tone)


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


def spellings(term: str) -> list[str]:
    """The word beginnings a search term stands for: itself, and for a term that ends in
    a consonant and i, the same with y, which begins the words the key keeps with y
    ("qui" for "quyết", "ki" for "kyc"); a key's word never ends in that y."""
    return [term, term[:-1] + "y"] if _FINAL_I.search(term) else [term]


def fts5_query(terms: list[str]) -> str:
    """The SQLite FTS5 query for ``terms``: each, quoted, as the beginning of a word."""
    def one(term: str) -> str:
        quoted = ['"%s"*' % spelling.replace('"', '""') for spelling in spellings(term)]
        return quoted[0] if len(quoted) == 1 else "(%s)" % " OR ".join(quoted)
    return " AND ".join(map(one, terms))


def tsquery(terms: list[str]) -> str:
    """The PostgreSQL tsquery for ``terms``: each, quoted, as the beginning of a word."""
    def one(term: str) -> str:
        quoted = ["'%s':*" % s.replace("\\", "\\\\").replace("'", "''") for s in spellings(term)]
        return quoted[0] if len(quoted) == 1 else "(%s)" % " | ".join(quoted)
    return " & ".join(map(one, terms))


def phrase(terms: list[str]) -> str:
    """The query's words together, as a key holds them when a name has the whole phrase."""
    return " ".join(terms)


def like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def word_prefix_pattern(term: str) -> str:
    """The LIKE pattern (escape character ``\\``) that ``' ' || key`` matches when
    ``term`` begins one of the key's words: the same test without an index."""
    return f"% {like_escaped(term)}%"
