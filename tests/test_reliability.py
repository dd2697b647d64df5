"""Issue 15: nothing a user confirmed is lost, hostile archives and names are refused or
shown inert, concurrent runs never do a pair twice, and foreign input is not mislabelled."""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from workbench import Workspace
from workbench import stages as stages_module
from workbench.edit import links, merge, set_status, undo
from workbench.export import ExportRow, escape_tsv, write
from workbench.ingester import Ingester
from workbench.stages import AlignStage, EmbedderHolder, align_job, realign_event
from workbench.store import MIGRATIONS, WorkspaceError
from workbench.text.ingest import IngestError, read_source
from workbench.text.langid import LanguageIdentifier
from workbench.translate.models import ModelError, ModelStore, inspect_package
from workbench_eval.app import add_aligned_pair

from .conftest import ROOT
from .files import declare_size, write_docx
from .test_cli import workbench
from .test_e2e import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_healthy

FA = ROOT / "tests" / "data" / "models" / "translate-fa_en-test.argosmodel"
LEAK = "![p](https:/127.0.0.1:8999/leak.png).bin"
LINK = "[text](https:/x)"


class FakeEmbedder:
    """Deterministic vectors: "fa 3" and "en 3" get the same one, so pairs align 1-1.
    ``hold`` (an event pair) stops the first call until the test says go."""

    key = spec = "test-fake"
    dim = 16

    def __init__(self, hold: tuple[threading.Event, threading.Event] | None = None):
        self.hold = hold

    def embed(self, texts):
        if self.hold is not None:
            started, go = self.hold
            self.hold = None
            started.set()
            assert go.wait(60), "the test never let the embedder go on"
        rows = [np.random.default_rng(int(t.split()[-1])).normal(size=self.dim) for t in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def pair(ws: Workspace, n: int) -> int:
    """Two documents of ``n`` sentences in an event of their own, aligned 1-1."""
    alignment = add_aligned_pair(
        ws, [f"fa {k}" for k in range(n)], [f"en {k}" for k in range(n)], ("fa", "en")
    )
    with ws.transaction() as conn:  # a file of its own, so earlier pairs stay current
        conn.execute("UPDATE sources SET path = ? WHERE path = '/bench.txt'", (f"/bench-{n}.txt",))
        conn.execute("UPDATE sources SET current = 1")
        conn.execute("UPDATE documents SET current = 1")
    return alignment


# --- 1. a re-align never wipes edits made while it runs ------------------------------------


@pytest.mark.subprocess
def test_an_edit_saved_while_the_pair_is_realigned_is_kept(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    alignment = pair(ws, 12)
    event = ws.conn.execute("SELECT event_id FROM alignments").fetchone()[0]
    target = links(ws, alignment)[5]
    started, go = threading.Event(), threading.Event()
    embedder = FakeEmbedder((started, go))
    monkeypatch.setattr(stages_module, "load_embedder", lambda spec, **_: embedder)
    summary: list[str] = []

    def realign() -> None:  # another session (the Events page, or a CLI run) re-aligns
        other = Workspace(tmp_path / "ws")
        summary.append(realign_event(other, event, "test-fake"))
        other.close()

    thread = threading.Thread(target=realign)
    thread.start()
    assert started.wait(60), "the re-align never started embedding"
    set_status(ws, target.id, "confirmed", actor="ana")  # what the app's Confirm button does
    go.set()
    thread.join(60)
    assert summary and "1 edited by a user, kept" in summary[0]
    kept = {link.id: link.status for link in links(ws, alignment)}
    assert kept.get(target.id) == "confirmed"
    assert dangling_history(ws) == 0


@pytest.mark.subprocess
def test_save_alignment_refuses_to_replace_an_edited_alignment(workspace):
    alignment = pair(workspace, 4)
    src, tgt = workspace.conn.execute("SELECT src_doc, tgt_doc FROM alignments").fetchone()
    first = links(workspace, alignment)[0]
    set_status(workspace, first.id, "rejected", actor="ana")
    replaced = workspace.save_alignment(
        event_id=None, src_doc=src, tgt_doc=tgt, mode="parallel", method="m", params={}, links=[]
    )
    assert replaced is None
    assert links(workspace, alignment)[0].status == "rejected"


def dangling_history(ws: Workspace) -> int:
    return ws.conn.execute(
        "SELECT COUNT(*) FROM link_history WHERE link_id IS NOT NULL"
        " AND link_id NOT IN (SELECT id FROM links)"
    ).fetchone()[0]


def test_history_never_points_at_a_missing_link(workspace):
    alignment = pair(workspace, 4)
    a, b = links(workspace, alignment)[:2]
    merge(workspace, a.id, b.id, actor="ana")
    undo(workspace, alignment)  # the merged link is gone again
    assert dangling_history(workspace) == 0
    assert {link.id for link in links(workspace, alignment)} >= {a.id, b.id}


def test_migration_clears_history_pointers_to_missing_links(tmp_path):
    (tmp_path / "ws").mkdir()
    conn = sqlite3.connect(tmp_path / "ws" / "workbench.db")
    conn.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "PRAGMA user_version = 2;")
    conn.executescript(
        "INSERT INTO link_history (id, link_id, action, before, after, at)"
        " VALUES (1, 99, 'confirmed', '[]', '[]', 'now');"
    )
    conn.close()
    ws = Workspace(tmp_path / "ws")
    rows = ws.conn.execute("SELECT id, link_id, action FROM link_history").fetchall()
    assert [tuple(row) for row in rows] == [(1, None, "confirmed")]
    assert ws.conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- 2. limits on what is unpacked ---------------------------------------------------------


def package(path: Path, files: dict[str, bytes | str], metadata: dict | str | None = None) -> Path:
    if metadata is None:
        metadata = {"from_code": "fa", "to_code": "en", "package_version": "1.0"}
    body = metadata if isinstance(metadata, str) else json.dumps(metadata)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/metadata.json", body)
        archive.writestr("pkg/sentencepiece.model", "x")
        for name, content in {"pkg/model/model.bin": "x", **files}.items():
            archive.writestr(name, content)
    return path


@pytest.fixture
def no_extraction(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a refused package was extracted")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)


@pytest.mark.models
def test_zip_bomb_packages_are_refused_before_anything_is_unpacked(
    workspace, tmp_path, no_extraction
):
    zeros = package(tmp_path / "zeros.argosmodel", {"pkg/model/model.bin": bytes(3 << 20)})
    with pytest.raises(ModelError, match=r"compressed \d+:1, over the 100:1 limit.*MAX_RATIO"):
        ModelStore(workspace).add(zeros)
    lying = package(tmp_path / "lying.argosmodel", {"pkg/model/model.bin": b"0123456789"})
    declare_size(lying, "pkg/model/model.bin", 0xF000_0000)
    with pytest.raises(ModelError, match=r"unpacks to 3\.8 GiB, over the 2\.0 GiB limit"):
        inspect_package(lying)
    assert list(ModelStore(workspace).folder.iterdir()) == []


@pytest.mark.models
def test_package_size_limits_are_settings(workspace, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MODEL_MAX_SIZE", "64K")
    with pytest.raises(ModelError, match=r"more than 64\.0 KiB.*WORKBENCH_MODEL_MAX_SIZE"):
        inspect_package(FA)
    monkeypatch.setenv("WORKBENCH_MODEL_MAX_SIZE", "2G")
    monkeypatch.setenv("WORKBENCH_MODEL_MAX_MEMBER", "500K")
    with pytest.raises(ModelError, match=r"model\.bin' unpacks to .*WORKBENCH_MODEL_MAX_MEMBER"):
        inspect_package(FA)
    monkeypatch.setenv("WORKBENCH_MODEL_MAX_MEMBER", "lots")
    with pytest.raises(ModelError, match="WORKBENCH_MODEL_MAX_MEMBER='lots' is not a size"):
        inspect_package(FA)
    monkeypatch.setenv("WORKBENCH_MODEL_MAX_MEMBER", "1.5M")
    assert inspect_package(FA)[1]["from_code"] == "fa"


@pytest.mark.models
@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"from_code": "zz", "to_code": "qq"}, "'zz' is not a known ISO 639-1"),
        ({"from_code": "en", "to_code": "en"}, "from en to en translates nothing"),
        ({"from_code": "<script>", "to_code": "en"}, "'<script>' is not a known ISO 639-1"),
        ({"from_code": "../../etc", "to_code": "en"}, "not a known ISO 639-1"),
        ({"from_code": "fa", "to_code": "en", "package_version": "../x"}, "not a version"),
        ('{"from_code": "fa", "to_code": "en", "pad": "' + "x" * 70_000 + '"}', "over 64 KiB"),
    ],
)
def test_model_metadata_is_validated(workspace, tmp_path, metadata, message):
    bad = tmp_path / "bad.argosmodel"  # the real test model, with hostile metadata
    body = metadata if isinstance(metadata, str) else json.dumps(metadata)
    with zipfile.ZipFile(FA) as source, zipfile.ZipFile(bad, "w") as archive:
        for info in source.infolist():
            is_metadata = info.filename.endswith("/metadata.json")
            archive.writestr(info, body if is_metadata else source.read(info))
    with pytest.raises(ModelError, match=re.escape(message)):
        ModelStore(workspace).add(bad)
    assert ModelStore(workspace).list() == []


