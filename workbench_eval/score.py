"""Vecalign's strict and lax alignment scores, re-implemented: small, and importable alone
(numpy only), so that any ladder of ``[i, j]:[k]`` beads can be scored against gold."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Bead = tuple[tuple[int, ...], tuple[int, ...]]


def f1_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def read_ladder(text: str) -> list[Bead]:
    """``[i, j]:[k]`` lines (a third ``:score`` field is allowed) as beads."""
    beads = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            src, tgt = line.split(":")[:2]
            beads.append((tuple(ast.literal_eval(src)), tuple(ast.literal_eval(tgt))))
        except (ValueError, SyntaxError):
            raise ValueError(
                f"line {number} is not an [i, j]:[k] alignment: {line[:60]!r}"
            ) from None
    return beads


def _counts(gold: Sequence[Bead], test: Sequence[Bead]) -> np.ndarray:
    """[strict hits, strict misses, lax hits, lax misses] of ``test`` against ``gold``.

    A test bead is a strict hit when the same bead is in gold; a lax hit when one of
    its target sentences is aligned in gold to one of its source sentences.
    """
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if s or t}
    gold_targets: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold_set:
        for i in src:
            gold_targets[i].update(tgt)
    counts = np.zeros(4, np.int64)
    for src, tgt in {(tuple(s), tuple(t)) for s, t in test if s or t}:
        if (src, tgt) in gold_set:
            counts += (1, 0, 1, 0)
            continue
        reachable = set().union(*(gold_targets[i] for i in src)) if src else set()
        counts += (0, 1, 1, 0) if reachable & set(tgt) else (0, 1, 0, 1)
    return counts


@dataclass
class AlignScore:
    precision_strict: float
    recall_strict: float
    precision_lax: float
    recall_lax: float

    @property
    def f1_strict(self) -> float:
        return f1_score(self.precision_strict, self.recall_strict)

    @property
    def f1_lax(self) -> float:
        return f1_score(self.precision_lax, self.recall_lax)


def score_alignments(gold_docs: Sequence[Sequence[Bead]], test_docs: Sequence[Sequence[Bead]]):
    """Vecalign's strict/lax scores over several documents (counts summed first).

    Precision counts every test bead (insertions and deletions included); recall
    swaps the roles with 0:n and n:0 beads left out on both sides.
    """
    p = np.zeros(4, np.int64)
    r = np.zeros(4, np.int64)
    for gold, test in zip(gold_docs, test_docs, strict=True):
        p += _counts(gold, test)
        r += _counts([b for b in test if b[0] and b[1]], [b for b in gold if b[0] and b[1]])

    def ratio(hit: int, miss: int) -> float:
        return hit / (hit + miss) if hit + miss else 0.0

    return AlignScore(ratio(p[0], p[1]), ratio(r[0], r[1]), ratio(p[2], p[3]), ratio(r[2], r[3]))
