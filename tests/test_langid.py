import pytest

from workbench.text.langid import LanguageIdentifier, UnknownLanguageError


@pytest.fixture(scope="module")
def identifier():
    return LanguageIdentifier(("fa", "ar", "en"))


def test_documents(identifier):
    assert (
        identifier.document("روز جمعه گردهمایی سالانه اپوزیسیون در پاریس برگزار می‌شود.")[0] == "fa"
    )
    assert (
        identifier.document("يشارك ممثلو أكثر من 300 جمعية إيرانية في مؤتمر عبر الإنترنت.")[0]
        == "ar"
    )
    assert (
        identifier.document("Every year, the Iranian opposition holds a rally in Paris.")[0] == "en"
    )


def test_english_headline_inside_persian_text(identifier):
    assert identifier.sentence("Iran Dissidents to March on Paris", "fa") == "en"


def test_short_or_ambiguous_sentences_keep_document_language(identifier):
    assert identifier.sentence("مریم رجوی", "fa") == "fa"
    assert identifier.sentence("(dpa)", "fa") == "fa"
    assert identifier.sentence("2025", "ar") == "ar"


def test_persian_letters_in_arabic_text_stay_arabic(identifier):
    assert (
        identifier.sentence("ویصادف المؤتمر انطلاقة السنة 56 لتأسیس منظمة مجاهدي خلق", "ar") == "ar"
    )


def test_no_letters_is_undetermined(identifier):
    assert identifier.document("123 456 !!")[0] == "und"


def test_configurable_language_set():
    identifier = LanguageIdentifier(("de", "fr"))
    assert identifier.document("Der Gipfel wurde im Jahr 1865 zum ersten Mal bestiegen.")[0] == "de"
    with pytest.raises(UnknownLanguageError):
        LanguageIdentifier(("xx",))
