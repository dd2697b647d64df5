"""The app's pages. Each takes ``(st, workspace, actor)`` and is a thin shell over the API."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

from .. import edit
from ..align.confidence import SHOWN_CONFIDENCE
from ..api import status_records
from ..document import shown_at
from ..errors import WorkbenchError
from ..events import move_document
from ..export import FORMATS, export_bytes, hidden_links, workspace_rows
from ..names import document_names, event_name, first_words, isolate, thread_name
from ..stages import realign_event
from ..store import Workspace
from .browser import HELP, run_script, scroll_html
from .html import (
    STYLE,
    anchor,
    comparable_html,
    confidence_badge,
    legend_html,
    map_spec,
    parallel_table_html,
    pivot_table_html,
    sentence_html,
    translation_html,
)
from .safe import safe, safe_upload_name, safe_with_code
from .state import (
    find_row,
    open_document,
    open_pair,
    parse_bool,
    publish,
    restore,
    restore_list,
    row_key,
)
from .views import (
    BETWEEN,
    BETWEEN_EVENTS,
    HIGH,
    LOW,
    AlignmentInfo,
    ParallelRow,
    alignments,
    filter_rows,
    next_index,
    parallel_rows,
    pivot_rows,
    shown_ids,
    suspicious,
    unconfirmed,
)

PAGE_SIZE = 50


# --- Corpus ----------------------------------------------------------------------------


def corpus(st, workspace: Workspace, actor: str) -> None:
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
                "event": r["event"] or "",
                "thread": r["thread"] or "",
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
    if any("test-model" in flags for _, flags, _ in translations.values()):
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
    bands = {
        "likely the same": sum(1 for _, c in waiting if c is not None and c >= HIGH),
        "unsure": sum(1 for _, c in waiting if c is not None and LOW <= c < HIGH),
        "unlikely (hidden by default)": sum(1 for _, c in waiting if c is None or c < LOW),
    }
    reviewed = len(overview) - len(waiting)
    st.markdown(
        f"**{len(records)} documents in {_count(len(events), 'event')}** "
        f"({shared} with more than one document) · **{_count(len(overview), 'link')}**: "
        f"{reviewed} reviewed, {len(waiting)} waiting for review ("
        + ", ".join(f"{n} {band}" for band, n in bands.items())
        + ")."
    )
    infos = {i.id: i for i in alignments(workspace)}
    pending = [infos[a] for a in dict.fromkeys(a for a, _ in waiting) if a in infos]
    # a pair with links shown by default and an English side first: the reader can check it
    shown = {a for a, c in waiting if c is not None and c >= LOW}
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
    from ..pipeline import run
    from ..progress import TimeLeft, describe

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


# --- Events ----------------------------------------------------------------------------


def events(st, workspace: Workspace, actor: str) -> None:
    st.header("Events")
    rows = workspace.events()
    if not rows:
        st.info("No events yet: `workbench run DIR` groups documents into events.")
        return
    docs = workspace.documents()
    names = document_names(workspace)
    labels = {row.id: f"{row.id}: {event_name(row)}" for row in rows}
    for row in rows:
        members = [d for d in docs if d.event_id == row.id]
        with st.container(border=True):
            st.markdown(  # escaped: titles come from documents
                f'<h3 dir="ltr">{safe(labels[row.id])}</h3>', unsafe_allow_html=True
            )
            by_user = " · set by a user" if row.origin == "user" else ""
            thread = (
                f" · thread {row.thread_id}: {thread_name(row.thread_label or '')}"
                if row.thread_id
                else ""
            )
            st.caption(f"why: {safe(row.reason)}{by_user}{safe(thread)}")
            for d in members:
                st.text(f"#{d.id} · {d.lang} · {d.sentences} sentences · {names[d.id].label()}")
    st.subheader("Move a document")
    doc_labels = {d.id: f"#{d.id} {d.lang} {names[d.id].label(8)}" for d in docs}
    doc_id = st.selectbox("Document", list(doc_labels), format_func=doc_labels.get, key="mv_doc")
    options = [*labels, 0]
    target = st.selectbox(
        "To event", options, format_func=lambda e: labels.get(e, "a new event"), key="mv_to"
    )
    if st.button("Move", key="mv_go"):
        move_document(workspace, doc_id, target or None)
        st.session_state["mv_done"] = "moved; re-align the event to update its links"
        st.rerun()  # the lists above show the move; the message waits for that run
    if message := st.session_state.pop("mv_done", None):
        st.success(message)
    event_id = st.selectbox(
        "Re-align an event", list(labels), format_func=labels.get, key="ra_event"
    )
    if st.button("Re-align", key="ra_go"):
        summary = realign_event(workspace, event_id)
        st.success(safe(summary))


# --- Parallel view ---------------------------------------------------------------------


def parallel(st, workspace: Workspace, actor: str) -> None:
    """The pair view: the focused link on top (the review loop), then the pair as rows
    (parallel pairs) or as two texts (comparable pairs), beside the alignment map."""
    st.header("Parallel view")
    infos = {i.id: i for i in alignments(workspace)}
    if not infos:
        st.info("No alignments yet: `workbench run DIR` aligns the documents of each event.")
        return
    info = _pick_pair(st, workspace, infos)
    rows = parallel_rows(workspace, info)
    # a translation's low links are what review is for; in a comparable pair they are
    # mostly best matches that say different things, so it starts at the export's floor
    shown = _filtered(st, rows, 0.0 if info.parallel else SHOWN_CONFIDENCE)
    st.markdown(legend_html(), unsafe_allow_html=True)
    focus = st.session_state.get("pv_focus")
    moving = _navigable(info, shown, focus)  # what j/k and the buttons step through
    st.caption(_summary(info, rows, moving))
    if not shown:
        st.info("No row matches the filters.")
        return
    current = find_row(moving, focus)
    if current is None:  # the focused row went (undo, another session) or is filtered out
        current = min(st.session_state.get("pv_index", 0), len(moving) - 1)
    page = st.session_state.pop("pv_goto_page", None)
    if page is not None:  # the table's page was changed: its first row
        current = min((page - 1) * PAGE_SIZE, len(moving) - 1)
    with st.container(border=True, key="pv_panel"):
        current = _navigate(st, moving, current)
        row = moving[current]
        _focus(st, row, current)
        _current_link(st, info, row, current, len(moving))
        _edit_panel(st, workspace, info, rows, row, moving, current, actor)
    left, right = st.columns([3, 1])
    with left:
        if info.parallel:
            _rows_table(st, info, shown, current, row)
        else:
            _texts(st, workspace, info, shown, row)
    with right:
        _alignment_map(st, info, shown, row)
    _three_documents(st, workspace, list(infos.values()), info.event_id)


def _summary(info: AlignmentInfo, rows: list[ParallelRow], moving: list[ParallelRow]) -> str:
    """What kind of pair this is and what is left to review (of the rows the review loop
    steps through: every row of a parallel pair, the links of a comparable one)."""
    if info.parallel:
        kind = "parallel pair: the documents translate each other; each row is a link"
    else:
        kind = (
            "comparable pair: two reports of "
            + ("two related events" if info.event_id is None else "one event")
            + "; linked sentences are underlined in both texts"
        )
    shown = (
        f"{len(moving)} of {len(rows)} rows shown"
        if info.parallel
        else _count(sum(1 for r in moving if r.link_id is not None), "link") + " shown"
    )
    return (
        f"{kind} · {shown} · {sum(1 for r in rows if r.unlinked)} sentences without a partner · "
        f"{sum(1 for r in rows if r.status == 'confirmed')} confirmed · "
        f"{sum(1 for r in moving if suspicious(r))} suspicious (confidence under {LOW}, "
        "n:m, or no partner) · " + HELP
    )


def _navigable(info: AlignmentInfo, shown: list[ParallelRow], focus: str | None) -> list:
    """The rows the review loop steps through: every row of a parallel pair; in a
    comparable pair, where most sentences have no partner and the text shows them, the
    links (and the sentence the user clicked, so it can be re-linked)."""
    if info.parallel:
        return shown
    moving = [r for r in shown if r.link_id is not None or r.key == focus]
    return moving or shown


def _pick_pair(st, workspace: Workspace, infos: dict) -> AlignmentInfo:
    """Event and document pair, from the address on a fresh load (``?alignment=ID``)."""
    events = {e.id: e for e in workspace.events()}
    event_ids = sorted({_event_key(i) for i in infos.values()}, key=lambda e: (e == BETWEEN, e))
    stale = _stale_pair(st, infos, event_ids)
    restore(st, "pv_pair", "alignment", int, list(infos))
    if "pv_event" not in st.session_state and "pv_pair" in st.session_state:
        st.session_state["pv_event"] = _event_key(infos[st.session_state["pv_pair"]])
    restore(st, "pv_event", "event", int, event_ids)

    def event_label(event_id: int) -> str:
        if event_id == BETWEEN:
            return f"{BETWEEN_EVENTS} (comparable pairs across the events of a thread)"
        event = events.get(event_id)
        return f"{event_id}: {event_name(event)}" if event else str(event_id)

    columns = st.columns(2)
    event_id = columns[0].selectbox("Event", event_ids, format_func=event_label, key="pv_event")
    choices = sorted(  # pairs with an English side first: the reader can check both sides
        (i for i, info in infos.items() if _event_key(info) == event_id),
        key=lambda i: ("en" not in (infos[i].src_lang, infos[i].tgt_lang), i),
    )
    if st.session_state.get("pv_pair") not in choices:  # another event: its first pair,
        st.session_state["pv_pair"] = choices[0]  # set, so the box names the pair shown
    pair_id = columns[1].selectbox(
        "Documents", choices, format_func=lambda i: infos[i].label, key="pv_pair"
    )
    if stale:
        st.warning(stale)
    publish(st, "event", event_id)
    publish(st, "alignment", pair_id)
    restore(st, "pv_focus", "focus")
    if st.session_state.get("pv_focus_pair", pair_id) != pair_id:  # another pair: from the top
        st.session_state["pv_focus"] = None
        st.session_state["pv_index"] = 0
    st.session_state["pv_focus_pair"] = pair_id
    return infos[pair_id]


def _stale_pair(st, infos: dict, event_ids: list[int]) -> str | None:
    """What to say when a fresh load's address names a pair that is gone (ids are never
    reused, so a stale address never opens another pair)."""
    wanted = st.query_params.get("alignment")
    if "pv_pair" in st.session_state or wanted is None:
        return None
    number = int(wanted) if wanted.isdigit() else None
    if number in infos:
        return None
    event = st.query_params.get("event", "")
    if event.isdigit() and int(event) in event_ids:
        instead = f"showing event {int(event)}, which it was in"
    else:
        instead = "showing the first pair"
    name = f"pair {number}" if number is not None else "pair"
    return (
        f"The {name} this address names no longer exists (a later run regrouped or re-read "
        f"its documents); {instead}."
    )


def _count(n: int, noun: str) -> str:
    """``1 link``, ``3 links``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _event_key(info: AlignmentInfo) -> int:
    """The event a pair is listed under (``BETWEEN`` for pairs across related events)."""
    return info.event_id if info.event_id is not None else BETWEEN


