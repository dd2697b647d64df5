"""Link edits: each saved at once with history, undoable, safe across two sessions, and
never able to leave an invalid alignment behind."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import Workspace
from workbench.edit import (
    EditError,
    _pair,
    links,
    mark_no_partner,
    merge,
    merged_from,
    problems,
    relink,
    set_status,
    split,
    undo,
)
from workbench.export import workspace_rows
from workbench_eval.app import add_aligned_pair


def make_alignment(ws: Workspace, n: int = 4, n_tgt: int | None = None) -> int:
    """Two small documents and an automatic 1-1 (parallel) alignment of their sentences."""
    return add_aligned_pair(
        ws, [f"fa {k}" for k in range(n)], [f"en {k}" for k in range(n_tgt or n)], ("fa", "en")
    )


def relinked(ws: Workspace, aid: int, mode: str, pairs) -> int:
    """The same two documents, re-aligned as ``mode`` with these links (an aligner's output)."""
    row = ws.conn.execute("SELECT * FROM alignments WHERE id = ?", (aid,)).fetchone()
    return ws.save_alignment(
        event_id=row["event_id"],
        src_doc=row["src_doc"],
        tgt_doc=row["tgt_doc"],
        mode=mode,
        method="test",
        params={},
        links=[(list(s), list(t), 0.5, f"{len(s)}-{len(t)}", 0.7) for s, t in pairs],
    )


@pytest.fixture
def aligned(workspace):
    return workspace, make_alignment(workspace)


def shapes(ws, alignment_id):
    return [(link.src_ids, link.tgt_ids, link.status) for link in links(ws, alignment_id)]


def pairs_of(ws, alignment_id):
    return [(link.src_ids, link.tgt_ids) for link in links(ws, alignment_id)]


def state(ws, alignment_id):
    """Everything stored about an alignment's links (what undo must give back exactly)."""
    return sorted(
        tuple(r)
        for r in ws.conn.execute(
            "SELECT id, src_ids, tgt_ids, score, link_type, status, updated_at, updated_by,"
            " confidence FROM links WHERE alignment_id = ?",
            (alignment_id,),
        )
    )


def test_confirm_reject_and_history(aligned):
    ws, aid = aligned
    first, second = links(ws, aid)[:2]
    set_status(ws, first.id, "confirmed", actor="ana")
    set_status(ws, second.id, "rejected", actor="ana")
    assert [s for *_, s in shapes(ws, aid)] == ["confirmed", "rejected", "auto", "auto"]
    history = ws.conn.execute("SELECT action, actor FROM link_history ORDER BY id").fetchall()
    assert [tuple(h) for h in history] == [("confirmed", "ana"), ("rejected", "ana")]
    assert len(list(workspace_rows(ws))) == 3  # the rejected link is not exported
    with pytest.raises(EditError, match="unknown status"):
        set_status(ws, first.id, "maybe")


def test_link_writes_run_only_inside_a_transaction(aligned):
    """The store's link-edit writes refuse to run outside ``transaction()``: an edit's
    checks and its writes are one step, never a write the checks did not lock."""
    ws, aid = aligned
    first = links(ws, aid)[0]
    start = state(ws, aid)
    with pytest.raises(RuntimeError, match="inside Workspace"):
        ws.set_link_status(first.id, "confirmed", "ana")
    with pytest.raises(RuntimeError, match="inside Workspace"):
        ws.delete_links([first.id])
    assert state(ws, aid) == start


def test_merge_split_relink_and_undo(aligned):
    ws, aid = aligned
    start = state(ws, aid)
    a, b = links(ws, aid)[:2]
    merged = merge(ws, a.id, b.id, actor="ana")
    assert shapes(ws, aid)[0] == ((0, 1), (0, 1), "edited")
    split(ws, merged, actor="ana")  # exactly the two links that were merged, as they were
    assert state(ws, aid) == start
    relink(ws, aid, [2], [3], actor="ana")  # sentence 2 now goes with target 3
    assert pairs_of(ws, aid) == [((0,), (0,)), ((1,), (1,)), ((2,), (3,))]
    # the links 2 and 3 were in lost a side: their other sentences are unlinked, not one-sided
    assert all(src and tgt for src, tgt in pairs_of(ws, aid))
    assert undo(ws, aid) == "relink"
    assert undo(ws, aid) == "split"
    assert undo(ws, aid) == "merge"
    assert state(ws, aid) == start
    assert undo(ws, aid) is None


def test_merge_then_split_gives_back_the_two_original_pairs(workspace):
    """The regression: [10]-[7] + [11]-[6] merged, then split, came back swapped
    ([10]-[6] + [11]-[7]) because split paired the k-th source with the k-th target."""
    aid = relinked(
        workspace, make_alignment(workspace, 15), "comparable", [((10,), (7,)), ((11,), (6,))]
    )
    first, second = links(workspace, aid)
    merged = merge(workspace, first.id, second.id)
    assert pairs_of(workspace, aid) == [((10, 11), (6, 7))]
    assert [link.label() for link in merged_from(workspace, merged)] == [
        "[11]-[8]",
        "[12]-[7]",
    ]  # from 1
    split(workspace, merged)
    assert pairs_of(workspace, aid) == [((10,), (7,)), ((11,), (6,))]
    assert [(k.id, k.score, k.confidence, k.status) for k in links(workspace, aid)] == [
        (first.id, 0.5, 0.7, "auto"),
        (second.id, 0.5, 0.7, "auto"),
    ]


def test_split_after_undoing_a_split_still_gives_back_the_merged_links(aligned):
    """History rows lose their link id while the link is away (split, then undo brings it
    back): the merge is found by value."""
    ws, aid = aligned
    start = state(ws, aid)
    a, b, c, _ = links(ws, aid)
    inner = merge(ws, a.id, b.id)
    outer = merge(ws, inner, c.id)  # [0, 1, 2]-[0, 1, 2], made of [0, 1]-[0, 1] and [2]-[2]
    split(ws, outer)
    assert undo(ws, aid) == "split"
    split(ws, outer)
    split(ws, inner)
    assert state(ws, aid) == start


def test_merge_refuses_links_that_are_not_adjacent(workspace):
    """The reported case: [10]-[7] and [13]-[2] are not neighbours, so they do not merge."""
    aid = relinked(
        workspace, make_alignment(workspace, 15), "comparable", [((10,), (7,)), ((13,), (2,))]
    )
    first, second = links(workspace, aid)
    before = state(workspace, aid)
    with pytest.raises(EditError, match=r"not adjacent \(source sentence 12 lies between\)"):
        merge(workspace, first.id, second.id)
    assert state(workspace, aid) == before
    assert workspace.conn.execute("SELECT COUNT(*) FROM link_history").fetchone()[0] == 0


def test_merge_with_the_unlinked_sentence_beside_a_link(workspace):
    aid = relinked(
        workspace, make_alignment(workspace, 6), "parallel", [((0,), (0,)), ((1,), (1,))]
    )
    first = links(workspace, aid)[1]
    merged = merge(workspace, first.id, sentence=("tgt", 2))  # target 2 is in no link
    assert pairs_of(workspace, aid)[1] == ((1,), (1, 2))
    with pytest.raises(EditError, match="not adjacent"):
        merge(workspace, merged, sentence=("src", 4))  # source 3 lies between
    split(workspace, merged)
    assert pairs_of(workspace, aid) == [((0,), (0,)), ((1,), (1,))]  # target 2 unlinked again


def test_merge_needs_neighbours_that_make_a_link(workspace):
    aid = make_alignment(workspace, 4)
    first, _, third, _ = links(workspace, aid)
    with pytest.raises(EditError, match="not adjacent"):
        merge(workspace, first.id, third.id)
    alone = mark_no_partner(workspace, aid, "src", 0)  # target 0 is unlinked now
    mark_no_partner(workspace, aid, "src", 1)
    with pytest.raises(EditError, match="use Re-link"):
        merge(workspace, alone, sentence=("src", 1))  # no partner + no partner: still none
    with pytest.raises(EditError, match="source sentence 2 lies between"):
        merge(workspace, alone, sentence=("tgt", 2))  # the link [2]-[2] holds target 2
    merge(workspace, alone, sentence=("tgt", 0))  # two lone sentences side by side: a link
    assert pairs_of(workspace, aid)[0] == ((0,), (0,))


def test_split_into_pairs_the_user_picks(workspace):
    aid = relinked(
        workspace, make_alignment(workspace, 4), "parallel", [((0, 1), (0, 1, 2)), ((2,), (3,))]
    )
    link = links(workspace, aid)[0]
    with pytest.raises(EditError, match="pick the 1-1 pairs"):
        split(workspace, link.id)  # not made by a merge: the user must say what goes together
    with pytest.raises(EditError, match="crosses"):
        split(workspace, link.id, [(0, 1), (1, 0)])  # crossing pairs in a parallel pair
    with pytest.raises(EditError, match="only one pair"):
        split(workspace, link.id, [(0, 0), (0, 1)])
    with pytest.raises(EditError, match="not a pair of sentences"):
        split(workspace, link.id, [(0, 3)])
    split(workspace, link.id, [(0, 0), (1, 2)])
    assert pairs_of(workspace, aid) == [
        ((0,), (0,)),
        ((1,), (2,)),
        ((2,), (3,)),
    ]  # target 1 unlinked


def test_relink_from_either_side_and_no_partner(workspace):
    aid = relinked(
        workspace, make_alignment(workspace, 5), "comparable", [((0,), (0,)), ((2,), (3,))]
    )
    relink(workspace, aid, [4], [1])  # a target sentence that no link held gets a partner
    assert ((4,), (1,)) in pairs_of(workspace, aid)
    relink(workspace, aid, [1], [3])  # takes target 3 from [2]-[3]: source 2 is unlinked now
    assert pairs_of(workspace, aid) == [((0,), (0,)), ((1,), (3,)), ((4,), (1,))]
    with pytest.raises(EditError, match="both sides"):
        relink(workspace, aid, [], [2])
    with pytest.raises(EditError, match="does not exist"):
        relink(workspace, aid, [2], [9])
    mark_no_partner(workspace, aid, "tgt", 3, actor="ana")  # source 1 loses its partner
    assert pairs_of(workspace, aid) == [((), (3,)), ((0,), (0,)), ((4,), (1,))]
    assert links(workspace, aid)[0].status == "confirmed"
    with pytest.raises(EditError, match="already without partner"):
        mark_no_partner(workspace, aid, "tgt", 3)


def test_edits_survive_a_restart(tmp_path):
    ws = Workspace(tmp_path / "ws")
    aid = make_alignment(ws)
    set_status(ws, links(ws, aid)[0].id, "confirmed")
    ws.close()
    again = Workspace(tmp_path / "ws")
    assert links(again, aid)[0].status == "confirmed"


def test_two_sessions_lose_no_edit(tmp_path):
    one, two = Workspace(tmp_path / "ws"), None
    aid = make_alignment(one)
    two = Workspace(tmp_path / "ws")
    first, second, third, _ = links(one, aid)
    set_status(one, first.id, "confirmed", actor="one")
    set_status(two, second.id, "rejected", actor="two")
    merge(one, third.id, links(one, aid)[3].id, actor="one")
    with pytest.raises(EditError, match="no longer exists"):
        set_status(two, third.id, "confirmed", actor="two")  # merged away by session one
    assert [s for *_, s in shapes(two, aid)] == ["confirmed", "rejected", "edited"]


# --- property: random edit sequences ---------------------------------------------------

N_SRC, N_TGT = 7, 6


def monotonic_links(draw) -> list:
    """A random monotonic alignment as an aligner makes it (1-1, 1-0, 0-1, 2-1, 1-2 beads)."""
    beads, i, j = [], 0, 0
    while i < N_SRC or j < N_TGT:
        a, b = draw(st.sampled_from([(1, 1), (1, 1), (1, 0), (0, 1), (2, 1), (1, 2)]))
        a, b = min(a, N_SRC - i), min(b, N_TGT - j)
        if a or b:
            beads.append((tuple(range(i, i + a)), tuple(range(j, j + b))))
        i, j = i + a, j + b
    return beads


def comparable_links(draw) -> list:
    """Random one-to-one picks in any order, as mining makes them."""
    targets = draw(st.permutations(range(N_TGT)))
    keep = draw(st.lists(st.booleans(), min_size=N_TGT, max_size=N_TGT))
    return [((i,), (t,)) for i, (t, k) in enumerate(zip(targets, keep, strict=True)) if k]


def some_ids(draw, n: int) -> list[int]:
    start = draw(st.integers(0, n - 1))
    if draw(st.booleans()):  # usually a run of neighbours, sometimes anything
        return list(range(start, min(n, start + draw(st.integers(1, 2)))))
    return draw(st.lists(st.integers(0, n), min_size=1, max_size=3, unique=True))


def random_edit(ws: Workspace, aid: int, draw) -> str | None:
    """One random edit, valid or not; returns undo's answer for an undo."""
    current = links(ws, aid)
    action = draw(
        st.sampled_from(
            [
                "confirm",
                "reject",
                "merge",
                "merge",
                "merge-sentence",
                "split",
                "split-pairs",
                "relink",
                "relink",
                "no-partner",
                "undo",
                "undo",
            ]
        )
    )
    if action == "undo":
        return undo(ws, aid)
    side = draw(st.sampled_from(["src", "tgt"]))
    if action == "relink":
        return relink(ws, aid, some_ids(draw, N_SRC), some_ids(draw, N_TGT))
    if action == "no-partner":
        return mark_no_partner(ws, aid, side, draw(st.integers(0, N_SRC - 1)))
    if not current:
        return None
    n_to_m = [k for k in current if len(k.src_ids) + len(k.tgt_ids) > 2]
    splittable = action.startswith("split") and n_to_m and draw(st.integers(0, 3))
    link = draw(st.sampled_from(n_to_m if splittable else current))
    if action in ("confirm", "reject"):
        return set_status(ws, link.id, action + "ed" if action == "confirm" else "rejected")
    if action == "merge":
        index = current.index(link)
        near = current[max(index - 1, 0) : index] + current[index + 1 : index + 2]
        other = draw(st.sampled_from(near if near and draw(st.booleans()) else current))
        return merge(ws, link.id, other.id)
    if action == "merge-sentence":
        return merge(ws, link.id, sentence=(side, draw(st.integers(0, N_TGT - 1))))
    if action == "split":
        return split(ws, link.id)
    if draw(st.booleans()):  # pairs in reading order on both sides
        pairs = list(zip(link.src_ids, link.tgt_ids[draw(st.integers(0, 1)) :], strict=False))
    else:
        product = list(itertools.product(link.src_ids, link.tgt_ids)) or [(0, 0)]
        pairs = draw(st.lists(st.sampled_from(product), min_size=1, max_size=3, unique=True))
    return split(ws, link.id, pairs)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), parallel=st.booleans())
