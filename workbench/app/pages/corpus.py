"""The Corpus page: what to do next, adding documents, the documents table and a reader."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...api import status_records
from ...document import TEST_MODEL_FLAG
from ...names import dated_label, document_names
from ...store import Workspace
from ..browser import run_script, scroll_html
from ..html import (
    anchor,
    sentence_html,
    translation_html,
)
from ..safe import safe, safe_upload_name, safe_with_code
from ..state import (
    open_pair,
    publish,
    restore,
)
from ..views import (
    alignments,
    confidence_band,
    label_columns,
)
from .pair import count

# the documents table's name columns: pixels, and title characters that fit beside the
# number and date (names are cut between words, so the date stays in view)
EVENT_PIXELS, EVENT_CHARS = 360, 38
THREAD_PIXELS, THREAD_CHARS = 280, 24


def show(st, workspace: Workspace, actor: str) -> None:
    st.header("Corpus")
    records = status_records(workspace)
    if records:
        _what_next(st, workspace, records)
    _add_documents(st, workspace)
    if not records:
        st.info("No documents yet: add some above, or run `workbench run DIR`.")
        return
    aligned = workspace.aligned_document_ids()
    translated = {r["id"]: len(workspace.sentence_translations(r["id"])) for r in records}
    st.dataframe(
        [
            {  # the analyst's units (event, thread) first, where a narrow window shows them
                "id": r["id"],
                "lang": r["lang"],
                "date": r["date"] or "",
                "event": dated_label(r["event"] or "", EVENT_CHARS),
                "thread": dated_label(r["thread"] or "", THREAD_CHARS),
                "aligned": "yes" if r["id"] in aligned else "no",
                "sentences": r["sentences"],
                "translated": str(translated[r["id"]]) if r["lang"] != "en" else "—",
                "title": r["title"],
                "file": Path(r["path"]).name,
            }
            for r in records
        ],
        hide_index=True,
        width="stretch",
        column_config=label_columns(st, event=EVENT_PIXELS, thread=THREAD_PIXELS),
    )
    for job in workspace.failed_jobs("translate"):
        lang = job.unit.source_lang
        st.warning(
            safe_with_code(
                f"{lang}: {job.detail}; add one with "
                f"`workbench models add translate-{lang}_en-*.argosmodel` (or on the Models page)"
            )
        )
    for row in workspace.ingest_log(20):
        if row.outcome == "skipped":
            st.warning(f"skipped {safe(row.path)}: {safe(row.detail)}")
    names = document_names(workspace)
    labels = {r["id"]: f"{r['id']}: {r['lang']} · {names[r['id']].label(8)}" for r in records}
    if st.session_state.get("read_doc") not in labels:  # a document since removed
        st.session_state.pop("read_doc", None)
    restore(st, "read_doc", "document", int, choices=list(labels))
    chosen = st.selectbox("Read a document", list(labels), format_func=labels.get, key="read_doc")
    publish(st, "document", chosen, default=next(iter(labels)))
    _reader(st, workspace, chosen)


READER_WINDOW = 400


"""Sentences the reader shows at once (around the one a search hit opened)."""


def _reader(st, workspace: Workspace, document_id: int) -> None:
    """One document alone, each sentence with its English, in a box that scrolls to the
    sentence a search hit opened (``read_at``)."""
    translations = workspace.sentence_translations(document_id)
    if any(TEST_MODEL_FLAG in flags for _, flags, _ in translations.values()):
        st.warning("Some English lines come from a test model: they are not translations.")
    sentences = workspace.sentences(document_id)
    doc, at = st.session_state.get("read_at") or (None, None)
    at = at if doc == document_id else None
    start = (
        0 if at is None else max(0, min(at - READER_WINDOW // 2, len(sentences) - READER_WINDOW))
    )
    shown = sentences[start : start + READER_WINDOW]
    if len(shown) < len(sentences):
        st.caption(f"Sentences {start + 1}-{start + len(shown)} of {len(sentences)}.")
    blocks = []
    for sentence in shown:
        block = sentence_html(sentence.text, sentence.lang)
        if sentence.position in translations:
            text, flags, _ = translations[sentence.position]
            block += translation_html(text, flags)
        here = sentence.position == at
        blocks.append(
            f'<div id="{anchor(f"doc:{sentence.position}")}"'
            + (' style="background:#fef9c3;outline:2px solid #2563eb"' if here else "")
            + f">{block}</div>"
        )
    st.markdown(
        '<div class="pv-scroll" style="max-height:70vh;overflow-y:auto">'
        + "".join(blocks)
        + "</div>",
        unsafe_allow_html=True,
    )
    if at is not None:
        run_script(st, scroll_html([anchor(f"doc:{at}")]))


def _what_next(st, workspace: Workspace, records: list[dict]) -> None:
    """Where the analyst stands and where to go: events, links by confidence band, and a
    button into the review loop at the first link nobody has reviewed."""
    events = {r["event"] for r in records if r["event"]}
    shared = sum(1 for e in events if sum(1 for r in records if r["event"] == e) > 1)
    overview = workspace.link_overview()
    waiting = [(a, c) for a, status, c in overview if status == "auto"]
    named = Counter("low" if c is None else confidence_band(c) for _, c in waiting)
    bands = {
        "likely the same": named["high"],
        "unsure": named["mid"],
        "unlikely (left out of exports by default)": named["low"],
    }
    reviewed = len(overview) - len(waiting)
    st.markdown(
        f"**{len(records)} documents in {count(len(events), 'event')}** "
        f"({shared} with more than one document) · **{count(len(overview), 'link')}**: "
        f"{reviewed} reviewed, {len(waiting)} waiting for review ("
        + ", ".join(f"{n} {band}" for band, n in bands.items())
        + ")."
    )
    infos = {i.id: i for i in alignments(workspace)}
    pending = [infos[a] for a in dict.fromkeys(a for a, _ in waiting) if a in infos]
    # a pair with links shown by default and an English side first: the reader can check it
    shown = {a for a, c in waiting if c is not None and confidence_band(c) != "low"}
    pending.sort(key=lambda i: (i.id not in shown, "en" not in (i.src_lang, i.tgt_lang), i.id))
    info = pending[0] if pending else None
    if info is not None:
        st.button(
            "Review the links ▶",
            key="review_start",
            type="primary",
            help="The pair view at the first pair with links nobody has reviewed (keys: j, k)",
            on_click=open_pair,
            args=(st, info.id, info.event_id, None),
        )


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
    from ...pipeline import run
    from ...progress import TimeLeft, describe

    bar = st.progress(0.0, text="starting")
    time_left = TimeLeft()

    def progress(done: int, total: int, label: str = "") -> None:
        left = describe(time_left(done, total))
        text = safe(str(label)[:80]) + (f" ({left})" if left else "")
        bar.progress(min(done / total, 1.0) if total else 0.0, text=text)

    report = run(workspace, paths, progress=progress)
    bar.progress(1.0, text="done")
    st.success(
        f"{report.count('added')} added, {report.count('unchanged')} unchanged, "
        f"{report.count('skipped')} skipped"
    )
    for stage in report.stages:
        st.write(f"{stage.name}: {safe(stage.summary)}")
    for warning in report.warnings:
        st.warning(safe_with_code(warning))
