import pytest

from workbench.text.langid import LanguageIdentifier, UnknownLanguageError

from .conftest import seed_text


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


ARABIC_SCRIPT_OTHERS = {
    "ur": "پاکستان کے وزیر اعظم نے آج اسلام آباد میں ایک اہم اجلاس سے خطاب کیا اور کہا کہ"
    " حکومت مہنگائی کم کرنے کے لیے اقدامات کر رہی ہے۔",
    "ps": "د افغانستان ولسمشر نن په کابل کې د وزیرانو له شورا سره وکتل او ویې ویل چې حکومت"
    " به د خلکو ستونزې حل کړي.",
    "ckb": "سەرۆکی هەرێمی کوردستان ئەمڕۆ لە هەولێر لەگەڵ شاندێکی ئەمریکی کۆبووەوە و باسی"
    " پەیوەندییەکانی نێوان هەردوولای کرد.",
    "kmr": "ئەڤ رۆژنامە ب زمانێ كوردی دهێتە بەلاڤكرن و ڤێ هەفتیێ ل دهۆکێ ڤەکرنەکا نوی هاتە"
    " کرن و ڤان خەلکان پشتەڤانی کر.",
    "sd": "سنڌ جي وڏي وزير اڄ ڪراچي ۾ هڪ اجلاس جي صدارت ڪئي ۽ چيو ته حڪومت عوام جي مسئلن"
    " کي حل ڪرڻ لاءِ ڪم ڪري رهي آهي.",
    "ug": "ئۇيغۇر تىلى تۈركىي تىللار ئائىلىسىگە مەنسۇپ بىر تىل بولۇپ، شىنجاڭدا ئون"
    " مىليوندىن ئارتۇق كىشى بۇ تىلدا سۆزلىشىدۇ.",
}


@pytest.mark.parametrize("lang", sorted(ARABIC_SCRIPT_OTHERS))
def test_arabic_script_languages_outside_the_workspace_are_named(lang):
    assert LanguageIdentifier().unsupported(ARABIC_SCRIPT_OTHERS[lang]) == lang


def test_persian_and_arabic_are_not_called_another_arabic_script_language():
    identifier = LanguageIdentifier()
    for prefix in ("000", "001", "002", "004"):
        assert identifier.unsupported(seed_text(prefix)) is None
    assert LanguageIdentifier(("ur", "en")).unsupported(ARABIC_SCRIPT_OTHERS["ur"]) is None


def test_a_pashto_file_is_skipped_with_its_name(tmp_path):
    from workbench import Workspace
    from workbench.ingester import Ingester

    (tmp_path / "ps.txt").write_text(ARABIC_SCRIPT_OTHERS["ps"] * 3, "utf-8")
    ws = Workspace(tmp_path / "ws")
    (outcome,) = Ingester(ws).ingest([tmp_path / "ps.txt"])
    assert (outcome.outcome, outcome.detail) == ("skipped", "unsupported language (ps)")
    assert ws.documents() == []