def test_random_edits_keep_a_valid_alignment_and_undo_restores_exactly(data, parallel):
    draw = data.draw
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        aid = make_alignment(ws, N_SRC, N_TGT)
        start = draw(st.composite(monotonic_links if parallel else comparable_links)())
        aid = relinked(ws, aid, "parallel" if parallel else "comparable", start)
        pair = _pair(ws, aid)
        assert problems(links(ws, aid), pair) == []
        stack = []  # the state before each edit that undo has not taken back yet
        for _ in range(draw(st.integers(1, 20))):
            before = state(ws, aid)
            try:
                outcome = random_edit(ws, aid, draw)
            except EditError:
                assert state(ws, aid) == before  # a refused edit changes nothing
                continue
            assert problems(links(ws, aid), pair) == []
            last = ws.conn.execute("SELECT action FROM link_history ORDER BY id DESC").fetchone()
            if last is not None and last[0] == "undo" and outcome is not None and stack:
                assert state(ws, aid) == stack.pop()  # undo restores the exact previous state
            elif outcome is None and (last is None or last[0] == "undo"):
                assert state(ws, aid) == before  # nothing was done (nothing left to undo)
            else:
                stack.append(before)
        while stack:  # undo everything: back to the aligner's links, exactly
            expected = stack.pop()
            assert undo(ws, aid) is not None
            assert state(ws, aid) == expected
        assert undo(ws, aid) is None
        ws.close()
