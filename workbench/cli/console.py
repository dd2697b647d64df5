"""Standard streams as the commands use them: output that fails is one line, never a
traceback; errors, warnings and control characters on stderr; files written atomically."""

from __future__ import annotations

import codecs
import errno
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ..errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    EXIT_WORKSPACE,
    InputError,
    OutputError,
    UsageError,
    WorkbenchError,
    WorkspaceError,
    os_error,
    sqlite_error,
)
from ..text.ingest import IngestError, read_text_file


class SafeStdout:
    """``sys.stdout`` as the commands write it: a closed stream, a closed pipe
    (``| head -0``) or a full disk (``> /dev/full``) is an :class:`OutputError`
    (one line, exit 1), never a traceback. Looks ``sys.stdout`` up at each call,
    so test runners that swap it still capture the output."""

    encoding = "utf-8"

    @staticmethod
    def _stream():
        if sys.stdout is None:
            raise OutputError("standard output is closed: nothing could be written")
        return sys.stdout

    def write(self, text: str) -> int:
        stream = self._stream()
        try:
            return stream.write(text)
        except OSError as error:
            raise output_error(error) from None

    def write_bytes(self, data: bytes) -> None:
        stream = self._stream()
        try:
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
        except OSError as error:
            raise output_error(error) from None

    def flush(self) -> None:
        if sys.stdout is None:
            return
        try:
            sys.stdout.flush()
        except OSError as error:
            raise output_error(error) from None

    def isatty(self) -> bool:
        return sys.stdout is not None and sys.stdout.isatty()

    def fileno(self) -> int:
        return self._stream().fileno()


def output_error(error: OSError) -> OutputError:
    """What went wrong writing standard output; stdout is sent to /dev/null afterwards,
    so Python's own flush at exit does not print a second error."""
    silence_stdout()
    if error.errno == errno.EPIPE:
        return OutputError("standard output was closed before everything was written")
    return OutputError(f"cannot write to standard output: {error.strerror or error}")


def silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no real stdout (a test runner's buffer)
        pass


STDOUT = SafeStdout()


def as_workbench_error(error: BaseException) -> WorkbenchError | None:
    """The workbench error ``error`` stands for, or None when it is a bug.

    SQLite and OS errors that reach here were met writing the workspace (input and
    output files are handled where they are opened): locked, read-only, disk full.
    """
    if isinstance(error, WorkbenchError):
        return error
    if isinstance(error, sqlite3.Error):
        return sqlite_error(error, OPENED[-1] if OPENED else "database")
    if isinstance(error, OSError):
        if error.errno == errno.EPIPE:
            return output_error(error)
        return os_error(error, OPENED[-1].parent if OPENED else None)
    return None


_CONTROL = {
    code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if code != 0x09
}


_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``): a file
    name may hold a newline (a second, fake line) or a terminal escape sequence."""
    return text.replace("\n", "\\n").translate(_CONTROL)


def show_error(error: WorkbenchError) -> None:
    """``error: MESSAGE`` on one line of stderr (markup in the message is shown as is)."""
    message = printable(" ".join(str(error).splitlines()).strip()) or type(error).__name__
    err.print(Text.assemble(("error:", "red"), " ", message), highlight=False, soft_wrap=True)


out = Console(file=STDOUT, width=None if STDOUT.isatty() else 160)  # type: ignore[arg-type]


err = Console(stderr=True, soft_wrap=True)


OPENED: list[Path] = []  # the workspace database in use, named in SQLite errors


def fail(message: str, code: int = EXIT_FAILED) -> WorkbenchError:
    """The error to raise for ``message`` with exit ``code`` (``raise fail(...)``)."""
    kind = {EXIT_USAGE: UsageError, EXIT_WORKSPACE: WorkspaceError}.get(code, InputError)
    return kind(message)


def warn(line: str) -> None:
    """One line on stderr, after everything already written to stdout."""
    STDOUT.flush()
    err.print(printable(line), highlight=False, markup=False, soft_wrap=True)


def check_out(out_file: Path | None) -> None:
    """Refuse an ``--out`` that cannot be written before any work is done."""
    if out_file is None:
        return
    if out_file.is_dir():
        raise InputError(f"--out {out_file}: is a folder, not a file")
    if not out_file.parent.is_dir():
        raise InputError(f"--out {out_file}: no such folder {out_file.parent}")


def write_file(out_file: Path, write: Callable[[object], object]) -> None:
    """Write ``out_file`` through ``write(handle)`` atomically: into a temporary file
    beside it, then renamed over it, so a full disk or a kill leaves the old file whole
    (never a truncated one). Failures are one line (exit 1)."""
    import tempfile

    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out_file.name}.", dir=out_file.parent)
        os.chmod(temporary, file_mode(out_file))
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out_file)
        temporary = None
    except OSError as error:
        raise OutputError(f"cannot write {out_file}: {error.strerror or error}") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def file_mode(path: Path) -> int:
    """The permissions a rewritten file keeps (a new one gets the umask's default)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def emit_text(text: str, out_file: Path | None) -> None:
    if out_file is None:
        STDOUT.write(text)
        return
    write_file(out_file, lambda handle: handle.write(text.encode("utf-8")))


def emit_rows(rows, fmt: str, out_file: Path | None) -> int:
    from ..export import export_bytes

    data, count = export_bytes(rows, fmt)
    if out_file is not None:
        write_file(out_file, lambda handle: handle.write(data))
    elif fmt == "tmx":
        STDOUT.write_bytes(data)
    else:
        STDOUT.write(data.decode("utf-8"))
    return count


def check_unit(value: float, option: str) -> None:
    """A probability option: a number from 0 to 1 (nan and 2 are mistakes, not filters)."""
    if not 0.0 <= value <= 1.0:
        raise fail(f"{option} takes a number from 0 to 1, not {value}", EXIT_USAGE)


def read_input(file: Path) -> str:
    """A text file's content ('-': standard input), or an InputError saying why not."""
    if str(file) == "-":
        return _read_stdin()
    if not file.exists():
        raise InputError(f"{file}: no such file")
    if file.is_dir():
        raise InputError(f"{file}: is a folder, not a file")
    try:
        return read_text_file(file)[0]
    except IngestError as error:
        raise InputError(f"{file}: {error}") from None
    except OSError as error:
        raise InputError(f"{file}: {error.strerror}") from None


def _read_stdin() -> str:
    """Standard input as UTF-8 text (a BOM is dropped; newlines become ``\\n``)."""
    if sys.stdin is None:
        raise InputError("standard input is closed: give a file, or pipe text in")
    try:
        data = sys.stdin.buffer.read()
    except OSError as error:
        raise InputError(f"cannot read standard input: {error.strerror or error}") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"standard input is not valid UTF-8 text (byte {error.start}); save it to a file "
            "instead, whose encoding is then detected"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def final_flush() -> None:
    """Flush stdout while an error can still be reported (``> /dev/full``, a closed pipe)."""
    try:
        STDOUT.flush()
    except OutputError as error:
        show_error(error)
        sys.exit(error.exit_code)


def hold_closed_std_fds() -> None:
    """Give a closed stdin, stdout or stderr (``<&-``, ``>&-``) to /dev/null.

    Python already sees the stream as closed (``sys.stdout is None``, so writing to it
    is a one-line error); taking its descriptor keeps any file opened later (the
    database) from becoming descriptor 1 and receiving output meant for stdout.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
