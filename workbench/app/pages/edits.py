"""The pair view's edits: confirm, reject, merge, split, re-link, no partner, undo; each
checked by :mod:`workbench.edit`, which refuses what would corrupt the alignment."""

from __future__ import annotations

from functools import partial

from ... import edit
from ...errors import WorkbenchError
from ...names import first_words, isolate
from ...store import Workspace
from ..safe import safe
from ..state import (
    row_key,
)
from ..views import (
    ParallelRow,
    shown_ids,
)


def edit_panel(
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
    st.toast(f"undid the last edit of this pair ({undone})" if undone else "nothing to undo")
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
