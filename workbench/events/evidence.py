"""Whether two documents report one happening: the features of a document pair, measured
against the whole corpus, and the calibrated same-event model that reads them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from ..align import knn
from ..align.confidence import Calibration
from ..align.vectors import NEIGHBOURS
from ..embed import DEFAULT_EMBEDDER, fitted_prefix
from .profiles import DocumentProfile, Terms, similarity

SAME_EVENT_FEATURES = (
    "document",
    "document_margin",
    "lead",
    "partners",
    "best_pairs",
    "numbers",
    "names",
    "words",
    "years_differ",
    "name_grams",
)


"""What is measured of a document pair (see :func:`pair_features`). The model reads a
subset of them, one model for pairs in one language and one for pairs across languages
(within one language any two reports share words and turns of phrase, so sentence
matches mean less there and shared words more). The corpus-relative ``document`` and
``document_margin`` are measured and shown, not read: they made the model trust a
small corpus's similar documents (six seed documents on one subject) as if they were
one story."""


_READ = tuple(f for f in SAME_EVENT_FEATURES if f not in ("document", "document_margin", "names"))


MODEL_FEATURES = {
    "same_language": _READ,
    "cross_language": tuple(f for f in _READ if f != "words"),  # two languages share no words
}
"""The exact shared ``names`` are shown in an event's "why" line but not read: their
4-grams (``name_grams``) say as much within a language and also match one name as two
languages spell it (Francis, Francisco, Franciszek), which lifted the fit part's events
F1 from 0.862 to 0.871 (cross-language 0.867 to 0.885)."""


PARTNER_MARGIN = 1.06


"""Corpus-level ratio margin above which a mutual best sentence match is a confident
partner (LASER-style mining margins of translations lie well above; set by hand, then
checked on the dev half of the TICO-19 story corpus)."""


DATE_WINDOW_DAYS = 10


"""Two documents whose happening dates lie further apart are never one event."""


CANDIDATES = 20


"""Each document is compared with this many most similar documents; pairs further apart
are never one event (probability 0)."""


POOL_LIMIT = 20_000


"""At most this many sentences per language (an even sample) are the yardstick of a
sentence's corpus-level neighbourhood: memory and time stay linear in the corpus."""


BLOCK = 2_000_000


"""Entries of a sentence-similarity block (8 MB of float32)."""


MODEL_FILE = "same_event.json"


class SentenceNeighbourhoods:
    """Each sentence's mean similarity to its k nearest sentences per language, over the
    whole corpus (other documents only): the yardstick a partner must stand out from.

    The pool of a language is an even sample of at most :data:`POOL_LIMIT` sentences, and
    a sentence looks past at most ``k + 32`` neighbours for ones of other documents: time
    and memory are linear in the corpus's sentences, whatever one document holds."""

    def __init__(self, docs: Sequence[DocumentProfile], k: int = NEIGHBOURS):
        self.offsets: dict[int, int] = {}
        rows, langs, owners, count = [], [], [], 0
        for p in docs:
            self.offsets[p.id] = count
            count += len(p.sentences)
            rows.append(p.sentences)
            langs.append(np.full(len(p.sentences), p.lang, dtype=object))
            owners.append(np.full(len(p.sentences), p.id))
        everything = np.concatenate(rows) if rows else np.zeros((0, 1), np.float32)
        owner = np.concatenate(owners) if owners else np.zeros(0, int)
        lang_of = np.concatenate(langs) if langs else np.zeros(0, object)
        self.near: dict[str, np.ndarray] = {}
        for lang in sorted(set(lang_of.tolist())):
            pool = np.flatnonzero(lang_of == lang)
            if len(pool) > POOL_LIMIT:
                pool = pool[np.linspace(0, len(pool) - 1, POOL_LIMIT).astype(int)]
            own_max = int(np.bincount(np.unique(owner[pool], return_inverse=True)[1]).max())
            sims, ids = knn(everything, everything[pool], k + min(own_max, 32))
            other = owner[pool][ids] != owner[:, None]  # a document is not its own neighbour
            keep = other & (np.cumsum(other, axis=1) <= k)
            counted = np.maximum(keep.sum(axis=1), 1)
            self.near[lang] = (np.where(keep, sims, 0.0).sum(axis=1) / counted).astype(np.float32)

    def of(self, doc: DocumentProfile, lang: str) -> np.ndarray:
        start = self.offsets[doc.id]
        near = self.near.get(lang)
        if near is None:
            return np.zeros(len(doc.sentences), np.float32)
        return near[start : start + len(doc.sentences)]


