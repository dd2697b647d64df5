"""Alignment figures behind ``workbench eval align|retrieval|mine|align-scale``.

* ``align``: Vecalign's strict and lax precision/recall/F1 (re-implemented in
  :mod:`workbench_eval.score`) on Text+Berg de-fr with its own segmentation;
* ``retrieval``: P@1 both ways on Tatoeba, raw cosine against centred ratio margin;
* ``mine``: comparable documents synthesised from TICO-19 (drop 30% of each side
  independently, shuffle, add 20% distractors from other documents), F1 of the
  mined links against the pairs left on both sides.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.align import (
    ComparableParams,
    ParallelParams,
    align_comparable,
    align_parallel,
    calibrated_threshold,
    centred,
    knn,
)
from workbench.embed import CachedEmbedder, embed_texts, text_key

from .harness import TICO_FILES, PrecisionRecall, tico_documents
from .score import AlignScore, read_ladder, score_alignments

TEXTBERG_TEST = tuple(f"test{i}" for i in range(7))


class CountingEmbedder:
    """An embedder that remembers every distinct text asked of it (by cache key) and its
    token count: what a run costs cold, measured even on a warm cache."""

    def __init__(self, inner: CachedEmbedder):
        self.inner, self.key, self.dim = inner, inner.key, inner.dim
        self.tokens: dict[str, int] = {}  # text key -> tokens (characters without a tokenizer)
        model = getattr(inner.embedder, "_model", None)
        self._count = getattr(model, "token_count", None) or len

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        for text in embed_texts(texts):  # what the model receives
            key = text_key(text)
            if key not in self.tokens:
                self.tokens[key] = int(self._count(text))
        return self.inner.embed(texts)

    def cost(self, texts: Sequence[str]) -> tuple[int, int]:
        """Distinct texts and their tokens among ``texts`` (each counted once)."""
        keys = {text_key(t): t for t in embed_texts(texts)}
        return len(keys), sum(int(self._count(t)) for t in keys.values())


@dataclass
class EmbeddingCost:
    """Distinct texts a run asked for, against the documents' sentences alone."""

    sentences: int
    sentence_tokens: int
    texts: int  # sentences and windows
    tokens: int

    @property
    def ratio(self) -> float:
        """Token-weighted cost relative to embedding the sentences once."""
        return self.tokens / max(self.sentence_tokens, 1)

    def __str__(self) -> str:
        return (
            f"{self.texts} texts asked for ({self.sentences} sentences, "
            f"{self.texts - self.sentences} windows), {self.tokens} tokens: "
            f"{self.ratio:.2f}x the sentences alone"
        )


@dataclass
class TextBergRun:
    score: AlignScore
    seconds: float
    embedded: int  # texts the model had to embed (0 with a warm cache)
    documents: int
    signature: str
    cost: EmbeddingCost | None = None


def textberg_benchmark(
    folder: Path,
    embedder: CachedEmbedder,
    params: ParallelParams | None = None,
    docs: Sequence[str] = TEXTBERG_TEST,
) -> TextBergRun:
    params = params or ParallelParams()
    before = embedder.computed
    counting = CountingEmbedder(embedder)
    start = time.perf_counter()
    golds, tests, sentences = [], [], []
    for name in docs:
        src = (folder / f"{name}.de").read_text("utf-8").splitlines()
        tgt = (folder / f"{name}.fr").read_text("utf-8").splitlines()
        links = align_parallel(src, tgt, counting, params)
        tests.append([(link.src, link.tgt) for link in links])
        golds.append(read_ladder((folder / f"{name}.defr").read_text("utf-8")))
        sentences += src + tgt
    seconds = time.perf_counter() - start
    cost = EmbeddingCost(
        *counting.cost(sentences), len(counting.tokens), sum(counting.tokens.values())
    )
    signature = (
        f"data:textberg-de-fr|docs:{','.join(docs)}|embedder:{embedder.key}"
        f"|max:{params.max_size}/{params.max_total}|windows:{params.windows}"
        f"|margin:{params.margin}|skip:{params.skip}|lexical:{params.lexical_weight}"
    )
    return TextBergRun(
        score_alignments(golds, tests),
        seconds,
        embedder.computed - before,
        len(docs),
        signature,
        cost,
    )


