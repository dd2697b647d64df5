"""Rated pairs of real news articles (SemEval-2022 Task 8 dev): same story or not.

Each pair of articles carries an "Overall" rating from 1 (the same news story) to
4 (different stories), averaged over annotators. Pairs rated <= 1.5 count as one
event, pairs rated >= 3.5 as different events; the rest are left out of every
figure (annotators disagreed, or the articles only share part of a story).

The data is split *by article*: articles joined by any rated pair (the pair
graph's connected components) go to the same part, chosen by a hash of the
component's smallest article id, so no article is in both the ``fit`` part
(the only one any number is tuned on) and the ``report`` part.

The articles are written one file each (their texts are never copied into the
project) into a work folder, and ingested by the real pipeline with the data's
ten languages, so the events stage sees them as a user's corpus.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAME_STORY = 1.5
DIFFERENT_STORY = 3.5
PARTS = ("fit", "report")


@dataclass(frozen=True)
class RatedPair:
    a: str  # article ids
    b: str
    lang_a: str
    lang_b: str
    overall: float

    @property
    def label(self) -> int | None:
        """1 same story, 0 different, None in between (left out)."""
        if self.overall <= SAME_STORY:
            return 1
        if self.overall >= DIFFERENT_STORY:
            return 0
        return None

    @property
    def cross_language(self) -> bool:
        return self.lang_a != self.lang_b


@dataclass
class Article:
    id: str
    lang: str
    text: str


def read_pairs(folder: Path) -> tuple[list[RatedPair], dict[str, Article]]:
    """The rated pairs and their articles (an article rated twice is read once)."""
    csv.field_size_limit(1 << 30)
    pairs, articles = [], {}
    with open(Path(folder) / "pairs.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = row["pair_id"].split("_")
            pairs.append(RatedPair(a, b, row["lang1"], row["lang2"], float(row["Overall"])))
            articles.setdefault(a, Article(a, row["lang1"], row["text1"]))
            articles.setdefault(b, Article(b, row["lang2"], row["text2"]))
    return pairs, articles


def part_of(pairs: Sequence[RatedPair]) -> dict[str, str]:
    """Each article's part: the pair graph's components, assigned by a stable hash."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[root(p.a)] = root(p.b)
    components: dict[str, list[str]] = {}
    for article in list(parent):
        components.setdefault(root(article), []).append(article)
    out = {}
    for members in components.values():
        digest = hashlib.sha256(min(members).encode()).digest()
        part = PARTS[digest[0] % 2]
        out.update(dict.fromkeys(members, part))
    return out


def split_pairs(folder: Path, part: str) -> tuple[list[RatedPair], dict[str, Article]]:
    """The rated pairs of one part and the articles they rate."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}: use {' or '.join(PARTS)}")
    pairs, articles = read_pairs(folder)
    parts = part_of(pairs)
    kept = [p for p in pairs if parts[p.a] == part]
    ids = {x for p in kept for x in (p.a, p.b)}
    return kept, {i: articles[i] for i in sorted(ids)}


def write_articles(articles: dict[str, Article], folder: Path) -> None:
    """One UTF-8 file per article, named by its id (kept when already written)."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles.values():
        path = folder / f"{article.id}.txt"
        if not path.exists():
            path.write_text(article.text.strip() + "\n", "utf-8")


def languages(articles: dict[str, Article]) -> list[str]:
    return sorted({a.lang for a in articles.values()})


def corpus_workspace(folder: Path, part: str, workdir: Path):
    """The part's articles ingested into a workspace kept in ``workdir`` (embeddings are
    cached between runs). Returns the workspace, the pairs and ``{document id: article}``
    (the longest document when the ingester cut a file in several)."""
    from workbench.pipeline import run
    from workbench.store import Workspace

    pairs, articles = split_pairs(folder, part)
    corpus = Path(workdir) / f"semeval-{part}"
    write_articles(articles, corpus)
    ws = Workspace(Path(workdir) / f"ws-semeval-{part}")
    run(ws, [corpus], languages=languages(articles), stages=[])
    document_of: dict[str, tuple[int, int]] = {}
    for d in ws.documents():
        article = Path(d.path).stem
        if article in articles and d.sentences > document_of.get(article, (0, -1))[1]:
            document_of[article] = (d.id, d.sentences)
    return ws, pairs, {doc: article for article, (doc, _) in document_of.items()}
