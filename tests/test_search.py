"""Search: the corpus's normalisation on both sides, highlights in the original text,
meaning hits only above a cut-off, and each hit's way into its pair."""

from __future__ import annotations

import pytest

from workbench.app.html import highlight_html, query_direction
from workbench.search import match_spans, search_sentences

from .test_app import app_workspace, open_page  # noqa: F401  (fixture and helper)


def text_hits(ws, query: str) -> set[tuple[int, int]]:
    return {(h.document_id, h.position) for h in search_sentences(ws, query) if h.how == "text"}


def test_arabic_letters_find_what_persian_letters_find(seeded):
    """The reported case: پاريس (Arabic YEH) found 1 of the 4 sentences پاریس finds."""
    persian = text_hits(seeded, "پاریس")
    assert len(persian) == 4
    assert text_hits(seeded, "پاريس") == persian
    assert text_hits(seeded, "مجاهدين") == text_hits(seeded, "مجاهدین") != set()
    assert text_hits(seeded, "۲۰۱۸") == text_hits(seeded, "2018") != set()  # digits


def test_markup_and_wildcards_are_searched_as_text_and_mean_nothing(seeded):
    """`%` and `_` were LIKE wildcards, and meaning hits padded every query to 20."""
    assert search_sentences(seeded, "<b>x</b> 100%_") == []
    assert search_sentences(seeded, "asdf qwerty") == []
    meaning = [h for h in search_sentences(seeded, "rally in Paris") if h.how != "text"]
    assert 0 < len(meaning) < 20 and all(h.how.startswith("by meaning ") for h in meaning)


def test_hits_name_their_document_and_the_pairs_they_open(app_workspace):  # noqa: F811
    from .files import link_seed_pair

    seeded = app_workspace
    link_seed_pair(seeded)
    hit = next(h for h in search_sentences(seeded, "پاريس") if h.places)
    assert hit.document and "document" not in hit.document  # a title or a file name
    assert hit.spans and hit.text[hit.spans[0][0] : hit.spans[0][1]] in ("پاریس", "پاريس")
    assert all(p.focus.split(":")[0] in ("link", "src", "tgt") for p in hit.places)
    linked = [p for p in hit.places if p.focus.startswith("link:")]
    other = {s.text: s.lang for s in seeded.sentences(linked[0].other_doc)}
    assert other.get(linked[0].text) == linked[0].lang  # the sentence it is linked to
    assert ".txt" in linked[0].other_name  # and the document it is in (file and date)


def test_highlights_map_back_to_the_original_text():
    # ZWNJ, diacritics, Arabic letter forms, and Persian digits in the text
    text = "او می‌شود: مُجاهِدين در ۲۰۱۸ <b>"
    assert [text[a:b] for a, b in match_spans(text, "میشود", "fa")] == ["می‌شود"]
    assert [text[a:b] for a, b in match_spans(text, "مجاهدین", "fa")] == ["مُجاهِدين"]
    assert [text[a:b] for a, b in match_spans(text, "2018", "fa")] == ["۲۰۱۸"]
    assert match_spans("Paris, paris", "PARIS", "en") == [(0, 5), (7, 12)]
    html = highlight_html(text, match_spans(text, "<b>", "fa"))
    assert html.endswith("<mark>&lt;b&gt;</mark>") and "<b>" not in html


def test_the_search_box_follows_the_direction_of_the_query():
    assert query_direction("پاریس") == "rtl"
    assert query_direction("«2018» مجاهدین") == "rtl"  # first strong character decides
    assert query_direction("Paris پاریس") == "ltr"
    assert query_direction("") == "ltr"


