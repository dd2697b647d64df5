"""Benchmarks of the text stages: splitting, ingestion, translation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench.cli.console import fail, out

from .common import eval_app


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
    from ..harness import split_benchmark

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

    from ..harness import ingest_benchmark

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

    from ..harness import tico_sentences, translate_benchmark

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
    from ..harness import translate_worker

    sentences = sentences_file.read_text("utf-8").split("\n")
    outputs, seconds = translate_worker(
        engine, package_folder, sentences, beam_size, batch_size, decoding_length or None
    )
    output.write_text(json.dumps({"outputs": outputs, "seconds": seconds}), "utf-8")
