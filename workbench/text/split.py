"""Sentence splitting for Persian, Arabic, English and a fallback for the rest.

Measured on TICO-19 (BENCHMARKS.md), general splitters miss what matters
here: pysbd splits Arabic at "،" and ":", both pysbd and sentencex miss
boundaries after ``.»`` and never split scraped text where a sentence or a
heading was glued to the next one without a space. So boundaries are found
by explicit rules over pysbd's own abbreviation lists, plus:

* a line break always ends a sentence (headings, captions, list items);
* ``. ! ? ؟ … ۔`` followed by closing quotes/brackets end a sentence, but not
  after an abbreviation («د.», "Dr."), an initial, a decimal, or before a
  lower-case Latin letter;
* in Arabic script a terminator glued to the next letter ("الإنسان.وسيطالب")
  is a boundary;
* in Arabic, a token that is not a word but splits into a known word followed
  by a common word ("جديدةيطالب") marks a heading glued to its sentence.

Every function returns character offsets, so sentences map back to the text.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pysbd.lang.arabic import Arabic
from pysbd.lang.english import English

from ..document import Sentence

TERMINATORS = ".!?؟…۔"
CLOSERS = "»\"”’')]›"
_BOUNDARY = re.compile(rf"[{re.escape(TERMINATORS)}]+[{re.escape(CLOSERS)}]*")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_ARABIC_TOKEN = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]{6,}")
_LOWER_LATIN = re.compile(r"[a-zà-ÿ]")

_EN_ABBREVIATIONS = {
    *English.Abbreviation.ABBREVIATIONS,
    *English.Abbreviation.PREPOSITIVE_ABBREVIATIONS,
    *English.Abbreviation.NUMBER_ABBREVIATIONS,
    "e.g",
    "i.e",
    "etc",
    "vs",
    "approx",
    "dept",
    "est",
    "fig",
    "figs",
    "no",
    "u.s",
    "u.k",
}
# «د.» (doctor), «ص.» (page), «م.» (AD/metre), «ه.ق»/«ه.ش» (hijri dates), «ج.» (volume).
_FA_AR_ABBREVIATIONS = {
    *Arabic.Abbreviation.ABBREVIATIONS,
    "د",
    "دکتر",
    "ص",
    "م",
    "ج",
    "ق",
    "ش",
    "ه",
    "ه.ق",
    "ه.ش",
    "ق.م",
    "ص.ب",
    "ج.م.ع",
    "أ",
    "أ.د",
    "ا.د",
    "مهندس",
}
ABBREVIATIONS: dict[str, set[str]] = {
    "en": _EN_ABBREVIATIONS,
    "fa": _FA_AR_ABBREVIATIONS,
    "ar": _FA_AR_ABBREVIATIONS,
}
# Languages that write ordinals as "27. Juni".
_ORDINAL_DOT_LANGS = {"de", "da", "no", "fi", "cs", "sk", "pl", "hu", "tr"}


def split(text: str, lang: str) -> list[str]:
    """Sentences of ``text`` as strings (see :func:`split_spans`)."""
    return [text[start:end] for start, end in split_spans(text, lang)]


def split_sentences(text: str, lang: str) -> list[Sentence]:
    """Sentences of ``text`` with their offsets and positions."""
    return [
        Sentence(text=text[start:end], start=start, end=end, lang=lang, position=i)
        for i, (start, end) in enumerate(split_spans(text, lang))
    ]


def split_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text``, whitespace trimmed, empty ones dropped."""
    cuts: list[int] = []
    for line_start, line_end in _lines(text):
        cuts.append(line_start)
        line = text[line_start:line_end]
        cuts += [line_start + cut for cut in boundaries(line, lang)]
        cuts.append(line_end)
    return _trimmed_spans(text, sorted(set(cuts)))


def boundaries(line: str, lang: str) -> list[int]:
    """Offsets inside one line where a new sentence starts."""
    cuts = [m.end() for m in _BOUNDARY.finditer(line) if _ends_sentence(line, m, lang)]
    if lang == "ar":
        cuts += glued_heading_cuts(line, [c for c in cuts if not line[c].isspace()])
    return sorted(cut for cut in cuts if 0 < cut < len(line))


_NEXT_NON_SPACE = re.compile(r"\s*(\S)")
_LEADING_SPACE = re.compile(r"\s*")


def _ends_sentence(line: str, match: re.Match[str], lang: str) -> bool:
    end = match.end()
    following_match = _NEXT_NON_SPACE.match(line, end)
    if following_match is None:
        return False  # the line end is a boundary anyway
    punct = match.group()
    before = line[max(0, match.start() - 40) : match.start()]
    if line[end].isspace():
        following = following_match.group(1)
        if following in ",;:)]}،؛":
            return False
        # "... the U.S. army": a lower-case Latin word continues a Latin sentence,
        # but after Persian/Arabic text it starts a new one ("... دهد. orf3b ...").
        if _LOWER_LATIN.match(following) and not _ARABIC_LETTER.match(_last_letter(before)):
            return False
        if _short_embedded_quote(line, match):
            return False
        return not (
            punct[0] == "."
            and len(punct.rstrip(CLOSERS)) == 1
            and _dot_is_not_final(before, following, lang)
        )
    # Glued in Arabic script ("الإنسان.وسيطالب"): lost paragraph breaks in scraped text.
    # Latin "end.The" is left alone: it is as often a name (ASP.NET) as a lost break.
    if _ARABIC_LETTER.match(line[end]):
        return bool(before) and (
            _ARABIC_LETTER.match(before[-1]) is not None or before[-1] in CLOSERS
        )
    return False