def test_search_page_highlights_and_opens_the_pair_at_the_link(app_workspace):  # noqa: F811
    from .files import link_seed_pair

    link_seed_pair(app_workspace)
    app = open_page("Search")
    app.text_input(key="q").input("پاريس").run()
    assert not app.exception
    assert app.query_params["q"] == "پاريس"
    shown = " ".join(m.value for m in app.markdown)
    assert shown.count("<mark>") >= 4 and "direction: rtl" in shown
    button = next(b for b in app.button if b.key.startswith("hit_") and "not linked" not in b.label)
    button.click().run()
    assert not app.exception
    assert app.sidebar.radio(key="page").value == "Parallel view"
    focus = app.query_params["focus"]
    assert focus.startswith("link:")
    view = next(m.value for m in app.markdown if f'data-focus="{focus}"' in m.value)
    assert " cur" in view  # the link is marked as the focused one (row or sentences)
    assert app.query_params["alignment"] == str(app.selectbox(key="pv_pair").value)


def test_search_page_is_quiet_for_nonsense(app_workspace):  # noqa: F811
    app = open_page("Search")
    app.text_input(key="q").input("<b>x</b> 100%_").run()
    assert not app.exception
    assert any("Nothing found" in i.value for i in app.info)
    assert not any("&lt;b&gt;" in m.value and "<mark>" in m.value for m in app.markdown)


def test_document_names_stay_text_in_the_search_page(tmp_path, monkeypatch):
    """Button labels render Markdown links and images: a title must not become one."""
    from workbench import Workspace
    from workbench_eval.app import add_aligned_pair

    ws = Workspace(tmp_path / "ws")
    aid = add_aligned_pair(ws, ["Paris rally"], ["تجمع پاریس"], ("en", "fa"))
    hostile = "![x](http://192.0.2.1/x.png) **Paris** <img src=x onerror=alert(1)>"
    with ws.transaction():
        for (doc,) in ws.conn.execute("SELECT src_doc FROM alignments WHERE id = ?", (aid,)):
            ws.update_document(doc, title=hostile)
        ws.conn.execute("UPDATE links SET confidence = 0.9")  # shown as a counterpart
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    app = open_page("Search")
    app.text_input(key="q").input("پاريس").run()
    assert not app.exception
    label = next(b.label for b in app.button if b.key.startswith("hit_"))
    assert "![" not in label and "](" not in label and "**" not in label  # no live Markdown
    assert "x&#46;png" in label  # shown as text (character references)
    shown = " ".join(m.value for m in app.markdown)
    assert "<img" not in shown and "&lt;img" in shown


def test_counterparts_show_their_confidence_and_their_event(app_workspace):  # noqa: F811
    from workbench.search import places

    from .files import link_seed_pair

    ws = app_workspace
    aid = link_seed_pair(ws, confidence=0.9)
    persian = next(d for d in ws.documents() if d.path.endswith(".txt") and "/000_" in d.path)
    (place,) = [p for p in places(ws, persian.id, 0) if p.alignment_id == aid]
    assert place.text and place.confidence == 0.9 and place.event_id is None
    app = open_page("Search")
    app.text_input(key="q").input("Iran Dissidents to March on Paris").run()
    notes = [m.value for m in app.markdown if "confidence 0.90" in m.value]
    assert notes and "in another event of the thread" in notes[0]
    with ws.transaction() as conn:  # the same link, weak: not shown as a counterpart
        conn.execute("UPDATE links SET confidence = 0.1 WHERE alignment_id = ?", (aid,))
    (weak,) = [p for p in places(ws, persian.id, 0) if p.alignment_id == aid]
    assert weak.text == "" and weak.focus == "src:0"
    every = places(ws, persian.id, 0, min_confidence=0)
    assert next(p for p in every if p.alignment_id == aid).text


def test_every_hit_is_counted_and_reachable_page_by_page(app_workspace):  # noqa: F811
    hits = search_sentences(app_workspace, "ایران")
    words = [h for h in hits if h.how == "text"]
    assert len(words) > 20 and len({h.document_id for h in words}) >= 4
    app = open_page("Search")
    app.text_input(key="q").input("ایران").run()
    assert any(f"{len(words)} sentences in" in c.value for c in app.caption)
    seen = set()
    pages = int(app.number_input(key="search_page").max)
    assert pages == (len(hits) + 19) // 20
    for page in range(1, pages + 1):
        app.number_input(key="search_page").set_value(page).run()
        assert not app.exception
        seen |= {b.key for b in app.button if b.key.startswith("hit_")}
    assert len(seen) == len(hits)


