"""The date of the happening a document reports, from its text.

A news text names many dates: its dateline, the day of the event, and years of
history ("the 1988 massacre"). What an analyst wants is the first kind, so the
rules here are:

* full dates (day, month, year) and month-year dates are read in English,
  Persian and Arabic: Gregorian month names in all three, Solar Hijri (Jalali)
  months converted with ``jdatetime``, Hijri qamari months (with هـ) converted
  with ``hijridate`` (Umm al-Qura), Levantine month names, and numeric dates
  (``2014-06-27``, ``27/06/2014``, ``۱۴۰۳/۱۱/۱۳``), in any digit set;
* an anniversary gives the year it is celebrated in: "the 32nd anniversary of
  the 1988 massacre" and «الذكرى الـ 32 ... عام 1988» give 2020;
* a bare year counts only in the document's head (title, dateline, lead),
  because years further down are mostly history;
* the happening's date is the latest of those: news reports what just happened
  (or is about to), while older dates in it are background.

All matching runs on :func:`workbench.text.normalise.normalise` with Arabic letter
conventions, so Persian and Arabic keyboards, digits and diacritics all match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import hijridate
import jdatetime

from .normalise import normalise

HEAD_CHARS = 300
"""A bare year counts as the happening's only within this many characters of the start
(the title, dateline and lead); set on the seeds and the TICO-19 Wikinews articles."""

_GREGORIAN = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # Persian
    "ژانویه": 1, "ژانویهٔ": 1, "فوریه": 2, "مارس": 3, "آوریل": 4, "مه": 5, "می": 5,
    "ژوئن": 6, "ژوئیه": 7, "جولای": 7, "اوت": 8, "آگوست": 8, "سپتامبر": 9, "اکتبر": 10,
    "نوامبر": 11, "دسامبر": 12,
    # Arabic (Egyptian and Gulf usage)
    "يناير": 1, "فبراير": 2, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12,
    # Arabic (Levantine usage)
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
    "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
}  # fmt: skip

_JALALI = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "شهریور": 6,
    "مهر": 7, "آبان": 8, "آذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}  # fmt: skip

_HIJRI = {
    "محرم": 1, "صفر": 2, "ربیع الاول": 3, "ربيع الأول": 3, "ربيع الثاني": 4, "ربيع الآخر": 4,
    "جمادى الأولى": 5, "جمادى الآخرة": 6, "جمادى الثانية": 6, "رجب": 7, "شعبان": 8,
    "رمضان": 9, "شوال": 10, "ذو القعدة": 11, "ذو الحجة": 12,
}  # fmt: skip


def _fold(text: str) -> str:
    return normalise(text, "ar")


def _alternatives(names: dict[str, int]) -> tuple[dict[str, int], str]:
    folded = {_fold(name): month for name, month in names.items()}
    pattern = "|".join(re.escape(n) for n in sorted(folded, key=len, reverse=True))
    return folded, pattern


_G_NAMES, _G = _alternatives(_GREGORIAN)
_J_NAMES, _J = _alternatives(_JALALI)
_H_NAMES, _H = _alternatives(_HIJRI)

_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[3-4]\d\d|19\d\d|20\d\d)"
_SEP = r"[\s,،.]*"
# Arabic-script words are followed by a letter-boundary check instead of \b, which
# does not hold between a digit and an Arabic letter in every Python regex build.
_END = r"(?![\w])"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    # day month year, month day year, year month day; Jalali months may carry «ماه»
    ("jalali", re.compile(rf"(?<!\d){_DAY}{_SEP}(?P<month>{_J})(?:\s*ماه)?{_SEP}{_YEAR}(?!\d)")),
    ("jalali", re.compile(rf"(?<!\d){_YEAR}{_SEP}(?P<month>{_J})(?:\s*ماه)?{_SEP}{_DAY}(?!\d)")),
    ("hijri", re.compile(rf"(?<!\d){_DAY}?{_SEP}(?P<month>{_H}){_SEP}(?P<year>1[34]\d\d)\s*ه")),
    ("gregorian", re.compile(rf"(?<!\d){_DAY}{_SEP}(?P<month>{_G}){_END}{_SEP}{_YEAR}(?!\d)")),
    ("gregorian", re.compile(rf"(?<![\w])(?P<month>{_G}){_END}{_SEP}{_DAY}{_SEP}{_YEAR}(?!\d)")),
    ("gregorian", re.compile(rf"(?<![\w])(?P<month>{_G}){_END}{_SEP}{_YEAR}(?!\d)")),
    ("numeric", re.compile(rf"(?<!\d){_YEAR}[-/.](?P<m>\d\d?)[-/.](?P<day>\d\d?)(?!\d)")),
    ("numeric", re.compile(r"(?<!\d)(?P<day>\d\d?)[/.](?P<m>\d\d?)[/.](?P<year>[12]\d{3})(?!\d)")),
]  # fmt: skip

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "hundredth": 100,
}  # fmt: skip
_ANNIVERSARY = re.compile(
    r"(?:(?P<n1>\d{1,3})(?:st|nd|rd|th)?\s+anniversary"
    r"|(?:الذكرى|ذكرى)\s*(?:ال)?\s*(?P<n2>\d{1,3})"
    r"|(?P<n3>\d{1,3})\s*(?:امین|مین)\s+سالگرد"
    r"|(?P<word>" + "|".join(_ORDINAL_WORDS) + r")\s+anniversary)"
    r"(?P<rest>.{0,80}?)(?<!\d)(?P<year>1[3-4]\d\d|19\d\d|20\d\d)(?!\d)"
)
_BARE_YEAR = re.compile(r"(?<![\d/.-])(19\d\d|20\d\d|1[34]\d\d)(?![\d/.-])")
_HISTORY_CUES = [
    _fold(word)
    for word in (
        "massacre", "since", "war", "revolution", "founded", "anniversary", "until", "before",
        "کشتار", "انقلاب", "از سال", "سالگرد", "تاسیس", "جنگ", "قتل عام",
        "مذبحة", "مجزرة", "منذ", "ثورة", "تأسيس", "الذكرى", "حرب",
    )
]  # fmt: skip
"""Words that mark a bare year just after them as history ("the massacre of 1988")."""
HISTORY_WINDOW = 30
"""Characters before a bare year searched for a history cue."""


@dataclass(frozen=True)
class FoundDate:
    """One date read from a text, with how precise it is and where it was."""

    value: date
    precision: str  # day | month | year
    position: int
    kind: str  # gregorian | jalali | hijri | numeric | anniversary | year
    text: str

    def iso(self) -> str:
        if self.precision == "day":
            return self.value.isoformat()
        if self.precision == "month":
            return self.value.strftime("%Y-%m")
        return str(self.value.year)


def find_dates(text: str) -> list[FoundDate]:
    """Every date the text states, converted to the Gregorian calendar, in text order."""
    folded = _fold(text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            value = _convert(kind, m)
            if value is None:
                continue
            taken.append(m.span())
            precision = "day" if m.groupdict().get("day") else "month"
            found.append(FoundDate(value, precision, m.start(), kind, m.group(0)))
    found += _anniversaries(folded)
    for m in _BARE_YEAR.finditer(folded):
        if any(start <= m.start() < end for start, end in taken):
            continue
        before = folded[max(0, m.start() - HISTORY_WINDOW) : m.start()]
        if any(cue in before for cue in _HISTORY_CUES):
            continue
        year = int(m.group(1))
        year = year + 621 if year < 1900 else year  # a Solar Hijri year, roughly
        found.append(FoundDate(date(year, 1, 1), "year", m.start(), "year", m.group(0)))
    return sorted(found, key=lambda d: d.position)


def _convert(kind: str, m: re.Match) -> date | None:
    groups = m.groupdict()
    year = int(groups["year"])
    day = int(groups["day"]) if groups.get("day") else 1
    try:
        if kind == "jalali":
            return jdatetime.date(year, _J_NAMES[m.group("month")], day).togregorian()
        if kind == "hijri":
            g = hijridate.Hijri(year, _H_NAMES[m.group("month")], day).to_gregorian()
            return date(g.year, g.month, g.day)
        if kind == "gregorian":
            return date(year, _G_NAMES[m.group("month")], day) if year >= 1900 else None
        month = int(groups["m"])
        if year < 1900:
            return jdatetime.date(year, month, day).togregorian()
        return date(year, month, day)
    except (ValueError, OverflowError, KeyError):
        return None


def _anniversaries(folded: str) -> list[FoundDate]:
    out = []
    for m in _ANNIVERSARY.finditer(folded):
        n = m.group("n1") or m.group("n2") or m.group("n3")
        count = int(n) if n else _ORDINAL_WORDS[m.group("word")]
        year = int(m.group("year"))
        if year < 1900 or not 0 < count < 200:
            continue
        out.append(
            FoundDate(date(year + count, 1, 1), "year", m.start(), "anniversary", m.group(0))
        )
    return out


def happening_date(text: str, head_chars: int = HEAD_CHARS) -> FoundDate | None:
    """The date of the happening a text reports, or None when the text gives none.

    The latest stated date wins (see the module docstring); a bare year only
    counts in the head, and a more precise date of the same year is preferred.
    """
    candidates = [d for d in find_dates(text) if d.kind != "year" or d.position < head_chars]
    if not candidates:
        return None
    latest_year = max(d.value.year for d in candidates)
    same_year = [d for d in candidates if d.value.year == latest_year]
    rank = {"day": 2, "month": 1, "year": 0}
    return max(same_year, key=lambda d: (rank[d.precision], d.value, -d.position))