def _dot_is_not_final(before: str, following: str, lang: str) -> bool:
    """True when a single dot followed by a space belongs to an abbreviation, initial or ordinal."""
    words = before.split()
    if not words or before[-1].isspace():
        return False
    token = words[-1].lstrip("([{«\"“'‘").lower()
    if token.rstrip(".") in ABBREVIATIONS.get(lang, set()) | _EN_ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isalpha():  # initials: "J. Smith", «د. محمد»
        return _same_script(token, following)
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):  # "u.s", "e.g", "a.m"
        return True
    return lang in _ORDINAL_DOT_LANGS and token.isdigit() and len(token) <= 2


_OPENERS = {"»": "«", '"': '"', "”": "“", "’": "‘", "'": "'", ")": "(", "]": "[", "›": "‹"}
_QUOTE_WORDS = 4


def _short_embedded_quote(line: str, match: re.Match[str]) -> bool:
    """A short quoted question or exclamation inside a sentence: «چرا؟» سپس رفت."""
    closer = match.group()[-1]
    if closer not in _OPENERS:
        return False
    opened = line.rfind(_OPENERS[closer], max(0, match.start() - 60), match.start())
    if opened <= 0 or _LEADING_SPACE.match(line).end() >= opened:
        return False  # the quote starts the sentence: its stop ends it
    quoted = line[opened + 1 : match.start()]
    sentence_before = line[max(0, opened - 8) : opened].rstrip()
    return (
        len(quoted.split()) <= _QUOTE_WORDS
        and not _BOUNDARY.search(quoted)
        and not sentence_before.endswith(tuple(TERMINATORS))
    )


def _last_letter(text: str) -> str:
    return next((ch for ch in reversed(text) if ch.isalpha()), "")


def _same_script(a: str, b: str) -> bool:
    return bool(_ARABIC_LETTER.match(a)) == bool(_ARABIC_LETTER.match(b))


# --- glued headings (scraped Arabic) -----------------------------------------

_LEFT_MIN_ZIPF = 2.0  # the end of a heading is often a name: allow rarer words
_RIGHT_MIN_ZIPF = 3.5  # the start of the next sentence is a common word (often a verb)
_SHORT_LEFT_MIN_ZIPF = 3.0
_SHORT_RIGHT_MIN_ZIPF = 3.9
_HEADING_WORDS = 8  # headings are short
_HEADING_CHARS = 200
_GLUED_DIGIT = re.compile(r"[\d)\]][\u0620-\u064a]")


@lru_cache(maxsize=100_000)
def _ar_zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.replace("ی", "ي").replace("ک", "ك"), "ar")


def glued_split_point(token: str) -> int | None:
    """Where an unknown Arabic token splits into a known word and a common word, if anywhere."""
    if _ar_zipf(token) > 0:
        return None
    best, best_score = None, 0.0
    for i in range(3, len(token) - 2):
        left, right = _ar_zipf(token[:i]), _ar_zipf(token[i:])
        if len(token) - i == 3:  # three-letter verbs (قال، هدد) are common, and so are false cuts
            ok = left >= _SHORT_LEFT_MIN_ZIPF and right >= _SHORT_RIGHT_MIN_ZIPF
        else:
            ok = left >= _LEFT_MIN_ZIPF and right >= _RIGHT_MIN_ZIPF
        if ok and left + right > best_score:
            best, best_score = i, left + right
    return best


def glued_heading_cuts(line: str, glued_stops: list[int]) -> list[int]:
    """Offsets where a heading was glued to the sentence after it, without space or stop.

    Scraped Arabic pages lose the breaks around headings: ".موجة جديدةيطالب".
    Such a heading follows a glued full stop, so only the few words after one
    are searched; each heading found opens a new window, since headings chain
    ("مذبحة عام 1988مريم رجويأكدت").
    """
    cuts: list[int] = []
    pending = list(glued_stops)
    while pending:
        start = pending.pop()
        nearby = line[start : start + _HEADING_CHARS]
        first_word = re.match(r"\S+\s*", nearby)
        skip = first_word.end() if first_word else 0  # a heading has one whole word at least
        window = nearby[skip:]
        words = window.split()[:_HEADING_WORDS]
        window = window[: sum(len(w) + 1 for w in words)]
        cut = _first_glue(window)
        if cut is not None and start + skip + cut not in cuts:
            cuts.append(start + skip + cut)
            pending.append(start + skip + cut)
    return cuts


def _first_glue(window: str) -> int | None:
    """First point in ``window`` where a digit, a bracket or a known word is glued to a word."""
    points = [m.start() + 1 for m in _GLUED_DIGIT.finditer(window)]
    for match in _ARABIC_TOKEN.finditer(window):
        point = glued_split_point(match.group())
        if point is not None:
            points.append(match.start() + point)
    return min(points, default=None)


# --- helpers -----------------------------------------------------------------


def _lines(text: str):
    start = 0
    for match in re.finditer(r"\r\n|\r|\n|\u2028|\u2029", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _trimmed_spans(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    spans = []
    for start, end in itertools.pairwise(cuts):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans
