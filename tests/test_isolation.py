"""Issue 23: one bad file never stops a run, and what a library says about it is kept
for that file's line."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from workbench import Workspace
from workbench.document import Skipped
from workbench.ingester import Ingester
from workbench.store import MIGRATIONS
from workbench.text.ingest import IngestError, iter_files, read_source

from .conftest import ROOT
from .files import (
    declare_size,
    realign_after_removing_the_newest,
    write_docx,
    write_pdf,
    write_pdf_content,
)

NESTED = "BT /F1 12 Tf 72 720 Td " + "[" * 100_000 + "(x)" + "]" * 100_000 + " TJ ET"


def test_a_pdf_that_breaks_the_reader_is_skipped_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf_content(folder / "a_nested.pdf", NESTED)  # pypdf recurses until it fails
    write_pdf(folder / "b_fine.pdf", ["The rally took place in Paris on Saturday."] * 3)
    ws = Workspace(tmp_path / "ws")
    outcomes = Ingester(ws).ingest([folder])
    assert [o.outcome for o in outcomes] == ["skipped", "added"]
    assert outcomes[0].detail.startswith("could not be read (RecursionError")
    assert "\n" not in outcomes[0].detail
    assert [d.path.endswith("b_fine.pdf") for d in ws.documents()] == [True]
    assert ws.counts()["sources"] == 1  # nothing of the broken file is stored


@pytest.mark.subprocess
def test_library_warnings_join_the_files_line_not_stderr(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    lines = "BT /F1 12 Tf 72 720 Td 14 TL " + "(The rally took place in Paris.) Tj T* " * 3 + "ET"
    write_pdf_content(folder / "shifted.pdf", lines, startxref_shift=7)
    run = subprocess.run(
        [sys.executable, "-m", "workbench", "run", str(folder), "-w", str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "startxref" not in run.stderr  # pypdf's own log line
    ws = Workspace(tmp_path / "ws")
    (document,) = ws.documents()
    assert "Paris" in ws.document_text(document.id)
    (logged,) = [line for line in ws.ingest_log() if line.path.endswith("shifted.pdf")]
    assert "the reader warned: incorrect startxref pointer" in logged.detail


def errors_together(copies: int, act) -> list[BaseException]:
    """Run ``act(start)`` in ``copies`` threads, each calling ``start()`` where all must go
    at once; what they raised (what these tests look for)."""
    barrier = threading.Barrier(copies)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            act(barrier.wait)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_two_runs_started_together_store_each_file_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        write_pdf(folder / f"{n}.pdf", [f"Report number {n} of the rally in Paris."] * 3)
    for trial in range(4):
        path = tmp_path / f"ws{trial}"
        Workspace(path).close()

        def ingest(start, path=path):
            with Workspace(path) as ws:
                start()
                Ingester(ws).ingest([folder])

        assert errors_together(2, ingest) == []
        ws = Workspace(path)
        assert ws.counts()["sources"] == 6
        ws.close()


def test_links_are_followed_only_inside_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("A private note about the rally in Paris.", "utf-8")
    folder = tmp_path / "in"
    (folder / "real").mkdir(parents=True)
    (folder / "real" / "a.txt").write_text("The rally took place in Paris.", "utf-8")
    (folder / "to_file.txt").symlink_to(outside / "secret.txt")
    (folder / "to_folder").symlink_to(outside)
    (folder / "inside.txt").symlink_to(folder / "real" / "a.txt")
    (folder / "again").symlink_to(folder / "real")  # a second way into one folder
    (folder / "loop").symlink_to(folder)
    (folder / "broken.txt").symlink_to(tmp_path / "missing.txt")
    found = list(iter_files([folder]))
    files = sorted(str(p.relative_to(folder)) for p in found if isinstance(p, Path))
    skipped = {Path(s.path).name: s.reason for s in found if isinstance(s, Skipped)}
    assert files == ["inside.txt", "real/a.txt"] or files == ["again/a.txt", "inside.txt"]
    assert set(skipped) == {"to_file.txt", "to_folder", "broken.txt"}
    assert "outside" in skipped["to_file.txt"] and "not followed" in skipped["to_folder"]


def _docx_with(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    return write_docx(tmp_path / name, ["A real paragraph about the rally in Paris."], members)


def test_a_member_that_holds_more_than_it_declares_is_refused_unread(tmp_path):
    doc = _docx_with(tmp_path, "lying.docx", {"word/media/big.bin": bytes(40 << 20)})
    declare_size(doc, "word/media/big.bin", 1700)  # says 1.7 KB, inflates to 40 MiB
    with pytest.raises(IngestError, match=r"'word/media/big\.bin' holds .* declares 1\.7 KiB"):
        read_source(doc)


def test_the_ratio_holds_for_small_members_too(tmp_path):
    members = {f"word/media/{n}.bin": bytes(512 << 10) for n in range(3)}  # under 1 MiB each
    with pytest.raises(IngestError, match=r"compressed \d+:1.*WORKBENCH_DOCX_MAX_RATIO"):
        read_source(_docx_with(tmp_path, "many.docx", members))


def test_an_archive_of_too_many_members_is_refused(tmp_path, monkeypatch):
    members = {f"word/media/{n}.txt": b"" for n in range(5_001)}
    with pytest.raises(IngestError, match=r"holds 5,0\d\d files.*WORKBENCH_DOCX_MAX_MEMBERS"):
        read_source(_docx_with(tmp_path, "crowd.docx", members))
    monkeypatch.setenv("WORKBENCH_DOCX_MAX_MEMBERS", "6000")
    assert "rally" in read_source(tmp_path / "crowd.docx").text


def test_an_export_that_cannot_finish_leaves_the_old_file_whole(tmp_path):
    """A full disk, here the kernel's file-size limit: the old export stays whole and
    nothing half-written is left beside it."""
    import resource

    from workbench.cli.console import write_file
    from workbench.errors import OutputError

    out = tmp_path / "links.tsv"
    out.write_text("the export of last week\n", "utf-8")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))  # Python ignores SIGXFSZ
    try:
        with pytest.raises(OutputError, match=r"cannot write .*links\.tsv"):
            write_file(out, lambda handle: handle.write(b"link\t" * 10_000))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert out.read_text("utf-8") == "the export of last week\n"
    assert [p.name for p in tmp_path.iterdir()] == ["links.tsv"]
    write_file(out, lambda handle: handle.write(b"new"))
    assert out.read_bytes() == b"new"


def test_an_edit_on_a_pair_that_is_gone_is_a_clear_error(seeded_with_stories, tmp_path):
    from workbench.edit import EditError, mark_no_partner, relink

    ws = Workspace(seeded_with_stories.copy_to(tmp_path / "ws"))
    gone = ws.alignment_rows()[0].id
    with ws.transaction() as conn:  # what a regrouping does to a pair that parts
        conn.execute("DELETE FROM alignments WHERE id = ?", (gone,))
    with pytest.raises(EditError, match=f"alignment {gone} no longer exists"):
        relink(ws, gone, [0], [0])
    with pytest.raises(EditError, match=f"alignment {gone} no longer exists"):
        mark_no_partner(ws, gone, "src", 0)


def test_two_openers_of_a_new_workspace_migrate_it_once(tmp_path):
    """All see schema 0; the later ones must not apply what the first just applied."""
    for trial in range(8):
        path = tmp_path / f"ws{trial}"

        def open_it(start, path=path):
            start()
            Workspace(path).close()

        assert errors_together(3, open_it) == []
        ws = Workspace(path)
        assert ws.schema_version == len(MIGRATIONS)
        ws.close()


def test_an_old_workspace_gets_id_counters_from_its_highest_ids(tmp_path, seeded_with_stories):
    ws = Workspace(seeded_with_stories.copy_to(tmp_path / "ws"))
    with ws.transaction() as conn:  # as a workspace made before the counters
        conn.execute("DELETE FROM settings WHERE key LIKE 'last_id.%'")
    ws.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
    ws.close()
    ws = Workspace(tmp_path / "ws")
    last, again = realign_after_removing_the_newest(ws)
    assert again > last


def test_a_page_of_script_only_has_no_text(tmp_path):
    page = tmp_path / "app.html"
    page.write_text("<html><head><style>p{}</style></head><script>var a = 1;</script></html>")
    with pytest.raises(IngestError, match="no text"):
        read_source(page)


@pytest.mark.subprocess
def test_file_names_with_control_characters_stay_one_inert_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "two\nlines.pdf").write_bytes(b"not a pdf")
    (folder / "red\x1b[31m.pdf").write_bytes(b"not a pdf")
    (folder / "ok.txt").write_text("The rally took place in Paris on Saturday.", "utf-8")
    command = [sys.executable, "-m", "workbench", "ingest", str(folder)]
    result = subprocess.run(
        [*command, "-w", str(tmp_path / "ws")], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 2 and "\x1b" not in result.stderr
    assert any("two\\nlines.pdf" in line for line in skipped)
