"""Offline translation and parallel-text alignment workbench.

The Python API that the CLI and the app share::

    from workbench import Workspace, run, export_links
    ws = Workspace("my-project")
    report = run(ws, ["seeds/"])
    tsv = export_links(ws, "tsv")

``align_texts``, ``export_links`` and ``translate_lines`` are in :mod:`workbench.api`;
``workbench.align``, ``workbench.export`` and ``workbench.translate`` are the modules.
"""

from .version import __version__ as __version__  # isort: skip

from .align import AlignResult, Link, align_comparable, align_documents, align_parallel
from .api import align_texts, export_links, translate_lines
from .distribute import Engine
from .embed import CachedEmbedder, load_embedder
from .errors import WorkbenchError
from .ingester import Ingester
from .pipeline import RunReport, run
from .store import Workspace, WorkspaceError
from .text.normalise import normalise, repair_zwnj
from .text.split import split, split_sentences

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
    "align_comparable",
    "align_documents",
    "align_parallel",
    "align_texts",
    "export_links",
    "load_embedder",
    "normalise",
    "repair_zwnj",
    "run",
    "split",
    "split_sentences",
    "translate_lines",
]
