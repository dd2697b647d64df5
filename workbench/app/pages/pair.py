"""The pair view: two documents of an event side by side, the current link, navigation,
the rows or texts, and the alignment map."""

from __future__ import annotations

from functools import partial

from ...align.confidence import SHOWN_CONFIDENCE
from ...document import shown_at
from ...names import document_names, event_name
from ...store import Workspace
from ..browser import HELP, run_script, scroll_html
from ..html import (
    STYLE,
    anchor,
    comparable_html,
    confidence_badge,
    legend_html,
    map_spec,
    numbers_note,
    parallel_table_html,
    pivot_table_html,
    sentence_html,
    translation_html,
)
from ..safe import safe
from ..state import (
    find_row,
    parse_bool,
    publish,
    restore,
    restore_list,
    row_key,
)
from ..views import (
    BETWEEN,
    BETWEEN_EVENTS,
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
from .edits import edit_panel

PAGE_SIZE = 50


def show(st, workspace: Workspace, actor: str) -> None:
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
        edit_panel(st, workspace, info, rows, row, moving, current, actor)
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
        else count(sum(1 for r in moving if r.link_id is not None), "link") + " shown"
    )
    return (
        f"{kind} · {shown} · "
        + count(sum(1 for r in rows if r.unlinked), "sentence")
        + " without a partner · "
        f"{sum(1 for r in rows if r.status == 'confirmed')} confirmed · "
        f"{sum(1 for r in rows if r.status == 'rejected')} rejected · "
        f"{sum(1 for r in moving if suspicious(r))} suspicious (confidence under {LOW}, "
        "n:m, numbers differ, or no partner) · " + HELP
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


def _row_words(row: ParallelRow) -> str:
    """``[3]-[4]``, or for one side alone ``source sentence 3, no partner``."""
    if row.src_ids and row.tgt_ids:
        return row.label()
    side, ids = ("source", row.src_ids) if row.src_ids else ("target", row.tgt_ids)
    return f"{side} sentence {shown_ids(ids)[1:-1]}, no partner"


def count(n: int, noun: str) -> str:
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
        bar.caption(f"{count(hidden, 'link')} below confidence {min_confidence:g} hidden")
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
    st.subheader(f"Row {index + 1} of {total}: {_row_words(row)}")
    st.markdown(
        f'{STYLE}<div dir="ltr">{confidence_badge(row)}'
        + (f" · {safe(row.link_type)}" if row.link_id is not None else "")
        + (f" {numbers_note(row.numbers_differ, long=True)}" if row.numbers_differ else "")
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
        names = document_names(workspace)
        labels = {i: f"{d.lang} · {names[i].label(8)}" for i, d in docs.items()}
        chosen = st.multiselect(
            "Pivot document first, then up to two others",
            list(labels),
            format_func=labels.get,
            max_selections=3,
            key="pv_three",
        )
        if len(chosen) >= 2:
            rows = pivot_rows(workspace, chosen[0], chosen[1:], infos)
            first = st.number_input(  # counted from 1, as the rows are
                "From sentence", 1, max(len(rows), 1), 1, step=50, key="pv_three_from"
            )
            headers = [f"{docs[i].lang} · {names[i].short(6)}" for i in chosen]
            shown = rows[first - 1 : first - 1 + PAGE_SIZE]
            st.markdown(pivot_table_html(shown, headers), unsafe_allow_html=True)
