"""The :class:`Workspace`: one object over the parts of the store, each in its module."""

from __future__ import annotations

from .caches import CacheTables
from .connection import Connection
from .corpus import CorpusTables
from .events import EventTables
from .jobs import JobTables
from .links import LinkTables
from .models import ModelTables


class Workspace(
    CorpusTables, JobTables, LinkTables, EventTables, CacheTables, ModelTables, Connection
):
    """A workspace folder: the database and ``models/``.

    >>> ws = Workspace("my-project")        # created if missing
    >>> [d.title for d in ws.documents()]   # current documents

    A workspace whose folder or database cannot be written (a read-only copy) is
    opened read-only (``read_only`` is then True): it can be read, and every write
    raises :class:`~workbench.errors.WorkspaceReadOnly`. Problems opening it raise
    a :class:`~workbench.errors.WorkspaceError` subclass.

    Its methods come by data: the corpus (:mod:`.corpus`), jobs (:mod:`.jobs`), links and
    their edits (:mod:`.links`), events (:mod:`.events`), caches (:mod:`.caches`) and
    models (:mod:`.models`), over one connection (:mod:`.connection`).
    """
