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
import unicodedata
from collections import Counter
from functools import lru_cache

from ..errors import WorkbenchError

DEFAULT_LANGUAGES = ("fa", "ar", "en")
UNDETERMINED = "und"
_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_MIN_LETTERS = 4
_SWITCH_CONFIDENCE = 0.9  # a sentence leaves its document's language only when this sure
_DOC_SAMPLE = 20_000
ARABIC_SCRIPT_LANGS = frozenset({"fa", "ar", "ur", "ps", "ku", "sd", "ug"})


ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu""".split()  # noqa: SIM905 (a list literal would take 184 lines)
)
"""Every ISO 639-1 language code."""

# The script (first word of a letter's Unicode name) each language is written in, where
# it is not Latin; and the languages a script suggests when no workspace language uses it.
_CYRILLIC_LANGS = ("ru", "uk", "be", "bg", "mk", "sr", "kk", "mn", "ky", "tg")
_LATIN_ONLY = frozenset({"LATIN"})
_SCRIPTS = {
    **dict.fromkeys(ARABIC_SCRIPT_LANGS, frozenset({"ARABIC"})),
    **dict.fromkeys(_CYRILLIC_LANGS, frozenset({"CYRILLIC"})),
    "zh": frozenset({"CJK"}),
    "ja": frozenset({"CJK", "HIRAGANA", "KATAKANA"}),
    "ko": frozenset({"HANGUL", "CJK"}),
    "el": frozenset({"GREEK"}),
    **dict.fromkeys(("he", "yi"), frozenset({"HEBREW"})),
    **dict.fromkeys(("hi", "mr", "ne"), frozenset({"DEVANAGARI"})),
    "th": frozenset({"THAI"}),
    "hy": frozenset({"ARMENIAN"}),
    "ka": frozenset({"GEORGIAN"}),
    "bn": frozenset({"BENGALI"}),
    "ta": frozenset({"TAMIL"}),
    "te": frozenset({"TELUGU"}),
    "gu": frozenset({"GUJARATI"}),
    "pa": frozenset({"GURMUKHI"}),
}
_SUGGESTED = {
    "CJK": ("zh",),
    "HIRAGANA": ("ja",),
    "KATAKANA": ("ja",),
    "HANGUL": ("ko",),
    "CYRILLIC": ("ru", "uk", "be", "bg", "mk", "sr", "kk", "mn"),
    "ARABIC": ("fa", "ar", "ur"),
    "LATIN": ("en", "fr", "de", "es", "it", "pt", "nl", "tr", "pl", "id", "sv", "vi"),
    "DEVANAGARI": ("hi", "mr"),
    "GREEK": ("el",),
    "HEBREW": ("he",),
    "THAI": ("th",),
    "ARMENIAN": ("hy",),
    "GEORGIAN": ("ka",),
    "BENGALI": ("bn",),
    "TAMIL": ("ta",),
    "TELUGU": ("te",),
    "GUJARATI": ("gu",),
    "GURMUKHI": ("pa",),
}
_SCRIPT_SAMPLE = 4000  # letters looked at to find a document's script
# Letters each Arabic-script language adds to the alphabet that neither Persian nor Arabic
# uses (ھ, shared with some Arabic typesetting, is left out). None occurs in the seeds or
# in TICO-19's Persian and Arabic (about 450,000 letters). Kurdish (Sorani) stands for both
# Kurdish varieties; ڤ then tells Kurmanji (Badini) apart.
_OWN_LETTERS = {
    "ur": "ٹڈڑںےہ",
    "ps": "ټډړږښګڼۍځڅې",
    "ckb": "ڕڵێۆە",
    "sd": "ٻڄڃڇڊڌڍڏڦڪڳڱٺٽٿڙڻ",
    "ug": "ۇۈۋڭېۆە",
}
_OWN_LETTERS_MIN = 3  # occurrences before a language's own letters count
_OWN_LETTERS_SHARE = 0.01  # and their share of the Arabic-script letters
_OTHER_LATIN_MIN_LETTERS = 80  # under this a Latin text is too short to call foreign
_OTHER_LATIN_CONFIDENCE = 0.8  # lingua's confidence a Latin text is not a workspace language


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
        self._arabic_script = [c for c in self.languages if c in ARABIC_SCRIPT_LANGS]
        self._latin_script = [c for c in self.languages if c not in ARABIC_SCRIPT_LANGS]
        self._scripts = set().union(*(_SCRIPTS.get(c, _LATIN_ONLY) for c in self.languages))

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

    def unsupported(self, text: str) -> str | None:
        """The language of a text written mostly in a script none of the workspace's
        languages use (Chinese, Russian, ... in a fa/ar/en workspace), else None.

        The closed-set detector would call such text one of the workspace languages; a
        script check catches it first, and lingua restricted to the languages of that
        script names it.
        """
        letters = _LETTER.findall(text[:_DOC_SAMPLE])[:_SCRIPT_SAMPLE]
        scripts = Counter(unicodedata.name(ch, "?").split(" ")[0] for ch in letters)
        if not scripts:
            return None
        script, count = scripts.most_common(1)[0]
        if count * 2 <= scripts.total():
            return None
        if script == "ARABIC" and script in self._scripts:
            return self._other_arabic_script(letters)
        if script in self._scripts:
            return self._other_latin(text) if script == "LATIN" else None
        if script == "CJK" and (scripts["HIRAGANA"] or scripts["KATAKANA"]):
            script = "HIRAGANA"
        candidates = _SUGGESTED.get(script)
        if not candidates:
            return f"{script.lower()} script"
        if len(candidates) == 1:
            return candidates[0]
        values = _detector(candidates).compute_language_confidence_values(text[:_DOC_SAMPLE])
        return values[0].language.iso_code_639_1.name.lower() if values else candidates[0]

    def _other_arabic_script(self, letters: list[str]) -> str | None:
        """An Arabic-script language outside the workspace's (Urdu, Pashto, Kurdish,
        Sindhi, Uyghur) from the letters it adds to the alphabet; else None. Neither the
        closed-set detector nor lingua (which knows only ar, fa and ur of these) can tell:
        they would store Pashto as Persian and Sorani as Arabic."""
        arabic = [ch for ch in letters if _ARABIC_SCRIPT.match(ch)]
        if not arabic:
            return None
        counts = Counter(arabic)
        scores = {
            lang: sum(counts[ch] for ch in marks)
            for lang, marks in _OWN_LETTERS.items()
            if lang not in self.languages and lang.split("-")[0] not in self.languages
        }
        if not scores:
            return None
        lang, score = max(scores.items(), key=lambda item: item[1])
        if score < _OWN_LETTERS_MIN or score < _OWN_LETTERS_SHARE * len(arabic):
            return None
        if lang == "ckb" and counts["ڤ"] >= _OWN_LETTERS_MIN:
            return "kmr"  # Kurmanji written in Arabic script (Badini) uses ڤ; Sorani hardly
        return lang

    def _other_latin(self, text: str) -> str | None:
        """A Latin-script language outside the workspace's (French, German, ...) when
        lingua over the common Latin-script languages is sure of it; else None. The closed
        set would call a French article English."""
        sample = text[:_DOC_SAMPLE]
        if len(_LETTER.findall(sample)) < _OTHER_LATIN_MIN_LETTERS:
            return None
        candidates = tuple(dict.fromkeys((*self._latin_script, *_SUGGESTED["LATIN"])))
        values = _detector(candidates).compute_language_confidence_values(sample)
        if not values:
            return None
        best = values[0].language.iso_code_639_1.name.lower()
        if best in self.languages or values[0].value < _OTHER_LATIN_CONFIDENCE:
            return None
        return best

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
