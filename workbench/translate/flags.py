"""What is suspicious about one translation: flags shown in the app and filterable in
exports (empty, echo, repetition, length ratio, split input, test model)."""

from __future__ import annotations

from ..document import TEST_MODEL_FLAG
from ..store import Workspace
from ..text.langid import arabic_script_share
from ..text.normalise import normalise

ECHO_SCRIPT_SHARE = 0.5
"""An English output with more than half its letters in Arabic script was not translated."""
RATIO_MIN_SOURCE = 20
"""Sources shorter than this (characters) are too short for a length ratio to mean much."""
RATIO_RANGE = (0.3, 3.5)
"""English/source length ratios outside this range flag a translation: fa/ar -> en on
TICO-19 with the base models ran 0.8-1.6; runaway or truncated outputs fall outside."""


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
        if (
            normalise(output) == normalise(source)
            or arabic_script_share(output)[1] > ECHO_SCRIPT_SHARE
        ):
            flags.append("echo")
        if _repeats(output):
            flags.append("repetition")
        ratio = len(output) / max(len(source), 1)
        low, high = RATIO_RANGE
        if len(source) >= RATIO_MIN_SOURCE and not low <= ratio <= high:
            flags.append("length-ratio")
    if was_split:
        flags.append("split-long-input")
    if test_model:
        flags.append(TEST_MODEL_FLAG)
    return flags


def _repeats(text: str, times: int = 4) -> bool:
    words = text.split()
    for size in (1, 2, 3):
        for start in range(len(words) - size * times + 1):
            gram = words[start : start + size]
            if all(words[start + k * size : start + (k + 1) * size] == gram for k in range(times)):
                return True
    return False


def real_translations(workspace: Workspace, document_id: int) -> dict[int, str]:
    """English translations of a document's sentences a reader may see: test-model output
    (:data:`TEST_MODEL_FLAG`) is never shown as a translation."""
    return {
        position: text
        for position, (text, flags, _) in workspace.sentence_translations(document_id).items()
        if TEST_MODEL_FLAG not in flags
    }
