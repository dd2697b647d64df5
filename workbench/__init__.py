"""Offline translation and parallel-text alignment workbench.

The Python API that the CLI and the app share::

    from workbench import Workspace, run, export
    ws = Workspace("my-project")
    report = run(ws, ["seeds/"])
    tsv = export(ws, "tsv")

``align``, ``export`` and ``translate`` here are functions (see :mod:`workbench.api`);
import from the modules of the same names with ``from workbench.align import ...``.
"""

from .version import __version__ as __version__  # isort: skip

from .align import AlignResult, Link, align_comparable, align_documents, align_parallel
from .distribute import Engine
from .embed import CachedEmbedder, load_embedder
from .errors import WorkbenchError
from .pipeline import Ingester, RunReport, run
from .store import Workspace, WorkspaceError
from .text.normalise import normalise, repair_zwnj
from .text.split import split, split_sentences

# last: these functions replace the package attributes named after their modules
from .api import align, export, translate  # isort: skip

__all__ = [
    "AlignResult",
    "CachedEmbedder",
    "Engine",
    "Ingester",
    "Link",
    "RunReport",
    "WorkbenchError",
    "Workspace",
    "WorkspaceError",
    "align",
    "align_comparable",
    "align_documents",
    "align_parallel",
    "export",
    "load_embedder",
    "normalise",
    "repair_zwnj",
    "run",
    "split",
    "split_sentences",
    "translate",
]
