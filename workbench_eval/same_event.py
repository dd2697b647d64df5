"""The same-event model: its labelled pairs, its fit, and the events figures it gives.

Labelled document pairs come from two sources, each split into a part the model
is fitted on and a part the figures are reported on:

* rated pairs of real news articles (:mod:`.semeval`, split by article): mostly
  *independent* reports, often in two languages;
* the TICO-19 story corpus (:mod:`.events`, split by TICO-19 document):
  *translations* of one story, and different stories of one article (the same
  subject, other content) that must stay apart.

Features are measured inside each part's whole corpus, as the events stage
measures them (the margins look at the corpus's other documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from workbench.embed import DEFAULT_EMBEDDER

from .events import PairScore, corpus_workspace, pairwise
from .semeval import corpus_workspace as semeval_workspace


@dataclass
class LabelledPairs:
    source: str  # semeval | tico
    part: str
    features: np.ndarray
    labels: np.ndarray
    cross: np.ndarray  # cross-language pair


@dataclass
class Corpus:
    """One part's documents as the events stage sees them, and its gold."""

    source: str
    part: str
    profiles: list
    index: dict[int, int]  # document id -> position in profiles
    rated: list[tuple[int, int, int, bool]]  # (doc id, doc id, label, cross-language)
    gold_event: dict[int, str] | None = None  # TICO: document id -> story
    gold_thread: dict[int, str] | None = None


def _profiles(ws, embedder: str):
    from workbench.embed import CachedEmbedder, load_embedder
    from workbench.events import profiles

    return profiles(ws, CachedEmbedder(load_embedder(embedder), ws))


def semeval_corpus(
    folder: Path, part: str, workdir: Path, embedder: str = DEFAULT_EMBEDDER
) -> Corpus:
    ws, pairs, doc_of = semeval_workspace(folder, part, workdir)
    profiles = _profiles(ws, embedder)
    ws.close()
    index = {p.id: n for n, p in enumerate(profiles)}
    by_article = {article: doc for doc, article in doc_of.items() if doc in index}
    rated = [
        (by_article[p.a], by_article[p.b], p.label, p.cross_language)
        for p in pairs
        if p.label is not None and p.a in by_article and p.b in by_article
    ]
    return Corpus("semeval", part, profiles, index, rated)


TICO_PARTS = {"fit": "dev", "report": "test"}


def tico_corpus(folder: Path, part: str, workdir: Path, embedder: str = DEFAULT_EMBEDDER) -> Corpus:
    ws, files = corpus_workspace(folder, TICO_PARTS[part], workdir)
    by_name = {f.name: f for f in files}
    story = {d.id: by_name[Path(d.path).name].story for d in ws.documents()}
    profiles = _profiles(ws, embedder)
    ws.close()
    index = {p.id: n for n, p in enumerate(profiles)}
    ids = sorted(index)
    rated = [
        (a, b, int(story[a].id == story[b].id), True)
        for a, b in combinations(ids, 2)
        if story[a].id == story[b].id or story[a].thread == story[b].thread
    ]
    return Corpus(
        "tico",
        part,
        profiles,
        index,
        rated,
        {d: s.id for d, s in story.items()},
        {d: s.thread for d, s in story.items()},
    )


def labelled_pairs(corpus: Corpus) -> LabelledPairs:
    """Features of the corpus's rated pairs; for TICO also every candidate pair the
    events stage would examine (labelled by story)."""
    from workbench.events import DocumentNeighbourhoods, corpus_features

    docs = corpus.profiles
    neighbours = DocumentNeighbourhoods(docs)
    wanted = {
        (min(corpus.index[a], corpus.index[b]), max(corpus.index[a], corpus.index[b])): (y, c)
        for a, b, y, c in corpus.rated
    }
    if corpus.gold_event is not None:
        for x, y in neighbours.candidates():
            same = corpus.gold_event[docs[x].id] == corpus.gold_event[docs[y].id]
            wanted.setdefault((x, y), (int(same), docs[x].lang != docs[y].lang))
    keys = sorted(wanted)
    features = np.stack(corpus_features(docs, keys, neighbours))
    labels = np.array([wanted[k][0] for k in keys], float)
    cross = np.array([wanted[k][1] for k in keys], bool)
    return LabelledPairs(corpus.source, corpus.part, features, labels, cross)


def fit_model(samples: Sequence[LabelledPairs], embedder_key: str, note: str):
    """One logistic model for pairs in one language and one for pairs across languages,
    each over both sources, each source weighted to the same total (so the many TICO
    pairs do not drown the rated news pairs)."""
    from workbench.align.confidence import fit
    from workbench.events import MODEL_FEATURES, SAME_EVENT_FEATURES, SameEventModel

    models = {}
    for kind, names in MODEL_FEATURES.items():
        columns = [SAME_EVENT_FEATURES.index(f) for f in names]
        rows, labels = [], []
        chosen = [(s, s.cross if kind == "cross_language" else ~s.cross) for s in samples]
        chosen = [(s, m) for s, m in chosen if m.any()]
        biggest = max(int(m.sum()) for _, m in chosen)
        for s, m in chosen:
            repeat = max(1, round(biggest / int(m.sum())))
            rows.append(np.repeat(s.features[m][:, columns], repeat, axis=0))
            labels.append(np.repeat(s.labels[m], repeat))
        models[kind] = fit(np.concatenate(rows), np.concatenate(labels), embedder_key, note)
    return SameEventModel(**models)


