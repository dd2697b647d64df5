"""User edits of alignment links: confirm, reject, merge, split, re-link, undo.

Every edit is one transaction (``BEGIN IMMEDIATE``), checks that the links it
changes still look as the user saw them, and writes a ``link_history`` row
with who, when, and the links before and after, so that two sessions editing
the same workspace lose no edit and every edit can be undone.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from .errors import WorkbenchError
from .store import Workspace, dumps, now

STATUSES = ("auto", "confirmed", "rejected", "edited")


class EditError(WorkbenchError):
    """An edit that cannot be applied (the link changed or vanished meanwhile, bad input)."""


@dataclass(frozen=True)
class LinkRow:
    id: int
    alignment_id: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    score: float | None
    link_type: str
    status: str

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "alignment_id": self.alignment_id,
            "src_ids": list(self.src_ids),
            "tgt_ids": list(self.tgt_ids),
            "score": self.score,
            "link_type": self.link_type,
            "status": self.status,
        }


def _row(row: sqlite3.Row) -> LinkRow:
    return LinkRow(
        row["id"],
        row["alignment_id"],
        tuple(json.loads(row["src_ids"])),
        tuple(json.loads(row["tgt_ids"])),
        row["score"],
        row["link_type"],
        row["status"],
    )


def links(workspace: Workspace, alignment_id: int) -> list[LinkRow]:
    """An alignment's links in reading order (by first source, then first target sentence)."""
    rows = workspace.conn.execute(
        "SELECT * FROM links WHERE alignment_id = ?", (alignment_id,)
    ).fetchall()
    return sorted((_row(r) for r in rows), key=_reading_order)


def _reading_order(link: LinkRow) -> tuple:
    first_src = link.src_ids[0] if link.src_ids else None
    first_tgt = link.tgt_ids[0] if link.tgt_ids else None
    return (first_src if first_src is not None else -1, first_tgt if first_tgt is not None else -1)


def _load(conn: sqlite3.Connection, link_id: int) -> LinkRow:
    row = conn.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
    if row is None:
        raise EditError(f"link {link_id} no longer exists (edited in another session?)")
    return _row(row)


def _kind(src: tuple[int, ...], tgt: tuple[int, ...]) -> str:
    return f"{len(src)}-{len(tgt)}"


def _insert(conn, alignment_id: int, src, tgt, score, status: str, actor: str) -> int:
    return conn.execute(
        "INSERT INTO links (alignment_id, src_ids, tgt_ids, score, link_type, status,"
        " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            alignment_id,
            dumps(list(src)),
            dumps(list(tgt)),
            score,
            _kind(src, tgt),
            status,
            now(),
            actor,
        ),
    ).lastrowid


def _history(conn, action: str, before: list[LinkRow], after_ids: list[int], actor: str) -> None:
    after = [_load(conn, i).snapshot() for i in after_ids]
    link_id = after_ids[0] if after_ids else None  # a link that exists (history: by value)
    conn.execute(
        "INSERT INTO link_history (link_id, action, before, after, actor, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (link_id, action, dumps([b.snapshot() for b in before]), dumps(after), actor, now()),
    )


def set_status(workspace: Workspace, link_id: int, status: str, actor: str = "") -> None:
    """Confirm or reject a link (or put it back to ``auto``)."""
    if status not in STATUSES:
        raise EditError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    with workspace.transaction() as conn:
        before = _load(conn, link_id)
        conn.execute(
            "UPDATE links SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?",
            (status, now(), actor, link_id),
        )
        _history(conn, status, [before], [link_id], actor)


def merge(workspace: Workspace, link_id: int, other_id: int, actor: str = "") -> int:
    """Join two links of one alignment into one n:m link (status ``edited``)."""
    with workspace.transaction() as conn:
        a, b = _load(conn, link_id), _load(conn, other_id)
        if a.alignment_id != b.alignment_id or a.id == b.id:
            raise EditError("only two different links of the same alignment can be merged")
        src = tuple(sorted(set(a.src_ids) | set(b.src_ids)))
        tgt = tuple(sorted(set(a.tgt_ids) | set(b.tgt_ids)))
        conn.execute("DELETE FROM links WHERE id IN (?, ?)", (a.id, b.id))
        new = _insert(conn, a.alignment_id, src, tgt, None, "edited", actor)
        _history(conn, "merge", [a, b], [new], actor)
        return new