def _unit(text: str) -> float:
    """A confidence from the address: a number from 0 to 1."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(text)
    return value


def _filtered(st, rows: list[ParallelRow], floor: float) -> list[ParallelRow]:
    """The rows the filters (in the sidebar) let through, the confidence cut-off starting
    at ``floor``; the filters live in the address."""
    types = sorted({r.link_type for r in rows})
    statuses = sorted({r.status for r in rows})
    restore_list(st, "pv_types", "types", types)
    restore_list(st, "pv_status", "status", statuses)
    restore(st, "pv_min", "min", _unit)
    restore(st, "pv_unl", "unlinked", parse_bool)
    st.session_state.setdefault("pv_unl", True)
    if st.session_state.get("pv_min") is None:
        st.session_state["pv_min"] = floor
    bar = st.sidebar
    bar.subheader("Filters")
    min_confidence = bar.number_input(
        "Minimum confidence (0: every link; links a user confirmed or made always show)",
        min_value=0.0,
        max_value=1.0,
        step=0.05,
        key="pv_min",
    )
    hidden = sum(
        1
        for r in rows
        if r.link_id is not None and not shown_at(r.confidence, r.status, min_confidence)
    )
    if hidden:
        bar.caption(f"{_count(hidden, 'link')} below confidence {min_confidence:g} hidden")
    picked_status = bar.multiselect("Status", statuses, key="pv_status")
    picked_types = bar.multiselect("Link types", types, key="pv_types")
    show_unlinked = bar.checkbox("Show sentences without a partner", key="pv_unl")
    publish(st, "types", picked_types)
    publish(st, "status", picked_status)
    publish(st, "min", min_confidence, default=floor)
    publish(st, "unlinked", None if show_unlinked else "0")
    return filter_rows(
        rows,
        min_confidence=min_confidence,
        types=picked_types,
        statuses=picked_status,
        show_unlinked=show_unlinked,
    )


NAVIGATION = (  # widget key, label, which rows it stops at, direction, what it does
    ("pv_prev", "◀ Previous", None, -1, "The previous row (key: k)"),
    ("pv_next", "Next ▶", None, 1, "The next row (key: j)"),
    ("pv_prev_sus", "◀ Suspicious", suspicious, -1, "The previous suspicious link"),
    ("pv_next_sus", "Suspicious ▶", suspicious, 1, "The next suspicious link"),
    ("pv_prev_unc", "◀ Unconfirmed", unconfirmed, -1, "The previous unconfirmed link"),
    ("pv_next_unc", "Unconfirmed ▶", unconfirmed, 1, "The next unconfirmed link"),
)


def _navigate(st, moving: list[ParallelRow], current: int) -> int:
    """The navigation buttons; returns the row to focus after the one clicked (if any).
    Previous and Next stop at both ends; the others wrap around."""
    columns = st.columns(len(NAVIGATION))
    for column, (key, label, wanted, step, what) in zip(columns, NAVIGATION, strict=True):
        if not column.button(label, key=key, help=what, width="stretch"):
            continue
        if wanted is None:
            current = min(max(current + step, 0), len(moving) - 1)
        else:
            found = next_index(moving, current, wanted, step)
            current = found if found is not None else current
    return current


def _focus(st, row: ParallelRow, index: int) -> None:
    st.session_state["pv_focus"] = row_key(row)
    st.session_state["pv_index"] = index
    publish(st, "focus", row_key(row))


def _current_link(st, info: AlignmentInfo, row: ParallelRow, index: int, total: int) -> None:
    """The focused link: both sides' sentences with their translations, confidence and
    status (the review loop's subject)."""
    st.subheader(f"Row {index + 1} of {total}: {row.label()}")
    st.markdown(
        f'{STYLE}<div dir="ltr">{confidence_badge(row)}'
        + (f" · {safe(row.link_type)}" if row.link_id is not None else "")
        + "</div>",
        unsafe_allow_html=True,
    )
    columns = st.columns(2)
    for column, name, text, lang, english in (
        (columns[0], info.src_name, row.src_text, row.src_lang or info.src_lang, row.src_english),
        (columns[1], info.tgt_name, row.tgt_text, row.tgt_lang or info.tgt_lang, row.tgt_english),
    ):
        column.caption(safe(name.label()) if name else "")
        struck = "text-decoration:line-through;color:#9ca3af" if row.status == "rejected" else ""
        column.markdown(
            f'<div style="{struck}">'
            + (sentence_html(text, lang) if text else '<div style="color:#9ca3af">(none)</div>')
            + (translation_html(english, []) if english else "")
            + "</div>",
            unsafe_allow_html=True,
        )


def _rows_table(st, info: AlignmentInfo, shown: list, current: int, row: ParallelRow) -> None:
    """The pair as rows, a page of them, the focused one highlighted and scrolled to."""
    pages = (len(shown) - 1) // PAGE_SIZE + 1
    start = (current // PAGE_SIZE) * PAGE_SIZE
    columns = st.columns([1, 3])
    if pages > 1:
        st.session_state["pv_page"] = current // PAGE_SIZE + 1  # the page follows the focus
        columns[0].number_input("Page", 1, pages, key="pv_page", on_change=_goto_page, args=(st,))
    columns[1].caption(f"row {current + 1} · page {start // PAGE_SIZE + 1} of {pages}")
    headers = (
        _header(info.src_name, info.src_lang),
        _header(info.tgt_name, info.tgt_lang),
    )
    st.markdown(
        parallel_table_html(
            shown[start : start + PAGE_SIZE],
            start,
            info.src_lang,
            info.tgt_lang,
            current,
            headers,
            href=_href(info),
        ),
        unsafe_allow_html=True,
    )
    _scroll(st, [anchor(row.key)])


def _goto_page(st) -> None:
    """Another page was picked: focus its first row (a callback, before the next run)."""
    st.session_state["pv_goto_page"] = st.session_state["pv_page"]


def _header(name, lang: str) -> str:
    return f"{lang} · {name.label()}" if name else lang


def _href(info: AlignmentInfo) -> str:
    """The address of a row of this pair, without its focus (a link opened in a new tab)."""
    return f"?page=Parallel+view&alignment={info.id}&focus="


def _texts(st, workspace: Workspace, info: AlignmentInfo, shown: list, row: ParallelRow) -> None:
    """A comparable pair as its two texts side by side, links marked in both."""
    st.markdown(
        comparable_html(
            workspace.sentences(info.src_doc),
            workspace.sentences(info.tgt_doc),
            shown,
            row.key,
            (_header(info.src_name, info.src_lang), _header(info.tgt_name, info.tgt_lang)),
            info.src_lang,
            info.tgt_lang,
        ),
        unsafe_allow_html=True,
    )
    st.caption("Point at a sentence to see its partner; click it to focus its link.")
    ids = [anchor(f"src:{i}") for i in row.src_ids[:1]]
    _scroll(st, ids + [anchor(f"tgt:{j}") for j in row.tgt_ids[:1]])


def _scroll(st, anchor_ids: list[str]) -> None:
    """Scroll the table (or texts) to the focused row; the script changes with the focus,
    so it runs again only when the focus moves."""
    run_script(st, scroll_html(anchor_ids))


def _alignment_map(st, info: AlignmentInfo, shown: list, row: ParallelRow) -> None:
    """A dot per linked sentence pair (source position across, target position up),
    coloured by confidence, rejected hollow; clicking a dot focuses its link."""
    st.markdown("**Alignment map**")
    spec = map_spec(
        shown,
        row.key,
        info.src_name.sentences if info.src_name else 0,
        info.tgt_name.sentences if info.tgt_name else 0,
    )
    if spec is None:
        st.caption("No link with sentences on both sides to draw.")
        return
    key = f"pv_map_{info.id}_{row.key}"  # a new focus starts with no selection
    st.vega_lite_chart(
        spec=spec,
        width="stretch",
        key=key,
        on_select=partial(_map_picked, st, key),
        selection_mode="pick",
    )
    st.caption("Click a dot to focus its link.")


def _map_picked(st, key: str) -> None:
    """A dot was clicked: focus its link (a callback, before the next run draws the page)."""
    state = st.session_state.get(key)
    picked = (state or {}).get("selection", {}).get("pick") or []
    if picked and picked[0].get("focus"):
        st.session_state["pv_focus"] = picked[0]["focus"]


def _three_documents(st, workspace: Workspace, infos, event_id) -> None:
    """A read-only view of one document against two others (through stored alignments)."""
    docs = {d.id: d for d in workspace.documents() if d.event_id == event_id}
    if event_id is None or len(docs) < 3:
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
    moving: list[ParallelRow],
    number: int,
    actor: str,
) -> None:
    """Edits of the focused row. Merge looks at the rows beside it in the whole alignment
    (not the filtered list), and every edit is checked by :mod:`workbench.edit`, which
    refuses what would corrupt the alignment; the reason is shown above the buttons.
    Confirm and Reject move on to the next row; Undo focuses what it brought back."""
    if not st.session_state.get("actor"):
        st.caption(
            f'Edits are saved under the name {actor!r}: type yours under "Your name" in the'
            " sidebar (this browser remembers it), so a colleague sees who decided what."
        )
    message = st.empty()
    key = row_key(row)  # widgets of one row: moving on clears their selections
    index = next(k for k, r in enumerate(rows) if r.key == key)
    before = rows[index - 1] if index > 0 else None
    after = rows[index + 1] if index + 1 < len(rows) else None
    following = moving[number + 1].key if number + 1 < len(moving) else key
    parts = edit.merged_from(workspace, row.link_id) if row.link_id is not None else None
    cols = st.columns(6)
    is_link = row.link_id is not None
    actions = [  # each: what it does when its button was clicked (None: not clicked)
        cols[0].button("Confirm", key="ed_confirm", disabled=not is_link, help="key: c")
        and partial(_status, st, workspace, row, "confirmed", actor, following),
        cols[1].button("Reject", key="ed_reject", disabled=not is_link, help="key: x")
        and partial(_status, st, workspace, row, "rejected", actor, following),
        cols[2].button(
            "Merge with previous", key="ed_merge_prev", disabled=not _mergeable(row, before)
        )
        and partial(_merge_rows, workspace, row, before, actor),
        cols[3].button("Merge with next", key="ed_merge", disabled=not _mergeable(row, after))
        and partial(_merge_rows, workspace, row, after, actor),
        cols[4].button(
            "Split" + (f" back into {', '.join(_pair_label(p) for p in parts)}" if parts else ""),
            key="ed_split",
            disabled=not parts,
            help="Gives back exactly the links this one was merged from",
        )
        and partial(edit.split, workspace, row.link_id, actor=actor),
        cols[5].button("Undo", key="ed_undo", help="key: u")
        and partial(_undo, st, workspace, info.id),
    ]
    with st.expander("Split into pairs, re-link, no partner"):
        actions += [
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
    if isinstance(done, str):  # where to go next (Confirm and Reject move on)
        st.session_state["pv_focus"] = done
    elif done is not None:
        first = done[0] if isinstance(done, list) else done
        st.session_state["pv_focus"] = f"link:{first}"
    st.rerun()


def _status(st, workspace: Workspace, row, status: str, actor: str, then: str) -> str:
    """Confirm or reject the row's link, say so, and move on."""
    edit.set_status(workspace, row.link_id, status, actor)
    st.toast(f"{row.label()} {status} (by {actor})")
    return then


def _undo(st, workspace: Workspace, alignment_id: int) -> list[int] | None:
    """Undo the latest edit of the pair; returns the links it brought back."""
    latest = workspace.latest_edit(alignment_id)
    undone = edit.undo(workspace, alignment_id)
    st.toast(f"undid {undone}" if undone else "nothing to undo")
    return (latest[1] or None) if undone and latest else None


def _pair_label(link) -> str:
    """A stored link as a person counts its sentences (from 1)."""
    return f"{shown_ids(link.src_ids)}-{shown_ids(link.tgt_ids)}"


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
        format_func=lambda p: f"[{p[0] + 1}]-[{p[1] + 1}]",
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
                format_func=lambda p, texts=texts: f"[{p + 1}] {isolate(first_words(texts[p]))}",
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


def _no_partner(st, workspace, info, row: ParallelRow, key: str, actor: str):
    """Say that one of the row's sentences has no partner in the other document."""
    if row.link_id is not None and (not row.src_ids or not row.tgt_ids):
        return None  # already without partner (Confirm says the user agrees)
    options = [("src", i) for i in row.src_ids] + [("tgt", j) for j in row.tgt_ids]
    columns = st.columns([3, 1])
    chosen = columns[0].selectbox(
        "Sentence with no partner",
        options,
        format_func=lambda o: f"{'source' if o[0] == 'src' else 'target'} [{o[1] + 1}]",
        key=f"ed_np_{key}",
    )
    if columns[1].button("Mark: no partner", key="ed_no_partner", disabled=chosen is None):
        return partial(edit.mark_no_partner, workspace, info.id, chosen[0], chosen[1], actor)
    return None


# --- Search ----------------------------------------------------------------------------


SEARCH_PAGE = 20
"""Hits shown per page of the Search page (every hit is counted and reachable)."""


def search(st, workspace: Workspace, actor: str) -> None:
    from .search import MEANING_CUTOFF, hit_html, query_direction, search_sentences, with_places

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
    hits = search_sentences(
        workspace, query, embedder=_search_embedder(st, workspace), placed=False
    )
    if not hits:
        st.info("Nothing found.")
        return
    event_of = {d.id: d.event_id for d in workspace.documents()}
    words = [h for h in hits if h.how == "text"]
    hits = sorted(words, key=lambda h: (event_of.get(h.document_id) or 0, h.document_id)) + [
        h for h in hits if h.how != "text"
    ]
    pages = (len(hits) + SEARCH_PAGE - 1) // SEARCH_PAGE
    if st.session_state.get("search_for") != query:  # a new query starts on its first page
        st.session_state["search_for"] = query
        st.session_state["search_page"] = 1
    page = 1
    if pages > 1:
        page = st.number_input(
            f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="search_page"
        )
    first = (page - 1) * SEARCH_PAGE
    shown = with_places(workspace, hits[first : first + SEARCH_PAGE])
    st.caption(
        f"{_count(len(words), 'sentence')} in "
        f"{_count(len({h.document_id for h in words}), 'document')} matching the words; "
        f"{len(hits) - len(words)} more by meaning (similarity at least {MEANING_CUTOFF}). "
        f"Showing {first + 1}-{first + len(shown)} of {len(hits)}."
    )
    last_document = None
    for n, hit in enumerate(shown, start=first):
        if hit.document_id != last_document:
            last_document = hit.document_id
            event = event_of.get(hit.document_id)
            st.markdown(  # escaped HTML: document names are untrusted
                '<div dir="ltr" style="font-weight:600;margin-top:0.6em">'
                f"{safe(isolate(hit.document))}"
                + (f" · event {event}" if event is not None else "")
                + "</div>",
                unsafe_allow_html=True,
            )
        with st.container(border=True):
            _search_hit(st, hit, n, event_of.get(hit.document_id), hit_html)


def _search_hit(st, hit, n: int, own_event: int | None, hit_html) -> None:
    """One hit: its sentence, what it is linked to, and one button that opens it."""
    st.markdown(hit_html(hit), unsafe_allow_html=True)
    st.markdown(
        '<div dir="ltr" style="color:#6b7280;font-size:0.85em">'
        f"sentence {hit.position + 1} · "
        + ("matches the words" if hit.how == "text" else safe(hit.how))
        + "</div>",
        unsafe_allow_html=True,
    )
    for place in hit.places:
        if place.text:
            st.markdown(
                '<div style="border-left:3px solid #93c5fd;padding-left:10px;margin:4px 0">'
                + sentence_html(place.text, place.lang)
                + '<div dir="ltr" style="color:#6b7280;font-size:0.8em">'
                + safe(isolate(place.other_name))
                + " · "
                + _counterpart_note(place, own_event)
                + "</div></div>",
                unsafe_allow_html=True,
            )
    if not hit.places:
        st.button(
            "Open the document",
            key=f"hit_{n}",
            help="It has no other document in its event or thread to show it beside:"
            " the document alone, at this sentence",
            on_click=open_document,
            args=(st, hit.document_id, hit.position),
        )
        return
    place = hit.places[0]  # linked there, when it is linked anywhere
    st.button(
        f"Open beside {safe(isolate(place.other_name))}",
        key=f"hit_{n}",
        help="The pair view of its event, at this sentence",
        on_click=open_pair,
        args=(st, place.alignment_id, place.event_id, place.focus),
    )


def _counterpart_note(place, own_event: int | None) -> str:
    """How far to trust a linked sentence shown under a hit, and whether it reports
    another happening (a link mined between related events)."""
    if place.status in ("confirmed", "edited"):
        trust = f"{place.status} by a user"
    elif place.confidence is not None:
        trust = f"confidence {place.confidence:.2f}"
    else:
        trust = "confidence unknown (no calibration for this embedder)"
    if place.event_id is None:
        where = "in another event of the thread"
    elif place.event_id != own_event:
        where = f"in event {place.event_id}, not this document's"
    else:
        where = "same event"
    return f"{trust} · {where}"


def _search_embedder(st, workspace: Workspace):
    """The workspace's embedding model, loaded once per app process; None when it cannot
    load (text search still works)."""
    from ..embed import CachedEmbedder, workspace_embedder

    @st.cache_resource(show_spinner="loading the embedding model")
    def load(spec: str, folder: str):
        try:
            from ..embed import load_embedder

            return load_embedder(spec, workspace=Path(folder))
        except Exception:
            return None

    model = load(workspace_embedder(workspace), str(workspace.path))
    return CachedEmbedder(model, workspace) if model is not None else None


# --- Export ----------------------------------------------------------------------------


PREVIEW_ROWS = 20


def export(st, workspace: Workspace, actor: str) -> None:
    """The CLI's ``workbench export``: same rows, same writers, same options."""
    st.header("Export")
    events = workspace.event_labels()
    restore(st, "ex_event", "export_event", int, list(events))  # not the pair view's event
    event_id = st.selectbox(
        "Event",
        [None, *events],
        format_func=lambda e: "all events" if e is None else f"{e}: {isolate(events[e])}",
        key="ex_event",
    )
    publish(st, "export_event", event_id)
    columns = st.columns(3)
    fmt = columns[0].radio("Format", FORMATS, horizontal=True, key="ex_format")
    cutoff = columns[1].number_input(  # the CLI's --min-confidence
        "Minimum confidence (0: every link)",
        min_value=0.0,
        max_value=1.0,
        value=SHOWN_CONFIDENCE,
        step=0.05,
        key="ex_cutoff",
    )
    rejected = columns[2].checkbox("Include rejected links", key="ex_rejected")
    chosen = {"event": event_id, "min_confidence": cutoff, "include_rejected": rejected}
    rows = list(workspace_rows(workspace, **chosen))
    hidden = hidden_links(workspace, **chosen)
    st.caption(
        f"{len(rows)} links (user edits included, rejected links "
        f"{'included' if rejected else 'left out'}"
        + (
            f"; confidence at least {cutoff:g}, links a user confirmed or edited kept"
            if cutoff
            else ""
        )
        + ")"
        + (f"; {hidden} below confidence {cutoff:g} hidden (set 0 to show them)" if hidden else "")
    )
    st.download_button(
        f"Download {fmt.upper()}",
        export_bytes(rows, fmt)[0],
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
    from ..translate.models import ModelError, ModelStore

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
    from ..embed import DEFAULT_EMBEDDER, workspace_embedder

    spec = workspace_embedder(workspace)
    about = " (multilingual-e5-small, 4-bit, bundled)" if spec == DEFAULT_EMBEDDER else ""
    st.write(f"Embedding model of this workspace: {safe(spec)}{about}")
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
