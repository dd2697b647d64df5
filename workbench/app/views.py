"""What the app's pages show, computed without Streamlit (so it is tested directly).

The parallel view of one alignment is a list of :class:`ParallelRow`: one per
link, plus one per sentence that no link holds, in reading order, so that
unmatched sentences stay visible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..document import Sentence, shown_at
from ..edit import links
from ..export import real_translations
from ..store import DocumentRow, EventRow, Workspace
from .safe import safe

RTL_LANGS = {"fa", "ar", "ur", "ps", "he"}
FONT = "'Vazirmatn', 'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', Tahoma, sans-serif"


def isolate(text: str) -> str:
    """Wrap text in Unicode first-strong isolates, so a Persian title inside an English
    label keeps its own direction and does not reorder the label around it."""
    return f"\u2068{text}\u2069"


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


def shown_ids(ids) -> str:
    """Sentence positions as a person counts them, from 1 (``[1, 2]``); stored ids, the
    address and exports count from 0."""
    return "[" + ", ".join(str(i + 1) for i in ids) + "]"


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
        return _first_words(self.title, words) or self.file

    def label(self, words: int = 10) -> str:
        """``«title» · file · date`` (the title isolated, so its direction stays its own)."""
        parts = [isolate(_first_words(self.title, words))] if self.title else []
        # a date reads left to right even inside a right-to-left label
        parts += [self.file] + ([f"\u2066{self.date}\u2069"] if self.date else [])
        return " · ".join(parts)


def _first_words(text: str, words: int) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def document_names(workspace: Workspace) -> dict[int, DocName]:
    """Every document (old versions too, which alignments may still name) by id."""
    firsts = workspace.first_sentences()
    return {d.id: _doc_name(d, firsts.get(d.id, "")) for d in workspace.documents(include_old=True)}


def _doc_name(doc: DocumentRow, first: str) -> DocName:
    file = PurePosixPath(doc.path.replace("\\", "/")).name + (
        f" #{doc.part + 1}" if doc.part else ""
    )
    return DocName(
        doc.id, doc.lang, doc.title or first, file, doc.date, doc.event_id, doc.sentences
    )


def event_name(event: EventRow) -> str:
    """An event by its label and date. Labels usually end with the date already; it is
    written outside the title's isolate, so a right-to-left title does not reverse it."""
    title, date = split_date(event.label) if event.label else (f"event {event.id}", None)
    date = date or event.date
    return isolate(title) + (f" ({date})" if date else "")


def thread_name(label: str) -> str:
    title, dates = split_date(label)
    return isolate(title) + (f" ({dates})" if dates else "")


_TRAILING_DATE = re.compile(r"^(.*\S)\s+\(([0-9][0-9\-–]*[0-9])\)$", re.DOTALL)


def split_date(label: str) -> tuple[str, str | None]:
    """``"Rally in Paris (2018-06-30)"`` -> ``("Rally in Paris", "2018-06-30")`` (a date or
    a range of years in brackets at the end; anything else is all title)."""
    found = _TRAILING_DATE.match(label)
    return (found.group(1), found.group(2)) if found else (label, None)


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
    """``fa «title» (date) ↔ en «title» (date) · parallel``; across events, each side's
    event is named too."""

    def side(name: DocName) -> str:
        extra = [name.date] if name.date else []
        if between_events and name.event_id is not None:
            extra.insert(0, f"event {name.event_id}")
        return f"{name.lang} {isolate(name.short(6))}" + (f" ({', '.join(extra)})" if extra else "")

    return f"{side(src)} ↔ {side(tgt)} · {mode}"


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


def suspicious(row: ParallelRow, low: float = LOW) -> bool:
    """Worth a look: an unreviewed link of low confidence, an n:m link, or no partner."""
    if row.status in ("confirmed", "rejected"):
        return False
    if row.unlinked:
        return True
    return (row.confidence is not None and row.confidence < low) or row.link_type != "1-1"


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


# --- colours and marks (fixed scale, all document text escaped) --------------------------

