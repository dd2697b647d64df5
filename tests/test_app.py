import html
import json
import re

import pytest

from workbench.api import status_records
from workbench.app import workspace_path
from workbench.app.html import sentence_html, translation_html

from .conftest import ROOT


def test_sentence_html_escapes_untrusted_text_and_sets_direction():
    out = sentence_html('<script>alert("x")</script> سلام', "fa")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'dir="rtl"' in out
    assert 'dir="ltr"' in sentence_html("Hello", "en")


def test_workspace_argument_and_environment(monkeypatch, tmp_path):
    assert workspace_path(["--workspace", str(tmp_path)]) == tmp_path
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(tmp_path / "env"))
    assert workspace_path([]) == tmp_path / "env"


def test_app_says_when_the_workspace_is_missing(monkeypatch, tmp_path):
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(tmp_path / "missing"))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert "no workspace at" in app.error[0].value
    assert not (tmp_path / "missing").exists()


def test_app_opens_a_workspace_from_the_environment(seeded, monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(seeded.path))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert len(app.dataframe) == 1
    assert any("Iran Dissidents to March on Paris" in m.value for m in app.markdown)


def test_translation_html_escapes_and_shows_flags():
    out = translation_html("<b>x</b>", ["echo", "test-model"])
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert "echo" in out and "test-model" in html.unescape(out)


