import html

import pytest

from workbench.app import sentence_html, translation_html, workspace_path

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


def test_app_shows_translations_and_warns_about_test_models(tmp_path, monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    from workbench import Workspace, run
    from workbench.models import ModelStore

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

    ws = Workspace(tmp_path / "ws")
    seeded_with_stories.conn.execute("PRAGMA wal_checkpoint(FULL)")
    seeded_with_stories.conn.backup(ws.conn)
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
    row = app_workspace.conn.execute(
        "SELECT event_origin FROM documents WHERE id = ?", (doc_id,)
    ).fetchone()
    assert row[0] == "user"


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


def test_upload_names_never_leave_the_uploads_folder():
    from workbench.app import safe_upload_name

    assert safe_upload_name("../../etc/passwd") == "passwd"
    assert safe_upload_name("..\\..\\win.ini") == "win.ini"
    assert safe_upload_name("..") == "upload"
    assert safe_upload_name("خبر ۱.txt") == "خبر ۱.txt"


def test_rows_take_each_sentence_direction_from_its_own_language(app_workspace):
    from workbench.app.views import alignments, parallel_rows, parallel_table_html

    headline = next(
        r
        for i in alignments(app_workspace)
        if i.tgt_lang == "en" and i.src_lang == "fa"
        for r in parallel_rows(app_workspace, i)
        if "Iran Dissidents to March on Paris" in r.src_text
    )
    assert headline.src_lang == "en"
    page = parallel_table_html([headline], 0, "fa", "en", 0.0, 1.0)
    assert 'dir="ltr" lang="en">Iran Dissidents' in page


def test_filters_keep_or_hide_rows():
    from workbench.app.views import ParallelRow, filter_rows

    rows = [
        ParallelRow(1, (0,), (0,), "a", "b", "", "", 0.9, "1-1", "auto"),
        ParallelRow(2, (1, 2), (1,), "c", "d", "", "", 0.2, "2-1", "confirmed"),
        ParallelRow(None, (3,), (), "e", "", "", "", None, "unlinked", "—"),
    ]
    assert len(filter_rows(rows)) == 3
    assert [r.link_id for r in filter_rows(rows, min_score=0.5)] == [1, None]
    assert [r.link_id for r in filter_rows(rows, types=["2-1"])] == [2]
    assert [r.link_id for r in filter_rows(rows, statuses=["auto"])] == [1]
    assert [r.link_id for r in filter_rows(rows, show_unlinked=False)] == [1, 2]


def test_three_documents_side_by_side(app_workspace):
    from workbench.app.views import alignments, pivot_rows, pivot_table_html

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

    app = open_page("Parallel view")
    app.multiselect(key="pv_three").set_value([english.id, *others[:2]]).run()
    assert not app.exception
    assert sum('class="pv"' in m.value for m in app.markdown) == 2
