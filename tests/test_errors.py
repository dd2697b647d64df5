"""Every failure says what happened: one line on stderr, and the exit code of its kind.

Workspace problems (locked, read-only, disk full) exit 3 with their cause; closed or
full standard streams and unwritable outputs exit 1; a bad setting exits 2. The disk
and read-only cases are real faults: a file size limit (``ulimit -f``) or a small
tmpfs, and a read-only bind mount (as root) or ``chmod -R a-w``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

import workbench
from workbench import Workspace
from workbench.errors import (
    EXIT_USAGE,
    EXIT_WORKSPACE,
    WorkbenchError,
    WorkspaceError,
    WorkspaceFull,
    WorkspaceLocked,
    WorkspaceReadOnly,
)

from .conftest import SEEDS
from .test_cli import EXE, PARALLEL, assert_one_line_error
from .test_cli import workbench as run_cli

ENGLISH = next(SEEDS.glob("003_*"))
ARABIC = next(SEEDS.glob("002_*"))
FA_MODEL = Path(__file__).parent / "data" / "models" / "translate-fa_en-test.argosmodel"


def assert_no_internal_error(result: subprocess.CompletedProcess) -> None:
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert "cannot rollback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


@pytest.fixture
def small_workspace(tmp_path) -> Path:
    ws = tmp_path / "ws"
    assert run_cli("ingest", ENGLISH, workspace=ws).returncode == 0
    return ws


# --- one hierarchy --------------------------------------------------------------------


def test_every_exception_class_of_the_package_is_a_workbench_error():
    found = {}
    for info in pkgutil.walk_packages(workbench.__path__, "workbench."):
        if info.name.startswith("workbench.app") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    assert {"AlignError", "IngestError", "ModelError", "EditError", "EmbedError"} <= set(found)
    assert [n for n, cls in found.items() if not issubclass(cls, WorkbenchError)] == []
    assert WorkspaceLocked.exit_code == WorkspaceError.exit_code == EXIT_WORKSPACE
    assert found["ModelError"].exit_code == 1 and found["UsageError"].exit_code == EXIT_USAGE


# --- a lock held by another process ------------------------------------------------------


@contextmanager
def locked(ws: Path):
    other = sqlite3.connect(ws / "workbench.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args",
    [
        ("embed", PARALLEL / "en.txt"),
        ("align", PARALLEL / "en.txt", PARALLEL / "fa.txt", "--src-lang", "en", "--tgt-lang", "fa"),
        ("models", "add", FA_MODEL),
    ],
    ids=["embed", "align", "models-add"],
)
def test_a_held_lock_is_exit_3_with_its_cause(small_workspace, args):
    with locked(small_workspace):
        result = run_cli(*args, workspace=small_workspace, env={"WORKBENCH_LOCK_TIMEOUT": "0.3"})
    assert_one_line_error(result, 3, "locked by another process")
    assert_no_internal_error(result)


@pytest.mark.subprocess
def test_edits_raise_the_typed_lock_error(small_workspace):
    from workbench import edit

    with (
        locked(small_workspace),
        Workspace(small_workspace, timeout=0.2) as ws,
        pytest.raises(WorkspaceLocked, match="locked by another process"),
    ):
        edit.set_status(ws, 1, "confirmed", "me")


def test_the_app_shows_one_line_when_confirm_meets_a_lock(
    seeded_with_stories, tmp_path, monkeypatch
):
    testing = pytest.importorskip("streamlit.testing.v1")
    from .conftest import ROOT

    ws = Workspace(seeded_with_stories.copy_to(tmp_path / "ws"))
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    monkeypatch.setenv("WORKBENCH_LOCK_TIMEOUT", "0.3")
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    app.run()
    app.sidebar.radio(key="page").set_value("Parallel view").run()
    app.button(key="pv_next_unc").click().run()  # a row with a link, so Confirm is enabled
    with locked(ws.path):
        app.button(key="ed_confirm").click().run()
    assert not app.exception
    assert any("locked by another process" in e.value for e in app.error)


# --- a full disk -----------------------------------------------------------------------


def _big_text(path: Path, lines: int = 6000) -> Path:
    sentence = "The delegates said that progress was made on several issues at the talks"
    path.write_text("".join(f"{sentence} number {i}.\n" for i in range(lines)), "utf-8")
    return path


def _status(ws: Path) -> dict:
    result = run_cli("status", "--json", workspace=ws)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.subprocess
def test_disk_full_file_size_limit_is_exit_3_and_nothing_is_lost(small_workspace, tmp_path):
    """``ulimit -f``: the database cannot grow past its size now plus 64 KiB."""
    before = _status(small_workspace)
    limit = (small_workspace / "workbench.db").stat().st_size + 64 * 1024

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "WORKBENCH_WORKSPACE": str(small_workspace)}
    result = subprocess.run(
        [*EXE, "ingest", _big_text(tmp_path / "big.txt")],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limited,
        timeout=600,
    )
    assert_one_line_error(result, 3, "cannot write")
    assert_no_internal_error(result)
    assert "was not saved" in result.stderr
    assert _status(small_workspace)["counts"] == before["counts"]


def _mount_namespace_works() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(
    not _mount_namespace_works(), reason="needs root and a private mount namespace"
)


@pytest.mark.subprocess
@needs_mounts
def test_disk_full_on_a_small_tmpfs_is_exit_3_with_its_cause(small_workspace, tmp_path):
    big = _big_text(tmp_path / "big.txt")
    disk = tmp_path / "disk"
    disk.mkdir()
    size = (small_workspace / "workbench.db").stat().st_size + 256 * 1024
    script = (
        'mount -t tmpfs -o size="$1" tmpfs "$2" && cp -r "$3" "$2/ws" && '
        '"$4" -m workbench ingest "$5" -w "$2/ws"; code=$?; '
        '"$4" -m workbench status --json -w "$2/ws" > "$6"; exit $code'
    )
    arguments = [str(size), str(disk), str(small_workspace), sys.executable, str(big)]
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", *arguments, str(tmp_path / "after.json")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert_one_line_error(result, 3, "the disk is full")
    assert_no_internal_error(result)
    after = json.loads((tmp_path / "after.json").read_text("utf-8"))
    assert after["counts"] == _status(small_workspace)["counts"]  # the copy lost nothing


def test_a_full_database_raises_the_typed_error_not_a_rollback_error(workspace):
    """SQLite rolls back by itself after SQLITE_FULL; the cause must not be hidden."""
    pages = workspace.conn.execute("PRAGMA page_count").fetchone()[0]
    workspace.conn.execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(WorkspaceFull, match="the disk is full"):
        workspace.set_setting("big", "x" * 100_000)
    assert workspace.get_setting("big") is None
    workspace.set_setting("small", "fits")  # the connection is still usable
    assert workspace.get_setting("small") == "fits"


# --- a read-only workspace -------------------------------------------------------------------


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _nobody_can_run_the_workbench() -> bool:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return False
    probe = subprocess.run([*NOBODY, *EXE, "--version"], capture_output=True)
    return probe.returncode == 0


def run_read_only(ws: Path, how: str, *args: str) -> subprocess.CompletedProcess:
    """``workbench ARGS`` on ``ws`` made read-only. ``mount``: a read-only bind mount in a
    private mount namespace (root only). ``chmod``: ``chmod -R a-w``, run as user nobody
    when the tests run as root (root ignores file modes)."""
    env = {**os.environ, "WORKBENCH_WORKSPACE": str(ws)}
    command = [*EXE, *args]
    if how == "mount":
        script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", script, str(ws), *command]
    elif os.geteuid() == 0:
        command = [*NOBODY, *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(params=["mount", "chmod"])
def read_only_copy(request, small_workspace):
    """A copy of a one-document workspace, and how it is made read-only."""
    how = request.param
    if how == "mount" and not _mount_namespace_works():
        pytest.skip("needs root and a private mount namespace")
    if how == "chmod" and os.geteuid() == 0 and not _nobody_can_run_the_workbench():
        pytest.skip("as root, chmod needs another user (setpriv) to mean anything")
    folder = Path(tempfile.mkdtemp(prefix="workbench-ro-"))  # reachable by user nobody
    folder.chmod(0o755)
    ws = folder / "ws"
    shutil.copytree(small_workspace, ws)
    subprocess.run(["chmod", "-R", "a+rX,a-w", str(ws)], check=True)
    try:
        yield ws, how
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(ws)], check=True)
        shutil.rmtree(folder)


@pytest.mark.subprocess
@pytest.mark.models
def test_a_read_only_copy_can_be_read_and_is_never_written(read_only_copy):
    ws, how = read_only_copy
    before = {p.name: p.read_bytes() for p in ws.iterdir() if p.is_file()}
    status = run_read_only(ws, how, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["counts"]["documents"] == 1
    plain = run_read_only(ws, how, "status")
    assert plain.returncode == 0 and "documents: 1 (en)" in plain.stdout
    export = run_read_only(ws, how, "export", "--format", "json")
    assert export.returncode == 0, export.stderr
    assert json.loads(export.stdout) == {"links": []}
    listed = run_read_only(ws, how, "models", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    for args in (("ingest", str(ARABIC)), ("models", "add", str(FA_MODEL))):
        result = run_read_only(ws, how, *args)
        assert_one_line_error(result, 3, "read-only")
        assert_no_internal_error(result)
    after = {p.name: p.read_bytes() for p in ws.iterdir() if p.is_file()}
    assert after == before  # no WAL switch, no -wal/-shm files, nothing written


def test_read_only_workspace_api(workspace):
    workspace.set_setting("languages", "fa,en")
    path = workspace.path
    workspace.close()
    with Workspace(path, read_only=True) as ws:
        assert ws.read_only and ws.get_setting("languages") == "fa,en"
        with pytest.raises(WorkspaceReadOnly):
            ws.set_setting("languages", "ar")


# --- standard streams, outputs and settings ---------------------------------------------------


def _run_with(args, *, preexec=None, stdout=subprocess.PIPE, stdin=None, env=None, ws=None):
    full_env = {**os.environ, **(env or {})}
    if ws is not None:
        full_env["WORKBENCH_WORKSPACE"] = str(ws)
    return subprocess.run(
        [*EXE, *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=stdin,
        text=True,
        env=full_env,
        preexec_fn=preexec,
        timeout=600,
    )


@pytest.mark.subprocess
@pytest.mark.parametrize("args", [("status",), ("status", "--json")], ids=["table", "json"])
def test_a_closed_pipe_on_stdout_is_one_line(small_workspace, args):
    """``workbench status | head -0``: the reader is gone before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = _run_with(args, stdout=write_end, ws=small_workspace)
    finally:
        os.close(write_end)
    assert_one_line_error(result, 1, "standard output was closed")
    assert_no_internal_error(result)