# --- retrieval ------------------------------------------------------------------------


TATOEBA = {"fa": ("eng-fas", "fas"), "ar": ("ara-eng", "ara")}


def tatoeba_pairs(folder: Path, lang: str, limit: int | None = None) -> tuple[list[str], list[str]]:
    sub, suffix = TATOEBA[lang]
    base = folder / sub / "tatoeba-test-v2021-08-07"
    src = Path(f"{base}.{suffix}").read_text("utf-8").splitlines()
    eng = Path(f"{base}.eng").read_text("utf-8").splitlines()
    if len(src) != len(eng):
        raise ValueError(f"{base}: {len(src)} {lang} lines but {len(eng)} English lines")
    return src[:limit], eng[:limit]


@dataclass
class RetrievalRun:
    lang: str
    pairs: int
    p_at_1: dict[str, float] = field(default_factory=dict)  # "cosine fa->en" -> value


def retrieval_benchmark(
    folder: Path, lang: str, embedder: CachedEmbedder, limit: int | None = None, k: int = 4
) -> RetrievalRun:
    """P@1 both ways; a hit is any target with the gold text (Tatoeba repeats sentences)."""
    src, eng = tatoeba_pairs(folder, lang, limit)
    a, b = embedder.embed(src), embedder.embed(eng)
    run = RetrievalRun(lang, len(src))
    for label, (x, y) in {
        "cosine": (a, b),
        "centred cosine": (centred(a), centred(b)),
    }.items():
        run.p_at_1[f"{label} {lang}->en"] = _p_at_1(x @ y.T, src, eng)
        run.p_at_1[f"{label} en->{lang}"] = _p_at_1(y @ x.T, eng, src)
    x, y = centred(a), centred(b)
    near_x, near_y = knn(x, y, k)[0].mean(1), knn(y, x, k)[0].mean(1)
    sims = x @ y.T
    margin = (1 + sims) / (1 + (near_x[:, None] + near_y[None, :]) / 2)
    run.p_at_1[f"centred margin {lang}->en"] = _p_at_1(margin, src, eng)
    run.p_at_1[f"centred margin en->{lang}"] = _p_at_1(margin.T, eng, src)
    return run


def _p_at_1(scores: np.ndarray, queries: list[str], targets: list[str]) -> float:
    best = scores.argmax(axis=1)
    # query i's gold is targets[i]; the same text elsewhere counts as a hit too
    hits = sum(targets[j] == targets[i] for i, j in enumerate(best))
    return hits / len(queries)


# --- synthetic comparable mining -----------------------------------------------------


@dataclass
class MiningDocument:
    src: list[str]
    tgt: list[str]
    gold: set[tuple[int, int]]


