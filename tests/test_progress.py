"""Time-left estimates of a run's stages, and progress counted by work, not by items."""

from __future__ import annotations

import numpy as np

from workbench.embed import BATCH, CachedEmbedder
from workbench.progress import TimeLeft, describe, weighted


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_time_left_follows_the_stage_rate_and_restarts_with_each_stage():
    clock = Clock()
    left = TimeLeft(clock, settle=3.0)
    assert left(0, 100) is None
    clock.now = 1.0
    assert left(10, 100) is None  # too early: one batch says little
    clock.now = 10.0
    assert left(50, 100) == 10.0  # 50 units in 10 s, 50 to go
    clock.now = 11.0
    assert left(0, 7) is None  # a new stage (another total) starts its own clock
    clock.now = 15.0
    assert left(2, 7) == 10.0
    clock.now = 16.0
    assert left(0, 7) is None  # the count went back: a new stage with the same total
    assert left(7, 7) is None


def test_describe_rounds_to_what_a_reader_needs():
    assert describe(None) == ""
    assert describe(2) == "about 5 s left"
    assert describe(42) == "about 40 s left"
    assert describe(600) == "about 10 min left"
    assert describe(7200) == "about 2.0 h left"


def test_weighted_counts_items_by_their_share_of_the_work():
    assert weighted(25, 100, 8) == 2
    assert weighted(100, 100, 8) == 8
    assert weighted(0, 0, 8) == 8


class Sized:
    """A real, trivial embedder: a text's vector is its length."""

    key, dim = "test/sized", 2

    def embed(self, texts):
        return np.array([[len(t), 1.0] for t in texts], np.float32)


def test_embedding_progress_counts_long_texts_as_more_work():
    """Texts are embedded shortest first; counting them alone would promise the long
    ones at the short ones' speed."""
    reports = []
    texts = ["short"] * BATCH + ["a much longer text " * 20] * BATCH
    texts = [f"{t} {n}" for n, t in enumerate(texts)]
    CachedEmbedder(Sized()).embed(texts, lambda done, total: reports.append((done, total)))
    assert reports[-1] == (2 * BATCH, 2 * BATCH)
    assert reports[0][0] < BATCH // 4  # the short half is a small share of the work


def test_a_pair_of_related_events_counts_as_little_work():
    """Mined from cached sentence vectors, it takes a fraction of an event pair's time."""
    from workbench.stages import pair_work
    from workbench.store import DocumentRow

    def doc(sentences: int) -> DocumentRow:
        return DocumentRow(1, 1, 0, "a.txt", "", "en", 1.0, 1, sentences, 100, 1, True)

    assert pair_work(1, doc(10), doc(12)) == 22
    assert pair_work(None, doc(10), doc(12)) < 1
