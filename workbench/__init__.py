"""Offline translation and parallel-text alignment workbench.

The Python API that the CLI and the app share::

    from workbench import Workspace, run, split, normalise
    ws = Workspace("my-project")
    report = run(ws, ["seeds/"])
"""

__version__ = "0.1.0"

from .normalise import normalise, repair_zwnj  # noqa: E402
from .pipeline import Ingester, RunReport, run  # noqa: E402
from .split import split, split_sentences  # noqa: E402
from .store import Workspace, WorkspaceError  # noqa: E402

__all__ = ["Ingester", "RunReport", "Workspace", "WorkspaceError", "normalise", "repair_zwnj",
           "run", "split", "split_sentences"]
