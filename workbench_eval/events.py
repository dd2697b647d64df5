"""A multi-story trilingual corpus from TICO-19, and the events/threads/confidence figures.

TICO-19's documents are all about COVID-19, in English, Persian and Arabic,
line-parallel: stories of one kind, which is what event grouping must keep
apart. Each *story* is a run of lines from one TICO-19 document (a few runs
per document, far apart: same article, different content); its *thread* is
the document it came from. Every story is written in all three languages,
one file each, under neutral names; some versions keep only part of the
story's lines (another outlet's shorter coverage).

The corpus is split by TICO-19 document: ``dev`` (even documents) is for
tuning, ``test`` (odd documents) is kept aside for the reported figures.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from workbench.embed import DEFAULT_EMBEDDER
from workbench.text.normalise import normalise

from .harness import TICO_FILES, PrecisionRecall, tico_documents

LANGS = ("en", "fa", "ar")


@dataclass
class StoryVersion:
    lang: str
    lines: list[int]  # indices into the story's lines, in the order written
    text: list[str]


@dataclass
class Story:
    id: str
    thread: str
    versions: list[StoryVersion] = field(default_factory=list)


def tico_trilingual(tico_dir: Path) -> list[dict[str, list[str]]]:
    """Each TICO-19 document (CMU_1 left out) in en, fa and ar, line-parallel."""
    fa = list(tico_documents(tico_dir, "fa"))
    ar = list(tico_documents(tico_dir, "ar"))
    en = list(tico_documents(tico_dir, "en", pair=TICO_FILES["fa"]))
    return [{"en": e, "fa": f, "ar": a} for e, f, a in zip(en, fa, ar, strict=True)]


def build_stories(
    tico_dir: Path,
    split: str = "test",
    *,
    seed: int = 0,
    length: int = 12,
    per_document: int = 3,
    partial: float = 0.3,
) -> list[Story]:
    """Stories of ``length`` lines, up to ``per_document`` per TICO-19 document of the split;
    a ``partial`` share of the non-English versions keep 60-80% of the lines."""
    if split not in ("dev", "test"):
        raise ValueError(f"unknown split {split!r}: use dev or test")
    rng = random.Random(seed)
    documents = tico_trilingual(tico_dir)
    stories = []
    for number, doc in enumerate(documents):
        if (number % 2 == 0) != (split == "dev"):
            continue
        size = len(doc["en"])
        runs = min(per_document, size // length)
        gap = size // max(runs, 1)
        for r in range(runs):
            start = r * gap
            story = Story(f"d{number}s{r}", f"d{number}")
            for lang in LANGS:
                lines = list(range(length))
                if lang != "en" and rng.random() < partial:
                    keep = max(3, round(length * rng.uniform(0.6, 0.8)))
                    lines = sorted(rng.sample(lines, keep))
                text = [doc[lang][start + i] for i in lines]
                story.versions.append(StoryVersion(lang, lines, text))
            stories.append(story)
    return stories


@dataclass
class CorpusFile:
    name: str
    story: Story
    version: StoryVersion


def write_corpus(stories: Sequence[Story], folder: Path, seed: int = 0) -> list[CorpusFile]:
    """One file per story version, one line per sentence, under shuffled neutral names."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    items = [(story, version) for story in stories for version in story.versions]
    random.Random(seed).shuffle(items)
    files = []
    for n, (story, version) in enumerate(items):
        name = f"doc_{n:03d}.txt"
        (folder / name).write_text("\n".join(version.text) + "\n", "utf-8")
        files.append(CorpusFile(name, story, version))
    return files


@dataclass
class PairScore(PrecisionRecall):
    """Pairwise precision/recall/F1 over document pairs (same group in both or not)."""

    gold: int = 0
    predicted: int = 0
    correct: int = 0


def pairwise(gold: dict[int, str], predicted: dict[int, object]) -> PairScore:
    ids = sorted(gold)
    score = PairScore()
    for a, b in combinations(ids, 2):
        same_gold = gold[a] == gold[b]
        same_pred = predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
        score.gold += same_gold
        score.predicted += same_pred
        score.correct += same_gold and same_pred
    return score


