"""User edits of alignment links: confirm, reject, merge, split, re-link, no partner, undo.

Every edit is one transaction (``BEGIN IMMEDIATE``), checks that the links it
changes still look as the user saw them, and writes a ``link_history`` row
with who, when, and the links before and after, so that two sessions editing
the same workspace lose no edit and every edit can be undone.

An edit can never leave the alignment worse than it found it: after the edit,
inside the same transaction, the whole link set is checked (:func:`problems`:
no sentence in two links, no empty link, sentences that exist, and in a
parallel pair links in the order of both documents with consecutive sentences);
an edit that would add a problem is refused with a one-line reason and rolled
back. A sentence that no link holds is *unlinked*; a one-sided link (``[3] ->
[]``) says a sentence *has no partner*, and exists only when the aligner or the
user said so: re-linking never leaves one behind.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .errors import WorkbenchError
from .store import LinkRow, Workspace

STATUSES = ("auto", "confirmed", "rejected", "edited")
Side = Literal["src", "tgt"]
SIDE_NAMES = {"src": "source", "tgt": "target"}


class EditError(WorkbenchError):
    """An edit that cannot be applied (the link changed or vanished meanwhile, bad input)."""


def links(workspace: Workspace, alignment_id: int) -> list[LinkRow]:
    """An alignment's links in reading order (by first source, then first target sentence)."""
    return sorted(workspace.alignment_links(alignment_id), key=_reading_order)


def _reading_order(link: LinkRow) -> tuple:
    first_src = link.src_ids[0] if link.src_ids else None
    first_tgt = link.tgt_ids[0] if link.tgt_ids else None
    return (first_src if first_src is not None else -1, first_tgt if first_tgt is not None else -1)


def _load(workspace: Workspace, link_id: int) -> LinkRow:
    link = workspace.link(link_id)
    if link is None:
        raise EditError(f"link {link_id} no longer exists (edited in another session?)")
    return link


def _kind(src: Sequence[int], tgt: Sequence[int]) -> str:
    return f"{len(src)}-{len(tgt)}"


def _insert(workspace: Workspace, alignment_id: int, src, tgt, status: str, actor: str) -> int:
    """A link a user made (no score), its sentences in order."""
    return workspace.insert_link(
        alignment_id,
        sorted(src),
        sorted(tgt),
        score=None,
        link_type=_kind(src, tgt),
        status=status,
        actor=actor,
    )


def _history(
    workspace: Workspace, action: str, before: list[LinkRow], after_ids: list[int], actor: str
) -> None:
    after = [_load(workspace, i).snapshot() for i in after_ids]
    workspace.record_link_edit(action, [b.snapshot() for b in before], after, actor)


# --- what makes a valid alignment -------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """What an alignment's links must fit: the two documents' lengths and the mode."""

    n_src: int
    n_tgt: int
    parallel: bool


def _pair(workspace: Workspace, alignment_id: int) -> Pair:
    shape = workspace.alignment_shape(alignment_id)
    if shape is None:
        raise EditError(
            f"alignment {alignment_id} no longer exists (a later run regrouped or re-read its"
            " documents): reload to see what is there now"
        )
    mode, n_src, n_tgt = shape
    return Pair(n_src, n_tgt, mode == "parallel")


def _consecutive(ids: Sequence[int]) -> bool:
    return not ids or list(ids) == list(range(min(ids), min(ids) + len(ids)))


