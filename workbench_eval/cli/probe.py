"""``workbench eval probe``: the adversarial probe of the CLI, the store and the app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench.cli.console import out
from workbench.cli.shared import (
    progress_bar,
)

from .common import eval_app


@eval_app.command("probe")
def eval_probe_command(
    workdir: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the cases (kept, a fresh subfolder each run) "
            "[default: a temporary one]."
        ),
    ] = None,
) -> None:
    """Issue 23's reliability probe: bad files, languages, links, options, user decisions,
    concurrency and kill -9 against the real workbench. A report: exit 0 with broken cases."""
    import contextlib
    import tempfile
    import time

    from rich.text import Text

    from ..probe import run_probe

    start = time.monotonic()
    with (
        (
            tempfile.TemporaryDirectory() if workdir is None else contextlib.nullcontext(workdir)
        ) as where,
        progress_bar("probing") as bar,
    ):
        cases = run_probe(Path(where), bar)
    table = Table(title=f"reliability probe, issue 23 ({time.monotonic() - start:.0f} s)")
    for column in ("group", "case", "result", "detail"):
        table.add_column(column, overflow="fold")
    for case in cases:
        result = Text("held", "green") if case.held else Text("broken", "red")
        table.add_row(Text(case.group), Text(case.name), result, Text(case.detail))
    out.print(table)
    held = sum(case.held for case in cases)
    out.print(f"{len(cases)} cases: {held} held, {len(cases) - held} broken", highlight=False)
