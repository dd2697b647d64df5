"""The date of the happening: calendars, scripts, history years and anniversaries."""

from __future__ import annotations

import pytest

from tests.conftest import seed_text
from workbench.text.dates import find_dates, happening_date


def iso(text: str) -> str | None:
    found = happening_date(text)
    return found.iso() if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۴۰۳ بهمن ۱۳, شنبه", "2025-02-01"),  # Solar Hijri dateline, year first
        ("روز جمعه ۶ تیرماه ۱۳۹۳ برگزار شد", "2014-06-27"),  # «تیرماه» glued
        ("روز جمعه 6 تيرماه 1393", "2014-06-27"),  # Arabic letter forms
        ("تاریخ ۱۴۰۲/۰۳/۰۵", "2023-05-26"),  # numeric Solar Hijri
        ("Iranian opposition gathering in Paris, June 30, 2018", "2018-06-30"),
        ("Sunday 30th June 2018", "2018-06-30"),
        ("تظاهرات ۸ فوریه ۲۰۲۵ در پاریس", "2025-02-08"),
        ("عقد المؤتمر في 12 حزيران 2023", "2023-06-12"),  # Levantine month name
        ("في ١٥ يوليو ٢٠٢٠", "2020-07-15"),  # Arabic-Indic digits
        ("الأحد ١٥ رمضان ١٤٤٦ هـ", "2025-03-15"),  # Hijri qamari
        ("Posted 2020-07-17 10:00", "2020-07-17"),
        ("Protests of December 2017 spread", "2017-12"),
    ],
)
def test_explicit_dates_in_three_languages_and_four_calendars(text, expected):
    assert iso(text) == expected


def test_a_history_year_is_not_the_date():
    assert iso("The massacre of 1988 is remembered by the families.") is None
    assert iso("مذبحة عام 1988 لا تزال حاضرة") is None
    assert iso("Talks resumed on Monday; the war of 1980 was not mentioned.") is None


def test_an_anniversary_gives_the_year_it_is_marked():
    assert iso("They marked the 32nd anniversary of the 1988 massacre.") == "2020"
    assert iso("في الذكرى الـ 32 لمذبحة 30 ألف سجين سياسي في إيران عام 1988.") == "2020"


def test_the_latest_date_is_the_happening_and_precision_wins_within_a_year():
    text = "On June 30, 2018 the rally met. After the December 2017, January 2018 protests..."
    assert iso(text) == "2018-06-30"


def test_a_bare_year_counts_only_in_the_head():
    assert iso("Elections 2024: the results") == "2024"
    assert iso("x " * 400 + "and in 2016 it happened") is None


def test_no_date_at_all():
    assert iso("هیچ تاریخی در این متن نیست.") is None
    assert find_dates("20180 is not a year and 99 is not either") == []


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("000", "2014-06-27"), ("001", "2025-02"), ("002", "2020"), ("003", "2018-06-30")],
)
def test_seed_dates(prefix, expected):
    assert iso(seed_text(prefix)).startswith(expected)
