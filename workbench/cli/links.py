"""Commands that embed, align and export: ``embed``, ``align``, ``export``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import typer.core

from ..align.confidence import SHOWN_CONFIDENCE
from ..store import Workspace
from .console import check_out, check_unit, emit_rows, emit_text, err, warn, write_file
from .shared import (
    AddressOption,
    EngineOption,
    WorkersOption,
    WorkspaceEmbedderOption,
    WorkspaceOption,
    cached_embedder,
    embedder_name,
    engine_for,
    open_workspace,
    progress_bar,
    read_lines,
    read_workspace,
)

if TYPE_CHECKING:
    from ..export import HiddenLinks


class Mode(StrEnum):
    parallel = "parallel"
    comparable = "comparable"
    auto = "auto"


class Windows(StrEnum):
    auto = "auto"
    sparse = "sparse"
    embed = "embed"
    mean = "mean"


class AlignFormat(StrEnum):
    ladder = "ladder"
    tsv = "tsv"
    tmx = "tmx"
    json = "json"


def embed_command(
    file: Annotated[Path, typer.Argument(help="Text file, one sentence per line ('-' for stdin).")],
    embedder: WorkspaceEmbedderOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also save the vectors (.npy, a row per line).")
    ] = None,
    workspace: WorkspaceOption = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Embed lines into the workspace cache (what alignment and events then reuse)."""
    import numpy as np

    chosen = engine_for(engine, address, workers)
    check_out(out_file)
    lines = read_lines(file, "en", presplit=True)
    ws = open_workspace(workspace)
    cached = cached_embedder(ws, embedder or embedder_name(ws))
    cached.engine = chosen
    with progress_bar("embedding") as bar:
        vectors = cached.embed(lines, bar)
    if out_file:
        npy = out_file if out_file.suffix == ".npy" else out_file.with_name(out_file.name + ".npy")
        write_file(npy, lambda handle: np.save(handle, vectors))  # np.save's naming
    err.print(
        f"{len(lines)} lines: {cached.computed} embedded, {len(lines) - cached.computed} "
        f"from cache ({cached.key})",
        highlight=False,
    )


def align_command(
    src: Annotated[Path, typer.Argument(help="Source document.")],
    tgt: Annotated[Path, typer.Argument(help="Target document.")],
    src_lang: Annotated[str, typer.Option("--src-lang", help="Source language code.")],
    tgt_lang: Annotated[str, typer.Option("--tgt-lang", help="Target language code.")],
    presplit: Annotated[
        bool,
        typer.Option(
            "--presplit/--no-presplit",
            help="Files hold one sentence per line; otherwise they are split first.",
        ),
    ] = False,
    mode: Annotated[
        Mode,
        typer.Option(
            help="parallel: translations of each other; comparable: same event, any order."
        ),
    ] = Mode.auto,
    fmt: Annotated[
        AlignFormat, typer.Option("--format", help="Output format.")
    ] = AlignFormat.ladder,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            "--min-confidence",
            "--min-score",
            help="Print only links whose calibrated confidence (0-1) reaches this.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="Comparable mode: raw ratio-margin threshold [default: calibrated]."),
    ] = None,
    merge: Annotated[
        bool, typer.Option(help="Comparable mode: try 1:2 and 2:1 merges of kept links.")
    ] = False,
    windows: Annotated[
        Windows,
        typer.Option(
            help="Parallel mode: which windows of 2-4 sentences are embedded. sparse: only"
            " those that can change the path (about 1.5x the sentences' cost); embed: every"
            " one (about 9x: for gold-standard work); mean: none, averaged sentence vectors;"
            " auto: sparse up to 3,000 sentences, mean beyond."
        ),
    ] = Windows.auto,
    embedder: WorkspaceEmbedderOption = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Align two documents' sentences ([i, j]:[k]:score ladder, TSV, TMX or JSON)."""
    from ..align import ComparableParams, ParallelParams, align_documents
    from ..export import ExportRow

    check_out(out_file)
    source, target = read_lines(src, src_lang, presplit), read_lines(tgt, tgt_lang, presplit)
    ws = open_workspace(workspace)
    emb = cached_embedder(ws, embedder or embedder_name(ws))
    with progress_bar("embedding") as bar:
        emb.progress = bar
        result = align_documents(
            source,
            target,
            emb,
            mode.value,
            ComparableParams(threshold=threshold, merge=merge),
            ParallelParams(windows=windows.value),
            src_lang=src_lang.lower(),
            tgt_lang=tgt_lang.lower(),
        )
    if mode is Mode.auto:
        err.print(f"mode: {result.mode} ({result.reason})", highlight=False, markup=False)
    links = [
        link
        for link in result.links
        if min_confidence is None or (link.confidence or 0.0) >= min_confidence
    ]
    if fmt is AlignFormat.ladder:
        text = "".join(link.ladder() + "\n" for link in links)
        emit_text(text, out_file)
        return
    rows = [
        ExportRow(
            event="",
            src_doc=str(src),
            tgt_doc=str(tgt),
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            src_ids=list(link.src),
            tgt_ids=list(link.tgt),
            src_text=" ".join(source[i] for i in link.src),
            tgt_text=" ".join(target[j] for j in link.tgt),
            score=link.score,
            confidence=link.confidence,
            link_type=link.link_type,
            src_file=str(src),
            tgt_file=str(tgt),
        )
        for link in links
    ]
    emit_rows(rows, fmt.value, out_file)


