"""Choosing a mode: whether two documents translate each other (parallel) or only cover
the same event (comparable); :func:`align_documents` aligns them in it and fills in each
link's calibrated confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..embed import CachedEmbedder, Embedder, centring_mean, embed_texts
from .comparable import ComparableParams, align_comparable
from .confidence import PairInputs, calibration_for, confidences
from .link import AlignError, Link
from .parallel import ParallelParams, align_parallel, heaviest_chain
from .vectors import Embed, centred, embed_function, knn


def looks_parallel(src: np.ndarray, tgt: np.ndarray) -> tuple[bool, str]:
    """Whether two documents translate each other: most sentences are each other's
    nearest neighbour, in order. (With looser candidates, unrelated documents of 25
    sentences already give chains over a third of their length.)"""
    if len(src) == 0 or len(tgt) == 0:
        return False, "an empty document"
    shorter, longer = sorted((len(src), len(tgt)))
    if shorter / longer < PARALLEL_MIN_LENGTH_RATIO:
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
PARALLEL_MIN_LENGTH_RATIO = 0.4
"""Translations of one text keep their sentence counts within a factor of ~1.5 (Text+Berg:
0.8-1.2); under 0.4 one document cannot translate the other."""


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
    embed_fn = embed_function(embed)
    if mode not in ("auto", "parallel", "comparable"):
        raise AlignError(f"unknown mode {mode!r}: use parallel, comparable or auto")
    reason = f"{mode} mode asked for"
    if mode == "auto":
        key = getattr(embed, "key", "")
        src_vecs = centred(embed_fn(list(src)), centring_mean(key, src_lang))
        tgt_vecs = centred(embed_fn(list(tgt)), centring_mean(key, tgt_lang))
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
) -> PairInputs:
    """Centred sentence vectors and lengths of both documents: what confidence reads."""
    key = getattr(embed, "key", "")
    embed_fn = embed_function(embed)
    src_vecs = centred(embed_fn(list(src)), centring_mean(key, src_lang)) if src else None
    tgt_vecs = centred(embed_fn(list(tgt)), centring_mean(key, tgt_lang)) if tgt else None
    dim = (src_vecs if src_vecs is not None else tgt_vecs).shape[1] if src or tgt else 1
    empty = np.zeros((0, dim), np.float32)
    return PairInputs(
        src_vecs if src_vecs is not None else empty,
        tgt_vecs if tgt_vecs is not None else empty,
        [len(s) for s in src],
        [len(t) for t in tgt],
        same_language=src_lang is not None and src_lang == tgt_lang,
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
        confidence_inputs(src, tgt, embed, src_lang, tgt_lang),
        calibration,
    )
    return [replace(link, confidence=value) for link, value in zip(links, values, strict=True)]
