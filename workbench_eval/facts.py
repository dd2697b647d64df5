"""Links between independent reports of one story: do the links shown by default state
the same fact? Scored against ``data/facts-report.json`` (issue 22, item 6): pairs of
articles rated the same story in the report part of the SemEval-2022 Task 8 dev pairs,
with every match of facts an annotator found by reading both articles whole.

A shown link is right when it overlaps a labelled match (a sentence on each side in
common): strictly when that match is "same", leniently when "partial" counts too.
Recall is the share of "same" matches some shown link overlaps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from workbench.embed import DEFAULT_EMBEDDER

FACTS_FILES = {
    part: Path(__file__).parent / "data" / f"facts-{part}.json" for part in ("fit", "report")
}
"""Labels per part of the rated pairs: ``fit`` is for choosing rules and fitting scores,
``report`` is read only to report them."""


@dataclass
class FactRun:
    floor: float
    pairs: int
    shown: int
    right_same: int
    right_any: int
    same: int
    same_found: int

    @property
    def precision(self) -> float:
        return self.right_same / self.shown if self.shown else 0.0

    @property
    def precision_lenient(self) -> float:
        return self.right_any / self.shown if self.shown else 0.0

    @property
    def recall(self) -> float:
        return self.same_found / self.same if self.same else 0.0


def aligned_pairs(
    semeval: Path, workdir: Path, embedder: str = DEFAULT_EMBEDDER, part: str = "report"
):
    """Each labelled pair of ``part`` aligned in auto mode (as inside one event):
    ``(labels, src sentences, tgt sentences, languages, AlignResult, embedder)``."""
    from workbench.align import align_documents
    from workbench.embed import CachedEmbedder, load_embedder

    from .semeval import corpus_workspace

    labels = json.loads(FACTS_FILES[part].read_text("utf-8"))["pairs"]
    ws, _, article_of = corpus_workspace(semeval, part, workdir)
    document_of = {article: doc for doc, article in article_of.items()}
    emb = CachedEmbedder(load_embedder(embedder), ws)
    docs = {d.id: d for d in ws.documents()}
    try:
        for pair in labels:
            a, b = pair["ids"].split("_")
            src = [s.text for s in ws.sentences(document_of[a])]
            tgt = [s.text for s in ws.sentences(document_of[b])]
            if (len(src), len(tgt)) != (pair["a_sentences"], pair["b_sentences"]):
                raise ValueError(
                    f"pair {pair['ids']}: the articles split into {len(src)} and {len(tgt)}"
                    f" sentences, the labels into {pair['a_sentences']} and"
                    f" {pair['b_sentences']} (the splitter changed: label again)"
                )
            langs = docs[document_of[a]].lang, docs[document_of[b]].lang
            result = align_documents(src, tgt, emb, "auto", src_lang=langs[0], tgt_lang=langs[1])
            yield pair, src, tgt, langs, result, emb
    finally:
        ws.close()


def labelled_links(
    semeval: Path, workdir: Path, embedder: str = DEFAULT_EMBEDDER, part: str = "report"
) -> list[tuple]:
    """``(matches, links)`` per labelled pair of ``part``: the labels and the workbench's
    two-sided links for it (auto mode, as inside one event), each ``(src, tgt, confidence,
    numbers differ)``: the last true when the app marks the link "numbers differ"."""
    from workbench.text.normalise import numbers_differ

    def differ(src: list[str], tgt: list[str], link) -> bool:
        sides = " ".join(src[i] for i in link.src), " ".join(tgt[j] for j in link.tgt)
        return bool(numbers_differ(*sides))

    return [
        (
            pair["matches"],
            [
                (x.src, x.tgt, x.confidence, differ(src, tgt, x))
                for x in result.links
                if x.src and x.tgt
            ],
        )
        for pair, src, tgt, _, result, _ in aligned_pairs(semeval, workdir, embedder, part)
    ]


def overlaps(link, match) -> bool:
    """A link touches a labelled match: a sentence on each side in common."""
    return bool(set(link[0]) & set(match["a"]) and set(link[1]) & set(match["b"]))


def fact_samples(
    semeval: Path, workdir: Path, embedder: str = DEFAULT_EMBEDDER, part: str = "fit"
) -> list:
    """Link-confidence samples of the labelled pairs (kind "independent reports"): a link
    is right when it touches a match labelled "same"; partial matches are not right."""
    import numpy as np

    from .events import LinkSample, two_sided_features

    samples = []
    for pair, src, tgt, langs, result, emb in aligned_pairs(semeval, workdir, embedder, part):
        links, features = two_sided_features(result, src, tgt, emb, *langs)
        same = [m for m in pair["matches"] if m["label"] == "same"]
        labels = np.array([any(overlaps((x.src, x.tgt), m) for m in same) for x in links])
        found = {(i, j) for x in links for i in x.src for j in x.tgt}
        gold = {(i, j) for m in same for i in m["a"] for j in m["b"]}
        samples.append(
            LinkSample(
                "independent reports",
                result.mode,
                features,
                labels,
                np.array([x.confidence or 0.0 for x in links]),
                found,
                gold,
                partial=True,
            )
        )
    return samples


def score(labelled: list[tuple], floor: float) -> FactRun:
    run = FactRun(floor, len(labelled), 0, 0, 0, 0, 0)
    for matches, links in labelled:
        shown = [x for x in links if (x[2] or 0.0) >= floor]
        run.shown += len(shown)
        for link in shown:
            hits = [m for m in matches if overlaps(link, m)]
            run.right_same += any(m["label"] == "same" for m in hits)
            run.right_any += bool(hits)
        for match in matches:
            if match["label"] == "same":
                run.same += 1
                run.same_found += any(overlaps(x, match) for x in shown)
    return run


def marked(labelled: list[tuple], floor: float) -> dict[bool, tuple[int, int]]:
    """Links shown from ``floor``, by whether they are marked "numbers differ":
    ``{marked: (shown, right)}``, right as :func:`score` counts it ("same" matches)."""
    counts = {True: [0, 0], False: [0, 0]}
    for matches, links in labelled:
        for link in links:
            if (link[2] or 0.0) < floor:
                continue
            counts[link[3]][0] += 1
            counts[link[3]][1] += any(m["label"] == "same" and overlaps(link, m) for m in matches)
    return {k: (v[0], v[1]) for k, v in counts.items()}
