"""The pair view (issue 14, items 1, 3 and 4): the review loop on top, rows for parallel
pairs and two texts for comparable ones, the alignment map, colours on a fixed confidence
scale, and documents and events named the way people know them.

AppTest drives the page (no browser); tests/test_browser_review.py does the same with
keys and clicks in Chromium."""

from __future__ import annotations

import html
import re

import pytest

from workbench.app.html import (
    BANDS,
    band,
    comparable_html,
    confidence_badge,
    map_spec,
    parallel_table_html,
)
from workbench.app.views import ParallelRow, pair_label
from workbench.document import Sentence
from workbench.names import DocName, event_name, thread_name
from workbench.store import EventRow

from .conftest import ROOT
from .test_app import app_workspace, open_app  # noqa: F401  (fixture and helper)

LINKS = 12  # add_aligned_pair gives link k the confidence (k % 10) / 10


@pytest.fixture
def review_pair(tmp_path, monkeypatch):
    """One parallel fa-en pair of twelve 1-1 links, confidences 0.0-0.9, opened by the app."""
    from workbench import Workspace
    from workbench.edit import links
    from workbench_eval.app import add_aligned_pair

    ws = Workspace(tmp_path / "ws")
    aid = add_aligned_pair(
        ws,
        [f"جمله منبع شماره {k}" for k in range(LINKS)],
        [f"target sentence number {k}" for k in range(LINKS)],
        ("fa", "en"),
    )
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    return ws, aid, [k.id for k in links(ws, aid)]


def focus_of(app) -> str:
    return app.query_params["focus"]


def status_of(ws, link_id: int) -> str:
    from workbench.edit import links

    aid = ws.conn.execute("SELECT alignment_id FROM links WHERE id = ?", (link_id,)).fetchone()
    return next(k.status for k in links(ws, aid[0]) if k.id == link_id)


# --- the review loop -------------------------------------------------------------------


def test_the_panel_on_top_shows_both_sentences_and_confirm_and_reject_move_on(review_pair):
    ws, aid, ids = review_pair
    app = open_app(page="Parallel view", alignment=str(aid))
    assert focus_of(app) == f"link:{ids[0]}"
    panel = " ".join(m.value for m in app.markdown)
    assert "جمله منبع شماره 0" in panel and "target sentence number 0" in panel
    assert app.subheader[0].value == "Row 1 of 12: [1]-[1]"
    app.button(key="ed_confirm").click().run()
    assert status_of(ws, ids[0]) == "confirmed"
    assert focus_of(app) == f"link:{ids[1]}"  # moved on
    app.button(key="ed_reject").click().run()
    assert status_of(ws, ids[1]) == "rejected"
    assert focus_of(app) == f"link:{ids[2]}"
    app.button(key="ed_undo").click().run()  # focuses the link it brought back
    assert status_of(ws, ids[1]) == "auto"
    assert focus_of(app) == f"link:{ids[1]}"
    app.button(key="pv_prev").click().run()
    assert focus_of(app) == f"link:{ids[0]}"
    app.button(key="pv_prev").click().run()  # Previous stops at the first row
    assert focus_of(app) == f"link:{ids[0]}"
    app.button(key="pv_next").click().run()
    assert focus_of(app) == f"link:{ids[1]}"
    assert not app.exception


