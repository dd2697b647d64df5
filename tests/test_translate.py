"""Translation through the real path: a real .argosmodel, CTranslate2, sentencepiece, SQLite."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from workbench import Workspace, run
from workbench.translate import (
    CachedTranslator,
    CTranslate2Backend,
    TranslateStage,
    TranslationError,
    backend_for,
    quality_flags,
    thread_layout,
)
from workbench.translate.models import ModelError, ModelStore, inspect_package

from .conftest import SEEDS
from .test_cli import assert_one_line_error, workbench

MODELS = Path(__file__).parent / "data" / "models"
FA = MODELS / "translate-fa_en-test.argosmodel"
AR = MODELS / "translate-ar_en-test.argosmodel"


def pairs(package: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(package) as archive:
        root = archive.namelist()[0].split("/")[0]
        metadata = json.loads(archive.read(f"{root}/metadata.json"))
    return [(p["source"], p["target"]) for p in metadata["pairs"]]


@pytest.fixture
def installed(workspace):
    store = ModelStore(workspace)
    store.add(FA)
    store.add(AR)
    return workspace


@pytest.mark.models
def test_add_lists_and_flags_the_test_model(installed):
    models = ModelStore(installed).list()
    assert [(m.source_lang, m.target_lang) for m in models] == [("ar", "en"), ("fa", "en")]
    assert all(m.is_test_model for m in models)
    assert all(m.path.is_relative_to(installed.models_dir) for m in models)
    ModelStore(installed).verify(models[0].name)


@pytest.mark.subprocess
@pytest.mark.models
@pytest.mark.parametrize("package", [FA, AR], ids=["fa", "ar"])
def test_exact_outputs_through_the_cli(tmp_path, package):
    ws = tmp_path / "ws"
    assert workbench("models", "add", package, workspace=ws).returncode == 0
    sources, targets = zip(*pairs(package), strict=True)
    lang = "fa" if package == FA else "ar"
    result = workbench(
        "translate", "-", "--from", lang, workspace=ws, stdin="\n".join(sources) + "\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == list(targets)
    assert "test model" in result.stderr


@pytest.mark.models
def test_batch_equals_one_by_one(installed):
    backend = backend_for(installed, "fa")
    sources, targets = zip(*pairs(FA), strict=True)
    assert backend.translate(list(sources)) == list(targets)
    assert [backend.translate([s])[0] for s in sources] == list(targets)


@pytest.mark.parametrize(("cores", "layout"), [(1, (1, 1)), (2, (2, 1)), (8, (4, 2))])
def test_thread_layout_runs_one_batch_per_core(cores, layout):
    assert thread_layout(cores) == layout


@pytest.mark.models
def test_backend_decodes_batches_in_parallel(installed):
    """Two batches on one thread each decode ~35% faster than one on two (BENCHMARKS.md)."""
    backend = backend_for(installed, "fa")
    assert backend.translator.num_translators == thread_layout()[0]


@pytest.mark.models
def test_line_count_and_order_kept_with_empty_lines(installed):
    backend = backend_for(installed, "ar")
    (s1, t1), (s2, t2) = pairs(AR)[1:3]
    assert backend.translate([s1, "", "  ", s2, s1]) == [t1, "", "", t2, t1]


@pytest.mark.models
def test_cache_means_a_second_run_translates_nothing(installed):
    translator = CachedTranslator(installed, backend_for(installed, "fa"))
    sources, targets = zip(*pairs(FA), strict=True)
    first, report = translator.translate_with_flags(list(sources))
    assert report.translated == len(sources) and report.cached == 0
    again, report = translator.translate_with_flags(list(sources))
    assert report.translated == 0 and report.cached == len(sources)
    assert [t for t, _ in again] == list(targets) == [t for t, _ in first]
    assert all("test-model" in flags for _, flags in again)


@pytest.mark.models
def test_cache_is_keyed_by_normalised_text(installed):
    translator = CachedTranslator(installed, backend_for(installed, "fa"))
    translator.translate(["مریم رجوی"])
    _, report = translator.translate_with_flags(["مريم رجوي"])  # Arabic YEH, same Persian words
    assert report.translated == 0


@pytest.mark.models
def test_ten_thousand_character_line(installed):
    backend = backend_for(installed, "fa")
    long_line = " ".join(["مریم رجوی"] * 1200)[:10_000]
    results, _ = CachedTranslator(installed, backend).translate_with_flags([long_line, "مریم رجوی"])
    assert len(results) == 2
    assert "split-long-input" in results[0][1]
    assert results[1][0] == "Maryam Rajavi"


def test_missing_model_is_a_clear_error(workspace):
    with pytest.raises(TranslationError, match="workbench models add translate-fa_en"):
        backend_for(workspace, "fa")


@pytest.mark.subprocess
def test_translate_cli_without_model(tmp_path):
    result = workbench("translate", "-", "--from", "de", workspace=tmp_path / "ws", stdin="Hallo\n")
    assert_one_line_error(result, 1, "no de->en translation model installed")


@pytest.mark.models
@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p.write_bytes(FA.read_bytes()[:5000]), "corrupt or truncated package"),
        (lambda p: p.write_text("not a zip"), "not a zip archive"),
        (lambda p: _zip(p, {"pkg/metadata.json": "{}"}), "missing model/model.bin"),
        (lambda p: _zip(p, {"a/metadata.json": "{}", "b/x": ""}), "exactly one folder"),
        (lambda p: _zip(p, {"pkg/../../evil.txt": "x"}), "unsafe path"),
        (
            lambda p: _zip(
                p,
                {
                    "pkg/metadata.json": "{not json",
                    "pkg/model/model.bin": "",
                    "pkg/sentencepiece.model": "",
                },
            ),
            "not valid JSON",
        ),
        (
            lambda p: _zip(
                p,
                {
                    "pkg/metadata.json": '{"type": "sbd", "from_code": "fa", "to_code": "fa"}',
                    "pkg/model/model.bin": "",
                    "pkg/sentencepiece.model": "",
                },
            ),
            "not a translation package",
        ),
        (
            lambda p: _zip(
                p,
                {
                    "pkg/metadata.json": '{"from_code": "fa", "to_code": "en"}',
                    "pkg/model/model.bin": "garbage",
                    "pkg/sentencepiece.model": "garbage",
                },
            ),
            "model does not load",
        ),
    ],
)
def test_broken_packages_are_refused_and_nothing_installed(workspace, tmp_path, make, message):
    bad = tmp_path / "bad.argosmodel"
    make(bad)
    with pytest.raises(ModelError, match=message):
        ModelStore(workspace).add(bad)
    assert ModelStore(workspace).list() == []
    assert list(ModelStore(workspace).folder.iterdir()) == []


@pytest.mark.models
def test_checksum_mismatch_is_refused(workspace):
    with pytest.raises(ModelError, match="SHA-256 is"):
        ModelStore(workspace).add(FA, "0" * 64)


@pytest.mark.models
def test_inspect_reads_pair_without_extracting():
    root, metadata = inspect_package(AR)
    assert root == "translate-ar_en-test"
    assert (metadata["from_code"], metadata["to_code"]) == ("ar", "en")


def _zip(path: Path, files: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


@pytest.mark.parametrize(
    "source,output,flag",
    [
        ("مریم رجوی در پاریس سخنرانی کرد", "مریم رجوی در پاریس سخنرانی کرد", "echo"),
        ("مریم رجوی در پاریس سخنرانی کرد", "مریم رجوی in Paris سخنرانی کرد", "echo"),
        ("مریم رجوی در پاریس سخنرانی کرد", "", "empty"),
        ("مریم رجوی در پاریس سخنرانی کرد", "the the the the the rally", "repetition"),
        ("مریم رجوی در پاریس سخنرانی کرد و گفت که رژیم سقوط خواهد کرد", "Yes.", "length-ratio"),
    ],
)
def test_quality_flags(source, output, flag):
    assert flag in quality_flags(source, output)


def test_good_translation_has_no_flags():
    assert quality_flags("مریم رجوی در پاریس سخنرانی کرد", "Maryam Rajavi spoke in Paris") == []


@pytest.mark.models
def test_run_translates_non_english_sentences_with_installed_models(installed):
    report = run(installed, [SEEDS], stages=[TranslateStage()])
    [stage] = report.stages
    assert stage.name == "translate"
    assert "fa:" in stage.summary and "ar:" in stage.summary
    assert any("test model" in w for w in stage.warnings)
    again = run(installed, [SEEDS], stages=[TranslateStage()])
    assert "0 translated" in again.stages[0].summary


def test_run_without_models_warns_once_per_language_and_carries_on(workspace):
    report = run(workspace, [SEEDS], stages=[TranslateStage()])
    [stage] = report.stages
    assert stage.summary == "no model for ar, fa (not translated)"
    jobs = workspace.jobs("translate")
    assert sorted((j.unit.source_lang, j.unit.target_lang, j.state) for j in jobs) == [
        ("ar", "en", "failed"),
        ("fa", "en", "failed"),
    ]
    assert sorted(w.split()[1] for w in stage.warnings) == ["ar->en", "fa->en"]
    assert workspace.counts()["documents"] == 6


@pytest.mark.subprocess
@pytest.mark.models
@pytest.mark.slow
def test_interrupted_run_resumes_without_redoing_work(tmp_path):
    """kill -9 in the middle of translation, then run again: nothing redone, nothing broken."""
    ws = tmp_path / "ws"
    assert workbench("models", "add", FA, workspace=ws).returncode == 0
    assert workbench("ingest", SEEDS, workspace=ws).returncode == 0
    db = ws / "workbench.db"
    env = {**os.environ, "WORKBENCH_WORKSPACE": str(ws), "WORKBENCH_TRANSLATE_CHUNK": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", str(SEEDS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    count = 0
    while time.time() < deadline and count < 6:
        time.sleep(0.05)
        with sqlite3.connect(db, timeout=10) as conn:
            count = conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert count >= 6, "translation never started"
    with sqlite3.connect(db) as conn:
        partial = conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Workspace(ws) as workspace:
        todo = workspace.conn.execute(
            "SELECT COUNT(DISTINCT norm) FROM sentences WHERE lang = 'fa'"
        ).fetchone()[0]
    assert partial < todo, "the run finished before it was killed; nothing was tested"
    result = workbench("run", SEEDS, workspace=ws)
    assert result.returncode == 0, result.stderr
    assert f"fa: {todo - partial} translated" in result.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == todo


@pytest.mark.models
def test_engine_matches_argostranslate(installed):
    """Same package, same beam: identical output to argostranslate's own decoding code."""
    translate = pytest.importorskip("argostranslate.translate")
    from argostranslate.package import Package

    model = ModelStore(installed).for_pair("fa")
    package = Package(model.path)
    backend = CTranslate2Backend.from_installed(model)
    sources = [s for s, _ in pairs(FA)] + ["چیزی که مدل ندیده است"]

    class OneSentence:
        def split_sentences(self, text):
            return [text]

    expected = [
        translate.apply_packaged_translation(package, s, backend.translator, OneSentence(), 1)[
            0
        ].value
        for s in sources
    ]
    assert backend.translate(sources) == expected


