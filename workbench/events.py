"""Group documents into events (one happening) and events into threads (related happenings).

Two football reports of the same weekend read alike as wholes, so document
vectors alone cannot tell two stories of one kind apart. The evidence here,
from coarse to fine:

* **threads**: the mean of each document's language-centred sentence vectors
  (what the document is about), average-linkage clustering. A thread holds
  related events: a series of yearly rallies, a storm and its aftermath;
* **events**, within a thread: how many of the shorter document's sentences
  have a *confident partner* in the other one: mutual best match, and a ratio
  margin over the sentence's nearest neighbours *in the whole corpus* (in the
  partner's language) above :data:`PARTNER_MARGIN`. Two versions of one story
  share many such sentences; two stories on the same topic share almost none,
  because every sentence has closer kin in its own story's other versions.
  Numbers both documents state (they survive translation and script) add to
  it; and two documents whose happening dates (:mod:`workbench.text.dates`) are
  more than :data:`DATE_WINDOW_DAYS` apart are never one event.

Each group keeps a plain-language reason and a readable label (its best title
and date); a user's own choice (``event_origin = 'user'``) is never overwritten.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .align import knn
from .embed import CachedEmbedder, language_mean
from .store import Workspace
from .text.dates import FoundDate, happening_date
from .text.normalise import ascii_digits

THREAD_THRESHOLD = 0.60
"""Average cosine between language-centred document vectors (default embedder) above
which events join one thread. Set on the seeds: the opposition's gatherings scored
0.58-0.70 with each other, the unrelated US-Iran talks article 0.45-0.69 with them
(0.55 on average). Lower values join more TICO-19 sections of one article (dev thread F1
0.54 at 0.60, 0.95 at 0.30) but merge the seeds' US-Iran article with the rest."""

PARTNER_MARGIN = 1.06
"""Corpus-level ratio margin above which a mutual best sentence match is a confident
partner (LASER-style mining margins of translations lie well above; set by hand, then
checked on the dev half of the TICO-19 story corpus)."""

EVENT_THRESHOLD = 0.40
"""Average event evidence above which clusters join one event. Dev half of the TICO-19
story corpus (``workbench eval events --split dev``): versions of one story 0.83-1.25,
different stories of one article 0-0.27, of different articles 0-0.29; pairwise F1 1.0
from 0.3 to 0.5."""

NUMBER_WEIGHT = 0.25
"""Weight of the Dice overlap of stated numbers (not years) in the event evidence."""

DATE_WINDOW_DAYS = 10
"""Two documents whose happening dates lie further apart are never one event."""

NEIGHBOURS = 4
"""k of the corpus-level nearest neighbours behind each sentence's margin (LASER's k)."""

SIMILARITY_FLOOR = 0.35
"""Document pairs less similar than this (centred document vectors) are not examined for
event evidence: the least similar versions of one story scored 0.55 on the dev corpus."""

NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*(?![\d.,])")
YEARLIKE = re.compile(r"^(1[3-4]\d\d|19\d\d|20\d\d)$")


@dataclass
class DocumentProfile:
    id: int
    lang: str
    title: str
    vector: np.ndarray  # language-centred document vector (unit length)
    sentences: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    sentence_langs: list[str] = field(default_factory=list)
    date: FoundDate | None = None
    numbers: set[str] = field(default_factory=set)
    first_words: str = ""

    @property
    def label(self) -> str:
        return self.title.strip() or self.first_words or f"document {self.id}"


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


def profiles(
    workspace: Workspace, embedder: CachedEmbedder, document_ids: Sequence[int] | None = None
) -> list[DocumentProfile]:
    """One profile per document: centred sentence and document vectors, date, numbers."""
    docs = [d for d in workspace.documents() if document_ids is None or d.id in document_ids]
    docs = [d for d in docs if d.sentences]
    sentences = {d.id: workspace.sentences(d.id) for d in docs}
    every = embedder.embed([s.text for d in docs for s in sentences[d.id]])  # one progress total
    ends = np.cumsum([len(sentences[d.id]) for d in docs])
    vectors = {
        d.id: every[end - len(sentences[d.id]) : end] for d, end in zip(docs, ends, strict=True)
    }
    means = _language_means(embedder, sentences, vectors)
    out = []
    for d in docs:
        rows = sentences[d.id]
        centred = np.stack(
            [v - means.get(s.lang, means["*"]) for s, v in zip(rows, vectors[d.id], strict=True)]
        ).astype(np.float32)
        centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-6)
        vector = centred.sum(axis=0)
        vector /= max(float(np.linalg.norm(vector)), 1e-6)
        text = workspace.document_text(d.id)
        out.append(
            DocumentProfile(
                d.id,
                d.lang,
                d.title,
                vector,
                centred,
                [s.lang for s in rows],
                happening_date(text),
                numbers_in(text),
                first_words(rows[0].text) if rows else "",
            )
        )
    return out


