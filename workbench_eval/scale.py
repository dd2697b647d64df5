"""Benchmarks beyond one document pair: mining at 100k-1M sentences per side.

There is no million-sentence Persian/English corpus with known pairs on this machine,
so the vectors are synthetic, built to be hard in the ways real sentence vectors are:
a language-specific offset shared by every sentence of a side (anisotropy), thousands of
topics whose sentences crowd together, paired sentences that are noisy copies of a
shared meaning, and variance concentrated in a few directions as in real embeddings
(a power-law spectrum fitted to multilingual-e5-small on Tatoeba: half the variance in
about 25 of 384 dimensions; that is what makes IVF search hard or easy). 20% of each
side has no counterpart. Gold pairs are known.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.align.mine import (
    IndexSpec,
    Mined,
    VectorFile,
    build_index,
    mine,
    recall_at_1,
    streamed_mean,
)
from workbench.embed import DEFAULT_EMBEDDER

from .harness import run_measured
from .score import f1_score

DIM = 384  # multilingual-e5-small's size


@dataclass
class SyntheticStyle:
    topics: int = 2_000
    topic_weight: float = 3.0  # how tightly a topic's sentences crowd together
    language_weight: float = 0.6  # the shared per-language offset
    noise: float = 0.5  # paired sentences differ by this much (relative to meaning)
    paired: float = 0.8  # share of each side with a counterpart
    spectrum: float = 0.95  # variance of the i-th direction ~ i ** -spectrum


def synthetic_corpus(
    folder: Path, rows: int, seed: int = 0, style: SyntheticStyle | None = None
) -> Path:
    """Write ``src.npy`` and ``tgt.npy`` (``rows`` vectors each), ``gold.npy`` (src -> tgt, -1)."""
    style = style or SyntheticStyle()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    shape = _Shape(rng, style.spectrum)
    topics = shape.draw(rng, style.topics)
    languages = _unit(rng.standard_normal((2, DIM), np.float32))
    paired = int(rows * style.paired)
    tgt_of = np.full(rows, -1, np.int64)
    tgt_of[:paired] = rng.permutation(rows)[:paired]
    src = np.lib.format.open_memmap(folder / "src.npy", "w+", np.float32, (rows, DIM))
    tgt = np.lib.format.open_memmap(folder / "tgt.npy", "w+", np.float32, (rows, DIM))
    free_tgt = np.setdiff1d(np.arange(rows), tgt_of[:paired])
    block = 65_536
    for start in range(0, rows, block):
        stop = min(start + block, rows)
        meaning = _meanings(rng, shape, topics, stop - start, style)
        src[start:stop] = _sentence(rng, shape, meaning, languages[0], style)
        has = tgt_of[start:stop] >= 0
        tgt[tgt_of[start:stop][has]] = _sentence(rng, shape, meaning[has], languages[1], style)
    for start in range(0, len(free_tgt), block):  # the target side's own distractors
        chunk = free_tgt[start : start + block]
        meaning = _meanings(rng, shape, topics, len(chunk), style)
        tgt[chunk] = _sentence(rng, shape, meaning, languages[1], style)
    src.flush(), tgt.flush()
    np.save(folder / "gold.npy", tgt_of)
    return folder


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


class _Shape:
    """Random unit vectors whose variance follows a power law over a random basis."""

    def __init__(self, rng, spectrum: float):
        self.scale = (np.arange(1, DIM + 1, dtype=np.float32) ** (-spectrum / 2))[None, :]
        self.basis = np.linalg.qr(rng.standard_normal((DIM, DIM)))[0].astype(np.float32)

    def draw(self, rng, count: int) -> np.ndarray:
        return _unit((rng.standard_normal((count, DIM), np.float32) * self.scale) @ self.basis.T)


def _meanings(rng, shape: _Shape, topics, count: int, style: SyntheticStyle) -> np.ndarray:
    topic = topics[rng.integers(0, len(topics), count)]
    return _unit(style.topic_weight * topic + shape.draw(rng, count))


def _sentence(rng, shape: _Shape, meaning, language, style: SyntheticStyle) -> np.ndarray:
    noise = shape.draw(rng, len(meaning))
    return _unit(meaning + style.noise * noise + style.language_weight * language)


def mining_f1(mined: Mined, gold: np.ndarray) -> tuple[float, float, float]:
    correct = int((gold[mined.src] == mined.tgt).sum()) if len(mined) else 0
    precision = correct / len(mined) if len(mined) else 0.0
    recall = correct / max(int((gold >= 0).sum()), 1)
    return precision, recall, f1_score(precision, recall)


def calibrate_threshold(folder: Path) -> float:
    """The F1-best margin threshold, exact search, on a corpus made only for calibration."""
    src, tgt = VectorFile(folder / "src.npy"), VectorFile(folder / "tgt.npy")
    gold = np.load(folder / "gold.npy")
    everything = mine(src, tgt, threshold=0.0, spec=IndexSpec(kind="flat"))
    best, best_f1 = 1.0, -1.0
    for threshold in np.arange(0.95, 1.30, 0.005):
        keep = everything.score >= threshold
        kept = Mined(everything.src[keep], everything.tgt[keep], everything.score[keep])
        f1 = mining_f1(kept, gold)[2]
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return round(best, 3)


@dataclass
class ScaleRun:
    rows: int
    index: str
    seconds: float
    peak_mib: float
    recall_at_1: float
    precision: float
    recall: float
    f1: float
    index_mib: float


def mine_scale_worker(folder: Path, kind: str, nprobe: int, threshold: float, out: Path) -> None:
    """One mining run in this process; the caller measures its time and memory."""
    import faiss

    src, tgt = VectorFile(folder / "src.npy"), VectorFile(folder / "tgt.npy")
    spec = IndexSpec(kind=kind, nprobe=nprobe)
    start = time.perf_counter()
    mined = mine(src, tgt, threshold=threshold, spec=spec)
    seconds = time.perf_counter() - start
    precision, recall, f1 = mining_f1(mined, np.load(folder / "gold.npy"))
    src_mean, tgt_mean = streamed_mean(src), streamed_mean(tgt)
    index = build_index(tgt, spec, tgt_mean)
    index_mib = faiss.serialize_index(index).nbytes / 2**20
    recall1 = recall_at_1(index, tgt, src, mean_base=tgt_mean, mean_queries=src_mean)
    out.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "recall_at_1": recall1,
                "precision": precision,
                "recall": recall,
                "f1": f1,
                "index_mib": index_mib,
            }
        )
    )


def mine_scale_benchmark(
    sizes: list[int], workdir: Path, kind: str = "ivf", nprobe: int = 16
) -> tuple[float, list[ScaleRun]]:
    """Generate each corpus, then mine it in its own process (wall time and peak RSS)."""
    threshold = calibrate_threshold(synthetic_corpus(workdir / "calibration", 20_000, seed=99))
    runs = []
    for rows in sizes:
        folder = synthetic_corpus(workdir / f"corpus-{rows}", rows, seed=rows)
        out = folder / "result.json"
        measured = run_measured(
            f"mine {rows}",
            [
                "eval",
                "mine-scale-worker",
                str(folder),
                str(out),
                "--index",
                kind,
                "--nprobe",
                str(nprobe),
                "--threshold",
                str(threshold),
            ],
        )
        if measured.returncode != 0:
            raise RuntimeError(f"mining {rows} rows failed (exit {measured.returncode})")
        result = json.loads(out.read_text())
        runs.append(
            ScaleRun(
                rows,
                kind,
                result["seconds"],
                measured.peak_mib,
                result["recall_at_1"],
                result["precision"],
                result["recall"],
                result["f1"],
                result["index_mib"],
            )
        )
    return threshold, runs


# --- local versus ray engine -----------------------------------------------------------


@dataclass
class EngineRun:
    task: str  # translate or embed
    engine: str  # local, ray x1, ray x2
    texts: int
    seconds: float  # the work itself, Ray start-up excluded (reported apart)
    startup: float  # starting the local Ray instance (0 for local)
    peak_mib: float  # summed PSS of the process and every process it started
    digest: str  # hash of the outputs: equal digests, identical results

    @property
    def rate(self) -> float:
        return self.texts / self.seconds if self.seconds else 0.0


def engine_worker(
    task: str, engine: str, workers: int, package: Path, texts_file: Path, length: int, out: Path
) -> None:
    """Translate or embed ``texts_file`` once, in a fresh workspace, on one engine."""
    import hashlib
    import tempfile

    from workbench.distribute import Engine, connect
    from workbench.embed import CachedEmbedder, load_embedder
    from workbench.store import Workspace
    from workbench.translate import CachedTranslator, CTranslate2Backend, DecodeOptions
    from workbench.translate.models import ModelStore

    texts = texts_file.read_text("utf-8").splitlines()
    chosen = Engine("ray", workers=workers) if engine == "ray" else None
    startup = 0.0
    if chosen:
        start = time.perf_counter()
        connect(chosen)
        startup = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "ws")
        if task == "translate":
            model = ModelStore(ws).add(package)
            options = DecodeOptions(min_decoding_length=length, max_decoding_length=length)
            worker = CachedTranslator(ws, CTranslate2Backend.from_installed(model, options), chosen)
            start = time.perf_counter()
            outputs = "\n".join(worker.translate(texts)).encode()
        else:
            worker = CachedEmbedder(load_embedder(DEFAULT_EMBEDDER), ws, chosen)
            start = time.perf_counter()
            outputs = worker.embed(texts).tobytes()
        seconds = time.perf_counter() - start
        ws.close()
    digest = hashlib.sha256(outputs).hexdigest()[:12]
    out.write_text(json.dumps({"seconds": seconds, "startup": startup, "digest": digest}))


def run_tree_measured(args: list[str]) -> tuple[int, float]:
    """Run ``python -m workbench ARGS``; (exit code, peak summed PSS in MiB of its process tree).

    Ray work happens in other processes (the raylet, its actors): the peak of one process
    would hide it, and summing RSS would count shared libraries once per process.
    """
    import subprocess
    import sys

    import psutil

    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root, peak = psutil.Process(process.pid), 0.0
    while process.poll() is None:
        total = 0
        for member in [root, *root.children(recursive=True)]:
            try:
                total += member.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        peak = max(peak, total / 2**20)
        time.sleep(0.5)
    return process.returncode, peak


def engines_benchmark(
    package: Path, sentences: list[str], embed_texts: list[str], length: int, workdir: Path
) -> list[EngineRun]:
    """Translation and embedding: local, ray with 1 worker, ray with 2; one process tree each."""
    runs = []
    for task, texts in (("translate", sentences), ("embed", embed_texts)):
        texts_file = workdir / f"{task}.txt"
        texts_file.write_text("\n".join(texts) + "\n", "utf-8")
        for engine, workers in (("local", 0), ("ray", 1), ("ray", 2)):
            out = workdir / f"{task}-{engine}-{workers}.json"
            code, peak = run_tree_measured(
                [
                    "eval",
                    "engine-worker",
                    task,
                    engine,
                    str(workers),
                    str(package),
                    str(texts_file),
                    str(length),
                    str(out),
                ]
            )
            if code != 0:
                raise RuntimeError(f"{task} on {engine} x{workers} failed (exit {code})")
            result = json.loads(out.read_text())
            label = "local" if engine == "local" else f"ray x{workers}"
            runs.append(
                EngineRun(
                    task,
                    label,
                    len(texts),
                    result["seconds"],
                    result["startup"],
                    peak,
                    result["digest"],
                )
            )
    return runs
