"""What every part of the store shares: timestamps, JSON, ``IN`` batches, LIKE patterns, ids
never handed out twice."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

CHUNK_CHARS = 1 << 20


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


USER_EDITS = """
    SELECT 1 FROM links l JOIN alignments a ON a.id = l.alignment_id
    WHERE a.src_doc = ? AND a.tgt_doc = ? AND l.status != 'auto'
    UNION ALL
    SELECT 1 FROM link_history h JOIN alignments a ON a.id = coalesce(
        json_extract(h.after, '$[0].alignment_id'), json_extract(h.before, '$[0].alignment_id'))
    WHERE a.src_doc = ? AND a.tgt_doc = ? AND h.undone = 0 AND h.action != 'undo'
    LIMIT 1
"""


def in_batches(values: list, size: int = 500) -> Iterator[tuple[list, str]]:
    """``values`` in slices small enough for one SQL ``IN (...)``, each with its ``?``
    placeholders (values are always bound, never formatted into the SQL)."""
    for start in range(0, len(values), size):
        batch = values[start : start + size]
        yield batch, ",".join("?" * len(batch))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