@pytest.mark.models
def test_app_shows_translations_and_warns_about_test_models(tmp_path, monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    from workbench import Workspace, run
    from workbench.translate.models import ModelStore

    ws = Workspace(tmp_path / "ws")
    ModelStore(ws).add(ROOT / "tests" / "data" / "models" / "translate-fa_en-test.argosmodel")
    run(ws, [next((ROOT / "seeds").glob("000_*"))])
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert "test model" in app.warning[0].value
    assert any('lang="en" style="color:#555' in m.value for m in app.markdown)


# --- pages (AppTest on a copy of the seeded workspace) -------------------------------


@pytest.fixture
def app_workspace(seeded_with_stories, tmp_path, monkeypatch):
    """A private copy of the seeds and stories workspace (pages edit it)."""
    from workbench import Workspace

    ws = Workspace(seeded_with_stories.copy_to(tmp_path / "ws"))
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    return ws


def open_page(name: str):
    testing = pytest.importorskip("streamlit.testing.v1")
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.run()
    app.sidebar.radio(key="page").set_value(name).run()
    assert not app.exception, app.exception
    return app


def test_parallel_view_shows_rtl_rows_and_edits_are_saved(app_workspace):
    from workbench.edit import links

    app = open_page("Parallel view")
    pairs = app.selectbox(key="pv_pair")
    with_english = next(i for i, label in enumerate(pairs.options) if "↔ en" in label)
    pairs.select_index(with_english).run()
    table = next(m.value for m in app.markdown if 'class="pv"' in m.value)
    assert 'dir="rtl"' in table and 'dir="ltr"' in table
    app.button(key="pv_next_sus").click().run()
    assert not app.exception
    app.button(key="pv_next_unc").click().run()
    assert not app.exception
    app.button(key="ed_confirm").click().run()
    assert not app.exception
    statuses = [
        link.status
        for (aid,) in app_workspace.conn.execute("SELECT id FROM alignments")
        for link in links(app_workspace, aid)
    ]
    assert "confirmed" in statuses
    history = app_workspace.conn.execute("SELECT actor FROM link_history").fetchall()
    assert [tuple(h) for h in history] == [("app",)]
    app.button(key="ed_undo").click().run()
    assert not app.exception
    assert (
        app_workspace.conn.execute(
            "SELECT COUNT(*) FROM links WHERE status = 'confirmed'"
        ).fetchone()[0]
        == 0
    )


def test_events_page_moves_a_document_to_a_new_event(app_workspace):
    app = open_page("Events")
    assert any("why:" in c.value for c in app.caption)
    doc_id = app.selectbox(key="mv_doc").value
    app.selectbox(key="mv_to").set_value(0).run()
    app.button(key="mv_go").click().run()
    assert not app.exception
    after = next(d.event_id for d in app_workspace.documents() if d.id == doc_id)
    done = [m.value for m in app.success if m.value.startswith("moved")]  # survives the rerun
    assert done and f"to event {after}" in done[0] and "re-align" in done[0]
    assert app_workspace.auto_grouped_document_ids().isdisjoint({doc_id})
    # the events it left and joined no longer show the grouping's reason as if unchanged
    assert any("placed by a user" in c.value for c in app.caption)
    assert any(f"#{doc_id} " in t.value and "placed here by a user" in t.value for t in app.text)


def test_export_search_and_models_pages_render(app_workspace):
    app = open_page("Export")
    assert any("links" in c.value for c in app.caption)
    app = open_page("Search")
    app.text_input(key="q").input("Paris").run()
    assert not app.exception
    assert any("Paris" in m.value or "پاریس" in m.value for m in app.markdown)
    app = open_page("Models")
    assert any("No translation model" in i.value for i in app.info)


def test_document_markup_is_shown_inert(tmp_path, monkeypatch):
    from workbench import Workspace, run

    page = tmp_path / "evil.txt"
    page.write_text(
        "An <script>alert('x')</script> headline about <b>Paris</b>.\n"
        "Second sentence with <img src=x onerror=alert(1)> markup.\n",
        "utf-8",
    )
    ws = Workspace(tmp_path / "ws")
    run(ws, [page], stages=[])
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    app = open_page("Corpus")
    shown = " ".join(m.value for m in app.markdown)
    assert "&lt;script&gt;" in shown and "<script>" not in shown
    assert "<img" not in shown and "&lt;img" in shown


def test_corpus_table_shows_each_documents_event_and_thread_first(app_workspace):
    table = open_page("Corpus").dataframe[0].value
    assert list(table.columns)[:6] == ["id", "lang", "date", "event", "thread", "aligned"]
    from workbench.app.pages.corpus import THREAD_CHARS
    from workbench.names import dated_label, split_date

    status = {r["id"]: r for r in status_records(app_workspace)}
    for row in table.itertuples():  # dates isolated left to right (issue 24)
        thread = status[row.id]["thread"] or ""
        assert row.thread == dated_label(thread, THREAD_CHARS)
        date = split_date(thread)[1]  # a long title is cut between words, never its date
        assert date is None or row.thread.endswith(f"(\u2066{date}\u2069)")
    assert table["thread"].str.len().gt(0).any()
    assert table["thread"].str.contains("\u2066").any()
    assert table["thread"].str.contains("…").any()  # the seeds' thread names are long


def test_name_columns_fit_the_window(app_workspace):
    """A Persian name starts at its cell's right edge: the event and thread columns have
    fixed widths that leave that edge in view in the 980 px a 1440 px window gives the
    table, instead of growing to their longest name."""
    corpus = open_page("Corpus").dataframe[0]
    widths = {k: v.get("width") for k, v in json.loads(corpus.proto.columns).items()}
    assert isinstance(widths["event"], int) and isinstance(widths["thread"], int)
    assert 150 + widths["event"] + widths["thread"] <= 980  # beside id, lang and date


def test_corpus_page_names_skipped_files_and_languages_without_a_model(tmp_path, monkeypatch):
    """The Corpus page's warnings come from the ingest log and the failed translation
    jobs (read through the store's records), the file name shown inert."""
    from workbench import Workspace, run
    from workbench.translate import TranslateStage

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "khabar.txt").write_text("این یک خبر کوتاه است.\nجمله دوم خبر اینجاست.\n", "utf-8")
    (folder / "<b>broken.pdf").write_bytes(b"not a pdf at all")
    ws = Workspace(tmp_path / "ws")
    run(ws, [folder], stages=[TranslateStage()])
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    warnings = [w.value for w in open_page("Corpus").warning]
    assert any(
        html.unescape(w).startswith("fa: no model installed; add one with") for w in warnings
    )
    assert any("`workbench models add translate-fa_en-*.argosmodel`" in w for w in warnings)
    skipped = [w for w in warnings if w.startswith("skipped ")]
    assert len(skipped) == 1 and "broken" in skipped[0] and "<b>" not in skipped[0]


