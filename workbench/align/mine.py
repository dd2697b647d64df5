"""Mining parallel sentences across whole corpora: a million sentences per side.

``align.comparable.align_comparable`` handles one document pair in memory. Here each side may
hold millions of sentences, so nothing of size n x m and nothing of size n x dim in
float32 is ever held twice: vectors are read in blocks (a memory-mapped ``.npy`` is
fine), each side goes into a faiss index (IVF with 8-bit scalar quantisation by
default: a quarter of float32's memory), queries run in blocks, and only the k
neighbours per sentence are kept. Candidates are then rescored exactly from the
vectors, margins computed as LASER does (ratio to the mean of the k neighbours on
both sides), and pairs kept greedily one-to-one above a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import WorkbenchError
from ..progress import Progress, labelled
from .vectors import NEIGHBOURS, centred_on, ratio_margin

BLOCK = 32_768  # rows per block when streaming a whole side (means, exact scans)
SEARCH_BLOCK = 8_192  # rows per index add or search, candidate pairs per rescoring step


class MineError(WorkbenchError):
    """A one-line, actionable mining problem."""


@dataclass
class IndexSpec:
    """How to index one side. ``auto``: exact search up to ``exact_below`` rows, else IVF.

    IVF: ``nlist`` cells (default about 4 sqrt(n), a power of two), ``nprobe`` of them
    visited per query. HNSW: graph with ``m`` links per node, ``ef_search`` at query time.
    """

    kind: str = "auto"
    nlist: int | None = None
    nprobe: int = 16
    m: int = 32
    ef_search: int = 128
    exact_below: int = 100_000

    def resolved(self, rows: int) -> str:
        if self.kind not in ("auto", "flat", "ivf", "hnsw"):
            raise MineError(f"unknown index {self.kind!r}: use auto, flat, ivf or hnsw")
        if self.kind == "auto":
            return "flat" if rows < self.exact_below else "ivf"
        return self.kind

    def cells(self, rows: int) -> int:
        if self.nlist:
            return self.nlist
        return max(1, min(2 ** round(math.log2(max(4 * math.sqrt(rows), 1))), rows // 39 or 1))


SCATTERED_ROWS = 1024
"""Rows read per mapping when they are scattered. Each page fault on a mapped file maps
its cached neighbours too (about 128 KiB per row read, measured here), so 8,192 scattered
rows in one mapping made 1 GB resident for a moment."""


class VectorFile:
    """The rows of a 2-D ``.npy`` file, read on demand.

    Each read maps the file, copies the rows asked for and unmaps it again, so the
    process keeps resident only the rows in use (a long-lived memory map would count
    every page ever touched towards its memory).
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            probe = np.load(self.path, mmap_mode="r")
        except (OSError, ValueError) as error:
            raise MineError(f"{self.path}: not a readable .npy file ({error})") from None
        if probe.ndim != 2:
            raise MineError(f"{self.path}: expected a 2-D array of vectors, got {probe.shape}")
        self.shape, self.dtype = probe.shape, probe.dtype
        del probe

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows) -> np.ndarray:
        if isinstance(rows, np.ndarray) and rows.ndim == 1 and len(rows) > SCATTERED_ROWS:
            out = np.empty((len(rows), self.shape[1]), self.dtype)
            for start in range(0, len(rows), SCATTERED_ROWS):
                piece = slice(start, start + SCATTERED_ROWS)
                out[piece] = self._read(rows[piece])
            return out
        return self._read(rows)

    def _read(self, rows) -> np.ndarray:
        mapped = np.load(self.path, mmap_mode="r")
        try:
            return np.array(mapped[rows])
        finally:
            del mapped


def unit_blocks(
    vectors: np.ndarray, mean: np.ndarray | None = None, block: int = BLOCK
) -> Iterator[tuple[int, np.ndarray]]:
    """(start, float32 rows) in blocks, centred on ``mean`` and re-normalised."""
    for start in range(0, len(vectors), block):
        yield start, _unit(np.asarray(vectors[start : start + block], dtype=np.float32), mean)


def _unit(rows: np.ndarray, mean: np.ndarray | None) -> np.ndarray:
    """Rows centred on ``mean`` (when given) and re-normalised: align's language centering."""
    return centred_on(rows, mean if mean is not None else np.zeros(rows.shape[1], np.float32))


