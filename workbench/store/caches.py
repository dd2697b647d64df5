"""The translation and embedding caches (keyed by normalised text and model)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping

from .records import CachedTranslation
from .sql import dumps, in_batches, now


class CacheTables:
    """The translation and embedding caches (keyed by normalised text and model); part of
    :class:`~workbench.store.Workspace`."""

    conn: sqlite3.Connection

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
