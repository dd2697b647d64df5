"""Aligned output: TSV for people and spreadsheets, TMX 1.4b for CAT tools, JSON for programs.

One row per link (:class:`ExportRow`); the same writers serve ``workbench
export`` (links stored in the workspace, user edits included) and
``workbench align --format`` (two files aligned on the spot).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO

from lxml import etree

from .errors import WorkbenchError
from .names import document_name
from .store import Workspace, now
from .text.normalise import numbers_differ as differing_numbers
from .translate.flags import real_translations
from .version import __version__

COLUMNS = (
    "event",
    "src_doc",
    "tgt_doc",
    "src_lang",
    "tgt_lang",
    "src_ids",
    "tgt_ids",
    "src_text",
    "tgt_text",
    "src_english",
    "tgt_english",
    "score",
    "confidence",
    "link_type",
    "status",
    # documents as separate fields (src_doc/tgt_doc above stay "ID: title")
    "src_doc_id",
    "tgt_doc_id",
    "src_doc_title",
    "tgt_doc_title",
    "src_file",
    "tgt_file",
    "numbers_differ",
)
FORMATS = ("tsv", "tmx", "json")


@dataclass
class ExportRow:
    event: str
    src_doc: str
    tgt_doc: str
    src_lang: str
    tgt_lang: str
    src_ids: list[int]
    tgt_ids: list[int]
    src_text: str
    tgt_text: str
    src_english: str = ""
    tgt_english: str = ""
    score: float | None = None
    confidence: float | None = None
    link_type: str = ""
    status: str = "auto"
    extra: dict = field(default_factory=dict)
    src_doc_id: int | None = None
    tgt_doc_id: int | None = None
    src_doc_title: str = ""
    tgt_doc_title: str = ""
    src_file: str = ""
    tgt_file: str = ""

    @property
    def numbers_differ(self) -> str:
        """The numbers each side states that the other does not (``"17, 250 / 12, 200"``),
        when each has some: the pair view's "numbers differ" mark; else empty."""
        return differing_numbers(self.src_text, self.tgt_text)


class ExportError(WorkbenchError):
    """A one-line, actionable export problem."""


_TSV_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\\n",
        "\r": "\\r",
        "\v": "\\v",
        "\f": "\\f",
        # every other character str.splitlines() (and Unicode-aware readers) breaks lines at
        **{ch: f"\\u{ord(ch):04x}" for ch in "\x1c\x1d\x1e\x85\u2028\u2029"},
    }
)


def escape_tsv(value: object) -> str:
    """Backslash-escape what would break a TSV row: backslashes, tabs, and every line or
    paragraph separator (``\\n``, ``\\r``, ``\\v``, ``\\f``, ``\\u001c``-``\\u001e``,
    ``\\u0085``, ``\\u2028``, ``\\u2029``)."""
    text = "" if value is None else str(value)
    return text.translate(_TSV_ESCAPES)


def _cell(row: ExportRow, column: str) -> str:
    value = getattr(row, column)
    if column in ("src_ids", "tgt_ids"):
        return ",".join(str(i) for i in value)
    if column in ("score", "confidence"):
        return "" if value is None else f"{value:.4f}"
    return escape_tsv(value)


def write_tsv(rows: Iterable[ExportRow], stream: IO[str]) -> int:
    stream.write("\t".join(COLUMNS) + "\n")
    count = 0
    for row in rows:
        stream.write("\t".join(_cell(row, c) for c in COLUMNS) + "\n")
        count += 1
    return count


def write_json(rows: Iterable[ExportRow], stream: IO[str]) -> int:
    items = [
        {k: v for k, v in asdict(row).items() if k != "extra" or v}
        | {"numbers_differ": row.numbers_differ}
        for row in rows
    ]
    json.dump({"links": items}, stream, ensure_ascii=False, indent=1)
    stream.write("\n")
    return len(items)


