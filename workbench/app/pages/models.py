"""The Models page: installed translation models, the workspace's embedder, uploads."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ...store import Workspace
from ..safe import safe, safe_upload_name


def show(st, workspace: Workspace, actor: str) -> None:
    from ...translate.models import ModelError, ModelStore

    st.header("Models")
    store = ModelStore(workspace)
    installed = store.list()
    if installed:
        st.dataframe(
            [
                {k: m.record()[k] for k in ("name", "from", "to", "version", "note")}
                for m in installed
            ],
            hide_index=True,
        )
    else:
        st.info("No translation model installed: sentences stay untranslated.")
    from ...embed import DEFAULT_EMBEDDER, workspace_embedder

    spec = workspace_embedder(workspace)
    about = " (multilingual-e5-small, 4-bit, bundled)" if spec == DEFAULT_EMBEDDER else ""
    st.write(f"Embedding model of this workspace: {safe(spec)}{about}")
    upload = st.file_uploader("Add an .argosmodel file", type=["argosmodel"], key="model_up")
    if upload is not None and st.button("Install", key="model_go"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / safe_upload_name(upload.name)
            path.write_bytes(upload.getvalue())
            try:
                model = store.add(path)
            except ModelError as error:
                st.error(safe(error))
                return
        st.success(f"installed {safe(model.name)}")
