"""Events and threads: the grouping a run writes, and a user's own moves, which it keeps."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from ..errors import (
    WorkspaceError,
)
from .records import EventRow
from .sql import fresh_id, now


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


class EventTables:
    """Events and threads: the grouping a run writes, and a user's own moves, which it
    keeps; part of :class:`~workbench.store.Workspace`."""

    conn: sqlite3.Connection

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

    def move_document(self, document_id: int, event_id: int | None, label: str = "") -> int:
        """Put a document in another event, or a new one (named ``label``) in the
        document's thread; the user's choice, never regrouped."""
        with self.transaction() as conn:
            doc = conn.execute(
                "SELECT d.title, d.date, e.thread_id FROM documents d"
                " LEFT JOIN events e ON e.id = d.event_id WHERE d.id = ?",
                (document_id,),
            ).fetchone()
            if doc is None:
                raise WorkspaceError(f"no document {document_id} in this workspace")
            if event_id is None:
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

    def event_labels(self) -> dict[int, str]:
        """``event id -> label`` for every event."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, label FROM events ORDER BY id")}
