"""The schema as forward-only migrations (``PRAGMA user_version`` counts those applied)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


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
