"""Offline translation and parallel-text alignment workbench.

The Python API that the CLI and the app share::

    from workbench import Workspace, run, split, normalise
    ws = Workspace("my-project")
    report = run(ws, ["seeds/"])
"""

__version__ = "0.1.0"

from .normalise import normalise, repair_zwnj
from .pipeline import Ingester, RunReport, run
from .split import split, split_sentences
from .store import Workspace, WorkspaceError

__all__ = [
    "Ingester",
    "RunReport",
    "Workspace",
    "WorkspaceError",
    "normalise",
    "repair_zwnj",
    "run",
    "split",
    "split_sentences",
]
