"""Language identification of documents and sentences (lingua, models bundled).

Detection is restricted to the workspace's language set (default fa, ar, en):
a closed set is far more accurate on short lines than open detection, and
py3langid-style detectors confuse Persian with Pashto. Short or ambiguous
sentences fall back to their document's language, so an English headline
inside Persian text is kept as English while a Persian line full of names
is not turned into Arabic.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import WorkbenchError

DEFAULT_LANGUAGES = ("fa", "ar", "en")
UNDETERMINED = "und"
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_MIN_LETTERS = 4
_SWITCH_CONFIDENCE = 0.9  # a sentence leaves its document's language only when this sure
_DOC_SAMPLE = 20_000
_ARABIC_SCRIPT_LANGS = {"fa", "ar", "ur", "ps", "ku", "sd", "ug"}


class UnknownLanguageError(WorkbenchError, ValueError):
    pass


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    chosen = []
    for code in languages:
        try:
            chosen.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            raise UnknownLanguageError(f"unknown language code {code!r}") from None
    if len(chosen) == 1:  # lingua needs two; a single language is trivially right anyway
        chosen.append(Language.ENGLISH if chosen[0] != Language.ENGLISH else Language.FRENCH)
    return LanguageDetectorBuilder.from_languages(*chosen).build()


class LanguageIdentifier:
    """Identify languages within a fixed set of ISO 639-1 codes."""

    def __init__(self, languages: tuple[str, ...] | list[str] = DEFAULT_LANGUAGES):
        self.languages = tuple(dict.fromkeys(code.lower() for code in languages))
        self._detector = _detector(self.languages)
        self._arabic_script = [c for c in self.languages if c in _ARABIC_SCRIPT_LANGS]
        self._latin_script = [c for c in self.languages if c not in _ARABIC_SCRIPT_LANGS]

    def confidences(self, text: str) -> list[tuple[str, float]]:
        """``(code, confidence)`` pairs, best first, restricted to the configured set."""
        values = self._detector.compute_language_confidence_values(text)
        pairs = [(v.language.iso_code_639_1.name.lower(), v.value) for v in values]
        return [(code, value) for code, value in pairs if code in self.languages]

    def document(self, text: str) -> tuple[str, float]:
        """Language of a whole document and the detector's confidence."""
        sample = text[:_DOC_SAMPLE]
        if len(_LETTER.findall(sample)) < _MIN_LETTERS:
            return UNDETERMINED, 0.0
        best = self.confidences(sample)
        return best[0] if best else (UNDETERMINED, 0.0)

    def sentence(self, text: str, document_lang: str) -> str:
        """Language of one sentence, biased to ``document_lang`` when unsure."""
        return self.sentences([text], document_lang)[0]

    def sentences(self, texts: list[str], document_lang: str) -> list[str]:
        """Languages of many sentences of one document, detected in one parallel batch.

        The script decides when it can: a Latin line in a Persian document with
        English as the only Latin language is English, no model needed. Only
        lines whose script several configured languages share (fa/ar) go to the
        detector, and they leave the document's language only when it is sure.
        """
        result = [document_lang] * len(texts)
        pending = []
        for i, text in enumerate(texts):
            letters, arabic = arabic_script_share(text)
            if letters < _MIN_LETTERS:
                continue
            candidates = self._arabic_script if arabic > 0.5 else self._latin_script
            if len(candidates) == 1:
                result[i] = candidates[0]
            elif candidates and not _letters_confirm(text, document_lang):
                pending.append(i)
        if pending:
            batch = self._detector.compute_language_confidence_values_in_parallel(
                [texts[i] for i in pending]
            )
            for i, values in zip(pending, batch, strict=True):
                best = [(v.language.iso_code_639_1.name.lower(), v.value) for v in values]
                best = [(code, value) for code, value in best if code in self.languages]
                if (
                    best
                    and best[0][0] != document_lang
                    and (best[0][1] >= _SWITCH_CONFIDENCE or document_lang not in self.languages)
                ):
                    result[i] = best[0][0]
        return result


def arabic_script_share(text: str) -> tuple[int, float]:
    """How many letters ``text`` has, and the share of them in Arabic script."""
    letters = len(_LETTER.findall(text))
    return letters, (len(_ARABIC_SCRIPT.findall(text)) / letters if letters else 0.0)


_PERSIAN_ONLY = re.compile("[پچژگ]")
_ARABIC_ONLY = re.compile("[ةىؤإ]")


def _letters_confirm(text: str, lang: str) -> bool:
    """Letters only one of Persian/Arabic uses confirm the document's language cheaply."""
    if lang == "fa":
        return _PERSIAN_ONLY.search(text) is not None
    if lang == "ar":
        return _ARABIC_ONLY.search(text) is not None and _PERSIAN_ONLY.search(text) is None
    return False