def split(workspace: Workspace, link_id: int, actor: str = "") -> list[int]:
    """Split an n:m link: sentence k on one side goes with sentence k on the other, and
    what is left over stands alone (the user re-links it if needed)."""
    with workspace.transaction() as conn:
        link = _load(conn, link_id)
        if len(link.src_ids) + len(link.tgt_ids) <= 2:
            raise EditError("a 1-1 link cannot be split further")
        pieces: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for k in range(max(len(link.src_ids), len(link.tgt_ids))):
            src = link.src_ids[k : k + 1]
            tgt = link.tgt_ids[k : k + 1]
            pieces.append((src, tgt))
        conn.execute("DELETE FROM links WHERE id = ?", (link.id,))
        new = [_insert(conn, link.alignment_id, s, t, None, "edited", actor) for s, t in pieces]
        _history(conn, "split", [link], new, actor)
        return new


def relink(
    workspace: Workspace, alignment_id: int, src_id: int, tgt_ids: list[int], actor: str = ""
) -> int:
    """Link source sentence ``src_id`` to ``tgt_ids`` (replacing the links both were in;
    sentences those links held that are not moved stay, in their own links)."""
    with workspace.transaction() as conn:
        current = [
            _row(r)
            for r in conn.execute(
                "SELECT * FROM links WHERE alignment_id = ?", (alignment_id,)
            ).fetchall()
        ]
        touched = [
            link for link in current if src_id in link.src_ids or set(tgt_ids) & set(link.tgt_ids)
        ]
        new_ids = []
        for link in touched:
            conn.execute("DELETE FROM links WHERE id = ?", (link.id,))
            rest_src = tuple(i for i in link.src_ids if i != src_id)
            rest_tgt = tuple(j for j in link.tgt_ids if j not in tgt_ids)
            if rest_src or rest_tgt:
                new_ids.append(
                    _insert(conn, alignment_id, rest_src, rest_tgt, None, "edited", actor)
                )
        new = _insert(conn, alignment_id, (src_id,), tuple(sorted(tgt_ids)), None, "edited", actor)
        _history(conn, "relink", touched, [new, *new_ids], actor)
        return new


def undo(workspace: Workspace, alignment_id: int, actor: str | None = None) -> str | None:
    """Undo the latest edit in an alignment (by ``actor`` when given); returns its action."""
    with workspace.transaction() as conn:
        for row in conn.execute(
            "SELECT * FROM link_history WHERE action != 'undo' AND undone = 0"
            + (" AND actor = ?" if actor is not None else "")
            + " ORDER BY id DESC",
            (actor,) if actor is not None else (),
        ).fetchall():
            after = json.loads(row["after"])
            before = json.loads(row["before"])
            if (after or before)[0]["alignment_id"] != alignment_id:
                continue
            present = {
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM links WHERE alignment_id = ?", (alignment_id,)
                )
            }
            if any(link["id"] not in present for link in after):
                raise EditError("cannot undo: a later edit changed the same links")
            conn.executemany("DELETE FROM links WHERE id = ?", [(link["id"],) for link in after])
            for link in before:
                conn.execute(
                    "INSERT INTO links (id, alignment_id, src_ids, tgt_ids, score, link_type,"
                    " status, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        link["id"],
                        link["alignment_id"],
                        dumps(link["src_ids"]),
                        dumps(link["tgt_ids"]),
                        link["score"],
                        link["link_type"],
                        link["status"],
                        now(),
                        actor or "",
                    ),
                )
            conn.execute("UPDATE link_history SET undone = 1 WHERE id = ?", (row["id"],))
            conn.execute(
                "INSERT INTO link_history (link_id, action, before, after, actor, at)"
                " VALUES (?, 'undo', ?, ?, ?, ?)",
                (
                    before[0]["id"] if before else None,
                    row["after"],
                    row["before"],
                    actor or "",
                    now(),
                ),
            )
            return row["action"]
    return None
