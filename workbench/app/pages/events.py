"""The Events page: each event with why its documents are together; moving a document."""

from __future__ import annotations

from ...events import move_document
from ...names import document_names, event_name, thread_name
from ...stages import realign_event
from ...store import Workspace
from ..safe import safe


def show(st, workspace: Workspace, actor: str) -> None:
    st.header("Events")
    rows = workspace.events()
    if not rows:
        st.info("No events yet: `workbench run DIR` groups documents into events.")
        return
    docs = workspace.documents()
    names = document_names(workspace)
    labels = {row.id: f"{row.id}: {event_name(row)}" for row in rows}
    for row in rows:
        members = [d for d in docs if d.event_id == row.id]
        with st.container(border=True):
            st.markdown(  # escaped: titles come from documents
                f'<h3 dir="ltr">{safe(labels[row.id])}</h3>', unsafe_allow_html=True
            )
            by_user = " · set by a user" if row.origin == "user" else ""
            thread = (
                f" · thread {row.thread_id}: {thread_name(row.thread_label or '')}"
                if row.thread_id
                else ""
            )
            st.caption(f"why: {safe(row.reason)}{by_user}{safe(thread)}")
            for d in members:
                st.text(f"#{d.id} · {d.lang} · {d.sentences} sentences · {names[d.id].label()}")
    st.subheader("Move a document")
    doc_labels = {d.id: f"#{d.id} {d.lang} {names[d.id].label(8)}" for d in docs}
    doc_id = st.selectbox("Document", list(doc_labels), format_func=doc_labels.get, key="mv_doc")
    options = [*labels, 0]
    target = st.selectbox(
        "To event", options, format_func=lambda e: labels.get(e, "a new event"), key="mv_to"
    )
    if st.button("Move", key="mv_go"):
        move_document(workspace, doc_id, target or None)
        st.session_state["mv_done"] = "moved; re-align the event to update its links"
        st.rerun()  # the lists above show the move; the message waits for that run
    if message := st.session_state.pop("mv_done", None):
        st.success(message)
    event_id = st.selectbox(
        "Re-align an event", list(labels), format_func=labels.get, key="ra_event"
    )
    if st.button("Re-align", key="ra_go"):
        summary = realign_event(workspace, event_id)
        st.success(safe(summary))
