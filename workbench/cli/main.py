"""The console script: the commands registered, ``--version``, and :func:`main`."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import click
import typer
import typer.core

from ..errors import EXIT_FAILED
from ..version import __version__
from . import corpus, links, models
from .console import (
    STDOUT,
    as_workbench_error,
    err,
    final_flush,
    hold_closed_std_fds,
    out,
    show_error,
)
from .shared import MARKUP


class Commands(typer.core.TyperGroup):
    """The root command; the one place where errors become a line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            STDOUT.flush()
            return result
        except Exception as error:
            problem = as_workbench_error(error)
            if problem is None:
                raise
            show_error(problem)
            raise typer.Exit(problem.exit_code) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands in help order, ``eval`` (mounted on demand) before the groups."""
        names = super().list_commands(ctx)
        at = names.index("models") if "models" in names else len(names)
        return [*names[:at], "eval", *names[at:]]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "eval":
            return _benchmarks()
        return super().get_command(ctx, name)


def _benchmarks() -> click.Command:
    """``workbench eval``: the benchmarks live in ``workbench_eval``, beside the product,
    and are imported only here, when ``eval`` is run or listed in help."""
    from workbench_eval.cli import eval_app

    return typer.main.get_command(eval_app)


app = typer.Typer(
    help="Offline translation and parallel-text alignment workbench (Persian, Arabic, English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=Commands,
    **MARKUP,
)


models_app = typer.Typer(
    help="Translation models in the workspace.", no_args_is_help=True, **MARKUP
)


app.add_typer(models_app, name="models")


embedders_app = typer.Typer(help="Sentence embedders usable here.", no_args_is_help=True, **MARKUP)


app.add_typer(embedders_app, name="embedders")

# the commands, in the order help lists them
app.command("run")(corpus.run_command)
app.command("ingest")(corpus.ingest_command)
app.command("status")(corpus.status_command)
app.command("search")(corpus.search_command)
app.command("split")(corpus.split_command)
app.command("translate")(corpus.translate_command)
app.command("embed")(links.embed_command)
app.command("align")(links.align_command)
app.command("export")(links.export_command)
models_app.command("add")(models.models_add_command)
models_app.command("add-ct2")(models.models_add_ct2_command)
models_app.command("list")(models.models_list_command)
embedders_app.command("list")(models.embedders_list_command)
models_app.command("remove")(models.models_remove_command)
models_app.command("verify")(models.models_verify_command)
models_app.command("install")(models.models_install_command)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"workbench {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Offline translation and parallel-text alignment workbench."""


def main() -> None:
    """The console script: every failure is one line on stderr and an exit code.

    Errors of the workbench are reported by :class:`Commands`; what is left here is
    an interruption, output that cannot be flushed at the end, and bugs.
    """
    hold_closed_std_fds()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted: finished files are saved; run the same command again to resume")
        sys.exit(130)
    except Exception as error:  # a bug, not bad input: one line, traceback on request
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        err.print(
            f"internal error: {type(error).__name__}: {error} "
            "(set WORKBENCH_DEBUG=1 for the traceback)",
            markup=False,
            highlight=False,
        )
        sys.exit(EXIT_FAILED)
    finally:
        final_flush()
