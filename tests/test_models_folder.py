"""Models dropped into the project's ``models/`` folder are installed by ``workbench run``
and by ``workbench models add`` without a path."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from workbench.translate.models import REPO_MODELS, ModelStore, dropped_models, model_folders

from .test_cli import assert_one_line_error, workbench

MODELS = Path(__file__).parent / "data" / "models"
FA = MODELS / "translate-fa_en-test.argosmodel"
AR = MODELS / "translate-ar_en-test.argosmodel"


@pytest.fixture
def dropped(tmp_path, monkeypatch) -> Path:
    """A models/ folder holding the fa package as a file and the ar one unzipped."""
    folder = tmp_path / "models"
    folder.mkdir()
    shutil.copy(FA, folder)
    with zipfile.ZipFile(AR) as archive:
        archive.extractall(folder)
    (folder / "README.md").write_text("not a model", "utf-8")
    monkeypatch.setenv("WORKBENCH_MODELS", str(folder))
    return folder


def test_current_and_project_folders_are_looked_at(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_MODELS")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    folders = model_folders()
    assert folders[0] == (tmp_path / "models").resolve()
    assert folders[1:] == ([REPO_MODELS.resolve()] if REPO_MODELS.is_dir() else [])
    assert MODELS.resolve() not in folders  # the test models are never picked up by default


@pytest.mark.models
def test_dropped_files_and_folders_install_once(workspace, dropped):
    assert [p.name for p in dropped_models()] == ["translate-ar_en-test", FA.name]
    store = ModelStore(workspace)
    first = store.add_dropped()
    assert [(o.outcome, o.model.source_lang) for o in first] == [
        ("installed", "ar"),
        ("installed", "fa"),
    ]
    assert all(o.model.is_test_model for o in first)
    again = store.add_dropped()
    assert [o.outcome for o in again] == ["already installed"] * 2
    assert [o.model.name for o in again] == [o.model.name for o in first]
    assert len(store.list()) == 2


@pytest.mark.models
def test_a_bad_dropped_model_does_not_stop_the_others(workspace, dropped):
    (dropped / "broken.argosmodel").write_bytes(b"not a zip")
    outcomes = ModelStore(workspace).add_dropped()
    assert [o.path.name for o in outcomes if o.model is None] == ["broken.argosmodel"]
    assert "not a zip archive" in outcomes[0].outcome
    assert len(ModelStore(workspace).list()) == 2


@pytest.mark.models
@pytest.mark.subprocess
def test_models_add_without_a_path(tmp_path, dropped):
    ws = tmp_path / "ws"
    result = workbench("models", "add", workspace=ws)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("installed ") == 2 and f"from {dropped}" in result.stdout
    assert result.stderr.count("test model") == 2
    again = workbench("models", "add", workspace=ws)
    assert again.returncode == 0 and again.stdout.count("already installed") == 2
    (dropped / "broken.argosmodel").write_bytes(b"PK\x03\x04 truncated")
    assert_one_line_error(
        workbench("models", "add", workspace=ws), 1, "1 of 3 dropped model(s) could not"
    )


@pytest.mark.subprocess
def test_models_add_with_nothing_dropped(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MODELS", str(tmp_path))
    assert_one_line_error(
        workbench("models", "add", workspace=tmp_path / "ws"), 1, "no model given"
    )


@pytest.mark.models
@pytest.mark.subprocess
def test_run_installs_dropped_models_then_translates(tmp_path, dropped):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fa.txt").write_text("ما به تهران رفتیم و دوستان قدیمی را دیدیم.\n", "utf-8")
    ws = tmp_path / "ws"
    result = workbench("run", corpus, workspace=ws)
    assert result.returncode == 0, result.stderr
    assert "installed translate-fa_en" in result.stdout
    assert "no fa->en translation model" not in result.stderr
    again = workbench("run", corpus, workspace=ws)
    assert again.returncode == 0 and "installed" not in again.stdout
