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

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from ..errors import WorkbenchError
from ..store import Workspace
from .models import TARGET_SPM, InstalledModel, ModelStore

MAX_INPUT_TOKENS = 1024  # CTranslate2 would truncate longer inputs; we translate them in pieces


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


CUT_AT_WORD_FROM = 0.8
"""Cut a long input at the first word start after 80% of the limit, so that no word is
cut in half unless a single word fills the last 20%."""


def _split_long(pieces: list[str], limit: int = MAX_INPUT_TOKENS) -> list[list[str]]:
    """Cut an over-long input at word starts so the model never sees more than ``limit`` pieces."""
    if len(pieces) <= limit:
        return [pieces]
    parts, current = [], []
    for piece in pieces:
        at_word = piece.startswith("▁")
        if len(current) >= limit or (len(current) >= limit * CUT_AT_WORD_FROM and at_word):
            parts.append(current)
            current = []
        current.append(piece)
    return [*parts, current] if current else parts


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
        f"(or `workbench models install {source_lang} {target_lang}` on a connected machine);"
        " the file is an Argos Translate package from the Argos index (README, Translation"
        " models, says where)"
    )


def decode_options(beam_size: int = 4, batch_size: int = 16) -> DecodeOptions:
    if beam_size < 1 or batch_size < 1:
        raise TranslationError("beam size and batch size must be at least 1")
    return DecodeOptions(beam_size=beam_size, batch_size=batch_size)
