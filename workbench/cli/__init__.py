"""The ``workbench`` command: a thin shell over the Python API.

Exit codes (also in README.md):
  0  success
  1  nothing could be read, or a command failed on its input or output
  2  usage error (unknown option, missing argument, a setting that is not valid)
  3  workspace problem (locked, read-only, disk full, corrupt, newer schema)

Errors are handled in one place, :class:`~workbench.cli.shared.Commands`: every
:class:`~workbench.errors.WorkbenchError` a command raises becomes one line
``error: MESSAGE`` on stderr and its kind's exit code.

Modules: :mod:`.shared` (the Typer app, options, workspace and progress helpers),
:mod:`.console` (standard streams and files), :mod:`.corpus`, :mod:`.links` and
:mod:`.models` (the commands), :mod:`.main` (the console script).
"""

from __future__ import annotations

from ..errors import EXIT_FAILED, EXIT_USAGE, EXIT_WORKSPACE
from .main import app, main

__all__ = ["EXIT_FAILED", "EXIT_USAGE", "EXIT_WORKSPACE", "app", "main"]