def write_tmx(rows: Iterable[ExportRow], stream: IO[bytes]) -> int:
    """TMX 1.4b: one ``tu`` per link with text on both sides in two different languages
    (a translation memory pairs languages), ``xml:lang`` on every ``tuv``.

    Written with lxml, so markup in document text is escaped, never interpreted.
    """
    rows = [
        r for r in rows if r.src_text.strip() and r.tgt_text.strip() and r.src_lang != r.tgt_lang
    ]
    root = etree.Element("tmx", version="1.4")
    src_langs = {r.src_lang for r in rows}
    etree.SubElement(
        root,
        "header",
        creationtool="workbench",
        creationtoolversion=__version__,
        segtype="sentence",
        datatype="plaintext",
        adminlang="en",
        srclang=src_langs.pop() if len(src_langs) == 1 else "*all*",
        **{"o-tmf": "workbench"},
        creationdate=now().replace("-", "").replace(":", "")[:15] + "Z",
    )
    body = etree.SubElement(root, "body")
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for n, row in enumerate(rows, 1):
        tu = etree.SubElement(body, "tu", tuid=str(n))
        for prop, value in (
            ("x-event", row.event),
            ("x-score", "" if row.score is None else f"{row.score:.4f}"),
            ("x-confidence", "" if row.confidence is None else f"{row.confidence:.4f}"),
            ("x-link-type", row.link_type),
            ("x-status", row.status),
            ("x-src-doc", row.src_doc),
            ("x-tgt-doc", row.tgt_doc),
            ("x-numbers-differ", row.numbers_differ),
        ):
            if value:
                etree.SubElement(tu, "prop", type=prop).text = _xml_safe(value)
        for lang, text in ((row.src_lang, row.src_text), (row.tgt_lang, row.tgt_text)):
            tuv = etree.SubElement(tu, "tuv", {xml_lang: lang})
            etree.SubElement(tuv, "seg").text = _xml_safe(text)
    stream.write(
        etree.tostring(
            root,
            xml_declaration=True,
            encoding="UTF-8",
            pretty_print=True,
            doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
        )
    )
    return len(rows)


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters from broken sources)."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r"
        or (" " <= ch <= "\ud7ff")
        or ("\ue000" <= ch <= "\ufffd")
        or ch >= "\U00010000"
    )


def export_bytes(rows: Iterable[ExportRow], fmt: str) -> tuple[bytes, int]:
    """The bytes of an export in ``fmt`` (UTF-8; TMX declares its own encoding) and the
    number of links in it: what the CLI, the Python API and the app's download all write,
    so the three never differ."""
    if fmt == "tmx":
        binary = io.BytesIO()
        count = write(rows, fmt, binary)
        return binary.getvalue(), count
    text = io.StringIO()
    count = write(rows, fmt, text)
    return text.getvalue().encode("utf-8"), count


def write(rows: Iterable[ExportRow], fmt: str, stream: IO[str] | IO[bytes]) -> int:
    """Write ``rows`` in ``fmt`` (tsv, tmx, json). TMX needs a binary stream."""
    if fmt == "tsv":
        return write_tsv(rows, stream)  # type: ignore[arg-type]
    if fmt == "json":
        return write_json(rows, stream)  # type: ignore[arg-type]
    if fmt == "tmx":
        return write_tmx(rows, stream)  # type: ignore[arg-type]
    raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


# --- rows from the workspace ---------------------------------------------------------


@dataclass(frozen=True)
class HiddenLinks:
    """What a confidence cut-off leaves out of an export: links, and sentences without a
    partner (stored as one-sided links with confidence 0)."""

    links: int = 0
    alone: int = 0

    def __bool__(self) -> bool:
        return bool(self.links or self.alone)

    def describe(self, min_confidence: float) -> str:
        """``3 links and 1 sentence without a partner below confidence 0.5``."""
        parts = []
        if self.links:
            parts.append(f"{self.links} link{'s' if self.links != 1 else ''}")
        if self.alone:
            parts.append(f"{self.alone} sentence{'s' if self.alone != 1 else ''} without a partner")
        return f"{' and '.join(parts)} below confidence {min_confidence:g}"


