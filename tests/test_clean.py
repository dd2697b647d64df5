from workbench.text.clean import article_starts, boilerplate_reason, clean, without

from .conftest import seed_text


def test_seed_004_holds_two_articles():
    text = seed_text("004")
    documents = clean(text)
    assert len(documents) == 2
    assert documents[0].title.startswith("«رژیم را سرنگون خواهیم کرد»")
    assert documents[1].title.startswith("وزیر خارجه عمان")
    assert "عمان" not in documents[0].text
    assert "مریم رجوی" not in documents[1].text


def test_single_articles_are_not_split():
    for prefix in ("000", "001", "002", "003"):
        assert len(clean(seed_text(prefix))) == 1
    assert article_starts(seed_text("001")) == []


def test_boilerplate_kinds_from_the_seeds():
    assert boilerplate_reason("10494632_311519509008295_4511214867292605376_n") == "image file name"
    assert boilerplate_reason("IMG_2041.jpg") == "image file name"
    assert boilerplate_reason("Leave A Reply") == "comment form"
    assert boilerplate_reason("Your email address will not be published.") == "comment form"
    assert boilerplate_reason("0 734") == "no words"
    assert boilerplate_reason("TT") == "stray fragment"
    assert (
        boilerplate_reason("🌴براندازیم  #تيك_تاك_سرنگوني    #قیام_تنها_جوابه") == "hashtags/emoji"
    )
    assert boilerplate_reason("🌳# MaryamRajavi  # IranRegimeChange") == "hashtags/emoji"
    assert boilerplate_reason("🌻 پیوند این بلاک  با  توئیتر BaharIran@ 7") == "hashtags/emoji"


def test_content_lines_are_kept():
    for line in (
        "Iran Dissidents to March on Paris",
        "تظاهرات مخالفان رژیم در برلین با بنر «آزادی در ایران» (dpa)",
        "۱۴۰۳ بهمن ۱۳, شنبه",
        "The rally #FreeIran drew thousands of people to Paris.",
    ):
        assert boilerplate_reason(line) is None


def test_duplicate_caption_lines_removed_once_seen():
    text = "Title here now\nA caption (AP)\nA caption (AP)\nBody text.\n"
    [document] = clean(text)
    assert document.text == "Title here now\nA caption (AP)\nBody text.\n"
    assert [span.reason for span in document.removed] == ["duplicate line"]


def test_original_is_recoverable_from_removed_spans():
    text = seed_text("004")
    for document in clean(text):
        restored = list(text[document.source_start : document.source_end])
        for span in reversed(document.removed):
            del restored[span.start - document.source_start : span.end - document.source_start]
        assert "".join(restored) == document.text
        assert (
            without(text, document.source_start, document.source_end, document.removed)
            == document.text
        )


def test_seed_003_comment_form_and_counter_removed():
    [document] = clean(seed_text("003"))
    reasons = {span.reason for span in document.removed}
    assert reasons == {"comment form", "no words"}
    assert "Leave A Reply" not in document.text
    assert document.title == "Iranian Opposition Convention For Free Iran"
