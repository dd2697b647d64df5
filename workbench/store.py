"""The workspace: one SQLite file (caches included) plus a folder for models.

A workspace folder holds ``workbench.db`` (WAL mode, foreign keys on, schema
versioned by ``PRAGMA user_version`` with forward-only migrations) and
``models/``. Hand the folder to a colleague and they have
everything. The CLI and the app both go through :class:`Workspace`; neither
writes SQL of its own, and no SQL is ever built from document text.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from .document import Document, Sentence, Source, Span, shown_at_sql
from .errors import (
    UsageError,
    WorkspaceError,
    WorkspaceReadOnly,
    WorkspaceTooNew,
    os_error,
    sqlite_error,
)

DB_NAME = "workbench.db"
ENV_VAR = "WORKBENCH_WORKSPACE"
CHUNK_CHARS = 1 << 20

R = TypeVar("R")  # a record dataclass (see _record)


LOCK_TIMEOUT_VAR = "WORKBENCH_LOCK_TIMEOUT"  # seconds to wait for another writer (default 10)
DEFAULT_LOCK_TIMEOUT = 10.0


def lock_timeout() -> float:
    """``$WORKBENCH_LOCK_TIMEOUT`` in seconds; a value that is not one is a usage error."""
    value = os.environ.get(LOCK_TIMEOUT_VAR, "").strip()
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"{LOCK_TIMEOUT_VAR} must be a number of seconds, not {value!r}")
    return seconds


def default_workspace_path() -> Path:
    """``$WORKBENCH_WORKSPACE``, else the user data folder (~/.local/share/workbench/default)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("workbench") / "default"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _wal_mode(conn: sqlite3.Connection, timeout: float) -> str:
    """Switch to WAL journal mode. The switch needs the database to itself, and SQLite
    answers "locked" at once (no busy wait) while another connection is creating a new
    workspace's tables: wait for it, up to ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def sql_statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, cut where SQLite says a statement is complete (a
    semicolon inside a string or a trigger does not end one)."""
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n\t;"):
                yield statement
            statement = ""
    if statement.strip(" \n\t;"):
        yield statement


NEVER_REUSED = ("alignments", "events", "threads")
"""Tables whose ids are addresses (bookmarks, ``?event=5&alignment=11``): an id, once
handed out, is never handed out again, so a stale address finds nothing rather than
another row. (Links have AUTOINCREMENT since schema 2; these get it by hand, because
rebuilding a table that others reference would cascade.)"""


def fresh_id(conn: sqlite3.Connection, table: str) -> int:
    """An id no row of ``table`` ever had; call inside the write transaction."""
    if table not in NEVER_REUSED:
        raise ValueError(f"no id counter for {table!r}")
    key = f"last_id.{table}"
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    highest = conn.execute(f"SELECT ifnull(max(id), 0) FROM {table}").fetchone()[0]
    new = max(int(row[0]) if row else 0, highest) + 1
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, str(new)),
    )
    return new


def match_groups(new: list[set[int]], old: Mapping[int, set[int]]) -> dict[int, int]:
    """Which old group each new group continues (``new index -> old id``): largest
    overlap first, each old group at most once, only where they share a member. A fresh
    grouping thus keeps the ids (and addresses) of the events it did not change."""
    candidates = sorted(
        (
            (len(members & old_members), -n, old_id)
            for n, members in enumerate(new)
            for old_id, old_members in old.items()
            if members & old_members
        ),
        reverse=True,
    )
    taken_new: dict[int, int] = {}
    taken_old: set[int] = set()
    for _, minus_n, old_id in candidates:
        if -minus_n not in taken_new and old_id not in taken_old:
            taken_new[-minus_n] = old_id
            taken_old.add(old_id)
    return taken_new


