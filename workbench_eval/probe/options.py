"""Command-line options, read-only copies, full disks."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from workbench import Workspace
from workbench.ingester import Ingester

from .base import ROOT, cli, expect, one_line_error, short_case
from .decisions import Prepared, copy_workspace, environment, quiet_streamlit
from .files import GOOD_EN

HOSTILE = (
    "[click](https://evil.example/x)",
    "![p](https://127.0.0.1:8999/leak.png)",
    "<img src=x onerror=alert(1)>",
    "www.example.org",
    "see http://evil.example/x now",
    "write to spy@example.org",
    "# heading\n\n* item",
)


def safe_text(payload: str, _: Path) -> str:
    """What the app shows of a name or a title: no link, image, heading or tag in
    CommonMark, no autolink shape left, and the same text once decoded."""
    from markdown_it import MarkdownIt

    from workbench.app.safe import WORD_JOINER, safe

    shown = safe(payload)
    rendered = MarkdownIt("commonmark").render(f"**skipped** {shown}: reason")
    for tag in ("<a ", "<img", "<h1", "<li"):
        expect(tag not in rendered, f"{tag!r} in {short_case(rendered)}")
    decoded = html.unescape(shown)
    expect(not re.search(r"(?i)www\.|://|[\w.+-]@", decoded), f"autolink shape in {decoded!r}")
    expect(decoded.replace(WORD_JOINER, "") == payload, "the text changed")
    return f"inert: {short_case(shown, 90)}"


def corpus_page(folder: Path) -> str:
    """Skipped files with hostile names on the Corpus page: warnings hold no live markup."""
    from streamlit.testing.v1 import AppTest

    quiet_streamlit()

    inbox = folder / "in"
    inbox.mkdir()
    (inbox / "good.txt").write_text(GOOD_EN, "utf-8")
    for n, name in enumerate(("[click](https:__evil.example).pdf", "www.example.org.pdf")):
        (inbox / name).write_bytes(b"not a pdf %d" % n)
    with Workspace(folder / "ws") as ws:
        Ingester(ws).ingest([inbox])
    with environment(WORKBENCH_WORKSPACE=str(folder / "ws")):
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        app.run()
    expect(not app.exception, f"the app raised: {app.exception}")
    warnings = [w.value for w in app.warning if w.value.startswith("skipped")]
    expect(len(warnings) == 2, f"{len(warnings)} skip warnings")
    for value in warnings:
        expect("](" not in value and "www." not in value, f"live markup: {short_case(value)}")
    return "2 warnings, no live markup"


def export_option(
    args: list[str], code: int, words: list[str], prepared: Prepared, folder: Path
) -> str:
    ws = copy_workspace(prepared.workspace, folder / "ws")
    ran = cli("export", *args, "-w", ws, cwd=folder)
    if code == 0:
        ran.clean()
        expect(ran.code == 0, f"exit {ran.code}: {short_case(ran.err)}")
        text = " ".join(ran.lines)
        for word in words:
            expect(word in text, f"{word!r} not in: {short_case(text)}")
        expect("workbench run DIR` first" not in text, f"wrong advice: {short_case(text)}")
        return f"exit 0: {short_case(text, 110)}"
    return one_line_error(ran, code, *words)


def workspace_is_file(folder: Path) -> str:
    (folder / "ws").write_text("not a folder", "utf-8")
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    return one_line_error(cli("ingest", "good.txt", "-w", "ws", cwd=folder), 3, "is a file")


def missing_folder(folder: Path) -> str:
    ran = cli("run", "no-such-folder", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 1, f"exit {ran.code}: {short_case(ran.err)}")
    expect(
        len(ran.lines) == 2 and "no such file or folder" in ran.lines[0],
        f"stderr: {short_case(ran.err)}",
    )
    return f"exit 1: {short_case(' / '.join(ran.lines), 110)}"


def garbage_db(foreign: bool, folder: Path) -> str:
    (folder / "ws").mkdir()
    db = folder / "ws" / "workbench.db"
    if foreign:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
            conn.execute("INSERT INTO notes VALUES ('mine')")
            conn.commit()
    else:
        db.write_bytes(b"this is not a database" * 100)
    before = db.read_bytes()
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    said = one_line_error(cli("ingest", "good.txt", "-w", "ws", cwd=folder), 3)
    expect(db.read_bytes() == before, "the file was changed")
    return said


class NotRun(Exception):
    """A case this machine cannot set up; reported as held, its detail says "not run"."""


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[str]:
    """Make ``paths`` unwritable for the commands run inside, and writable again after.
    Root writes through permission bits, so for root the files are made immutable
    (``chattr +i``, which binds root too); anyone else gets ``chmod a-w``. Yields how."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode & 0o777 for path in paths}
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield "chmod a-w"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        raise NotRun("running as root and chattr is missing: permissions would not bite")
    made = subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True, text=True)
    if made.returncode != 0:
        subprocess.run([chattr, "-i", *map(str, paths)], capture_output=True)
        raise NotRun(f"running as root and chattr +i failed: {short_case(made.stderr, 80)}")
    try:
        yield "chattr +i (the probe runs as root)"
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def read_only_case(command: str, prepared: Prepared, folder: Path) -> str:
    """A workspace that cannot be written: ingest is one line and exit 3 with nothing
    changed; export and status read it as it is."""
    ws = copy_workspace(prepared.workspace, folder / "ws")
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    before = (ws / "workbench.db").read_bytes()
    with read_only(ws / "workbench.db", ws) as how:
        if command == "ingest":
            said = one_line_error(cli("ingest", "good.txt", "-w", ws, cwd=folder), 3, "read-only")
        elif command == "export":
            ran = cli("export", "--min-confidence", "0", "-w", ws, cwd=folder)
            ran.clean()
            expect(ran.code == 0, f"exit {ran.code}: {short_case(ran.err)}")
            rows = len(ran.out.splitlines()) - 1
            expect(rows == prepared.counts["links"], f"{rows} rows, not {prepared.counts['links']}")
            said = f"exit 0, {rows} rows"
        else:
            ran = cli("status", "--json", "-w", ws, cwd=folder)
            ran.clean()
            expect(ran.code == 0, f"exit {ran.code}: {short_case(ran.err)}")
            counts = json.loads(ran.out)["counts"]
            expect(counts == prepared.counts, f"counts {counts}")
            said = f"exit 0, {counts['documents']} documents"
    expect((ws / "workbench.db").read_bytes() == before, "the database changed")
    return f"{how}: {said}"