def best_matches(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row of ``a`` its best row of ``b`` and that similarity; for each row of
    ``b`` its best row of ``a``. In blocks: memory bounded by :data:`BLOCK`."""
    best_b = np.zeros(len(a), np.int64)
    best = np.full(len(a), -np.inf, np.float32)
    best_a = np.zeros(len(b), np.int64)
    col_best = np.full(len(b), -np.inf, np.float32)
    step = max(1, BLOCK // max(len(b), 1))
    for start in range(0, len(a), step):
        sims = a[start : start + step] @ b.T
        best_b[start : start + step] = sims.argmax(axis=1)
        best[start : start + step] = sims.max(axis=1)
        rows = sims.argmax(axis=0)
        values = sims[rows, np.arange(len(b))]
        better = values > col_best
        best_a[better] = rows[better] + start
        col_best[better] = values[better]
    return best_b, best, best_a


def sentence_evidence(
    a: DocumentProfile, b: DocumentProfile, hoods: SentenceNeighbourhoods
) -> tuple[float, float]:
    """``(partners, best_pairs)``: the share of the shorter document's sentences with a
    confident partner in the other, and the mean ratio margin of the three best sentence
    matches (the same facts stated in other words)."""
    if not len(a.sentences) or not len(b.sentences):
        return 0.0, 1.0
    best_b, best, best_a = best_matches(a.sentences, b.sentences)
    rows = np.arange(len(a.sentences))
    mutual = best_a[best_b] == rows
    near = (hoods.of(a, b.lang) + hoods.of(b, a.lang)[best_b]) / 2
    margin = (1 + best) / (1 + near)
    confident = int((mutual & (margin >= PARTNER_MARGIN)).sum())
    top = np.sort(margin)[-3:]
    return confident / min(len(a.sentences), len(b.sentences)), float(top.mean())


def number_overlap(a: DocumentProfile, b: DocumentProfile) -> float:
    """Dice overlap of the numbers both state (0 when either states none)."""
    if not a.numbers or not b.numbers:
        return 0.0
    return 2 * len(a.numbers & b.numbers) / (len(a.numbers) + len(b.numbers))


def dates_apart(a: DocumentProfile, b: DocumentProfile) -> bool:
    """Whether two exact dates (day precision) of the happenings rule out one event.

    A bare year or a month is too often background ("since 1994", "in November 2015")
    to veto: on the fitting part of the rated news pairs, year-only disagreements split 5
    same-story pairs of 9 vetoed and month-level ones 2 of 2 (on the TICO-19 dev stories
    the events came out the same without them); they count against a pair as the
    ``years_differ`` feature instead."""
    if a.date is None or b.date is None:
        return False
    if a.date.precision != "day" or b.date.precision != "day":
        return False
    return abs((a.date.value - b.date.value).days) > DATE_WINDOW_DAYS


def years_differ(a: DocumentProfile, b: DocumentProfile) -> bool:
    """The two happenings' dates name different years (at whatever precision)."""
    return a.date is not None and b.date is not None and a.date.value.year != b.date.value.year


class DocumentNeighbourhoods:
    """Each document's :data:`CANDIDATES` most similar documents, and the mean similarity
    of its k nearest (the yardstick of the document margin)."""

    def __init__(
        self,
        docs: Sequence[DocumentProfile],
        vectors: np.ndarray | None = None,
        k: int = NEIGHBOURS,
    ):
        if vectors is None:
            vectors = np.stack([p.vector for p in docs]) if docs else np.zeros((0, 1), np.float32)
        sims, ids = knn(vectors, vectors, min(len(docs), max(CANDIDATES, k) + 1))
        self.k = k
        self.sims, self.ids = sims, ids

    def candidates(self) -> set[tuple[int, int]]:
        """Index pairs ``(x, y)``, ``x < y``, of documents among each other's candidates."""
        pairs = set()
        for x, (row, sims) in enumerate(zip(self.ids, self.sims, strict=True)):
            for y, sim in zip(row[: CANDIDATES + 1], sims[: CANDIDATES + 1], strict=True):
                if y != x and np.isfinite(sim):
                    pairs.add((min(x, int(y)), max(x, int(y))))
        return pairs

    def near(self, x: int, leaving_out: int) -> float:
        """Mean similarity of document ``x``'s k nearest others, ``leaving_out`` one."""
        values = [
            s for i, s in zip(self.ids[x], self.sims[x], strict=True) if i not in (x, leaving_out)
        ]
        return float(np.mean(values[: self.k])) if values else 0.0


def pair_features(
    a: DocumentProfile,
    b: DocumentProfile,
    hoods: SentenceNeighbourhoods,
    margin_near: float,
    names: float,
    words: float,
    name_grams: float = 0.0,
) -> np.ndarray:
    """One row of :data:`SAME_EVENT_FEATURES`; ``margin_near`` is the mean similarity of
    both documents' nearest other documents (0 when the corpus has no others), ``names``
    and ``words`` the TF-IDF cosines of :class:`Terms` (words count in one language only:
    two languages share names, not words)."""
    document = similarity(a, b)
    partners, best_pairs = sentence_evidence(a, b, hoods)
    return np.array(
        [
            document,
            document - margin_near,
            float(a.lead_vector @ b.lead_vector),
            partners,
            best_pairs,
            number_overlap(a, b),
            names,
            words if a.lang == b.lang else 0.0,
            float(years_differ(a, b)),
            name_grams,
        ],
        np.float64,
    )


def corpus_features(
    docs: Sequence[DocumentProfile],
    pairs: Sequence[tuple[int, int]],
    neighbours: DocumentNeighbourhoods,
) -> list[np.ndarray]:
    """:func:`pair_features` of index pairs, each measured against the whole corpus
    (``neighbours``: the corpus's :class:`DocumentNeighbourhoods`)."""
    hoods = SentenceNeighbourhoods(docs)
    terms = Terms(docs)
    return [
        pair_features(
            docs[x],
            docs[y],
            hoods,
            (neighbours.near(x, y) + neighbours.near(y, x)) / 2,
            terms.cosine(terms.names[x], terms.names[y]),
            terms.cosine(terms.words[x], terms.words[y]),
            terms.cosine(terms.name_grams[x], terms.name_grams[y]),
        )
        for x, y in pairs
    ]


@dataclass(frozen=True)
class SameEventModel:
    """Two logistic models over :data:`MODEL_FEATURES`: pairs in one language, and across."""

    same_language: Calibration
    cross_language: Calibration

    def probability(self, features: np.ndarray, cross: np.ndarray) -> np.ndarray:
        out = np.zeros(len(features))
        for kind, rows in (("same_language", ~cross), ("cross_language", cross)):
            if rows.any():
                columns = [SAME_EVENT_FEATURES.index(f) for f in MODEL_FEATURES[kind]]
                out[rows] = getattr(self, kind).probability(features[rows][:, columns])
        return out

    def to_json(self) -> dict:
        return {
            kind: {**getattr(self, kind).to_json(), "features": list(MODEL_FEATURES[kind])}
            for kind in MODEL_FEATURES
        }


def shipped_same_event_models() -> dict[str, dict]:
    """The same-event models in ``workbench/data``, by the embedder prefix they were fitted
    for (the file of earlier versions held one model, the default embedder's)."""
    path = resources.files("workbench") / "data" / MODEL_FILE
    data = json.loads(path.read_text("utf-8"))
    return {DEFAULT_EMBEDDER: data} if "same_language" in data else data


def fitted_for(embedder_key: str) -> str | None:
    """The prefix of the model fitted for this embedder's vectors, or None."""
    return fitted_prefix(shipped_same_event_models(), embedder_key)


@lru_cache(maxsize=8)
def same_event_model(embedder_key: str = DEFAULT_EMBEDDER) -> SameEventModel:
    """The same-event model fitted on this embedder's vectors (``workbench eval same-event
    --fit --embedder``); the default embedder's where none was fitted (its features are
    cosines and margins of another model: the events stage says so)."""
    models = shipped_same_event_models()
    value = models[fitted_for(embedder_key) or DEFAULT_EMBEDDER]
    for kind, features in MODEL_FEATURES.items():
        if tuple(value[kind]["features"]) != features:
            raise ValueError(f"{MODEL_FILE} was fitted on other features: refit it")
    return SameEventModel(**{kind: Calibration.from_json(value[kind]) for kind in MODEL_FEATURES})


@dataclass
class PairEvidence:
    """The probable document pairs of a corpus: index pairs to features and probability."""

    features: dict[tuple[int, int], np.ndarray]
    probability: dict[tuple[int, int], float]
    vetoed: set[tuple[int, int]]

    def score(self, x: int, y: int) -> float:
        """The pair's probability; 0 when its dates rule it out or it was not examined."""
        key = (min(x, y), max(x, y))
        return 0.0 if key in self.vetoed else self.probability.get(key, 0.0)


def pair_evidence(
    docs: Sequence[DocumentProfile], model: SameEventModel | None = None
) -> PairEvidence:
    """Same-event probability of each document and its :data:`CANDIDATES` nearest ones."""
    model = model or same_event_model()
    neighbours = DocumentNeighbourhoods(docs)
    pairs = sorted(neighbours.candidates())
    features = dict(zip(pairs, corpus_features(docs, pairs, neighbours), strict=True))
    rows = (
        np.stack([features[p] for p in pairs]) if pairs else np.zeros((0, len(SAME_EVENT_FEATURES)))
    )
    cross = np.array([docs[x].lang != docs[y].lang for x, y in pairs], bool)
    probability = dict(zip(pairs, model.probability(rows, cross).tolist(), strict=True))
    vetoed = {(x, y) for x, y in pairs if dates_apart(docs[x], docs[y])}
    return PairEvidence(features, probability, vetoed)