def streamed_mean(vectors: np.ndarray, block: int = BLOCK) -> np.ndarray:
    """The mean row, read block by block (language centering for a side of any size)."""
    total = np.zeros(vectors.shape[1], np.float64)
    for start in range(0, len(vectors), block):
        total += np.asarray(vectors[start : start + block], dtype=np.float64).sum(axis=0)
    return (total / max(len(vectors), 1)).astype(np.float32)


def build_index(
    vectors: np.ndarray,
    spec: IndexSpec | None = None,
    mean: np.ndarray | None = None,
    progress: Progress | None = None,
):
    """A faiss inner-product index over ``vectors`` (centred on ``mean``), added in blocks."""
    import faiss

    spec = spec or IndexSpec()
    rows, dim = vectors.shape
    kind = spec.resolved(rows)
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, spec.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = spec.ef_search
    else:
        cells = spec.cells(rows)
        index = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dim),
            dim,
            cells,
            faiss.ScalarQuantizer.QT_8bit,
            faiss.METRIC_INNER_PRODUCT,
        )
        index.train(_training_sample(vectors, mean, cells))
        index.nprobe = min(spec.nprobe, cells)
    for start, rows_block in unit_blocks(vectors, mean, block=SEARCH_BLOCK):
        index.add(rows_block)
        if progress:
            progress(min(start + len(rows_block), rows), rows)
    return index


def _training_sample(vectors: np.ndarray, mean: np.ndarray | None, cells: int) -> np.ndarray:
    """40 points per IVF cell (faiss wants 39-256), spread over the whole side."""
    wanted = min(len(vectors), 40 * cells)
    picks = np.sort(np.random.default_rng(0).choice(len(vectors), wanted, replace=False))
    sample = np.asarray(vectors[picks], dtype=np.float32)  # VectorFile reads in pieces
    return _unit(sample, mean)