class ExportFormat(StrEnum):
    tsv = "tsv"
    tmx = "tmx"
    json = "json"


def export_command(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Output format.")
    ] = ExportFormat.tsv,
    event: Annotated[int | None, typer.Option(help="Only this event (id, see `status`).")] = None,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            "--min-score",
            help="Only links whose calibrated confidence (0-1) reaches this; links a user "
            "confirmed or edited are always kept. 0 exports every link.",
        ),
    ] = SHOWN_CONFIDENCE,
    include_rejected: Annotated[bool, typer.Option(help="Also links a user rejected.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Export the workspace's links (user edits included) as TSV, TMX or JSON: by default
    those a reader would more likely than not judge to say the same thing."""
    from ..export import hidden_links, workspace_rows

    check_unit(min_confidence, "--min-confidence")
    check_out(out_file)
    ws = read_workspace(workspace)
    chosen = {
        "event": event,
        "min_confidence": min_confidence,
        "include_rejected": include_rejected,
    }
    rows = list(workspace_rows(ws, **chosen))
    count = emit_rows(rows, fmt.value, out_file)
    hidden = hidden_links(ws, **chosen)
    if not rows:
        warn(f"warning: {_why_no_links(ws, event, hidden, min_confidence)}")
    elif out_file is not None:
        warn(f"{count} links written to {out_file}")
    if rows and count < len(rows):  # TMX pairs two languages: same-language links go
        left = len(rows) - count
        warn(
            f"{left} link{'s' if left != 1 else ''} between two documents of one language"
            " left out (a TMX unit pairs two languages; TSV and JSON keep them)"
        )
    if rows and hidden:
        warn(_hidden_note(hidden, min_confidence))


def _hidden_note(hidden: HiddenLinks, min_confidence: float) -> str:
    return f"{hidden.describe(min_confidence)} hidden (--min-confidence 0 exports them)"


def _why_no_links(
    ws: Workspace, event: int | None, hidden: HiddenLinks, min_confidence: float = 0.0
) -> str:
    """Why an export is empty, in words that say what (if anything) to do."""
    if hidden:
        return "no link reaches the confidence asked for; " + _hidden_note(hidden, min_confidence)
    if event is None:
        aligned = len(ws.alignment_rows())
        if aligned:
            pairs = "pair" if aligned == 1 else "pairs"
            return (
                f"no links to export: the {aligned} document {pairs} aligned share no "
                "sentence that states the same fact"
            )
        if any(d.event_id is not None for d in ws.documents()):
            return (
                "no links to export: no two documents report the same event, and no "
                "documents of related events state the same fact"
            )
        return "no links to export; run `workbench run DIR` first"
    members = sum(1 for d in ws.documents() if d.event_id == event)
    if members == 0:
        return f"event {event} has no documents (see `workbench status` for event ids)"
    if members == 1:
        return f"event {event} has one document: nothing to align, so no links"
    return f"no links in event {event}; run `workbench run DIR` to align it"
