"""Issue 23, item 1: what a user decided survives later runs. A document the user moved
stays with the documents it was moved to, the pair it was re-aligned in keeps its id and
links, ids are never handed out twice, and an address to a pair that is gone says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench import Workspace, run
from workbench.events import move_document
from workbench.stages import realign_event

from .conftest import ROOT


@pytest.fixture
def workspace(seeded_with_stories, tmp_path, monkeypatch) -> Workspace:
    ws = Workspace(seeded_with_stories.copy_to(tmp_path / "ws"))
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    return ws


def by_name(ws: Workspace) -> dict[str, object]:
    return {Path(d.path).name: d for d in ws.documents() if "stories" in d.path}


def pair_id(ws: Workspace, a: int, b: int) -> int | None:
    rows = [r for r in ws.alignment_rows() if {r.src_doc, r.tgt_doc} == {a, b}]
    return rows[0].id if rows else None


def test_a_rerun_keeps_a_moved_document_its_pair_and_its_address(workspace, tmp_path):
    ws = workspace
    docs = by_name(ws)
    moved, rangers_en = docs["chelsea.fa.txt"], docs["rangers.en.txt"]
    target = rangers_en.event_id
    move_document(ws, moved.id, target)
    realign_event(ws, target)
    made = pair_id(ws, moved.id, rangers_en.id)
    assert made is not None
    links = [link.id for link in ws.alignment_links(made)]
    events_before = {e.id for e in ws.events()}

    extra = tmp_path / "more"
    shutil.copytree(ROOT / "tests" / "data" / "independent", extra)
    report = run(ws, [extra])

    docs = by_name(ws)
    assert docs["chelsea.fa.txt"].event_id == target  # where the user put it
    assert {docs[f"rangers.{lang}.txt"].event_id for lang in ("en", "fa", "ar")} == {target}
    assert pair_id(ws, moved.id, rangers_en.id) == made  # the pair the user made stays
    assert [link.id for link in ws.alignment_links(made)] == links
    assert events_before <= {e.id for e in ws.events()}  # no event renumbered
    events = next(s for s in report.stages if s.name == "events").summary
    held = {d.event_id for d in ws.documents() if d.event_id is not None}
    assert events.split(" events")[0].endswith(f" {len(held)}")  # counts what is there


def test_ids_are_never_handed_out_twice(workspace):
    from .files import realign_after_removing_the_newest

    ws = workspace
    last, again = realign_after_removing_the_newest(ws)
    assert again > last
    event = max(e.id for e in ws.events())
    document = next(d for d in ws.documents() if d.event_id == event)
    with ws.transaction() as conn:  # what a regrouping does to an event that empties
        conn.execute("UPDATE documents SET event_id = NULL WHERE event_id = ?", (event,))
        conn.execute("DELETE FROM events WHERE id = ?", (event,))
    assert move_document(ws, document.id, None) > event


def test_an_address_to_a_pair_that_is_gone_says_so(workspace):
    testing = pytest.importorskip("streamlit.testing.v1")
    ws = workspace
    gone = max(r.id for r in ws.alignment_rows()) + 5
    event = ws.alignment_rows()[0].event_id
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.query_params["page"] = "Parallel view"
    app.query_params["alignment"] = str(gone)
    app.query_params["event"] = str(event)
    app.run()
    assert not app.exception
    notice = [w.value for w in app.warning if "no longer exists" in w.value]
    assert notice and f"pair {gone}" in notice[0] and f"event {event}" in notice[0]


def test_a_moved_document_does_not_pull_its_siblings_along(workspace, tmp_path):
    ws = workspace
    docs = by_name(ws)
    before = {name: d.event_id for name, d in docs.items()}
    move_document(ws, docs["rangers.ar.txt"].id, docs["chelsea.en.txt"].event_id)
    extra = tmp_path / "more"
    shutil.copytree(ROOT / "tests" / "data" / "independent", extra)
    run(ws, [extra])
    after = {name: d.event_id for name, d in by_name(ws).items()}
    untouched = {name for name in before if name != "rangers.ar.txt"}
    assert {n: after[n] for n in untouched} == {n: before[n] for n in untouched}
    assert after["rangers.ar.txt"] == before["chelsea.en.txt"]
