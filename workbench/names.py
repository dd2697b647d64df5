"""How documents, events and threads are named wherever a person reads them: the app,
the CLI's tables, exports and event labels all take their names from here.

A document is known by its title, else the first words of its first sentence, then its
file (``#2`` for the second article of one file) and date. Names are cut between words,
never inside one (in Arabic script a cut word reads as another word), and a right-to-left
title inside a left-to-right label is isolated so it keeps its own direction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from .store import DocumentRow, EventRow, Workspace

TITLE_CHARS = 60
"""Titles in exports (``src_doc``/``tgt_doc``) are cut between words to about this."""


def isolate(text: str) -> str:
    """Wrap text in Unicode first-strong isolates, so a Persian title inside an English
    label keeps its own direction and does not reorder the label around it."""
    return f"\u2068{text}\u2069"


def first_words(text: str, words: int = 8) -> str:
    """The first ``words`` words, "…" when there were more."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """``title`` on one line, cut at the last space before ``limit`` characters (never
    inside a word; a first word longer than ``limit`` is kept whole), "…" marking a cut."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    head = title[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else title.split(" ", 1)[0]
    return cut if cut == title else cut.rstrip(" ,;:-–—") + "…"


@dataclass(frozen=True)
class DocName:
    """A document as people know it: title (or first words), file, date."""

    id: int
    lang: str
    title: str  # the title, else the first words of the first sentence
    file: str  # the file's name (``#2`` for the second article of one file)
    date: str | None
    event_id: int | None
    sentences: int = 0

    def short(self, words: int = 8) -> str:
        return first_words(self.title, words) or self.file

    def label(self, words: int = 10) -> str:
        """``«title» · file · date`` (the title isolated, so its direction stays its own)."""
        parts = [isolate(first_words(self.title, words))] if self.title else []
        # a date reads left to right even inside a right-to-left label
        parts += [self.file] + ([f"\u2066{self.date}\u2069"] if self.date else [])
        return " · ".join(parts)

    def numbered(self) -> str:
        """``"ID: title"`` as exports write it (``"ID:"`` for a document with no text)."""
        title = short_title(self.title)
        return f"{self.id}: {title}" if title else f"{self.id}:"


def document_name(doc: DocumentRow, first: str) -> DocName:
    """The name of ``doc`` whose first sentence is ``first``."""
    file = PurePosixPath(doc.path.replace("\\", "/")).name + (
        f" #{doc.part + 1}" if doc.part else ""
    )
    return DocName(
        doc.id, doc.lang, doc.title or first, file, doc.date, doc.event_id, doc.sentences
    )


def document_names(workspace: Workspace) -> dict[int, DocName]:
    """Every document (old versions too, which alignments may still name) by id."""
    firsts = workspace.first_sentences()
    return {
        d.id: document_name(d, firsts.get(d.id, "")) for d in workspace.documents(include_old=True)
    }


_TRAILING_DATE = re.compile(r"^(.*\S)\s+\(([0-9][0-9\-–]*[0-9])\)$", re.DOTALL)


def split_date(label: str) -> tuple[str, str | None]:
    """``"Rally in Paris (2018-06-30)"`` -> ``("Rally in Paris", "2018-06-30")`` (a date or
    a range of years in brackets at the end; anything else is all title)."""
    found = _TRAILING_DATE.match(label)
    return (found.group(1), found.group(2)) if found else (label, None)


def dated_label(label: str, limit: int | None = None) -> str:
    """``"12: Rally in Paris (2018-06-30)"`` for a table cell: the title isolated, so a
    right-to-left one keeps its direction, and the date (or range of years) isolated left to
    right, so it never reads "(30-06-2018)" after a Persian or Arabic title. ``limit``
    shortens the title between words (a narrow cell would cut it mid-word and hide the
    date)."""
    if not label:
        return ""
    title, date = split_date(label)
    number, colon, rest = title.partition(": ")
    prefix = f"{number}: " if colon and number.isdigit() else ""
    title = rest if prefix else title
    if limit is not None:
        title = short_title(title, limit)
    return prefix + isolate(title) + (f" (\u2066{date}\u2069)" if date else "")


def event_name(event: EventRow) -> str:
    """An event by its label and date. Labels usually end with the date already; it is
    written outside the title's isolate, so a right-to-left title does not reverse it."""
    title, date = split_date(event.label) if event.label else (f"event {event.id}", None)
    date = date or event.date
    return isolate(title) + (f" ({date})" if date else "")


def thread_name(label: str) -> str:
    title, dates = split_date(label)
    return isolate(title) + (f" ({dates})" if dates else "")
