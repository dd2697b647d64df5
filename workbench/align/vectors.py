"""Vector utilities the aligners share: language centring, exact k nearest neighbours,
LASER's ratio margin, sentence windows, and hashed numbers and names per window.

Raw cosine is never thresholded: every score is a margin (how much a pair stands out
from each side's nearest neighbours), after centering each side's vectors on its own
mean (which removes the shared "language direction" that compresses the default
model's cosines).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from ..text.normalise import ascii_digits

Embed = Callable[[Sequence[str]], np.ndarray]


def embed_function(embed) -> Embed:
    """Accept an embedder object (anything with ``.embed``) or a plain function."""
    return embed.embed if hasattr(embed, "embed") else embed


NEIGHBOURS = 4
"""k of the nearest neighbours behind every ratio margin (LASER's k, Artetxe and Schwenk
2019): sentence mining, link confidence, document and sentence neighbourhoods of events."""


def centred(vectors: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """Subtract the side's mean vector and re-normalise (language centering).

    A side of fewer than 8 sentences is too small to estimate its own mean: the
    ``fallback`` (the language's reference mean, when measured) is used instead.
    """
    if len(vectors) == 0:
        return vectors
    return centred_on(vectors, side_mean(vectors, fallback))


OWN_MEAN_FROM = 8
"""A side of fewer sentences is too small to estimate its own mean vector."""


def side_mean(
    vectors: np.ndarray,
    reference: np.ndarray | None = None,
    own_from: int = OWN_MEAN_FROM,
    reference_first: bool = False,
    default: np.ndarray | None = None,
) -> np.ndarray:
    """The one rule for the mean vector a language's sentences are centred on: their own
    mean once there are ``own_from`` of them, else the language's ``reference`` mean
    (measured on reference text), else ``default`` (zeros: no centring).

    ``reference_first`` takes the reference whenever it was measured: search compares a
    query with sentences of every language and wants them all centred the same way
    whatever the corpus holds. The aligner centres each side on its own mean (a document
    of its own subject), the events stage each language on the corpus's, once there are
    enough sentences to say what the corpus shares (``own_from`` 50)."""
    if reference_first and reference is not None:
        return reference
    if len(vectors) >= own_from:
        return vectors.mean(axis=0)
    if reference is not None:
        return reference
    return default if default is not None else np.zeros(vectors.shape[1], np.float32)


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


def window_texts(sentences: Sequence[str], size: int) -> list[str]:
    """Each run of ``size`` consecutive sentences, joined: the text a bead side embeds."""
    return [" ".join(sentences[i : i + size]) for i in range(len(sentences) - size + 1)]


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


def ratio_margin(sims: np.ndarray, near_a: np.ndarray, near_b: np.ndarray) -> np.ndarray:
    """LASER's ratio margin on centred cosines, shifted to stay positive."""
    return (1 + sims) / (1 + (near_a + near_b) / 2)


def shared_marks(src_marks, tgt_marks, src_counts, tgt_counts) -> np.ndarray:
    """Row-wise Dice overlap of hashed numbers and names (0 where neither side has any);
    the counts are each row's number of marks, computed once per document."""
    total = src_counts + tgt_counts
    return np.where(total > 0, 2 * row_dot(src_marks, tgt_marks) / np.maximum(total, 1), 0.0)


def row_dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, y)
