"""The translation models installed in the workspace."""

from __future__ import annotations

import sqlite3

from .records import ModelRow, model_row
from .sql import dumps, now


class ModelTables:
    """The translation models installed in the workspace; part of
    :class:`~workbench.store.Workspace`."""

    conn: sqlite3.Connection

    def translation_models(self) -> list[ModelRow]:
        """Installed translation models, by language pair and name."""
        rows = self.conn.execute(
            "SELECT * FROM models WHERE kind = 'translate' ORDER BY source_lang, target_lang, name"
        )
        return [model_row(r) for r in rows]

    def translation_model(self, name: str) -> ModelRow | None:
        row = self.conn.execute(
            "SELECT * FROM models WHERE kind = 'translate' AND name = ?", (name,)
        ).fetchone()
        return model_row(row) if row is not None else None

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
