"""The errors the workbench raises on purpose, each with the exit code of its kind.

Every exception class of the package derives from :class:`WorkbenchError`, so a
caller (the CLI, the app, a script) catches one class and shows ``str(error)``:
a single line that says what went wrong and, where it can, what to do. The CLI
turns any of them into ``error: MESSAGE`` on stderr and ``sys.exit(exit_code)``.

Kinds and exit codes (README, "Command line"):

* 1, bad input: a file that cannot be read, an unknown language or embedder, an
  output that cannot be written;
* 2, usage: an option or setting that makes no sense (``WORKBENCH_LOCK_TIMEOUT=abc``);
* 3, workspace problem: locked by another process, read-only, disk full, corrupt
  or not a workbench database, made by a newer workbench.

Anything else that escapes is a bug, and the CLI says "internal error".
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import ClassVar

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_WORKSPACE = 3


class WorkbenchError(Exception):
    """Base of every workbench error: a one-line message a user can act on."""

    exit_code: ClassVar[int] = EXIT_FAILED


class InputError(WorkbenchError):
    """Bad input: a file, a line of stdin or a value the command cannot use."""


class OutputError(WorkbenchError):
    """The output cannot be written (closed pipe, full disk, missing folder)."""


class UsageError(WorkbenchError):
    """An option or environment setting that makes no sense."""

    exit_code = EXIT_USAGE


class WorkspaceError(WorkbenchError):
    """A workspace problem a user can act on (exit code 3); the message is one line."""

    exit_code = EXIT_WORKSPACE


class WorkspaceLocked(WorkspaceError):
    """Another process held the write lock longer than ``WORKBENCH_LOCK_TIMEOUT``."""


class WorkspaceReadOnly(WorkspaceError):
    """The workspace's folder or database cannot be written."""


class WorkspaceFull(WorkspaceError):
    """The disk (or the file size limit) is full: nothing of the failed step was kept."""


class WorkspaceCorrupt(WorkspaceError):
    """The database is damaged or is not a workbench database (it is left untouched)."""


class WorkspaceTooNew(WorkspaceError):
    """The workspace was written by a newer workbench (a newer schema)."""


def sqlite_error(error: sqlite3.Error, where: str | Path) -> WorkspaceError | None:
    """The workspace problem behind a SQLite error, or None when it is a bug.

    Uses SQLite's own result codes (Python 3.11+), not the wording of messages.
    ``where`` names the database in the message.
    """
    name = getattr(error, "sqlite_errorname", "") or ""
    message = str(error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message:
        return WorkspaceLocked(f"workspace {where} is locked by another process; try again later")
    if name.startswith("SQLITE_READONLY") or "readonly" in message:
        return WorkspaceReadOnly(f"workspace {where} is read-only: nothing was changed")
    if name == "SQLITE_FULL" or "disk is full" in message:
        return WorkspaceFull(
            f"workspace {where}: the disk is full; the interrupted step was not saved "
            "(free some space and run the command again)"
        )
    if name.startswith("SQLITE_IOERR"):
        return WorkspaceFull(
            f"workspace {where}: cannot write ({message}: disk full, file size limit or "
            "failing disk); the interrupted step was not saved"
        )
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or "not a database" in message:
        return WorkspaceCorrupt(
            f"workspace {where} is corrupt or not a workbench database (left untouched)"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in message:
        return WorkspaceError(f"cannot open workspace {where}")
    return None


_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM}


def os_error(error: OSError, workspace: Path | None = None) -> WorkbenchError | None:
    """The problem behind an OS error no command handled itself, or None when it is a bug.

    Inputs and outputs are handled where they are opened, so a full disk or a denied
    write is the workspace's (exit 3), unless the error names a file outside
    ``workspace``: then it is that file's problem (exit 1), e.g. an unreadable package.
    """
    name = error.filename
    reason = error.strerror or str(error)
    outside = workspace is not None and name is not None and not _inside(name, workspace)
    if error.errno in _FULL:
        if outside:
            return OutputError(f"cannot write {name}: {reason}")
        where = f": {name}" if name else ""
        return WorkspaceFull(f"cannot write to the workspace{where}: {reason} (disk full?)")
    if error.errno == errno.EROFS or error.errno in _DENIED:
        if outside:
            return InputError(f"{name}: {reason}")
        where = f": {name}" if name else ""
        return WorkspaceReadOnly(f"cannot write to the workspace{where}: {reason}")
    return None


def _inside(name: str | bytes | int, folder: Path) -> bool:
    try:
        return Path(str(name)).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