@dataclass
class EventsFigures:
    source: str
    part: str
    documents: int
    events: PairScore
    threads: PairScore
    cross_events: PairScore
    cross_threads: PairScore


def _rated_scores(corpus: Corpus, event_of: dict[int, int], thread_of: dict[int, int], cross_only):
    events, threads = PairScore(), PairScore()
    for a, b, label, cross in corpus.rated:
        if cross_only and not cross:
            continue
        for score, of in ((events, event_of), (threads, thread_of)):
            same = of[a] == of[b]
            score.gold += label
            score.predicted += same
            score.correct += same and label
    return events, threads


def grouping_figures(corpus: Corpus, model=None) -> EventsFigures:
    """Group the corpus with the events stage's clustering; pairwise figures on its gold."""
    from workbench.events import group, pair_evidence

    docs = corpus.profiles
    threads = group(docs, evidence=pair_evidence(docs, model))
    event_of, thread_of = {}, {}
    for t, thread in enumerate(threads):
        for e, event in enumerate(thread.events):
            for d in event.document_ids:
                event_of[d], thread_of[d] = (t, e), t
    if corpus.gold_event is not None:
        ev = pairwise(corpus.gold_event, event_of)
        th = pairwise(corpus.gold_thread, thread_of)
        return EventsFigures(corpus.source, corpus.part, len(docs), ev, th, ev, th)
    ev, th = _rated_scores(corpus, event_of, thread_of, False)
    cev, cth = _rated_scores(corpus, event_of, thread_of, True)
    return EventsFigures(corpus.source, corpus.part, len(docs), ev, th, cev, cth)


@dataclass
class ScaleRun:
    documents: int
    sentences: int
    seconds: float
    peak_mb: float  # peak of memory traced during grouping (numpy included)
    events: int
    threads: int


def synthetic_profiles(documents: int, sentences: int, dim: int = 384, seed: int = 0) -> list:
    """Documents of random unit sentence vectors around one topic each (stories of 3
    documents share a topic), in three languages; lengths vary around the mean."""
    from workbench.events import DocumentProfile

    rng = np.random.default_rng(seed)
    lengths = rng.poisson(max(sentences // documents - 1, 1), documents) + 1
    profiles = []
    for n, length in enumerate(lengths):
        topic = np.random.default_rng(seed * 1_000_003 + n // 3).normal(size=dim)
        vecs = (topic + 1.5 * rng.normal(size=(length, dim))).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        mean = vecs.sum(axis=0)
        profiles.append(
            DocumentProfile(
                n,
                ("en", "fa", "ar")[n % 3],
                f"document {n}",
                (mean / np.linalg.norm(mean)).astype(np.float32),
                vecs,
                lead=(vecs[:3].sum(axis=0) / np.linalg.norm(vecs[:3].sum(axis=0))).astype(
                    np.float32
                ),
            )
        )
    return profiles


def events_scale(documents: int, sentences: int, seed: int = 0) -> ScaleRun:
    """The events stage's grouping from vectors already computed (as the cache gives
    them): time and peak traced memory."""
    import time
    import tracemalloc

    from workbench.events import group

    docs = synthetic_profiles(documents, sentences, seed=seed)
    total = sum(len(p.sentences) for p in docs)
    tracemalloc.start()
    start = time.perf_counter()
    threads = group(docs)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    events = sum(len(t.events) for t in threads)
    return ScaleRun(documents, total, seconds, peak / 2**20, events, len(threads))


def corpora(
    semeval: Path, tico: Path, part: str, workdir: Path, embedder: str = DEFAULT_EMBEDDER
) -> list[Corpus]:
    """Both sources' corpora of one part (``fit`` or ``report``)."""
    return [
        semeval_corpus(semeval, part, workdir, embedder),
        tico_corpus(tico, part, workdir, embedder),
    ]


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def pair_ranking(corpus: Corpus, model, cut: float = 0.5) -> tuple[float, float, PairScore]:
    """How well the probability alone ranks the evaluated pairs (AUC, overall and across
    languages) and the pairwise score of deciding each pair at ``cut`` with no clustering:
    what grouping starts from."""
    samples = labelled_pairs(corpus)
    p = model.probability(samples.features, samples.cross)
    y = samples.labels
    alone = PairScore(int(y.sum()), int((p >= cut).sum()), int(((p >= cut) & (y == 1)).sum()))
    return auc(p, y), auc(p[samples.cross], y[samples.cross]), alone


def pair_reliability(corpus: Corpus, model) -> tuple:
    """ECE (10 bins) and reliability table of the model on the corpus's evaluated pairs."""
    from workbench.align.confidence import reliability

    samples = labelled_pairs(corpus)
    return reliability(model.probability(samples.features, samples.cross), samples.labels)