def test_suspicious_and_unconfirmed_go_both_ways(review_pair):
    """Suspicious: unreviewed links under confidence 0.5 (links 0-4, 10, 11), n:m links,
    sentences without a partner; the previous ones wrap around."""
    ws, aid, ids = review_pair
    from workbench.edit import set_status

    set_status(ws, ids[6], "confirmed")
    set_status(ws, ids[10], "rejected")
    app = open_app(page="Parallel view", alignment=str(aid), focus=f"link:{ids[5]}")
    app.button(key="pv_next_sus").click().run()
    assert focus_of(app) == f"link:{ids[11]}"  # 6-9 are 0.6-0.9, 10 is rejected
    app.button(key="pv_next_sus").click().run()
    assert focus_of(app) == f"link:{ids[0]}"  # wraps around
    app.button(key="pv_prev_sus").click().run()
    assert focus_of(app) == f"link:{ids[11]}"
    app.button(key="pv_prev_sus").click().run()
    assert focus_of(app) == f"link:{ids[4]}"
    app.button(key="pv_next_unc").click().run()
    assert focus_of(app) == f"link:{ids[5]}"
    app.button(key="pv_next_unc").click().run()
    assert focus_of(app) == f"link:{ids[7]}"  # 6 is confirmed
    app.button(key="pv_prev_unc").click().run()
    assert focus_of(app) == f"link:{ids[5]}"
    assert not app.exception


def test_the_confidence_filter_lives_in_the_address(review_pair):
    ws, aid, ids = review_pair
    from workbench.edit import set_status

    set_status(ws, ids[1], "confirmed")  # under the cut-off, but a user confirmed it
    app = open_app(page="Parallel view", alignment=str(aid), min="0.5")
    assert app.number_input(key="pv_min").value == 0.5
    table = next(m.value for m in app.markdown if 'class="pv"' in m.value)
    shown = re.findall(r'<tr id="pv-link-(\d+)"', table)
    assert shown == [str(i) for i in [ids[1], *ids[5:10]]]
    again = open_app(page="Parallel view", alignment=str(aid), min="7")  # not a confidence
    assert again.number_input(key="pv_min").value == 0.0  # a parallel pair shows every link


def test_table_headers_name_the_documents_and_rows_have_anchors(review_pair):
    _, aid, ids = review_pair
    app = open_app(page="Parallel view", alignment=str(aid))
    table = next(m.value for m in app.markdown if 'class="pv"' in m.value)
    heads = re.findall(r"<th[^>]*>(.*?)</th>", table)
    assert [html.unescape(h) for h in heads[1:3]] == [
        "fa · \u2068bench fa\u2069 · bench.txt",  # a title isolated in its own direction
        "en · \u2068bench en\u2069 · bench.txt #2",  # the second document of one file
    ]
    assert f'id="pv-link-{ids[0]}" class="st-auto cur"' in table
    assert f'data-focus="link:{ids[3]}"' in table  # a click on the number focuses the row


# --- comparable pairs: two texts --------------------------------------------------------


def test_a_comparable_pair_reads_as_two_texts_with_links_marked(app_workspace):  # noqa: F811
    from workbench import run
    from workbench.align.confidence import SHOWN_CONFIDENCE
    from workbench.app.views import alignments
    from workbench.document import shown_at
    from workbench.edit import links

    # three independent reports of one earthquake: comparable pairs inside one event
    run(app_workspace, [ROOT / "tests" / "data" / "independent"])
    infos = [i for i in alignments(app_workspace) if i.mode == "comparable"]
    info = max(infos, key=lambda i: len(links(app_workspace, i.id)))
    pair = links(app_workspace, info.id)
    shown = [k for k in pair if shown_at(k.confidence, k.status, SHOWN_CONFIDENCE)]
    assert shown
    app = open_app(page="Parallel view", alignment=str(info.id))
    assert app.selectbox(key="pv_event").value == (info.event_id or 0)
    if info.event_id is None:  # mined between two related events of a thread
        assert "Between related events" in app.selectbox(key="pv_event").format_func(0)
        assert app.query_params["event"] == "0"
    text = next(m.value for m in app.markdown if 'class="cv"' in m.value)
    assert text.count('<div class="col"') == 2
    every = app_workspace.sentences(info.src_doc) + app_workspace.sentences(info.tgt_doc)
    assert text.count('class="t ') == len(every)  # every sentence, as running text
    # the links shown at the default floor are marked in the text
    marked = sum(len(k.src_ids) + len(k.tgt_ids) for k in shown if k.src_ids and k.tgt_ids)
    assert len(re.findall(r'<span [^>]*data-l="\d+"', text)) == marked
    for link in shown:  # pointing at a sentence highlights its partner
        assert f':has([data-l="{link.id}"]:hover) [data-l="{link.id}"]' in text
    assert app.subheader[0].value.startswith(f"Row 1 of {len(shown)}:")  # links, not sentences
    assert not any('class="pv"' in m.value for m in app.markdown)  # no row table
    assert not app.exception


