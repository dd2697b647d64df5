"""Group documents into events (one happening) and events into threads (related happenings).

Most coverage is independent: each outlet writes its own story, in its own
language, so two reports of one happening share few sentences that translate
each other; and two football reports of the same weekend read alike as wholes.
So whether two documents report one happening is a *calibrated probability*
learned from labelled pairs (:data:`SAME_EVENT_FEATURES`), combining:

* whole-document similarity (the mean of the language-centred sentence
  vectors) and its margin over each document's nearest other documents in the
  corpus (is this the closest story, or one of many alike);
* the similarity of the *leads* (title and first sentences: news says what
  happened first, background later);
* sentence evidence: the share of the shorter document's sentences with a
  *confident partner* (mutual best match whose ratio margin over the sentence's
  nearest neighbours in the whole corpus clears :data:`PARTNER_MARGIN`: what
  versions of one story share) and the best sentence pairs (the same facts
  stated in other words);
* numbers both documents state (digits compare across scripts) and names both
  write in one script;
* the dates of the happening: two documents whose dates lie more than
  :data:`DATE_WINDOW_DAYS` apart are never one event (a veto).

Events are average-linkage clusters on that probability (above
:data:`EVENT_PROBABILITY`). Each language is centred on the corpus's own mean
when it has enough sentences (what a corpus shares, its subject, is not evidence
of one event). Threads join events about the same *subject*: the documents'
vectors centred on the reference means instead, which keep the subject
(average linkage above :data:`THREAD_THRESHOLD`): the opposition's gatherings
of several years are one thread and four events.

Memory never grows with the square of the corpus's sentences: each document is
compared with its :data:`CANDIDATES` most similar documents only, sentence
neighbourhoods are measured against at most :data:`POOL_LIMIT` sentences per
language, sentence matrices are built in blocks, and clustering runs within the
connected parts of the graph of probable pairs.

Each group keeps a plain-language reason and a readable label (its best title
and date); a user's own choice (``event_origin = 'user'``) is never overwritten.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import numpy as np

from .align import knn
from .align.confidence import Calibration
from .align.vectors import NEIGHBOURS, side_mean
from .embed import CachedEmbedder, language_mean
from .names import document_names, first_words, short_title
from .store import Workspace
from .text.dates import FoundDate, happening_date
from .text.normalise import ascii_digits

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
)
"""What is measured of a document pair (see :func:`pair_features`). The model reads a
subset of them, one model for pairs in one language and one for pairs across languages
(within one language any two reports share words and turns of phrase, so sentence
matches mean less there and shared words more). The corpus-relative ``document`` and
``document_margin`` are measured and shown, not read: they made the model trust a
small corpus's similar documents (six seed documents on one subject) as if they were
one story."""

_READ = tuple(f for f in SAME_EVENT_FEATURES if f not in ("document", "document_margin"))
MODEL_FEATURES = {
    "same_language": _READ,
    "cross_language": tuple(f for f in _READ if f != "words"),  # two languages share no words
}

EVENT_PROBABILITY = 0.5
"""Average same-event probability above which clusters join one event."""

THREAD_THRESHOLD = 0.60
"""Average cosine between subject vectors (reference-centred) above which events join
one thread. Set on the seeds: the opposition's gatherings scored 0.58-0.70 with each
other, the unrelated US-Iran talks article 0.45-0.69 with them (0.55 on average)."""

PARTNER_MARGIN = 1.06
"""Corpus-level ratio margin above which a mutual best sentence match is a confident
partner (LASER-style mining margins of translations lie well above; set by hand, then
checked on the dev half of the TICO-19 story corpus)."""

DATE_WINDOW_DAYS = 10
"""Two documents whose happening dates lie further apart are never one event."""

OWN_MEAN_SENTENCES = 50
"""A language with this many sentences in the corpus is centred on its own mean (what
this corpus's documents share, a subject or an outlet's style, is not evidence of one
event); with fewer, on the reference mean measured on TICO-19 when there is one."""

LEAD_SENTENCES = 3
"""Title and the first sentences: what a news report says happened."""

CANDIDATES = 20
"""Each document is compared with this many most similar documents; pairs further apart
are never one event (probability 0)."""

POOL_LIMIT = 20_000
"""At most this many sentences per language (an even sample) are the yardstick of a
sentence's corpus-level neighbourhood: memory and time stay linear in the corpus."""

