"""How the pages draw what :mod:`.views` computes: HTML and CSS for rows, texts, badges
and legends (every piece of document text escaped by :func:`~workbench.app.safe.safe`),
and the alignment map's Vega-Lite spec."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ..document import Sentence
from ..search import Hit
from ..text.normalise import numbers_differ
from .safe import safe
from .views import FONT, HIGH, LOW, RTL_LANGS, ParallelRow, PivotRow, confidence_band

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
    return confidence_band(row.confidence)


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


def numbers_note(numbers: str, long: bool = False) -> str:
    """The mark of a link whose sides each state a number the other does not (``numbers``,
    from :func:`~workbench.text.normalise.numbers_differ`; empty: no mark): two reports
    that disagree on a figure, or two reports of one template on two days. ``long`` writes
    the numbers out (the focused link's panel); a table cell names them in its tooltip."""
    if not numbers:
        return ""
    if long:
        return f'<span class="nd">numbers differ: {safe(numbers)}</span>'
    return f'<span class="nd" title="{safe("numbers differ: " + numbers)}">numbers differ</span>'


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
span.nd {{ display: inline-block; font-size: 0.8em; color: #92400e; background: #fef3c7;
  border-radius: 4px; padding: 0 5px; margin-top: 2px; }}
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
        note = numbers_note(row.numbers_differ)
        body.append(
            f'<tr id="{anchor(row.key)}" class="{classes}">'
            f'<td class="n" data-focus="{row.key}">'
            f'<a href="{safe(href + row.key)}">{number + 1}</a></td>'
            f"<td>{text_cell(row.src_text, row.src_lang or src_lang, row.src_english)}</td>"
            f"<td>{text_cell(row.tgt_text, row.tgt_lang or tgt_lang, row.tgt_english)}</td>"
            f'<td class="m">{confidence_badge(row)}<br>{safe(row.link_type)}'
            + (f"<br>{note}" if note else "")
            + "</td></tr>"
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

    One dot per (source, target) sentence pair of each two-sided link: source sentence
    across, target sentence up, numbered from 1 as the rows are; filled in its confidence
    band's colour, rejected hollow, confirmed with a dark ring, the focused link larger.
    A click selects the dot's ``focus`` (``link:ID``). The points travel as columns in a
    parameter and are laid out by a sequence and lookups, so the spec is plain JSON: no
    dataframe is built (pandas and pyarrow would cost more than the whole page on a first
    render)."""
    columns: dict[str, list] = {"s": [], "t": [], "l": [], "b": [], "st": [], "c": []}
    for row in rows:
        if row.unlinked:
            continue
        for i in row.src_ids:
            for j in row.tgt_ids:
                columns["s"].append(i + 1)  # as people count: from 1
                columns["t"].append(j + 1)
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
    colours = {  # the confidence bands' fixed colours, for the dots' fill and ring
        "field": "band",
        "type": "nominal",
        "scale": {"domain": names, "range": [BANDS[n][1] for n in names]},
        "legend": None,
    }

    def axis(title: str, size: int) -> dict:
        return {
            "type": "quantitative",
            "title": title,
            "scale": {"domain": [0.5, max(size, 1) + 0.5], "nice": False},  # whole dots
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
                **colours,
            },
            "stroke": {"condition": {"test": ring, "value": "#111827"}, **colours},
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


def pivot_table_html(rows: Sequence[PivotRow], headers: Sequence[str] = ()) -> str:
    """The pivot document's sentences, each with what the other documents aligned to it;
    ``headers`` name the documents, pivot first (escaped here)."""
    head = (
        '<tr><th class="n">#</th>'
        + "".join(f'<th dir="auto">{safe(h)}</th>' for h in headers)
        + "</tr>"
        if headers
        else ""
    )
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{text_cell(text, lang) if text else ''}"
            + (
                f'<div class="en">confidence {confidence:.2f}</div>'
                if confidence is not None
                else ""
            )
            + numbers_note(numbers_differ(row.text, text))
            + "</td>"
            for text, lang, confidence in row.others
        )
        body.append(
            f'<tr><td class="n">{row.position + 1}</td><td>{text_cell(row.text, row.lang)}</td>'
            f"{cells}</tr>"
        )
    return STYLE + '<table class="pv">' + head + "".join(body) + "</table>"


# --- one sentence and its English ------------------------------------------------------


def sentence_html(text: str, lang: str) -> str:
    """One sentence as HTML, escaped, with its direction and language set."""
    way = direction(lang)
    return (
        f'<div dir="{way}" lang="{safe(lang)}" '
        f'style="text-align:{"right" if way == "rtl" else "left"};'
        f'padding:2px 0">{safe(text)}</div>'
    )


def translation_html(text: str, flags: list[str]) -> str:
    """An English translation under its sentence, with its quality flags, escaped."""
    badges = "".join(
        f'<span style="background:#fde68a;border-radius:4px;padding:0 4px;margin-left:4px;'
        f'font-size:0.8em">{safe(flag)}</span>'
        for flag in flags
    )
    return (
        f'<div dir="ltr" lang="en" style="color:#555;padding:0 0 6px 12px">'
        f"{safe(text)}{badges}</div>"
    )


# --- search hits ---------------------------------------------------------------------------


def query_direction(query: str) -> str:
    """``rtl`` when the first strongly directional character is right to left."""
    for ch in query:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def highlight_html(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` escaped (for HTML and Markdown), with each span wrapped in ``<mark>``."""
    out, last = [], 0
    for start, end in spans:
        out.append(safe(text[last:start]))
        out.append(f"<mark>{safe(text[start:end])}</mark>")
        last = end
    out.append(safe(text[last:]))
    return "".join(out)


def hit_html(hit: Hit) -> str:
    """A hit's sentence (and English translation) as HTML: escaped, matches marked, each
    in its own direction."""
    way = direction(hit.lang)
    out = (
        f'<div class="hit" dir="{way}" lang="{safe(hit.lang)}" '
        f'style="text-align:{"right" if way == "rtl" else "left"};padding:2px 0">'
        f"{highlight_html(hit.text, hit.spans)}</div>"
    )
    if hit.english:
        out += (
            '<div dir="ltr" lang="en" style="color:#555;padding:0 0 6px 12px">'
            f"{highlight_html(hit.english, hit.english_spans)}</div>"
        )
    return out
