"""Events and threads from the evidence: average-linkage clustering within connected
parts, labels and plain-language reasons, and the workspace's grouping (a user's
choices kept)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..embed import CachedEmbedder
from ..names import document_names, first_words, short_title
from ..store import Workspace
from .evidence import (
    SAME_EVENT_FEATURES,
    DocumentNeighbourhoods,
    PairEvidence,
    dates_apart,
    pair_evidence,
    same_event_model,
)
from .profiles import DocumentProfile, profiles, similarity

EVENT_PROBABILITY = 0.5


"""Average same-event probability above which clusters join one event."""


THREAD_THRESHOLD = 0.60


"""Average cosine between subject vectors (reference-centred) above which events join
one thread. Set on the seeds: the opposition's gatherings scored 0.58-0.70 with each
other, the unrelated US-Iran talks article 0.45-0.69 with them (0.55 on average)."""


LABEL_CHARS = 70


"""Event and thread labels are cut between words to about this."""


@dataclass
class EventGroup:
    document_ids: list[int]
    label: str
    reason: str
    date: str | None = None


@dataclass
class ThreadGroup:
    events: list[EventGroup]
    label: str
    reason: str


def average_linkage(
    scores: np.ndarray,
    threshold: float,
    clusters: list[list[int]] | None = None,
    veto: np.ndarray | None = None,
) -> list[list[int]]:
    """Join the two clusters with the highest average pair score while it is above
    ``threshold``; two items vetoed as a pair never share a cluster. ``clusters`` are
    the starting groups (singletons by default). Memory: clusters squared."""
    n = len(scores)
    veto = np.zeros((n, n), bool) if veto is None else veto
    clusters = [list(c) for c in clusters] if clusters is not None else [[i] for i in range(n)]
    member = np.zeros((len(clusters), n))
    for c, items in enumerate(clusters):
        member[c, items] = 1.0
    total = member @ np.where(veto, 0.0, scores) @ member.T
    vetoed = (member @ veto @ member.T) > 0
    size = member.sum(axis=1)
    alive = np.ones(len(clusters), bool)
    while alive.sum() > 1:
        average = total / np.outer(size, size)
        average[vetoed | ~alive[:, None] | ~alive[None, :]] = -np.inf
        np.fill_diagonal(average, -np.inf)
        m, k = np.unravel_index(int(np.argmax(average)), average.shape)
        if average[m, k] <= threshold:
            break
        total[m] += total[k]
        total[:, m] += total[:, k]
        vetoed[m] |= vetoed[k]
        vetoed[:, m] |= vetoed[:, k]
        size[m] += size[k]
        alive[k] = False
        clusters[m] += clusters[k]
    return [sorted(c) for c, keep in zip(clusters, alive, strict=True) if keep]


def sparse_linkage(
    n: int,
    score: Callable[[int, int], float],
    edges: Sequence[tuple[int, int]],
    threshold: float,
    clusters: list[list[int]] | None = None,
    vetoed: Callable[[int, int], bool] | None = None,
) -> list[list[int]]:
    """:func:`average_linkage` within each connected part of the graph of ``edges`` scoring
    above ``threshold`` (average linkage never joins clusters with no such pair between
    them), so memory grows with the largest part, not with the corpus."""
    clusters = [list(c) for c in clusters] if clusters is not None else [[i] for i in range(n)]
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in clusters:
        for item in members[1:]:
            parent[root(item)] = root(members[0])
    for x, y in edges:
        if score(x, y) > threshold:
            parent[root(x)] = root(y)
    parts: dict[int, list[list[int]]] = {}
    for members in clusters:
        parts.setdefault(root(members[0]), []).append(members)
    out = []
    for groups in parts.values():
        if len(groups) == 1:
            out.append(sorted(groups[0]))
            continue
        items = sorted(i for g in groups for i in g)
        where = {item: n for n, item in enumerate(items)}
        m = len(items)
        local = np.zeros((m, m))
        veto = np.zeros((m, m), bool)
        for i in range(m):
            for j in range(i + 1, m):
                local[i, j] = local[j, i] = score(items[i], items[j])
                if vetoed is not None and vetoed(items[i], items[j]):
                    veto[i, j] = veto[j, i] = True
        starts = [[where[i] for i in g] for g in groups]
        for c in average_linkage(local, threshold, starts, veto):
            out.append(sorted(items[i] for i in c))
    return sorted(out)


def group(
    docs: list[DocumentProfile],
    thread_threshold: float | None = None,
    event_threshold: float | None = None,
    evidence: PairEvidence | None = None,
) -> list[ThreadGroup]:
    """Events from the same-event probability, threads from subject similarity
    (thresholds default to :data:`EVENT_PROBABILITY` and :data:`THREAD_THRESHOLD`)."""
    if not docs:
        return []
    thread_threshold = THREAD_THRESHOLD if thread_threshold is None else thread_threshold
    event_threshold = EVENT_PROBABILITY if event_threshold is None else event_threshold
    evidence = evidence or pair_evidence(docs)
    edges = sorted(evidence.probability)
    events = sparse_linkage(
        len(docs),
        evidence.score,
        edges,
        event_threshold,
        vetoed=lambda x, y: dates_apart(docs[x], docs[y]),
    )
    subjects = np.stack([p.subject_vector for p in docs])
    threads = sparse_linkage(
        len(docs),
        lambda x, y: float(subjects[x] @ subjects[y]),
        sorted(DocumentNeighbourhoods(docs, subjects).candidates()),
        thread_threshold,
        events,
    )
    out = []
    for members in threads:
        inside = [e for e in events if e[0] in members]
        described = [_describe_event([docs[i] for i in e], evidence, docs) for e in inside]
        out.append(_describe_thread([docs[i] for i in members], described))
    return out


def _central(cluster: list[DocumentProfile]) -> DocumentProfile:
    """The document closest to all others; titled ones first, so labels read well."""
    return max(
        cluster, key=lambda p: (bool(p.title.strip()), sum(similarity(p, q) for q in cluster))
    )


def event_date(cluster: list[DocumentProfile]) -> str | None:
    """The most precise date the documents agree on (most common, then most precise)."""
    dates = [p.date for p in cluster if p.date is not None]
    if not dates:
        return None
    counts = Counter(d.iso() for d in dates)
    return max(counts, key=lambda iso: (counts[iso], len(iso)))


def _why(pairs: list[np.ndarray]) -> str:
    """What joined the documents, in plain words, from their pairs' mean features."""
    mean = dict(zip(SAME_EVENT_FEATURES, np.mean(pairs, axis=0), strict=True))
    said = []
    if mean["partners"] >= 0.3:
        said.append("many of their sentences translate each other")
    elif mean["partners"] >= 0.1:
        said.append("some of their sentences translate each other")
    if mean["lead"] >= 0.5:
        said.append("their opening lines tell the same news")
    if mean["numbers"] >= 0.2:
        said.append("they state some of the same numbers")
    if mean["names"] >= 0.2:
        said.append("they name some of the same people and places")
    if not said:
        said.append("their texts cover the same ground")
    return "; ".join(said)


