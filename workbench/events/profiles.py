"""What the events stage knows of each document: centred sentence, lead, document and
subject vectors, the date of the happening, numbers, names and words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..align.vectors import side_mean
from ..embed import CachedEmbedder, language_mean
from ..names import first_words
from ..store import Workspace
from ..text.dates import FoundDate, happening_date
from ..text.normalise import numbers_in

OWN_MEAN_SENTENCES = 50


"""A language with this many sentences in the corpus is centred on its own mean (what
this corpus's documents share, a subject or an outlet's style, is not evidence of one
event); with fewer, on the reference mean measured on TICO-19 when there is one."""


LEAD_SENTENCES = 3


"""Title and the first sentences: what a news report says happened."""


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


def names_in(text: str) -> set[str]:
    """Capitalised words that are not a sentence's first word: names, in scripts with case.
    (Arabic script has no case; its names reach the model through the vectors.)"""
    names = set()
    for match in NAME.finditer(text):
        before = text[max(0, match.start() - 2) : match.start()].strip()
        if before and before[-1] not in ".!?:\"'«»“”":
            names.add(match.group().lower())
    return names


NAME_GRAM = 4


def name_grams(names: set[str]) -> Counter:
    """Character 4-grams of the names, each name marked at both ends: one name spelled by
    two languages shares most of them ("francis", "francisco", "franciszek")."""
    grams: Counter = Counter()
    for name in names:
        marked = f"_{name}_"
        grams.update(marked[i : i + NAME_GRAM] for i in range(len(marked) - NAME_GRAM + 1))
    return grams


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
        self.name_grams = self._vectors([name_grams(p.names) for p in docs])

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