def problems(link_set: Iterable[LinkRow], pair: Pair) -> list[str]:
    """Why ``link_set`` is not a valid alignment of ``pair`` (empty when it is one).

    Valid: every link holds at least one sentence, every sentence exists and is in
    at most one link; in a parallel pair, each side of a link is a run of consecutive
    sentences and two-sided links follow the order of both documents (none cross).
    """
    found: list[str] = []
    holder: dict[tuple[str, int], LinkRow] = {}
    two_sided = []
    for link in link_set:
        if not link.src_ids and not link.tgt_ids:
            found.append(f"link {link.id} holds no sentence")
        for side, ids, size in (
            ("src", link.src_ids, pair.n_src),
            ("tgt", link.tgt_ids, pair.n_tgt),
        ):
            for i in ids:
                if not 0 <= i < size:
                    found.append(f"{SIDE_NAMES[side]} sentence {i + 1} does not exist")
                elif (side, i) in holder:
                    found.append(
                        f"{SIDE_NAMES[side]} sentence {i + 1} is in two links "
                        f"({holder[side, i].label()} and {link.label()})"
                    )
                else:
                    holder[side, i] = link
            if pair.parallel and not _consecutive(ids):
                found.append(
                    f"link {link.label()}: in a parallel pair a link's {SIDE_NAMES[side]} "
                    "sentences must be neighbours"
                )
        if link.src_ids and link.tgt_ids:
            two_sided.append(link)
    if pair.parallel:
        two_sided.sort(key=lambda link: (min(link.src_ids), min(link.tgt_ids)))
        for before, after in itertools.pairwise(two_sided):
            if not (
                max(before.src_ids) < min(after.src_ids)
                and max(before.tgt_ids) < min(after.tgt_ids)
            ):
                found.append(
                    f"link {before.label()} crosses link {after.label()}: in a parallel pair "
                    "links keep the order of both documents"
                )
    return found


def _check(
    workspace: Workspace,
    alignment_id: int,
    removed: Sequence[LinkRow],
    added: Sequence[int],
    only: str = "",
) -> None:
    """Refuse (roll back) an edit that made the alignment invalid in a new way.

    The edit deleted ``removed`` and inserted the links ``added``; a problem the link set
    had before the edit (an alignment edited by an older workbench) does not block it.
    Only problems containing ``only`` count, when given."""
    after = workspace.alignment_links(alignment_id)
    pair = _pair(workspace, alignment_id)
    found = [p for p in problems(after, pair) if only in p]
    if not found:
        return
    new_ids = set(added)
    before = [link for link in after if link.id not in new_ids] + list(removed)
    known = set(problems(before, pair))
    new = [p for p in found if p not in known]
    if new:
        raise EditError(f"refused: {new[0]}")


# --- edits ----------------------------------------------------------------------------


def set_status(workspace: Workspace, link_id: int, status: str, actor: str = "") -> None:
    """Confirm or reject a link (or put it back to ``auto``)."""
    if status not in STATUSES:
        raise EditError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    with workspace.transaction():
        before = _load(workspace, link_id)
        workspace.set_link_status(link_id, status, actor)
        _history(workspace, status, [before], [link_id], actor)


def _holder(current: list[LinkRow], side: Side, position: int) -> LinkRow | None:
    for link in current:
        if position in (link.src_ids if side == "src" else link.tgt_ids):
            return link
    return None


def merge(
    workspace: Workspace,
    link_id: int,
    other_id: int | None = None,
    actor: str = "",
    *,
    sentence: tuple[Side, int] | None = None,
) -> int:
    """Join a link with the link beside it (``other_id``), or with the unlinked sentence
    beside it (``sentence=("src", 4)``), into one n:m link (status ``edited``).

    Only neighbours merge: on each side the merged link's sentences must follow each
    other with no gap, and the two must meet on at least one side. Anything else is
    refused, so a merge never joins links the user did not see side by side.
    """
    with workspace.transaction():
        a = _load(workspace, link_id)
        if sentence is not None:
            side, position = sentence
            b = _holder(workspace.alignment_links(a.alignment_id), side, position)
            if b is None:  # a sentence no link holds: it joins as it is
                b = LinkRow(
                    0,
                    a.alignment_id,
                    (position,) if side == "src" else (),
                    (position,) if side == "tgt" else (),
                    None,
                    "",
                    "",
                )
        elif other_id is not None:
            b = _load(workspace, other_id)
        else:
            raise EditError("say what to merge the link with")
        if a.alignment_id != b.alignment_id or a.id == b.id:
            raise EditError("only two different links of the same alignment can be merged")
        src = sorted(set(a.src_ids) | set(b.src_ids))
        tgt = sorted(set(a.tgt_ids) | set(b.tgt_ids))
        _check_neighbours(a, b, src, tgt)
        before = [link for link in (a, b) if link.id]
        workspace.delete_links(link.id for link in before)
        new = _insert(workspace, a.alignment_id, src, tgt, "edited", actor)
        _check(workspace, a.alignment_id, before, [new])
        _history(workspace, "merge", before, [new], actor)
        return new