@pytest.mark.subprocess
def test_models_install_fails_fast_offline(tmp_path):
    start = time.time()
    result = workbench("models", "install", "fa", "en", workspace=tmp_path / "ws")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "cannot reach the Argos package index" in result.stderr
        or "argostranslate is not installed" in result.stderr
    )
    assert "workbench models add" in result.stderr
    assert time.time() - start < 60


@pytest.mark.subprocess
@pytest.mark.models
def test_models_cli_add_list_verify_remove(tmp_path):
    ws = tmp_path / "ws"
    assert workbench("models", "add", AR, workspace=ws).returncode == 0
    listed = json.loads(workbench("models", "list", "--json", workspace=ws).stdout)
    assert [(m["from"], m["to"], m["test_model"]) for m in listed] == [("ar", "en", True)]
    assert workbench("models", "verify", workspace=ws).stdout.startswith("ok ")
    assert workbench("models", "remove", listed[0]["name"], workspace=ws).returncode == 0
    assert json.loads(workbench("models", "list", "--json", workspace=ws).stdout) == []
    assert_one_line_error(
        workbench("models", "remove", "nope", workspace=ws), 1, "no installed model named 'nope'"
    )


@pytest.mark.models
def test_other_ctranslate2_models_plug_in(workspace, tmp_path):
    """A plain CTranslate2 folder + sentencepiece model (as OPUS-MT/NLLB users have)."""
    with zipfile.ZipFile(AR) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "translate-ar_en-test"
    store = ModelStore(workspace)
    model = store.add_ctranslate2(
        folder / "model",
        "ar",
        "en",
        folder / "sentencepiece.model",
        target_spm=folder / "sentencepiece.model",
        name="opus-like",
    )
    backend = CTranslate2Backend.from_installed(model)
    sources, targets = zip(*pairs(AR), strict=True)
    assert backend.translate(list(sources)) == list(targets)
    with pytest.raises(ModelError, match="no such file"):
        store.add_ctranslate2(tmp_path / "missing", "ar", "en", folder / "sentencepiece.model")


