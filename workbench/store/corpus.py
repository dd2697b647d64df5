"""Sources, documents and sentences: what the ingester writes and every reader reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from ..document import TEST_MODEL_FLAG, Document, Sentence, Source, Span
from .records import DocumentRow, IngestLogRow, SentenceRow, SourceRow, record
from .sql import CHUNK_CHARS, like_pattern, now


class CorpusTables:
    """Sources, documents and sentences: what the ingester writes and every reader reads; part of
    :class:`~workbench.store.Workspace`."""

    conn: sqlite3.Connection

    def source_by_hash(self, content_hash: str) -> SourceRow | None:
        row = self.conn.execute(
            "SELECT * FROM sources WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return record(SourceRow, row, current=bool(row["current"])) if row else None

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

    def has_source_path(self, path: str) -> bool:
        """Whether some version of the file at ``path`` was ingested before."""
        return (
            self.conn.execute("SELECT 1 FROM sources WHERE path = ? LIMIT 1", (path,)).fetchone()
            is not None
        )

    def source_documents(self, source_id: int) -> list[int]:
        """Ids of the current documents read from one stored file."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE source_id = ? AND current = 1 ORDER BY part",
            (source_id,),
        )
        return [r["id"] for r in rows]

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

    def ingest_log(self, limit: int = 100) -> list[IngestLogRow]:
        """The latest ``limit`` files ingests looked at, latest first."""
        rows = self.conn.execute("SELECT * FROM ingest_log ORDER BY id DESC LIMIT ?", (limit,))
        return [record(IngestLogRow, r) for r in rows]

    def counts(self) -> dict[str, int]:
        """What the corpus holds now: its current sources, documents and their sentences
        (an old version's are kept while an alignment names it, but are not the corpus), the
        links, and the cached translations and vectors (a cache, keyed by text: a sentence
        written twice has one, a window of sentences has its own)."""
        queries = {
            "sources": "SELECT COUNT(*) FROM sources WHERE current = 1",
            "documents": "SELECT COUNT(*) FROM documents WHERE current = 1",
            "sentences": "SELECT COUNT(*) FROM sentences s"
            " JOIN documents d ON d.id = s.document_id AND d.current = 1",
            "links": "SELECT COUNT(*) FROM links",
            "cached translations": "SELECT COUNT(*) FROM translations",
            "cached vectors": "SELECT COUNT(*) FROM embeddings",
        }
        return {name: self.conn.execute(sql).fetchone()[0] for name, sql in queries.items()}

    def sentence_languages(self, document_id: int) -> dict[str, int]:
        return dict(
            self.conn.execute(
                "SELECT lang, COUNT(*) FROM sentences WHERE document_id = ? GROUP BY lang"
                " ORDER BY COUNT(*) DESC",
                (document_id,),
            ).fetchall()
        )

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
        """Current sentences whose normalised text, each ``fold`` key replaced by its value,
        contains ``needles[lang]`` (the query normalised for the sentence's language and
        folded by the same table: :func:`workbench.text.normalise.fold_letters`); or whose
        English translation (not a test model's) contains ``english`` (each with that
        translation, if any). The needles are bound as LIKE patterns with ``%``, ``_``
        and ``\\`` escaped, never formatted in.
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
                params += [lang, *fold_params, like_pattern(needle)]
        if english:
            clauses.append("lower(t.text) LIKE ? ESCAPE '\\'")
            params.append(like_pattern(english))
        if not clauses:
            return []
        rows = self.conn.execute(
            "SELECT s.document_id, s.position, s.lang, s.text, MAX(t.text) AS english"
            " FROM sentences s JOIN documents d ON d.id = s.document_id AND d.current = 1"
            " LEFT JOIN translations t ON t.source_lang = s.lang AND t.source_norm = s.norm"
            " AND t.target_lang = 'en' AND t.flags NOT LIKE ?"
            f" WHERE {' OR '.join(clauses)}"
            " GROUP BY s.id ORDER BY s.document_id, s.position LIMIT ?",
            (like_pattern(TEST_MODEL_FLAG), *params, limit),
        )
        return [record(SentenceRow, r, english=r["english"] or "") for r in rows]

    def current_sentences(self) -> list[SentenceRow]:
        """Every current document's sentences (``english`` left empty)."""
        rows = self.conn.execute(
            "SELECT s.document_id, s.position, s.lang, s.text FROM sentences s"
            " JOIN documents d ON d.id = s.document_id AND d.current = 1"
            " ORDER BY s.document_id, s.position"
        )
        return [record(SentenceRow, r, english="") for r in rows]

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

    def first_sentences(self) -> dict[int, str]:
        """``document id -> its first sentence``: what names a document without a title."""
        return dict(self.conn.execute("SELECT document_id, text FROM sentences WHERE position = 0"))