def gold_line(sentence: str, version: StoryVersion) -> int | None:
    """The story line a stored sentence comes from: the line equal to it, else the
    shortest line containing it (the splitter may cut a line in two; a short line may
    also occur inside a longer one)."""
    wanted = normalise(sentence, version.lang)
    if not wanted:
        return None
    lines = [
        (line, normalise(text, version.lang))
        for line, text in zip(version.lines, version.text, strict=True)
    ]
    for line, text in lines:
        if text == wanted:
            return line
    holders = [(len(text), line) for line, text in lines if wanted in text]
    return min(holders)[1] if holders else None


@dataclass
class EventsRun:
    split: str
    documents: int
    stories: int
    threads_gold: int
    events: PairScore
    threads: PairScore
    seconds: float
    files: list[CorpusFile] = field(default_factory=list)

    @property
    def signature(self) -> str:
        return f"data:tico19-stories|split:{self.split}|docs:{self.documents}"


def corpus_workspace(tico_dir: Path, split: str, workdir: Path, seed: int = 0):
    """Write the split's corpus and ingest it into a workspace kept in ``workdir`` (so
    embeddings are cached between runs); returns the workspace and the files."""
    from workbench.pipeline import run
    from workbench.store import Workspace

    files = write_corpus(build_stories(tico_dir, split, seed=seed), workdir / f"corpus-{split}")
    ws = Workspace(workdir / f"ws-{split}-{seed}")
    run(ws, [workdir / f"corpus-{split}"], languages=LANGS, stages=[])
    return ws, files


def events_benchmark(
    tico_dir: Path, split: str, workdir: Path, embedder: str = DEFAULT_EMBEDDER, seed: int = 0
) -> EventsRun:
    """Group the split's documents with the real events stage and score the grouping."""
    import time

    from workbench.stages import EmbedderHolder, EventsStage

    ws, files = corpus_workspace(tico_dir, split, workdir, seed)
    start = time.perf_counter()
    ws.set_setting("events.documents", "")  # regroup from scratch
    EventsStage(EmbedderHolder(embedder))(ws, None)
    seconds = time.perf_counter() - start
    by_name = {f.name: f for f in files}
    docs = [d for d in ws.documents() if Path(d.path).name in by_name]
    events = {e.id: e for e in ws.events()}
    story = {d.id: by_name[Path(d.path).name].story for d in docs}
    run = EventsRun(
        split,
        len(docs),
        len({s.id for s in story.values()}),
        len({s.thread for s in story.values()}),
        pairwise({d: s.id for d, s in story.items()}, {d.id: d.event_id for d in docs}),
        pairwise(
            {d: s.thread for d, s in story.items()},
            {d.id: events[d.event_id].thread_id if d.event_id else None for d in docs},
        ),
        seconds,
        files,
    )
    ws.close()
    return run


# --- links and their confidence -------------------------------------------------------


@dataclass
class StoredDoc:
    """A corpus document as the workspace holds it, with each sentence's gold line."""

    id: int
    file: CorpusFile
    sentences: list[str]
    lines: list[int | None]

    @property
    def lang(self) -> str:
        return self.file.version.lang


def stored_documents(ws, files: Sequence[CorpusFile]) -> dict[int, StoredDoc]:
    by_name = {f.name: f for f in files}
    out = {}
    for d in ws.documents():
        file = by_name.get(Path(d.path).name)
        if file is None:
            continue
        sentences = [s.text for s in ws.sentences(d.id)]
        lines = [gold_line(s, file.version) for s in sentences]
        out[d.id] = StoredDoc(d.id, file, sentences, lines)
    return out


def link_label(src: StoredDoc, tgt: StoredDoc, src_ids, tgt_ids) -> int:
    """1 when both sides hold mostly the same story lines (Jaccard >= 0.5), else 0."""
    if src.file.story.id != tgt.file.story.id or not src_ids or not tgt_ids:
        return 0
    a = {src.lines[i] for i in src_ids} - {None}
    b = {tgt.lines[j] for j in tgt_ids} - {None}
    return int(bool(a | b) and len(a & b) / len(a | b) >= 0.5)


def gold_pairs(src: StoredDoc, tgt: StoredDoc) -> set[tuple[int, int]]:
    """Sentence pairs of one story that translate each other (same line, both present)."""
    if src.file.story.id != tgt.file.story.id:
        return set()
    where = {}
    for j, line in enumerate(tgt.lines):
        where.setdefault(line, []).append(j)
    return {
        (i, j) for i, line in enumerate(src.lines) if line is not None for j in where.get(line, [])
    }