@pytest.mark.subprocess
@pytest.mark.models
def test_an_empty_checksum_is_an_error_not_no_check(workspace, tmp_path):
    with pytest.raises(ModelError, match="not 64 hexadecimal digits"):
        ModelStore(workspace).add(FA, "")
    result = workbench("models", "add", FA, "--sha256", "", workspace=tmp_path / "cli")
    assert result.returncode != 0 and "not 64 hexadecimal digits" in result.stderr
    assert "Traceback" not in result.stderr
    assert ModelStore(workspace).list() == []


@pytest.mark.models
def test_a_failed_registration_leaves_no_model_folder(tmp_path):
    ws = Workspace(tmp_path / "ws", timeout=0.3)
    store = ModelStore(ws)
    holder = sqlite3.connect(ws.db_path)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    with pytest.raises(WorkspaceError, match="locked"):
        store.add(FA)
    assert list(store.folder.iterdir()) == []
    holder.rollback()
    model = store.add(FA)  # installed; a re-install that fails keeps this copy
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(WorkspaceError, match="locked"):
        store.add(FA)
    holder.rollback()
    assert [p.name for p in store.folder.iterdir()] == [model.path.name]
    store.verify(model.name)


@pytest.mark.subprocess
@pytest.mark.models
def test_the_next_start_sweeps_what_a_killed_install_left(workspace):
    folder = ModelStore(workspace).folder
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    for name in (f"tmp-{gone.pid}-abc", "tmpk2j4h9", "translate-fa_en-1_9", f"tmp-{os.getpid()}-x"):
        (folder / name / "model").mkdir(parents=True)
        (folder / name / "model" / "model.bin").write_bytes(b"partial")
    ModelStore(workspace)
    assert [p.name for p in folder.iterdir()] == [f"tmp-{os.getpid()}-x"]  # still being written