def test_upload_names_never_leave_the_uploads_folder():
    from workbench.app.safe import safe_upload_name

    assert safe_upload_name("../../etc/passwd") == "passwd"
    assert safe_upload_name("..\\..\\win.ini") == "win.ini"
    assert safe_upload_name("..") == "upload"
    assert safe_upload_name("خبر ۱.txt") == "خبر ۱.txt"


def test_rows_take_each_sentence_direction_from_its_own_language(app_workspace):
    from workbench.app.html import parallel_table_html
    from workbench.app.views import alignments, parallel_rows

    from .files import link_seed_pair

    link_seed_pair(app_workspace)
    headline = next(
        r
        for i in alignments(app_workspace)
        if i.tgt_lang == "en" and i.src_lang == "fa"
        for r in parallel_rows(app_workspace, i)
        if "Iran Dissidents to March on Paris" in r.src_text
    )
    assert headline.src_lang == "en"
    page = parallel_table_html([headline], 0, "fa", "en")
    assert 'dir="ltr" lang="en">Iran Dissidents' in page


def test_filters_keep_or_hide_rows():
    from workbench.app.views import ParallelRow, filter_rows

    rows = [
        ParallelRow(1, (0,), (0,), "a", "b", "", "", 0.9, "1-1", "auto", confidence=0.9),
        ParallelRow(2, (1, 2), (1,), "c", "d", "", "", 0.2, "2-1", "auto", confidence=0.2),
        ParallelRow(3, (3,), (2,), "c", "d", "", "", 0.2, "1-1", "confirmed", confidence=0.1),
        ParallelRow(4, (4,), (3,), "c", "d", "", "", None, "1-1", "edited"),
        ParallelRow(None, (5,), (), "e", "", "", "", None, "unlinked", "—"),
    ]
    assert len(filter_rows(rows)) == 5
    # the export's cut-off: links a user confirmed or made stay, unlinked sentences too
    assert [r.link_id for r in filter_rows(rows, min_confidence=0.5)] == [1, 3, 4, None]
    assert [r.link_id for r in filter_rows(rows, types=["2-1"])] == [2]
    assert [r.link_id for r in filter_rows(rows, statuses=["auto"])] == [1, 2]
    assert [r.link_id for r in filter_rows(rows, show_unlinked=False)] == [1, 2, 3, 4]


def test_three_documents_side_by_side(app_workspace):
    from workbench.app.html import pivot_table_html
    from workbench.app.views import alignments, pivot_rows
    from workbench.edit import links

    infos = alignments(app_workspace)
    docs = app_workspace.documents()
    english = next(
        d for d in docs if d.lang == "en" and sum(e.event_id == d.event_id for e in docs) == 3
    )
    event = english.event_id
    others = [d.id for d in docs if d.event_id == event and d.id != english.id]
    rows = pivot_rows(app_workspace, english.id, others[:2], infos)
    assert len(rows) == english.sentences
    assert all(len(r.others) == 2 for r in rows)
    assert any(text for r in rows for text, _, _ in r.others)  # some sentences are linked
    page = pivot_table_html(rows)
    assert page.count("<tr>") == len(rows) and 'dir="rtl"' in page
    pair = next(i for i in infos if {i.src_doc, i.tgt_doc} == {english.id, others[0]})
    calibrated = {f"confidence {k.confidence:.2f}" for k in links(app_workspace, pair.id)}
    shown = set(re.findall(r"confidence \d\.\d\d", page))
    assert shown and shown <= calibrated | {
        f"confidence {k.confidence:.2f}"
        for i in infos
        if {i.src_doc, i.tgt_doc} == {english.id, others[1]}
        for k in links(app_workspace, i.id)
    }  # the same scale as the pair view, never the raw score

    from workbench.app.views import PivotRow

    # a linked sentence whose numbers differ from the pivot's is marked, as in the pair view
    marked = PivotRow(0, "12 killed", "en", (("١٧ قتيلا", "ar", 0.9), ("۱۲ کشته", "fa", 0.9)))
    assert pivot_table_html([marked]).count('title="numbers differ&#58; 12 &#47; 17"') == 1

    app = open_page("Parallel view")
    app.multiselect(key="pv_three").set_value([english.id, *others[:2]]).run()
    assert not app.exception
    assert sum('class="pv"' in m.value for m in app.markdown) == 2


