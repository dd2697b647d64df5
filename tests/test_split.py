import pytest

from workbench.text.split import glued_split_point, split, split_spans

from .conftest import seed_text


def test_persian_question_mark_and_guillemets():
    text = "او پرسید: «چرا؟» سپس رفت. آیا درست است؟ بله."
    assert split(text, "fa") == ["او پرسید: «چرا؟» سپس رفت.", "آیا درست است؟", "بله."]


def test_arabic_comma_semicolon_and_colon_do_not_split():
    text = "قال المتحدث، في بيان رسمي؛ إن الوضع صعب: لا حل قريبا. وأضاف أن المحادثات مستمرة."
    assert split(text, "ar") == [
        "قال المتحدث، في بيان رسمي؛ إن الوضع صعب: لا حل قريبا.",
        "وأضاف أن المحادثات مستمرة.",
    ]


def test_quotation_closing_after_full_stop():
    text = "گفت: «ما ایران آزاد خواهیم ساخت.» وی افزود که ادامه می‌دهد."
    assert split(text, "fa") == ["گفت: «ما ایران آزاد خواهیم ساخت.»", "وی افزود که ادامه می‌دهد."]


@pytest.mark.parametrize(
    "text,lang",
    [
        ("قال د. محمد إن الوضع صعب.", "ar"),
        ("دکتر گفت د. رضایی امروز می‌آید.", "fa"),
        ("Dr. Smith met Mr. Jones at 3 p.m. on Monday.", "en"),
        ("J. R. R. Tolkien wrote it, e.g. in 1937.", "en"),
    ],
)
def test_abbreviations_and_initials_do_not_split(text, lang):
    assert split(text, lang) == [text]


@pytest.mark.parametrize(
    "text,lang",
    [
        ("نرخ رشد ۳.۵ درصد بود و تورم ٢.٤ درصد.", "fa"),
        ("The rate was 3.5 percent and 2.4 percent.", "en"),
        ("في 27.06.2014 اجتمع المشاركون.", "ar"),
    ],
)
def test_decimals_and_dates_in_any_digits_do_not_split(text, lang):
    assert split(text, lang) == [text]


def test_line_breaks_end_sentences_even_without_punctuation():
    assert split("Iran Dissidents to March on Paris\nThe rally is on Friday.", "en") == [
        "Iran Dissidents to March on Paris",
        "The rally is on Friday.",
    ]


def test_glued_stop_in_arabic_script_splits():
    assert split("تحترم حقوق الإنسان.وسيطالب المشاركون", "ar") == [
        "تحترم حقوق الإنسان.",
        "وسيطالب المشاركون",
    ]


def test_latin_glued_stop_is_left_alone():
    assert split("Built on ASP.NET and Node.Js today.", "en") == [
        "Built on ASP.NET and Node.Js today."
    ]


def test_persian_sentence_followed_by_lowercase_latin_term():
    assert split("پروتئین را تشکیل دهد. orf3b ممکن است نقش داشته باشد.", "fa") == [
        "پروتئین را تشکیل دهد.",
        "orf3b ممکن است نقش داشته باشد.",
    ]


def test_glued_headings_in_seed_002_are_separated():
    sentences = split(seed_text("002"), "ar")
    for heading in (
        "موجة جديدة",
        "معرض للصور",
        "مذبحة عام 1988",
        "مريم رجوي",
        "أحكام جائرة",
        "باتريك كينيدي",
        "تفجير أنابيب النفط",
        "ستيف كوهين ( ولاية تينيسي)",
    ):
        assert heading in sentences
    assert any(s.startswith("يطالب ممثلو الجالية") for s in sentences)
    assert any(s.startswith("أكدت الرئيسة المنتخبة") for s in sentences)


def test_glue_detection_leaves_ordinary_words():
    for word in ("الانتفاضة", "والمطالبة", "الإيرانية", "مغسولتين"):
        assert glued_split_point(word) is None
    assert glued_split_point("جديدةيطالب") == len("جديدة")


def test_spans_point_back_into_the_text():
    text = "  First one.  Second one!\n\nThird?  "
    spans = split_spans(text, "en")
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one!", "Third?"]


def test_seed_000_keeps_the_english_headline_apart():
    sentences = split(seed_text("000"), "fa")
    assert "Iran Dissidents to March on Paris" in sentences
    assert sentences[1].startswith("روز جمعه 27 ژوئن 2014")


def test_empty_and_whitespace_only():
    assert split("", "fa") == []
    assert split(" \n\t\n", "ar") == []


def test_unknown_language_uses_general_rules():
    assert split("Erster Satz. Zweiter Satz! Dritter?", "de") == [
        "Erster Satz.",
        "Zweiter Satz!",
        "Dritter?",
    ]
    assert split("Am 27. Juni kam er.", "de") == ["Am 27. Juni kam er."]