def test_docx_zip_bombs_are_refused_before_python_docx_reads_them(tmp_path, monkeypatch):
    doc = write_docx(tmp_path / "bomb.docx", ["A real paragraph about the rally in Paris."])
    assert "rally" in read_source(doc).text
    with zipfile.ZipFile(doc, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/zeros.bin", bytes(3 << 20))
    with pytest.raises(IngestError, match=r"compressed \d+:1.*WORKBENCH_DOCX_MAX_RATIO"):
        read_source(doc)
    small = write_docx(tmp_path / "small.docx", ["Another paragraph."])
    monkeypatch.setenv("WORKBENCH_DOCX_MAX_SIZE", "1K")
    with pytest.raises(IngestError, match=r"more than 1\.0 KiB.*WORKBENCH_DOCX_MAX_SIZE"):
        read_source(small)


# --- 3. names and text from files are inert in the app -------------------------------------


BARE = ("www.example.org.pdf", "see http://evil.example/x now", "write to spy@example.org")


@pytest.mark.parametrize(
    "payload", [LEAK, LINK, "<img src=x onerror=alert(1)>", "a\n\n# b\n* c", *BARE]
)
def test_safe_text_is_inert_in_markdown_and_in_html(payload):
    from markdown_it import MarkdownIt

    from workbench.app.safe import WORD_JOINER, safe

    for context in ("{}", "**skipped** {}: reason", '<div dir="rtl">{}</div>'):
        rendered = MarkdownIt("commonmark").render(context.format(safe(payload)))
        assert "<img" not in rendered and "<a " not in rendered and "<h1" not in rendered
        text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace(WORD_JOINER, "")
        assert payload in text


@pytest.mark.parametrize("payload", BARE)
def test_bare_addresses_lose_the_shape_autolinks_look_for(payload):
    """GitHub-flavoured autolinks (Streamlit's) are found in the decoded text."""
    from workbench.app.safe import WORD_JOINER, safe

    decoded = html.unescape(safe(payload))
    assert not re.search(r"(?i)www\.|://|[\w.+-]@", decoded)
    assert decoded.replace(WORD_JOINER, "") == payload


def test_corpus_page_shows_hostile_file_names_as_text(tmp_path, monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    folder = tmp_path / "in"
    hostile = folder.joinpath(*LEAK.split("/"))
    hostile.parent.mkdir(parents=True)
    hostile.write_bytes(b"\x00binary")
    (folder / f"{LINK.replace('/', '_')}.txt").write_bytes(b"\x00\x01")
    (folder / "ok.txt").write_text("An article about the rally in Paris on Saturday.\n", "utf-8")
    ws = Workspace(tmp_path / "ws")
    Ingester(ws).ingest([folder])
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    warnings = [w.value for w in app.warning if w.value.startswith("skipped")]
    assert len(warnings) == 2
    for value in warnings:
        assert "![" not in value and "](" not in value and "[text]" not in value
    assert any(LEAK in html.unescape(value) for value in warnings)


# --- 5. silent mislabels and weak checks ---------------------------------------------------

CHINESE = "伊朗反对派周六在巴黎举行大规模集会，要求建立民主共和国。组织者表示，来自四十多个国家的代表团参加了集会。\n"
RUSSIAN = (
    "Иранская оппозиция в субботу провела в Париже массовый митинг с требованием демократической"
    " республики. Организаторы заявили, что в нём участвовали делегации более чем сорока стран.\n"
)


def test_chinese_and_russian_are_named_and_kept_out(tmp_path):
    (tmp_path / "zh.txt").write_text(CHINESE * 3, "utf-8")
    (tmp_path / "ru.txt").write_text(RUSSIAN * 3, "utf-8")
    ws = Workspace(tmp_path / "ws")
    outcomes = Ingester(ws).ingest([tmp_path / "zh.txt", tmp_path / "ru.txt"])
    assert [(o.outcome, o.detail) for o in outcomes] == [
        ("skipped", "unsupported language (zh)"),
        ("skipped", "unsupported language (ru)"),
    ]
    assert ws.documents() == [] and ws.counts()["sources"] == 0
    identifier = LanguageIdentifier()
    assert identifier.unsupported("Опозиція провела мітинг у Парижі в суботу, і це було важливо.")
    assert identifier.unsupported("The opposition held a rally in Paris.") is None
    assert LanguageIdentifier(("ru", "en")).unsupported(RUSSIAN) is None


FRENCH = (
    "L'opposition iranienne a organisé samedi à Paris un grand rassemblement pour réclamer une"
    " république démocratique. Les organisateurs ont indiqué que des délégations de plus de"
    " quarante pays y avaient participé.\n"
)
ENGLISH = (
    "The Iranian opposition held a large rally in Paris on Saturday to demand a democratic"
    " republic. The organisers said delegations from more than forty countries took part.\n"
)


def test_a_french_article_is_named_not_called_english(tmp_path):
    (tmp_path / "fr.txt").write_text(FRENCH * 3, "utf-8")
    (tmp_path / "en.txt").write_text(ENGLISH * 3, "utf-8")
    ws = Workspace(tmp_path / "ws")
    outcomes = Ingester(ws).ingest([tmp_path / "fr.txt", tmp_path / "en.txt"])
    assert (outcomes[0].outcome, outcomes[0].detail) == ("skipped", "unsupported language (fr)")
    assert [d.lang for d in ws.documents()] == ["en"]
    identifier = LanguageIdentifier()
    assert identifier.unsupported("Le match a fini sur un nul.") is None  # too short to tell
    assert LanguageIdentifier(("fr", "en")).unsupported(FRENCH) is None  # a workspace language
    german = "Die iranische Opposition hat am Samstag in Paris eine große Kundgebung abgehalten."
    assert identifier.unsupported(german * 2) == "de"


def test_an_all_boilerplate_file_is_skipped_every_time(tmp_path):
    page = tmp_path / "empty.txt"
    page.write_text("Leave a reply\nShare this:\nIMG_1234.jpg\n12345\n", "utf-8")
    ws = Workspace(tmp_path / "ws")
    for _ in range(2):
        (outcome,) = Ingester(ws).ingest([page])
        assert (outcome.outcome, outcome.detail) == (
            "skipped",
            "nothing left after removing boilerplate",
        )
    assert ws.counts()["sources"] == 0


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path):
    (tmp_path / "ws").mkdir()
    db = tmp_path / "ws" / "workbench.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")
    conn.execute("INSERT INTO notes (body) VALUES ('mine')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(WorkspaceError, match="not a workbench database"):
        Workspace(tmp_path / "ws")
    assert db.read_bytes() == before  # still in rollback-journal mode: never switched to WAL
    assert sorted(p.name for p in db.parent.iterdir()) == ["workbench.db"]


def test_concurrent_runs_align_each_pair_once(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    for n in (9, 10, 11):
        pair(ws, n)
    real = stages_module.align_documents
    calls: list[int] = []
    met = threading.Barrier(2, timeout=15)
    first_call = threading.local()

    def counting(source, *args, **kwargs):
        calls.append(len(source))
        if not getattr(first_call, "done", False):  # both runs are aligning at once
            first_call.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                met.wait()
        return real(source, *args, **kwargs)

    monkeypatch.setattr(stages_module, "align_documents", counting)
    monkeypatch.setattr(stages_module, "load_embedder", lambda spec, **_: FakeEmbedder())
    summaries: list[str] = []

    def one_run() -> None:
        mine = Workspace(tmp_path / "ws")
        summaries.append(AlignStage(EmbedderHolder("test-fake"))(mine, None).summary)
        mine.close()

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert sorted(calls) == [9, 10, 11], summaries
    assert ws.conn.execute("SELECT COUNT(*) FROM jobs WHERE state = 'running'").fetchone()[0] == 0


@pytest.mark.subprocess
def test_a_claim_left_by_a_killed_run_is_taken_over_and_a_live_one_respected(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    pair(ws, 6)
    monkeypatch.setattr(stages_module, "load_embedder", lambda spec, **_: FakeEmbedder())
    [aligned] = ws.alignment_rows()
    unit = align_job(aligned.src_doc, aligned.tgt_doc, "test-fake", "event")
    host = socket.gethostname()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        ws.record_job(unit, "running", f"run {host}:{live.pid}:other")
        busy = AlignStage(EmbedderHolder("test-fake"))(ws, None).summary
        assert "0 document pairs aligned" in busy and "1 being aligned by another run" in busy
    finally:
        live.kill()
        live.wait()
    ws.record_job(unit, "running", f"run {host}:{live.pid}:other")  # killed with -9
    again = AlignStage(EmbedderHolder("test-fake"))(ws, None).summary
    assert again.startswith("1 document pairs aligned")
    assert ws.job(unit).state == "done"


def test_tsv_escapes_every_line_and_paragraph_separator():
    hostile = "a\vb\fc\x1cd\x1de\x1ef\x85g\u2028h\u2029i\rj\nk\tl\\m"
    assert len(escape_tsv(hostile).splitlines()) == 1
    row = ExportRow("e1", "1:d", "2:d", "fa", "en", [0], [0], hostile, "x", link_type="1-1")
    buffer = io.StringIO()
    write([row, row], "tsv", buffer)
    assert len(buffer.getvalue().splitlines()) == 3  # header and two rows, for any reader
    assert r"a\vb\fc\u001cd\u001de\u001ef\u0085g\u2028h\u2029i\rj\nk\tl\\m" in buffer.getvalue()


@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_hostile_names_stay_text_in_a_real_browser(tmp_path):
    """Streamlit's own Markdown renderer shows the names as text and fetches nothing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    folder = tmp_path / "in"
    hostile = folder.joinpath(*LEAK.split("/"))
    hostile.parent.mkdir(parents=True)
    hostile.write_bytes(b"\x00binary")
    (folder / "ok.txt").write_text("An article about the rally in Paris on Saturday.\n", "utf-8")
    (folder / BARE[0]).write_bytes(b"%PDF-1.4 not really")  # a bare address as a name
    ws = Workspace(tmp_path / "ws")
    Ingester(ws).ingest([folder])
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py")),
            *("--server.port", str(port), "--server.headless", "true"),
            *("--browser.gatherUsageStats", "false", "--", "--workspace", str(ws.path)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(port)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
            )
            page = browser.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"http://127.0.0.1:{port}/")
            alert = page.locator('[data-testid="stAlert"]', has_text="unsupported file type")
            alert.first.wait_for(timeout=90_000)
            shown = alert.first.inner_text()
            images = alert.first.locator("img").count()
            anchors = alert.first.locator("a").count()
            bare = page.locator('[data-testid="stAlert"]', has_text="not a readable PDF")
            bare_anchors = bare.first.locator("a").count()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert LEAK in shown
    assert images == 0 and anchors == 0 and bare_anchors == 0
    assert not [url for url in requested if "8999" in url or "leak.png" in url]


def test_commands_in_messages_show_as_code_and_stay_inert():
    from workbench.app.safe import safe_with_code

    shown = safe_with_code("no model; add one with `workbench models add x.argosmodel` ![p](h)")
    assert "`workbench models add x.argosmodel`" in shown and "![" not in shown
    assert safe_with_code("odd ` tick") == "odd &#96; tick"