# --- the address bar keeps the place ---------------------------------------------------


def open_app(**params):
    """A fresh session opened from an address alone (what a reload or a bookmark does)."""
    testing = pytest.importorskip("streamlit.testing.v1")
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    assert not app.exception, app.exception
    return app


def row_caption(app) -> str:
    return next(c.value for c in app.caption if c.value.startswith("row "))


def test_a_reload_keeps_page_pair_focused_row_and_filters(app_workspace):
    from workbench.app.views import alignments
    from workbench.edit import links

    info = max(alignments(app_workspace), key=lambda i: len(links(app_workspace, i.id)))
    app = open_app(page="Parallel view")
    app.selectbox(key="pv_event").set_value(info.event_id).run()
    app.selectbox(key="pv_pair").set_value(info.id).run()
    app.multiselect(key="pv_status").set_value(["auto"]).run()
    app.checkbox(key="pv_unl").uncheck().run()
    app.button(key="pv_next_unc").click().run()
    app.button(key="pv_next_unc").click().run()
    assert not app.exception
    place = dict(app.query_params)
    assert place["page"] == "Parallel view" and place["alignment"] == str(info.id)
    assert place["status"] == "auto" and place["unlinked"] == "0"
    assert place["focus"].startswith("link:")
    again = open_app(**place)
    assert again.sidebar.radio(key="page").value == "Parallel view"
    assert again.selectbox(key="pv_pair").value == info.id
    assert again.multiselect(key="pv_status").value == ["auto"]
    assert row_caption(again) == row_caption(app) != "row 1 · page 1 of 1"
    assert dict(again.query_params) == place


def test_back_and_forward_follow_the_address(app_workspace):
    """Back and forward change the address under a running session: the page follows it."""
    from workbench.app.views import alignments

    infos = alignments(app_workspace)
    event = max({i.event_id for i in infos}, key=lambda e: sum(i.event_id == e for i in infos))
    first, second = [i for i in infos if i.event_id == event][:2]
    app = open_app(page="Parallel view", alignment=str(first.id))
    app.button(key="pv_next_unc").click().run()
    earlier = dict(app.query_params)
    app.selectbox(key="pv_pair").set_value(second.id).run()
    assert app.query_params["alignment"] == str(second.id)
    later = dict(app.query_params)
    app.query_params.clear()
    app.query_params.update(earlier)  # what the browser's back button does
    app.run()
    assert not app.exception
    assert app.selectbox(key="pv_pair").value == first.id
    assert dict(app.query_params) == earlier
    app.query_params.clear()
    app.query_params.update(later)  # and forward again
    app.run()
    assert app.selectbox(key="pv_pair").value == second.id


def test_a_stale_or_broken_address_still_opens(app_workspace):
    app = open_app(page="Nope", alignment="abc", focus="link:zz", min="x")
    assert app.sidebar.radio(key="page").value == "Corpus"
    app = open_app(page="Parallel view", alignment="99999", focus="link:12345", types="9-9")
    assert row_caption(app).startswith("row 1 ")
    assert app.multiselect(key="pv_types").value == []


