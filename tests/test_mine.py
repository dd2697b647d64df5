"""Corpus-scale mining: ANN indexes against exact search, margins, one-to-one selection."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.align.mine import (
    IndexSpec,
    MineError,
    VectorFile,
    build_index,
    candidate_pairs,
    greedy_one_to_one,
    mine,
    recall_at_1,
    search,
    streamed_mean,
)
from workbench_eval.scale import calibrate_threshold, mining_f1, synthetic_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = synthetic_corpus(tmp_path_factory.mktemp("corpus"), 4_000, seed=3)
    return (
        VectorFile(folder / "src.npy"),
        VectorFile(folder / "tgt.npy"),
        np.load(folder / "gold.npy"),
    )


def test_candidates_are_each_pair_once_and_skip_padding():
    fwd = np.array([[0, 1], [1, -1]])
    bwd = np.array([[0, 1], [1, 0]])
    ii, jj = candidate_pairs(fwd, bwd)
    assert sorted(zip(ii.tolist(), jj.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_greedy_takes_best_pairs_first_and_uses_each_sentence_once():
    ii, jj = np.array([0, 0, 1, 2]), np.array([0, 1, 0, 2])
    scores = np.array([1.3, 1.2, 1.25, 1.01], np.float32)
    kept = greedy_one_to_one(ii, jj, scores, threshold=1.05)
    assert list(zip(kept.src.tolist(), kept.tgt.tolist(), strict=True)) == [(0, 0)]
    kept = greedy_one_to_one(ii, jj, scores, threshold=1.0)
    assert sorted(zip(kept.src.tolist(), kept.tgt.tolist(), strict=True)) == [(0, 0), (2, 2)]


def test_greedy_gives_the_same_pairs_whatever_the_chunk_size():
    rng = np.random.default_rng(0)
    ii, jj = rng.integers(0, 300, 5_000), rng.integers(0, 300, 5_000)
    scores = rng.random(5_000).astype(np.float32) + 0.5
    whole = greedy_one_to_one(ii, jj, scores, 0.9)
    chunked = greedy_one_to_one(ii, jj, scores, 0.9, chunk=37)
    assert whole.src.tolist() == chunked.src.tolist()
    assert whole.tgt.tolist() == chunked.tgt.tolist()
    assert len(set(whole.src.tolist())) == len(whole) == len(set(whole.tgt.tolist()))


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_approximate_index_agrees_with_exact_search(corpus, kind):
    src, tgt, _ = corpus
    spec = IndexSpec(kind=kind, nprobe=16)
    src_mean, tgt_mean = streamed_mean(src), streamed_mean(tgt)
    index = build_index(tgt, spec, tgt_mean)
    recall = recall_at_1(index, tgt, src, 500, mean_base=tgt_mean, mean_queries=src_mean)
    assert 0.85 <= recall <= 1.0  # real e5 vectors: 0.97 at 10,000 (BENCHMARKS.md)


def test_ivf_is_approximate_with_one_probe(corpus):
    """The recall measure can fail: one probed cell out of many misses true neighbours."""
    src, tgt, _ = corpus
    index = build_index(tgt, IndexSpec(kind="ivf", nlist=64, nprobe=1))
    assert recall_at_1(index, tgt, src, 500) < 0.97


def test_mining_finds_planted_pairs_with_ann_about_as_well_as_exact(corpus):
    src, tgt, gold = corpus
    exact = mine(src, tgt, threshold=1.0, spec=IndexSpec(kind="flat"))
    approx = mine(src, tgt, threshold=1.0, spec=IndexSpec(kind="ivf", nprobe=16))
    exact_f1, approx_f1 = mining_f1(exact, gold)[2], mining_f1(approx, gold)[2]
    assert exact_f1 > 0.6  # the synthetic vectors are as hard as Tatoeba ar-en (P@1 ~0.75)
    assert approx_f1 > exact_f1 - 0.03
    assert len(set(approx.src.tolist())) == len(approx)  # one-to-one
    assert len(set(approx.tgt.tolist())) == len(approx)


def test_calibrated_threshold_beats_keeping_everything(tmp_path, corpus):
    src, tgt, gold = corpus
    threshold = calibrate_threshold(synthetic_corpus(tmp_path / "cal", 3_000, seed=7))
    everything = mine(src, tgt, threshold=0.0, spec=IndexSpec(kind="flat"))
    calibrated = mine(src, tgt, threshold=threshold, spec=IndexSpec(kind="flat"))
    assert mining_f1(calibrated, gold)[2] > mining_f1(everything, gold)[2]


def test_search_in_blocks_equals_one_search(corpus):
    src, tgt, _ = corpus
    index = build_index(tgt, IndexSpec(kind="flat"))
    sims, ids = search(index, src, 3)
    whole = np.asarray(src[:], np.float32)
    whole /= np.linalg.norm(whole, axis=1, keepdims=True)
    sims2, ids2 = index.search(whole, 3)
    assert (ids == ids2).mean() > 0.999
    assert np.allclose(sims, sims2, atol=1e-5)


def test_empty_side_mines_nothing_and_mismatched_sizes_are_refused():
    assert len(mine(np.zeros((0, 8), np.float32), np.ones((3, 8), np.float32), threshold=1)) == 0
    with pytest.raises(MineError, match="vector sizes differ"):
        mine(np.ones((3, 8), np.float32), np.ones((3, 4), np.float32), threshold=1)
    with pytest.raises(MineError, match="unknown index"):
        IndexSpec(kind="lsh").resolved(10)


def test_vector_file_reads_rows_and_refuses_other_files(tmp_path):
    path = tmp_path / "v.npy"
    np.save(path, np.arange(12, dtype=np.float32).reshape(4, 3))
    vectors = VectorFile(path)
    assert vectors.shape == (4, 3) and len(vectors) == 4
    assert vectors[np.array([1, 3])].tolist() == [[3, 4, 5], [9, 10, 11]]
    assert vectors[1:3].tolist() == [[3, 4, 5], [6, 7, 8]]
    (tmp_path / "bad.npy").write_text("not numpy")
    with pytest.raises(MineError, match=r"not a readable \.npy file"):
        VectorFile(tmp_path / "bad.npy")
    np.save(tmp_path / "flat.npy", np.zeros(5))
    with pytest.raises(MineError, match="2-D"):
        VectorFile(tmp_path / "flat.npy")


def test_vector_file_reads_scattered_rows_in_pieces(tmp_path, monkeypatch):
    from workbench.align import mine as mine_module

    monkeypatch.setattr(mine_module, "SCATTERED_ROWS", 3)
    data = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    np.save(tmp_path / "v.npy", data)
    rows = np.array([0, 7, 7, 12, 30, 31, 49, 2])  # 8 rows: three pieces, any order
    np.testing.assert_array_equal(VectorFile(tmp_path / "v.npy")[rows], data[rows])
