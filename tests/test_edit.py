"""Link edits: each saved at once with history, undoable, safe across two sessions."""

from __future__ import annotations

import pytest

from workbench import Workspace
from workbench.edit import EditError, links, merge, relink, set_status, split, undo
from workbench.evaluate_app import add_aligned_pair
from workbench.export import workspace_rows


def make_alignment(ws: Workspace) -> int:
    """Two small documents and an automatic 1-1 alignment of four sentences."""
    return add_aligned_pair(
        ws, [f"fa {k}" for k in range(4)], [f"en {k}" for k in range(4)], ("fa", "en")
    )


@pytest.fixture
def aligned(workspace):
    return workspace, make_alignment(workspace)


def shapes(ws, alignment_id):
    return [(link.src_ids, link.tgt_ids, link.status) for link in links(ws, alignment_id)]


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


def test_merge_split_relink_and_undo(aligned):
    ws, aid = aligned
    start = shapes(ws, aid)
    a, b = links(ws, aid)[:2]
    merged = merge(ws, a.id, b.id, actor="ana")
    assert shapes(ws, aid)[0] == ((0, 1), (0, 1), "edited")
    split(ws, merged, actor="ana")
    assert shapes(ws, aid)[:2] == [((0,), (0,), "edited"), ((1,), (1,), "edited")]
    relink(ws, aid, 2, [3], actor="ana")  # sentence 2 now goes with target 3
    assert ((2,), (3,), "edited") in shapes(ws, aid)
    assert ((), (2,), "edited") in shapes(ws, aid) and ((3,), (), "edited") in shapes(ws, aid)
    assert undo(ws, aid) == "relink"
    assert undo(ws, aid) == "split"
    assert undo(ws, aid) == "merge"
    assert shapes(ws, aid) == start
    assert undo(ws, aid) is None


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
