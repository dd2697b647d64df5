"""The Search page: every hit, paged and grouped, each with one way to open it."""

from __future__ import annotations

from pathlib import Path

from ...names import isolate
from ...store import Workspace
from ..html import (
    sentence_html,
)
from ..safe import safe
from ..state import (
    open_document,
    open_pair,
    publish,
    restore,
)
from .pair import count

SEARCH_PAGE = 20
"""Hits shown per page of the Search page (every hit is counted and reachable)."""


def show(st, workspace: Workspace, actor: str) -> None:
    from ...search import MEANING_CUTOFF, MEANING_CUTOFF_ACROSS, search_sentences, with_places
    from ..html import hit_html, query_direction

    st.header("Search")
    restore(st, "q", "q")
    query = st.session_state.get("q", "")
    # the box follows what is typed: right to left for Persian and Arabic
    st.markdown(
        "<style>.st-key-q input { unicode-bidi: plaintext; text-align: start; "
        f"direction: {query_direction(query)}; }}</style>",
        unsafe_allow_html=True,
    )
    query = st.text_input("Words in any language", key="q")
    publish(st, "q", query or None)
    if not query:
        return
    hits = search_sentences(
        workspace, query, embedder=_search_embedder(st, workspace), placed=False
    )
    if not hits:
        st.info("Nothing found.")
        return
    event_of = {d.id: d.event_id for d in workspace.documents()}
    words = [h for h in hits if h.how == "text"]
    hits = sorted(words, key=lambda h: (event_of.get(h.document_id) or 0, h.document_id)) + [
        h for h in hits if h.how != "text"
    ]
    pages = (len(hits) + SEARCH_PAGE - 1) // SEARCH_PAGE
    if st.session_state.get("search_for") != query:  # a new query starts on its first page
        st.session_state["search_for"] = query
        st.session_state["search_page"] = 1
    page = 1
    if pages > 1:
        page = st.number_input(
            f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="search_page"
        )
    first = (page - 1) * SEARCH_PAGE
    shown = with_places(workspace, hits[first : first + SEARCH_PAGE])
    st.caption(
        f"{count(len(words), 'sentence')} in "
        f"{count(len({h.document_id for h in words}), 'document')} matching the words; "
        f"{len(hits) - len(words)} more by meaning (similarity at least {MEANING_CUTOFF}, "
        f"{MEANING_CUTOFF_ACROSS} in another script than the query's). "
        f"Showing {first + 1}-{first + len(shown)} of {len(hits)}."
    )
    last_document = None
    for n, hit in enumerate(shown, start=first):
        if hit.document_id != last_document:
            last_document = hit.document_id
            event = event_of.get(hit.document_id)
            st.markdown(  # escaped HTML: document names are untrusted
                '<div dir="ltr" style="font-weight:600;margin-top:0.6em">'
                f"{safe(isolate(hit.document))}"
                + (f" · event {event}" if event is not None else "")
                + "</div>",
                unsafe_allow_html=True,
            )
        with st.container(border=True):
            _search_hit(st, hit, n, event_of.get(hit.document_id), hit_html)


def _search_hit(st, hit, n: int, own_event: int | None, hit_html) -> None:
    """One hit: its sentence, what it is linked to, and one button that opens it."""
    st.markdown(hit_html(hit), unsafe_allow_html=True)
    st.markdown(
        '<div dir="ltr" style="color:#6b7280;font-size:0.85em">'
        f"sentence {hit.position + 1} · "
        + ("matches the words" if hit.how == "text" else safe(hit.how))
        + "</div>",
        unsafe_allow_html=True,
    )
    for place in hit.places:
        if place.text:
            st.markdown(
                '<div style="border-left:3px solid #93c5fd;padding-left:10px;margin:4px 0">'
                + sentence_html(place.text, place.lang)
                + '<div dir="ltr" style="color:#6b7280;font-size:0.8em">'
                + safe(isolate(place.other_name))
                + " · "
                + _counterpart_note(place, own_event)
                + "</div></div>",
                unsafe_allow_html=True,
            )
    if not hit.places:
        st.button(
            "Open the document",
            key=f"hit_{n}",
            help="It has no other document in its event or thread to show it beside:"
            " the document alone, at this sentence",
            on_click=open_document,
            args=(st, hit.document_id, hit.position),
        )
        return
    place = hit.places[0]  # linked there, when it is linked anywhere
    st.button(
        f"Open beside {safe(isolate(place.other_name))}",
        key=f"hit_{n}",
        help="The pair view of its event, at this sentence",
        on_click=open_pair,
        args=(st, place.alignment_id, place.event_id, place.focus),
    )


def _counterpart_note(place, own_event: int | None) -> str:
    """How far to trust a linked sentence shown under a hit, and whether it reports
    another happening (a link mined between related events)."""
    if place.status in ("confirmed", "edited"):
        trust = f"{place.status} by a user"
    elif place.confidence is not None:
        trust = f"confidence {place.confidence:.2f}"
    else:
        trust = "confidence unknown (no calibration for this embedder)"
    if place.event_id is None:
        where = "in another event of the thread"
    elif place.event_id != own_event:
        where = f"in event {place.event_id}, not this document's"
    else:
        where = "same event"
    return f"{trust} · {where}"


def _search_embedder(st, workspace: Workspace):
    """The workspace's embedding model, loaded once per app process; None when it cannot
    load (text search still works)."""
    from ...embed import CachedEmbedder, workspace_embedder

    @st.cache_resource(show_spinner="loading the embedding model")
    def load(spec: str, folder: str):
        try:
            from ...embed import load_embedder

            return load_embedder(spec, workspace=Path(folder))
        except Exception:
            return None

    model = load(workspace_embedder(workspace), str(workspace.path))
    return CachedEmbedder(model, workspace) if model is not None else None