def synthesise_comparable(
    pairs_by_doc: list[list[tuple[str, str]]],
    rng: random.Random,
    drop: float = 0.3,
    distractors: float = 0.2,
) -> list[MiningDocument]:
    """Make comparable documents from parallel ones (the issue's recipe)."""
    out = []
    for d, pairs in enumerate(pairs_by_doc):
        others = [p for e, doc in enumerate(pairs_by_doc) if e != d for p in doc]
        keep_src = [i for i in range(len(pairs)) if rng.random() >= drop]
        keep_tgt = [i for i in range(len(pairs)) if rng.random() >= drop]
        src = [(pairs[i][0], i) for i in keep_src]
        tgt = [(pairs[i][1], i) for i in keep_tgt]
        extra = min(max(1, round(distractors * len(pairs))), len(others) // 2)
        picked = rng.sample(others, 2 * extra)  # disjoint: no distractor has its pair opposite
        src += [(s, -1) for s, _ in picked[:extra]]
        tgt += [(t, -1) for _, t in picked[extra:]]
        rng.shuffle(src)
        rng.shuffle(tgt)
        where_tgt = {origin: j for j, (_, origin) in enumerate(tgt) if origin >= 0}
        gold = {
            (i, where_tgt[origin])
            for i, (_, origin) in enumerate(src)
            if origin >= 0 and origin in where_tgt
        }
        out.append(MiningDocument([s for s, _ in src], [t for t, _ in tgt], gold))
    return out


def tico_parallel_documents(folder: Path, lang: str) -> list[list[tuple[str, str]]]:
    if lang not in TICO_FILES or lang == "en":
        raise ValueError(f"no TICO-19 pair for {lang!r}: use fa or ar")
    foreign = list(tico_documents(folder, lang))
    english = list(tico_documents(folder, "en", pair=TICO_FILES[lang]))
    return [list(zip(f, e, strict=True)) for f, e in zip(foreign, english, strict=True)]


@dataclass
class MiningRun(PrecisionRecall):
    lang: str
    documents: int
    gold: int
    predicted: int  # links mined
    correct: int
    threshold: float
    seconds: float


def mining_benchmark(
    folder: Path,
    lang: str,
    embedder: CachedEmbedder,
    params: ComparableParams | None = None,
    seed: int = 0,
) -> MiningRun:
    params = params or ComparableParams()
    threshold = params.threshold
    if threshold is None:
        threshold = calibrated_threshold(embedder.key)
    docs = synthesise_comparable(tico_parallel_documents(folder, lang), random.Random(seed))
    start = time.perf_counter()
    found = correct = gold = 0
    for doc in docs:
        links = align_comparable(doc.src, doc.tgt, embedder, params, embedder_key=embedder.key)
        pairs = {(link.src[0], link.tgt[0]) for link in links}
        found += len(pairs)
        correct += len(pairs & doc.gold)
        gold += len(doc.gold)
    return MiningRun(lang, len(docs), gold, found, correct, threshold, time.perf_counter() - start)


def one_to_one_pairs(folder: Path, lang: str, limit: int) -> tuple[list[str], list[str]]:
    """Translation pairs for the 1:1 benchmark: Tatoeba's (short sentences, repeated
    texts) when ``folder`` holds the Tatoeba Challenge files, else TICO-19's (news-like
    sentences, every document in order)."""
    if (folder / "eng-fas").is_dir() or (folder / "ara-eng").is_dir():
        return tatoeba_pairs(folder, lang, limit)
    pairs = [pair for doc in tico_parallel_documents(folder, lang) for pair in doc][:limit]
    return [s for s, _ in pairs], [e for _, e in pairs]


def tatoeba_comparable_benchmark(
    folder: Path,
    lang: str,
    embedder: CachedEmbedder,
    params: ComparableParams | None = None,
    *,
    documents: int = 40,
    size: int = 50,
    seed: int = 0,
) -> MiningRun:
    """Comparable mode on pairs where every sentence has its translation: blocks of
    ``size`` pairs (Tatoeba or TICO-19, :func:`one_to_one_pairs`), the target side
    shuffled (1:1 retrieval inside a document). A link is right when its target holds
    the gold text (Tatoeba repeats sentences)."""
    params = params or ComparableParams()
    src, eng = one_to_one_pairs(folder, lang, documents * size)
    rng = random.Random(seed)
    start = time.perf_counter()
    found = correct = gold = 0
    for block in range(0, len(src) - size + 1, size):
        s, e = src[block : block + size], eng[block : block + size]
        order = list(range(size))
        rng.shuffle(order)
        target = [e[k] for k in order]
        links = align_comparable(
            s, target, embedder, params, embedder_key=embedder.key, src_lang=lang, tgt_lang="en"
        )
        found += len(links)
        correct += sum(target[x.tgt[0]] == e[x.src[0]] for x in links)
        gold += size
    threshold = params.threshold or calibrated_threshold(embedder.key)
    return MiningRun(
        lang, gold // size, gold, found, correct, threshold, time.perf_counter() - start
    )