def document_pairs(
    docs: dict[int, StoredDoc], seed: int = 0, strangers: int = 3
) -> list[tuple[str, int, int]]:
    """Within-story pairs (every language pair), and for each story ``strangers`` pairs with
    other stories of its article and as many with stories of other articles (what a wrong
    grouping would align), across languages and as many again within one language (two
    outlets of one language): ``(kind, src id, tgt id)``, English last as the pipeline
    orders them."""
    rng = random.Random(seed)
    by_story: dict[str, list[StoredDoc]] = {}
    for d in docs.values():
        by_story.setdefault(d.file.story.id, []).append(d)

    def ordered(a: StoredDoc, b: StoredDoc) -> tuple[int, int]:
        return (a.id, b.id) if (a.lang == "en", a.id) < (b.lang == "en", b.id) else (b.id, a.id)

    stories = sorted(by_story)

    def strangers_of(story: str) -> tuple[tuple[str, list[str]], ...]:
        thread = by_story[story][0].file.story.thread
        kin = [s for s in stories if s != story and by_story[s][0].file.story.thread == thread]
        others = [s for s in stories if by_story[s][0].file.story.thread != thread]
        return ("same article", kin), ("other article", others)

    pairs = []
    for story in stories:
        members = sorted(by_story[story], key=lambda d: d.id)
        pairs += [("same story", *ordered(a, b)) for a, b in combinations(members, 2)]
        for kind, pool in strangers_of(story):
            for other in rng.sample(pool, min(strangers, len(pool))):
                a = rng.choice(members)
                b = rng.choice([d for d in by_story[other] if d.lang != a.lang])
                pairs.append((kind, *ordered(a, b)))
    one_language = random.Random(seed + 1)  # the pairs above stay as they were drawn
    for story in stories:
        for kind, pool in strangers_of(story):
            for other in one_language.sample(pool, min(strangers, len(pool))):
                a = one_language.choice(by_story[story])
                same = [d for d in by_story[other] if d.lang == a.lang]
                if same:
                    pairs.append((kind, *ordered(a, same[0])))
    return pairs


@dataclass
class LinkSample:
    kind: str  # same story | same article | other article
    mode: str
    features: np.ndarray
    labels: np.ndarray
    confidence: np.ndarray
    found: set[tuple[int, int]]
    gold: set[tuple[int, int]]
    partial: bool = False  # a side keeps only part of the story's lines


def link_samples(
    tico_dir: Path, split: str, workdir: Path, embedder: str = DEFAULT_EMBEDDER, seed: int = 0
) -> list[LinkSample]:
    """Links of every pair of :func:`document_pairs`, and of a comparable version of each
    same-story pair (:func:`comparable_versions`), labelled against the gold lines."""
    from workbench.embed import CachedEmbedder, load_embedder

    ws, files = corpus_workspace(tico_dir, split, workdir, seed)
    emb = CachedEmbedder(load_embedder(embedder), ws)
    docs = stored_documents(ws, files)
    rng = random.Random(seed)
    samples = []
    for kind, a, b in document_pairs(docs, seed):
        samples.append(link_sample(kind, docs[a], docs[b], emb))
        if kind == "same story":
            src, tgt = comparable_versions(docs[a], docs[b], docs, rng)
            samples.append(link_sample("comparable", src, tgt, emb))
    ws.close()
    return samples


def link_sample(kind: str, src: StoredDoc, tgt: StoredDoc, emb) -> LinkSample:
    """Align one document pair in auto mode (as ``workbench run`` does) and label each link
    against the gold lines."""
    from workbench.align import align_documents

    result = align_documents(
        src.sentences, tgt.sentences, emb, "auto", src_lang=src.lang, tgt_lang=tgt.lang
    )
    two_sided, features = two_sided_features(
        result, src.sentences, tgt.sentences, emb, src.lang, tgt.lang
    )
    labels = np.array([link_label(src, tgt, x.src, x.tgt) for x in two_sided])
    partial = kind == "comparable" or any(
        len(d.file.version.lines) < len(d.file.story.versions[0].lines) for d in (src, tgt)
    )
    return LinkSample(
        kind,
        result.mode,
        features,
        labels,
        np.array([x.confidence or 0.0 for x in two_sided]),
        {(i, j) for x in two_sided for i in x.src for j in x.tgt},
        gold_pairs(src, tgt),
        partial,
    )


