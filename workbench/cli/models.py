"""``workbench models ...`` and ``workbench embedders list``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.table import Table

from ..errors import (
    EXIT_USAGE,
)
from ..store import Workspace
from .console import STDOUT, fail, out, warn
from .shared import WorkspaceOption, open_workspace, read_workspace


def models_add_command(
    package: Annotated[
        Path | None,
        typer.Argument(
            help="An .argosmodel file (default: every model dropped into ./models/ and the "
            "project's models/ folder that is not installed yet)."
        ),
    ] = None,
    sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 of the file.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Install a package file copied in by hand (verified first; nothing is changed on error)."""
    from ..translate.models import ModelError, ModelStore, model_folders

    ws = open_workspace(workspace)
    if package is not None:
        say_installed(ModelStore(ws).add(package, sha256))
        return
    if sha256 is not None:
        raise fail("--sha256 checks one file: give the file too", EXIT_USAGE)
    outcomes = add_dropped_models(ws, quiet=False)
    if not outcomes:
        looked = " and ".join(str(f) for f in model_folders()) or "./models/ (none there)"
        raise ModelError(f"no model given and no .argosmodel file or model folder in {looked}")
    failed = sum(1 for o in outcomes if o.model is None)
    if failed:
        raise ModelError(f"{failed} of {len(outcomes)} dropped model(s) could not be installed")


def say_installed(model, source: Path | None = None) -> None:
    """Say what was installed; warn that a test model's output is not a translation."""
    origin = f" from {source}" if source else ""
    out.print(
        f"installed {model.name} ({model.source_lang}->{model.target_lang}, "
        f"version {model.version}){origin}",
        highlight=False,
        markup=False,
    )
    if model.is_test_model:
        warn("warning: this is a workbench test model; its output is not a translation")


def add_dropped_models(ws: Workspace, *, quiet: bool) -> list:
    """Install what was dropped into the models/ folders, and say so."""
    from ..translate.models import ModelStore

    return say_dropped_models(ModelStore(ws).add_dropped(), quiet=quiet)


def say_dropped_models(outcomes: list, *, quiet: bool) -> list:
    """What became of each model dropped into the models/ folders; ``quiet`` leaves out
    the ones already installed (``run`` looks at every start)."""
    for item in outcomes:
        if item.model is None:
            warn(f"warning: {item.path} not installed: {item.outcome}")
        elif item.outcome == "installed":
            say_installed(item.model, item.path)
        elif not quiet:
            out.print(f"{item.path}: already installed as {item.model.name}", markup=False)
    return outcomes


def models_add_ct2_command(
    model_dir: Annotated[Path, typer.Argument(help="A CTranslate2 model folder (model.bin).")],
    source_lang: Annotated[str, typer.Option("--from", help="Source language code.")],
    source_spm: Annotated[Path, typer.Option(help="Source sentencepiece model.")],
    target_lang: Annotated[str, typer.Option("--to", help="Target language code.")] = "en",
    target_spm: Annotated[Path | None, typer.Option(help="Target sentencepiece model.")] = None,
    source_prefix: Annotated[str, typer.Option(help="Token before the source (NLLB).")] = "",
    source_suffix: Annotated[str, typer.Option(help="Token after the source (</s>).")] = "",
    target_prefix: Annotated[str, typer.Option(help="Target language token (NLLB).")] = "",
    name: Annotated[str | None, typer.Option(help="Name in the store.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Install another CTranslate2 model: OPUS-MT, or NLLB (much stronger for Persian).

    NLLB-200 distilled 600M converted with ct2-transformers-converter, for example:
    --from fa --source-spm sentencepiece.bpe.model --source-prefix pes_Arab
    --source-suffix '</s>' --target-prefix eng_Latn
    """
    from ..translate.models import ModelStore

    ws = open_workspace(workspace)
    model = ModelStore(ws).add_ctranslate2(
        model_dir,
        source_lang.lower(),
        target_lang.lower(),
        source_spm,
        target_spm,
        source_prefix=source_prefix,
        source_suffix=source_suffix,
        target_prefix=target_prefix,
        name=name,
    )
    out.print(f"installed {model.name} ({model.source_lang}->{model.target_lang})")


def models_list_command(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Installed translation models."""
    from ..translate.models import ModelStore

    models = ModelStore(read_workspace(workspace, create=True)).list()
    if as_json:
        json.dump(
            [{k: v for k, v in m.record().items() if k != "note"} for m in models],
            STDOUT,
            indent=2,
        )
        STDOUT.write("\n")
        return
    if not models:
        out.print(
            "no translation models installed; add one with `workbench models add FILE.argosmodel`"
        )
        return
    table = Table()
    for column in ("name", "from", "to", "version", "note"):
        table.add_column(column)
    for m in models:
        table.add_row(*(m.record()[k] for k in ("name", "from", "to", "version", "note")))
    out.print(table)


def embedders_list_command(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Embedders usable here: the bundled one and sentence-transformers folders in models/.

    models/ of the workspace and of the project (beside pyproject.toml) are searched;
    languages come from each model's card (README.md front matter) when it says them.
    """
    from dataclasses import asdict

    from ..embed import list_embedders
    from ..store import default_workspace_path

    found = list_embedders(workspace or default_workspace_path())
    if as_json:
        json.dump([asdict(info) for info in found], STDOUT, indent=2)
        STDOUT.write("\n")
        return
    table = Table()
    for column in ("--embedder", "name", "dim", "languages", "where", "cache key", "note"):
        table.add_column(column, overflow="fold")
    for info in found:
        languages = ", ".join(info.languages) or "(card does not say)"
        table.add_row(
            info.spec, info.name, str(info.dim or "?"), languages, info.where, info.key, info.note
        )
    out.print(table)


def models_remove_command(
    name: Annotated[str, typer.Argument(help="Model name (see `models list`).")],
    workspace: WorkspaceOption = None,
) -> None:
    """Uninstall a model (its cached translations stay in the workspace)."""
    from ..translate.models import ModelStore

    ModelStore(open_workspace(workspace)).remove(name)
    out.print(f"removed {name}")


def models_verify_command(
    name: Annotated[str | None, typer.Argument(help="One model; all when omitted.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Check that installed models are complete and load."""
    from ..translate.models import ModelStore

    store = ModelStore(read_workspace(workspace, create=True))
    names = [name] if name else [m.name for m in store.list()]
    for model_name in names:
        store.verify(model_name)
        out.print(f"ok {model_name}")


def models_install_command(
    source_lang: Annotated[str, typer.Argument(help="Source language code, e.g. fa.")],
    target_lang: Annotated[str, typer.Argument(help="Target language code.")] = "en",
    workspace: WorkspaceOption = None,
) -> None:
    """Download a package from the Argos index (needs a network and argostranslate)."""
    from ..translate.models import ModelStore, download_argos_package

    ws = open_workspace(workspace)
    path = download_argos_package(source_lang.lower(), target_lang.lower())
    model = ModelStore(ws).add(path)
    out.print(f"installed {model.name}")