# --- the edit panel --------------------------------------------------------------------


@pytest.fixture
def small_pair(tmp_path, monkeypatch):
    """A workspace with one parallel pair of four 1-1 links, opened by the app."""
    from workbench import Workspace
    from workbench_eval.app import add_aligned_pair

    ws = Workspace(tmp_path / "ws")
    aid = add_aligned_pair(
        ws,
        [f"منبع {k} جمله" for k in range(4)],
        [f"target {k} words" for k in range(4)],
        ("fa", "en"),
    )
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    return ws, aid


def test_merge_then_split_in_the_app_gives_back_the_pairs(small_pair):
    from workbench.edit import links

    ws, aid = small_pair
    start = [(k.src_ids, k.tgt_ids, k.status) for k in links(ws, aid)]
    app = open_app(page="Parallel view", alignment=str(aid))
    app.button(key="ed_merge").click().run()
    assert not app.exception
    assert pairs_of(ws, aid)[0] == ((0, 1), (0, 1))
    assert app.query_params["focus"] == f"link:{links(ws, aid)[0].id}"
    split = app.button(key="ed_split")
    assert split.label == "Split back into [1]-[1], [2]-[2]" and not split.disabled
    split.click().run()
    assert not app.exception
    assert [(k.src_ids, k.tgt_ids, k.status) for k in links(ws, aid)] == start


def test_relink_by_text_from_a_row_with_only_a_target_sentence(small_pair):
    from workbench.edit import links, mark_no_partner

    ws, aid = small_pair
    mark_no_partner(ws, aid, "src", 2)  # target 2 has no link now: a row of its own
    app = open_app(page="Parallel view", alignment=str(aid), focus="tgt:2")
    assert app.subheader[0].value.endswith("target sentence 3, no partner")  # counted from 1
    sources = app.multiselect(key="ed_src_tgt:2")
    assert "[4] \u2068منبع 3 جمله\u2069" in sources.options  # by number (from 1), first words
    sources.set_value([3]).run()
    app.button(key="ed_relink").click().run()
    assert not app.exception
    pairs = [(k.src_ids, k.tgt_ids) for k in links(ws, aid)]
    assert ((3,), (2,)) in pairs
    assert ((), (3,)) not in pairs  # target 3 lost its partner: unlinked, not a one-sided link
    new = next(k.id for k in links(ws, aid) if (k.src_ids, k.tgt_ids) == ((3,), (2,)))
    assert app.query_params["focus"] == f"link:{new}"
    assert app.multiselect(key=f"ed_src_link:{new}").value == [3]  # the new row's own


def test_a_refused_merge_says_why(small_pair):
    """In a comparable pair the row before a link can be a target sentence that is not
    beside the link's: the merge is refused, with the reason, and nothing changes."""
    from workbench.edit import links

    ws, aid = small_pair
    row = ws.conn.execute("SELECT * FROM alignments WHERE id = ?", (aid,)).fetchone()
    aid = ws.save_alignment(
        event_id=row["event_id"],
        src_doc=row["src_doc"],
        tgt_doc=row["tgt_doc"],
        mode="comparable",
        method="test",
        params={},
        links=[([1], [3], 0.5, "1-1", 0.7), ([2], [0], 0.5, "1-1", 0.7)],
    )
    # rows: [0]-[], []-[1], [1]-[3], []-[2], [2]-[0], [3]-[]
    focus = f"link:{links(ws, aid)[0].id}"
    app = open_app(page="Parallel view", alignment=str(aid), focus=focus)
    app.button(key="ed_merge_prev").click().run()  # [1]-[3] + the lone target 1
    assert not app.exception
    message = html.unescape(app.error[0].value)  # shown through the app's one escape
    assert "[2]-[4] and []-[2] are not adjacent (target sentence 3 lies between)" in message
    assert pairs_of(ws, aid) == [((1,), (3,)), ((2,), (0,))]
    app.button(key="ed_merge").click().run()  # [1]-[3] + the lone target 2: neighbours
    assert not app.error
    assert pairs_of(ws, aid) == [((1,), (2, 3)), ((2,), (0,))]