def search(
    index,
    queries: np.ndarray,
    k: int,
    mean: np.ndarray | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """k nearest neighbours of every query row, searched block by block."""
    k = min(k, index.ntotal)
    sims = np.empty((len(queries), k), np.float32)
    ids = np.empty((len(queries), k), np.int64)
    for start, rows in unit_blocks(queries, mean, block=SEARCH_BLOCK):
        sims[start : start + len(rows)], ids[start : start + len(rows)] = index.search(rows, k)
        if progress:
            progress(min(start + len(rows), len(queries)), len(queries))
    return sims, ids


def recall_at_1(
    index,
    base: np.ndarray,
    queries: np.ndarray,
    sample: int = 2_000,
    mean_base: np.ndarray | None = None,
    mean_queries: np.ndarray | None = None,
) -> float:
    """Share of sampled queries whose top hit in ``index`` is the exact top hit."""
    picks = np.sort(
        np.random.default_rng(1).choice(len(queries), min(sample, len(queries)), replace=False)
    )
    chosen = np.asarray(queries[picks], dtype=np.float32)
    _, approx = search(index, chosen, 1, mean_queries)
    exact = np.full(len(picks), -1, np.int64)
    best = np.full(len(picks), -np.inf, np.float32)
    query_rows = _unit(chosen, mean_queries)
    for start, rows in unit_blocks(base, mean_base):
        scores = query_rows @ rows.T
        top = scores.argmax(axis=1)
        better = scores[np.arange(len(top)), top] > best
        best[better] = scores[np.arange(len(top)), top][better]
        exact[better] = start + top[better]
    return float((approx[:, 0] == exact).mean())


@dataclass
class Mined:
    src: np.ndarray  # row numbers on the source side
    tgt: np.ndarray  # row numbers on the target side
    score: np.ndarray  # ratio margin

    def __len__(self) -> int:
        return len(self.src)


def mine(
    src: np.ndarray,
    tgt: np.ndarray,
    *,
    threshold: float,
    k: int = NEIGHBOURS,
    spec: IndexSpec | None = None,
    centre: bool = True,
    progress: Progress | None = None,
) -> Mined:
    """Ratio-margin mining, k-NN both ways, greedy one-to-one: LASER's recipe at any size."""
    if len(src) == 0 or len(tgt) == 0:
        return Mined(*(np.zeros(0, dtype) for dtype in (np.int64, np.int64, np.float32)))
    if src.shape[1] != tgt.shape[1]:
        raise MineError(f"vector sizes differ: {src.shape[1]} and {tgt.shape[1]}")

    src_mean = streamed_mean(src) if centre else None
    tgt_mean = streamed_mean(tgt) if centre else None
    tgt_index = build_index(tgt, spec, tgt_mean, labelled(progress, "index target"))
    fwd_sims, fwd_ids = search(tgt_index, src, k, src_mean, labelled(progress, "search source"))
    del tgt_index
    src_index = build_index(src, spec, src_mean, labelled(progress, "index source"))
    bwd_sims, bwd_ids = search(src_index, tgt, k, tgt_mean, labelled(progress, "search target"))
    del src_index
    ii, jj = candidate_pairs(fwd_ids, bwd_ids)
    sims = exact_similarities(src, tgt, ii, jj, src_mean, tgt_mean)
    margins = ratio_margin(sims, fwd_sims.mean(axis=1)[ii], bwd_sims.mean(axis=1)[jj])
    return greedy_one_to_one(ii, jj, margins.astype(np.float32), threshold)


def candidate_pairs(fwd_ids: np.ndarray, bwd_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (source, target) pair that is among either side's k nearest, once."""
    n_src, k_fwd = fwd_ids.shape
    n_tgt, k_bwd = bwd_ids.shape
    ii = np.concatenate([np.repeat(np.arange(n_src), k_fwd), bwd_ids.ravel()])
    jj = np.concatenate([fwd_ids.ravel(), np.repeat(np.arange(n_tgt), k_bwd)])
    keep = (ii >= 0) & (jj >= 0)  # faiss pads missing neighbours with -1
    pairs = np.unique(ii[keep] * n_tgt + jj[keep])
    return pairs // n_tgt, pairs % n_tgt


def exact_similarities(
    src: np.ndarray,
    tgt: np.ndarray,
    ii: np.ndarray,
    jj: np.ndarray,
    src_mean: np.ndarray | None,
    tgt_mean: np.ndarray | None,
) -> np.ndarray:
    """Cosine of each candidate pair from the stored vectors, not the quantised index."""
    out = np.empty(len(ii), np.float32)
    for start in range(0, len(ii), SEARCH_BLOCK):
        a = _unit_rows(src, ii[start : start + SEARCH_BLOCK], src_mean)
        b = _unit_rows(tgt, jj[start : start + SEARCH_BLOCK], tgt_mean)
        out[start : start + len(a)] = np.einsum("ij,ij->i", a, b)
    return out


def _unit_rows(vectors: np.ndarray, rows: np.ndarray, mean: np.ndarray | None) -> np.ndarray:
    order = np.argsort(rows)  # sorted reads are kind to a memory-mapped file
    picked = np.empty((len(rows), vectors.shape[1]), np.float32)
    picked[order] = np.asarray(vectors[rows[order]], dtype=np.float32)
    return _unit(picked, mean)


def greedy_one_to_one(
    ii: np.ndarray, jj: np.ndarray, scores: np.ndarray, threshold: float, chunk: int = 1 << 20
) -> Mined:
    """Best pairs first, each sentence used once; only pairs at or above ``threshold``.

    The candidates are walked in chunks, and "used" is a flag array per side, so memory
    stays a few bytes per sentence however many candidates there are.
    """
    above = np.flatnonzero(scores >= threshold)
    order = above[np.argsort(-scores[above], kind="stable")]
    used_src = np.zeros(int(ii.max()) + 1 if len(ii) else 0, bool)
    used_tgt = np.zeros(int(jj.max()) + 1 if len(jj) else 0, bool)
    kept: list[np.ndarray] = []
    for start in range(0, len(order), chunk):
        positions = order[start : start + chunk]
        fresh = ~used_src[ii[positions]] & ~used_tgt[jj[positions]]
        positions = positions[fresh]  # pairs already blocked by an earlier chunk are out
        taken = []
        for position, i, j in zip(
            positions.tolist(), ii[positions].tolist(), jj[positions].tolist(), strict=True
        ):
            if not used_src[i] and not used_tgt[j]:
                used_src[i] = used_tgt[j] = True
                taken.append(position)
        kept.append(np.array(taken, np.int64))
    picked = np.concatenate(kept) if kept else np.zeros(0, np.int64)
    return Mined(ii[picked], jj[picked], scores[picked])
