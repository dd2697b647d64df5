"""The ``workbench`` command as a user runs it: real processes, exit codes, one-line errors."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEEDS

EXE = [sys.executable, "-m", "workbench"]


def workbench(
    *args, workspace: Path | None = None, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("WORKBENCH_WORKSPACE", None)
    if workspace is not None:
        full_env["WORKBENCH_WORKSPACE"] = str(workspace)
    return subprocess.run(
        [*EXE, *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        env=full_env,
        timeout=600,
    )


def assert_one_line_error(result, code: int, fragment: str):
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr


@pytest.mark.subprocess
@pytest.mark.models
def test_run_seeds_prints_summary_and_status_json(tmp_path):
    ws = tmp_path / "ws"
    result = workbench("run", SEEDS, "--workspace", ws)
    assert result.returncode == 0, result.stderr
    assert "documents: 6 (ar, en, fa)" in result.stdout
    assert "5 added" in result.stdout and "warnings: 2" in result.stdout
    assert "translate: no model for ar, fa (not translated)" in result.stdout
    assert "no fa->en translation model installed" in result.stderr
    # each stage's summary is one line, however long (it was cut at 160 characters)
    align = next(line for line in result.stdout.splitlines() if line.startswith("align:"))
    assert len(align) > 160 and align.endswith("likely to state the same fact)")
    status = json.loads(workbench("status", "--json", workspace=ws).stdout)
    assert [d["lang"] for d in status["documents"]] == ["fa", "fa", "ar", "en", "fa", "fa"]
    assert status["counts"]["sentences"] == sum(d["sentences"] for d in status["documents"])
    again = workbench("run", SEEDS, workspace=ws)
    assert "5 unchanged" in again.stdout
    assert (
        json.loads(workbench("status", "--json", workspace=ws).stdout)["counts"] == status["counts"]
    )


@pytest.mark.subprocess
def test_split_prints_one_sentence_per_line(tmp_path):
    path = tmp_path / "fa.txt"
    path.write_text("آیا درست است؟ بله. قال د. محمد.\nIran rally", "utf-8")
    result = workbench("split", path, "--lang", "fa")
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["آیا درست است؟", "بله.", "قال د. محمد.", "Iran rally"]
    piped = workbench("split", "-", "--lang", "en", stdin="One. Two.")
    assert piped.stdout == "One.\nTwo.\n"


@pytest.mark.subprocess
def test_split_seed_002_separates_glued_headings():
    result = workbench("split", next(SEEDS.glob("002_*")), "--lang", "ar")
    lines = result.stdout.splitlines()
    assert "موجة جديدة" in lines and "معرض للصور" in lines


@pytest.mark.subprocess
def test_help_on_every_command():
    for command in (
        [],
        ["run"],
        ["ingest"],
        ["status"],
        ["split"],
        ["translate"],
        ["models"],
        ["models", "add"],
        ["eval", "split"],
        ["eval", "translate"],
        ["align"],
        ["export"],
        ["eval", "align"],
        ["eval", "retrieval"],
        ["eval", "mine"],
        ["eval", "align-scale"],
        ["eval", "run-cost"],
    ):
        result = workbench(*command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout


@pytest.mark.subprocess
def test_nonexistent_path(tmp_path):
    result = workbench("ingest", tmp_path / "nope", workspace=tmp_path / "ws")
    assert_one_line_error(result, 1, "no such file or folder")
    assert_one_line_error(
        workbench("split", tmp_path / "nope.txt", "--lang", "fa"), 1, "no such file"
    )


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", bytes(range(256)) * 40, "binary file"),
        (
            "bad.txt",
            b"\xef\xbb\xbfvalid start \xff\xfe\xfa invalid",
            "not valid utf-8 text at byte 12",
        ),
    ],
)
def test_unreadable_files_are_skipped_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("A readable article. It has two sentences.")
    alone = workbench("ingest", path, workspace=tmp_path / "ws")
    assert_one_line_error(alone, 1, f"skipped {path}: {reason}")
    mixed = workbench("ingest", path, good, workspace=tmp_path / "ws")
    assert mixed.returncode == 0  # one file read: success, with the skip reported
    assert reason in mixed.stderr


@pytest.mark.subprocess
def test_names_with_spaces_and_non_latin_characters(tmp_path):
    folder = tmp_path / "گزارش ها و اخبار"
    folder.mkdir()
    path = folder / "خبر پاریس (نسخه ۲).txt"
    path.write_text("گردهمایی سالانه در پاریس برگزار شد. هزاران نفر آمدند.", "utf-8")
    result = workbench("run", folder, workspace=tmp_path / "ws")
    assert result.returncode == 0, result.stderr
    status = json.loads(workbench("status", "--json", workspace=tmp_path / "ws").stdout)
    assert status["documents"][0]["path"].endswith("خبر پاریس (نسخه ۲).txt")
    assert status["documents"][0]["sentences"] == 2


@pytest.mark.subprocess
def test_locked_workspace_exit_code_and_no_loss(tmp_path):
    ws = tmp_path / "ws"
    assert workbench("ingest", next(SEEDS.glob("003_*")), workspace=ws).returncode == 0
    other = sqlite3.connect(ws / "workbench.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        result = workbench(
            "ingest", next(SEEDS.glob("002_*")), workspace=ws, env={"WORKBENCH_LOCK_TIMEOUT": "0.5"}
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_one_line_error(result, 3, "locked by another process")
    status = json.loads(workbench("status", "--json", workspace=ws).stdout)
    assert status["counts"]["documents"] == 1


@pytest.mark.subprocess
def test_corrupt_workspace_exit_code(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workbench.db").write_bytes(b"garbage" * 1000)
    result = workbench("ingest", next(SEEDS.glob("003_*")), workspace=ws)
    assert_one_line_error(result, 3, "corrupt or not a workbench database")
    assert (ws / "workbench.db").read_bytes() == b"garbage" * 1000


@pytest.mark.subprocess
def test_status_without_workspace(tmp_path):
    assert_one_line_error(workbench("status", workspace=tmp_path / "none"), 3, "no workspace at")


@pytest.mark.subprocess
def test_unknown_language_code(tmp_path):
    result = workbench("run", SEEDS, "--languages", "fa,xx", workspace=tmp_path / "ws")
    assert_one_line_error(result, 1, "unknown language code 'xx'")


@pytest.mark.subprocess
@pytest.mark.slow
def test_100_mb_single_line_file_streams(tmp_path):
    path = tmp_path / "huge.txt"
    sentence = "گردهمایی سالانه در پاریس برگزار شد و هزاران نفر از سراسر جهان آمدند. "
    count = 100 * 2**20 // len(sentence.encode()) + 1
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(count):
            handle.write(sentence)
    assert path.stat().st_size >= 100 * 2**20
    result = workbench("ingest", path, workspace=tmp_path / "ws")
    assert result.returncode == 0, result.stderr
    status = json.loads(workbench("status", "--json", workspace=tmp_path / "ws").stdout)
    [document] = status["documents"]
    assert document["lang"] == "fa"
    assert document["sentences"] == count  # every sentence, none lost at block edges


PARALLEL = Path(__file__).parent / "data" / "parallel"
ALIGN_EN_FA = (
    "align",
    PARALLEL / "en.txt",
    PARALLEL / "fa.txt",
    "--src-lang",
    "en",
    "--tgt-lang",
    "fa",
)


@pytest.mark.subprocess
def test_align_prints_a_ladder_and_says_which_mode(tmp_path):
    result = workbench(*ALIGN_EN_FA, "--presplit", workspace=tmp_path / "ws")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.rsplit(":", 1)[0] for line in lines] == [
        "[0]:[0]",
        "[1]:[1]",
        "[2]:[2]",
        "[3]:[3, 4]",
        "[4]:[5]",
        "[5]:[6]",
    ]
    assert all(float(line.rsplit(":", 1)[1]) > 0 for line in lines)
    assert "mode: parallel" in result.stderr


@pytest.mark.subprocess
def test_align_formats_and_comparable_mode(tmp_path):
    ws = tmp_path / "ws"
    args = (*ALIGN_EN_FA, "--presplit")
    tsv = workbench(*args, "--mode", "parallel", "--format", "tsv", workspace=ws)
    rows = tsv.stdout.splitlines()
    assert rows[0].startswith("event\tsrc_doc") and len(rows) == 7
    tmx = workbench(*args, "--format", "tmx", "--out", tmp_path / "a.tmx", workspace=ws)
    assert tmx.returncode == 0 and (tmp_path / "a.tmx").read_bytes().startswith(b"<?xml")
    comparable = workbench(*args, "--mode", "comparable", workspace=ws)
    assert comparable.returncode == 0
    assert "[0]:[0]" in comparable.stdout  # only kept 1:1 links are printed


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "src_text,tgt_text",
    [("", "Hello.\n"), ("One sentence.\n", "One sentence.\n"), ("x " * 25_000 + "\n", "y.\n")],
)
def test_align_awkward_input_never_crashes(tmp_path, src_text, tgt_text):
    (tmp_path / "a.txt").write_text(src_text, "utf-8")
    (tmp_path / "b.txt").write_text(tgt_text, "utf-8")
    result = workbench(
        "align",
        tmp_path / "a.txt",
        tmp_path / "b.txt",
        "--src-lang",
        "en",
        "--tgt-lang",
        "en",
        "--presplit",
        workspace=tmp_path / "ws",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.subprocess
def test_align_missing_file_and_bad_embedder(tmp_path):
    missing = workbench(
        "align",
        tmp_path / "nope.txt",
        PARALLEL / "fa.txt",
        "--src-lang",
        "en",
        "--tgt-lang",
        "fa",
        workspace=tmp_path / "ws",
    )
    assert_one_line_error(missing, 1, "no such file")
    bad = workbench(*ALIGN_EN_FA, "--embedder", "nonsense", workspace=tmp_path / "ws")
    assert_one_line_error(bad, 1, "unknown embedder")


@pytest.mark.subprocess
def test_export_without_links_warns(tmp_path):
    ws = tmp_path / "ws"
    workbench("ingest", SEEDS / next(p.name for p in SEEDS.glob("003_*")), workspace=ws)
    result = workbench("export", "--format", "tsv", workspace=ws)
    assert result.returncode == 0
    assert result.stdout.startswith("event\t") and "no links" in result.stderr


@pytest.mark.subprocess
def test_embed_fills_the_cache_and_saves_vectors(tmp_path):
    import numpy as np

    lines = tmp_path / "lines.txt"
    lines.write_text("Talks resumed in Muscat.\nگفتگوها در مسقط از سر گرفته شد.\n", "utf-8")
    out = tmp_path / "v.npy"
    ws = tmp_path / "ws"
    first = workbench("embed", lines, "--out", out, "--workspace", ws)
    assert first.returncode == 0, first.stderr
    assert "2 embedded, 0 from cache" in first.stderr
    vectors = np.load(out)
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    second = workbench("embed", lines, "--workspace", ws)
    assert "0 embedded, 2 from cache" in second.stderr


@pytest.mark.subprocess
def test_export_leaves_out_links_below_the_floor_and_says_how_many(tmp_path):
    from workbench import Workspace
    from workbench.edit import links, set_status

    ws_path = tmp_path / "ws"
    workbench("ingest", *sorted(SEEDS.glob("00[03]_*")), workspace=ws_path)
    ws = Workspace(ws_path)
    src, tgt = ws.documents()[:2]
    alignment = ws.save_alignment(
        event_id=None,
        src_doc=src.id,
        tgt_doc=tgt.id,
        mode="comparable",
        method="test",
        params={},
        links=[
            ([0], [0], 1.2, "1-1", 0.9),
            ([1], [1], 1.0, "1-1", 0.1),
            ([2], [2], 1.0, "1-1", 0.2),
            ([3], [], None, "1-0", 0.0),  # a sentence without a partner
        ],
    )
    set_status(ws, links(ws, alignment)[2].id, "confirmed")  # a user's link is always shown
    ws.close()
    default = workbench("export", "--format", "tsv", workspace=ws_path)
    assert default.returncode == 0, default.stderr
    assert len(default.stdout.splitlines()) == 3  # header, the 0.9 link, the confirmed one
    assert (
        "1 link and 1 sentence without a partner below confidence 0.5 hidden"
        " (--min-confidence 0 exports them)"
    ) in default.stderr
    every = workbench("export", "--format", "tsv", "--min-confidence", "0", workspace=ws_path)
    assert len(every.stdout.splitlines()) == 5 and "hidden" not in every.stderr
    for bad in ("nan", "2"):
        result = workbench("export", "--min-confidence", bad, workspace=ws_path)
        assert_one_line_error(result, 2, "--min-confidence takes a number from 0 to 1")