def test_letter_forms_find_the_same_sentences(app_workspace):  # noqa: F811
    def found(query: str, **options) -> list[tuple[int, int, str]]:
        hits = search_sentences(app_workspace, query, **options)
        return [(h.document_id, h.position, h.how) for h in hits]

    assert found("كشور") == found("کشور")  # Arabic and Persian kaf, by words and meaning
    assert found("إيران", meaning=False) == found("ایران", meaning=False)  # hamza
    assert found("ایران", meaning=False)


def test_a_date_line_is_not_found_by_meaning(tmp_path):
    from workbench import Workspace
    from workbench_eval.app import add_aligned_pair

    ws = Workspace(tmp_path / "ws")
    add_aligned_pair(
        ws,
        ["27 June 2014", "The opposition held a large rally in Paris on Saturday."],
        ["۲۷ ژوئن ۲۰۱۴", "مخالفان روز شنبه در پاریس گردهمایی بزرگی برگزار کردند."],
        ("en", "fa"),
    )
    hits = search_sentences(ws, "rally of the opposition in Paris", cutoff=-1.0)  # any sense
    assert len(hits) == 2 and all("2014" not in h.text and "۲۰۱۴" not in h.text for h in hits)


@pytest.mark.subprocess
def test_the_cli_finds_what_the_app_finds(seeded):
    import json

    from .test_cli import workbench

    expected = search_sentences(seeded, "كشور", meaning=False)  # Arabic kaf typed
    result = workbench("search", "كشور", "--no-meaning", "--format", "json", workspace=seeded.path)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert [(h["document_id"], h["sentence"]) for h in hits] == [
        (h.document_id, h.position) for h in expected
    ]
    assert f"{len(expected)} sentences match the words" in result.stderr
    english = workbench("search", "Paris", "--no-meaning", "--lang", "en", workspace=seeded.path)
    assert english.returncode == 0 and "Paris" in english.stdout


def test_a_hit_in_a_document_alone_opens_it_at_that_sentence(app_workspace):  # noqa: F811
    """The seeds keep no links: every hit is in a document with nothing beside it."""
    import re

    app = open_page("Search")
    app.text_input(key="q").input("ایران").run()
    buttons = [b for b in app.button if b.key.startswith("hit_")]
    assert all(b.label == "Open the document" and not b.disabled for b in buttons)
    buttons[-1].click().run()
    assert not app.exception
    assert app.sidebar.radio(key="page").value == "Corpus"
    document = app.selectbox(key="read_doc").value
    first = min(d.id for d in app_workspace.documents())
    assert app.query_params.get("document") == (None if document == first else str(document))
    marked = [m.value for m in app.markdown if 'class="pv-scroll"' in m.value]
    assert len(marked) == 1 and marked[0].count("outline:2px solid") == 1
    position = int(re.search(r'id="pv-doc-(\d+)" style="background', marked[0]).group(1))
    assert (document, position) in text_hits(app_workspace, "ایران")


def test_a_query_finds_sentences_in_other_scripts_by_meaning(tmp_path):
    """Without translations, an English query found no Persian or Arabic sentence by
    meaning: the query was centred on each sentence's language, not on its own."""
    from pathlib import Path

    from workbench import Workspace, run

    ws = Workspace(tmp_path / "ws")
    run(ws, [Path(__file__).parent / "data" / "independent"], stages=[])
    langs = {d.id: d.lang for d in ws.documents()}

    def found(query: str) -> set[str]:
        hits = search_sentences(ws, query, placed=False)
        return {langs[h.document_id] for h in hits if "مدارس" in h.text or "schools" in h.text}

    assert found("schools closed") == {"en", "fa", "ar"}
    assert found("مدارس تعطیل شد") == {"en", "fa", "ar"}  # Persian: schools were closed
    assert search_sentences(ws, "asdf qwerty", placed=False) == []
