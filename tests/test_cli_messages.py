"""What the CLI prints: help text kept whole, settings checked before they are saved,
reports that say only what is true."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from workbench import Workspace

from .conftest import SEEDS
from .test_cli import EXE, assert_one_line_error, workbench

ENGLISH = next(SEEDS.glob("003_*"))
ARABIC = next(SEEDS.glob("002_*"))


def _help(*command: str) -> str:
    result = workbench(*command, "--help")
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())  # as read, whatever the line wrapping


@pytest.mark.subprocess
def test_help_keeps_square_brackets_and_shows_no_type_placeholders():
    align = _help("align")
    assert "[i, j]:[k]:score" in align
    assert "[default: ~/.local/share/workbench/default]" in align
    assert "<bool>" not in align and "--presplit / --no-presplit" in align
    run = _help("run")
    assert "'.[ray]'" in run and "[default: fa,ar,en]" in run


@pytest.mark.subprocess
def test_a_bad_language_code_is_refused_before_it_is_saved(tmp_path):
    ws = tmp_path / "ws"
    assert workbench("ingest", ENGLISH, "--languages", "en,fa", workspace=ws).returncode == 0
    bad = workbench("ingest", ARABIC, "--languages", "fa,xx", workspace=ws)
    assert_one_line_error(bad, 1, "unknown language code 'xx'")
    with Workspace(ws) as workspace:
        assert workspace.get_setting("languages") == "en,fa"
    later = workbench("ingest", ARABIC, "--languages", "ar,en,fa", workspace=ws)
    assert later.returncode == 0, later.stderr  # one bad code broke every later run
    fresh = workbench("run", SEEDS, "--languages", "zz", workspace=tmp_path / "new")
    assert_one_line_error(fresh, 1, "unknown language code 'zz'")
    assert not (tmp_path / "new").exists()  # nothing created for a refused command
    empty = workbench("ingest", ENGLISH, "--languages", " , ", workspace=ws)
    assert_one_line_error(empty, 2, "--languages needs at least one")


def _copy(seeded, tmp_path) -> Workspace:
    ws = Workspace(seeded.copy_to(tmp_path / "ws"))
    return ws


@pytest.mark.subprocess
def test_status_says_nothing_about_files_it_did_not_read(seeded, tmp_path):
    ws = _copy(seeded, tmp_path)
    result = workbench("status", workspace=ws.path)
    assert result.returncode == 0
    assert "files:" not in result.stdout and "warnings:" not in result.stdout
    assert "documents: 6 (ar, en, fa) | sentences:" in result.stdout
    assert "this run" not in result.stdout  # no column of what a run did


@pytest.mark.subprocess
def test_run_says_what_it_did_to_each_documents_file(seeded, tmp_path):
    ws = _copy(seeded, tmp_path)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("A short English note about a meeting in Paris.\n")
    result = workbench("run", SEEDS, extra, workspace=ws.path)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert "this run" in result.stdout
    last_cells = [row.rstrip(" │").rsplit("│", 1)[-1].strip() for row in rows]
    assert last_cells.count("unchanged") == 6  # the seeds' six documents
    assert last_cells.count("added") == 1


@pytest.mark.subprocess
def test_export_of_a_one_document_event_says_so(seeded, tmp_path):
    ws = _copy(seeded, tmp_path)
    status = json.loads(workbench("status", "--json", workspace=ws.path).stdout)
    events = [d["event"] for d in status["documents"]]
    alone = next(e for e in events if events.count(e) == 1)
    event_id = alone.split(":")[0]
    result = workbench("export", "--event", event_id, workspace=ws.path)
    assert result.returncode == 0
    assert f"event {event_id} has one document: nothing to align" in result.stderr
    assert "workbench run" not in result.stderr


@pytest.mark.subprocess
def test_stage_lines_and_warnings_never_run_together(seeded, tmp_path):
    """A resumed run, stdout and stderr into one pipe: every line whole."""
    ws = _copy(seeded, tmp_path)
    env = {**os.environ, "WORKBENCH_WORKSPACE": str(ws.path)}
    result = subprocess.run(
        [*EXE, "run", str(SEEDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert any(line.endswith("done before") for line in lines)
    assert all("warning:" not in line or line.startswith("warning:") for line in lines)
    translate = next(i for i, line in enumerate(lines) if line.startswith("translate:"))
    assert lines[translate + 1].startswith("warning: no ")  # each stage's warnings follow it


@pytest.mark.subprocess
def test_a_workspace_path_that_is_a_file_is_one_line(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a workspace", "utf-8")
    for command in (("status",), ("export",), ("run", SEEDS)):
        result = workbench(*command, "--workspace", path)
        assert_one_line_error(result, 3, f"workspace {path} is a file, not a folder")
        assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_text("utf-8") == "not a workspace"
