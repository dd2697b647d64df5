"""Reading files into a workspace: the first stage of ``workbench run``.

Ingesting a file is one transaction: read, clean, identify languages, split,
normalise, store. A file that cannot be read is that file's one line (a skipped
outcome); only workspace problems stop the ingestion.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .document import Document, Sentence, Skipped, Source, Span
from .errors import WorkspaceError
from .progress import Progress
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


LANGUAGES_SETTING = "languages"


def workspace_languages(workspace: Workspace) -> tuple[str, ...]:
    value = workspace.get_setting(LANGUAGES_SETTING)
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
                    ids = self.workspace.source_documents(known.id)
                    return IngestOutcome(shown, "unchanged", f"same content{same}", ids)
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


def ingest(
    workspace: Workspace,
    paths: Iterable[Path],
    languages: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[IngestOutcome]:
    """Read ``paths`` into the workspace; ``languages``, when given, are remembered as the
    workspace's (later runs and the app identify the same ones)."""
    ingester = Ingester(workspace, languages)  # unknown codes raise here, nothing saved
    if languages:
        workspace.set_setting(LANGUAGES_SETTING, ",".join(languages))
    return ingester.ingest(paths, progress)
