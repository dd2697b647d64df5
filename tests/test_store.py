import sqlite3

import pytest

from workbench import Ingester, Workspace, WorkspaceError
from workbench.store import SCHEMA_VERSION

ARTICLE = "Opposition rally in Paris\n\nThousands gathered in Paris on Saturday. They called for change.\n"


def test_new_workspace_layout_and_pragmas(workspace):
    assert workspace.db_path.exists()
    assert workspace.schema_version == SCHEMA_VERSION
    assert workspace.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert workspace.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert workspace.models_dir.is_dir()


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    with Workspace(tmp_path / "ws") as ws:
        Ingester(ws).ingest([path])
    with Workspace(tmp_path / "ws") as ws:
        assert ws.counts()["documents"] == 1
        assert ws.schema_version == SCHEMA_VERSION


def test_same_content_twice_adds_nothing(workspace, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    copy = tmp_path / "copy of article.txt"
    copy.write_text(ARTICLE)
    first = Ingester(workspace).ingest([path])
    before = workspace.counts()
    again = Ingester(workspace).ingest([path, copy])
    assert [o.outcome for o in first] == ["added"]
    assert [o.outcome for o in again] == ["unchanged", "unchanged"]
    assert "same content as" in again[1].detail
    assert workspace.counts() == before


def test_changed_file_is_a_new_version_and_keeps_the_old(workspace, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    Ingester(workspace).ingest([path])
    [old] = workspace.documents()
    event = workspace.conn.execute(
        "INSERT INTO events(label, origin, created_at) VALUES ('Paris 2025', 'user', 'now')"
    ).lastrowid
    workspace.conn.execute(
        "UPDATE documents SET event_id = ?, event_origin = 'user' WHERE id = ?", (event, old.id)
    )
    path.write_text(ARTICLE + "A third sentence was added later.\n")
    [outcome] = Ingester(workspace).ingest([path])
    assert outcome.outcome == "new version"
    [new] = workspace.documents()
    assert new.version == 2 and new.sentences == old.sentences + 1
    assert new.event_id == event  # the user's grouping carries over
    everything = workspace.documents(include_old=True)
    assert {(d.version, d.current) for d in everything} == {(1, False), (2, True)}
    assert workspace.sentences(old.id)  # nothing of the old version is lost
    counts = workspace.counts()  # but the corpus is the current version
    # the names status --json and the reliability probe read
    assert set(counts) == {
        "sources",
        "documents",
        "sentences",
        "links",
        "cached translations",
        "cached vectors",
    }
    assert (counts["sources"], counts["documents"], counts["sentences"]) == (1, 1, new.sentences)


def test_document_text_sentences_and_offsets_round_trip(workspace, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    Ingester(workspace).ingest([path])
    [doc] = workspace.documents()
    text = workspace.document_text(doc.id)
    for sentence in workspace.sentences(doc.id):
        assert text[sentence.start : sentence.end] == sentence.text
    assert workspace.source_text(doc.source_id) == ARTICLE


def test_failed_ingest_leaves_nothing_behind(workspace, tmp_path, monkeypatch):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Workspace, "add_sentences", explode)
    (outcome,) = Ingester(workspace).ingest([path])  # this file's problem, not the run's
    assert (outcome.outcome, outcome.detail) == (
        "skipped",
        "could not be read (RuntimeError: disk on fire)",
    )
    monkeypatch.undo()
    assert workspace.counts()["sources"] == 0
    assert Ingester(workspace).ingest([path])[0].outcome == "added"


def test_corrupt_database_is_reported_and_left_untouched(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    garbage = b"this is not a database" * 100
    (folder / "workbench.db").write_bytes(garbage)
    with pytest.raises(WorkspaceError, match="corrupt or not a workbench database"):
        Workspace(folder)
    assert (folder / "workbench.db").read_bytes() == garbage


def test_locked_database_is_reported_and_data_kept(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    with Workspace(tmp_path / "ws") as ws:
        Ingester(ws).ingest([path])
    other = sqlite3.connect(tmp_path / "ws" / "workbench.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        (tmp_path / "second.txt").write_text("Another article entirely. With two sentences.")
        ws = Workspace(tmp_path / "ws", timeout=0.2)
        with pytest.raises(WorkspaceError, match="locked by another process"):
            Ingester(ws).ingest([tmp_path / "second.txt"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert ws.counts()["documents"] == 1
    ws.close()


def test_newer_schema_is_refused(tmp_path):
    folder = tmp_path / "ws"
    Workspace(folder).close()
    conn = sqlite3.connect(folder / "workbench.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(WorkspaceError, match="newer than this workbench"):
        Workspace(folder)


def test_workspace_path_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="is a file"):
        Workspace(tmp_path / "file")


def test_seeds_give_six_documents_in_the_expected_languages(seeded):
    documents = seeded.documents()
    assert [d.lang for d in documents] == ["fa", "fa", "ar", "en", "fa", "fa"]
    assert [d.part for d in documents] == [0, 0, 0, 0, 0, 1]
    langs = seeded.sentence_languages(documents[0].id)
    assert langs == {"fa": 19, "en": 1}


def test_a_copy_holds_everything_and_never_overwrites_a_workspace(seeded, tmp_path):
    from workbench.errors import WorkspaceError

    copy = Workspace(seeded.copy_to(tmp_path / "copy"))
    assert [d.id for d in copy.documents()] == [d.id for d in seeded.documents()]
    assert copy.counts() == seeded.counts()
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        seeded.copy_to(tmp_path / "copy")
