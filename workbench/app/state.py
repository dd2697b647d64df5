"""The app's place in the address bar: page, event, pair, focused row and filters live in
``st.query_params``, so a reload or a bookmark opens the same place.

A widget's value comes from the address only when the session has none yet (a fresh
page load); after every run the values are written back, and only when they changed
(each change is a browser history entry).

The focused row is named by what it holds, not by its number in a filtered list:
``link:12`` (link 12), ``src:3`` or ``tgt:5`` (a sentence that no link holds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .views import BETWEEN, ParallelRow

PARALLEL = "Parallel view"
# widget key -> address parameter, for the parallel view (a search hit clears them all)
PARALLEL_KEYS = {
    "pv_event": "event",
    "pv_pair": "alignment",
    "pv_focus": "focus",
    "pv_types": "types",
    "pv_status": "status",
    "pv_min": "min",
    "pv_unl": "unlinked",
}


# every widget (or session value) that reads its value from the address
ADDRESS_KEYS = {
    "page": "page",
    **PARALLEL_KEYS,
    "q": "q",
    "ex_event": "event",
    "read_doc": "document",
}
SNAPSHOT = "_address"  # the address as this session last wrote it


def follow_address(st) -> None:
    """When the address changed under the session (back/forward, an edited URL), let every
    widget take its value from the address again. Called first in each run."""
    last = st.session_state.get(SNAPSHOT)
    if last is not None and last != _address(st):
        for key in [*ADDRESS_KEYS, "pv_focus_pair", "pv_index"]:
            st.session_state.pop(key, None)
    st.session_state[SNAPSHOT] = _address(st)


def _address(st) -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def restore(
    st,
    key: str,
    param: str,
    parse: Callable[[str], Any] = str,
    choices: Sequence[Any] | None = None,
) -> None:
    """Give widget ``key`` the address's value of ``param`` if the session has none yet.

    Values that do not parse or are not among ``choices`` are ignored (an old bookmark
    must open the page, not fail)."""
    if key in st.session_state or param not in st.query_params:
        return
    try:
        value = parse(st.query_params[param])
    except (TypeError, ValueError):
        return
    if choices is None or value in choices:
        st.session_state[key] = value


def restore_list(st, key: str, param: str, choices: Sequence[str]) -> None:
    """Like :func:`restore` for a multiselect: every value of a repeated parameter."""
    if key in st.session_state or param not in st.query_params:
        return
    st.session_state[key] = [v for v in st.query_params.get_all(param) if v in choices]


def publish(st, param: str, value: Any, default: Any = None) -> None:
    """Write ``value`` to the address (removed when it is the default)."""
    if value is None or value == default or value == []:
        if param in st.query_params:
            del st.query_params[param]
            st.session_state[SNAPSHOT] = _address(st)
        return
    values = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    if st.query_params.get_all(param) != values:
        st.query_params[param] = values if len(values) > 1 else values[0]
    st.session_state[SNAPSHOT] = _address(st)


def parse_bool(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(text)
    return text == "1"


def row_key(row: ParallelRow) -> str:
    """What the address calls a row (stable across filters and other rows' edits)."""
    return row.key


def find_row(rows: Sequence[ParallelRow], key: str | None) -> int | None:
    """The index of the row the key names; a sentence key also finds the link holding it."""
    if not key:
        return None
    side, _, number = key.partition(":")
    if not number.isdigit():
        return None
    value = int(number)
    for index, row in enumerate(rows):
        if side == "link" and row.link_id == value:
            return index
        if (side == "src" and value in row.src_ids) or (side == "tgt" and value in row.tgt_ids):
            return index
    return None


def open_document(st, document_id: int, position: int) -> None:
    """Go to the Corpus page's reader, at one sentence of one document (a button callback:
    what a search hit in a document with no alignment opens)."""
    st.session_state["page"] = "Corpus"
    st.session_state["read_doc"] = document_id
    st.session_state["read_at"] = (document_id, position)
    st.session_state[SNAPSHOT] = _address(st)


def open_pair(st, alignment_id: int, event_id: int | None, focus: str) -> None:
    """Go to the parallel view of one pair, focused on one row, with no filter hiding it
    (a button callback: it runs before the next run draws the widgets)."""
    for key, param in PARALLEL_KEYS.items():
        st.session_state.pop(key, None)
        if param in st.query_params:
            del st.query_params[param]
    st.session_state["page"] = PARALLEL
    st.session_state["pv_event"] = event_id if event_id is not None else BETWEEN
    st.session_state["pv_pair"] = alignment_id
    st.session_state["pv_focus"] = focus
    st.session_state["pv_focus_pair"] = alignment_id
    st.session_state[SNAPSHOT] = _address(st)
