"""Alignments and their links, the edits a user makes to them and what exports read."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from ..document import shown_at_sql
from .records import (
    AlignmentRow,
    DocumentLinkRow,
    ExportLink,
    LinkEdit,
    LinkRow,
    link_edit,
    link_row,
    record,
)
from .sql import USER_EDITS, dumps, fresh_id, now


class LinkTables:
    """Alignments and their links, the edits a user makes to them and what exports read; part of
    :class:`~workbench.store.Workspace`."""

    conn: sqlite3.Connection

    def alignment_has_user_edits(self, src_doc: int, tgt_doc: int) -> bool:
        """A link a user confirmed, rejected or edited, or an edit in ``link_history`` that
        was not undone: such an alignment is never replaced automatically."""
        return self.conn.execute(USER_EDITS, (src_doc, tgt_doc) * 2).fetchone() is not None

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

    def alignment_links(self, alignment_id: int) -> list[LinkRow]:
        """An alignment's links, in no particular order."""
        rows = self.conn.execute("SELECT * FROM links WHERE alignment_id = ?", (alignment_id,))
        return [link_row(r) for r in rows.fetchall()]

    def link(self, link_id: int) -> LinkRow | None:
        row = self.conn.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
        return link_row(row) if row is not None else None

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
        return link_edit(row) if row is not None else None

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
        return link_edit(row) if row is not None else None

    def mark_undone(self, edit_id: int) -> None:
        self._editing().execute("UPDATE link_history SET undone = 1 WHERE id = ?", (edit_id,))

    def _editing(self) -> sqlite3.Connection:
        """The connection, inside the edit's open ``transaction()``: a link edit written
        outside one would skip its checks' lock."""
        if not self.conn.in_transaction:
            raise RuntimeError("link edits are written inside Workspace.transaction()")
        return self.conn

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
            record(
                ExportLink,
                r,
                src_ids=tuple(json.loads(r["src_ids"])),
                tgt_ids=tuple(json.loads(r["tgt_ids"])),
            )
            for r in self.conn.execute(query, params).fetchall()
        ]

    def document_alignments(self, document_id: int) -> list[AlignmentRow]:
        """The alignments a document is in (by id)."""
        rows = self.conn.execute(
            "SELECT id, event_id, src_doc, tgt_doc, mode FROM alignments"
            " WHERE src_doc = ? OR tgt_doc = ? ORDER BY id",
            (document_id, document_id),
        )
        return [record(AlignmentRow, r) for r in rows]

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
            record(
                DocumentLinkRow,
                r,
                src_ids=tuple(json.loads(r["src_ids"])),
                tgt_ids=tuple(json.loads(r["tgt_ids"])),
            )
            for r in rows
        ]

    def alignment_rows(self) -> list[AlignmentRow]:
        """Every alignment (by id)."""
        rows = self.conn.execute(
            "SELECT id, event_id, src_doc, tgt_doc, mode FROM alignments ORDER BY id"
        )
        return [record(AlignmentRow, r) for r in rows]

    def aligned_document_ids(self) -> set[int]:
        """The documents that are in at least one alignment."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT src_doc FROM alignments UNION SELECT tgt_doc FROM alignments"
            )
        }

    def latest_edit(self, alignment_id: int) -> tuple[str, list[int]] | None:
        """The edit an undo in this alignment would revert (the latest not yet undone, as
        :func:`workbench.edit.undo` picks it): its action and the ids of the links the undo
        brings back, so the app can focus them afterwards."""
        edit = self.edit_to_undo(alignment_id)
        if edit is None:
            return None
        return edit.action, [link["id"] for link in edit.before]
