"""Offline translation to English: batched CTranslate2, cached in the workspace, flagged.

argostranslate's own ``translate()`` splits text into sentences again (a step
that downloads a model), translates in batches of 32 *tokens*, and joins the
result, so the 1:1 mapping between source and translation lines is lost.
Here each input line is one sentence and comes back as one line: the same
tokenisation (sentencepiece pieces), the same decoding options (beam 4,
length penalty 0.2, unknowns replaced) and the same detokenisation as
argostranslate, so outputs are equal for the same package; but inputs are
sorted by length and translated in large batches on all cores.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Protocol

from .distribute import Engine
from .document import StageReport
from .errors import WorkbenchError
from .models import TARGET_SPM, InstalledModel, ModelStore
from .progress import weighted
from .store import Workspace, dumps, in_batches, now
from .text.langid import arabic_script_share
from .text.normalise import normalise

MAX_INPUT_TOKENS = 1024  # CTranslate2 would truncate longer inputs; we translate them in pieces
CHUNK = int(os.environ.get("WORKBENCH_TRANSLATE_CHUNK", "256"))
"""Sentences per cache commit: an interruption (even kill -9) loses at most this much work."""


class TranslationError(WorkbenchError):
    """A one-line, actionable translation problem."""


class Backend(Protocol):
    """Anything that turns a list of sentences into the same number of translations."""

    key: str
    source_lang: str
    target_lang: str
    is_test_model: bool
    split_inputs: set[int]  # indices of the last call's lines translated in pieces

    def translate(self, sentences: list[str]) -> list[str]: ...


@dataclass
class DecodeOptions:
    beam_size: int = 4
    batch_size: int = 16
    length_penalty: float = 0.2
    max_decoding_length: int = 256
    min_decoding_length: int = 1


class CTranslate2Backend:
    """A CTranslate2 sequence-to-sequence model with sentencepiece on both sides.

    Argos packages are one case (one shared sentencepiece model); OPUS-MT or NLLB
    converted to CTranslate2 are others (separate source/target models, ``</s>`` as
    ``source_suffix``, and NLLB's language tokens as ``source_prefix``/``target_prefix``).
    """

    def __init__(
        self,
        model_dir: Path,
        source_spm: Path,
        target_spm: Path | None = None,
        *,
        key: str,
        source_lang: str,
        target_lang: str,
        target_prefix: str = "",
        source_prefix: str = "",
        source_suffix: str = "",
        is_test_model: bool = False,
        options: DecodeOptions | None = None,
        threads: int | None = None,
    ):
        import ctranslate2
        import sentencepiece

        self.recipe = {  # everything needed to build the same backend elsewhere (a Ray actor)
            "model_dir": str(model_dir),
            "source_spm": str(source_spm),
            "target_spm": str(target_spm) if target_spm else None,
            "key": key,
            "source_lang": source_lang,
            "target_lang": target_lang,
            "target_prefix": target_prefix,
            "source_prefix": source_prefix,
            "source_suffix": source_suffix,
            "is_test_model": is_test_model,
            "options": asdict(options or DecodeOptions()),
        }
        self.key, self.source_lang, self.target_lang = key, source_lang, target_lang
        self.is_test_model = is_test_model
        self.options = options or DecodeOptions()
        self.target_prefix = target_prefix
        self.source_prefix = [source_prefix] if source_prefix else []
        self.source_suffix = [source_suffix] if source_suffix else []
        self.source_sp = sentencepiece.SentencePieceProcessor(model_file=str(source_spm))
        self.target_sp = (
            sentencepiece.SentencePieceProcessor(model_file=str(target_spm))
            if target_spm
            else self.source_sp
        )
        inter, intra = thread_layout(threads)
        self.translator = ctranslate2.Translator(
            str(model_dir),
            device="cpu",
            compute_type="auto",
            inter_threads=inter,
            intra_threads=intra,
        )

    @classmethod
    def from_installed(
        cls, model: InstalledModel, options: DecodeOptions | None = None, threads: int | None = None
    ) -> CTranslate2Backend:
        """The backend for an installed model, with everything ``models add-ct2`` stored:
        the target vocabulary (OPUS-MT), the source prefix and suffix tokens and the
        target prefix (NLLB's language tokens)."""
        target_spm = model.path / TARGET_SPM
        meta = model.metadata
        return cls(
            model.path / "model",
            model.path / "sentencepiece.model",
            target_spm if target_spm.is_file() else None,
            key=model.key,
            source_lang=model.source_lang,
            target_lang=model.target_lang,
            target_prefix=str(meta.get("target_prefix") or ""),
            source_prefix=str(meta.get("source_prefix") or ""),
            source_suffix=str(meta.get("source_suffix") or ""),
            is_test_model=model.is_test_model,
            options=options,
            threads=threads,
        )

    @classmethod
    def from_recipe(cls, recipe: dict, threads: int | None = None) -> CTranslate2Backend:
        values = dict(recipe)
        options = DecodeOptions(**values.pop("options"))
        model_dir, source_spm, target_spm = (
            values.pop(k) for k in ("model_dir", "source_spm", "target_spm")
        )
        return cls(
            Path(model_dir),
            Path(source_spm),
            Path(target_spm) if target_spm else None,
            options=options,
            threads=threads,
            **values,
        )

    def translate(self, sentences: list[str]) -> list[str]:
        """One translation per sentence, in order; empty lines stay empty.

        Indices of lines too long for one pass are left in :attr:`split_inputs`.
        """
        pieces: list[list[str]] = []
        owners: list[int] = []
        self.split_inputs: set[int] = set()
        for index, sentence in enumerate(sentences):
            if sentence.strip():
                parts = self.tokenise(sentence)
                if len(parts) > 1:
                    self.split_inputs.add(index)
                pieces.extend(parts)
                owners.extend([index] * len(parts))
        outputs = self._translate_pieces(pieces)
        joined: list[list[str]] = [[] for _ in sentences]
        for owner, output in zip(owners, outputs, strict=True):
            joined[owner].append(output)
        return [" ".join(parts) for parts in joined]

    def tokenise(self, sentence: str) -> list[list[str]]:
        """The model's input tokens for one sentence: its sentencepiece pieces between the
        source prefix and suffix tokens (NLLB: ``pes_Arab ... </s>``; OPUS-MT: ``... </s>``),
        in as many inputs as the length limit needs (usually one)."""
        limit = MAX_INPUT_TOKENS - len(self.source_prefix) - len(self.source_suffix)
        parts = _split_long(self.source_sp.encode(sentence, out_type=str), limit)
        return [self.source_prefix + part + self.source_suffix for part in parts]

    def needs_split(self, sentence: str) -> bool:
        """Whether ``sentence`` is too long for one pass (and is translated in pieces)."""
        return len(self.tokenise(sentence)) > 1

    def _translate_pieces(self, pieces: list[list[str]]) -> list[str]:
        if not pieces:
            return []
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
        prefix = [[self.target_prefix]] * len(pieces) if self.target_prefix else None
        o = self.options
        results = self.translator.translate_batch(
            [pieces[i] for i in order],
            target_prefix=prefix,
            max_batch_size=o.batch_size,
            batch_type="examples",
            beam_size=o.beam_size,
            num_hypotheses=1,
            length_penalty=o.length_penalty,
            replace_unknowns=True,
            max_decoding_length=o.max_decoding_length,
            min_decoding_length=o.min_decoding_length,
        )
        outputs = [""] * len(pieces)
        for position, result in zip(order, results, strict=True):
            outputs[position] = self._detokenise(result.hypotheses[0])
        return outputs

    def _detokenise(self, tokens: list[str]) -> str:
        """Exactly argostranslate's SentencePieceTokenizer.decode plus its clean-up, with
        the target prefix token (which CTranslate2 returns first) left out."""
        if self.target_prefix and tokens[:1] == [self.target_prefix]:
            tokens = tokens[1:]
        value = self.target_sp.decode_pieces(tokens).replace("▁", " ").replace("_", " ")
        return value[1:] if value.startswith(" ") else value


def thread_layout(threads: int | None = None) -> tuple[int, int]:
    """(batches in parallel, threads per batch): one batch per core decodes fastest.

    Measured on 2 cores with a transformer-base model, beam 4: two batches of 16 in
    parallel on one thread each beat one batch on two threads by 30-70% (BENCHMARKS.md).
    """
    cores = threads or os.cpu_count() or 1
    inter = min(cores, 4)
    return inter, max(1, cores // inter)


def _split_long(pieces: list[str], limit: int = MAX_INPUT_TOKENS) -> list[list[str]]:
    """Cut an over-long input at word starts so the model never sees more than ``limit`` pieces."""
    if len(pieces) <= limit:
        return [pieces]
    parts, current = [], []
    for piece in pieces:
        if len(current) >= limit or (len(current) >= limit * 0.8 and piece.startswith("▁")):
            parts.append(current)
            current = []
        current.append(piece)
    return [*parts, current] if current else parts


# --- quality flags ------------------------------------------------------------------


def quality_flags(
    source: str, output: str, *, was_split: bool = False, test_model: bool = False
) -> list[str]:
    """What is suspicious about one translation (shown in the app, filterable in exports).

    * ``empty``: nothing came back for a line with words;
    * ``echo``: the source came back (or the output is still in the source's
      Arabic script): the "untranslated" failure users of Argos/LibreTranslate report;
    * ``repetition``: runaway repetition of a word or phrase;
    * ``length-ratio``: output length wildly unlike the source's;
    * ``split-long-input``: the line was too long and was translated in pieces;
    * ``test-model``: produced by a model built for tests, not a real translation.
    """
    flags = []
    letters, _ = arabic_script_share(source)
    if letters and not output.strip():
        flags.append("empty")
    elif letters:
        if normalise(output) == normalise(source) or arabic_script_share(output)[1] > 0.5:
            flags.append("echo")
        if _repeats(output):
            flags.append("repetition")
        ratio = len(output) / max(len(source), 1)
        if len(source) >= 20 and not 0.3 <= ratio <= 3.5:
            flags.append("length-ratio")
    if was_split:
        flags.append("split-long-input")
    if test_model:
        flags.append("test-model")
    return flags


def _repeats(text: str, times: int = 4) -> bool:
    words = text.split()
    for size in (1, 2, 3):
        for start in range(len(words) - size * times + 1):
            gram = words[start : start + size]
            if all(words[start + k * size : start + (k + 1) * size] == gram for k in range(times)):
                return True
    return False


# --- cached, resumable translation ---------------------------------------------------


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
        from .distribute import Task, run_on_ray

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


def backend_for(
    workspace: Workspace,
    source_lang: str,
    target_lang: str = "en",
    options: DecodeOptions | None = None,
) -> CTranslate2Backend:
    """The installed model for a pair, or a TranslationError saying how to add one."""
    model = ModelStore(workspace).for_pair(source_lang, target_lang)
    if model is None:
        raise TranslationError(missing_model_message(source_lang, target_lang))
    return CTranslate2Backend.from_installed(model, options)


def missing_model_message(source_lang: str, target_lang: str = "en") -> str:
    return (
        f"no {source_lang}->{target_lang} translation model installed; add one with "
        f"`workbench models add translate-{source_lang}_{target_lang}-*.argosmodel` "
        f"(or `workbench models install {source_lang} {target_lang}` on a connected machine)"
    )


# --- the pipeline stage ----------------------------------------------------------------


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


def decode_options(beam_size: int = 4, batch_size: int = 16) -> DecodeOptions:
    if beam_size < 1 or batch_size < 1:
        raise TranslationError("beam size and batch size must be at least 1")
    return DecodeOptions(beam_size=beam_size, batch_size=batch_size)
