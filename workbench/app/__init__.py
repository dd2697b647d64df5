"""The Streamlit app. ``streamlit_app.py`` only calls :func:`main`.

For now one page: the workspace's documents and their sentences, with
right-to-left text rendered right-to-left and the English translation (with
its quality flags) under each translated sentence. All document text is escaped
before it goes into HTML.
"""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

from ..store import Workspace, WorkspaceError, default_workspace_path

RTL_LANGS = {"fa", "ar", "ur", "ps", "he"}


def workspace_path(argv: list[str] | None = None) -> Path:
    """``--workspace W`` after streamlit's ``--``, else WORKBENCH_WORKSPACE, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--workspace", "-w", type=Path)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known.workspace or default_workspace_path()


def sentence_html(text: str, lang: str) -> str:
    """One sentence as HTML, escaped, with its direction and language set."""
    direction = "rtl" if lang in RTL_LANGS else "ltr"
    return (
        f'<div dir="{direction}" lang="{html.escape(lang)}" '
        f'style="text-align:{"right" if direction == "rtl" else "left"};'
        f'padding:2px 0">{html.escape(text)}</div>'
    )


def translation_html(text: str, flags: list[str]) -> str:
    """An English translation under its sentence, with its quality flags, escaped."""
    badges = "".join(
        f'<span style="background:#fde68a;border-radius:4px;padding:0 4px;margin-left:4px;'
        f'font-size:0.8em">{html.escape(flag)}</span>'
        for flag in flags
    )
    return (
        f'<div dir="ltr" lang="en" style="color:#555;padding:0 0 6px 12px">'
        f"{html.escape(text)}{badges}</div>"
    )


def main() -> None:
    import streamlit as st

    st.set_page_config(page_title="workbench", layout="wide")
    path = workspace_path()
    st.title("workbench")
    try:
        workspace = Workspace(path, create=False)
    except WorkspaceError as error:
        st.error(str(error))
        st.info("Create it with `workbench run DIR --workspace W`.")
        return
    st.caption(f"workspace {workspace.path}")
    records = workspace.status()
    if not records:
        st.info("No documents yet: run `workbench run DIR` to add some.")
        return
    st.dataframe(
        [
            {k: r[k] for k in ("id", "title", "lang", "sentences", "event")}
            | {"file": Path(r["path"]).name}
            for r in records
        ],
        hide_index=True,
        use_container_width=True,
    )
    labels = {
        r["id"]: f"{r['id']}: {Path(r['path']).name} ({r['lang']}) {r['title'][:60]}"
        for r in records
    }
    chosen = st.selectbox("Document", list(labels), format_func=labels.get)
    translations = workspace.sentence_translations(chosen)
    if any("test-model" in flags for _, flags, _ in translations.values()):
        st.warning("Some English lines come from a test model: they are not translations.")
    for sentence in workspace.sentences(chosen):
        block = sentence_html(sentence.text, sentence.lang)
        if sentence.position in translations:
            text, flags, _ = translations[sentence.position]
            block += translation_html(text, flags)
        st.markdown(block, unsafe_allow_html=True)
