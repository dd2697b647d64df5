from workbench.text.normalise import (
    ZWNJ,
    normalise,
    numbers_differ,
    numbers_in,
    repair_word_zwnj,
    repair_zwnj,
)


def test_persian_letter_forms_folded_only_in_persian():
    assert normalise("گردهمايي كرد", "fa") == "گردهمایی کرد"
    # Arabic keeps its own YEH and KAF, and folds stray Persian forms into them.
    assert normalise("كتاب في", "ar") == "كتاب في"
    assert normalise("ویصادف الرئیسیة", "ar") == "ويصادف الرئيسية"


def test_same_word_typed_two_ways_matches():
    assert normalise("مي شود", "fa") == normalise("می شود", "fa")
    assert normalise("می‌شود", "fa") == normalise("میشود", "fa")


def test_digits_from_every_script_become_ascii():
    assert normalise("۱۴۰۳ و ٣٠٠ و 27", "fa") == "1403 و 300 و 27"


def test_tatweel_diacritics_and_invisibles_removed():
    assert normalise("مـــحـمـد", "ar") == "محمد"
    assert normalise("حُكِمَ عَلَيْهِ", "ar") == "حكم عليه"
    assert normalise("a\u200bb\u200fc\ufeff", "en") == "abc"


def test_quotes_and_arabic_punctuation_unified():
    assert normalise("«آزادی»، چرا؟", "fa") == '"آزادی", چرا?'
    assert normalise("“Free” ‘Iran’", "en") == "\"free\" 'iran'"


def test_presentation_forms_and_case():
    assert normalise("\ufefb", "ar") == "لا"  # LAM-ALEF ligature
    assert normalise("  Iran   Dissidents ", "en") == "iran dissidents"


def test_zwnj_repair_restores_common_words():
    assert repair_word_zwnj("میشود") == "می" + ZWNJ + "شود"
    assert repair_word_zwnj("بینالمللی") == "بین" + ZWNJ + "المللی"
    assert repair_word_zwnj("شکستهای") == "شکست" + ZWNJ + "های"


def test_zwnj_repair_leaves_real_words_and_names_alone():
    for word in ("میز", "مریم", "رجوی", "ایران", "کتاب"):
        assert repair_word_zwnj(word) == word
    assert repair_zwnj("Iran 2025") == "Iran 2025"


def test_one_number_whatever_the_script_and_separators():
    english = numbers_in("1,500 people, 2.5 percent, in 2019, 7 towns")
    assert english == {"1500", "25"}  # years and single digits are left out
    assert numbers_in("1.500 Menschen, 2,5 Prozent") == english
    assert numbers_in("۱٬۵۰۰ نفر و ۲٫۵ درصد در ۱۳۹۸") == english
    assert numbers_in("١٥٠٠ شخص") == {"1500"}
    # the Arabic comma groups thousands (TICO-19's Persian: ۳،۱۲۰ nafar), else lists
    assert numbers_in("بیش از ۳،۱۲۰ نفر و ۹۱،۰۰۰ نفر") == {"3120", "91000"}
    assert numbers_in("صفحات ۱۲،۱۳ و ۱۴") == {"12", "13", "14"}


def test_numbers_differ_when_each_side_states_a_number_the_other_does_not():
    assert (
        numbers_differ("40 killed, 300 hurt", "۴۵ نفر کشته و ۳۲۰ نفر زخمی") == "40, 300 / 45, 320"
    )
    assert numbers_differ("The rate was 1,1193 dollars", "Der Kurs lag bei 1,1091") == (
        "1,1193 / 1,1091"
    )
    # what both state is left out: the figures they disagree on remain
    assert numbers_differ(
        "A 5.8 quake on March 14 killed 12, and injured 200.",
        "لقي 17 شخصاً وأصيب أكثر من 250 في زلزال بقوة 5.8 درجات فجر 14 مارس",
    ) == ("12, 200 / 17, 250")
    assert numbers_differ("40 killed and 12 hurt", "٤٠ قتيلا") == ""  # one only adds
    assert numbers_differ("Dozens were killed", "45 were killed") == ""  # one side only
    assert numbers_differ("in 2019, 3 towns", "in 2020, 7 towns") == ""  # years, digits
    assert numbers_differ("from 13.04% to .08%", "از ۰٫۰۸٪ تا ۱۳٫۰۴٪") == ""  # not a year


def test_few_translations_of_tico19_are_marked_numbers_differ():
    """The TICO-19 test sentences and their professional Persian and Arabic translations
    (about 1,360 pairs where both sides state numbers): under 1% are marked (6: four are
    errors of the translation, 47.7% -> 47.4%, 75% -> 70%, 1.61 -> 1.31, 50,000 ->
    500,000; two are "80 هزار" for 80,000 and ۹۹/۹۸ for 99.98), so the mark means
    something on a link between independent reports."""
    from .conftest import needs_eval

    stated = marked = 0
    for lang in ("fa", "ar"):
        folder = needs_eval("tico19", f"en-{lang}")
        english = (folder / "tico19-test.en").read_text("utf-8").splitlines()
        other = (folder / f"tico19-test.{lang}").read_text("utf-8").splitlines()
        for en, translation in zip(english, other, strict=True):
            stated += bool(numbers_in(en) and numbers_in(translation))
            marked += bool(numbers_differ(en, translation))
    assert stated > 1000  # the check saw numbers on both sides
    assert marked < 0.01 * stated
