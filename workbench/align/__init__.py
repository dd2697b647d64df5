"""Sentence alignment across languages: parallel (monotonic n:m) and comparable (mining).

* :mod:`.vectors`: centring, k nearest neighbours, ratio margin, sentence windows;
* :mod:`.parallel`: documents that translate each other (anchors, band, DP, sparse windows);
* :mod:`.comparable`: documents that only cover the same event (mining one document pair);
* :mod:`.mode`: which of the two a pair is, :func:`align_documents`, :class:`AlignResult`;
* :mod:`.confidence`: a link's calibrated confidence, one scale for both modes;
* :mod:`.mine`: mining across whole corpora (millions of sentences per side).
"""

from .comparable import ComparableParams, align_comparable, calibrated_threshold, select_one_to_one
from .link import AlignError, Link
from .mode import AlignResult, align_documents, confidence_inputs, looks_parallel, with_confidence
from .parallel import ParallelParams, align_parallel, band_from_anchors, heaviest_chain
from .vectors import centred, centred_on, knn

__all__ = [
    "AlignError",
    "AlignResult",
    "ComparableParams",
    "Link",
    "ParallelParams",
    "align_comparable",
    "align_documents",
    "align_parallel",
    "band_from_anchors",
    "calibrated_threshold",
    "centred",
    "centred_on",
    "confidence_inputs",
    "heaviest_chain",
    "knn",
    "looks_parallel",
    "select_one_to_one",
    "with_confidence",
]
