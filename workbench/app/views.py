"""What the app's pages show, computed without Streamlit (so it is tested directly).

The parallel view of one alignment is a list of :class:`ParallelRow`: one per
link, plus one per sentence that no link holds, in reading order, so that
unmatched sentences stay visible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from ..document import shown_at
from ..edit import links
from ..names import DocName, document_names, isolate
from ..store import Workspace
from ..text.normalise import numbers_differ
from ..translate.flags import real_translations

RTL_LANGS = {"fa", "ar", "ur", "ps", "he"}
FONT = "'Vazirmatn', 'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', Tahoma, sans-serif"


@dataclass(frozen=True)
class ParallelRow:
    link_id: int | None  # None: a sentence no link holds
    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src_text: str
    tgt_text: str
    src_english: str
    tgt_english: str
    score: float | None
    link_type: str
    status: str
    src_lang: str = ""  # language of the first source sentence (a Persian document can
    tgt_lang: str = ""  # quote an English headline: it is shown left to right)
    confidence: float | None = None  # calibrated (0-1); None for a link a user made

    @property
    def unlinked(self) -> bool:
        return self.link_id is None or not self.src_ids or not self.tgt_ids

    @property
    def key(self) -> str:
        """What the address calls the row (stable across filters and other rows' edits)."""
        if self.link_id is not None:
            return f"link:{self.link_id}"
        return f"src:{self.src_ids[0]}" if self.src_ids else f"tgt:{self.tgt_ids[0]}"

    def label(self) -> str:
        return f"{shown_ids(self.src_ids)}-{shown_ids(self.tgt_ids)}"

    @cached_property
    def numbers_differ(self) -> str:
        """The numbers each side states that the other does not (``"17, 250 / 12, 200"``),
        when each has some, else empty (the exports' ``numbers_differ``)."""
        return "" if self.unlinked else numbers_differ(self.src_text, self.tgt_text)


def shown_ids(ids) -> str:
    """Sentence positions as a person counts them, from 1 (``[1, 2]``); stored ids, the
    address and exports count from 0."""
    return "[" + ", ".join(str(i + 1) for i in ids) + "]"


# alignments with no event join documents of two related events (of one thread); the pair
# view lists them under this name, as event 0 in the address (event ids start at 1)
BETWEEN_EVENTS = "Between related events"
BETWEEN = 0


@dataclass
class AlignmentInfo:
    id: int
    event_id: int | None  # None: documents of two related events (mined, comparable)
    src_doc: int
    tgt_doc: int
    src_lang: str
    tgt_lang: str
    mode: str
    label: str
    src_name: DocName | None = None
    tgt_name: DocName | None = None

    @property
    def parallel(self) -> bool:
        return self.mode == "parallel"


def alignments(workspace: Workspace, event_id: int | None = None) -> list[AlignmentInfo]:
    names = document_names(workspace)
    out = []
    for row in workspace.alignment_rows():
        if event_id is not None and row.event_id != event_id:
            continue
        src, tgt = names.get(row.src_doc), names.get(row.tgt_doc)
        if src is None or tgt is None:
            continue
        out.append(
            AlignmentInfo(
                row.id,
                row.event_id,
                src.id,
                tgt.id,
                src.lang,
                tgt.lang,
                row.mode,
                pair_label(src, tgt, row.mode, row.event_id is None),
                src,
                tgt,
            )
        )
    return out


def pair_label(src: DocName, tgt: DocName, mode: str, between_events: bool) -> str:
    """``parallel · fa «title» (date) ↔ en «title» (date)``: the kind first, where a narrow
    select box still shows it; across events, each side's event is named too."""

    def side(name: DocName) -> str:
        extra = [name.date] if name.date else []
        if between_events and name.event_id is not None:
            extra.insert(0, f"event {name.event_id}")
        return f"{name.lang} {isolate(name.short(6))}" + (f" ({', '.join(extra)})" if extra else "")

    return f"{mode} · {side(src)} ↔ {side(tgt)}"


def parallel_rows(workspace: Workspace, info: AlignmentInfo) -> list[ParallelRow]:
    src_sentences = workspace.sentences(info.src_doc)
    tgt_sentences = workspace.sentences(info.tgt_doc)
    src = {s.position: s.text for s in src_sentences}
    tgt = {s.position: s.text for s in tgt_sentences}
    src_langs = {s.position: s.lang for s in src_sentences}
    tgt_langs = {s.position: s.lang for s in tgt_sentences}
    src_en, tgt_en = (
        real_translations(workspace, info.src_doc),
        real_translations(workspace, info.tgt_doc),
    )
    rows = []
    held_src: set[int] = set()
    held_tgt: set[int] = set()
    for link in links(workspace, info.id):
        held_src.update(link.src_ids)
        held_tgt.update(link.tgt_ids)
        rows.append(
            ParallelRow(
                link.id,
                link.src_ids,
                link.tgt_ids,
                " ".join(src.get(i, "") for i in link.src_ids),
                " ".join(tgt.get(j, "") for j in link.tgt_ids),
                " ".join(src_en[i] for i in link.src_ids if i in src_en),
                " ".join(tgt_en[j] for j in link.tgt_ids if j in tgt_en),
                link.score,
                link.link_type,
                link.status,
                _first(src_langs, link.src_ids, info.src_lang),
                _first(tgt_langs, link.tgt_ids, info.tgt_lang),
                link.confidence,
            )
        )
    for i in sorted(set(src) - held_src):
        rows.append(
            ParallelRow(
                None,
                (i,),
                (),
                src[i],
                "",
                src_en.get(i, ""),
                "",
                None,
                "unlinked",
                "—",
                src_langs[i],
                info.tgt_lang,
            )
        )
    for j in sorted(set(tgt) - held_tgt):
        rows.append(
            ParallelRow(
                None,
                (),
                (j,),
                "",
                tgt[j],
                "",
                tgt_en.get(j, ""),
                None,
                "unlinked",
                "—",
                info.src_lang,
                tgt_langs[j],
            )
        )
    return sorted(rows, key=_order)


def _first(langs: dict[int, str], ids: tuple[int, ...], default: str) -> str:
    return langs.get(ids[0], default) if ids else default


def _order(row: ParallelRow) -> tuple[float, float]:
    """Reading order: by source position; target-only rows slot in by target position."""
    if row.src_ids:
        return (row.src_ids[0], row.tgt_ids[0] if row.tgt_ids else -1)
    return (row.tgt_ids[0] - 0.5, row.tgt_ids[0])


LOW = 0.5  # confidence under which a link is unlikely to be right (red)
HIGH = 0.8  # confidence from which it is likely right (green); amber between


def shown_confidence(confidence: float) -> float:
    """A confidence as the pages write it (two decimals): what bands and thresholds compare,
    so a link shown as "0.80" is never called unsure."""
    return round(confidence, 2)


def confidence_band(confidence: float) -> str:
    """``high``, ``mid`` or ``low`` on the fixed scale, by the value as the page writes it."""
    shown = shown_confidence(confidence)
    return "high" if shown >= HIGH else "mid" if shown >= LOW else "low"


def suspicious(row: ParallelRow, low: float = LOW) -> bool:
    """Worth a look: an unreviewed link of low confidence, an n:m link, a link whose two
    sides state different numbers, or no partner."""
    if row.status in ("confirmed", "rejected"):
        return False
    if row.unlinked:
        return True
    return (
        (row.confidence is not None and shown_confidence(row.confidence) < low)
        or row.link_type != "1-1"
        or bool(row.numbers_differ)
    )


def unconfirmed(row: ParallelRow) -> bool:
    """A link nobody has confirmed or rejected yet (the aligner's, or a user's edit)."""
    return row.status in ("auto", "edited")


def next_index(
    rows: Sequence[ParallelRow], start: int, wanted: Callable[[ParallelRow], bool], step: int = 1
) -> int | None:
    """The first row after ``start`` (before it with ``step=-1``; wrapping around) for which
    ``wanted`` is true."""
    for distance in range(1, len(rows) + 1):
        index = (start + step * distance) % len(rows)
        if wanted(rows[index]):
            return index
    return None


def filter_rows(
    rows: Sequence[ParallelRow],
    *,
    min_confidence: float | None = None,
    types: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    show_unlinked: bool = True,
) -> list[ParallelRow]:
    """The rows the filters let through. The confidence cut-off is the export's: links a
    user confirmed or made stay, and so do sentences without a link (``show_unlinked``
    decides about those)."""
    out = []
    for row in rows:
        if not show_unlinked and row.link_id is None:
            continue
        if row.link_id is not None and not shown_at(row.confidence, row.status, min_confidence):
            continue
        if types and row.link_type not in types:
            continue
        if statuses and row.status not in statuses:
            continue
        out.append(row)
    return out


# --- three documents side by side ------------------------------------------------------


@dataclass(frozen=True)
class PivotRow:
    """One sentence of the pivot document and what each other document aligned to it."""

    position: int
    text: str
    lang: str
    others: tuple[tuple[str, str, float | None], ...]  # (text, lang, confidence) per document


def pivot_rows(
    workspace: Workspace, pivot: int, others: Sequence[int], infos: Sequence[AlignmentInfo]
) -> list[PivotRow]:
    """Rows of the pivot document with the linked sentences of each other document
    (through the stored pivot-other alignments; rejected links left out)."""
    sentences = {d: {s.position: s for s in workspace.sentences(d)} for d in [pivot, *others]}
    linked: list[dict[int, tuple[str, str, float | None]]] = []
    for other in others:
        info = next((i for i in infos if {i.src_doc, i.tgt_doc} == {pivot, other}), None)
        mapping: dict[int, tuple[str, str, float | None]] = {}
        if info is not None:
            pivot_is_src = info.src_doc == pivot
            for link in links(workspace, info.id):
                if link.status == "rejected":
                    continue
                mine, theirs = (
                    (link.src_ids, link.tgt_ids) if pivot_is_src else (link.tgt_ids, link.src_ids)
                )
                if not mine or not theirs:
                    continue
                text = " ".join(sentences[other][k].text for k in theirs if k in sentences[other])
                lang = sentences[other][theirs[0]].lang if theirs[0] in sentences[other] else ""
                for position in mine:
                    mapping[position] = (text, lang, link.confidence)  # the pair view's
        linked.append(mapping)
    return [
        PivotRow(
            position,
            s.text,
            s.lang,
            tuple(m.get(position, ("", "", None)) for m in linked),
        )
        for position, s in sorted(sentences[pivot].items())
    ]


def label_columns(st, **widths: int) -> dict:
    """Fixed pixel widths for the table columns that hold names of events, threads or
    documents. A table cell puts a Persian or Arabic name on its right edge: in a column
    sized to its longest name, wider than the window, that edge (where such a name starts)
    lies out of sight; in a column that fits, the name starts in view and only its end is
    cut."""
    return {name: st.column_config.TextColumn(width=width) for name, width in widths.items()}
