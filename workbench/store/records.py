"""Typed records the store hands out (frozen dataclasses), and how rows become them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

R = TypeVar("R")  # a record dataclass (see record)


JOB_STATES = ("running", "done", "failed")


@dataclass(frozen=True)
class JobUnit:
    """One unit of a stage's work, named by columns (never a string a reader takes apart):
    ``align`` a document pair with an embedder, as one event or as related events
    (``kind``); ``translate`` a language pair; ``translate-ray`` a language pair with a
    model; ``embed-ray`` an embedder's texts."""

    stage: str
    src_doc: int | None = None
    tgt_doc: int | None = None
    embedder: str = ""
    kind: str = ""  # align: "event" or "thread"
    model: str = ""
    source_lang: str = ""
    target_lang: str = ""

    def params(self) -> tuple:
        """The values :data:`JOB_UNIT_COLUMNS` binds, in its order."""
        return (
            self.stage,
            self.src_doc or 0,
            self.tgt_doc or 0,
            self.embedder,
            self.kind,
            self.model,
            self.source_lang,
            self.target_lang,
        )


@dataclass(frozen=True)
class JobRow:
    """A ``jobs`` row: the unit, its state (running, done, failed) and ``detail`` (a claim's
    owner, a failure, the model that did it, a Ray job folder)."""

    unit: JobUnit
    state: str
    detail: str
    updated_at: str


# matches one unit; ifnull() as in the jobs_unit index, so the lookup uses it
JOB_UNIT_COLUMNS = (
    "stage = ? AND ifnull(src_doc, 0) = ? AND ifnull(tgt_doc, 0) = ? AND embedder = ?"
    " AND kind = ? AND model = ? AND source_lang = ? AND target_lang = ?"
)


@dataclass(frozen=True)
class ModelRow:
    """An installed translation model as the ``models`` table records it (``path``
    relative to the workspace; ``meta`` its package metadata)."""

    name: str
    source_lang: str
    target_lang: str
    path: str
    checksum: str
    meta: dict


@dataclass(frozen=True)
class CachedTranslation:
    """A translation in the workspace cache, with its quality flags."""

    text: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ExportLink:
    """A stored link as the exports read it: its alignment's documents and the label of
    its event (``thread: LABEL`` for a pair of related events), ids in reading order."""

    src_doc: int
    tgt_doc: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    score: float | None
    confidence: float | None
    link_type: str
    status: str
    event: str


@dataclass(frozen=True)
class DocumentRow:
    id: int
    source_id: int
    part: int
    path: str
    title: str
    lang: str
    lang_confidence: float
    event_id: int | None
    sentences: int
    chars: int
    version: int
    current: bool
    date: str | None = None  # ISO date of the happening the document reports


@dataclass(frozen=True)
class EventRow:
    id: int
    label: str
    reason: str
    origin: str
    date: str | None
    thread_id: int | None
    thread_label: str | None


@dataclass(frozen=True)
class LinkRow:
    """A stored link: one bead of an alignment, with its status and who set it."""

    id: int
    alignment_id: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    score: float | None
    link_type: str
    status: str
    updated_at: str = ""
    updated_by: str = ""
    confidence: float | None = None  # calibrated; None for a link a user made

    def snapshot(self) -> dict:
        """The link as ``link_history`` records it (what undo puts back)."""
        return {
            "id": self.id,
            "alignment_id": self.alignment_id,
            "src_ids": list(self.src_ids),
            "tgt_ids": list(self.tgt_ids),
            "score": self.score,
            "link_type": self.link_type,
            "status": self.status,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "confidence": self.confidence,
        }

    def label(self) -> str:
        """The link as a person counts sentences, from 1 (``[1, 2]-[1]``); ids stay 0-based."""
        return "-".join(
            "[" + ", ".join(str(i + 1) for i in ids) + "]" for ids in (self.src_ids, self.tgt_ids)
        )

    @classmethod
    def from_snapshot(cls, link: Mapping) -> LinkRow:
        """A link from a ``link_history`` snapshot (older ones lack the later fields)."""
        return cls(
            link["id"],
            link["alignment_id"],
            tuple(link["src_ids"]),
            tuple(link["tgt_ids"]),
            link["score"],
            link["link_type"],
            link["status"],
            link.get("updated_at", ""),
            link.get("updated_by", ""),
            link.get("confidence"),
        )


@dataclass(frozen=True)
class LinkEdit:
    """One ``link_history`` row: an edit, the links before and after it (snapshots)."""

    id: int
    action: str
    before: list[dict]
    after: list[dict]
    actor: str
    at: str
    undone: bool


@dataclass(frozen=True)
class SourceRow:
    """An ingested file (one version of it)."""

    id: int
    path: str
    content_hash: str
    format: str
    encoding: str
    size: int
    version: int
    current: bool
    ingested_at: str


@dataclass(frozen=True)
class SentenceRow:
    """A current sentence as search reads it; ``english`` is its translation when asked
    for (empty when there is none)."""

    document_id: int
    position: int
    lang: str
    text: str
    english: str = ""


@dataclass(frozen=True)
class AlignmentRow:
    """An alignment of two documents (``mode``: parallel or comparable)."""

    id: int
    event_id: int | None
    src_doc: int
    tgt_doc: int
    mode: str


@dataclass(frozen=True)
class DocumentLinkRow:
    """A link of an alignment a document is in, with the alignment's documents."""

    alignment_id: int
    event_id: int | None
    src_doc: int
    tgt_doc: int
    link_id: int
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    status: str
    confidence: float | None = None


@dataclass(frozen=True)
class IngestLogRow:
    """One file an ingest looked at: added, unchanged or skipped (``detail`` says why)."""

    id: int
    path: str
    outcome: str
    detail: str
    at: str


def record(cls: type[R], row: sqlite3.Row, **converted: object) -> R:
    """A record from a row: each field from the column of its name, or from
    ``converted`` (what a column does not hold as it is: flags, JSON, no column)."""
    values = {
        f.name: converted[f.name] if f.name in converted else row[f.name] for f in fields(cls)
    }
    return cls(**values)


def link_row(row: sqlite3.Row) -> LinkRow:
    return LinkRow(
        row["id"],
        row["alignment_id"],
        tuple(json.loads(row["src_ids"])),
        tuple(json.loads(row["tgt_ids"])),
        row["score"],
        row["link_type"],
        row["status"],
        row["updated_at"],
        row["updated_by"],
        row["confidence"],
    )


def link_edit(row: sqlite3.Row) -> LinkEdit:
    return LinkEdit(
        row["id"],
        row["action"],
        json.loads(row["before"] or "[]"),
        json.loads(row["after"] or "[]"),
        row["actor"],
        row["at"],
        bool(row["undone"]),
    )


def job_row(row: sqlite3.Row) -> JobRow:
    return JobRow(record(JobUnit, row), row["state"], row["detail"], row["updated_at"])


def model_row(row: sqlite3.Row) -> ModelRow:
    return record(ModelRow, row, meta=json.loads(row["meta"]))