def _check_neighbours(a: LinkRow, b: LinkRow, src: list[int], tgt: list[int]) -> None:
    if not src or not tgt:
        raise EditError(
            "merging these leaves one side empty: use Re-link to link sentences without partners"
        )
    meet = (a.src_ids and b.src_ids) or (a.tgt_ids and b.tgt_ids)
    if not meet and len(src) + len(tgt) > 2:  # two lone sentences make a 1-1 link
        raise EditError(
            f"{a.label()} and {b.label()} are not side by side: merge only adjacent links"
        )
    for side, ids in (("src", src), ("tgt", tgt)):
        gap = next((i for i in range(ids[0], ids[-1]) if i not in ids), None)
        if gap is not None:
            raise EditError(
                f"{a.label()} and {b.label()} are not adjacent ({SIDE_NAMES[side]} sentence "
                f"{gap + 1} lies between): merge only adjacent links"
            )


def merged_from(workspace: Workspace, link_id: int) -> list[LinkRow] | None:
    """The links that the merge which made ``link_id`` joined, or None when it was not made
    by a merge (or that merge was undone). Split gives exactly these back."""
    made = workspace.latest_merge(link_id)
    if made is None:
        return None
    current = workspace.link(link_id)
    if (
        current is None
        or len(made.after) != 1
        or (list(current.src_ids), list(current.tgt_ids))
        != (made.after[0]["src_ids"], made.after[0]["tgt_ids"])
    ):
        return None
    return [LinkRow.from_snapshot(b) for b in made.before]


def split(
    workspace: Workspace,
    link_id: int,
    pairs: Sequence[tuple[int, int]] | None = None,
    *,
    actor: str = "",
) -> list[int]:
    """Split an n:m link.

    Without ``pairs``, a link made by a merge is split back into exactly the links that
    were merged (same sentences, score and status). With ``pairs`` (source, target)
    sentence pairs of the link, each pair becomes a 1-1 link and the link's other
    sentences are left unlinked.
    """
    with workspace.transaction():
        link = _load(workspace, link_id)
        parts = merged_from(workspace, link_id) if pairs is None else None
        if len(link.src_ids) + len(link.tgt_ids) <= 2 or not link.src_ids or not link.tgt_ids:
            raise EditError(f"{link.label()} cannot be split further")
        workspace.delete_links([link.id])
        if pairs is None:
            if parts is None:
                raise EditError(
                    f"{link.label()} was not made by a merge: pick the 1-1 pairs to split it into"
                )
            for part in parts:
                workspace.restore_link(part)
            new = [part.id for part in parts]
        else:
            _check_pairs(link, pairs)
            new = [
                _insert(workspace, link.alignment_id, (i,), (j,), "edited", actor) for i, j in pairs
            ]
        _check(workspace, link.alignment_id, [link], new)
        _history(workspace, "split", [link], new, actor)
        return new


def _check_pairs(link: LinkRow, pairs: Sequence[tuple[int, int]]) -> None:
    if not pairs:
        raise EditError("pick at least one pair of sentences to keep linked")
    for i, j in pairs:
        if i not in link.src_ids or j not in link.tgt_ids:
            raise EditError(f"[{i + 1}]-[{j + 1}] is not a pair of sentences of {link.label()}")
    for position, name in ((0, "source"), (1, "target")):
        used = [pair[position] for pair in pairs]
        if len(set(used)) != len(used):
            raise EditError(f"a {name} sentence can be in only one pair")


def _take(
    workspace: Workspace,
    alignment_id: int,
    src: set[int],
    tgt: set[int],
    actor: str,
    current: list[LinkRow],
) -> tuple[list, list]:
    """Take sentences out of the links holding them; what is left of a link stays linked
    if it still has both sides (or was a one-sided link already), else becomes unlinked.
    Returns the links touched and the ids of what was left of them."""
    touched = [link for link in current if src & set(link.src_ids) or tgt & set(link.tgt_ids)]
    left = []
    for link in touched:
        workspace.delete_links([link.id])
        rest_src = [i for i in link.src_ids if i not in src]
        rest_tgt = [j for j in link.tgt_ids if j not in tgt]
        one_sided_before = not link.src_ids or not link.tgt_ids
        if (rest_src and rest_tgt) or (one_sided_before and (rest_src or rest_tgt)):
            left.append(_insert(workspace, alignment_id, rest_src, rest_tgt, "edited", actor))
    return touched, left


