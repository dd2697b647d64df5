"""The model store: translation packages installed into the workspace.

Argos packages (``.argosmodel``) are zip files holding one folder with
``metadata.json``, a CTranslate2 model in ``model/`` and a
``sentencepiece.model``. They are checked before anything is written
(zip integrity, member paths, metadata, model files, optional SHA-256),
extracted under ``W/models/translate/`` and recorded in the ``models`` table,
so a workspace folder carries its models with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import WorkbenchError
from ..limits import LimitError, check_zip, make_temp_dir, model_limits, sweep_temp_dirs
from ..store import ModelRow, Workspace, WorkspaceError, dumps
from ..text.langid import ISO_639_1

TRANSLATE_DIR = "translate"
REQUIRED_FILES = ("metadata.json", "model/model.bin", "sentencepiece.model")
TARGET_SPM = "target.spm"  # only for models with a separate target vocabulary (OPUS-MT)
METADATA_MAX = 64 * 1024  # bytes of metadata.json read (a real one is under 2 KiB)
MODEL_LANGUAGES = ISO_639_1 | {"zt", "pb"}  # Argos' codes for Traditional Chinese, Brazilian
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]*")


class ModelError(WorkbenchError):
    """A package or model problem; the message is one line a user can act on."""


@dataclass(frozen=True)
class InstalledModel:
    name: str
    source_lang: str
    target_lang: str
    path: Path
    checksum: str
    metadata: dict

    @property
    def is_test_model(self) -> bool:
        return bool(self.metadata.get("workbench_test_model"))

    @property
    def version(self) -> str:
        return str(self.metadata.get("package_version", ""))

    @property
    def key(self) -> str:
        """Identity used by the translation cache: a new package version is a new model."""
        return f"{self.name}@{self.checksum[:16]}"

    def record(self) -> dict:
        """What ``models list --json`` prints and the app's Models page shows."""
        return {
            "name": self.name,
            "from": self.source_lang,
            "to": self.target_lang,
            "version": self.version,
            "note": "TEST MODEL" if self.is_test_model else "",
            "sha256": self.checksum,
            "test_model": self.is_test_model,
            "path": str(self.path),
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def inspect_package(path: Path, expected_sha256: str | None = None) -> tuple[str, dict]:
    """Check an .argosmodel without extracting it; return its folder name and metadata.

    Sizes are checked against :func:`~workbench.limits.model_limits` from the zip's
    directory before any member is decompressed (even by the CRC test).
    """
    if expected_sha256 is not None and not _SHA256.fullmatch(expected_sha256):
        raise ModelError(
            f"expected SHA-256 {expected_sha256!r} is not 64 hexadecimal digits"
            " (leave the option out to skip the check)"
        )
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    try:
        limits = model_limits()
    except LimitError as error:
        raise ModelError(str(error)) from None
    checksum = sha256_file(path)
    if expected_sha256 is not None and checksum != expected_sha256.lower():
        raise ModelError(f"{path}: SHA-256 is {checksum}, expected {expected_sha256}")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            starts_like_zip = handle.read(4) == b"PK\x03\x04"
        if starts_like_zip:
            raise ModelError(f"{path}: corrupt or truncated package (no zip directory)")
        raise ModelError(f"{path}: not an Argos package (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            root = _single_root(path, archive.namelist())
            check_zip(archive, limits)
            bad = archive.testzip()
            if bad is not None:
                raise ModelError(f"{path}: corrupt package (bad CRC in {bad})")
            names = set(archive.namelist())
            missing = [f for f in REQUIRED_FILES if f"{root}/{f}" not in names]
            if f"{root}/bpe.model" in names and "sentencepiece.model" in str(missing):
                raise ModelError(
                    f"{path}: BPE-tokenised packages are not supported yet "
                    "(sentencepiece packages are)"
                )
            if missing:
                raise ModelError(
                    f"{path}: not a translation package (missing {', '.join(missing)})"
                )
            if archive.getinfo(f"{root}/metadata.json").file_size > METADATA_MAX:
                raise ModelError(
                    f"{path}: metadata.json is over {METADATA_MAX // 1024} KiB"
                    " (a real one is a few hundred bytes)"
                )
            metadata = json.loads(archive.read(f"{root}/metadata.json").decode("utf-8"))
    except LimitError as error:
        raise ModelError(f"{path}: {error}") from None
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ModelError(f"{path}: corrupt or truncated package ({error})") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ModelError(f"{path}: metadata.json is not valid JSON") from None
    if not isinstance(metadata, dict):
        raise ModelError(f"{path}: metadata.json is not an object")
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"{path}: a {metadata.get('type')!r} package, not a translation package")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise ModelError(f"{path}: metadata.json has no {key}")
    try:
        check_language_pair(metadata["from_code"], metadata["to_code"])
        _check_version(metadata.get("package_version", "0"))
    except ModelError as error:
        raise ModelError(f"{path}: metadata.json: {error}") from None
    return root, metadata


def check_language_pair(source_lang: str, target_lang: str) -> None:
    """Both codes are known ISO 639-1 codes (or Argos' own zt, pb), and differ."""
    for code in (source_lang, target_lang):
        if code not in MODEL_LANGUAGES:
            shown = code if len(code) <= 20 else code[:20] + "..."
            raise ModelError(f"{shown!r} is not a known ISO 639-1 language code")
    if source_lang == target_lang:
        raise ModelError(f"a model from {source_lang} to {target_lang} translates nothing")


def _check_version(version: object) -> None:
    """A version is short and has no path characters (it becomes part of a folder name)."""
    text = str(version)
    if len(text) > 40 or not _VERSION.fullmatch(text):
        raise ModelError(f"package_version {text[:40]!r} is not a version (like 1.9)")


def _single_root(path: Path, names: list[str]) -> str:
    """The package's one top-level folder; refuse absolute paths, '..' and stray files."""
    roots = set()
    for name in names:
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or not parts or ":" in parts[0]:
            raise ModelError(f"{path}: unsafe path in package: {name!r}")
        roots.add(parts[0])
    if len(roots) != 1:
        raise ModelError(f"{path}: a package must hold exactly one folder (found {len(roots)})")
    return roots.pop()


class ModelStore:
    """Installed models of one workspace.

    Packages are extracted into a ``tmp-PID-...`` folder inside ``models/translate/``,
    removed on any failure; opening the store sweeps away such folders of processes
    that are gone, and model folders no ``models`` row records (an install killed
    between moving its folder into place and committing).
    """

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.folder = workspace.models_dir / TRANSLATE_DIR
        if not workspace.read_only:  # a read-only copy can still list and verify its models
            self.folder.mkdir(parents=True, exist_ok=True)
            sweep_temp_dirs(self.folder)
            self._sweep_unregistered()

    def _sweep_unregistered(self) -> None:
        """Remove model folders no row records; under the write lock, which an install
        holds from before it moves a folder into place until its row is committed."""
        if not self._unregistered():
            return
        try:
            with self.workspace.transaction():
                for folder in self._unregistered():
                    shutil.rmtree(folder, ignore_errors=True)
        except WorkspaceError:
            pass  # read-only or busy: try again at the next start

    def _unregistered(self) -> list[Path]:
        recorded = {(self.workspace.path / path).resolve() for path in self.workspace.model_paths()}
        return [
            entry
            for entry in self.folder.iterdir()
            if entry.is_dir()
            and not entry.name.startswith("tmp")
            and not entry.is_symlink()
            and entry.resolve() not in recorded
        ]

    def add(self, path: Path, expected_sha256: str | None = None) -> InstalledModel:
        """Verify and install an .argosmodel file; replaces an older copy of the same package."""
        path = Path(path)
        root, metadata = inspect_package(path, expected_sha256)
        checksum = sha256_file(path)
        name = _package_name(metadata)

        def unzip(tmp: Path) -> Path:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(tmp)
            return tmp / root

        return self._install_staged(unzip, name, metadata, checksum)

    def add_folder(self, folder: Path) -> InstalledModel:
        """Install a model folder in the installed layout (``metadata.json``,
        ``model/model.bin``, ``sentencepiece.model``, optional ``target.spm``): an
        unzipped package, or a folder ``models add-ct2`` made."""
        folder = Path(folder)
        metadata = read_folder_metadata(folder)
        name = _safe_name(folder.name) or _package_name(metadata)

        def copy(tmp: Path) -> Path:
            shutil.copytree(folder, tmp / name)
            return tmp / name

        return self._install_staged(copy, name, metadata)

    def add_dropped(self, folders: list[Path] | None = None) -> list[DroppedModel]:
        """Install the models dropped into the project's ``models/`` folders
        (:func:`dropped_models`); one already installed (same checksum) is skipped, and a
        bad one is reported, not raised, so the others still install."""
        outcomes = []
        for path in dropped_models(folders):
            try:
                checksum = dropped_checksum(path)
                known = next((m for m in self.list() if m.checksum == checksum), None)
                if known is not None:
                    outcomes.append(DroppedModel(path, known, "already installed"))
                    continue
                model = self.add_folder(path) if path.is_dir() else self.add(path)
                outcomes.append(DroppedModel(path, model, "installed"))
            except (ModelError, OSError) as error:
                outcomes.append(DroppedModel(path, None, str(error)))
        return outcomes

    def add_ctranslate2(
        self,
        model_dir: Path,
        source_lang: str,
        target_lang: str,
        source_spm: Path,
        target_spm: Path | None = None,
        *,
        source_prefix: str = "",
        source_suffix: str = "",
        target_prefix: str = "",
        name: str | None = None,
    ) -> InstalledModel:
        """Install any CTranslate2 seq2seq model with sentencepiece models (OPUS-MT, NLLB).

        OPUS-MT wants ``</s>`` after the source (``source_suffix``); NLLB wants the
        source language token before it and ``</s>`` after it, and the target language
        token as ``target_prefix`` (e.g. pes_Arab ... </s> -> eng_Latn).
        """
        model_dir, source_spm = Path(model_dir), Path(source_spm)
        for path in (model_dir / "model.bin", source_spm, *([target_spm] if target_spm else [])):
            if not Path(path).is_file():
                raise ModelError(f"{path}: no such file")
        check_language_pair(source_lang, target_lang)
        name = _safe_name(name or f"ct2-{source_lang}_{target_lang}-{model_dir.name}")
        metadata = {
            "type": "translate",
            "from_code": source_lang,
            "to_code": target_lang,
            "package_version": "ct2",
            "source_prefix": source_prefix,
            "source_suffix": source_suffix,
            "target_prefix": target_prefix,
            "description": f"CTranslate2 model added from {model_dir}",
        }

        def assemble(tmp: Path) -> Path:
            staged = tmp / name
            shutil.copytree(model_dir, staged / "model")
            shutil.copy(source_spm, staged / "sentencepiece.model")
            if target_spm:
                shutil.copy(target_spm, staged / TARGET_SPM)
            (staged / "metadata.json").write_text(dumps(metadata), "utf-8")
            return staged

        return self._install_staged(assemble, name, metadata)

    def _install_staged(
        self,
        stage: Callable[[Path], Path],
        name: str,
        metadata: dict,
        checksum: str | None = None,
    ) -> InstalledModel:
        """Stage a model in a temporary folder (``stage(tmp)`` returns the staged folder)
        and install it; the temporary folder always goes. The checksum is the package
        file's when there is one, else the model weights'."""
        tmp = make_temp_dir(self.folder)
        try:
            staged = stage(tmp)
            checksum = checksum or sha256_file(staged / "model" / "model.bin")
            return self._install(staged, name, metadata, checksum)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _install(self, staged: Path, name: str, metadata: dict, checksum: str) -> InstalledModel:
        """Check a staged folder, move it into place (replacing an older copy), record it.

        The row and the move happen under one write transaction: if either fails (a lock,
        a read-only workspace, a full disk), the new folder goes back to the temporary
        folder (removed by the caller) and an older copy is put back, so no folder is
        left that the ``models`` table does not record.
        """
        verify_folder(staged)
        destination = self.folder / name
        previous = staged.parent / ".previous"  # a name _safe_name never produces
        moved = False
        try:
            with self.workspace.transaction():
                self._record(name, metadata, destination, checksum)
                if destination.exists():
                    destination.rename(previous)
                staged.rename(destination)
                moved = True
        except BaseException:
            if moved:
                destination.rename(staged)
            if previous.exists():
                previous.rename(destination)
            raise
        return self.get(name)

    def _record(self, name: str, metadata: dict, destination: Path, checksum: str) -> None:
        self.workspace.record_translation_model(
            ModelRow(
                name,
                metadata["from_code"],
                metadata["to_code"],
                str(destination.relative_to(self.workspace.path)),
                checksum,
                metadata,
            )
        )

    def list(self) -> list[InstalledModel]:
        return [self._model(row) for row in self.workspace.translation_models()]

    def get(self, name: str) -> InstalledModel:
        row = self.workspace.translation_model(name)
        if row is None:
            raise ModelError(f"no installed model named {name!r} (see `workbench models list`)")
        return self._model(row)

    def for_pair(self, source_lang: str, target_lang: str = "en") -> InstalledModel | None:
        """The installed model for a language pair; real models win over test models."""
        candidates = [
            m for m in self.list() if m.source_lang == source_lang and m.target_lang == target_lang
        ]
        candidates.sort(key=lambda m: (m.is_test_model, m.name))
        return candidates[0] if candidates else None

    def remove(self, name: str) -> None:
        model = self.get(name)
        self.workspace.remove_translation_model(name)
        shutil.rmtree(model.path, ignore_errors=True)

    def verify(self, name: str) -> None:
        verify_folder(self.get(name).path)

    def _model(self, row: ModelRow) -> InstalledModel:
        return InstalledModel(
            row.name,
            row.source_lang,
            row.target_lang,
            self.workspace.path / row.path,
            row.checksum,
            row.meta,
        )


def verify_folder(folder: Path) -> None:
    """An installed package folder is complete and its model loads."""
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelError(
            f"{folder.name}: damaged install (missing {', '.join(missing)}); add the package again"
        )
    import ctranslate2
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
        ctranslate2.Translator(str(folder / "model"), device="cpu", intra_threads=1)
    except (RuntimeError, OSError, ValueError) as error:
        raise ModelError(
            f"{folder.name}: model does not load ({str(error).splitlines()[0]})"
        ) from None


REPO_MODELS = Path(__file__).resolve().parents[2] / "models"
"""The project's ``models/`` folder (in a checkout; absent from an installed package)."""


@dataclass(frozen=True)
class DroppedModel:
    path: Path
    model: InstalledModel | None  # None: not installed (``outcome`` says why)
    outcome: str  # installed | already installed | the error


def model_folders() -> list[Path]:
    """Where dropped models are looked for: the current directory's ``models/``, then the
    project's (the checkout this package runs from); folders that exist, each once.
    ``WORKBENCH_MODELS`` (folders separated by ``os.pathsep``) replaces both; set empty,
    none is looked at (the tests do so)."""
    setting = os.environ.get("WORKBENCH_MODELS")
    if setting is None:
        candidates = [Path.cwd() / "models", REPO_MODELS]
    else:
        candidates = [Path(p) for p in setting.split(os.pathsep) if p]
    found: list[Path] = []
    for folder in candidates:
        if folder.is_dir() and folder.resolve() not in found:
            found.append(folder.resolve())
    return found


def dropped_models(folders: list[Path] | None = None) -> list[Path]:
    """``.argosmodel`` files and model folders (``model/model.bin`` and
    ``metadata.json``) directly inside ``folders`` (default :func:`model_folders`),
    by name. A workspace's own ``models/`` (its ``translate/`` store) holds neither."""
    found = []
    for folder in model_folders() if folders is None else folders:
        if not Path(folder).is_dir():
            continue
        for entry in sorted(Path(folder).iterdir()):
            if _looks_like_model(entry):
                found.append(entry)
    return found


def _looks_like_model(entry: Path) -> bool:
    if entry.is_symlink() or entry.name.startswith("."):
        return False
    if entry.is_dir():
        return (entry / "model" / "model.bin").is_file()
    return entry.suffix == ".argosmodel" and entry.is_file()


def dropped_checksum(path: Path) -> str:
    """The checksum the store records for it: the package file's, or a folder's model.bin."""
    return sha256_file(path / "model" / "model.bin" if path.is_dir() else path)


def read_folder_metadata(folder: Path) -> dict:
    """A model folder's ``metadata.json``, checked as a package's is; no symlinks inside."""
    if any(p.is_symlink() for p in folder.rglob("*")):
        raise ModelError(f"{folder}: holds symbolic links (copy the files in)")
    meta_path = folder / "metadata.json"
    if not meta_path.is_file():
        raise ModelError(f"{folder}: not a model folder (missing metadata.json)")
    if meta_path.stat().st_size > METADATA_MAX:
        raise ModelError(f"{folder}: metadata.json is over {METADATA_MAX // 1024} KiB")
    try:
        metadata = json.loads(meta_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ModelError(f"{folder}: metadata.json is not valid JSON") from None
    if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
        raise ModelError(f"{folder}: metadata.json does not describe a translation model")
    try:
        check_language_pair(str(metadata.get("from_code")), str(metadata.get("to_code")))
        _check_version(metadata.get("package_version", "0"))
    except ModelError as error:
        raise ModelError(f"{folder}: metadata.json: {error}") from None
    return metadata


def _safe_name(text: str) -> str:
    """Only letters, digits, '-' and '_': names from metadata never become odd paths."""
    return "".join(ch for ch in text if ch.isalnum() or ch in "-_")


def _package_name(metadata: dict) -> str:
    """translate-<from>_<to>-<version>, built from metadata, never from paths in the zip."""
    version = str(metadata.get("package_version", "0")).replace(".", "_")
    return (
        f"translate-{_safe_name(metadata['from_code'])}_{_safe_name(metadata['to_code'])}"
        f"-{_safe_name(version)}"
    )


INDEX_TIMEOUT = 5.0


def download_argos_package(source_lang: str, target_lang: str) -> Path:
    """Fetch a package through argostranslate's own index and download code.

    Offline, or without argostranslate, fail fast with the way to add a file by hand.
    """
    by_hand = (
        f"copy translate-{source_lang}_{target_lang}-*.argosmodel here and run "
        "`workbench models add FILE`"
    )
    try:
        from argostranslate import package, settings
    except ImportError:
        raise ModelError(
            "argostranslate is not installed (pip install -e '.[argos]' on a "
            f"connected machine); or {by_hand}"
        ) from None
    import socket
    import urllib.parse

    host = urllib.parse.urlparse(settings.remote_package_index).hostname or ""
    try:
        socket.create_connection((host, 443), timeout=INDEX_TIMEOUT).close()
    except OSError:
        raise ModelError(
            f"cannot reach the Argos package index ({host}): offline? Instead {by_hand}"
        ) from None
    package.update_package_index()
    for available in package.get_available_packages():
        if available.from_code == source_lang and available.to_code == target_lang:
            return Path(available.download())
    raise ModelError(f"the Argos index has no {source_lang}->{target_lang} package")
