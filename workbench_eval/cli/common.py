"""The ``workbench eval`` Typer app and what its commands share: data folders, work
folders, reliability tables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from workbench.cli.console import fail, out
from workbench.cli.shared import (
    MARKUP,
    open_workspace,
)

eval_app = typer.Typer(
    name="eval",
    help="Reproduce the figures in BENCHMARKS.md.",
    no_args_is_help=True,
    add_completion=False,
    **MARKUP,
)


def eval_folder(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise fail(f"{path}: no such folder (skipping the {what} benchmark)")
    return path


def eval_workspace(workspace: Path | None, cold: bool):
    """The embedding cache for a benchmark: a fresh temporary one when ``cold``."""
    import tempfile

    if cold:
        return open_workspace(Path(tempfile.mkdtemp(prefix="workbench-cold-")))
    return open_workspace(workspace)


class Split(StrEnum):
    dev = "dev"
    test = "test"


class Part(StrEnum):
    """The parts of the rated news pairs (split by article, workbench_eval/semeval.py)."""

    fit = "fit"
    report = "report"


def eval_workdir(workdir: Path | None) -> Path:
    """Where the story corpora and their workspaces live (embeddings cached there)."""
    from platformdirs import user_cache_dir

    path = workdir or Path(user_cache_dir("workbench")) / "eval-stories"
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedder_key(spec: str) -> str:
    from workbench.embed import EmbedError, load_embedder

    try:
        return load_embedder(spec).key
    except EmbedError as error:
        raise fail(str(error)) from None


def print_reliability(
    bins, title: str, columns=("probability", "pairs", "mean probability", "share same")
) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for lo, hi, count, mean_p, accuracy in bins:
        row = (f"{mean_p:.3f}", f"{accuracy:.3f}") if count else ("", "")
        table.add_row(f"{lo:.1f}-{hi:.1f}", str(count), *row)
    out.print(table)
