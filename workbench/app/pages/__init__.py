"""The app's pages, one module each; each page is ``show(st, workspace, actor)``."""

from __future__ import annotations

from . import corpus, events, export, models, pair, search

SHOW = {
    "Corpus": corpus.show,
    "Events": events.show,
    "Parallel view": pair.show,
    "Search": search.show,
    "Export": export.show,
    "Models": models.show,
}
"""Each page of the sidebar (``PAGES`` in :mod:`workbench.app`) and what draws it."""

__all__ = ["SHOW"]