# band -> (what it says, strong colour for marks and dots, light colour for backgrounds)
BANDS = {
    "high": (f"confidence ≥ {HIGH}: likely the same", "#15803d", "#bbf7d0"),
    "mid": (f"{LOW}-{HIGH}: unsure", "#d97706", "#fde68a"),
    "low": (f"< {LOW}: unlikely", "#dc2626", "#fecaca"),
    "user": ("made by a user (no model confidence)", "#2563eb", "#bfdbfe"),
    "none": ("no partner", "#9ca3af", "#e5e7eb"),
}


def band(row: ParallelRow) -> str:
    """The row's colour band: by calibrated confidence on a fixed scale, the same for every
    pair (never relative to the pair's other links)."""
    if row.unlinked:
        return "none"
    if row.confidence is None:
        return "user"
    return "high" if row.confidence >= HIGH else "mid" if row.confidence >= LOW else "low"


def direction(lang: str) -> str:
    """``rtl`` for languages written right to left, else ``ltr``."""
    return "rtl" if lang in RTL_LANGS else "ltr"


def text_cell(text: str, lang: str, english: str = "") -> str:
    cell = f'<div class="s" dir="{direction(lang)}" lang="{safe(lang)}">{safe(text)}</div>'
    if english:
        cell += f'<div class="en" dir="ltr" lang="en">{safe(english)}</div>'
    return cell


def anchor(key: str) -> str:
    """The HTML id of a row (or a sentence in the text view): ``pv-link-12``."""
    return "pv-" + key.replace(":", "-")


def status_class(row: ParallelRow) -> str:
    """The CSS class of a row's status (``st-confirmed``); only known statuses make one."""
    return f"st-{row.status}" if row.status in ("auto", *STATUS_MARKS) else "st-none"


STATUS_MARKS = {"confirmed": "✔ confirmed", "rejected": "✘ rejected", "edited": "✎ edited"}


def confidence_badge(row: ParallelRow) -> str:
    """The confidence as a chip in its band's colour, with the status drawn separately."""
    name = band(row)
    if name == "none":
        value = "no partner" if row.link_id is not None else "unlinked"
    elif row.confidence is None:
        value = "by a user"
    else:
        value = f"{row.confidence:.2f}"
    return (
        f'<span class="b b-{name}" title="{safe(BANDS[name][0])}">{value}</span>'
        f'<span class="st {status_class(row)}">{STATUS_MARKS.get(row.status, "")}</span>'
    )


_BAND_CSS = "".join(
    f".b-{name} {{ background: {light}; border-left: 4px solid {strong}; }}\n"
    for name, (_, strong, light) in BANDS.items()
)
STYLE = f"""
<style>
div.pv-scroll {{ max-height: 62vh; overflow-y: auto; border: 1px solid #e5e7eb;
  border-radius: 6px; }}
table.pv {{ width: 100%; border-collapse: collapse; table-layout: fixed; margin: 0; }}
table.pv th {{ position: sticky; top: 0; z-index: 1; background: #f9fafb; text-align: start;
  font-size: 0.8em; font-weight: 600; color: #374151; padding: 6px 8px;
  border-bottom: 2px solid #d1d5db; }}
table.pv td {{ border-bottom: 1px solid #e5e7eb; padding: 6px 8px; vertical-align: top; }}
table.pv td.n, table.pv th.n {{ width: 3.2em; color: #6b7280; font-size: 0.8em; }}
table.pv td.n a {{ color: inherit; }}
table.pv td.m, table.pv th.m {{ width: 9em; font-size: 0.8em; color: #374151; }}
table.pv tr.cur td {{ background: #eff6ff; }}
table.pv tr.cur td.n {{ box-shadow: inset 4px 0 0 #2563eb; }}
table.pv div.s[dir=rtl], div.cv [dir=rtl] {{ font-family: {FONT}; font-size: 1.08em;
  line-height: 1.9; }}
table.pv div.s[dir=rtl] {{ text-align: right; }}
table.pv div.en {{ color: #4b5563; font-size: 0.85em; padding-top: 2px; }}
span.b {{ display: inline-block; border-radius: 4px; padding: 0 6px; margin: 1px 4px 1px 0;
  font-size: 0.85em; color: #111827; }}
{_BAND_CSS}
span.st {{ font-size: 0.85em; }}
span.st-confirmed {{ font-weight: 700; color: #111827; }}
span.st-rejected {{ color: #6b7280; }}
tr.st-confirmed td.m {{ font-weight: 600; }}
tr.st-rejected div.s, tr.st-rejected div.en {{ text-decoration: line-through;
  color: #9ca3af; }}
div.legend {{ font-size: 0.8em; color: #374151; line-height: 2; }}
div.legend span.b {{ margin-right: 2px; }}
div.legend span.sep {{ color: #d1d5db; margin: 0 6px; }}
</style>
"""