def _span(values: list[float]) -> str:
    """``0.62 to 0.98``, or ``1.00`` when they round alike."""
    low, high = f"{min(values):.2f}", f"{max(values):.2f}"
    return low if low == high else f"{low} to {high}"


def _describe_event(
    cluster: list[DocumentProfile], evidence: PairEvidence, docs: list[DocumentProfile]
) -> EventGroup:
    when = event_date(cluster)
    title = short_title(_central(cluster).label, LABEL_CHARS)
    label = f"{title} ({when})" if when else title
    ids = sorted(p.id for p in cluster)
    if len(cluster) == 1:
        return EventGroup(ids, label, "no other document reports the same happening", when)
    langs = sorted({p.lang for p in cluster})
    index = {p.id: n for n, p in enumerate(docs)}
    keys = [(min(index[a], index[b]), max(index[a], index[b])) for a in ids for b in ids if a < b]
    known = [evidence.features[k] for k in keys if k in evidence.features]
    chance = [evidence.score(*k) for k in keys]
    reason = (
        f"{len(cluster)} reports in {', '.join(langs)} of one happening: {_why(known)} "
        f"(same-event probability {_span(chance)})"
    )
    if when:
        reason += f"; dated {when}"
    return EventGroup(ids, label, reason, when)


def _describe_thread(members: list[DocumentProfile], events: list[EventGroup]) -> ThreadGroup:
    dates = sorted(e.date for e in events if e.date)
    title = short_title(_central(members).label, LABEL_CHARS)
    span = dates[0] if len(set(dates)) == 1 else f"{dates[0][:4]}-{dates[-1][:4]}" if dates else ""
    label = f"{title} ({span})" if span else title
    if len(members) == 1:
        return ThreadGroup(events, label, "no other document is about the same subject")
    if len(events) == 1:
        return ThreadGroup(events, label, "one event")
    sims = [
        float(a.subject_vector @ b.subject_vector) for a in members for b in members if a.id < b.id
    ]
    reason = (
        f"{len(events)} related events about the same subject ({len(members)} documents; "
        f"similarity of their subjects {min(sims):.2f} to {max(sims):.2f})"
    )
    return ThreadGroup(events, label, reason)


def assign_events(workspace: Workspace, embedder: CachedEmbedder) -> list[ThreadGroup]:
    """Regroup the documents whose event was not chosen by a user; store threads, events,
    dates and reasons. Returns the threads (each with its events).

    Every document is grouped, the ones a user placed too, and those are then taken out
    of the groups: left out of the grouping, their evidence would be missing and could
    join documents the user never touched (moving one translation of a match report into
    another match's event pulled its two siblings after it)."""
    auto_ids = workspace.auto_grouped_document_ids()
    docs = profiles(workspace, embedder)
    threads = []
    if auto_ids:
        evidence = pair_evidence(docs, same_event_model(embedder.key))
        threads = [without_placed(t, auto_ids) for t in group(docs, evidence=evidence)]
    threads = [t for t in threads if t.events]
    workspace.replace_auto_events(threads, {p.id: (p.date.iso() if p.date else None) for p in docs})
    return threads


def without_placed(thread: ThreadGroup, auto_ids: set[int]) -> ThreadGroup:
    """The thread with only the documents the grouping may place (events left empty go)."""
    events = [
        replace(event, document_ids=[d for d in event.document_ids if d in auto_ids])
        for event in thread.events
    ]
    return replace(thread, events=[e for e in events if e.document_ids])


def move_document(workspace: Workspace, document_id: int, event_id: int | None) -> int:
    """Put a document in another event (or a new one, named after the document); a user's
    choice, never regrouped."""
    label = ""
    if event_id is None:
        names = document_names(workspace)
        label = first_words(names[document_id].title, 12) if document_id in names else ""
    return workspace.move_document(document_id, event_id, label or f"document {document_id}")
