"""Cached, resumable translation: every translation is stored in the workspace (keyed by
model and normalised source) as it is made, so only cache misses reach the model and an
interrupted run loses at most one chunk."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from ..distribute import Engine
from ..progress import weighted
from ..store import Workspace, dumps, in_batches, now
from ..text.normalise import normalise
from .backend import Backend
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
        found = {}
        norms = list(dict.fromkeys(norms))
        for batch, marks in in_batches(norms):
            for row in self.workspace.conn.execute(
                "SELECT source_norm, text, flags FROM translations WHERE model = ?"
                " AND source_lang = ? AND target_lang = ? AND source_norm IN (" + marks + ")",
                (self.backend.key, self.backend.source_lang, self.backend.target_lang, *batch),
            ):
                found[row[0]] = (row[1], _loads(row[2]))
        return found

    def translate(
        self, sentences: list[str], progress: Callable[[int, int], None] | None = None
    ) -> list[str]:
        """Translations for ``sentences`` (same order); only cache misses reach the model."""
        return [text for text, _ in self.translate_with_flags(sentences, progress)[0]]

    def translate_with_flags(
        self, sentences: list[str], progress: Callable[[int, int], None] | None = None
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
        lang = self.backend.source_lang
        rows = []
        for (norm, source), output, split in zip(chunk, outputs, was_split, strict=True):
            flags = quality_flags(
                source, output, test_model=self.backend.is_test_model, was_split=split
            )
            cache[norm] = (output, flags)
            rows.append(
                (
                    self.backend.key,
                    lang,
                    self.backend.target_lang,
                    norm,
                    output,
                    dumps(flags),
                    now(),
                )
            )
            for flag in flags:
                report.flagged[flag] = report.flagged.get(flag, 0) + 1
        with self.workspace.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO translations(model, source_lang, target_lang,"
                " source_norm, text, flags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        report.translated += len(chunk)

    def _translate_on_ray(self, missing: dict[str, str], cache, report, progress) -> None:
        from ..distribute import Task, run_on_ray

        needs_split = getattr(self.backend, "needs_split", lambda source: False)

        def store(rows: dict[str, list]) -> None:
            chunk = list(zip(rows["key"], rows["text"], strict=True))
            split = [needs_split(source) for _, source in chunk]
            self._store(chunk, rows["result"], split, cache, report)

        task = Task("translate", self.backend.recipe)
        pair = f"{self.backend.key}|{self.backend.source_lang}->{self.backend.target_lang}"
        run_on_ray(
            self.workspace, self.engine, task, "translate-ray", pair, dict(missing), store, progress
        )


def _loads(text: str) -> list[str]:
    return json.loads(text) if text else []