def read_only_folder(folder: Path) -> str:
    """``run`` into a read-only folder with no workspace yet."""
    (folder / "ws").mkdir()
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    with read_only(folder / "ws") as how:
        ran = cli("run", "good.txt", "-w", "ws", cwd=folder)
    return f"{how}: {one_line_error(ran, 3, 'read-only')}"


def emptied_by_confidence(prepared: Prepared, folder: Path) -> str:
    """An export the confidence filter empties says so (not "run `workbench run` first")."""
    ws = copy_workspace(prepared.workspace, folder / "ws")
    with contextlib.closing(sqlite3.connect(ws / "workbench.db")) as conn:
        events = conn.execute(
            "SELECT a.event_id FROM links l JOIN alignments a ON a.id = l.alignment_id"
            " WHERE a.event_id IS NOT NULL GROUP BY a.event_id HAVING max(l.confidence) < 1"
        ).fetchall()
    expect(events, "probe: every event has a link of confidence 1")
    args = ["--event", str(events[0][0]), "--min-confidence", "1"]
    return export_option(args, 0, ["confidence 1", "hidden"], prepared, folder / "export")


def out_option(where: str, prepared: Prepared, folder: Path) -> str:
    ws = copy_workspace(prepared.workspace, folder / "ws")
    target = folder / "exports" if where == "folder" else folder / "missing" / "links.tsv"
    if where == "folder":
        target.mkdir()
    said = one_line_error(cli("export", "--out", target, "-w", ws, cwd=folder), 1, "--out")
    expect(not (folder / "missing").exists(), "the missing folder was made")
    if where == "folder":
        expect(list(target.iterdir()) == [], "something was written into the folder")
    return said


def full_disk(grown: Path, folder: Path) -> str:
    """``export --out`` over last week's file when the kernel's file-size limit stops the
    write: one line, exit 1, the old file whole, no temporary file left."""
    ws = copy_workspace(grown, folder / "ws")
    scratch = folder / "size.json"
    first = cli(
        "export",
        "--min-confidence",
        "0",
        "--format",
        "json",
        "--out",
        scratch,
        "-w",
        ws,
        cwd=folder,
    )
    expect(first.code == 0, f"the plain export failed: {short_case(first.err)}")
    size = scratch.stat().st_size
    scratch.unlink()
    floor = 33 << 10  # over the 32 KiB -shm file SQLite writes on opening the workspace
    expect(size > floor + 2048, f"probe: the export ({size} bytes) is too small to cut")
    limit = (floor + size) // 2
    old = folder / "links.json"
    old.write_text('["the export of last week"]\n', "utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    ran = cli(
        *("export", "--min-confidence", "0", "--format", "json", "--out", old, "-w", ws),
        cwd=folder,
        preexec_fn=limited,
    )
    said = one_line_error(ran, 1, "cannot write")
    expect(old.read_text("utf-8") == '["the export of last week"]\n', "the old file changed")
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith(".links"))
    expect(not left, f"left behind: {left}")
    return f"limit {limit} B < export {size} B; {said}"


def dev_full(prepared: Prepared, folder: Path) -> str:
    ws = copy_workspace(prepared.workspace, folder / "ws")
    with open("/dev/full", "wb") as full:
        ran = cli("export", "--min-confidence", "0", "-w", ws, cwd=folder, stdout=full.fileno())
    return one_line_error(ran, 1, "standard output")


def options(args: list[str], code: int, words: list[str], folder: Path) -> str:
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    ran = cli(*args, cwd=folder)
    ran.clean()
    expect(ran.code == code, f"exit {ran.code}, not {code}: {short_case(ran.err)}")
    text = " ".join(ran.lines)
    for word in words:
        expect(word in text, f"{word!r} not in: {short_case(text)}")
    return f"exit {ran.code}: {short_case(ran.lines[-1] if ran.lines else '', 110)}"
