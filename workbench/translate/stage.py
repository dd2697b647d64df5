"""``workbench run``'s translation stage: every non-English sentence of the workspace with
an installed model, through the cache; the outcome per language pair is recorded."""

from __future__ import annotations

from ..distribute import Engine
from ..document import StageReport
from ..store import Workspace
from .backend import CTranslate2Backend, DecodeOptions, missing_model_message
from .cache import CachedTranslator
from .models import ModelStore


def pending_sentences(
    workspace: Workspace, lang: str, model_key: str, target_lang: str = "en"
) -> list[str]:
    """One original text per distinct normalised sentence of ``lang`` not yet translated."""
    return [
        row[0]
        for row in workspace.conn.execute(
            "SELECT MIN(s.text) FROM sentences s JOIN documents d ON d.id = s.document_id"
            " WHERE d.current = 1 AND s.lang = ? AND NOT EXISTS (SELECT 1 FROM translations t"
            " WHERE t.model = ? AND t.source_lang = s.lang AND t.target_lang = ?"
            " AND t.source_norm = s.norm) GROUP BY s.norm",
            (lang, model_key, target_lang),
        )
    ]


def workspace_source_languages(workspace: Workspace, target_lang: str = "en") -> list[str]:
    return [
        row[0]
        for row in workspace.conn.execute(
            "SELECT DISTINCT s.lang FROM sentences s JOIN documents d ON d.id = s.document_id"
            " WHERE d.current = 1 AND s.lang NOT IN (?, 'und') ORDER BY s.lang",
            (target_lang,),
        )
    ]


class TranslateStage:
    """``workbench run``'s translation stage: every non-English sentence with an installed model."""

    name = "translate"

    def __init__(self, options: DecodeOptions | None = None, engine: Engine | None = None):
        self.options, self.engine = options, engine

    def __call__(self, workspace: Workspace, progress) -> StageReport:
        done, warnings, without_model = [], [], []
        for lang in workspace_source_languages(workspace):
            model = ModelStore(workspace).for_pair(lang)
            if model is None:
                warnings.append(missing_model_message(lang))
                without_model.append(lang)
                record_job(workspace, f"{lang}->en", "failed", "no model installed")
                continue
            backend = CTranslate2Backend.from_installed(model, self.options)
            todo = pending_sentences(workspace, lang, backend.key)
            _, report = CachedTranslator(workspace, backend, self.engine).translate_with_flags(
                todo,
                (lambda d, t, lang=lang: progress(d, t, f"translating {lang}"))
                if progress
                else None,
            )
            record_job(workspace, f"{lang}->en", "done", backend.key)
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


def record_job(workspace: Workspace, key: str, state: str, detail: str) -> None:
    """Remember the stage's outcome per language pair (the app shows what is missing)."""
    workspace.record_job("translate", key, state, detail)
