"""The probe: every case in its group, run and reported."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from workbench import Workspace, run

from .base import DATA, SEEDS, Broken, ProbeCase, short_case
from .concurrency import KILL_POINTS, killed, two_processes, two_threads
from .decisions import (
    Prepared,
    copy_workspace,
    edit_checks,
    edit_on_gone,
    ids_never_reused,
    independent,
    move_checks,
    stale_address,
    undo_on_gone,
)
from .files import all_bad, bad_argument, bad_file, bad_files
from .languages import KEPT, LANGUAGES, LINK_CASES, language, language_line, links
from .options import (
    HOSTILE,
    NotRun,
    corpus_page,
    dev_full,
    emptied_by_confidence,
    export_option,
    full_disk,
    garbage_db,
    missing_folder,
    options,
    out_option,
    read_only_case,
    read_only_folder,
    safe_text,
    workspace_is_file,
)


class Probe:
    """The cases, the folders they build in, and what several of them share."""

    def __init__(self, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="probe-", dir=workdir))
        self.root.chmod(0o755)  # nobody (read-only cases) must reach its folders
        self._count = 0
        self._prepared: Prepared | None = None
        self._scenarios: dict[str, object] = {}

    def folder(self, name: str) -> Path:
        """A fresh folder for one case, named after it."""
        self._count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        path = self.root / f"{self._count:03d}-{slug}"
        path.mkdir(mode=0o755)
        return path

    @property
    def prepared(self) -> Prepared:
        """The seeds and stories, run once (the workspace that cases copy)."""
        if self._prepared is None:
            corpus = self.root / "corpus"
            shutil.copytree(SEEDS, corpus / "seeds")
            shutil.copytree(DATA / "stories", corpus / "stories")
            start = time.monotonic()
            with Workspace(self.root / "prepared") as ws:
                run(ws, [corpus])
                counts = ws.counts()
            self._prepared = Prepared(
                corpus, self.root / "prepared", counts, time.monotonic() - start
            )
        return self._prepared

    def scenario(self, name: str, build: Callable[[Prepared, Path], object]):
        """Run a scenario once; the cases that check its facts share what it returns."""
        if name not in self._scenarios:
            try:
                self._scenarios[name] = build(self.prepared, self.folder(f"scenario {name}"))
            except Exception as error:  # every case of the scenario reports it, once built
                self._scenarios[name] = error
        found = self._scenarios[name]
        if isinstance(found, Exception):
            raise found
        return found

    def grown(self) -> Path:
        """The prepared workspace plus tests/data/independent (more links to export)."""

        def build(prepared: Prepared, folder: Path) -> Path:
            with Workspace(copy_workspace(prepared.workspace, folder / "ws")) as ws:
                run(ws, [independent(folder)])
            return folder / "ws"

        return self.scenario("grown", build)

    def cases(self) -> list[tuple[str, str, Callable[[Path], str]]]:
        """Every case as ``(group, name, check)``; ``check(folder)`` returns the detail of
        a case that held and raises :class:`Broken` otherwise."""
        p = self.prepared_lazy
        listed: list[tuple[str, str, Callable[[Path], str]]] = []
        for bad in bad_files():
            listed.append(("bad files", bad.name, partial(bad_file, bad)))
        listed += [
            ("bad files", "bad file named on the command line", bad_argument),
            ("bad files", "a folder of nothing readable", all_bad),
        ]
        for name, code, text in LANGUAGES:
            listed.append(
                ("languages", f"{name} skipped as {code}", partial(language, text, code, False))
            )
        for name, code, text in KEPT:
            listed.append(
                ("languages", f"{name} kept as {code}", partial(language, text, code, True))
            )
        listed.append(("languages", "the skip line names the language", language_line))
        for name, make, lines, stored in LINK_CASES:
            listed.append(("symlinks", name, partial(links, make, lines, stored)))
        listed += [
            ("app", f"safe(): {short_case(text, 40)}", partial(safe_text, text)) for text in HOSTILE
        ]
        listed += [
            ("app", "Corpus page: hostile names stay text", corpus_page),
            ("app", "stale address says the pair is gone", p(stale_address)),
        ]
        listed += [
            (
                "options",
                "export --min-confidence 2",
                p(partial(export_option, ["--min-confidence", "2"], 2, ["--min-confidence"])),
            ),
            (
                "options",
                "export --min-confidence nan",
                p(partial(export_option, ["--min-confidence", "nan"], 2, ["--min-confidence"])),
            ),
            (
                "options",
                "export --min-confidence -1",
                p(partial(export_option, ["--min-confidence", "-1"], 2, ["--min-confidence"])),
            ),
            (
                "options",
                "export --min-confidence 1 (hides most)",
                p(
                    partial(
                        export_option,
                        ["--min-confidence", "1", "--format", "json"],
                        0,
                        ["hidden"],
                    )
                ),
            ),
            (
                "options",
                "export emptied by --min-confidence says so",
                p(emptied_by_confidence),
            ),
            (
                "options",
                "export --event of one document",
                p(partial(export_option, ["--event", "1"], 0, ["event 1"])),
            ),
            (
                "options",
                "export --event that does not exist",
                p(partial(export_option, ["--event", "9999"], 0, ["event 9999"])),
            ),
            ("options", "workspace path that is a file", workspace_is_file),
            ("options", "run on a missing folder", missing_folder),
            ("options", "workspace file that is not a database", partial(garbage_db, False)),
            ("options", "workspace database of another program", partial(garbage_db, True)),
            ("options", "ingest into a read-only workspace", p(partial(read_only_case, "ingest"))),
            ("options", "export from a read-only workspace", p(partial(read_only_case, "export"))),
            ("options", "status of a read-only workspace", p(partial(read_only_case, "status"))),
            ("options", "run into a read-only empty folder", read_only_folder),
            ("options", "export --out to a folder", p(partial(out_option, "folder"))),
            ("options", "export --out into a missing folder", p(partial(out_option, "missing"))),
            (
                "options",
                "export --out over a file, file-size limit hit",
                lambda folder: full_disk(self.grown(), folder),
            ),
            ("options", "export to a full stdout (/dev/full)", p(dev_full)),
            (
                "options",
                "--languages xx",
                partial(
                    options, ["ingest", "good.txt", "-w", "ws", "--languages", "xx"], 1, ["xx"]
                ),
            ),
            (
                "options",
                "--languages ','",
                partial(
                    options,
                    ["ingest", "good.txt", "-w", "ws", "--languages", ","],
                    2,
                    ["--languages"],
                ),
            ),
            (
                "options",
                "status of a missing workspace",
                partial(options, ["status", "-w", "nothing-here"], 3, ["no workspace"]),
            ),
            (
                "options",
                "export --format xml",
                partial(options, ["export", "--format", "xml", "-w", "ws"], 2, ["xml"]),
            ),
        ]
        listed += [("user decisions", name, check) for name, check in move_checks(self)]
        listed += [("user decisions", name, check) for name, check in edit_checks(self)]
        for edit in ("relink", "mark_no_partner", "set_status", "merge", "split"):
            listed.append(
                (
                    "user decisions",
                    f"{edit} on a removed pair: EditError",
                    p(partial(edit_on_gone, edit)),
                )
            )
        listed.append(("user decisions", "undo on a removed pair", p(undo_on_gone)))
        for table in ("alignments", "events", "links"):
            listed.append(
                (
                    "user decisions",
                    f"{table} ids never reused",
                    p(partial(ids_never_reused, table, False)),
                )
            )
        listed.append(
            (
                "user decisions",
                "alignment ids never reused (workspace made before the id counters)",
                p(partial(ids_never_reused, "alignments", True)),
            )
        )
        for precreate in (True, False):
            for attempt in (1, 2):
                made = "existing" if precreate else "new"
                listed.append(
                    (
                        "concurrency",
                        f"two threads ingest, {made} workspace, try {attempt}",
                        partial(two_threads, precreate),
                    )
                )
        for attempt in (1, 2, 3, 4):
            listed.append(
                (
                    "concurrency",
                    f"two ingest processes, new workspace, try {attempt}",
                    partial(two_processes, "ingest"),
                )
            )
        listed.append(
            ("concurrency", "two run processes, new workspace", partial(two_processes, "run"))
        )

        for point in KILL_POINTS:
            listed.append(
                ("kill -9", f"run killed {point}, then re-run", p(partial(killed, point)))
            )
        return listed

    def prepared_lazy(self, check: Callable[[Prepared, Path], str]) -> Callable[[Path], str]:
        """``check(prepared, folder)`` as a case that prepares the workspace when it runs."""
        return lambda folder: check(self.prepared, folder)


def run_probe(
    workdir: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[ProbeCase]:
    """Run every case (each in its own folder under ``workdir``) and say what held."""
    probe = Probe(workdir)
    listed = probe.cases()
    results = []
    for done, (group, name, check) in enumerate(listed):
        if progress:
            progress(done, len(listed), name)
        folder = probe.folder(name)
        try:
            held, detail = True, check(folder)
        except Broken as problem:
            held, detail = False, str(problem)
        except NotRun as reason:
            held, detail = True, f"not run: {reason}"
        except Exception as error:  # the workbench (or the probe) failed: say which
            held, detail = False, f"raised {type(error).__name__}: {short_case(str(error), 140)}"
        results.append(ProbeCase(name, group, held, short_case(detail, 200)))
    if progress:
        progress(len(listed), len(listed), "done")
    return results
