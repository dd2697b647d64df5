"""Opening a workspace: its folder, the SQLite connection (WAL, foreign keys, read-only
copies), migrations, transactions and settings."""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self
from urllib.parse import quote

from ..errors import (
    UsageError,
    WorkspaceError,
    WorkspaceReadOnly,
    WorkspaceTooNew,
    os_error,
    sqlite_error,
)
from .schema import MIGRATIONS, SCHEMA_VERSION, sql_statements

DB_NAME = "workbench.db"


ENV_VAR = "WORKBENCH_WORKSPACE"


LOCK_TIMEOUT_VAR = "WORKBENCH_LOCK_TIMEOUT"  # seconds to wait for another writer (default 10)


DEFAULT_LOCK_TIMEOUT = 10.0


def lock_timeout() -> float:
    """``$WORKBENCH_LOCK_TIMEOUT`` in seconds; a value that is not one is a usage error."""
    value = os.environ.get(LOCK_TIMEOUT_VAR, "").strip()
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"{LOCK_TIMEOUT_VAR} must be a number of seconds, not {value!r}")
    return seconds


def default_workspace_path() -> Path:
    """``$WORKBENCH_WORKSPACE``, else the user data folder (~/.local/share/workbench/default)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    from platformdirs import user_data_path

    return user_data_path("workbench") / "default"


def _wal_mode(conn: sqlite3.Connection, timeout: float) -> str:
    """Switch to WAL journal mode. The switch needs the database to itself, and SQLite
    answers "locked" at once (no busy wait) while another connection is creating a new
    workspace's tables: wait for it, up to ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _refuse_foreign(conn: sqlite3.Connection, db_path: Path) -> None:
    """Refuse an SQLite file some other program made, before anything (WAL mode, the
    migrations) writes to it: it has tables but not ours."""
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if tables and "sources" not in tables:
        conn.close()
        raise WorkspaceError(
            f"workspace {db_path} is not a workbench database (another program's SQLite file;"
            " left untouched)"
        )


def _workspace_error(error: sqlite3.DatabaseError, db_path: Path) -> WorkspaceError:
    return sqlite_error(error, db_path) or WorkspaceError(f"workspace {db_path}: {error}")


def _writable(db_path: Path) -> bool:
    """Whether the workspace can be written: its folder, and its database when it exists."""
    folder_ok = os.access(db_path.parent, os.W_OK) if db_path.parent.exists() else True
    return folder_ok and (not db_path.exists() or os.access(db_path, os.W_OK))