def two_sided_features(result, src: Sequence[str], tgt: Sequence[str], emb, src_lang, tgt_lang):
    """An alignment's two-sided links and their confidence features (one row each)."""
    from workbench.align import confidence_inputs
    from workbench.align.confidence import link_features

    two_sided = [link for link in result.links if link.src and link.tgt]
    inputs = confidence_inputs(src, tgt, emb, src_lang, tgt_lang)
    return two_sided, link_features([(x.src, x.tgt) for x in two_sided], inputs)


def comparable_versions(
    src: StoredDoc,
    tgt: StoredDoc,
    docs: dict[int, StoredDoc],
    rng: random.Random,
    drop: float = 0.3,
    distractors: float = 0.2,
) -> tuple[StoredDoc, StoredDoc]:
    """Two versions of one story made comparable (the mining recipe): each side loses
    ``drop`` of its sentences, gains ``distractors`` as many sentences of other articles
    in its own language (gold line None), and is shuffled."""

    def version(doc: StoredDoc) -> StoredDoc:
        kept = [(s, line) for s, line in zip(doc.sentences, doc.lines, strict=True)]
        kept = [pair for pair in kept if rng.random() >= drop]
        pool = [
            s
            for d in docs.values()
            if d.lang == doc.lang and d.file.story.thread != doc.file.story.thread
            for s in d.sentences
        ]
        extra = min(max(1, round(distractors * len(doc.sentences))), len(pool))
        kept += [(s, None) for s in rng.sample(pool, extra)]
        rng.shuffle(kept)
        return StoredDoc(doc.id, doc.file, [s for s, _ in kept], [line for _, line in kept])

    return version(src), version(tgt)


def fit_calibration(samples: Sequence[LinkSample], embedder: str, note: str):
    from workbench.align.confidence import FEATURES, fit

    features = np.concatenate([s.features for s in samples if len(s.features)])
    labels = np.concatenate([s.labels for s in samples if len(s.labels)])
    return fit(features, labels.astype(float), embedder, note, FEATURES)


@dataclass
class ConfidenceRun:
    split: str
    links: int
    positives: int
    ece: float
    bins: list
    wrong_confident: int  # wrong links (any kind) with confidence >= the cut
    by_kind: dict[str, KindFigures]
    within_story: PairScore
    within_full: PairScore  # pairs of two complete versions (translations of each other)


@dataclass
class KindFigures:
    """One kind of document pair: its links, how many are right, how many the cut shows
    (and of those, right), and the calibration on this kind alone."""

    links: int
    right: int
    shown: int
    shown_right: int
    ece: float
    bins: list


def confidence_report(
    samples: Sequence[LinkSample], calibration, split: str, cut: float = 0.5
) -> ConfidenceRun:
    """Calibration of ``calibration`` on the samples (ECE over 10 bins and reliability
    table, overall and per kind of document pair), wrong links it leaves above ``cut``, and
    within-story link F1 (1:1 pairs)."""
    from workbench.align.confidence import reliability

    by_kind: dict[str, tuple[list, list]] = {}
    within, full = PairScore(), PairScore()
    for s in samples:
        p = calibration.probability(s.features) if len(s.features) else np.zeros(0)
        kind = by_kind.setdefault(s.kind, ([], []))
        kind[0].append(p)
        kind[1].append(s.labels.astype(float))
        if s.kind == "same story":
            for score in (within, full) if not s.partial else (within,):
                score.gold += len(s.gold)
                score.predicted += len(s.found)
                score.correct += len(s.found & s.gold)
    strangers = [by_kind[k] for k in ("same article", "other article") if k in by_kind]
    if strangers:  # what a wrong grouping would align, as one mode
        by_kind["different stories"] = tuple(
            [q for kind in strangers for q in kind[side]] for side in (0, 1)
        )
    figures = {}
    for name, (ps, ys) in by_kind.items():
        p, y = np.concatenate(ps), np.concatenate(ys)
        table = reliability(p, y)
        shown = p >= cut
        figures[name] = KindFigures(
            len(y), int(y.sum()), int(shown.sum()), int(y[shown].sum()), table.ece, table.bins
        )
    every = [kind for name, kind in by_kind.items() if name != "different stories"]
    p = np.concatenate([q for ps, _ in every for q in ps])
    y = np.concatenate([q for _, ys in every for q in ys])
    table = reliability(p, y)
    return ConfidenceRun(
        split,
        len(y),
        int(y.sum()),
        table.ece,
        table.bins,
        int(((p >= cut) & (y == 0)).sum()),
        figures,
        within,
        full,
    )