def _ct2_folder(tmp_path: Path) -> Path:
    with zipfile.ZipFile(AR) as archive:
        archive.extractall(tmp_path)
    return tmp_path / "translate-ar_en-test"


def _tiny_target_spm(path: Path) -> Path:
    """A separate target vocabulary (as OPUS-MT has), told apart by its size."""
    import io

    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter([target for _, target in pairs(AR)] * 4),
        model_writer=model,
        vocab_size=40,
        model_type="char",
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    return path


def _pieces(spm: Path) -> int:
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=str(spm)).get_piece_size()


@pytest.mark.models
def test_add_ct2_prefix_suffix_and_target_vocabulary_are_used(workspace, tmp_path):
    """NLLB-style tokens and a separate target vocabulary stored by `models add-ct2`
    reach the model: the source between its prefix and suffix, the target prefix
    passed to CTranslate2 and left out of the output, decoded with the target model."""
    folder = _ct2_folder(tmp_path)
    target_spm = _tiny_target_spm(tmp_path / "target.model")
    model = ModelStore(workspace).add_ctranslate2(
        folder / "model",
        "ar",
        "en",
        folder / "sentencepiece.model",
        target_spm,
        source_prefix="arb_Arab",
        source_suffix="</s>",
        target_prefix="eng_Latn",
        name="nllb-like",
    )
    backend = CTranslate2Backend.from_installed(model)
    assert backend.recipe["target_spm"].endswith("target.spm")
    assert _pieces(target_spm) != _pieces(folder / "sentencepiece.model")
    assert backend.target_sp.get_piece_size() == _pieces(target_spm)  # decodes with the target's
    source = backend.source_sp.encode("موجة جديدة", out_type=str)
    assert backend.tokenise("موجة جديدة") == [["arb_Arab", *source, "</s>"]]
    english = backend.target_sp.encode("A new wave", out_type=str)
    assert backend._detokenise(["eng_Latn", *english]) == "A new wave"