class Connection:
    """The database of a workspace folder (see :class:`~workbench.store.Workspace`)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        create: bool = True,
        timeout: float | None = None,
        read_only: bool = False,
    ):
        self.timeout = timeout if timeout is not None else lock_timeout()
        self.path = Path(path).expanduser() if path else default_workspace_path()
        self.db_path = self.path / DB_NAME
        if not self.db_path.exists():
            if self.path.exists() and not self.path.is_dir():
                raise WorkspaceError(f"workspace {self.path} is a file, not a folder")
            if not create:
                raise WorkspaceError(f"no workspace at {self.path} (run `workbench ingest` first)")
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise WorkspaceError(
                    f"cannot create workspace {self.path}: {error.strerror}"
                ) from None
        self.read_only = read_only or not _writable(self.db_path)
        if self.read_only and not self.db_path.exists():
            raise WorkspaceReadOnly(f"cannot create a workspace in {self.path}: read-only folder")
        self.conn = self._connect_read_only() if self.read_only else self._connect()
        self._migrate()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.db_path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            _refuse_foreign(conn, self.db_path)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = _wal_mode(conn, self.timeout)
            if mode != "wal" and os.access(self.db_path, os.W_OK):
                raise WorkspaceError(f"cannot use WAL journal mode for {self.db_path}")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as error:
            raise _workspace_error(error, self.db_path) from None
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """Open a workspace that cannot be written (a read-only copy): reading only.

        No journal-mode switch and no migration. SQLite needs the ``-shm`` file of a
        WAL database; in a folder it cannot write, a database with no pending
        ``-wal`` content is opened as immutable instead (nothing can change it).
        """
        uri = f"file:{quote(str(self.db_path.resolve()))}?mode=ro"
        wal = self.db_path.with_name(self.db_path.name + "-wal")
        attempts = [uri]
        if not wal.exists() or wal.stat().st_size == 0:
            attempts.append(uri + "&immutable=1")
        for attempt, target in enumerate(attempts, 1):
            try:
                conn = sqlite3.connect(
                    target,
                    uri=True,
                    timeout=self.timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.DatabaseError as error:
                # no -shm can be made: CANTOPEN (read-only mount), READONLY_DIRECTORY (chmod)
                cannot_open = getattr(error, "sqlite_errorname", "").startswith(
                    ("SQLITE_CANTOPEN", "SQLITE_READONLY")
                )
                if cannot_open and attempt == len(attempts) and len(attempts) == 1:
                    raise WorkspaceReadOnly(
                        f"workspace {self.path} is read-only and {wal.name} holds changes not "
                        "yet in the database; open it once where it can be written"
                    ) from None
                if attempt == len(attempts) or not cannot_open:
                    raise _workspace_error(error, self.db_path) from None
        raise AssertionError("unreachable")

    def _migrate(self) -> None:
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise WorkspaceTooNew(
                    f"workspace {self.path} has schema {version}, newer than this workbench "
                    f"({SCHEMA_VERSION}); upgrade workbench"
                )
            if version < SCHEMA_VERSION and self.read_only:
                raise WorkspaceReadOnly(
                    f"workspace {self.path} is read-only and was made by an older workbench "
                    f"(schema {version}); open a writable copy once to upgrade it"
                )
            for target in range(version, SCHEMA_VERSION):
                self._apply_migration(target)
        except sqlite3.DatabaseError as error:
            raise _workspace_error(error, self.db_path) from None

    def _apply_migration(self, target: int) -> None:
        """Run migration ``target`` and bump ``user_version`` in one write transaction.

        The version is read again once the write lock is held: two processes opening a
        new (or old) workspace at once both saw the old version, and the second one
        applied the migrations the first had just applied (``table settings already
        exists``; once, a schema left one version ahead of its number)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            if self.conn.execute("PRAGMA user_version").fetchone()[0] > target:
                self.conn.execute("COMMIT")  # another process got there first
                return
            for statement in sql_statements(MIGRATIONS[target]):
                self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {target + 1}")
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def models_dir(self) -> Path:
        return self._folder("models")

    def _folder(self, name: str) -> Path:
        folder = self.path / name
        if self.read_only:  # a read-only copy is read as it is
            return folder
        try:
            folder.mkdir(exist_ok=True)
        except OSError as error:
            raise os_error(error) or WorkspaceError(
                f"cannot create {folder}: {error.strerror}"
            ) from None
        return folder

    def close(self) -> None:
        self.conn.close()

    def copy_to(self, folder: str | Path) -> Path:
        """A whole, consistent copy of the database in ``folder`` (a new workspace folder,
        models not copied), taken with SQLite's backup while others may be writing: what
        to hand a colleague, or to try something on. Returns the folder."""
        folder = Path(folder)
        target = folder / DB_NAME
        if target.exists():
            raise WorkspaceError(f"{folder} already holds a workspace: nothing was copied")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.conn.execute("PRAGMA wal_checkpoint(FULL)")
            with contextlib.closing(sqlite3.connect(target)) as copy:
                self.conn.backup(copy)
        except OSError as error:
            raise os_error(error, folder) from None
        except sqlite3.Error as error:
            raise _workspace_error(error, target) from None
        return folder

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes: an interrupted ingest leaves no half document behind.

        A lock held too long, a read-only workspace or a full disk come out as the
        matching :class:`WorkspaceError` (SQLite has already rolled back after a
        full disk, so the rollback here only runs while a transaction is open).
        """
        if self.read_only:
            raise WorkspaceReadOnly(f"workspace {self.path} is read-only: nothing was changed")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as error:
            raise _workspace_error(error, self.db_path) from None
        try:
            yield self.conn
        except BaseException as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError):
                problem = sqlite_error(error, self.db_path)
                if problem is not None:
                    raise problem from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise _workspace_error(error, self.db_path) from None

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