def pairs_of(ws, alignment_id):
    from workbench.edit import links

    return [(k.src_ids, k.tgt_ids) for k in links(ws, alignment_id)]


# --- export ----------------------------------------------------------------------------


@pytest.mark.subprocess
def test_export_page_matches_the_cli(app_workspace):
    import subprocess
    import sys

    from workbench.edit import links, set_status
    from workbench.export import export_bytes, workspace_rows

    from .files import link_seed_pair

    aid = app_workspace.conn.execute("SELECT MIN(id) FROM alignments").fetchone()[0]
    set_status(app_workspace, links(app_workspace, aid)[0].id, "rejected")
    link_seed_pair(app_workspace, confidence=0.1)  # links below the cut-off
    every = list(workspace_rows(app_workspace, include_rejected=True))
    cutoff = 0.5  # the stories' links lie above, the seeds' links made here below
    app = open_page("Export")
    app.radio(key="ex_format").set_value("json").run()
    app.number_input(key="ex_cutoff").set_value(cutoff).run()
    app.checkbox(key="ex_rejected").check().run()
    assert not app.exception
    rows = list(workspace_rows(app_workspace, min_confidence=cutoff, include_rejected=True))
    assert 0 < len(rows) < len(every)
    assert any(f"{len(rows)} links" in c.value for c in app.caption)
    assert app.query_params.get("page") == "Export"
    preview = app.dataframe[0].value
    assert len(preview) == min(len(rows), 20)
    assert (preview["confidence"] >= cutoff).all()
    for fmt in ("tsv", "json"):
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "workbench",
                "export",
                "--format",
                fmt,
                "--min-confidence",
                str(cutoff),
                "--include-rejected",
                "--workspace",
                str(app_workspace.path),
            ],
            capture_output=True,
            check=True,
        ).stdout
        assert export_bytes(rows, fmt)[0] == cli


def test_export_is_not_filtered_by_the_pair_views_event(app_workspace):
    """The pair view's ``event`` in the address is not the Export page's filter: arriving
    from an event's pair, Export still offers every event until one is chosen there."""
    event_id = next(e.id for e in app_workspace.events())
    app = open_app(page="Export", event=str(event_id))
    assert app.selectbox(key="ex_event").value is None
    chosen = open_app(page="Export", export_event=str(event_id))
    assert chosen.selectbox(key="ex_event").value == event_id


def test_the_first_page_says_where_to_review(app_workspace):
    app = open_page("Corpus")
    summary = next(m.value for m in app.markdown if "waiting for review" in m.value)
    events = {d.event_id for d in app_workspace.documents() if d.event_id is not None}
    assert f"in {len(events)} events" in summary
    app.button(key="review_start").click().run()
    assert not app.exception
    assert app.sidebar.radio(key="page").value == "Parallel view"
    pair = app.selectbox(key="pv_pair").value
    info = next(i for i in alignments_of(app_workspace) if i.id == pair)
    assert "en" in (info.src_lang, info.tgt_lang)  # a pair the reader can check


def alignments_of(ws):
    from workbench.app.views import alignments

    return alignments(ws)


def test_the_editor_cookie_script_keeps_a_name_as_text():
    from workbench.app.browser import remember_editor_html

    script = remember_editor_html('</script><script>alert("x")</script>')
    assert script.count("</script>") == 1 and "<script>alert" not in script
    assert "\\u003c/script>" in script


def test_every_page_of_the_sidebar_has_what_draws_it():
    from workbench.app import PAGES
    from workbench.app.pages import SHOW

    assert list(SHOW) == list(PAGES)
