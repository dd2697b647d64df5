"""Offline translation and parallel-text alignment workbench.

The Python API that the CLI and the app share::

    from workbench import Workspace, run, split, normalise
    ws = Workspace("my-project")
    report = run(ws, ["seeds/"])
"""

__version__ = "0.1.0"

from .align import Link, align_comparable, align_documents, align_parallel
from .embed import CachedEmbedder, load_embedder
from .errors import WorkbenchError
from .normalise import normalise, repair_zwnj
from .pipeline import Ingester, RunReport, run
from .split import split, split_sentences
from .store import Workspace, WorkspaceError

__all__ = [
    "CachedEmbedder",
    "Ingester",
    "Link",
    "RunReport",
    "WorkbenchError",
    "Workspace",
    "WorkspaceError",
    "align_comparable",
    "align_documents",
    "align_parallel",
    "load_embedder",
    "normalise",
    "repair_zwnj",
    "run",
    "split",
    "split_sentences",
]