BLOCK = 2_000_000
"""Entries of a sentence-similarity block (8 MB of float32)."""

MODEL_FILE = "same_event.json"

LABEL_CHARS = 70
"""Event and thread labels are cut between words to about this."""

NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*(?![\d.,])")
YEARLIKE = re.compile(r"^(1[3-4]\d\d|19\d\d|20\d\d)$")
NAME = re.compile(r"(?<![\w])[A-ZÀ-ÞĀ-ŽА-Я][\w'-]{2,}")
WORD = re.compile(r"[^\W\d_]{3,}")
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class DocumentProfile:
    id: int
    lang: str
    title: str
    vector: np.ndarray  # document vector centred on the corpus's means (unit length)
    sentences: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    sentence_langs: list[str] = field(default_factory=list)
    date: FoundDate | None = None
    numbers: set[str] = field(default_factory=set)
    first_words: str = ""
    lead: np.ndarray | None = None  # centred vector of the first sentences (unit length)
    names: set[str] = field(default_factory=set)
    words: Counter = field(default_factory=Counter)
    subject: np.ndarray | None = None  # document vector centred on reference means

    @property
    def subject_vector(self) -> np.ndarray:
        return self.vector if self.subject is None else self.subject

    @property
    def label(self) -> str:
        return self.title.strip() or self.first_words or f"document {self.id}"

    @property
    def lead_vector(self) -> np.ndarray:
        return self.vector if self.lead is None else self.lead


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
    """One profile per document: centred sentence, lead and document vectors, date,
    numbers and names."""
    docs = [d for d in workspace.documents() if document_ids is None or d.id in document_ids]
    docs = [d for d in docs if d.sentences]
    sentences = {d.id: workspace.sentences(d.id) for d in docs}
    every = embedder.embed([s.text for d in docs for s in sentences[d.id]])  # one progress total
    ends = np.cumsum([len(sentences[d.id]) for d in docs])
    vectors = {
        d.id: every[end - len(sentences[d.id]) : end] for d, end in zip(docs, ends, strict=True)
    }
    own = _language_means(embedder, sentences, vectors)
    reference = _language_means(embedder, sentences, vectors, own_first=False)
    out = []
    for d in docs:
        rows = sentences[d.id]
        centred = _centred(rows, vectors[d.id], own)
        subject = _centred(rows, vectors[d.id], reference).sum(axis=0)
        text = workspace.document_text(d.id)
        out.append(
            DocumentProfile(
                d.id,
                d.lang,
                d.title,
                _unit(centred.sum(axis=0)),
                centred,
                [s.lang for s in rows],
                happening_date(text),
                numbers_in(text),
                first_words(rows[0].text) if rows else "",
                _unit(centred[:LEAD_SENTENCES].sum(axis=0)),
                names_in(text),
                words_in(text),
                _unit(subject),
            )
        )
    return out


def _centred(rows, vectors: np.ndarray, means: dict[str, np.ndarray]) -> np.ndarray:
    centred = np.stack(
        [v - means.get(s.lang, means["*"]) for s, v in zip(rows, vectors, strict=True)]
    ).astype(np.float32)
    return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-6)


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-6)).astype(np.float32)


def numbers_in(text: str) -> set[str]:
    """Numbers a text states, in ASCII digits, leaving out years and single digits."""
    found = {n.replace(",", "") for n in NUMBER.findall(ascii_digits(text))}
    return {n for n in found if len(n) > 1 and not YEARLIKE.match(n)}


def names_in(text: str) -> set[str]:
    """Capitalised words that are not a sentence's first word: names, in scripts with case.
    (Arabic script has no case; its names reach the model through the vectors.)"""
    names = set()
    for match in NAME.finditer(text):
        before = text[max(0, match.start() - 2) : match.start()].strip()
        if before and before[-1] not in ".!?:\"'«»“”":
            names.add(match.group().lower())
    return names


