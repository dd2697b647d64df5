"""Event grouping: years (Jalali included), the year rule, and the seeds."""

from __future__ import annotations

import numpy as np

from tests.conftest import SEEDS
from workbench.events import DocumentProfile, group, years_in


def profile(doc_id: int, vector, years=(), lang="fa") -> DocumentProfile:
    v = np.asarray(vector, np.float32)
    from collections import Counter

    return DocumentProfile(doc_id, lang, f"doc {doc_id}", v / np.linalg.norm(v), Counter(years))


def test_years_in_reads_gregorian_jalali_and_persian_digits():
    counts = years_in("June 30, 2018 ... ۱۴۰۳ بهمن ۱۳ ... 1393 تیر ... 20180 not a year")
    assert counts == {2018: 1, 2024: 1, 2014: 1}


def test_similar_documents_join_and_explain_why():
    docs = [profile(1, [1, 0.1, 0]), profile(2, [1, 0, 0.1], lang="ar"), profile(3, [0, 0, 1])]
    groups = group(docs, threshold=0.5)
    assert sorted(g.document_ids for g in groups) == [[1, 2], [3]]
    joined = next(g for g in groups if len(g.document_ids) == 2)
    assert "2 documents in ar, fa" in joined.reason and "similarity" in joined.reason


def test_same_story_in_different_years_forms_year_sub_groups():
    rally_2014 = profile(1, [1, 0, 0], years=[2014, 2014])
    rally_2018 = profile(2, [1, 0.05, 0], years=[2018, 2018, 2017])
    undated = profile(3, [1, 0, 0.05])
    (event,) = group([rally_2014, rally_2018, undated], threshold=0.5)
    assert "2014: documents 1; 2018: documents 2; undated: documents 3" in event.reason
    assert event.label.startswith("2014/2018: ")


def test_seed_events(seeded):
    docs = {d.id: d for d in seeded.documents()}
    by_title = {d.title[:12]: d for d in docs.values()}
    oman = next(d for d in docs.values() if "عمان" in d.title)
    others = [d for d in docs.values() if d.id != oman.id]
    assert all(d.event_id != oman.event_id for d in others)
    events = seeded.conn.execute("SELECT id, label, reason FROM events").fetchall()
    assert events and all(row["reason"] for row in events)
    assert len(by_title) >= 5
    paris_2014 = next(d for d in docs.values() if d.path.endswith(next(SEEDS.glob("000_*")).name))
    paris_2018 = next(d for d in docs.values() if d.lang == "en")
    if paris_2014.event_id == paris_2018.event_id:  # same event: then separate year sub-groups
        reason = next(r["reason"] for r in events if r["id"] == paris_2014.event_id)
        assert f"2014: documents {paris_2014.id}" in reason
        assert f"2018: documents {paris_2018.id}" in reason
