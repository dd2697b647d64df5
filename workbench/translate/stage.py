"""``workbench run``'s translation stage: every non-English sentence of the workspace with
an installed model, through the cache; the outcome per language pair is recorded."""

from __future__ import annotations

from ..distribute import Engine
from ..document import StageReport
from ..progress import Progress, labelled
from ..store import JobUnit, Workspace
from .backend import CTranslate2Backend, DecodeOptions, missing_model_message
from .cache import CachedTranslator
from .models import ModelStore


class TranslateStage:
    """``workbench run``'s translation stage: every non-English sentence with an installed model."""

    name = "translate"

    def __init__(self, options: DecodeOptions | None = None, engine: Engine | None = None):
        self.options, self.engine = options, engine

    def __call__(self, workspace: Workspace, progress: Progress | None) -> StageReport:
        done, warnings, without_model = [], [], []
        for lang in workspace.source_languages():
            model = ModelStore(workspace).for_pair(lang)
            if model is None:
                warnings.append(missing_model_message(lang))
                without_model.append(lang)
                record_job(workspace, lang, "failed", "no model installed")
                continue
            backend = CTranslate2Backend.from_installed(model, self.options)
            todo = workspace.untranslated_sentences(lang, backend.key)
            _, report = CachedTranslator(workspace, backend, self.engine).translate_with_flags(
                todo, labelled(progress, f"translating {lang}")
            )
            record_job(workspace, lang, "done", backend.key)
            summary = f"{lang}: {report.translated} translated"
            if report.translated:
                summary += f" ({report.rate:.1f} sentences/s)"
            if model.is_test_model:
                warnings.append(f"{model.name} is a test model: its output is not a translation")
            if report.flagged:
                summary += ", flagged " + ", ".join(f"{k} {v}" for k, v in report.flagged.items())
            done.append(summary)
        if without_model:
            done.append(f"no model for {', '.join(without_model)} (not translated)")
        return StageReport(self.name, "; ".join(done) or "nothing to translate", warnings)


def record_job(workspace: Workspace, lang: str, state: str, detail: str) -> None:
    """Remember the stage's outcome per language pair (the app shows what is missing)."""
    workspace.record_job(JobUnit("translate", source_lang=lang, target_lang="en"), state, detail)