def hidden_links(
    workspace: Workspace,
    *,
    event: int | None = None,
    min_confidence: float | None = None,
    include_rejected: bool = False,
) -> HiddenLinks:
    """What the confidence cut-off leaves out of an export (and nothing else)."""
    if not min_confidence:
        return HiddenLinks()
    every = workspace.export_links(event=event, include_rejected=include_rejected)
    kept = workspace.export_links(
        event=event, min_confidence=min_confidence, include_rejected=include_rejected
    )
    alone = sum(not (x.src_ids and x.tgt_ids) for x in every) - sum(
        not (x.src_ids and x.tgt_ids) for x in kept
    )
    return HiddenLinks(len(every) - len(kept) - alone, alone)


def workspace_rows(
    workspace: Workspace,
    *,
    event: int | None = None,
    min_confidence: float | None = None,
    include_rejected: bool = False,
) -> Iterator[ExportRow]:
    """Every stored link (user edits included), in event, document and position order.

    ``min_confidence`` keeps links whose calibrated confidence reaches it; a link a user
    confirmed or edited is kept whatever its confidence (the user's judgement is final).
    """
    docs = {d.id: d for d in workspace.documents(include_old=True)}
    sentences: dict[int, dict[int, tuple[str, str, str]]] = {}
    links = workspace.export_links(
        event=event, min_confidence=min_confidence, include_rejected=include_rejected
    )
    for link in links:
        src_ids, tgt_ids = list(link.src_ids), list(link.tgt_ids)
        src = _sentences(workspace, sentences, link.src_doc)
        tgt = _sentences(workspace, sentences, link.tgt_doc)
        src_doc, tgt_doc = docs.get(link.src_doc), docs.get(link.tgt_doc)
        yield ExportRow(
            event=link.event,
            src_doc=_numbered(src_doc, src),
            tgt_doc=_numbered(tgt_doc, tgt),
            src_lang=_side_lang(src, src_ids, src_doc.lang if src_doc else ""),
            tgt_lang=_side_lang(tgt, tgt_ids, tgt_doc.lang if tgt_doc else ""),
            src_ids=src_ids,
            tgt_ids=tgt_ids,
            src_text=" ".join(src[i][0] for i in src_ids if i in src),
            tgt_text=" ".join(tgt[i][0] for i in tgt_ids if i in tgt),
            src_english=" ".join(src[i][1] for i in src_ids if i in src and src[i][1]),
            tgt_english=" ".join(tgt[i][1] for i in tgt_ids if i in tgt and tgt[i][1]),
            score=link.score,
            confidence=link.confidence,
            link_type=link.link_type,
            status=link.status,
            src_doc_id=link.src_doc,
            tgt_doc_id=link.tgt_doc,
            src_doc_title=src_doc.title if src_doc else "",
            tgt_doc_title=tgt_doc.title if tgt_doc else "",
            src_file=src_doc.path if src_doc else "",
            tgt_file=tgt_doc.path if tgt_doc else "",
        )


def _sentences(workspace: Workspace, cache: dict, document_id: int) -> dict:
    if document_id not in cache:
        english = real_translations(workspace, document_id)
        cache[document_id] = {
            s.position: (s.text, english.get(s.position, ""), s.lang)
            for s in workspace.sentences(document_id)
        }
    return cache[document_id]


def _side_lang(sentences: dict, ids: list[int], document_lang: str) -> str:
    """The language a link's side is written in: its sentences' own language when they
    agree (an English headline inside a Persian article is English), else the document's."""
    langs = {sentences[i][2] for i in ids if i in sentences}
    return langs.pop() if len(langs) == 1 and "und" not in langs else document_lang


def _numbered(doc, sentences: dict[int, tuple[str, str, str]]) -> str:
    """``"ID: title"`` (:meth:`~workbench.names.DocName.numbered`), a document without a
    title named by its first words, as the app names it."""
    if doc is None:
        return ""
    return document_name(doc, sentences[min(sentences)][0] if sentences else "").numbered()
