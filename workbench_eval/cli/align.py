"""Benchmarks of alignment: Text+Berg, the cost of a run, retrieval, mining, scale,
one-to-one pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench.cli.console import fail, out
from workbench.cli.shared import (
    EmbedderOption,
    WorkspaceOption,
    cached_embedder,
    open_workspace,
    progress_bar,
)
from workbench.embed import DEFAULT_EMBEDDER

from .common import eval_app, eval_folder, eval_workdir, eval_workspace


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

    from ..align import textberg_benchmark

    folder = eval_folder(folder, "alignment")
    ws = eval_workspace(workspace, cold)
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
    from ..run import run_cost

    folder = eval_folder(folder, "run cost")
    r = run_cost(folder, eval_workdir(workdir), compare_full=compare_full)
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
    from ..align import retrieval_benchmark

    folder = eval_folder(folder, "retrieval")
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

    from ..align import mining_benchmark

    folder = eval_folder(folder, "mining")
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

    from ..align import tatoeba_pairs
    from ..harness import run_measured

    folder = eval_folder(folder, "long-document")
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
    from ..align import tatoeba_comparable_benchmark

    folder = eval_folder(folder, "one-to-one mining")
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
