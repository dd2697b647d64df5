"""Group a workspace's documents into events: the same happening, in several documents and languages.

Evidence, in order of weight:

* what the documents say: the mean of each document's sentence embeddings,
  after subtracting its language's mean (so that two Persian documents are not
  close merely for being Persian);
* when: the years a document names most (Jalali years are mapped to Gregorian),
  since yearly rallies in the same city read alike but are different events;
* numbers and Latin-script names the documents share.

Grouping is average-linkage agglomerative clustering; two documents whose main
years are known and disjoint never join. Each group keeps a plain-language
reason, and a user's own choice (``event_origin = 'user'``) is never overwritten.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .embed import CachedEmbedder
from .normalise import normalise
from .store import Workspace, now

YEAR = re.compile(r"(?<!\d)(1[3-4]\d\d|19\d\d|20\d\d)(?!\d)")
NAME = re.compile(r"\b[A-Z][a-zA-Z]{3,}\b")
JOIN_THRESHOLD = 0.30
"""Centred cosine between document vectors above which documents may share an event."""


@dataclass
class DocumentProfile:
    id: int
    lang: str
    title: str
    vector: np.ndarray
    years: Counter = field(default_factory=Counter)
    names: set[str] = field(default_factory=set)

    @property
    def main_years(self) -> set[int]:
        """The years a document names most (at least half as often as its top year)."""
        if not self.years:
            return set()
        top = max(self.years.values())
        return {year for year, count in self.years.items() if count * 2 >= top}


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
    docs = [d for d in workspace.documents() if document_ids is None or d.id in document_ids]
    sentences = {d.id: [s.text for s in workspace.sentences(d.id)] for d in docs}
    vectors = {d.id: embedder.embed(sentences[d.id]) for d in docs}
    language_mean = {}
    for lang in {d.lang for d in docs}:
        stacked = [vectors[d.id] for d in docs if d.lang == lang and len(vectors[d.id])]
        if stacked:
            language_mean[lang] = np.concatenate(stacked).mean(axis=0)
    out = []
    for d in docs:
        if len(vectors[d.id]) == 0:
            vector = np.zeros(embedder.dim, np.float32)
        else:
            vector = vectors[d.id].mean(axis=0) - language_mean[d.lang]
            vector /= max(float(np.linalg.norm(vector)), 1e-6)
        text = " ".join(sentences[d.id])
        out.append(
            DocumentProfile(d.id, d.lang, d.title, vector, years_in(text), set(NAME.findall(text)))
        )
    return out


def similarity(a: DocumentProfile, b: DocumentProfile) -> float:
    return float(a.vector @ b.vector)


def compatible(a: DocumentProfile, b: DocumentProfile) -> bool:
    """Documents about different years are different events, however alike they read."""
    return not (a.main_years and b.main_years and not a.main_years & b.main_years)


def group(profiles: list[DocumentProfile], threshold: float = JOIN_THRESHOLD) -> list[EventGroup]:
    """Average-linkage clustering with the year rule; each group explains itself."""
    clusters: list[list[DocumentProfile]] = [[p] for p in profiles]
    while True:
        best, pair = threshold, None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                if not all(compatible(a, b) for a in clusters[x] for b in clusters[y]):
                    continue
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
    years: Counter = Counter()
    for p in cluster:
        years.update(p.main_years)
    shared_years = sorted(y for y, c in years.items() if c == len(cluster))
    langs = sorted({p.lang for p in cluster})
    title = max(cluster, key=lambda p: len(p.title)).title[:60] or f"document {cluster[0].id}"
    year_label = f"{shared_years[0]}: " if shared_years else ""
    label = f"{year_label}{title}"
    if len(cluster) == 1:
        reason = "no other document is close enough in content"
        if cluster[0].main_years:
            reason += f" and about the same year ({_years(cluster[0].main_years)})"
        return EventGroup([cluster[0].id], label, reason)
    sims = [similarity(a, b) for a in cluster for b in cluster if a.id < b.id]
    parts = [
        f"{len(cluster)} documents in {', '.join(langs)}",
        f"content similarity {min(sims):.2f}-{max(sims):.2f} (threshold {JOIN_THRESHOLD:.2f})",
    ]
    if shared_years:
        parts.append(f"all name {_years(shared_years)} most")
    names = set.intersection(*(p.names for p in cluster))
    if names:
        parts.append("shared names: " + ", ".join(sorted(names)[:5]))
    return EventGroup(sorted(p.id for p in cluster), label, "; ".join(parts))


def _years(years) -> str:
    return ", ".join(str(y) for y in sorted(years))


def assign_events(workspace: Workspace, embedder: CachedEmbedder) -> list[EventGroup]:
    """Regroup the documents whose event was not chosen by a user; store groups and reasons."""
    docs = workspace.documents()
    auto_ids = [d.id for d in docs if _origin(workspace, d.id) == "auto"]
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


def _origin(workspace: Workspace, document_id: int) -> str:
    row = workspace.conn.execute(
        "SELECT event_origin FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    return row[0] if row else "auto"

