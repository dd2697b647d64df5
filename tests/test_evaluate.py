"""The benchmark harness's own measurements."""

from __future__ import annotations

import numpy as np
import pytest

from workbench_eval.harness import run_measured

from .conftest import needs_eval


def test_run_measured_reports_the_childs_peak_not_the_parents():
    ballast = np.ones(2**26)  # 512 MiB resident in this process
    run = run_measured("help", ["--help"])
    assert run.returncode == 0
    assert 10 < run.peak_mib < 300  # wait4's ru_maxrss alone would say over 512
    assert ballast.sum() == 2**26


@pytest.mark.slow
def test_run_cost_times_a_cold_run_and_scores_its_links(tmp_path, monkeypatch):
    """Three TICO-19 stories (nine files): the run is timed in its own process, the
    sentences are embedded once here, and the links of each story are scored."""
    from workbench_eval import run as evaluate_run
    from workbench_eval.events import build_stories, write_corpus

    tico = needs_eval("tico19")

    def three_stories(folder_in, folder_out, seed=0):
        return write_corpus(build_stories(folder_in, "dev", seed=seed)[:3], folder_out, seed)

    monkeypatch.setattr(evaluate_run, "trilingual_corpus", three_stories)
    cost = evaluate_run.run_cost(tico, tmp_path)
    assert cost.documents == 9 and cost.sentences > 50
    assert cost.run.seconds > cost.embed.seconds > 0 and cost.run.cpu > 0
    assert cost.texts >= cost.sentences and cost.tokens >= cost.sentence_tokens
    assert cost.links.gold > 50 and cost.links.f1 > 0.8


def test_the_facts_labels_are_well_formed():
    """Both parts' labels name sentences inside their articles and store no text (the
    articles are not ours to copy)."""
    import json

    from workbench_eval.facts import FACTS_FILES

    ids = {}
    for part, path in FACTS_FILES.items():
        pairs = json.loads(path.read_text("utf-8"))["pairs"]
        assert len(pairs) == {"fit": 60, "report": 55}[part]
        ids[part] = [pair["ids"] for pair in pairs]
        assert len(set(ids[part])) == len(pairs), part  # each pair labelled once
        for pair in pairs:
            assert set(pair) == {"ids", "a_sentences", "b_sentences", "matches"}
            used_a = [i for m in pair["matches"] for i in m["a"]]
            used_b = [j for m in pair["matches"] for j in m["b"]]
            assert all(0 <= i < pair["a_sentences"] for i in used_a)
            assert all(0 <= j < pair["b_sentences"] for j in used_b)
            assert {m["label"] for m in pair["matches"]} <= {"same", "partial"}
    assert not set(ids["fit"]) & set(ids["report"])


def test_auc_counts_ties_half_and_orders_pairs():
    import numpy as np

    from workbench_eval.same_event import auc

    labels = np.array([1, 1, 0, 0])
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), labels) == 1.0
    assert auc(np.array([0.1, 0.2, 0.8, 0.9]), labels) == 0.0
    assert auc(np.array([0.5, 0.5, 0.5, 0.5]), labels) == 0.5
    assert auc(np.array([0.9, 0.3, 0.5, 0.1]), labels) == 0.75
