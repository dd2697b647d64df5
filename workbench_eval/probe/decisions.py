"""A prepared workspace, and the user's decisions a run must never undo; the app."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from workbench import Workspace, run
from workbench.edit import EditError, mark_no_partner, merge, relink, set_status, split, undo
from workbench.events import move_document
from workbench.pipeline import RunReport
from workbench.stages import realign_event
from workbench.store import MIGRATIONS

from .base import (
    DATA,
    ROOT,
    Broken,
    Scenarios,
    cli,
    expect,
    realign_after_removing_the_newest,
    short_case,
)


@dataclass
class Prepared:
    """The seeds and tests/data/stories, run once; copied for the cases that need links."""

    corpus: Path
    workspace: Path
    counts: dict[str, int]
    seconds: float


def copy_workspace(source: Path, target: Path) -> Path:
    """A copy of a workspace through SQLite's backup (whole, whatever its WAL holds)."""
    with Workspace(source, create=False) as workspace:
        return workspace.copy_to(target)


def independent(folder: Path) -> Path:
    """A fresh copy of tests/data/independent: three new documents of another event."""
    more = folder / "more"
    shutil.copytree(DATA / "independent", more)
    return more


def _by_name(ws: Workspace) -> dict[str, int]:
    return {Path(d.path).name: d.id for d in ws.documents()}


def _pair(ws: Workspace, a: int, b: int) -> int | None:
    rows = [r.id for r in ws.alignment_rows() if {r.src_doc, r.tgt_doc} == {a, b}]
    return rows[0] if rows else None


def _events_line(report: RunReport) -> str:
    return next((s.summary for s in report.stages if s.name == "events"), "")


@dataclass
class MoveFacts:
    """What a move, a re-align, new documents and a run left (scenario of issue 23 item 1)."""

    moved_event: int | None = None
    target: int = 0
    made: int | None = None
    made_after: int | None = None
    links_before: list[int] = field(default_factory=list)
    links_after: list[int] = field(default_factory=list)
    vanished: set[int] = field(default_factory=set)
    emptied: set[int] = field(default_factory=set)
    events_line: str = ""
    held_events: int = 0
    held_threads: int = 0
    regrouped: list[str] = field(default_factory=list)


def _move_scenario(prepared: Prepared, folder: Path) -> MoveFacts:
    """Move rangers.ar into the Chelsea event, re-align it, add tests/data/independent
    and run again."""
    facts = MoveFacts()
    with Workspace(copy_workspace(prepared.workspace, folder / "ws")) as ws:
        names = _by_name(ws)
        moved, partner = names["rangers.ar.txt"], names["chelsea.en.txt"]
        docs = {d.id: d for d in ws.documents()}
        facts.target = docs[partner].event_id or 0
        move_document(ws, moved, facts.target)
        realign_event(ws, facts.target)
        facts.made = _pair(ws, moved, partner)
        facts.links_before = sorted(link.id for link in ws.alignment_links(facts.made or -1))
        before = {d.id: d.event_id for d in ws.documents()}
        members: dict[int, set[int]] = {}
        for doc, event in before.items():
            members.setdefault(event or 0, set()).add(doc)
        events_before = {e.id for e in ws.events()}
        report = run(ws, [independent(folder)])
        after = {d.id: d.event_id for d in ws.documents()}
        facts.moved_event = after.get(moved)
        facts.made_after = _pair(ws, moved, partner)
        facts.links_after = sorted(link.id for link in ws.alignment_links(facts.made or -1))
        events_after = {e.id for e in ws.events()}
        facts.vanished = events_before - events_after
        # an event may vanish when all its documents joined events that were there before;
        # one whose documents now sit in a new event was renumbered
        facts.emptied = {
            e
            for e in facts.vanished
            if all(after.get(d) in events_before for d in members.get(e, set()))
        }
        facts.events_line = _events_line(report)
        held = {e for e in after.values() if e is not None}
        facts.held_events = len(held)
        facts.held_threads = len({e.thread_id for e in ws.events() if e.id in held})
        facts.regrouped = [
            f"{Path(docs[d].path).name}: {before[d]}->{after.get(d)}"
            for d in before
            if d != moved and after.get(d) != before[d]
        ]
    return facts