def test_text_view_escapes_and_keeps_each_sentence_direction():
    src = [
        Sentence("<script>x</script> سلام", 0, 0, "", "fa", 0),
        Sentence("Breaking news", 0, 0, "", "en", 1),
    ]
    tgt = [Sentence("Hello & <b>bye</b>", 0, 0, "", "en", 0)]
    rows = [
        ParallelRow(7, (0,), (0,), "", "", "", "", 0.3, "1-1", "rejected", "fa", "en", 0.3),
        ParallelRow(None, (1,), (), "", "", "", "", None, "unlinked", "—", "en", "en"),
    ]
    page = comparable_html(src, tgt, rows, "link:7", ("fa <i>", "en"), "fa", "en")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page
    assert "fa &lt;i&gt;" in page  # headers escaped too
    assert 'class="t st-rejected cur" id="pv-src-0" dir="rtl" lang="fa" data-l="7"' in page
    assert 'id="pv-src-1" dir="ltr" lang="en" data-focus="src:1"' in page  # an English line
    assert f"border-bottom-color:{BANDS['low'][1]}" in page


# --- the alignment map ---------------------------------------------------------------------


def test_the_map_colours_by_confidence_and_draws_status_apart():
    rows = [
        ParallelRow(1, (0,), (0,), "", "", "", "", 1.2, "1-1", "confirmed", confidence=0.9),
        ParallelRow(2, (1,), (1,), "", "", "", "", 1.1, "1-1", "rejected", confidence=0.95),
        ParallelRow(3, (2, 3), (2,), "", "", "", "", 0.4, "2-1", "auto", confidence=0.6),
        ParallelRow(4, (4,), (), "", "", "", "", None, "0-1", "auto", confidence=0.0),
        ParallelRow(None, (5,), (), "", "", "", "", None, "unlinked", "—"),
        ParallelRow(5, (6,), (3,), "", "", "", "", None, "1-1", "edited"),
    ]
    spec = map_spec(rows, "link:3", 7, 4)
    points = spec["params"][0]["value"]
    # two-sided links only, sentences counted from 1 as the rows are
    assert points["s"] == [1, 2, 3, 4, 7] and points["t"] == [1, 2, 3, 3, 4]
    assert points["l"] == [1, 2, 3, 3, 5]
    assert points["b"] == ["high", "high", "mid", "mid", "user"]  # the model's, not status
    encoding = spec["encoding"]
    assert encoding["fill"]["condition"] == {
        "test": "datum.status === 'rejected'",
        "value": "#ffffff",  # rejected: hollow
    }
    assert encoding["fill"]["scale"]["range"] == [BANDS[b][1] for b in BANDS]  # fixed
    assert "confirmed" in encoding["stroke"]["condition"]["test"]  # a dark ring
    assert encoding["size"]["condition"]["test"] == "datum.link === 3"  # the focused one
    assert spec["params"][1]["select"]["fields"] == ["focus"]
    assert spec["encoding"]["x"]["scale"]["domain"] == [0.5, 7.5]  # every dot whole
    assert map_spec(rows[3:5], None, 7, 4) is None  # nothing two-sided to draw


