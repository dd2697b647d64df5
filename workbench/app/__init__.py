"""The Streamlit app. ``streamlit_app.py`` only calls :func:`main`.

Pages: Corpus, Events, Parallel view (with editing), Search, Export, Models.
Every page reads and writes the same workspace as the CLI; every edit is
saved at once (see :mod:`workbench.edit`). All document text is escaped
(:func:`workbench.app.safe.safe`) before it is shown, for HTML and Markdown alike.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import WorkbenchError
from ..store import Workspace, default_workspace_path
from .safe import safe

PAGES = ("Corpus", "Events", "Parallel view", "Search", "Export", "Models")


def workspace_path(argv: list[str] | None = None) -> Path:
    """``--workspace W`` after streamlit's ``--``, else WORKBENCH_WORKSPACE, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--workspace", "-w", type=Path)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known.workspace or default_workspace_path()


def main() -> None:
    import streamlit as st

    st.set_page_config(page_title="workbench", layout="wide")
    path = workspace_path()
    try:
        workspace = Workspace(path, create=False)
    except WorkbenchError as error:  # missing, locked, corrupt, or a bad WORKBENCH_LOCK_TIMEOUT
        st.title("workbench")
        st.error(safe(error))
        st.info("Create it with `workbench run DIR --workspace W`.")
        return
    from .state import follow_address, publish, restore

    follow_address(st)
    restore(st, "page", "page", choices=PAGES)  # ?page=Parallel+view opens a page directly
    page = st.sidebar.radio("Page", PAGES, key="page")
    publish(st, "page", page, default=PAGES[0])
    _keyboard(st)
    st.markdown(LAYOUT_CSS, unsafe_allow_html=True)
    st.sidebar.caption(f"workspace {safe(workspace.path)}")
    actor = _editor(st)
    from . import pages

    pages.SHOW[page](st, workspace, actor or "app")


LAYOUT_CSS = """<style>
/* a button's label wraps between words instead of being cut ("◀ P…", "Me…") */
[data-testid="stMain"] button p { white-space: normal; overflow: visible;
  text-overflow: clip; }
[data-testid="stMain"] button { height: auto; min-height: 2.5rem; }
/* a narrow window: rows of columns wrap, three at most side by side (a row of six
   buttons becomes two rows of three; the map, a narrow column, goes below the table) */
@media (max-width: 1100px) {
  [data-testid="stSidebar"] { min-width: 220px !important; max-width: 220px !important; }
  [data-testid="stMain"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  [data-testid="stMain"] [data-testid="stColumn"] { min-width: calc(33% - 1rem) !important; }
}
</style>"""


def _editor(st) -> str:
    """The name edits are saved under: asked once per browser (kept in a cookie)."""
    from .browser import remember_editor_html, remembered_editor, run_script

    remembered = remembered_editor(st)
    if "actor" not in st.session_state and remembered:
        st.session_state["actor"] = remembered
    actor = " ".join(st.sidebar.text_input("Your name (saved with edits)", key="actor").split())
    if actor and actor != remembered and actor != st.session_state.get("actor_kept"):
        with st.sidebar:
            run_script(st, remember_editor_html(actor))
        st.session_state["actor_kept"] = actor
    return actor


def _keyboard(st) -> None:
    """The keys (j/k, c, x, u, /) and clicks on sentences, on every page (see .browser);
    the same script in the same place each run, so the browser loads it once."""
    from .browser import keyboard_html, run_script

    with st.sidebar:
        run_script(st, keyboard_html())


__all__ = ["PAGES", "main", "workspace_path"]
