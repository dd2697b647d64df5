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
    automatic = workspace.auto_grouped_document_ids()
    labels = {row.id: f"{row.id}: {event_name(row)}" for row in rows}
    for row in rows:
        members = [d for d in docs if d.event_id == row.id]
        with st.container(border=True):
            st.markdown(  # escaped: titles come from documents
                f'<h3 dir="ltr">{safe(labels[row.id])}</h3>', unsafe_allow_html=True
            )
            placed = [d for d in members if d.id not in automatic]
            thread = (
                f" · thread {row.thread_id}: {thread_name(row.thread_label or '')}"
                if row.thread_id
                else ""
            )
            if row.origin == "user" or placed:  # what the grouping said no longer holds
                langs = ", ".join(sorted({d.lang for d in members}))
                why = f"{len(members)} document(s) in {langs}, placed by a user"
            else:
                why = row.reason
            st.caption(f"why: {safe(why)}{safe(thread)}")
            for d in members:
                mark = " · placed here by a user" if d.id not in automatic else ""
                label = names[d.id].label()
                st.text(f"#{d.id} · {d.lang} · {d.sentences} sentences · {label}{mark}")
    st.subheader("Move a document")
    doc_labels = {d.id: f"#{d.id} {d.lang} {names[d.id].label(8)}" for d in docs}
    doc_id = st.selectbox("Document", list(doc_labels), format_func=doc_labels.get, key="mv_doc")
    options = [*labels, 0]
    target = st.selectbox(
        "To event", options, format_func=lambda e: labels.get(e, "a new event"), key="mv_to"
    )
    if st.button("Move", key="mv_go"):
        before = next((d.event_id for d in docs if d.id == doc_id), None)
        after = move_document(workspace, doc_id, target or None)
        touched = [str(e) for e in dict.fromkeys([before, after]) if e is not None]
        which = f"events {' and '.join(touched)}" if len(touched) > 1 else f"event {after}"
        st.session_state["mv_done"] = (
            f"moved document {doc_id} to event {after}; re-align {which} below to update"
            " the pairs and their links"
        )
        st.rerun()  # the lists above show the move; the message waits for that run
    if message := st.session_state.pop("mv_done", None):
        st.success(message)
    event_id = st.selectbox(
        "Re-align an event", list(labels), format_func=labels.get, key="ra_event"
    )
    if st.button("Re-align", key="ra_go"):
        summary = realign_event(workspace, event_id)
        st.success(safe(summary))
