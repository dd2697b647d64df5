"""The workspace: one SQLite file (caches included) plus a folder for models.

A workspace folder holds ``workbench.db`` (WAL mode, foreign keys on, schema
versioned by ``PRAGMA user_version`` with forward-only migrations) and
``models/``. Hand the folder to a colleague and they have
everything. The CLI and the app both go through :class:`Workspace`; neither
writes SQL of its own, and no SQL is ever built from document text.

The package is split by data, one module each: :mod:`.connection` (opening,
transactions, settings), :mod:`.schema` (migrations), :mod:`.records` (the typed rows
it hands out), :mod:`.corpus`, :mod:`.jobs`, :mod:`.links`, :mod:`.events`,
:mod:`.caches` and :mod:`.models`; :mod:`.sql` holds what they share.
"""

from __future__ import annotations

from ..errors import WorkspaceError
from .connection import DB_NAME, ENV_VAR, default_workspace_path, lock_timeout
from .events import match_groups
from .records import (
    JOB_STATES,
    AlignmentRow,
    CachedTranslation,
    DocumentLinkRow,
    DocumentRow,
    EventRow,
    ExportLink,
    IngestLogRow,
    JobRow,
    JobUnit,
    LinkEdit,
    LinkRow,
    ModelRow,
    SentenceRow,
    SourceRow,
)
from .schema import MIGRATIONS, SCHEMA_VERSION, sql_statements
from .sql import dumps, fresh_id, in_batches, now
from .workspace import Workspace

__all__ = [
    "DB_NAME",
    "ENV_VAR",
    "JOB_STATES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AlignmentRow",
    "CachedTranslation",
    "DocumentLinkRow",
    "DocumentRow",
    "EventRow",
    "ExportLink",
    "IngestLogRow",
    "JobRow",
    "JobUnit",
    "LinkEdit",
    "LinkRow",
    "ModelRow",
    "SentenceRow",
    "SourceRow",
    "Workspace",
    "WorkspaceError",
    "default_workspace_path",
    "dumps",
    "fresh_id",
    "in_batches",
    "lock_timeout",
    "match_groups",
    "now",
    "sql_statements",
]
