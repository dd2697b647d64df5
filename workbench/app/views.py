"""What the app's pages show, computed without Streamlit (so it is tested directly).

The parallel view of one alignment is a list of :class:`ParallelRow`: one per
link, plus one per sentence that no link holds, in reading order, so that
unmatched sentences stay visible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..edit import links
from ..export import real_translations
from ..store import Workspace
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

    @property
    def unlinked(self) -> bool:
        return self.link_id is None or not self.src_ids or not self.tgt_ids


@dataclass
class AlignmentInfo:
    id: int
    event_id: int | None
    src_doc: int
    tgt_doc: int
    src_lang: str
    tgt_lang: str
    mode: str
    label: str


def alignments(workspace: Workspace, event_id: int | None = None) -> list[AlignmentInfo]:
    docs = {d.id: d for d in workspace.documents(include_old=True)}
    query = "SELECT * FROM alignments" + (" WHERE event_id = ?" if event_id is not None else "")
    out = []
    for row in workspace.conn.execute(query, () if event_id is None else (event_id,)):
        src, tgt = docs.get(row["src_doc"]), docs.get(row["tgt_doc"])
        if src is None or tgt is None:
            continue
        label = (
            f"{src.lang} #{src.id} {isolate(src.title[:30])} ↔ "
            f"{tgt.lang} #{tgt.id} {isolate(tgt.title[:30])}"
            f" ({row['mode']})"
        )
        out.append(
            AlignmentInfo(
                row["id"], row["event_id"], src.id, tgt.id, src.lang, tgt.lang, row["mode"], label
            )
        )
    return out


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


def suspicious(row: ParallelRow, low: float) -> bool:
    """Worth a look: an unconfirmed link scoring under ``low``, an n:m link, or no partner."""
    if row.status in ("confirmed", "rejected"):
        return False
    if row.unlinked:
        return True
    return (row.score is not None and row.score < low) or row.link_type not in ("1-1",)


def low_score_mark(rows: Sequence[ParallelRow]) -> float:
    """The score under which a link is suspicious: the lowest fifth of this alignment."""
    scores = sorted(r.score for r in rows if r.score is not None)
    return scores[len(scores) // 5] if scores else 0.0


def next_index(
    rows: Sequence[ParallelRow], start: int, wanted: Callable[[ParallelRow], bool]
) -> int | None:
    """The first row after ``start`` (wrapping around) for which ``wanted`` is true."""
    for step in range(1, len(rows) + 1):
        index = (start + step) % len(rows)
        if wanted(rows[index]):
            return index
    return None


def filter_rows(
    rows: Sequence[ParallelRow],
    *,
    min_score: float | None = None,
    types: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    show_unlinked: bool = True,
) -> list[ParallelRow]:
    out = []
    for row in rows:
        if not show_unlinked and row.link_id is None:
            continue
        if min_score is not None and row.score is not None and row.score < min_score:
            continue
        if types and row.link_type not in types:
            continue
        if statuses and row.status not in statuses:
            continue
        out.append(row)
    return out


# --- HTML (all document text escaped) --------------------------------------------------


def direction(lang: str) -> str:
    """``rtl`` for languages written right to left, else ``ltr``."""
    return "rtl" if lang in RTL_LANGS else "ltr"


def text_cell(text: str, lang: str, english: str = "") -> str:
    cell = f'<div class="s" dir="{direction(lang)}" lang="{safe(lang)}">{safe(text)}</div>'
    if english:
        cell += f'<div class="en" dir="ltr" lang="en">{safe(english)}</div>'
    return cell


def score_colour(score: float | None, low: float, high: float) -> str:
    if score is None:
        return "#e5e7eb"
    if high <= low:
        return "#bbf7d0"
    share = min(max((score - low) / (high - low), 0.0), 1.0)
    return ["#fecaca", "#fde68a", "#d9f99d", "#bbf7d0"][min(int(share * 4), 3)]


STYLE = f"""
<style>
table.pv {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
table.pv td {{ border-bottom: 1px solid #e5e7eb; padding: 6px 8px; vertical-align: top; }}
table.pv td.n {{ width: 3.2em; color: #6b7280; font-size: 0.8em; }}
table.pv td.m {{ width: 8.5em; font-size: 0.8em; color: #374151; }}
table.pv tr.cur td {{ background: #eff6ff; }}
table.pv div.s[dir=rtl] {{ font-family: {FONT}; font-size: 1.08em; line-height: 1.9;
  text-align: right; }}
table.pv div.en {{ color: #4b5563; font-size: 0.85em; padding-top: 2px; }}
table.pv span.b {{ border-radius: 4px; padding: 1px 6px; }}
</style>
"""


def parallel_table_html(
    rows: Sequence[ParallelRow],
    first_number: int,
    src_lang: str,
    tgt_lang: str,
    low: float,
    high: float,
    current: int | None = None,
) -> str:
    body = []
    for offset, row in enumerate(rows):
        number = first_number + offset
        score = "" if row.score is None else f"{row.score:.3f}"
        badge = (
            f'<span class="b" style="background:{score_colour(row.score, low, high)}">'
            f"{score or '—'}</span>"
        )
        body.append(
            f'<tr class="{"cur" if number == current else ""}">'
            f'<td class="n">{number}</td>'
            f"<td>{text_cell(row.src_text, row.src_lang or src_lang, row.src_english)}</td>"
            f"<td>{text_cell(row.tgt_text, row.tgt_lang or tgt_lang, row.tgt_english)}</td>"
            f'<td class="m">{badge}<br>{safe(row.link_type)} · '
            f"{safe(row.status)}</td></tr>"
        )
    return STYLE + '<table class="pv">' + "".join(body) + "</table>"


# --- three documents side by side ------------------------------------------------------


@dataclass(frozen=True)
class PivotRow:
    """One sentence of the pivot document and what each other document aligned to it."""

    position: int
    text: str
    lang: str
    others: tuple[tuple[str, str, float | None], ...]  # (text, lang, score) per other document


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
                    mapping[position] = (text, lang, link.score)
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
            + (f'<div class="en">{score:.3f}</div>' if score is not None else "")
            + "</td>"
            for text, lang, score in row.others
        )
        body.append(
            f'<tr><td class="n">{row.position}</td><td>{text_cell(row.text, row.lang)}</td>'
            f"{cells}</tr>"
        )
    return STYLE + '<table class="pv">' + "".join(body) + "</table>"
