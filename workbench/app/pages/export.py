"""The Export page: the CLI's export, with a preview, as a download."""

from __future__ import annotations

from ...align.confidence import SHOWN_CONFIDENCE
from ...export import FORMATS, export_bytes, hidden_links, workspace_rows
from ...names import dated_label, isolate
from ...store import Workspace
from ..state import (
    publish,
    restore,
)
from ..views import label_columns

PREVIEW_ROWS = 20


def show(st, workspace: Workspace, actor: str) -> None:
    """The CLI's ``workbench export``: same rows, same writers, same options."""
    st.header("Export")
    events = workspace.event_labels()
    restore(st, "ex_event", "export_event", int, list(events))  # not the pair view's event
    event_id = st.selectbox(
        "Event",
        [None, *events],
        format_func=lambda e: "all events" if e is None else f"{e}: {isolate(events[e])}",
        key="ex_event",
    )
    publish(st, "export_event", event_id)
    columns = st.columns(3)
    fmt = columns[0].radio("Format", FORMATS, horizontal=True, key="ex_format")
    cutoff = columns[1].number_input(  # the CLI's --min-confidence
        "Minimum confidence (0: every link)",
        min_value=0.0,
        max_value=1.0,
        value=SHOWN_CONFIDENCE,
        step=0.05,
        key="ex_cutoff",
    )
    rejected = columns[2].checkbox("Include rejected links", key="ex_rejected")
    chosen = {"event": event_id, "min_confidence": cutoff, "include_rejected": rejected}
    rows = list(workspace_rows(workspace, **chosen))
    hidden = hidden_links(workspace, **chosen)
    data, written = export_bytes(rows, fmt)
    st.caption(
        f"{written} links (user edits included, rejected links "
        f"{'included' if rejected else 'left out'}"
        + (
            f"; confidence at least {cutoff:g}, links a user confirmed or edited kept"
            if cutoff
            else ""
        )
        + ")"
        + (f"; {hidden.describe(cutoff)} hidden (set 0 to show them)" if hidden else "")
        + (
            f"; {len(rows) - written} between two documents of one language left out (a TMX"
            " unit pairs two languages; TSV and JSON keep them)"
            if written < len(rows)
            else ""
        )
    )
    st.download_button(
        f"Download {fmt.upper()}",
        data,
        f"links.{fmt}",
        EXPORT_TYPES[fmt],
        key="ex_download",
    )
    if rows:
        st.dataframe(
            [_preview(row) for row in rows[:PREVIEW_ROWS]],
            hide_index=True,
            key="ex_preview",
            column_config=label_columns(st, event=240, source=240, target=240),
        )
        st.caption(f"the first {min(len(rows), PREVIEW_ROWS)} rows")


EXPORT_TYPES = {
    "tsv": "text/tab-separated-values",
    "tmx": "application/xml",
    "json": "application/json",
}


def _preview(row) -> dict:
    return {
        "event": dated_label(row.event),
        "source": dated_label(row.src_doc),
        "target": dated_label(row.tgt_doc),
        "source text": row.src_text,
        "target text": row.tgt_text,
        "confidence": row.confidence,
        "score": row.score,
        "type": row.link_type,
        "status": row.status,
        "numbers differ": row.numbers_differ,
    }