def test_a_click_on_a_dot_focuses_its_link():
    from workbench.app.pages.pair import _map_picked

    class Session(dict):
        pass

    class St:
        session_state = Session(pv_map={"selection": {"pick": [{"focus": "link:42"}]}})

    _map_picked(St, "pv_map")
    assert St.session_state["pv_focus"] == "link:42"
    St.session_state["pv_map"] = {"selection": {"pick": []}}  # a click beside the dots
    _map_picked(St, "pv_map")
    assert St.session_state["pv_focus"] == "link:42"


def test_the_map_is_drawn_without_a_dataframe():
    """pandas and pyarrow take longer to import than the whole 5,000-link page takes to draw:
    the spec must be plain JSON."""
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from workbench.app.html import map_spec\n"
        "from workbench.app.views import ParallelRow\n"
        "rows = [ParallelRow(k, (k,), (k,), '', '', '', '', 1.0, '1-1', 'auto', confidence=0.5)"
        " for k in range(100)]\n"
        "json.dumps(map_spec(rows, 'link:3', 100, 100))\n"
        "print('pandas' in sys.modules, 'pyarrow' in sys.modules, 'altair' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


# --- colours and labels --------------------------------------------------------------------


def test_colours_follow_a_fixed_confidence_scale_and_status_is_drawn_apart():
    def row(confidence, status="auto", tgt=(0,)):
        return ParallelRow(
            1, (0,), tgt, "a", "b", "", "", 1.1, "1-1", status, confidence=confidence
        )

    assert [band(row(c)) for c in (0.95, 0.8, 0.79, 0.5, 0.49, 0.0)] == [
        "high",
        "high",
        "mid",
        "mid",
        "low",
        "low",
    ]
    assert band(row(None)) == "user" and band(row(0.0, tgt=())) == "none"
    # the colour follows the value the chip writes: 0.797 reads "0.80", so it is green
    assert (band(row(0.797)), band(row(0.4951))) == ("high", "mid")
    assert ">0.80<" in confidence_badge(row(0.797))
    confirmed_but_unlikely = confidence_badge(row(0.2, "confirmed"))
    assert 'class="b b-low"' in confirmed_but_unlikely and "✔ confirmed" in confirmed_but_unlikely
    table = parallel_table_html([row(0.9, "rejected")], 0, "fa", "en")
    assert 'class="st-rejected"' in table and "b-high" in table
    assert re.search(r"tr\.st-rejected div\.s, tr\.st-rejected div\.en \{ text-decoration", table)


def test_a_link_whose_numbers_differ_is_marked_and_suspicious(tmp_path, monkeypatch):
    """Each side states a number the other does not: marked in the row (numbers in its
    tooltip) and written out in the focused link's panel; a likely link, yet suspicious."""
    from workbench import Workspace
    from workbench.app.views import suspicious
    from workbench.edit import links
    from workbench_eval.app import add_aligned_pair

    def row(src, tgt):
        return ParallelRow(1, (0,), (0,), src, tgt, "", "", 1.1, "1-1", "auto", confidence=0.9)

    differ = row("گزارش‌ها از ۴۵ کشته خبر دادند", "Reports said 40 people were killed")
    table = parallel_table_html([differ], 0, "fa", "en")
    assert 'title="numbers differ: 45 / 40">numbers differ</span>' in html.unescape(table)
    assert suspicious(differ)
    same = row("گزارش‌ها از ۴۰ کشته خبر دادند", "Reports said 40 people were killed")
    assert "numbers differ" not in parallel_table_html([same], 0, "fa", "en")
    assert not suspicious(same)

    ws = Workspace(tmp_path / "ws")
    aid = add_aligned_pair(ws, [differ.src_text], [differ.tgt_text], ("fa", "en"))
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    app = open_app(page="Parallel view", alignment=str(aid), focus=f"link:{links(ws, aid)[0].id}")
    assert any("numbers differ: 45 / 40" in html.unescape(m.value) for m in app.markdown)