def words_in(text: str) -> Counter:
    """Word counts, lower-cased (Chinese and Japanese as character pairs: no spaces)."""
    words: Counter = Counter()
    for word in WORD.findall(text.lower()):
        if CJK.search(word):
            words.update(word[i : i + 2] for i in range(len(word) - 1))
        else:
            words[word] += 1
    return words


class Terms:
    """TF-IDF vectors of each document's words and names over the corpus: a word many
    documents use says little, a name few documents share says much."""

    def __init__(self, docs: Sequence[DocumentProfile]):
        self.words = self._vectors([p.words for p in docs])
        self.names = self._vectors([Counter(p.names) for p in docs])

    @staticmethod
    def _vectors(counts: Sequence[Counter]) -> list[tuple[np.ndarray, np.ndarray]]:
        frequency: Counter = Counter()
        for c in counts:
            frequency.update(c.keys())
        ids = {term: n for n, term in enumerate(frequency)}
        out = []
        for c in counts:
            terms = sorted(c, key=ids.__getitem__)
            index = np.array([ids[t] for t in terms], np.int64)
            idf = np.log((1 + len(counts)) / np.array([1 + frequency[t] for t in terms], float))
            weights = np.array([1 + np.log(c[t]) for t in terms], float) * idf
            out.append((index, weights / max(float(np.linalg.norm(weights)), 1e-9)))
        return out

    @staticmethod
    def cosine(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
        _, x, y = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
        return float(a[1][x] @ b[1][y])


def _language_means(
    embedder: CachedEmbedder, sentences, vectors, own_first: bool = True
) -> dict[str, np.ndarray]:
    """Per language: the corpus's own mean when it has :data:`OWN_MEAN_SENTENCES` in that
    language, else the reference mean when measured, else the mean over all languages;
    with ``own_first=False`` the reference mean comes first."""
    by_lang: dict[str, list[np.ndarray]] = {}
    for doc_id, rows in sentences.items():
        for s, v in zip(rows, vectors[doc_id], strict=True):
            by_lang.setdefault(s.lang, []).append(v)
    everything = [v for vs in by_lang.values() for v in vs]
    means = {"*": np.mean(everything, axis=0) if everything else np.zeros(embedder.dim)}
    for lang, vs in by_lang.items():
        means[lang] = side_mean(
            np.stack(vs),
            language_mean(embedder.key, lang),
            own_from=OWN_MEAN_SENTENCES,
            reference_first=not own_first,
            default=means["*"],
        )
    return means


def similarity(a: DocumentProfile, b: DocumentProfile) -> float:
    return float(a.vector @ b.vector)


# --- evidence that two documents report one happening ----------------------------------


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


@lru_cache(maxsize=1)
def same_event_model() -> SameEventModel:
    """The same-event model that ships in ``workbench/data`` (fitted by ``workbench eval
    same-event --fit``)."""
    path = resources.files("workbench") / "data" / MODEL_FILE
    value = json.loads(path.read_text("utf-8"))
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
        said.append("they give the same numbers")
    if mean["names"] >= 0.2:
        said.append("they name the same people and places")
    if not said:
        said.append("their texts cover the same ground")
    return "; ".join(said)


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
        f"(same-event probability {min(chance):.2f} to {max(chance):.2f})"
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


# --- the workspace ------------------------------------------------------------------------


def assign_events(workspace: Workspace, embedder: CachedEmbedder) -> list[ThreadGroup]:
    """Regroup the documents whose event was not chosen by a user; store threads, events,
    dates and reasons. Returns the threads (each with its events).

    Every document is grouped, the ones a user placed too, and those are then taken out
    of the groups: left out of the grouping, their evidence would be missing and could
    join documents the user never touched (moving one translation of a match report into
    another match's event pulled its two siblings after it)."""
    auto_ids = workspace.auto_grouped_document_ids()
    docs = profiles(workspace, embedder)
    threads = [without_placed(t, auto_ids) for t in group(docs)] if auto_ids else []
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
