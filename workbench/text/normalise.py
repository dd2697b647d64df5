"""Normalisation for matching Persian, Arabic and English text.

The normalised form is only ever used to compare, cache and search: the
original is always kept for display. General-purpose normalisers get two
things wrong for this corpus, so the rules are written here:

* Persian and Arabic share code points but not letters. Persian text scraped
  from the web often uses Arabic YEH/KAF (U+064A, U+0643); Arabic text
  sometimes carries Persian YEH/KEHEH. Each language is folded to *its own*
  letter forms, never both to one.
* Scrapers strip zero-width non-joiners ("میشود" for "می‌شود"), so ZWNJ is
  dropped entirely for matching, which makes both spellings equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"
TATWEEL = "\u0640"

# Invisible characters that carry no meaning for matching: zero-width space,
# non-joiner, joiner, BOM, direction marks and bidi embedding controls.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069\u00ad",
    ),
    None,
)

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

_QUOTES = str.maketrans(
    {
        "«": '"',
        "»": '"',
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‹": "'",
        "›": "'",
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "،": ",",
        "؛": ";",
        "؟": "?",
        "٪": "%",
        "٫": ".",
        "٬": ",",
    }
)

_PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه"})
_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=16)
def _table(lang: str) -> dict[int, int | str | None]:
    """One translation table doing every character-level rule for ``lang`` in a single pass."""
    table: dict[int, int | str | None] = {**_INVISIBLE, ord(TATWEEL): None}
    table.update(dict.fromkeys([*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), 0x0674]))
    table.update(_DIGITS)
    table.update(_QUOTES)
    table.update({"fa": _PERSIAN_LETTERS, "ar": _ARABIC_LETTERS}.get(lang, {}))
    return table


def ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits as ASCII digits (numbers compare across scripts)."""
    return text.translate(_DIGITS)


NUMBER = re.compile(r"(?<!\d)(?<!\d[.,٫٬])\d+(?:[.,٫٬]\d+|،\d{3}(?!\d))*(?!\d|[.,٫٬]\d)")
"""A number as written, separators kept (the Arabic comma only before three digits:
``۳،۱۲۰`` is 3,120; elsewhere it separates items of a list). A comma or full stop after
it that no digit follows is punctuation: "12, and" states 12."""


YEARLIKE = re.compile(r"^(1[3-4]\d\d|19\d\d|20\d\d)$")
"""A bare year (Solar Hijri, Gregorian): background in news, not a number it reports."""


def stated_numbers(text: str) -> dict[str, str]:
    """The numbers a text states: each as ASCII digits without separators or leading
    zeros (1,500, 1.500 and ۱٬۵۰۰ are one number; so are 2,5 and 2.5, and .08 and 0.08)
    -> as written (in ASCII digits), leaving out bare years and single digits (13.04 is
    a number, 1304 a year)."""
    found: dict[str, str] = {}
    for written in NUMBER.findall(ascii_digits(text)):
        if written.isdigit() and (len(written) == 1 or YEARLIKE.match(written)):
            continue
        found.setdefault(re.sub(r"[.,٫٬،]", "", written).lstrip("0") or "0", written)
    return found


def numbers_in(text: str) -> set[str]:
    """The numbers a text states, compared across scripts and separators (see
    :func:`stated_numbers`)."""
    return set(stated_numbers(text))


def numbers_differ(a: str, b: str) -> str:
    """The numbers each text states that the other does not, as written, when each has
    some (``"17, 250 / 12, 200"``); else empty. Numbers both state are left out, and so is
    a side that only adds numbers (one report gives the injured, the other does not). On a
    link between two reports it marks a figure they disagree on, or two reports of one
    template (a market's close on two days) joined by their shape: either way, what a
    reader must see before trusting the link."""
    first, second = stated_numbers(a), stated_numbers(b)
    only_first = [shown for n, shown in first.items() if n not in second]
    only_second = [shown for n, shown in second.items() if n not in first]
    if not only_first or not only_second:
        return ""
    return f"{', '.join(only_first)} / {', '.join(only_second)}"


def normalise(text: str, lang: str = "und") -> str:
    """Matching form of ``text``: same letters for the same word, whatever the keyboard.

    Applies NFKC (Arabic presentation forms to base letters), drops invisible
    characters, tatweel and diacritics, folds digits, quotes and Arabic
    punctuation, folds letters to the conventions of ``lang`` (fa or ar),
    collapses whitespace and case-folds Latin script.
    """
    text = unicodedata.normalize("NFKC", text).translate(_table(lang))
    return _SPACES.sub(" ", text).strip().casefold()


# --- zero-width non-joiner repair --------------------------------------------

# Letters after which a ZWNJ changes rendering (they join to the left).
_LEFT_JOINING = set("بپتثجچحخسشصضطظعغفقکگلمنهیئيكة")
_PERSIAN_WORD = re.compile(r"[\u0600-\u06ff]{4,}")
# Prefixes and suffixes that standard Persian orthography separates with ZWNJ.
_ZWNJ_PREFIXES = ("نمی", "می")
_ZWNJ_SUFFIXES = ("هایی", "های", "ها", "ترین", "تر", "ای", "ام", "اید", "ایم", "اند", "ست")
_MIN_ZIPF = 3.0


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "fa")


def _zwnj_candidates(word: str) -> list[str]:
    candidates = []
    for prefix in _ZWNJ_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            candidates.append(prefix + ZWNJ + word[len(prefix) :])
    for suffix in _ZWNJ_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 2 and stem[-1] in _LEFT_JOINING:
            candidates.append(stem + ZWNJ + suffix)
    if _zipf(word) == 0:  # unknown as written: try every joint
        candidates += [
            word[:i] + ZWNJ + word[i:]
            for i in range(2, len(word) - 1)
            if word[i - 1] in _LEFT_JOINING
        ]
    return candidates


def repair_word_zwnj(word: str) -> str:
    """Restore a stripped ZWNJ in one Persian word when a word list clearly prefers it.

    Affixes that standard orthography separates (می/نمی, ها, تر/ترین, personal
    endings) are tried on every word, any joint on words unknown as written.
    A candidate wins only if it is a common word and clearly more frequent than
    the glued spelling, so rare words and proper names are left alone.
    """
    best, best_zipf = word, _zipf(word)
    for candidate in _zwnj_candidates(word):
        score = _zipf(candidate)
        if score >= _MIN_ZIPF and score > best_zipf + 0.5:
            best, best_zipf = candidate, score
    return best


def repair_zwnj(text: str) -> str:
    """Restore stripped zero-width non-joiners in Persian text (display and MT input)."""
    return _PERSIAN_WORD.sub(lambda m: repair_word_zwnj(m.group()), text)


# Arabic and Persian forms of one letter, compared as one on top of each language's own
# folding (normalise folds each language to its own forms, never both to one)
SEARCH_FOLD = {"ي": "ی", "ى": "ی", "ك": "ک", "إ": "ا", "أ": "ا", "ٱ": "ا", "ة": "ه", "ۀ": "ه"}
"""Letter forms search treats as one, on both sides: Arabic and Persian yeh and kaf (the
same word typed on either keyboard), alef with or without hamza (``إيران`` finds ``ايران``
and ``ایران``), teh marbuta and heh with yeh above (``الجمهورية`` finds ``الجمهوريه``)."""


def fold_letters(text: str) -> str:
    """``text`` with the letter forms of :data:`SEARCH_FOLD` made one (search folds both
    the query and the sentences so; the store's SQL replays the same table)."""
    for old, new in SEARCH_FOLD.items():
        text = text.replace(old, new)
    return text
