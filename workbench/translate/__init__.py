"""Offline translation to English.

* :mod:`.backend`: the CTranslate2 engine (one input line, one output line) and picking
  the installed model for a language pair;
* :mod:`.flags`: what is suspicious about one translation;
* :mod:`.cache`: translation through the workspace cache, resumable;
* :mod:`.stage`: ``workbench run``'s translation stage;
* :mod:`.models`: the model store (Argos packages and CTranslate2 folders in the workspace).
"""

from .backend import (
    Backend,
    CTranslate2Backend,
    DecodeOptions,
    TranslationError,
    backend_for,
    decode_options,
    missing_model_message,
    thread_layout,
)
from .cache import CachedTranslator, TranslateReport
from .flags import quality_flags
from .stage import TranslateStage

__all__ = [
    "Backend",
    "CTranslate2Backend",
    "CachedTranslator",
    "DecodeOptions",
    "TranslateReport",
    "TranslateStage",
    "TranslationError",
    "backend_for",
    "decode_options",
    "missing_model_message",
    "quality_flags",
    "thread_layout",
]
