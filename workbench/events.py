"""Group documents into events: the same happening, in several documents and languages.

Evidence, in order of weight:

* what the documents say: the mean of each document's sentence embeddings,
  after subtracting its language's mean (so that two Persian documents are not
  close merely for being Persian);
* when: the year a document names most (Jalali years are mapped to Gregorian).
  Yearly rallies in the same city read alike; within an event, documents are
  split into sub-groups by that year, shown in the event's reason and label;
* Latin-script names the documents share (reported, not scored).

Grouping is average-linkage agglomerative clustering over document vectors.
Each group keeps a plain-language reason, and a user's own choice
(``event_origin = 'user'``) is never overwritten.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .embed import CachedEmbedder, language_mean
from .normalise import normalise
from .store import Workspace, now

YEAR = re.compile(r"(?<!\d)(1[3-4]\d\d|19\d\d|20\d\d)(?!\d)")
NAME = re.compile(r"\b[A-Z][a-zA-Z]{3,}\b")
JOIN_THRESHOLD = 0.60
"""Average cosine between language-centred document vectors (default embedder) above
which clusters join. Set on the seeds: same-topic coverage scored 0.55-0.72 there,
the unrelated US-Iran talks article 0.43-0.56 against the rest (0.67 at most)."""


@dataclass
class DocumentProfile:
    id: int
    lang: str
    title: str
    vector: np.ndarray
    years: Counter = field(default_factory=Counter)
    names: set[str] = field(default_factory=set)

    @property
    def main_year(self) -> int | None:
        """The year a document names most, when it names it at least twice."""
        if not self.years:
            return None
        (year, count), *rest = self.years.most_common(2)
        if count < 2 or (rest and rest[0][1] == count):
            return None
        return year


@dataclass
class EventGroup:
    document_ids: list[int]
    label: str
    reason: str


def years_in(text: str) -> Counter:
    """Years named in a text; Jalali years (13xx, 14xx) become their Gregorian start."""
    counts: Counter = Counter()
    for match in YEAR.findall(normalise(text)):
        year = int(match)
        counts[year + 621 if year < 1900 else year] += 1
    return counts


def profiles(
    workspace: Workspace, embedder: CachedEmbedder, document_ids: Sequence[int] | None = None
) -> list[DocumentProfile]:
    """One profile per document: a language-neutral content vector, years and names."""
    docs = [d for d in workspace.documents() if document_ids is None or d.id in document_ids]
    sentences = {d.id: workspace.sentences(d.id) for d in docs}
    vectors = {d.id: embedder.embed([s.text for s in sentences[d.id]]) for d in docs}
    means = _language_means(embedder, sentences, vectors)
    out = []
    for d in docs:
        vector = np.zeros(embedder.dim, np.float32)
        for s, v in zip(sentences[d.id], vectors[d.id], strict=True):
            centred = v - means.get(s.lang, means["*"])
            vector += centred / max(float(np.linalg.norm(centred)), 1e-6)
        vector /= max(float(np.linalg.norm(vector)), 1e-6)
        text = " ".join(s.text for s in sentences[d.id])
        out.append(
            DocumentProfile(d.id, d.lang, d.title, vector, years_in(text), set(NAME.findall(text)))
        )
    return out


def _language_means(embedder: CachedEmbedder, sentences, vectors) -> dict[str, np.ndarray]:
    """Per language: the reference mean when measured, else this workspace's own mean
    (when it has enough sentences in that language), else the mean over all languages."""
    by_lang: dict[str, list[np.ndarray]] = {}
    for doc_id, rows in sentences.items():
        for s, v in zip(rows, vectors[doc_id], strict=True):
            by_lang.setdefault(s.lang, []).append(v)
    everything = [v for vs in by_lang.values() for v in vs]
    means = {"*": np.mean(everything, axis=0) if everything else np.zeros(embedder.dim)}
    for lang, vs in by_lang.items():
        reference = language_mean(embedder.key, lang)
        if reference is not None:
            means[lang] = reference
        elif len(vs) >= 50:
            means[lang] = np.mean(vs, axis=0)
    return means


def similarity(a: DocumentProfile, b: DocumentProfile) -> float:
    return float(a.vector @ b.vector)


def group(profiles: list[DocumentProfile], threshold: float = JOIN_THRESHOLD) -> list[EventGroup]:
    """Average-linkage clustering; each group explains itself."""
    clusters: list[list[DocumentProfile]] = [[p] for p in profiles]
    while True:
        best, pair = threshold, None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                sims = [similarity(a, b) for a in clusters[x] for b in clusters[y]]
                value = sum(sims) / len(sims)
                if value > best:
                    best, pair = value, (x, y)
        if pair is None:
            break
        x, y = pair
        clusters[x] = clusters[x] + clusters[y]
        del clusters[y]
    return [_describe(cluster) for cluster in clusters]


def _describe(cluster: list[DocumentProfile]) -> EventGroup:
    langs = sorted({p.lang for p in cluster})
    central = max(cluster, key=lambda p: sum(similarity(p, q) for q in cluster))
    title = central.title[:60] or f"document {central.id}"
    years = sorted({p.main_year for p in cluster if p.main_year})
    label = f"{'/'.join(map(str, years))}: {title}" if years else title
    if len(cluster) == 1:
        return EventGroup([cluster[0].id], label, "no other document is close enough in content")
    sims = [similarity(a, b) for a in cluster for b in cluster if a.id < b.id]
    parts = [
        f"{len(cluster)} documents in {', '.join(langs)}",
        f"content similarity {min(sims):.2f}-{max(sims):.2f} (joins above {JOIN_THRESHOLD:.2f})",
    ]
    if len(years) > 1 or (years and any(p.main_year is None for p in cluster)):
        by_year: dict[str, list[str]] = {}
        for p in sorted(cluster, key=lambda p: p.id):
            by_year.setdefault(str(p.main_year or "undated"), []).append(str(p.id))
        parts.append(
            "sub-groups by the year each names most: "
            + "; ".join(f"{y}: documents {', '.join(ids)}" for y, ids in sorted(by_year.items()))
        )
    names = set.intersection(*(p.names for p in cluster))
    if names:
        parts.append("shared names: " + ", ".join(sorted(names)[:5]))
    return EventGroup(sorted(p.id for p in cluster), label, "; ".join(parts))


def assign_events(workspace: Workspace, embedder: CachedEmbedder) -> list[EventGroup]:
    """Regroup the documents whose event was not chosen by a user; store groups and reasons."""
    auto_ids = [
        row[0]
        for row in workspace.conn.execute(
            "SELECT id FROM documents WHERE current = 1 AND event_origin = 'auto'"
        )
    ]
    groups = group(profiles(workspace, embedder, auto_ids))
    with workspace.transaction() as conn:
        conn.execute(
            "UPDATE documents SET event_id = NULL WHERE event_origin = 'auto' AND current = 1"
        )
        conn.execute(
            "DELETE FROM events WHERE origin = 'auto'"
            " AND id NOT IN (SELECT event_id FROM documents WHERE event_id IS NOT NULL)"
        )
        for g in groups:
            event_id = conn.execute(
                "INSERT INTO events (label, reason, origin, created_at) VALUES (?, ?, 'auto', ?)",
                (g.label, g.reason, now()),
            ).lastrowid
            conn.executemany(
                "UPDATE documents SET event_id = ? WHERE id = ?",
                [(event_id, doc_id) for doc_id in g.document_ids],
            )
    return groups


def move_document(workspace: Workspace, document_id: int, event_id: int | None) -> int:
    """Put a document in another event (or a new one); a user's choice, never regrouped."""
    with workspace.transaction() as conn:
        if event_id is None:
            title = conn.execute(
                "SELECT title FROM documents WHERE id = ?", (document_id,)
            ).fetchone()[0]
            event_id = conn.execute(
                "INSERT INTO events (label, reason, origin, created_at)"
                " VALUES (?, 'made by a user', 'user', ?)",
                (title[:60] or f"document {document_id}", now()),
            ).lastrowid
        conn.execute(
            "UPDATE documents SET event_id = ?, event_origin = 'user' WHERE id = ?",
            (event_id, document_id),
        )
    return event_id