def legend_html() -> str:
    """What the colours and marks mean (one line, the same on every pair)."""
    chips = "".join(
        f'<span class="b b-{name}">{safe(text)}</span>' for name, (text, _, _) in BANDS.items()
    )
    marks = (
        '<span class="st st-confirmed">✔ confirmed</span> (bold) · '
        '<span style="text-decoration:line-through;color:#9ca3af">rejected</span> (struck '
        "through, grey) · ✎ edited"
    )
    return f'{STYLE}<div class="legend" dir="ltr">{chips}<span class="sep">|</span>{marks}</div>'


def parallel_table_html(
    rows: Sequence[ParallelRow],
    first_number: int,
    src_lang: str,
    tgt_lang: str,
    current: int | None = None,
    headers: tuple[str, str] = ("source", "target"),
    href: str = "",
) -> str:
    """The rows as a table, headers naming the two documents (escaped here), in a box of
    its own height so the page can scroll it to the focused row (see :mod:`.browser`)."""
    head = (
        '<thead><tr><th class="n">#</th>'
        f'<th dir="auto">{safe(headers[0])}</th><th dir="auto">{safe(headers[1])}</th>'
        '<th class="m">confidence · type · status</th></tr></thead>'
    )
    body = []
    for offset, row in enumerate(rows):
        number = first_number + offset
        classes = status_class(row) + (" cur" if number == current else "")
        body.append(
            f'<tr id="{anchor(row.key)}" class="{classes}">'
            f'<td class="n" data-focus="{row.key}">'
            f'<a href="{safe(href + row.key)}">{number + 1}</a></td>'
            f"<td>{text_cell(row.src_text, row.src_lang or src_lang, row.src_english)}</td>"
            f"<td>{text_cell(row.tgt_text, row.tgt_lang or tgt_lang, row.tgt_english)}</td>"
            f'<td class="m">{confidence_badge(row)}<br>{safe(row.link_type)}</td></tr>'
        )
    return (
        STYLE
        + '<div class="pv-scroll"><table class="pv">'
        + head
        + "<tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


# --- comparable pairs: the two documents as text -----------------------------------------

TEXT_WINDOW = 400  # sentences of each document shown around the focus (all when shorter)

TEXT_CSS = """
div.cv { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
div.cv div.col { max-height: 62vh; overflow-y: auto; border: 1px solid #e5e7eb;
  border-radius: 6px; padding: 8px 12px; line-height: 1.9; }
div.cv div.head { position: sticky; top: -8px; background: #f9fafb; font-size: 0.8em;
  font-weight: 600; color: #374151; padding: 4px 0; border-bottom: 1px solid #e5e7eb;
  margin-bottom: 6px; }
div.cv span.t { border-radius: 3px; padding: 1px 0; }
div.cv span.t[data-l] { cursor: pointer; border-bottom: 3px solid transparent; }
div.cv span.t.cur { outline: 2px solid #2563eb; background: #dbeafe; }
div.cv span.t.st-confirmed { font-weight: 600; }
div.cv span.t.st-rejected { text-decoration: line-through; color: #9ca3af; }
div.cv span.t.free { color: #374151; }
div.cv span.pos { font-size: 0.7em; color: #9ca3af; margin: 0 2px; }
"""


def comparable_html(
    src: Sequence[Sentence],
    tgt: Sequence[Sentence],
    rows: Sequence[ParallelRow],
    current: str | None,
    headers: tuple[str, str],
    src_lang: str,
    tgt_lang: str,
) -> str:
    """Both documents as continuous text, side by side, each sentence a span with its own
    direction. A linked sentence is underlined in its link's confidence colour (status
    drawn separately); pointing at one highlights its partner (CSS ``:has``, no script);
    a click focuses its link (``data-focus``, handled by :mod:`.browser`)."""
    held: dict[tuple[str, int], ParallelRow] = {}
    for row in rows:
        if row.link_id is not None:
            held.update({("src", i): row for i in row.src_ids})
            held.update({("tgt", j): row for j in row.tgt_ids})
    focused = next((r for r in rows if r.key == current), None)
    columns = []
    for side, sentences, lang, header in (
        ("src", src, src_lang, headers[0]),
        ("tgt", tgt, tgt_lang, headers[1]),
    ):
        ids = (focused.src_ids if side == "src" else focused.tgt_ids) if focused else ()
        shown = _window(sentences, ids[0] if ids else None)
        spans = [_sentence_span(side, s, held.get((side, s.position)), current) for s in shown]
        note = (
            ""
            if len(shown) == len(sentences)
            else f" (sentences {shown[0].position}-{shown[-1].position} of {len(sentences)})"
        )
        columns.append(
            f'<div class="col" dir="{direction(lang)}">'
            f'<div class="head" dir="auto">{safe(header)}{note}</div>{" ".join(spans)}</div>'
        )
    partners = "".join(  # pointing at a linked sentence highlights every sentence of its link
        f'div.cv:has([data-l="{row.link_id}"]:hover) [data-l="{row.link_id}"]'
        "{background:#fef9c3;outline:2px dashed #2563eb}"
        for row in rows
        if row.link_id is not None
    )
    return f'{STYLE}<style>{TEXT_CSS}{partners}</style><div class="cv">{"".join(columns)}</div>'


def _window(sentences: Sequence[Sentence], around: int | None) -> Sequence[Sentence]:
    if len(sentences) <= TEXT_WINDOW:
        return sentences
    start = max(0, min((around or 0) - TEXT_WINDOW // 2, len(sentences) - TEXT_WINDOW))
    return sentences[start : start + TEXT_WINDOW]


def _sentence_span(
    side: str, sentence: Sentence, row: ParallelRow | None, current: str | None
) -> str:
    text = safe(sentence.text)
    way = f'dir="{direction(sentence.lang)}" lang="{safe(sentence.lang)}"'
    own = f"{side}:{sentence.position}"
    number = f'<span class="pos">{sentence.position + 1}</span>'
    if row is None:  # a sentence no (shown) link holds: a click focuses it, to re-link it
        mark = " cur" if current == own else ""
        return (
            f'{number}<span class="t free{mark}" id="{anchor(own)}" {way}'
            f' data-focus="{own}">{text}</span>'
        )
    name = band(row)
    colour = BANDS[name][1]
    classes = f"t {status_class(row)}" + (" cur" if row.key == current else "")
    title = f"{row.label()} · {row.confidence:.2f}" if row.confidence is not None else row.label()
    return (
        f'{number}<span class="{classes}" id="{anchor(own)}" {way} data-l="{row.link_id}"'
        f' data-focus="{row.key}" title="{safe(title)}"'
        f' style="border-bottom-color:{colour}">{text}</span>'
    )


# --- the alignment map ---------------------------------------------------------------------


def map_spec(
    rows: Sequence[ParallelRow], current: str | None, n_src: int, n_tgt: int
) -> dict | None:
    """The alignment map as a Vega-Lite spec (None when no link has two sides).

    One dot per (source, target) sentence pair of each two-sided link: source position
    across, target position up; filled in its confidence band's colour, rejected hollow,
    confirmed with a dark ring, the focused link larger. A click selects the dot's
    ``focus`` (``link:ID``). The points travel as columns in a parameter and are laid out
    by a sequence and lookups, so the spec is plain JSON: no dataframe is built (pandas
    and pyarrow would cost more than the whole page on a first render)."""
    columns: dict[str, list] = {"s": [], "t": [], "l": [], "b": [], "st": [], "c": []}
    for row in rows:
        if row.unlinked:
            continue
        for i in row.src_ids:
            for j in row.tgt_ids:
                columns["s"].append(i)
                columns["t"].append(j)
                columns["l"].append(row.link_id)
                columns["b"].append(band(row))
                columns["st"].append(row.status)
                columns["c"].append(None if row.confidence is None else round(row.confidence, 3))
    if not columns["s"]:
        return None
    fields = {"source": "s", "target": "t", "link": "l", "band": "b", "status": "st"}
    fields["confidence"] = "c"
    focused = current.partition(":")[2] if current and current.startswith("link:") else ""
    is_focused = f"datum.link === {int(focused)}" if focused.isdigit() else "false"
    ring = f"datum.status === 'confirmed' || {is_focused}"
    names = list(BANDS)

    def axis(title: str, size: int) -> dict:
        return {
            "type": "quantitative",
            "title": title,
            "scale": {"domain": [0, max(size - 1, 1)], "nice": False},
            "axis": {"format": "d", "tickMinStep": 1},
        }

    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "params": [
            {"name": "points", "value": columns},
            {"name": "pick", "select": {"type": "point", "fields": ["focus"], "on": "click"}},
        ],
        "data": {"sequence": {"start": 0, "stop": len(columns["s"]), "as": "n"}},
        "transform": [
            *({"calculate": f"points.{k}[datum.n]", "as": f} for f, k in fields.items()),
            {"calculate": "'link:' + datum.link", "as": "focus"},
            {
                "calculate": "'link ' + datum.link + ': source ' + datum.source + ', target '"
                " + datum.target + ', ' + datum.status",
                "as": "label",
            },
        ],
        "mark": {"type": "point", "shape": "circle", "filled": True, "opacity": 1},
        "encoding": {
            "x": {"field": "source", **axis("source sentence", n_src)},
            "y": {"field": "target", **axis("target sentence", n_tgt)},
            "fill": {
                "condition": {"test": "datum.status === 'rejected'", "value": "#ffffff"},
                "field": "band",
                "type": "nominal",
                "scale": {"domain": names, "range": [BANDS[n][1] for n in names]},
                "legend": None,
            },
            "stroke": {
                "condition": {"test": ring, "value": "#111827"},
                "field": "band",
                "type": "nominal",
                "scale": {"domain": names, "range": [BANDS[n][1] for n in names]},
                "legend": None,
            },
            "strokeWidth": {"condition": {"test": ring, "value": 2.5}, "value": 1.5},
            "size": {"condition": {"test": is_focused, "value": 150}, "value": 45},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "link"},
                {"field": "confidence", "type": "quantitative", "format": ".2f"},
            ],
            "description": {"field": "label", "type": "nominal"},
        },
        "height": 320,
    }
    if len(columns["s"]) <= 2000:  # drawn as SVG, each dot an element (a canvas beyond)
        spec["usermeta"] = {"embedOptions": {"renderer": "svg"}}
    return spec


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


def pivot_table_html(rows: Sequence[PivotRow]) -> str:
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{text_cell(text, lang) if text else ''}"
            + (
                f'<div class="en">confidence {confidence:.2f}</div>'
                if confidence is not None
                else ""
            )
            + "</td>"
            for text, lang, confidence in row.others
        )
        body.append(
            f'<tr><td class="n">{row.position + 1}</td><td>{text_cell(row.text, row.lang)}</td>'
            f"{cells}</tr>"
        )
    return STYLE + '<table class="pv">' + "".join(body) + "</table>"