def move_checks(probe: Scenarios) -> list[tuple[str, Callable[[Path], str]]]:
    def facts() -> MoveFacts:
        return probe.scenario("move", _move_scenario)

    def stays(_: Path) -> str:
        f = facts()
        expect(
            f.moved_event == f.target, f"moved document is in event {f.moved_event}, not {f.target}"
        )
        return f"rangers.ar.txt still in event {f.target}"

    def alignment(_: Path) -> str:
        f = facts()
        expect(f.made is not None, "the re-align made no alignment of the moved document")
        expect(f.made_after == f.made, f"alignment {f.made} is now {f.made_after}")
        return f"alignment {f.made} kept"

    def link_ids(_: Path) -> str:
        f = facts()
        expect(f.links_before, "the re-aligned pair has no links")
        expect(f.links_after == f.links_before, f"links {f.links_before} -> {f.links_after}")
        return f"{len(f.links_before)} links kept"

    def events(_: Path) -> str:
        f = facts()
        lost = f.vanished - f.emptied
        expect(not lost, f"event ids gone although their documents remain: {sorted(lost)}")
        return f"vanished: {sorted(f.vanished) or 'none'}"

    def others(_: Path) -> str:
        f = facts()
        expect(not f.regrouped, f"existing documents changed event: {f.regrouped}")
        return "every other document kept its event"

    def report(_: Path) -> str:
        f = facts()
        said = re.match(r"(\d+) threads, (\d+) events", f.events_line)
        expect(said, f"events line: {f.events_line!r}")
        seen = (int(said[1]), int(said[2])) if said else (0, 0)
        expect(
            seen == (f.held_threads, f.held_events),
            f"report says {seen}, workspace holds {(f.held_threads, f.held_events)}",
        )
        return short_case(f.events_line, 100)

    return [
        ("moved document stays after new documents and a run", stays),
        ("its re-aligned pair keeps its alignment id", alignment),
        ("that alignment keeps its link ids", link_ids),
        ("no event id vanishes except emptied ones", events),
        ("documents not moved keep their events", others),
        ("run report counts the events held", report),
    ]


@dataclass
class EditFacts:
    """Link statuses after user edits, a run with new documents, a re-align and an export."""

    expected: dict[int, tuple[str, tuple, tuple]] = field(default_factory=dict)
    after_run: dict[int, tuple[str, tuple, tuple] | None] = field(default_factory=dict)
    after_realign: dict[int, tuple[str, tuple, tuple] | None] = field(default_factory=dict)
    exported: list[dict] = field(default_factory=list)
    export_code: int = 0
    realign: str = ""


def _edit_scenario(prepared: Prepared, folder: Path) -> EditFacts:
    """In rangers fa-en: confirm a link, reject one, say a sentence has no partner, merge
    two; then add documents and run, re-align the event, and export at confidence 1."""
    facts = EditFacts()
    ws_path = copy_workspace(prepared.workspace, folder / "ws")
    with Workspace(ws_path) as ws:
        names = _by_name(ws)
        alignment = _pair(ws, names["rangers.fa.txt"], names["rangers.en.txt"])
        expect(alignment is not None, "no rangers fa-en alignment in the prepared workspace")
        event = next(r.event_id for r in ws.alignment_rows() if r.id == alignment)
        first = sorted(ws.alignment_links(alignment or -1), key=lambda k: k.src_ids)
        set_status(ws, first[0].id, "confirmed", actor="probe")
        set_status(ws, first[1].id, "rejected", actor="probe")
        alone = mark_no_partner(ws, alignment or -1, "src", first[2].src_ids[0], actor="probe")
        merged = merge(ws, first[3].id, first[4].id, actor="probe")

        def state() -> dict[int, tuple[str, tuple, tuple] | None]:
            rows = {
                k.id: (k.status, k.src_ids, k.tgt_ids) for k in ws.alignment_links(alignment or -1)
            }
            return {key: rows.get(key) for key in (first[0].id, first[1].id, alone, merged)}

        facts.expected = {k: v for k, v in state().items() if v is not None}
        run(ws, [independent(folder)])
        facts.after_run = state()
        facts.realign = realign_event(ws, event or -1)
        facts.after_realign = state()
    ran = cli("export", "--format", "json", "--min-confidence", "1", "-w", ws_path, cwd=folder)
    facts.export_code = ran.code
    with contextlib.suppress(json.JSONDecodeError):
        facts.exported = json.loads(ran.out or "{}").get("links", [])
    return facts


def edit_checks(probe: Scenarios) -> list[tuple[str, Callable[[Path], str]]]:
    def facts() -> EditFacts:
        return probe.scenario("edits", _edit_scenario)

    def kept(index: int, stage: str, _: Path) -> str:
        f = facts()
        link = list(f.expected)[index]
        want = f.expected[link]
        got = (f.after_run if stage == "run" else f.after_realign).get(link)
        expect(got == want, f"link {link} was {want}, now {got}")
        return f"link {link}: {want[0]} {list(want[1])}-{list(want[2])}"

    def exported(_: Path) -> str:
        f = facts()
        expect(f.export_code == 0, f"export exit {f.export_code}")
        statuses = Counter(row.get("status") for row in f.exported)
        expect(statuses["confirmed"] >= 1 and statuses["edited"] >= 1, f"exported {dict(statuses)}")
        return f"exported at confidence 1: {dict(statuses)}"

    cases = [
        (f"{what} link kept by a run with new documents", partial(kept, n, "run"))
        for n, what in enumerate(("confirmed", "rejected", "no-partner", "merged (edited)"))
    ]
    return [
        *cases,
        ("all four kept by a re-align of their event", _all_kept(facts)),
        ("confirmed and edited links exported at --min-confidence 1", exported),
    ]


def _all_kept(facts: Callable[[], EditFacts]) -> Callable[[Path], str]:
    def check(_: Path) -> str:
        f = facts()
        changed = {
            k: f.after_realign.get(k) for k, v in f.expected.items() if f.after_realign.get(k) != v
        }
        expect(not changed, f"changed by the re-align: {changed}")
        return short_case(f.realign, 100)

    return check