@pytest.mark.subprocess
def test_closed_stdout_is_one_line(small_workspace):
    result = _run_with(["status"], stdout=None, preexec=lambda: os.close(1), ws=small_workspace)
    assert_one_line_error(result, 1, "standard output is closed")
    assert_no_internal_error(result)


@pytest.mark.subprocess
def test_closed_stdin_is_one_line():
    result = _run_with(["split", "-", "--lang", "en"], preexec=lambda: os.close(0))
    assert_one_line_error(result, 1, "standard input is closed")
    assert_no_internal_error(result)


@pytest.mark.subprocess
def test_invalid_utf8_on_stdin_is_one_line():
    env = {"PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        [*EXE, "split", "-", "--lang", "en"],
        input=b"valid start \xff\xfe then not\n",
        capture_output=True,
        env={**os.environ, **env},
        timeout=600,
    )
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 1, stderr
    assert "standard input is not valid UTF-8 text (byte 12)" in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr


@pytest.mark.subprocess
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args", [("status",), ("status", "--json"), ("export", "--format", "tmx")], ids=str
)
def test_a_full_stdout_is_one_line(small_workspace, args):
    with open("/dev/full", "w") as full:
        result = _run_with(args, stdout=full, ws=small_workspace)
    assert_one_line_error(result, 1, "cannot write to standard output: No space left on device")
    assert_no_internal_error(result)


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args",
    [
        ("embed", PARALLEL / "en.txt", "--out", "/nonexistent/x.npy"),
        ("export", "--out", "/nonexistent/links.tsv"),
    ],
    ids=["embed", "export"],
)
def test_an_out_file_in_a_missing_folder_is_one_line(small_workspace, args):
    result = run_cli(*args, workspace=small_workspace)
    assert_one_line_error(result, 1, "no such folder /nonexistent")
    assert_no_internal_error(result)


@pytest.mark.subprocess
def test_a_lock_timeout_that_is_not_a_number_is_a_usage_error(small_workspace):
    result = run_cli("status", workspace=small_workspace, env={"WORKBENCH_LOCK_TIMEOUT": "abc"})
    assert_one_line_error(result, 2, "WORKBENCH_LOCK_TIMEOUT must be a number of seconds")
    assert_no_internal_error(result)
