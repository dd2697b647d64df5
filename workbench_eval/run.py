"""What a cold ``workbench run`` costs against embedding its sentences once (issue 16).

The corpus is the trilingual TICO-19 story corpus of :mod:`workbench.evaluate_events`,
both splits (every story in English, Persian and Arabic, some versions partial). A real
``python -m workbench run`` process reads it into a fresh workspace; its wall time and
CPU time (user + system, all threads) are measured. Then, in this process, the same
sentences are embedded once with a fresh cache: the floor no pipeline that embeds its
sentences can go below. The run's links within each story are scored against the gold
lines, so that a cheaper run that aligns worse shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from workbench.align import ParallelParams, align_parallel
from workbench.embed import (
    DEFAULT_EMBEDDER,
    CachedEmbedder,
    available_cores,
    embed_text,
    load_embedder,
    text_key,
)
from workbench.store import AlignmentRow, Workspace

from .events import (
    CorpusFile,
    PairScore,
    StoredDoc,
    build_stories,
    gold_pairs,
    stored_documents,
    write_corpus,
)


@dataclass
class Timed:
    seconds: float
    cpu: float  # user + system seconds, all threads


@dataclass
class RunCost:
    documents: int
    sentences: int  # distinct sentence texts
    run: Timed  # the cold `workbench run` process
    embed: Timed  # embedding the sentences once, fresh cache, model load included
    cores: int
    texts: int  # texts the run embedded (its cache, cold)
    sentence_tokens: int
    tokens: int  # tokens of every text the run embedded
    links: PairScore  # within-story 1:1 pairs found by the run
    links_full: PairScore | None = None  # the same pairs aligned with every window embedded

    @property
    def ratio(self) -> float:
        return self.run.seconds / max(self.embed.seconds, 1e-9)

    def share(self, timed: Timed) -> float:
        """CPU share: CPU seconds / wall seconds / cores."""
        return timed.cpu / max(timed.seconds, 1e-9) / self.cores


def trilingual_corpus(tico_dir: Path, folder: Path, seed: int = 0) -> list[CorpusFile]:
    """Both splits' stories (135 files on TICO-19), written one file per version."""
    stories = build_stories(tico_dir, "dev", seed=seed) + build_stories(tico_dir, "test", seed=seed)
    return write_corpus(stories, folder, seed)


def timed_run(args: Sequence[str]) -> Timed:
    """``python -m workbench ARGS`` in its own process: wall and CPU time (``wait4``)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode:
        last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no message)"]
        raise RuntimeError(f"workbench {' '.join(args)} failed: {last[0]}")
    return Timed(seconds, 0.0)


def run_cost(
    tico_dir: Path, workdir: Path, embedder: str = DEFAULT_EMBEDDER, compare_full: bool = False
) -> RunCost:
    """Write the corpus, run it cold, embed its sentences once; score the links."""
    corpus, ws_path = workdir / "corpus-run", workdir / "ws-run"
    files = trilingual_corpus(tico_dir, corpus)
    if ws_path.exists():
        import shutil

        shutil.rmtree(ws_path)
    before = os.times()
    run = timed_run(["run", str(corpus), "-w", str(ws_path)])
    after = os.times()
    run.cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    ws = Workspace(ws_path)
    docs = stored_documents(ws, files)
    sentences = list(dict.fromkeys(embed_text(s) for d in docs.values() for s in d.sentences))
    embed = _embed_once(sentences, embedder)
    model = load_embedder(embedder)
    count = getattr(getattr(model, "_model", None), "token_count", None) or len
    stored = ws.embedding_keys()
    tokens = _tokens_of_stored(docs, stored, count)
    result = RunCost(
        documents=len(docs),
        sentences=len(sentences),
        run=run,
        embed=embed,
        cores=available_cores(),
        texts=len(stored),
        sentence_tokens=sum(int(count(s)) for s in sentences),
        tokens=tokens,
        links=within_story_links(ws, docs),
    )
    if compare_full:
        cached = CachedEmbedder(model, ws)
        result.links_full = within_story_links(ws, docs, cached)
    ws.close()
    return result


def _embed_once(sentences: list[str], embedder: str) -> Timed:
    """Load the model and embed ``sentences`` with an empty cache, in this process."""
    start, before = time.perf_counter(), os.times()
    CachedEmbedder(load_embedder(embedder)).embed(sentences)
    after = os.times()
    cpu = (after.user - before.user) + (after.system - before.system)
    return Timed(time.perf_counter() - start, cpu)


def _tokens_of_stored(docs: dict[int, StoredDoc], stored: set[str], count) -> int:
    """Tokens of the texts in the run's cache: its sentences and the windows (2-4
    sentences of one document) found there; each text once."""
    seen: dict[str, int] = {}
    for doc in docs.values():
        for size in range(1, 5):
            for start in range(len(doc.sentences) - size + 1):
                text = embed_text(" ".join(doc.sentences[start : start + size]))
                key = text_key(text)
                if key in stored and key not in seen:
                    seen[key] = int(count(text))
    return sum(seen.values())


def within_story_links(
    ws: Workspace, docs: dict[int, StoredDoc], realign: CachedEmbedder | None = None
) -> PairScore:
    """1:1 sentence pairs the run's alignments within one story hold (every sentence of a
    link with every sentence on its other side), against the gold pairs of every pair of
    versions of a story. With ``realign``, the run's parallel pairs are aligned again with
    every window embedded instead (same grouping, same pairs)."""
    score = PairScore()
    aligned = {(a.src_doc, a.tgt_doc): a for a in ws.alignment_rows()}
    for a, b in combinations(sorted(docs), 2):
        if docs[a].file.story.id != docs[b].file.story.id:
            continue
        key = (a, b) if (a, b) in aligned else (b, a)  # as aligned: English last
        first, second = docs[key[0]], docs[key[1]]
        gold = gold_pairs(first, second)
        found = _links(ws, aligned[key], first, second, realign) if key in aligned else set()
        score.gold += len(gold)
        score.predicted += len(found)
        score.correct += len(found & gold)
    return score


def _links(
    ws: Workspace, alignment: AlignmentRow, src: StoredDoc, tgt: StoredDoc, realign
) -> set[tuple[int, int]]:
    if realign is not None and alignment.mode == "parallel":
        links = align_parallel(
            src.sentences,
            tgt.sentences,
            realign,
            ParallelParams(windows="embed"),
            src_lang=src.lang,
            tgt_lang=tgt.lang,
        )
        pairs = [(link.src, link.tgt) for link in links]
    else:
        pairs = [(link.src_ids, link.tgt_ids) for link in ws.alignment_links(alignment.id)]
    return {(i, j) for s, t in pairs if s and t for i in s for j in t}
