"""Parallel alignment (monotonic n:m), for documents that translate each other.

It works in two passes (the shape of Bertalign, with Vecalign's overlap embeddings):

1. *anchors*: every source sentence's nearest target sentences by ratio margin
   (k nearest neighbours, so memory stays linear), then the heaviest chain of
   candidates increasing on both sides: confident 1:1 points of the path;
2. *beads*: dynamic programming over beads up to ``max_size`` sentences per
   side (0:1, 1:0, 1:1 ... 1:4, 2:2, 2:3 ...) inside a band around the anchors,
   scored from embeddings of sentence windows (the concatenation of the
   bead's sentences), with margin normalisation, a length term and a skip
   cost. Time and memory grow with length times band width, not length².
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from ..embed import Embedder, centring_mean, embed_texts
from .link import AlignError, Link
from .vectors import (
    NEIGHBOURS,
    Embed,
    centred_on,
    embed_function,
    knn,
    mark_windows,
    ratio_margin,
    row_dot,
    shared_marks,
    side_mean,
    window_texts,
)


@dataclass
class ParallelParams:
    """The parallel aligner's tuned numbers. Every weight was chosen on Text+Berg ``dev``
    only (sessions 1-4, `workbench eval align --docs dev`; what was tried is listed in
    BENCHMARKS.md) and checked once on ``test``."""

    max_size: int = 4  # sentences per side in one bead
    max_total: int = 5  # sentences in one bead, both sides together
    skip: float = -0.12  # score of a 1:0 or 0:1 bead
    length_weight: float = 0.25  # weight of the log length-ratio term
    merge_penalty: float = 0.02  # per extra sentence in a bead: prefer fine links
    lexical_weight: float = 0.1  # weight of shared numbers and names (a second signal)
    band: int = 5  # sentences of slack around the anchor path
    knn: int = NEIGHBOURS
    margin: str = "local"  # local: against the neighbouring windows | knn: ratio over k-NN
    length: str = "log2"  # log2: multiply by log2(1 + length ratio) | log: add weighted log ratio
    windows: str = "auto"  # embed | mean | sparse | auto (sparse up to EMBED_WINDOWS_UP_TO)
    contest: float = 0.2  # sparse: embed the windows of beads within this of the best path
    rounds: int = 2  # sparse: at most this many embed-and-realign rounds


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
    embed_fn = embed_function(embed)
    if not src or not tgt:
        return [Link((i,), (), 0.0) for i in range(len(src))] + [
            Link((), (j,), 0.0) for j in range(len(tgt))
        ]
    how = window_mode(params.windows, max(len(src), len(tgt)))
    key = getattr(embed, "key", "")
    s = _side(src, embed_fn, params.max_size, how, centring_mean(key, src_lang))
    t = _side(tgt, embed_fn, params.max_size, how, centring_mean(key, tgt_lang))
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
    margins = ratio_margin(sims, s.near[:, None], t.near[ids])
    candidates = [
        (i, int(j), float(m - 1.0))
        for i in range(len(ids))
        for j, m in zip(ids[i], margins[i], strict=True)
        if m > 1.0
    ]
    return heaviest_chain(candidates, t.size)


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


NO_ANCHOR_BAND = 200
"""Half-width (sentences) of the diagonal band when no anchor was found: wide enough for
unanchored documents of a few hundred sentences, bounded so the DP stays linear."""


def band_from_anchors(
    anchors: list[tuple[int, int]], n: int, m: int, slack: int
) -> tuple[np.ndarray, np.ndarray]:
    """For DP row i (0..n), the target columns it may reach: between the nearest anchors."""
    points = [(0, 0), *((i, j) for i, j in anchors), (n, m)]
    if len(points) == 2:  # no anchor at all: a diagonal band wide enough for the length gap
        slack = max(slack, abs(n - m) + slack, min(max(n, m), NO_ANCHOR_BAND))
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


DENSE_BLOCK_WASTE = 8
DENSE_BLOCK_CELLS = 200_000
"""One dense product per block while it computes at most 8 cells per bead wanted (plus
200,000 cells, ~1.6 MB): beyond that, row-wise products are cheaper (measured on
Text+Berg and the 10,000-sentence Tatoeba pair)."""


def _dense_pair_scores(s, t, ii, jj, a, b, ratio, p: ParallelParams) -> np.ndarray:
    """:func:`_pair_scores` for many beads at once, from one matrix product over the
    block's source and target windows (falls back to row-wise products for wide blocks)."""
    r0, r1 = int(ii.min()) - a, int(ii.max()) + a + 1
    c0, c1 = int(jj.min()) - b, int(jj.max()) + b + 1
    r0, c0 = max(r0, 0), max(c0, 0)
    r1, c1 = min(r1, len(s.windows[a])), min(c1, len(t.windows[b]))
    if (r1 - r0) * (c1 - c0) > DENSE_BLOCK_WASTE * len(
        ii
    ) + DENSE_BLOCK_CELLS or p.margin != "local":
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
    sims = row_dot(src_vecs, tgt_vecs)
    if p.margin == "local":
        total, count = np.zeros(len(ii)), np.zeros(len(ii))
        for windows, starts, size, other in (
            (t.windows[b], jj, b, src_vecs),
            (s.windows[a], ii, a, tgt_vecs),
        ):
            for shift in (-size, size):
                nb = starts + shift
                ok = (nb >= 0) & (nb < len(windows))
                total[ok] += row_dot(windows[nb[ok]], other[ok])
                count[ok] += 1
        margin = sims - np.where(count > 0, total / np.maximum(count, 1), s.baseline)
    else:
        margin = ratio_margin(sims, s.span_near(ii, a), t.span_near(jj, b)) - 1.0
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
        dice = shared_marks(
            s.marks[a][ii], t.marks[b][jj], s.mark_count(a)[ii], t.mark_count(b)[jj]
        )
        score = score + p.lexical_weight * dice
    return score


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