# Each entry migrates the schema from version i to i + 1. Never edit a shipped entry: add one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        encoding TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        current INTEGER NOT NULL DEFAULT 1,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX sources_path ON sources(path);
    -- the decoded original text, chunked so huge files never need one huge row
    CREATE TABLE source_chunks (
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        start INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (source_id, seq)
    );

    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'auto' CHECK (origin IN ('auto', 'user')),
        created_at TEXT NOT NULL
    );

    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        part INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL DEFAULT '',
        lang TEXT NOT NULL DEFAULT 'und',
        lang_confidence REAL NOT NULL DEFAULT 0,
        event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
        event_origin TEXT NOT NULL DEFAULT 'auto' CHECK (event_origin IN ('auto', 'user')),
        source_start INTEGER NOT NULL,
        source_end INTEGER NOT NULL,
        chars INTEGER NOT NULL DEFAULT 0,
        current INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        UNIQUE (source_id, part)
    );
    -- cleaned text: the source range minus removed_spans, chunked like source_chunks
    CREATE TABLE document_chunks (
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        start INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (document_id, seq)
    );
    CREATE TABLE removed_spans (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        reason TEXT NOT NULL
    );

    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        norm TEXT NOT NULL,
        lang TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        UNIQUE (document_id, position)
    );
    CREATE INDEX sentences_norm ON sentences(lang, norm);

    -- filled by the translation stage: a cache keyed by model and normalised source text
    CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('translate', 'embed')),
        name TEXT NOT NULL,
        source_lang TEXT NOT NULL DEFAULT '',
        target_lang TEXT NOT NULL DEFAULT '',
        path TEXT NOT NULL,
        checksum TEXT NOT NULL DEFAULT '',
        meta TEXT NOT NULL DEFAULT '{}',
        installed_at TEXT NOT NULL,
        UNIQUE (kind, name)
    );
    CREATE TABLE translations (
        id INTEGER PRIMARY KEY,
        model TEXT NOT NULL,
        source_lang TEXT NOT NULL,
        target_lang TEXT NOT NULL,
        source_norm TEXT NOT NULL,
        text TEXT NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        UNIQUE (model, source_lang, target_lang, source_norm)
    );

    -- filled by the embedding stage: vectors keyed by model and normalised text
    CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_key TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_key)
    ) WITHOUT ROWID;

    -- filled by the alignment stage; links keep user edits with their history
    CREATE TABLE alignments (
        id INTEGER PRIMARY KEY,
        event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
        src_doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        tgt_doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        mode TEXT NOT NULL CHECK (mode IN ('parallel', 'comparable')),
        method TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        UNIQUE (src_doc, tgt_doc)
    );
    CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        alignment_id INTEGER NOT NULL REFERENCES alignments(id) ON DELETE CASCADE,
        src_ids TEXT NOT NULL,
        tgt_ids TEXT NOT NULL,
        score REAL,
        link_type TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'auto'
            CHECK (status IN ('auto', 'confirmed', 'rejected', 'edited')),
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX links_alignment ON links(alignment_id);
    CREATE TABLE link_history (
        id INTEGER PRIMARY KEY,
        link_id INTEGER NOT NULL,
        action TEXT NOT NULL,
        before TEXT,
        after TEXT,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );

    -- resumable work: one row per unit of a stage
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        stage TEXT NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
        detail TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (stage, key)
    );
    CREATE TABLE ingest_log (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    """,
    # 2: link ids are never reused (a stale id from another session must not hit a new
    # link); undo marks the history rows it reverted
    """
    CREATE TABLE links_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alignment_id INTEGER NOT NULL REFERENCES alignments(id) ON DELETE CASCADE,
        src_ids TEXT NOT NULL,
        tgt_ids TEXT NOT NULL,
        score REAL,
        link_type TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'auto'
            CHECK (status IN ('auto', 'confirmed', 'rejected', 'edited')),
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO links_new SELECT * FROM links;
    DROP TABLE links;
    ALTER TABLE links_new RENAME TO links;
    CREATE INDEX links_alignment ON links(alignment_id);
    ALTER TABLE link_history ADD COLUMN undone INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX link_history_link ON link_history(link_id);
    """,
    # 3: threads join related events; the date of each document's and event's happening;
    # a calibrated confidence beside each link's raw score
    """
    CREATE TABLE threads (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    ALTER TABLE events ADD COLUMN thread_id INTEGER REFERENCES threads(id) ON DELETE SET NULL;
    ALTER TABLE events ADD COLUMN date TEXT;
    ALTER TABLE documents ADD COLUMN date TEXT;
    ALTER TABLE links ADD COLUMN confidence REAL;
    """,
    # 4: a history row never points at a missing link: the before/after snapshots keep the
    # edit by value, and link_id becomes NULL when its link goes (merged away, undone)
    """
    CREATE TABLE link_history_new (
        id INTEGER PRIMARY KEY,
        link_id INTEGER REFERENCES links(id) ON DELETE SET NULL,
        action TEXT NOT NULL,
        before TEXT,
        after TEXT,
        actor TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO link_history_new
        SELECT id, (SELECT l.id FROM links l WHERE l.id = h.link_id), action, before, after,
               actor, at, undone
        FROM link_history h;
    DROP TABLE link_history;
    ALTER TABLE link_history_new RENAME TO link_history;
    CREATE INDEX link_history_link ON link_history(link_id);
    """,
    # 5: a job names its unit of work in columns (the document pair, embedder, kind, model,
    # language pair) instead of a string key that readers had to take apart again. Old
    # keys are converted: "S-T|EMBEDDER|KIND" and the older "S-T|EMBEDDER" (align),
    # "SRC->TGT" (translate), "MODEL|SRC->TGT" (translate-ray), "EMBEDDER" (embed-ray);
    # those four stages are the only ones that ever wrote jobs.
    """
    CREATE TABLE jobs_new (
        id INTEGER PRIMARY KEY,
        stage TEXT NOT NULL,
        src_doc INTEGER,
        tgt_doc INTEGER,
        embedder TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        source_lang TEXT NOT NULL DEFAULT '',
        target_lang TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
        detail TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX jobs_unit ON jobs_new(stage, ifnull(src_doc, 0), ifnull(tgt_doc, 0),
        embedder, kind, model, source_lang, target_lang);
    INSERT OR IGNORE INTO jobs_new (stage, src_doc, tgt_doc, embedder, kind, state, detail,
        updated_at)
        SELECT 'align', CAST(substr(pair, 1, instr(pair, '-') - 1) AS INTEGER),
               CAST(substr(pair, instr(pair, '-') + 1) AS INTEGER),
               CASE kind WHEN '' THEN rest ELSE substr(rest, 1, length(rest) - length(kind) - 1)
               END, kind, state, detail, updated_at
        FROM (SELECT substr(key, 1, instr(key, '|') - 1) AS pair,
                     substr(key, instr(key, '|') + 1) AS rest,
                     CASE WHEN key LIKE '%|event' THEN 'event'
                          WHEN key LIKE '%|thread' THEN 'thread' ELSE '' END AS kind,
                     state, detail, updated_at
              FROM jobs WHERE stage = 'align' AND key GLOB '[0-9]*-[0-9]*|*' ORDER BY id);
    INSERT OR IGNORE INTO jobs_new (stage, source_lang, target_lang, state, detail, updated_at)
        SELECT 'translate', substr(key, 1, instr(key, '->') - 1),
               substr(key, instr(key, '->') + 2), state, detail, updated_at
        FROM jobs WHERE stage = 'translate' AND instr(key, '->') > 0 ORDER BY id;
    INSERT OR IGNORE INTO jobs_new (stage, model, source_lang, target_lang, state, detail,
        updated_at)
        SELECT 'translate-ray', substr(prefix, 1, length(prefix) - 1),
               substr(pair, 1, instr(pair, '->') - 1), substr(pair, instr(pair, '->') + 2),
               state, detail, updated_at
        FROM (SELECT rtrim(key, replace(key, '|', '')) AS prefix,
                     substr(key, length(rtrim(key, replace(key, '|', ''))) + 1) AS pair,
                     state, detail, updated_at
              FROM jobs WHERE stage = 'translate-ray' AND key LIKE '%|%->%' ORDER BY id);
    INSERT OR IGNORE INTO jobs_new (stage, embedder, state, detail, updated_at)
        SELECT 'embed-ray', key, state, detail, updated_at
        FROM jobs WHERE stage = 'embed-ray' ORDER BY id;
    DROP TABLE jobs;
    ALTER TABLE jobs_new RENAME TO jobs;
    """,
    # 6: ids of alignments, events and threads are never handed out again (fresh_id): the
    # counters start at the highest id there is, so a pair removed later does not give its
    # id to a new one (ids removed before this version cannot be known)
    """
    INSERT OR IGNORE INTO settings (key, value)
        SELECT 'last_id.alignments', ifnull(max(id), 0) FROM alignments;
    INSERT OR IGNORE INTO settings (key, value)
        SELECT 'last_id.events', ifnull(max(id), 0) FROM events;
    INSERT OR IGNORE INTO settings (key, value)
        SELECT 'last_id.threads', ifnull(max(id), 0) FROM threads;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

_USER_EDITS = """
    SELECT 1 FROM links l JOIN alignments a ON a.id = l.alignment_id
    WHERE a.src_doc = ? AND a.tgt_doc = ? AND l.status != 'auto'
    UNION ALL
    SELECT 1 FROM link_history h JOIN alignments a ON a.id = coalesce(
        json_extract(h.after, '$[0].alignment_id'), json_extract(h.before, '$[0].alignment_id'))
    WHERE a.src_doc = ? AND a.tgt_doc = ? AND h.undone = 0 AND h.action != 'undo'
    LIMIT 1
"""


JOB_STATES = ("running", "done", "failed")


@dataclass(frozen=True)
class JobUnit:
    """One unit of a stage's work, named by columns (never a string a reader takes apart):
    ``align`` a document pair with an embedder, as one event or as related events
    (``kind``); ``translate`` a language pair; ``translate-ray`` a language pair with a
    model; ``embed-ray`` an embedder's texts."""

    stage: str
    src_doc: int | None = None
    tgt_doc: int | None = None
    embedder: str = ""
    kind: str = ""  # align: "event" or "thread"
    model: str = ""
    source_lang: str = ""
    target_lang: str = ""

    def params(self) -> tuple:
        """The values :data:`_JOB_UNIT` binds, in its order."""
        return (
            self.stage,
            self.src_doc or 0,
            self.tgt_doc or 0,
            self.embedder,
            self.kind,
            self.model,
            self.source_lang,
            self.target_lang,
        )


@dataclass(frozen=True)
class JobRow:
    """A ``jobs`` row: the unit, its state (running, done, failed) and ``detail`` (a claim's
    owner, a failure, the model that did it, a Ray job folder)."""

    unit: JobUnit
    state: str
    detail: str
    updated_at: str


# matches one unit; ifnull() as in the jobs_unit index, so the lookup uses it
_JOB_UNIT = (
    "stage = ? AND ifnull(src_doc, 0) = ? AND ifnull(tgt_doc, 0) = ? AND embedder = ?"
    " AND kind = ? AND model = ? AND source_lang = ? AND target_lang = ?"
)


@dataclass(frozen=True)
class ModelRow:
    """An installed translation model as the ``models`` table records it (``path``
    relative to the workspace; ``meta`` its package metadata)."""

    name: str
    source_lang: str
    target_lang: str
    path: str
    checksum: str
    meta: dict


@dataclass(frozen=True)
class CachedTranslation:
    """A translation in the workspace cache, with its quality flags."""

    text: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ExportLink:
    """A stored link as the exports read it: its alignment's documents and the label of
    its event (``thread: LABEL`` for a pair of related events), ids in reading order."""

    src_doc: int
    tgt_doc: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    score: float | None
    confidence: float | None
    link_type: str
    status: str
    event: str


@dataclass(frozen=True)
class DocumentRow:
    id: int
    source_id: int
    part: int
    path: str
    title: str
    lang: str
    lang_confidence: float
    event_id: int | None
    sentences: int
    chars: int
    version: int
    current: bool
    date: str | None = None  # ISO date of the happening the document reports


@dataclass(frozen=True)
class EventRow:
    id: int
    label: str
    reason: str
    origin: str
    date: str | None
    thread_id: int | None
    thread_label: str | None


@dataclass(frozen=True)
class LinkRow:
    """A stored link: one bead of an alignment, with its status and who set it."""

    id: int
    alignment_id: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    score: float | None
    link_type: str
    status: str
    updated_at: str = ""
    updated_by: str = ""
    confidence: float | None = None  # calibrated; None for a link a user made

    def snapshot(self) -> dict:
        """The link as ``link_history`` records it (what undo puts back)."""
        return {
            "id": self.id,
            "alignment_id": self.alignment_id,
            "src_ids": list(self.src_ids),
            "tgt_ids": list(self.tgt_ids),
            "score": self.score,
            "link_type": self.link_type,
            "status": self.status,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "confidence": self.confidence,
        }

    def label(self) -> str:
        """The link as a person counts sentences, from 1 (``[1, 2]-[1]``); ids stay 0-based."""
        return "-".join(
            "[" + ", ".join(str(i + 1) for i in ids) + "]" for ids in (self.src_ids, self.tgt_ids)
        )

    @classmethod
    def from_snapshot(cls, link: Mapping) -> LinkRow:
        """A link from a ``link_history`` snapshot (older ones lack the later fields)."""
        return cls(
            link["id"],
            link["alignment_id"],
            tuple(link["src_ids"]),
            tuple(link["tgt_ids"]),
            link["score"],
            link["link_type"],
            link["status"],
            link.get("updated_at", ""),
            link.get("updated_by", ""),
            link.get("confidence"),
        )


@dataclass(frozen=True)
class LinkEdit:
    """One ``link_history`` row: an edit, the links before and after it (snapshots)."""

    id: int
    action: str
    before: list[dict]
    after: list[dict]
    actor: str
    at: str
    undone: bool


@dataclass(frozen=True)
class SourceRow:
    """An ingested file (one version of it)."""

    id: int
    path: str
    content_hash: str
    format: str
    encoding: str
    size: int
    version: int
    current: bool
    ingested_at: str


@dataclass(frozen=True)
class SentenceRow:
    """A current sentence as search reads it; ``english`` is its translation when asked
    for (empty when there is none)."""

    document_id: int
    position: int
    lang: str
    text: str
    english: str = ""


@dataclass(frozen=True)
class AlignmentRow:
    """An alignment of two documents (``mode``: parallel or comparable)."""

    id: int
    event_id: int | None
    src_doc: int
    tgt_doc: int
    mode: str


@dataclass(frozen=True)
class DocumentLinkRow:
    """A link of an alignment a document is in, with the alignment's documents."""

    alignment_id: int
    event_id: int | None
    src_doc: int
    tgt_doc: int
    link_id: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    status: str
    confidence: float | None = None


@dataclass(frozen=True)
class IngestLogRow:
    """One file an ingest looked at: added, unchanged or skipped (``detail`` says why)."""

    id: int
    path: str
    outcome: str
    detail: str
    at: str


class Workspace:
    """A workspace folder: the database and ``models/``.

    >>> ws = Workspace("my-project")        # created if missing
    >>> [d.title for d in ws.documents()]   # current documents

    A workspace whose folder or database cannot be written (a read-only copy) is
    opened read-only (``read_only`` is then True): it can be read, and every write
    raises :class:`~workbench.errors.WorkspaceReadOnly`. Problems opening it raise
    a :class:`~workbench.errors.WorkspaceError` subclass.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        create: bool = True,
        timeout: float | None = None,
        read_only: bool = False,
    ):
        self.timeout = timeout if timeout is not None else lock_timeout()
        self.path = Path(path).expanduser() if path else default_workspace_path()
        self.db_path = self.path / DB_NAME
        if not self.db_path.exists():
            if self.path.exists() and not self.path.is_dir():
                raise WorkspaceError(f"workspace {self.path} is a file, not a folder")
            if not create:
                raise WorkspaceError(f"no workspace at {self.path} (run `workbench ingest` first)")
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise WorkspaceError(
                    f"cannot create workspace {self.path}: {error.strerror}"
                ) from None
        self.read_only = read_only or not _writable(self.db_path)
        if self.read_only and not self.db_path.exists():
            raise WorkspaceReadOnly(f"cannot create a workspace in {self.path}: read-only folder")
        self.conn = self._connect_read_only() if self.read_only else self._connect()
        self._migrate()

    # --- connection -----------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.db_path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            _refuse_foreign(conn, self.db_path)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = _wal_mode(conn, self.timeout)
            if mode != "wal" and os.access(self.db_path, os.W_OK):
                raise WorkspaceError(f"cannot use WAL journal mode for {self.db_path}")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as error:
            raise _workspace_error(error, self.db_path) from None
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """Open a workspace that cannot be written (a read-only copy): reading only.

        No journal-mode switch and no migration. SQLite needs the ``-shm`` file of a
        WAL database; in a folder it cannot write, a database with no pending
        ``-wal`` content is opened as immutable instead (nothing can change it).
        """
        uri = f"file:{quote(str(self.db_path.resolve()))}?mode=ro"
        wal = self.db_path.with_name(self.db_path.name + "-wal")
        attempts = [uri]
        if not wal.exists() or wal.stat().st_size == 0:
            attempts.append(uri + "&immutable=1")
        for attempt, target in enumerate(attempts, 1):
            try:
                conn = sqlite3.connect(
                    target,
                    uri=True,
                    timeout=self.timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.DatabaseError as error:
                # no -shm can be made: CANTOPEN (read-only mount), READONLY_DIRECTORY (chmod)
                cannot_open = getattr(error, "sqlite_errorname", "").startswith(
                    ("SQLITE_CANTOPEN", "SQLITE_READONLY")
                )
                if cannot_open and attempt == len(attempts) and len(attempts) == 1:
                    raise WorkspaceReadOnly(
                        f"workspace {self.path} is read-only and {wal.name} holds changes not "
                        "yet in the database; open it once where it can be written"
                    ) from None
                if attempt == len(attempts) or not cannot_open:
                    raise _workspace_error(error, self.db_path) from None
        raise AssertionError("unreachable")

    def _migrate(self) -> None:
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise WorkspaceTooNew(
                    f"workspace {self.path} has schema {version}, newer than this workbench "
                    f"({SCHEMA_VERSION}); upgrade workbench"
                )
            if version < SCHEMA_VERSION and self.read_only:
                raise WorkspaceReadOnly(
                    f"workspace {self.path} is read-only and was made by an older workbench "
                    f"(schema {version}); open a writable copy once to upgrade it"
                )
            for target in range(version, SCHEMA_VERSION):
                self._apply_migration(target)
        except sqlite3.DatabaseError as error:
            raise _workspace_error(error, self.db_path) from None

    def _apply_migration(self, target: int) -> None:
        """Run migration ``target`` and bump ``user_version`` in one write transaction.

        The version is read again once the write lock is held: two processes opening a
        new (or old) workspace at once both saw the old version, and the second one
        applied the migrations the first had just applied (``table settings already
        exists``; once, a schema left one version ahead of its number)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            if self.conn.execute("PRAGMA user_version").fetchone()[0] > target:
                self.conn.execute("COMMIT")  # another process got there first
                return
            for statement in sql_statements(MIGRATIONS[target]):
                self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {target + 1}")
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def models_dir(self) -> Path:
        return self._folder("models")

    def _folder(self, name: str) -> Path:
        folder = self.path / name
        if self.read_only:  # a read-only copy is read as it is
            return folder
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            raise os_error(error) or WorkspaceError(
                f"cannot create {folder}: {error.strerror}"
            ) from None
        return folder

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes: an interrupted ingest leaves no half document behind.

        A lock held too long, a read-only workspace or a full disk come out as the
        matching :class:`WorkspaceError` (SQLite has already rolled back after a
        full disk, so the rollback here only runs while a transaction is open).
        """
        if self.read_only:
            raise WorkspaceReadOnly(f"workspace {self.path} is read-only: nothing was changed")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as error:
            raise _workspace_error(error, self.db_path) from None
        try:
            yield self.conn
        except BaseException as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError):
                problem = sqlite_error(error, self.db_path)
                if problem is not None:
                    raise problem from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _workspace_error(error, self.db_path) from None

    # --- settings ------------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- sources and documents ----------------------------------------------------------------

    def source_by_hash(self, content_hash: str) -> SourceRow | None:
        row = self.conn.execute(
            "SELECT * FROM sources WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return _record(SourceRow, row, current=bool(row["current"])) if row else None

    def add_source(self, source: Source) -> int:
        """Insert a source as the current version of its path; older versions stay, marked old.

        Must be called inside :meth:`transaction`.
        """
        previous = self.conn.execute(
            "SELECT MAX(version) FROM sources WHERE path = ?", (source.path,)
        ).fetchone()[0]
        self.conn.execute("UPDATE sources SET current = 0 WHERE path = ?", (source.path,))
        self.conn.execute(
            "UPDATE documents SET current = 0 WHERE source_id IN "
            "(SELECT id FROM sources WHERE path = ?)",
            (source.path,),
        )
        cursor = self.conn.execute(
            "INSERT INTO sources(path, content_hash, format, encoding, size, version, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                source.path,
                source.content_hash,
                source.format,
                source.encoding,
                source.size,
                (previous or 0) + 1,
                now(),
            ),
        )
        source_id = cursor.lastrowid
        if source.text is not None:
            self.append_source_text(source_id, source.text, 0, 0)
        return source_id

    def append_source_text(self, source_id: int, text: str, seq: int, start: int) -> None:
        self._append_chunks("source_chunks", "source_id", source_id, text, seq, start)

    def append_document_text(self, document_id: int, text: str, seq: int, start: int) -> None:
        self._append_chunks("document_chunks", "document_id", document_id, text, seq, start)

    def _append_chunks(
        self, table: str, key: str, owner: int, text: str, seq: int, start: int
    ) -> None:
        rows = [
            (owner, seq + i, start + offset, text[offset : offset + CHUNK_CHARS])
            for i, offset in enumerate(range(0, max(len(text), 1), CHUNK_CHARS))
        ]
        self.conn.executemany(
            f"INSERT INTO {table}({key}, seq, start, text) VALUES (?, ?, ?, ?)", rows
        )

    def add_document(self, source_id: int, document: Document, *, path: str) -> int:
        """Insert a document (text, removed spans, sentences). Call inside :meth:`transaction`.

        A user's event choice for the same part of an older version of the file carries over.
        """
        carried = self.conn.execute(
            "SELECT d.event_id FROM documents d JOIN sources s ON s.id = d.source_id "
            "WHERE s.path = ? AND d.part = ? AND d.event_origin = 'user'"
            " ORDER BY s.version DESC LIMIT 1",
            (path, document.part),
        ).fetchone()
        cursor = self.conn.execute(
            "INSERT INTO documents(source_id, part, title, lang, lang_confidence, event_id,"
            " event_origin, source_start, source_end, chars, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source_id,
                document.part,
                document.title,
                document.lang,
                document.lang_confidence,
                carried[0] if carried else None,
                "user" if carried else "auto",
                document.source_start,
                document.source_end,
                len(document.text),
                now(),
            ),
        )
        document_id = cursor.lastrowid
        if document.text:
            self.append_document_text(document_id, document.text, 0, 0)
        self.add_removed(document_id, document.removed)
        self.add_sentences(document_id, document.sentences)
        return document_id

    def add_removed(self, document_id: int, spans: Iterable[Span]) -> None:
        self.conn.executemany(
            "INSERT INTO removed_spans(document_id, start, end, reason) VALUES (?, ?, ?, ?)",
            [(document_id, s.start, s.end, s.reason) for s in spans],
        )

    def add_sentences(self, document_id: int, sentences: Iterable[Sentence]) -> None:
        self.conn.executemany(
            "INSERT INTO sentences(document_id, position, text, norm, lang, start, end)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(document_id, s.position, s.text, s.norm, s.lang, s.start, s.end) for s in sentences],
        )

    def update_document(self, document_id: int, **fields: object) -> None:
        allowed = {"title", "lang", "lang_confidence", "chars", "source_end"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot update {sorted(set(fields) - allowed)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)  # names from the allow-list
        self.conn.execute(
            f"UPDATE documents SET {assignments} WHERE id = ?", (*fields.values(), document_id)
        )

    def log_ingest(self, path: str, outcome: str, detail: str = "") -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ingest_log(path, outcome, detail, at) VALUES (?, ?, ?, ?)",
                (path, outcome, detail, now()),
            )

    # --- jobs ---------------------------------------------------------------------------------

    def record_job(self, unit: JobUnit, state: str, detail: str = "") -> None:
        """Remember a unit of a stage's work (what resumes skip, and what the app shows)."""
        if state not in JOB_STATES:
            raise ValueError(f"unknown job state {state!r}")
        with self.transaction():
            self._put_job(unit, state, detail)

    def _put_job(self, unit: JobUnit, state: str, detail: str) -> None:
        self.conn.execute(
            "INSERT INTO jobs(stage, src_doc, tgt_doc, embedder, kind, model, source_lang,"
            " target_lang, state, detail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(stage, ifnull(src_doc, 0), ifnull(tgt_doc, 0), embedder, kind, model,"
            " source_lang, target_lang) DO UPDATE SET state = excluded.state,"
            " detail = excluded.detail, updated_at = excluded.updated_at",
            (
                unit.stage,
                unit.src_doc,
                unit.tgt_doc,
                unit.embedder,
                unit.kind,
                unit.model,
                unit.source_lang,
                unit.target_lang,
                state,
                detail,
                now(),
            ),
        )

    def job(self, unit: JobUnit) -> JobRow | None:
        row = self.conn.execute(f"SELECT * FROM jobs WHERE {_JOB_UNIT}", unit.params()).fetchone()
        return _job_row(row) if row is not None else None

    def job_state(self, unit: JobUnit) -> str | None:
        job = self.job(unit)
        return job.state if job is not None else None

    def jobs(self, stage: str, state: str | None = None) -> list[JobRow]:
        """A stage's jobs (in one state when given), oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM jobs WHERE stage = ? AND (? IS NULL OR state = ?) ORDER BY id",
            (stage, state, state),
        )
        return [_job_row(r) for r in rows]

    def claim_job(self, unit: JobUnit, token: str, alive: Callable[[JobRow], bool]) -> str:
        """Claim a unit for a run (state ``running``, ``token`` as detail) in one write
        transaction: ``claimed``, or ``done``, or ``busy`` when a running claim is
        ``alive`` (a stale one, its run gone, is taken over)."""
        with self.transaction():
            job = self.job(unit)
            if job is not None and job.state == "done":
                return "done"
            if job is not None and job.state == "running" and alive(job):
                return "busy"
            self._put_job(unit, "running", token)
        return "claimed"

    def release_claims(self, units: Iterable[JobUnit], token: str) -> None:
        """Drop the claims ``token`` holds on ``units`` that were not finished."""
        with self.transaction() as conn:
            conn.executemany(
                f"DELETE FROM jobs WHERE {_JOB_UNIT} AND state = 'running' AND detail = ?",
                [(*unit.params(), token) for unit in units],
            )

    def forget_align_jobs(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Make the next run align these document pairs again, whatever embedder and kind
        did them before (claims being worked on stay)."""
        with self.transaction():
            for src_doc, tgt_doc in pairs:
                self._forget_align_jobs(src_doc, tgt_doc)

    def _forget_align_jobs(self, src_doc: int, tgt_doc: int) -> None:
        self.conn.execute(
            "DELETE FROM jobs WHERE stage = 'align' AND src_doc = ? AND tgt_doc = ?"
            " AND state != 'running'",
            (src_doc, tgt_doc),
        )

    # --- alignments -----------------------------------------------------------------------

    def alignment_has_user_edits(self, src_doc: int, tgt_doc: int) -> bool:
        """A link a user confirmed, rejected or edited, or an edit in ``link_history`` that
        was not undone: such an alignment is never replaced automatically."""
        return self.conn.execute(_USER_EDITS, (src_doc, tgt_doc) * 2).fetchone() is not None

    def save_alignment(
        self,
        *,
        event_id: int | None,
        src_doc: int,
        tgt_doc: int,
        mode: str,
        method: str,
        params: dict,
        links: Iterable[tuple[list[int], list[int], float | None, str, float | None]],
    ) -> int | None:
        """Replace the automatic alignment of two documents (one transaction); return its id,
        or None when a user has edited the pair's alignment: then nothing is replaced.

        ``links`` are ``(src_ids, tgt_ids, score, link_type, confidence)``; stored with
        status ``auto``. The check for user edits runs inside the write transaction that
        replaces the links (edits take the same lock), so an edit saved while the pair was
        being aligned is never deleted.
        """
        stamp = now()
        with self.transaction() as conn:
            if self.alignment_has_user_edits(src_doc, tgt_doc):
                return None
            row = conn.execute(
                "SELECT id FROM alignments WHERE src_doc = ? AND tgt_doc = ?", (src_doc, tgt_doc)
            ).fetchone()
            if row is not None:  # aligned again: same id (addresses hold), new links
                alignment_id = row["id"]
                conn.execute("DELETE FROM links WHERE alignment_id = ?", (alignment_id,))
                conn.execute(
                    "UPDATE alignments SET event_id = ?, mode = ?, method = ?, params = ?,"
                    " created_at = ? WHERE id = ?",
                    (event_id, mode, method, dumps(params), stamp, alignment_id),
                )
            else:
                alignment_id = fresh_id(conn, "alignments")
                conn.execute(
                    "INSERT INTO alignments (id, event_id, src_doc, tgt_doc, mode, method,"
                    " params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (alignment_id, event_id, src_doc, tgt_doc, mode, method, dumps(params), stamp),
                )
            conn.executemany(
                "INSERT INTO links (alignment_id, src_ids, tgt_ids, score, link_type, confidence,"
                " status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'auto', ?)",
                [
                    (alignment_id, dumps(src), dumps(tgt), score, kind, confidence, stamp)
                    for src, tgt, score, kind, confidence in links
                ],
            )
        return alignment_id

    def remove_auto_alignment(self, src_doc: int, tgt_doc: int) -> bool | None:
        """Remove the pair's alignment (whether there was one), or None when a user has
        edited it: then it stays. The check runs inside the write transaction."""
        with self.transaction() as conn:
            if self.alignment_has_user_edits(src_doc, tgt_doc):
                return None
            removed = conn.execute(
                "DELETE FROM alignments WHERE src_doc = ? AND tgt_doc = ?", (src_doc, tgt_doc)
            ).rowcount
        return bool(removed)

    # --- link edits (edit.py) ----------------------------------------------------------------
    # The statements of :mod:`workbench.edit`; its checks and rules stay there. An edit
    # runs these inside one ``transaction()`` (the writes refuse to run outside one), so
    # what it checked is what it changes, and a refused edit leaves nothing behind.

    def alignment_links(self, alignment_id: int) -> list[LinkRow]:
        """An alignment's links, in no particular order."""
        rows = self.conn.execute("SELECT * FROM links WHERE alignment_id = ?", (alignment_id,))
        return [_link_row(r) for r in rows.fetchall()]

    def link(self, link_id: int) -> LinkRow | None:
        row = self.conn.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
        return _link_row(row) if row is not None else None

    def alignment_shape(self, alignment_id: int) -> tuple[str, int, int] | None:
        """An alignment's mode and its source and target documents' sentence counts."""
        row = self.conn.execute(
            "SELECT mode, (SELECT COUNT(*) FROM sentences WHERE document_id = a.src_doc),"
            " (SELECT COUNT(*) FROM sentences WHERE document_id = a.tgt_doc)"
            " FROM alignments a WHERE id = ?",
            (alignment_id,),
        ).fetchone()
        return (row[0], row[1], row[2]) if row is not None else None

    def insert_link(
        self,
        alignment_id: int,
        src_ids: Iterable[int],
        tgt_ids: Iterable[int],
        *,
        score: float | None,
        link_type: str,
        status: str,
        actor: str,
    ) -> int:
        """A new link made by a user (no confidence); returns its id."""
        return (
            self._editing()
            .execute(
                "INSERT INTO links (alignment_id, src_ids, tgt_ids, score, link_type, status,"
                " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alignment_id,
                    dumps(list(src_ids)),
                    dumps(list(tgt_ids)),
                    score,
                    link_type,
                    status,
                    now(),
                    actor,
                ),
            )
            .lastrowid
        )

    def restore_link(self, link: LinkRow) -> None:
        """Put a link back exactly as history recorded it (same id, same fields)."""
        self._editing().execute(
            "INSERT INTO links (id, alignment_id, src_ids, tgt_ids, score, link_type,"
            " status, updated_at, updated_by, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                link.id,
                link.alignment_id,
                dumps(list(link.src_ids)),
                dumps(list(link.tgt_ids)),
                link.score,
                link.link_type,
                link.status,
                link.updated_at or now(),
                link.updated_by,
                link.confidence,
            ),
        )

    def delete_links(self, link_ids: Iterable[int]) -> None:
        self._editing().executemany(
            "DELETE FROM links WHERE id = ?", [(link_id,) for link_id in link_ids]
        )

    def set_link_status(self, link_id: int, status: str, actor: str) -> None:
        self._editing().execute(
            "UPDATE links SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?",
            (status, now(), actor, link_id),
        )

    def record_link_edit(
        self, action: str, before: list[dict], after: list[dict], actor: str
    ) -> None:
        """A ``link_history`` row: the links before and after an edit, as snapshots. It
        points at the first link after the edit (one that exists; the history itself
        keeps links by value)."""
        link_id = after[0]["id"] if after else None
        self._editing().execute(
            "INSERT INTO link_history (link_id, action, before, after, actor, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (link_id, action, dumps(before), dumps(after), actor, now()),
        )

    def latest_merge(self, link_id: int) -> LinkEdit | None:
        """The latest merge, not undone, that made the link ``link_id`` (found by the
        snapshot's id: ``link_id`` goes NULL while the link is away)."""
        row = self.conn.execute(
            "SELECT * FROM link_history WHERE action = 'merge' AND undone = 0"
            " AND json_extract(after, '$[0].id') = ? ORDER BY id DESC LIMIT 1",
            (link_id,),
        ).fetchone()
        return _link_edit(row) if row is not None else None

    def edit_to_undo(self, alignment_id: int, actor: str | None = None) -> LinkEdit | None:
        """The latest edit in an alignment (by ``actor`` when given) that is not undone and
        not an undo itself: what an undo reverts. Its alignment is the one of its first
        link after the edit, else before it."""
        row = self.conn.execute(
            "SELECT * FROM link_history WHERE action != 'undo' AND undone = 0"
            + (" AND actor = ?" if actor is not None else "")
            + " AND coalesce(json_extract(after, '$[0].alignment_id'),"
            " json_extract(before, '$[0].alignment_id')) = ? ORDER BY id DESC LIMIT 1",
            (*([actor] if actor is not None else []), alignment_id),
        ).fetchone()
        return _link_edit(row) if row is not None else None

    def mark_undone(self, edit_id: int) -> None:
        self._editing().execute("UPDATE link_history SET undone = 1 WHERE id = ?", (edit_id,))

    def _editing(self) -> sqlite3.Connection:
        """The connection, inside the edit's open ``transaction()``: a link edit written
        outside one would skip its checks' lock."""
        if not self.conn.in_transaction:
            raise RuntimeError("link edits are written inside Workspace.transaction()")
        return self.conn

    # --- events and threads -------------------------------------------------------------

    def auto_grouped_document_ids(self) -> set[int]:
        """Current documents whose event the grouping may change (not a user's choice)."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE current = 1 AND event_origin = 'auto'"
        )
        return {r[0] for r in rows}

    def replace_auto_events(self, threads, dates: dict[int, str | None]) -> dict[int, int]:
        """Store a fresh automatic grouping (``ThreadGroup``s from :mod:`workbench.events`)
        and each document's date, in one transaction. Events a user made stay, and so do
        the documents a user placed. A new event that continues an old one (shares most
        of its documents) keeps the old id, so addresses stay valid and a document a user
        moved into it stays with the documents it was moved to; so do threads. Ids of
        events that go are never handed out again. Returns ``document id -> event id``."""
        placed: dict[int, int] = {}
        stamp = now()
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE documents SET date = ? WHERE id = ?",
                [(value, doc_id) for doc_id, value in dates.items()],
            )
            old_members: dict[int, set[int]] = {}
            old_thread: dict[int, int | None] = {}
            for row in conn.execute("SELECT id, thread_id FROM events WHERE origin = 'auto'"):
                old_members[row["id"]] = set()
                old_thread[row["id"]] = row["thread_id"]
            for row in conn.execute(
                "SELECT id, event_id FROM documents WHERE event_origin = 'auto' AND current = 1"
                " AND event_id IS NOT NULL"
            ):
                old_members.setdefault(row["event_id"], set()).add(row["id"])
            conn.execute(
                "UPDATE documents SET event_id = NULL WHERE event_origin = 'auto' AND current = 1"
            )
            events = [event for thread in threads for event in thread.events]
            continues = match_groups([set(e.document_ids) for e in events], old_members)
            event_ids: list[int] = []
            n = 0
            used_threads: set[int] = set()
            for thread in threads:
                mine = range(n, n + len(thread.events))
                n += len(thread.events)
                thread_id = self._keep_thread(
                    conn, thread, [old_thread.get(continues.get(k)) for k in mine], used_threads
                )
                for k, event in zip(mine, thread.events, strict=True):
                    event_id = continues.get(k)
                    if event_id is None:
                        event_id = fresh_id(conn, "events")
                        conn.execute(
                            "INSERT INTO events (id, label, reason, origin, created_at,"
                            " thread_id, date) VALUES (?, ?, ?, 'auto', ?, ?, ?)",
                            (event_id, event.label, event.reason, stamp, thread_id, event.date),
                        )
                    else:
                        conn.execute(
                            "UPDATE events SET label = ?, reason = ?, thread_id = ?, date = ?"
                            " WHERE id = ?",
                            (event.label, event.reason, thread_id, event.date, event_id),
                        )
                    event_ids.append(event_id)
                    conn.executemany(
                        "UPDATE documents SET event_id = ? WHERE id = ?",
                        [(event_id, doc_id) for doc_id in event.document_ids],
                    )
                    placed.update(dict.fromkeys(event.document_ids, event_id))
            conn.execute(
                "DELETE FROM events WHERE origin = 'auto'"
                " AND id NOT IN (SELECT event_id FROM documents WHERE event_id IS NOT NULL)"
            )
            conn.execute(
                "DELETE FROM threads WHERE id NOT IN"
                " (SELECT thread_id FROM events WHERE thread_id IS NOT NULL)"
            )
        return placed

    @staticmethod
    def _keep_thread(conn, thread, old_ids: list[int | None], used: set[int]) -> int:
        """The id for a new thread: the old thread most of its continued events were in
        (each old thread once), updated in place; else a fresh one."""
        counts: dict[int, int] = {}
        for old in old_ids:
            if old is not None and old not in used:
                counts[old] = counts.get(old, 0) + 1
        if counts:
            thread_id = max(counts, key=lambda t: (counts[t], -t))
            used.add(thread_id)
            conn.execute(
                "UPDATE threads SET label = ?, reason = ? WHERE id = ?",
                (thread.label, thread.reason, thread_id),
            )
            return thread_id
        thread_id = fresh_id(conn, "threads")
        conn.execute(
            "INSERT INTO threads (id, label, reason, created_at) VALUES (?, ?, ?, ?)",
            (thread_id, thread.label, thread.reason, now()),
        )
        return thread_id

    def move_document(self, document_id: int, event_id: int | None) -> int:
        """Put a document in another event, or a new one in the document's thread; the
        user's choice, never regrouped."""
        with self.transaction() as conn:
            doc = conn.execute(
                "SELECT d.title, d.date, e.thread_id FROM documents d"
                " LEFT JOIN events e ON e.id = d.event_id WHERE d.id = ?",
                (document_id,),
            ).fetchone()
            if doc is None:
                raise WorkspaceError(f"no document {document_id} in this workspace")
            if event_id is None:
                label = " ".join(doc["title"].split()[:12]) or f"document {document_id}"
                event_id = fresh_id(conn, "events")
                conn.execute(
                    "INSERT INTO events (id, label, reason, origin, created_at, thread_id, date)"
                    " VALUES (?, ?, 'made by a user', 'user', ?, ?, ?)",
                    (event_id, label, now(), doc["thread_id"], doc["date"]),
                )
            conn.execute(
                "UPDATE documents SET event_id = ?, event_origin = 'user' WHERE id = ?",
                (event_id, document_id),
            )
        return event_id

    def events(self) -> list[EventRow]:
        rows = self.conn.execute(
            "SELECT e.id, e.label, e.reason, e.origin, e.date, e.thread_id,"
            " t.label AS thread_label FROM events e LEFT JOIN threads t ON t.id = e.thread_id"
            " ORDER BY e.id"
        )
        return [
            EventRow(
                r["id"],
                r["label"],
                r["reason"],
                r["origin"],
                r["date"],
                r["thread_id"],
                r["thread_label"],
            )
            for r in rows
        ]

    # --- alignments after a regrouping -------------------------------------------------------

    def regroup_alignments(self, wanted: Mapping[tuple[int, int], int | None]) -> int:
        """Point each alignment of a ``wanted`` ``(src_doc, tgt_doc)`` at its event (None for
        a pair of related events); remove the automatic alignments of every other pair,
        and their jobs, so the pair is aligned again if it comes back. Alignments a user
        edited stay. One transaction; returns how many were removed."""
        removed = 0
        with self.transaction() as conn:
            for row in conn.execute("SELECT id, src_doc, tgt_doc FROM alignments").fetchall():
                pair = (row["src_doc"], row["tgt_doc"])
                if pair in wanted:
                    conn.execute(
                        "UPDATE alignments SET event_id = ? WHERE id = ?", (wanted[pair], row["id"])
                    )
                elif not self.alignment_has_user_edits(*pair):
                    conn.execute("DELETE FROM alignments WHERE id = ?", (row["id"],))
                    self._forget_align_jobs(*pair)
                    removed += 1
        return removed

    # --- translation cache --------------------------------------------------------------------

    def cached_translations(
        self, model: str, source_lang: str, target_lang: str, norms: Iterable[str]
    ) -> dict[str, CachedTranslation]:
        """``normalised source -> translation`` for the ``norms`` the cache holds."""
        found = {}
        for batch, marks in in_batches(list(dict.fromkeys(norms))):
            rows = self.conn.execute(
                "SELECT source_norm, text, flags FROM translations WHERE model = ?"
                " AND source_lang = ? AND target_lang = ? AND source_norm IN (" + marks + ")",
                (model, source_lang, target_lang, *batch),
            )
            for norm, text, flags in rows:
                found[norm] = CachedTranslation(text, tuple(json.loads(flags) if flags else ()))
        return found

    def store_translations(
        self,
        model: str,
        source_lang: str,
        target_lang: str,
        translations: Mapping[str, CachedTranslation],
    ) -> None:
        """Cache translations (``normalised source -> translation``) in one transaction."""
        stamp = now()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO translations(model, source_lang, target_lang,"
                " source_norm, text, flags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (model, source_lang, target_lang, norm, t.text, dumps(list(t.flags)), stamp)
                    for norm, t in translations.items()
                ],
            )

    def untranslated_sentences(self, lang: str, model: str, target_lang: str = "en") -> list[str]:
        """One original text per distinct normalised current sentence of ``lang`` that
        ``model`` has not translated yet."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT MIN(s.text) FROM sentences s JOIN documents d ON d.id = s.document_id"
                " WHERE d.current = 1 AND s.lang = ? AND NOT EXISTS (SELECT 1 FROM translations"
                " t WHERE t.model = ? AND t.source_lang = s.lang AND t.target_lang = ?"
                " AND t.source_norm = s.norm) GROUP BY s.norm",
                (lang, model, target_lang),
            )
        ]

    def source_languages(self, target_lang: str = "en") -> list[str]:
        """The languages of current sentences that would be translated into ``target_lang``
        (neither it nor undetermined)."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT s.lang FROM sentences s JOIN documents d ON d.id = s.document_id"
                " WHERE d.current = 1 AND s.lang NOT IN (?, 'und') ORDER BY s.lang",
                (target_lang,),
            )
        ]

    # --- embedding cache ----------------------------------------------------------------------

    def cached_vectors(self, model: str, dim: int, keys: Iterable[str]) -> dict[str, bytes]:
        """``text key -> float32 vector bytes`` for the ``keys`` the cache holds for
        ``model`` at size ``dim``."""
        found = {}
        for batch, marks in in_batches(list(keys)):
            rows = self.conn.execute(
                "SELECT text_key, vector FROM embeddings WHERE model = ? AND dim = ?"
                " AND text_key IN (" + marks + ")",
                (model, dim, *batch),
            )
            found.update((key, blob) for key, blob in rows)
        return found

    def store_vectors(self, model: str, dim: int, vectors: Mapping[str, bytes]) -> None:
        """Cache vectors (``text key -> float32 bytes``) in one transaction."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_key, dim, vector)"
                " VALUES (?, ?, ?, ?)",
                [(model, key, dim, blob) for key, blob in vectors.items()],
            )

    def embedding_keys(self) -> set[str]:
        """The text keys of every cached vector, whatever the model."""
        return {row[0] for row in self.conn.execute("SELECT text_key FROM embeddings")}

    # --- translation models -------------------------------------------------------------------

    def translation_models(self) -> list[ModelRow]:
        """Installed translation models, by language pair and name."""
        rows = self.conn.execute(
            "SELECT * FROM models WHERE kind = 'translate' ORDER BY source_lang, target_lang, name"
        )
        return [_model_row(r) for r in rows]

    def translation_model(self, name: str) -> ModelRow | None:
        row = self.conn.execute(
            "SELECT * FROM models WHERE kind = 'translate' AND name = ?", (name,)
        ).fetchone()
        return _model_row(row) if row is not None else None

    def model_paths(self) -> set[str]:
        """The folders (relative to the workspace) of every recorded model."""
        return {row[0] for row in self.conn.execute("SELECT path FROM models")}

    def record_translation_model(self, model: ModelRow) -> None:
        """Record an installed model, replacing one of the same name. Call inside
        :meth:`transaction` (the install moves its folder under the same lock)."""
        self.conn.execute(
            "INSERT INTO models(kind, name, source_lang, target_lang, path, checksum, meta,"
            " installed_at) VALUES ('translate', ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(kind, name) DO UPDATE SET source_lang = excluded.source_lang,"
            " target_lang = excluded.target_lang, path = excluded.path,"
            " checksum = excluded.checksum, meta = excluded.meta,"
            " installed_at = excluded.installed_at",
            (
                model.name,
                model.source_lang,
                model.target_lang,
                model.path,
                model.checksum,
                dumps(model.meta),
                now(),
            ),
        )

    def remove_translation_model(self, name: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM models WHERE kind = 'translate' AND name = ?", (name,))

    # --- what the exports read ----------------------------------------------------------------

    def export_links(
        self,
        *,
        event: int | None = None,
        min_confidence: float | None = None,
        include_rejected: bool = False,
    ) -> list[ExportLink]:
        """Every stored link (user edits included), in event, document and link order:
        of one event when given; reaching ``min_confidence`` or confirmed or edited by a
        user; rejected ones only when asked for."""
        query = (
            "SELECT l.src_ids, l.tgt_ids, l.score, l.confidence, l.link_type, l.status,"
            " a.src_doc, a.tgt_doc,"
            " COALESCE(e.label, 'thread: ' || t.label, '') AS event"
            " FROM links l JOIN alignments a ON a.id = l.alignment_id"
            " LEFT JOIN events e ON e.id = a.event_id"
            " LEFT JOIN documents sd ON sd.id = a.src_doc"
            " LEFT JOIN events se ON se.id = sd.event_id"
            " LEFT JOIN threads t ON t.id = se.thread_id WHERE 1 = 1"
        )
        params: list[object] = []
        if event is not None:
            query += " AND a.event_id = ?"
            params.append(event)
        if min_confidence is not None:
            query += f" AND {shown_at_sql('l')}"
            params.append(min_confidence)
        if not include_rejected:
            query += " AND l.status != 'rejected'"
        query += " ORDER BY a.event_id, a.src_doc, a.tgt_doc, l.id"
        return [
            _record(
                ExportLink,
                r,
                src_ids=tuple(json.loads(r["src_ids"])),
                tgt_ids=tuple(json.loads(r["tgt_ids"])),
            )
            for r in self.conn.execute(query, params).fetchall()
        ]

    # --- what the ingester and the benchmarks read and write ---------------------------------

    def has_source_path(self, path: str) -> bool:
        """Whether some version of the file at ``path`` was ingested before."""
        return (
            self.conn.execute("SELECT 1 FROM sources WHERE path = ? LIMIT 1", (path,)).fetchone()
            is not None
        )

    def add_event(self, label: str, reason: str, document_ids: Iterable[int]) -> int:
        """A new automatic event holding ``document_ids`` (the benchmarks build workspaces
        with it, without the grouping); returns its id."""
        with self.transaction() as conn:
            event_id = fresh_id(conn, "events")
            conn.execute(
                "INSERT INTO events (id, label, reason, origin, created_at)"
                " VALUES (?, ?, ?, 'auto', ?)",
                (event_id, label, reason, now()),
            )
            conn.executemany(
                "UPDATE documents SET event_id = ? WHERE id = ?",
                [(event_id, doc_id) for doc_id in document_ids],
            )
        return event_id

    def link_statuses(self) -> dict[str, int]:
        """``status -> how many links have it`` (auto, confirmed, rejected, edited)."""
        return dict(self.conn.execute("SELECT status, COUNT(*) FROM links GROUP BY status"))

    # --- reading ------------------------------------------------------------------------------

    def documents(self, *, include_old: bool = False) -> list[DocumentRow]:
        """Documents with their sentence counts; only current versions unless ``include_old``."""
        rows = self.conn.execute(
            "SELECT d.*, s.path, s.version,"
            " (SELECT COUNT(*) FROM sentences WHERE document_id = d.id) AS n_sentences"
            " FROM documents d JOIN sources s ON s.id = d.source_id"
            + ("" if include_old else " WHERE d.current = 1")
            + " ORDER BY s.path, s.version, d.part"
        ).fetchall()
        return [
            DocumentRow(
                r["id"],
                r["source_id"],
                r["part"],
                r["path"],
                r["title"],
                r["lang"],
                r["lang_confidence"],
                r["event_id"],
                r["n_sentences"],
                r["chars"],
                r["version"],
                bool(r["current"]),
                r["date"],
            )
            for r in rows
        ]

    def document_text(self, document_id: int) -> str:
        return "".join(
            r[0]
            for r in self.conn.execute(
                "SELECT text FROM document_chunks WHERE document_id = ? ORDER BY seq",
                (document_id,),
            )
        )

    def source_text(self, source_id: int) -> str:
        return "".join(
            r[0]
            for r in self.conn.execute(
                "SELECT text FROM source_chunks WHERE source_id = ? ORDER BY seq", (source_id,)
            )
        )

    def removed_spans(self, document_id: int) -> list[Span]:
        return [
            Span(r["start"], r["end"], r["reason"])
            for r in self.conn.execute(
                "SELECT start, end, reason FROM removed_spans WHERE document_id = ? ORDER BY start",
                (document_id,),
            )
        ]

    def sentences(self, document_id: int) -> list[Sentence]:
        return [
            Sentence(
                text=r["text"],
                start=r["start"],
                end=r["end"],
                norm=r["norm"],
                lang=r["lang"],
                position=r["position"],
            )
            for r in self.conn.execute(
                "SELECT * FROM sentences WHERE document_id = ? ORDER BY position", (document_id,)
            )
        ]

    def sentence_translations(
        self, document_id: int, target_lang: str = "en"
    ) -> dict[int, tuple[str, list[str], str]]:
        """``position -> (translation, flags, model)`` for a document's translated sentences."""
        rows = self.conn.execute(
            "SELECT s.position, t.text, t.flags, t.model FROM sentences s"
            " JOIN translations t ON t.source_lang = s.lang AND t.source_norm = s.norm"
            " AND t.target_lang = ? WHERE s.document_id = ? ORDER BY t.id",
            (target_lang, document_id),
        )
        return {r[0]: (r[1], json.loads(r[2]), r[3]) for r in rows}

    def ingest_log(self, limit: int = 100) -> list[IngestLogRow]:
        """The latest ``limit`` files ingests looked at, latest first."""
        rows = self.conn.execute("SELECT * FROM ingest_log ORDER BY id DESC LIMIT ?", (limit,))
        return [_record(IngestLogRow, r) for r in rows]

    def counts(self) -> dict[str, int]:
        tables = ("sources", "documents", "sentences", "translations", "embeddings", "links")
        return {t: self.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    def status(self) -> list[dict]:
        """One JSON-ready record per current document (what ``workbench status`` prints)."""
        events = {e.id: e for e in self.events()}

        def event(d: DocumentRow) -> str | None:
            e = events.get(d.event_id) if d.event_id else None
            return f"{e.id}: {e.label}" if e else None

        def thread(d: DocumentRow) -> str | None:
            e = events.get(d.event_id) if d.event_id else None
            return f"{e.thread_id}: {e.thread_label}" if e and e.thread_id else None

        return [
            {
                "id": d.id,
                "path": d.path,
                "part": d.part,
                "title": d.title,
                "lang": d.lang,
                "sentences": d.sentences,
                "chars": d.chars,
                "version": d.version,
                "event": event(d),
                "thread": thread(d),
                "date": d.date,
                "sentence_langs": self.sentence_languages(d.id),
            }
            for d in self.documents()
        ]

    def sentence_languages(self, document_id: int) -> dict[str, int]:
        return dict(
            self.conn.execute(
                "SELECT lang, COUNT(*) FROM sentences WHERE document_id = ? GROUP BY lang"
                " ORDER BY COUNT(*) DESC",
                (document_id,),
            ).fetchall()
        )

    # --- what the app's search and export pages read -----------------------------------------

    def event_labels(self) -> dict[int, str]:
        """``event id -> label`` for every event."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, label FROM events ORDER BY id")}

    def current_languages(self) -> list[str]:
        """The languages of the current documents' sentences."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT s.lang FROM sentences s"
                " JOIN documents d ON d.id = s.document_id AND d.current = 1 ORDER BY s.lang"
            )
        ]

    def find_sentences(
        self,
        needles: Mapping[str, str],
        english: str,
        fold: Mapping[str, str],
        limit: int,
    ) -> list[SentenceRow]:
        """Current sentences whose normalised text contains ``needles[lang]`` (the query
        normalised for the sentence's language), after replacing each ``fold`` key by its
        value on both sides; or whose English translation (not a test model's) contains
        ``english`` (each with that translation, if any). The needles are
        bound as LIKE patterns with ``%``, ``_`` and ``\\`` escaped, never formatted in.
        """
        folded = "s.norm"
        fold_params: list[str] = []
        for old, new in fold.items():
            folded = f"replace({folded}, ?, ?)"
            fold_params += [old, new]
        clauses, params = [], []
        for lang, needle in needles.items():
            if needle:
                clauses.append(f"(s.lang = ? AND {folded} LIKE ? ESCAPE '\\')")
                params += [lang, *fold_params, _like(_fold(needle, fold))]
        if english:
            clauses.append("lower(t.text) LIKE ? ESCAPE '\\'")
            params.append(_like(english))
        if not clauses:
            return []
        rows = self.conn.execute(
            "SELECT s.document_id, s.position, s.lang, s.text, MAX(t.text) AS english"
            " FROM sentences s JOIN documents d ON d.id = s.document_id AND d.current = 1"
            " LEFT JOIN translations t ON t.source_lang = s.lang AND t.source_norm = s.norm"
            " AND t.target_lang = 'en' AND t.flags NOT LIKE '%test-model%'"
            f" WHERE {' OR '.join(clauses)}"
            " GROUP BY s.id ORDER BY s.document_id, s.position LIMIT ?",
            (*params, limit),
        )
        return [_record(SentenceRow, r, english=r["english"] or "") for r in rows]

    def current_sentences(self) -> list[SentenceRow]:
        """Every current document's sentences (``english`` left empty)."""
        rows = self.conn.execute(
            "SELECT s.document_id, s.position, s.lang, s.text FROM sentences s"
            " JOIN documents d ON d.id = s.document_id AND d.current = 1"
            " ORDER BY s.document_id, s.position"
        )
        return [_record(SentenceRow, r, english="") for r in rows]

    def document_alignments(self, document_id: int) -> list[AlignmentRow]:
        """The alignments a document is in (by id)."""
        rows = self.conn.execute(
            "SELECT id, event_id, src_doc, tgt_doc, mode FROM alignments"
            " WHERE src_doc = ? OR tgt_doc = ? ORDER BY id",
            (document_id, document_id),
        )
        return [_record(AlignmentRow, r) for r in rows]

    def sentence_texts(
        self, document_id: int, first: int = 0, last: int | None = None
    ) -> dict[int, str]:
        """``position -> text`` for a document's sentences ``first..last`` (all by default):
        the app lists a window of them without reading a long document whole."""
        return dict(
            self.conn.execute(
                "SELECT position, text FROM sentences WHERE document_id = ?"
                " AND position BETWEEN ? AND ? ORDER BY position",
                (document_id, first, last if last is not None else 1 << 62),
            ).fetchall()
        )

    def link_overview(self) -> list[tuple[int, str, float | None]]:
        """``(alignment id, status, confidence)`` of every two-sided link, by alignment and
        link id: what the first page counts."""
        rows = self.conn.execute(
            "SELECT alignment_id, status, confidence FROM links"
            " WHERE src_ids != '[]' AND tgt_ids != '[]' ORDER BY alignment_id, id"
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def document_links(self, document_id: int) -> list[DocumentLinkRow]:
        """Every link of the alignments a document is in, by alignment and link id."""
        rows = self.conn.execute(
            "SELECT a.id AS alignment_id, a.event_id, a.src_doc, a.tgt_doc, l.id AS link_id,"
            " l.src_ids, l.tgt_ids, l.status, l.confidence FROM links l"
            " JOIN alignments a ON a.id = l.alignment_id"
            " WHERE a.src_doc = ? OR a.tgt_doc = ? ORDER BY a.id, l.id",
            (document_id, document_id),
        )
        return [
            _record(
                DocumentLinkRow,
                r,
                src_ids=tuple(json.loads(r["src_ids"])),
                tgt_ids=tuple(json.loads(r["tgt_ids"])),
            )
            for r in rows
        ]

    # --- what the app's pair view reads -------------------------------------------------------

    def alignment_rows(self) -> list[AlignmentRow]:
        """Every alignment (by id)."""
        rows = self.conn.execute(
            "SELECT id, event_id, src_doc, tgt_doc, mode FROM alignments ORDER BY id"
        )
        return [_record(AlignmentRow, r) for r in rows]

    def first_sentences(self) -> dict[int, str]:
        """``document id -> its first sentence``: what names a document without a title."""
        return dict(self.conn.execute("SELECT document_id, text FROM sentences WHERE position = 0"))

    def aligned_document_ids(self) -> set[int]:
        """The documents that are in at least one alignment."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT src_doc FROM alignments UNION SELECT tgt_doc FROM alignments"
            )
        }

    def failed_jobs(self, stage: str) -> list[JobRow]:
        """The failed jobs of a stage (``detail``: a missing translation model, say)."""
        return self.jobs(stage, state="failed")

    def latest_edit(self, alignment_id: int) -> tuple[str, list[int]] | None:
        """The edit an undo in this alignment would revert (the latest not yet undone, as
        :func:`workbench.edit.undo` picks it): its action and the ids of the links the undo
        brings back, so the app can focus them afterwards."""
        edit = self.edit_to_undo(alignment_id)
        if edit is None:
            return None
        return edit.action, [link["id"] for link in edit.before]


def _record(cls: type[R], row: sqlite3.Row, **converted: object) -> R:
    """A record from a row: each field from the column of its name, or from
    ``converted`` (what a column does not hold as it is: flags, JSON, no column)."""
    values = {
        f.name: converted[f.name] if f.name in converted else row[f.name] for f in fields(cls)
    }
    return cls(**values)


def _link_row(row: sqlite3.Row) -> LinkRow:
    return LinkRow(
        row["id"],
        row["alignment_id"],
        tuple(json.loads(row["src_ids"])),
        tuple(json.loads(row["tgt_ids"])),
        row["score"],
        row["link_type"],
        row["status"],
        row["updated_at"],
        row["updated_by"],
        row["confidence"],
    )


def _link_edit(row: sqlite3.Row) -> LinkEdit:
    return LinkEdit(
        row["id"],
        row["action"],
        json.loads(row["before"] or "[]"),
        json.loads(row["after"] or "[]"),
        row["actor"],
        row["at"],
        bool(row["undone"]),
    )


def _job_row(row: sqlite3.Row) -> JobRow:
    return JobRow(_record(JobUnit, row), row["state"], row["detail"], row["updated_at"])


def _model_row(row: sqlite3.Row) -> ModelRow:
    return _record(ModelRow, row, meta=json.loads(row["meta"]))


def _refuse_foreign(conn: sqlite3.Connection, db_path: Path) -> None:
    """Refuse an SQLite file some other program made, before anything (WAL mode, the
    migrations) writes to it: it has tables but not ours."""
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if tables and "sources" not in tables:
        conn.close()
        raise WorkspaceError(
            f"workspace {db_path} is not a workbench database (another program's SQLite file;"
            " left untouched)"
        )


def _workspace_error(error: sqlite3.DatabaseError, db_path: Path) -> WorkspaceError:
    return sqlite_error(error, db_path) or WorkspaceError(f"workspace {db_path}: {error}")


def _writable(db_path: Path) -> bool:
    """Whether the workspace can be written: its folder, and its database when it exists."""
    folder_ok = os.access(db_path.parent, os.W_OK) if db_path.parent.exists() else True
    return folder_ok and (not db_path.exists() or os.access(db_path, os.W_OK))


def in_batches(values: list, size: int = 500) -> Iterator[tuple[list, str]]:
    """``values`` in slices small enough for one SQL ``IN (...)``, each with its ``?``
    placeholders (values are always bound, never formatted into the SQL)."""
    for start in range(0, len(values), size):
        batch = values[start : start + size]
        yield batch, ",".join("?" * len(batch))


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fold(text: str, fold: Mapping[str, str]) -> str:
    for old, new in fold.items():
        text = text.replace(old, new)
    return text


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