def relink(
    workspace: Workspace,
    alignment_id: int,
    src_ids: Sequence[int],
    tgt_ids: Sequence[int],
    actor: str = "",
) -> int:
    """Link exactly these source sentences with exactly these target sentences.

    They leave the links they were in; what is left of such a link stays linked only
    if it still has sentences on both sides (else those sentences become unlinked), so
    a re-link never leaves a one-sided link behind. Both sides are required: to say a
    sentence has no partner, use :func:`mark_no_partner`.
    """
    src, tgt = set(src_ids), set(tgt_ids)
    if not src or not tgt:
        raise EditError(
            "pick sentences on both sides (to say a sentence has no partner, mark it so)"
        )
    with workspace.transaction():
        _pair(workspace, alignment_id)  # gone since the page was drawn: say so, change nothing
        current = workspace.alignment_links(alignment_id)
        same = [k for k in current if set(k.src_ids) == src and set(k.tgt_ids) == tgt]
        if same:
            raise EditError(f"{same[0].label()} is already linked so")
        touched, left = _take(workspace, alignment_id, src, tgt, actor, current)
        new = _insert(workspace, alignment_id, src, tgt, "edited", actor)
        _check(workspace, alignment_id, touched, [new, *left])
        _history(workspace, "relink", touched, [new, *left], actor)
        return new


def mark_no_partner(
    workspace: Workspace, alignment_id: int, side: Side, position: int, actor: str = ""
) -> int:
    """Say that a sentence has no partner: it leaves its link (see :func:`relink` for what
    is left) and stands alone as a confirmed one-sided link."""
    if side not in SIDE_NAMES:
        raise EditError(f"unknown side {side!r}: use src or tgt")
    with workspace.transaction():
        _pair(workspace, alignment_id)
        current = workspace.alignment_links(alignment_id)
        holder = _holder(current, side, position)
        alone = ((position,), ()) if side == "src" else ((), (position,))
        if holder is not None and (holder.src_ids, holder.tgt_ids) == alone:
            raise EditError(
                f"{SIDE_NAMES[side]} sentence {position + 1} is already without partner"
            )
        touched, left = _take(
            workspace,
            alignment_id,
            {position} if side == "src" else set(),
            {position} if side == "tgt" else set(),
            actor,
            current,
        )
        new = _insert(workspace, alignment_id, *alone, "confirmed", actor)
        _check(workspace, alignment_id, touched, [new, *left])
        _history(workspace, "no-partner", touched, [new, *left], actor)
        return new


def undo(workspace: Workspace, alignment_id: int, actor: str | None = None) -> str | None:
    """Undo the latest edit in an alignment (by ``actor`` when given); returns its action.

    The links come back exactly as they were (ids, sentences, score, status, who and when).
    """
    with workspace.transaction():
        _pair(workspace, alignment_id)  # a pair a run removed: say so
        edit = workspace.edit_to_undo(alignment_id, actor)
        if edit is None:
            return None
        after, before = edit.after, edit.before
        present = {link.id for link in workspace.alignment_links(alignment_id)}
        if any(link["id"] not in present for link in after):
            raise EditError("cannot undo: a later edit changed the same links")
        workspace.delete_links(link["id"] for link in after)
        for link in before:
            workspace.restore_link(LinkRow.from_snapshot(link))
        # an earlier state may have had flaws of its own; what undo must never do is
        # put a sentence in two links (another actor's later edit took it meanwhile)
        removed = [LinkRow.from_snapshot(link) for link in after]
        restored = [link["id"] for link in before]
        _check(workspace, alignment_id, removed, restored, only="in two links")
        workspace.mark_undone(edit.id)
        workspace.record_link_edit("undo", after, before, actor or "")
        return edit.action
