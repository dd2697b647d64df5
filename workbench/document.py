"""The document model every stage reads and writes.

A *source* is one file as read from disk. Cleaning turns it into one or more
*documents* (a file can hold several articles); splitting turns each document
into *sentences*. Offsets always point into the text one level up, so the
original is recoverable: sentence offsets into the document's cleaned text,
and removed boilerplate spans into the source text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` with an optional reason."""

    start: int
    end: int
    reason: str = ""


@dataclass
class Sentence:
    text: str
    start: int
    end: int
    norm: str = ""
    lang: str = "und"
    position: int = 0


@dataclass
class Document:
    """One article: cleaned text plus what was removed from its source to get it."""

    text: str
    title: str = ""
    lang: str = "und"
    lang_confidence: float = 0.0
    part: int = 0
    source_start: int = 0
    source_end: int = 0
    removed: list[Span] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Source:
    """A file's decoded text and how it was read (``text`` is None for a streamed file)."""

    path: str
    text: str | None
    format: str
    encoding: str
    content_hash: str
    size: int


@dataclass(frozen=True)
class Skipped:
    """A file that could not be ingested, with a one-line reason."""

    path: str
    reason: str


@dataclass
class StageReport:
    """What one pipeline stage did, for the run summary."""

    name: str
    summary: str
    warnings: list[str] = field(default_factory=list)


TEST_MODEL_FLAG = "test-model"
"""The quality flag of output from a model built for tests: never shown as a translation
(exports, the pair view, search and the reader leave it out)."""


# --- which links a confidence floor shows -----------------------------------------------

KEPT_STATUSES = ("confirmed", "edited")
"""Link statuses a confidence floor never hides: what a user confirmed or made stands."""


def shown_at(confidence: float | None, status: str, floor: float | None) -> bool:
    """Whether a link passes a confidence floor (exports, the pair view, search): links a
    user confirmed or made always do, and so do links with no confidence (no calibration
    for the embedder: nothing says they are weak). The store's SQL is built from
    :func:`shown_at_sql`, the same rule."""
    return floor is None or status in KEPT_STATUSES or confidence is None or confidence >= floor


def shown_at_sql(link: str = "l") -> str:
    """:func:`shown_at` as an SQL condition on table alias ``link``, one ``?`` (the floor)."""
    kept = ", ".join(f"'{status}'" for status in KEPT_STATUSES)
    return f"({link}.confidence IS NULL OR {link}.confidence >= ? OR {link}.status IN ({kept}))"