def _gone(prepared: Prepared, folder: Path) -> tuple[Workspace, int, list[int]]:
    """A workspace copy where one alignment was removed as a regrouping removes it."""
    ws = Workspace(copy_workspace(prepared.workspace, folder / "ws"))
    row = next(r for r in ws.alignment_rows() if r.mode == "parallel")
    links = sorted(k.id for k in ws.alignment_links(row.id))
    with ws.transaction() as conn:
        conn.execute("DELETE FROM alignments WHERE id = ?", (row.id,))
    return ws, row.id, links


def edit_on_gone(edit: str, prepared: Prepared, folder: Path) -> str:
    """An edit on a pair a run removed: a clear EditError, never an SQLite error, and
    nothing changed."""
    ws, gone, links = _gone(prepared, folder)
    with ws:
        before = ws.counts()["links"]
        calls: dict[str, Callable[[], object]] = {
            "relink": lambda: relink(ws, gone, [0], [0]),
            "mark_no_partner": lambda: mark_no_partner(ws, gone, "src", 0),
            "set_status": lambda: set_status(ws, links[0], "confirmed"),
            "merge": lambda: merge(ws, links[0], links[1]),
            "split": lambda: split(ws, links[0], [(0, 0)]),
        }
        try:
            calls[edit]()
        except EditError as error:
            message = str(error)
        else:
            raise Broken("no error: the edit was applied to a pair that is gone")
        expect("\n" not in message, "a message of several lines")
        expect(ws.counts()["links"] == before, "links changed")
    return short_case(message, 110)


def undo_on_gone(prepared: Prepared, folder: Path) -> str:
    """Undo in a pair whose alignment went after the edit: EditError or nothing to undo."""
    with Workspace(copy_workspace(prepared.workspace, folder / "ws")) as ws:
        row = next(r for r in ws.alignment_rows() if r.mode == "parallel")
        link = sorted(k.id for k in ws.alignment_links(row.id))[0]
        set_status(ws, link, "rejected", actor="probe")
        with ws.transaction() as conn:
            conn.execute("DELETE FROM alignments WHERE id = ?", (row.id,))
        try:
            result = undo(ws, row.id)
        except EditError as error:
            return f"EditError: {short_case(str(error), 100)}"
        expect(ws.link(link) is None, f"undo brought link {link} back without its alignment")
        return f"undo returned {result!r}, nothing restored"


def ids_never_reused(table: str, old_workspace: bool, prepared: Prepared, folder: Path) -> str:
    """Remove the newest row of ``table`` (as a regrouping does), then make a new one:
    its id is new. ``old_workspace``: made before the id counters (none in settings, one
    schema version back), then opened by this version."""
    path = copy_workspace(prepared.workspace, folder / "ws")
    if old_workspace:
        with Workspace(path) as ws:
            with ws.transaction() as conn:
                conn.execute("DELETE FROM settings WHERE key LIKE 'last_id.%'")
            ws.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
    with Workspace(path) as ws:
        if table == "alignments":
            gone, new = realign_after_removing_the_newest(ws)
        elif table == "events":
            gone = max(e.id for e in ws.events())
            document = next(d for d in ws.documents() if d.event_id == gone)
            with ws.transaction() as conn:
                conn.execute("UPDATE documents SET event_id = NULL WHERE event_id = ?", (gone,))
                conn.execute("DELETE FROM events WHERE id = ?", (gone,))
            new = move_document(ws, document.id, None)
        else:
            alignment = next(r for r in ws.alignment_rows() if r.mode == "parallel")
            links = sorted(ws.alignment_links(alignment.id), key=lambda k: k.id)
            gone = max(k.id for k in ws.alignment_links(alignment.id))
            with ws.transaction() as conn:
                conn.execute("DELETE FROM links WHERE id = ?", (gone,))
            new = relink(ws, alignment.id, list(links[-1].src_ids), list(links[-1].tgt_ids))
    expect(new is not None and new > gone, f"removed id {gone}, new one got id {new}")
    return f"removed {gone}, new {new}"


def stale_address(prepared: Prepared, folder: Path) -> str:
    """An address to a pair a run removed: the Parallel view says so (AppTest)."""
    from streamlit.testing.v1 import AppTest

    quiet_streamlit()

    ws, gone, _ = _gone(prepared, folder)
    ws.close()
    with environment(WORKBENCH_WORKSPACE=str(folder / "ws")):
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        app.query_params["page"] = "Parallel view"
        app.query_params["alignment"] = str(gone)
        app.run()
    expect(not app.exception, f"the app raised: {app.exception}")
    notice = [w.value for w in app.warning if "no longer exists" in w.value]
    expect(notice and f"pair {gone}" in notice[0], f"warnings: {[w.value for w in app.warning]}")
    return short_case(notice[0], 110)


def quiet_streamlit() -> None:
    """Streamlit logs a warning per bare-mode call; the probe's output is its table."""
    import logging

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
