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

DEFAULT_LANGUAGES = ("fa", "ar", "en")
UNDETERMINED = "und"
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_MIN_LETTERS = 4
_SWITCH_CONFIDENCE = 0.9  # a sentence leaves its document's language only when this sure
_DOC_SAMPLE = 20_000


class UnknownLanguageError(ValueError):
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
        letters = _LETTER.findall(text)
        if len(letters) < _MIN_LETTERS:
            return document_lang
        if document_lang in self.languages and _same_script_share(text, document_lang) > 0.5:
            best = self.confidences(text)
            if not best or best[0][0] == document_lang or best[0][1] < _SWITCH_CONFIDENCE:
                return document_lang
            return best[0][0]
        best = self.confidences(text)
        return best[0][0] if best else document_lang


def _same_script_share(text: str, lang: str) -> float:
    """Share of letters written in the script of ``lang`` (Arabic script for fa/ar/ur)."""
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0
    script = _ARABIC_SCRIPT if lang in {"fa", "ar", "ur", "ps", "ku"} else _LATIN
    return sum(1 for ch in letters if script.match(ch)) / len(letters)