def first_words(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def numbers_in(text: str) -> set[str]:
    """Numbers a text states, in ASCII digits, leaving out years and single digits."""
    found = {n.replace(",", "") for n in NUMBER.findall(ascii_digits(text))}
    return {n for n in found if len(n) > 1 and not YEARLIKE.match(n)}


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


# --- evidence that two documents report one happening ----------------------------------


class SentenceNeighbourhoods:
    """Each sentence's mean similarity to its k nearest sentences per language, over the
    whole corpus (other documents only): the yardstick a partner must stand out from."""

    def __init__(self, docs: Sequence[DocumentProfile], k: int = NEIGHBOURS):
        self.offsets: dict[int, int] = {}
        rows, langs, owners, count = [], [], [], 0
        for p in docs:
            self.offsets[p.id] = count
            count += len(p.sentences)
            rows.append(p.sentences)
            langs += [p.lang] * len(p.sentences)
            owners += [p.id] * len(p.sentences)
        everything = np.concatenate(rows) if rows else np.zeros((0, 1), np.float32)
        owner, langs = np.array(owners), np.array(langs)
        self.near: dict[str, np.ndarray] = {}
        for lang in sorted(set(langs.tolist())):
            pool = np.flatnonzero(langs == lang)
            own_max = max(int(np.sum(owner[pool] == o)) for o in set(owner[pool].tolist()))
            sims, ids = knn(everything, everything[pool], k + own_max)
            other = owner[pool][ids] != owner[:, None]  # a document is not its own neighbour
            rank = np.cumsum(other, axis=1)
            keep = other & (rank <= k)
            counted = np.maximum(keep.sum(axis=1), 1)
            self.near[lang] = np.where(keep, sims, 0.0).sum(axis=1) / counted

    def of(self, doc: DocumentProfile, lang: str) -> np.ndarray:
        start = self.offsets[doc.id]
        near = self.near.get(lang)
        if near is None:
            return np.zeros(len(doc.sentences))
        return near[start : start + len(doc.sentences)]


def shared_sentences(
    a: DocumentProfile, b: DocumentProfile, hoods: SentenceNeighbourhoods
) -> float:
    """Share of the shorter document's sentences with a confident partner in the other."""
    if not len(a.sentences) or not len(b.sentences):
        return 0.0
    sims = a.sentences @ b.sentences.T
    best_b = sims.argmax(axis=1)
    best_a = sims.argmax(axis=0)
    rows = np.arange(len(a.sentences))
    mutual = best_a[best_b] == rows
    near_a, near_b = hoods.of(a, b.lang), hoods.of(b, a.lang)
    best = sims[rows, best_b]
    margin = (1 + best) / (1 + (near_a + near_b[best_b]) / 2)
    confident = int((mutual & (margin >= PARTNER_MARGIN)).sum())
    return confident / min(len(a.sentences), len(b.sentences))


def number_overlap(a: DocumentProfile, b: DocumentProfile) -> float:
    if not a.numbers or not b.numbers:
        return 0.0
    return 2 * len(a.numbers & b.numbers) / (len(a.numbers) + len(b.numbers))


def dates_apart(a: DocumentProfile, b: DocumentProfile) -> bool:
    """Whether the two happenings' dates rule out one event (only as precise as both)."""
    if a.date is None or b.date is None:
        return False
    x, y = a.date, b.date
    if x.precision == "day" and y.precision == "day":
        return abs((x.value - y.value).days) > DATE_WINDOW_DAYS
    if "year" in (x.precision, y.precision):
        return x.value.year != y.value.year
    months = abs((x.value.year - y.value.year) * 12 + x.value.month - y.value.month)
    return months > 1


def event_evidence(a: DocumentProfile, b: DocumentProfile, hoods: SentenceNeighbourhoods) -> float:
    """Shared sentences plus a little for shared numbers; ``-1`` (a veto) when the dates
    rule the pair out."""
    if dates_apart(a, b):
        return -1.0
    return shared_sentences(a, b, hoods) + NUMBER_WEIGHT * number_overlap(a, b)


def evidence_matrix(docs: Sequence[DocumentProfile]) -> np.ndarray:
    """Event evidence for every document pair; pairs whose documents are not even about
    the same subject (similarity under :data:`SIMILARITY_FLOOR`) are not examined."""
    hoods = SentenceNeighbourhoods(docs)
    n = len(docs)
    scores = np.zeros((n, n), np.float32)
    vectors = np.stack([p.vector for p in docs]) if docs else np.zeros((0, 1))
    close = vectors @ vectors.T >= SIMILARITY_FLOOR
    for x in range(n):
        for y in range(x + 1, n):
            if close[x, y] or dates_apart(docs[x], docs[y]):
                scores[x, y] = scores[y, x] = event_evidence(docs[x], docs[y], hoods)
    return scores


# --- clustering ---------------------------------------------------------------------------


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


def group(
    docs: list[DocumentProfile],
    thread_threshold: float | None = None,
    event_threshold: float | None = None,
) -> list[ThreadGroup]:
    """Events from the sentences the documents share; threads join related events
    (thresholds default to :data:`THREAD_THRESHOLD` and :data:`EVENT_THRESHOLD`)."""
    if not docs:
        return []
    thread_threshold = THREAD_THRESHOLD if thread_threshold is None else thread_threshold
    event_threshold = EVENT_THRESHOLD if event_threshold is None else event_threshold
    evidence = evidence_matrix(docs)
    events = average_linkage(evidence, event_threshold, veto=evidence < 0)
    vectors = np.stack([p.vector for p in docs])
    threads = average_linkage(vectors @ vectors.T, thread_threshold, events)
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


def _describe_event(
    cluster: list[DocumentProfile], evidence: np.ndarray, docs: list[DocumentProfile]
) -> EventGroup:
    when = event_date(cluster)
    title = _short(_central(cluster).label)
    label = f"{title} ({when})" if when else title
    ids = sorted(p.id for p in cluster)
    if len(cluster) == 1:
        return EventGroup(ids, label, "no other document reports the same happening", when)
    langs = sorted({p.lang for p in cluster})
    index = {p.id: n for n, p in enumerate(docs)}
    values = [float(evidence[index[a], index[b]]) for a in ids for b in ids if a < b]
    reason = (
        f"{len(cluster)} documents in {', '.join(langs)}; sentences with a confident partner "
        f"(and shared numbers) {min(values):.2f}-{max(values):.2f} (joins above "
        f"{EVENT_THRESHOLD:.2f})"
    )
    if when:
        reason += f"; date {when}"
    return EventGroup(ids, label, reason, when)


def _describe_thread(members: list[DocumentProfile], events: list[EventGroup]) -> ThreadGroup:
    dates = sorted(e.date for e in events if e.date)
    title = _short(_central(members).label)
    span = dates[0] if len(set(dates)) == 1 else f"{dates[0][:4]}-{dates[-1][:4]}" if dates else ""
    label = f"{title} ({span})" if span else title
    if len(members) == 1:
        return ThreadGroup(events, label, "no other document is about the same subject")
    sims = [similarity(a, b) for a in members for b in members if a.id < b.id]
    reason = (
        f"{len(events)} events, {len(members)} documents; content similarity "
        f"{min(sims):.2f}-{max(sims):.2f} (joins above {THREAD_THRESHOLD:.2f})"
    )
    return ThreadGroup(events, label, reason)


def _short(text: str, limit: int = 70) -> str:
    """A label cut at a word boundary, never mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


# --- the workspace ------------------------------------------------------------------------


def assign_events(workspace: Workspace, embedder: CachedEmbedder) -> list[ThreadGroup]:
    """Regroup the documents whose event was not chosen by a user; store threads, events,
    dates and reasons. Returns the threads (each with its events)."""
    auto_ids = workspace.auto_grouped_document_ids()
    docs = profiles(workspace, embedder)
    threads = group([p for p in docs if p.id in auto_ids]) if auto_ids else []
    workspace.replace_auto_events(threads, {p.id: (p.date.iso() if p.date else None) for p in docs})
    return threads


def move_document(workspace: Workspace, document_id: int, event_id: int | None) -> int:
    """Put a document in another event (or a new one); a user's choice, never regrouped."""
    return workspace.move_document(document_id, event_id)