@pytest.mark.subprocess
@pytest.mark.models
def test_add_ct2_tokens_reach_translate_batch(tmp_path):
    """One real call through `models add-ct2` and the stage's backend: what CTranslate2
    receives, and that the target prefix token is not in the translation."""
    folder = _ct2_folder(tmp_path)
    ws = tmp_path / "ws"
    added = workbench(
        "models",
        "add-ct2",
        folder / "model",
        "--from",
        "ar",
        "--source-spm",
        folder / "sentencepiece.model",
        "--source-prefix",
        "<s>",
        "--source-suffix",
        "</s>",
        "--target-prefix",
        "▁",
        workspace=ws,
    )
    assert added.returncode == 0, added.stderr
    with Workspace(ws) as workspace:
        backend = backend_for(workspace, "ar")
        assert not backend.is_test_model  # the added model, not a test package
        calls = []
        real = backend.translator

        class Recorder:
            def translate_batch(self, source, **options):
                calls.append((source, options))
                return real.translate_batch(source, **options)

        backend.translator = Recorder()
        [output] = backend.translate(["موجة جديدة"])
    [(batch, options)] = calls
    assert batch[0][0] == "<s>" and batch[0][-1] == "</s>"
    assert options["target_prefix"] == [["▁"]]
    assert output and not output.startswith(("▁", " "))
