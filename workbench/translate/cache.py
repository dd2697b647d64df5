"""Cached, resumable translation: every translation is stored in the workspace (keyed by
model and normalised source) as it is made, so only cache misses reach the model and an
interrupted run loses at most one chunk."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from ..distribute import Engine, Task, run_on_ray
from ..progress import Progress, weighted
from ..store import CachedTranslation, JobUnit, Workspace
from ..text.normalise import normalise
from .backend import Backend, CTranslate2Backend
from .flags import quality_flags

CHUNK = int(os.environ.get("WORKBENCH_TRANSLATE_CHUNK", "256"))
"""Sentences per cache commit: an interruption (even kill -9) loses at most this much work."""


@dataclass
class TranslateReport:
    model: str
    requested: int = 0
    cached: int = 0
    translated: int = 0
    seconds: float = 0.0
    flagged: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.translated / self.seconds if self.seconds else 0.0


class CachedTranslator:
    """Translate through the workspace cache (keyed by model and normalised source)."""

    def __init__(self, workspace: Workspace, backend: Backend, engine: Engine | None = None):
        self.workspace, self.backend, self.engine = workspace, backend, engine

    def lookup(self, norms: Iterable[str]) -> dict[str, tuple[str, list[str]]]:
        """``normalised source -> (translation, flags)`` for the ``norms`` already cached."""
        backend = self.backend
        found = self.workspace.cached_translations(
            backend.key, backend.source_lang, backend.target_lang, norms
        )
        return {norm: (t.text, list(t.flags)) for norm, t in found.items()}

    def translate(self, sentences: list[str], progress: Progress | None = None) -> list[str]:
        """Translations for ``sentences`` (same order); only cache misses reach the model."""
        return [text for text, _ in self.translate_with_flags(sentences, progress)[0]]

    def translate_with_flags(
        self, sentences: list[str], progress: Progress | None = None
    ) -> tuple[list[tuple[str, list[str]]], TranslateReport]:
        lang = self.backend.source_lang
        norms = [normalise(s, lang) for s in sentences]
        report = TranslateReport(self.backend.key, requested=len(sentences))
        cache = self.lookup(norms)
        missing: dict[str, str] = {}
        for sentence, norm in zip(sentences, norms, strict=True):
            if norm not in cache and norm not in missing and sentence.strip():
                missing[norm] = sentence
        report.cached = sum(
            1 for s, n in zip(sentences, norms, strict=True) if s.strip() and n not in missing
        )
        start = time.perf_counter()
        if self.engine is not None and self.engine.distributed and missing:
            self._translate_on_ray(missing, cache, report, progress)
        todo = sorted(
            ((n, s) for n, s in missing.items() if n not in cache), key=lambda i: len(i[1])
        )
        work = list(accumulate(len(source) for _, source in todo))  # decoding grows with length
        for offset in range(0, len(todo), CHUNK):
            chunk = todo[offset : offset + CHUNK]
            outputs = self.backend.translate([source for _, source in chunk])
            split_inputs = getattr(self.backend, "split_inputs", set())
            was_split = [i in split_inputs for i in range(len(chunk))]
            self._store(chunk, outputs, was_split, cache, report)
            if progress:  # sentences, counted by length: the short ones come first
                end = offset + len(chunk)
                progress(weighted(work[end - 1], work[-1], len(todo)), len(todo))
        report.seconds = time.perf_counter() - start
        results = [cache.get(norm, ("", [])) for norm in norms]
        return results, report

    def _store(self, chunk, outputs, was_split, cache, report: TranslateReport) -> None:
        """Flag and cache one chunk of (normalised, source) pairs and their translations."""
        backend = self.backend
        fresh = {}
        for (norm, source), output, split in zip(chunk, outputs, was_split, strict=True):
            flags = quality_flags(source, output, test_model=backend.is_test_model, was_split=split)
            cache[norm] = (output, flags)
            fresh[norm] = CachedTranslation(output, tuple(flags))
            for flag in flags:
                report.flagged[flag] = report.flagged.get(flag, 0) + 1
        self.workspace.store_translations(
            backend.key, backend.source_lang, backend.target_lang, fresh
        )
        report.translated += len(chunk)

    def _translate_on_ray(self, missing: dict[str, str], cache, report, progress) -> None:
        needs_split = getattr(self.backend, "needs_split", lambda source: False)

        def store(rows: dict[str, list]) -> None:
            chunk = list(zip(rows["key"], rows["text"], strict=True))
            split = [needs_split(source) for _, source in chunk]
            self._store(chunk, rows["result"], split, cache, report)

        backend = self.backend
        task = Task(ray_translator, backend.recipe)
        unit = JobUnit(
            "translate-ray",
            model=backend.key,
            source_lang=backend.source_lang,
            target_lang=backend.target_lang,
        )
        run_on_ray(self.workspace, self.engine, task, unit, dict(missing), store, progress)


def ray_translator(recipe: dict) -> Callable[[list[str]], list[str]]:
    """On a Ray worker (:class:`workbench.distribute.Task`): the backend ``recipe`` names,
    on one thread (the pool runs one worker per core)."""
    return CTranslate2Backend.from_recipe(recipe, threads=1).translate
