"""Two runs at once, and runs killed at every point."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench import Workspace
from workbench.ingester import Ingester

from ..files import pdf_bytes, text_stream
from .base import DATA, cli, expect, short_case, spawn
from .decisions import Prepared
from .files import GOOD_EN, GOOD_FA, stored_paths


def _concurrent_folder(folder: Path) -> Path:
    inbox = folder / "in"
    inbox.mkdir()
    for n in range(4):
        (inbox / f"{n}.txt").write_text(f"Report {n}: {GOOD_EN}", "utf-8")
    for n in range(2):
        lines = [f"Report {n} on the rally in Paris on Saturday."] * 3
        (inbox / f"{n}.pdf").write_bytes(pdf_bytes(text_stream(lines)))
    (inbox / "fa.txt").write_text(GOOD_FA, "utf-8")
    return inbox


def _each_once(ws_path: Path, inbox: Path) -> str:
    """Every file of ``inbox`` stored exactly once."""
    paths = stored_paths(ws_path)
    counted = Counter(Path(p).name for p in paths)
    files = sorted(p.name for p in inbox.iterdir())
    expect(sorted(counted) == files, f"stored {sorted(counted)}, not {files}")
    expect(
        set(counted.values()) == {1}, f"stored twice: {[n for n, c in counted.items() if c > 1]}"
    )
    return f"{len(files)} files, each stored once"


def two_threads(precreate: bool, folder: Path) -> str:
    """Two Ingesters (threads, a connection each) on one folder at once."""
    inbox = _concurrent_folder(folder)
    if precreate:
        Workspace(folder / "ws").close()
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def ingest() -> None:
        try:
            barrier.wait(30)
            with Workspace(folder / "ws") as ws:
                Ingester(ws).ingest([inbox])
        except Exception as error:  # what the case looks for
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    expect(not errors, f"raised: {short_case('; '.join(errors))}{_afterwards(folder)}")
    return _each_once(folder / "ws", inbox)


def _afterwards(folder: Path) -> str:
    """Whether the workspace a failed concurrent start left still opens (``status``)."""
    status = cli("status", "-w", "ws", cwd=folder)
    if status.code == 0:
        return "; the workspace opens afterwards"
    return f"; afterwards `status` exits {status.code}: {short_case(status.err, 90)}"


def two_processes(command: str, folder: Path) -> str:
    """Two ``workbench ingest`` (or run) processes on one folder and a fresh workspace."""
    if command == "run":
        inbox = folder / "in"
        shutil.copytree(DATA / "stories", inbox)
    else:
        inbox = _concurrent_folder(folder)
    procs = [spawn(command, "in", "-w", "ws", cwd=folder) for _ in range(2)]
    results = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        results.append((proc.returncode, err.decode("utf-8", "replace")))
    for code, err in results:
        expect("Traceback" not in err and "internal error" not in err, f"stderr: {short_case(err)}")
        expect(code == 0, f"exit {code}: {short_case(err, 100)}{_afterwards(folder)}")
    said = _each_once(folder / "ws", inbox)
    if command == "run":
        with Workspace(folder / "ws", create=False) as ws:
            pairs = Counter((r.src_doc, r.tgt_doc) for r in ws.alignment_rows())
            running = ws.conn.execute(
                "SELECT COUNT(*) FROM jobs WHERE state = 'running'"
            ).fetchone()[0]
        expect(set(pairs.values()) <= {1}, "a pair aligned twice")
        expect(running == 0, f"{running} jobs left running")
        said += f", {len(pairs)} alignments"
    return said


@dataclass(frozen=True)
class Stored:
    """What a workspace held at one moment (all zero before it exists)."""

    sources: int = 0
    embeddings: int = 0
    events: int = 0
    links: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sources} files, {self.embeddings} vectors, {self.events} events,"
            f" {self.links} links"
        )


def _stored(ws_path: Path) -> Stored | None:
    """What the workspace holds now, read while another process writes it; None when it
    cannot be read yet (being created)."""
    db = ws_path / "workbench.db"
    if not db.exists():
        return Stored()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            counts = [
                conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("sources", "embeddings", "events", "links")
            ]
    except sqlite3.Error:
        return None
    return Stored(*counts)


KILL_POINTS: dict[str, Callable[[Stored, Stored], bool]] = {
    "while Python starts": lambda now, full: True,
    "while files are read": lambda now, full: 0 < now.sources < full.sources,
    "after reading, before vectors": lambda now, full: (
        now.sources == full.sources and now.embeddings == 0
    ),
    "while grouping events": lambda now, full: now.embeddings > 0 and now.events == 0,
    "after grouping, before links": lambda now, full: now.events > 0 and now.links == 0,
    "while aligning": lambda now, full: 0 < now.links < full.links,
    "after the last link": lambda now, full: now.links == full.links,
}


"""Where ``workbench run`` is killed: the first moment (polled every 10 ms) the workspace
shows this, compared with what an uninterrupted run stores."""


def killed(point: str, prepared: Prepared, folder: Path) -> str:
    """``workbench run`` killed with SIGKILL at ``point``, then run again: the re-run
    succeeds and the workspace holds each file once, as an uninterrupted run."""
    full = Stored(
        prepared.counts["sources"], prepared.counts["cached vectors"], 1, prepared.counts["links"]
    )
    reached = KILL_POINTS[point]
    start = time.monotonic()
    proc = spawn("run", prepared.corpus, "-w", "ws", cwd=folder)
    now: Stored | None = None
    killed_at = None
    while proc.poll() is None and time.monotonic() - start < 300:
        if point == "while Python starts":
            time.sleep(0.3)
        now = _stored(folder / "ws")
        if now is not None and reached(now, full) and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at = time.monotonic() - start
            break
        time.sleep(0.01)
    proc.communicate(timeout=60)
    again = cli("run", prepared.corpus, "-w", "ws", cwd=folder, timeout=300)
    again.clean()
    expect(again.code == 0, f"re-run exit {again.code}: {short_case(again.err)}")
    status = cli("status", "--json", "-w", "ws", cwd=folder)
    expect(status.code == 0, f"status exit {status.code}: {short_case(status.err)}")
    shown = json.loads(status.out)
    places = Counter((d["path"], d["part"]) for d in shown["documents"])
    expect(set(places.values()) == {1}, f"a document twice: {places.most_common(2)}")
    counts = shown["counts"]
    want = {k: prepared.counts[k] for k in ("sources", "documents", "sentences", "links")}
    got = {k: counts[k] for k in want}
    expect(got == want, f"holds {got}, an uninterrupted run {want}")
    with contextlib.closing(sqlite3.connect(folder / "ws" / "workbench.db")) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    expect(check == "ok", f"integrity_check: {check}")
    if killed_at is None:
        when = "the run finished before this point was seen (not killed)"
    else:
        when = f"killed at {killed_at:.1f} s holding {now}"
    return (
        f"{when}; re-run {again.seconds:.0f} s: {got['sources']} files once, {got['links']} links"
    )