def test_documents_and_events_are_named_by_title_file_and_date():
    untitled = DocName(
        3, "fa", "نخستین جمله‌ی این متن بلند است و ادامه دارد تا اینجا", "a.txt", "2020", 5
    )
    assert untitled.label(4) == "\u2068نخستین جمله‌ی این متن …\u2069 · a.txt · \u20662020\u2069"
    titled = DocName(4, "en", "Talks in Muscat", "b.html #2", None, 6)
    assert titled.label() == "\u2068Talks in Muscat\u2069 · b.html #2"
    assert "event 5" in pair_label(untitled, titled, "comparable", between_events=True)
    assert "event" not in pair_label(untitled, titled, "parallel", between_events=False)
    assert pair_label(untitled, titled, "parallel", False).startswith("parallel · ")
    event = EventRow(1, "Rally in Paris", "", "auto", "2018-06-30", 2, "Rallies")
    assert event_name(event) == "\u2068Rally in Paris\u2069 (2018-06-30)"
    # the date the label ends with stays outside the isolate: a right-to-left title
    # would otherwise show it as (27-06-2014)
    dated = EventRow(1, "روز جمعه 27 ژوئن (2014-06-27)", "", "auto", "2014-06-27", None, None)
    assert event_name(dated) == "\u2068روز جمعه 27 ژوئن\u2069 (2014-06-27)"
    assert thread_name("«رژیم» کنفرانس (2014-2025)") == "\u2068«رژیم» کنفرانس\u2069 (2014-2025)"
    assert thread_name("Talks (in Oman)") == "\u2068Talks (in Oman)\u2069"


def test_an_untitled_document_is_named_by_its_first_words(app_workspace):  # noqa: F811
    from workbench.app.views import document_names

    names = document_names(app_workspace)
    untitled = next(d for d in app_workspace.documents() if not d.title)
    first = app_workspace.sentences(untitled.id)[0].text
    assert names[untitled.id].title == first
    assert names[untitled.id].label().startswith("\u2068" + " ".join(first.split()[:5]))
    dated = next(d for d in app_workspace.documents() if d.date)
    assert names[dated.id].label().endswith(f" · \u2066{dated.date}\u2069")  # reads LTR


def test_latest_edit_names_what_undo_brings_back(review_pair):
    from workbench.edit import merge, set_status, undo

    ws, aid, ids = review_pair
    assert ws.latest_edit(aid) is None
    set_status(ws, ids[0], "confirmed")
    merge(ws, ids[2], ids[3])
    assert ws.latest_edit(aid) == ("merge", [ids[2], ids[3]])
    undo(ws, aid)
    assert ws.latest_edit(aid) == ("confirmed", [ids[0]])


def test_a_comparable_pair_starts_at_the_floor_and_counts_what_it_hides(review_pair):
    from workbench.align.confidence import SHOWN_CONFIDENCE
    from workbench.edit import links

    ws, aid, ids = review_pair
    with ws.transaction() as conn:  # the same links, as mined between two reports
        conn.execute("UPDATE alignments SET mode = 'comparable' WHERE id = ?", (aid,))
    low = sum(k.confidence < SHOWN_CONFIDENCE for k in links(ws, aid))
    assert 0 < low < len(ids)
    app = open_app(page="Parallel view", alignment=str(aid))
    assert app.number_input(key="pv_min").value == SHOWN_CONFIDENCE
    assert f"{low} links below confidence 0.5 hidden" in [c.value for c in app.sidebar.caption]
    app.number_input(key="pv_min").set_value(0.0).run()
    assert not any("hidden" in c.value for c in app.sidebar.caption)
    assert app.query_params["min"] == "0.0"


def test_dates_in_table_cells_read_left_to_right_after_a_right_to_left_title():
    from workbench.names import dated_label

    label = dated_label("12: تجمع پاریس (2018-06-30)")
    assert label == "12: \u2068تجمع پاریس\u2069 (\u20662018-06-30\u2069)"
    assert dated_label("3: Rally (2014-2025)").endswith("(\u20662014-2025\u2069)")
    assert dated_label("") == ""
