"""The library API in ``workbench/__init__.py``, and the README example that shows it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import workbench
from workbench import Workspace, align_texts, export_links, translate_lines
from workbench.translate import TranslationError

ROOT = Path(__file__).resolve().parents[1]
STORIES = ROOT / "tests" / "data" / "stories"


def readme_example() -> str:
    """The first Python block of README's "Python API" section."""
    section = (ROOT / "README.md").read_text("utf-8").split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow
def test_readme_example_runs(tmp_path, monkeypatch):
    """Run as written, in a folder where ``seeds/`` is the small stories corpus (six
    documents: two stories in en, fa, ar) rather than the bundled seeds, for speed."""
    shutil.copytree(STORIES, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(readme_example(), "README.md", "exec"), names)
    ws, report, tsv, result = (names[k] for k in ("ws", "report", "tsv", "result"))
    assert ws.path.resolve() == tmp_path / "my-project"
    assert report.count("added") == 6
    header, *rows = tsv.splitlines()
    assert header.startswith("event\tsrc_doc\ttgt_doc") and rows
    assert all(float(row.split("\t")[12]) >= 0.5 or "\tconfirmed\t" in row for row in rows)
    assert result.mode in ("parallel", "comparable") and result.links
    ws.close()


def test_export_returns_text_or_writes_a_file(seeded_with_stories, tmp_path):
    ws = seeded_with_stories
    tsv = export_links(ws, "tsv")
    assert isinstance(tsv, str) and tsv.count("\n") > 1
    assert isinstance(export_links(ws, "tmx"), bytes)
    count = export_links(ws, "json", tmp_path / "links.json")
    assert count == tsv.count("\n") - 1
    assert len(json.loads((tmp_path / "links.json").read_text("utf-8"))["links"]) == count


def test_align_caches_vectors_in_the_workspace(workspace):
    src = ["The match ended in a draw.", "Fans celebrated late."]
    tgt = ["مسابقه مساوی شد.", "هواداران تا دیروقت جشن گرفتند."]
    result = align_texts(
        src, tgt, src_lang="en", tgt_lang="fa", mode="parallel", workspace=workspace
    )
    assert [(link.src, link.tgt) for link in result.links] == [((0,), (0,)), ((1,), (1,))]
    count = "SELECT COUNT(*) FROM embeddings"
    stored = workspace.conn.execute(count).fetchone()[0]
    assert stored >= 4  # every sentence (and the windows parallel mode joins)
    again = align_texts(
        src, tgt, src_lang="en", tgt_lang="fa", mode="parallel", workspace=workspace
    )
    assert again.links == result.links
    assert workspace.conn.execute(count).fetchone()[0] == stored


def test_align_embeds_every_window_only_when_asked(tmp_path):
    """Gold-standard work can ask for every window of 2-4 sentences to be embedded; the
    default embeds only those that can change the path, with the same links here."""
    en = (ROOT / "tests" / "data" / "parallel" / "en.txt").read_text("utf-8").splitlines()
    fa = (ROOT / "tests" / "data" / "parallel" / "fa.txt").read_text("utf-8").splitlines()
    stored, ladders = {}, {}
    for windows in ("auto", "embed"):
        ws = Workspace(tmp_path / windows)
        result = align_texts(en, fa, src_lang="en", tgt_lang="fa", mode="parallel", workspace=ws,
                       windows=windows)  # fmt: skip
        ladders[windows] = [(link.src, link.tgt) for link in result.links]
        stored[windows] = len(ws.embedding_keys())
        ws.close()
    sentences = len(set(en)) + len(set(fa))
    assert ladders["auto"] == ladders["embed"]
    assert stored["embed"] > 2 * sentences > stored["auto"] >= sentences


def test_translate_without_a_model_names_the_command(workspace):
    with pytest.raises(TranslationError, match="workbench models add"):
        translate_lines(["سلام."], source_lang="fa", workspace=workspace)


@pytest.mark.models
def test_translate_with_an_installed_model(workspace):
    from workbench.translate.models import ModelStore

    ModelStore(workspace).add(
        ROOT / "tests" / "data" / "models" / "translate-fa_en-test.argosmodel"
    )
    lines = ["سلام.", "سلام."]
    out = translate_lines(lines, source_lang="fa", workspace=workspace)
    assert len(out) == 2 and out[0] == out[1]


def test_package_exports_the_api():
    import types

    for name in ("Workspace", "run", "align_texts", "export_links", "translate_lines", "Engine"):
        assert name in workbench.__all__ and callable(getattr(workbench, name))
    assert workbench.Workspace is Workspace
    # no function stands in for a module of the same name
    for module in ("align", "export", "translate"):
        assert isinstance(getattr(workbench, module), types.ModuleType)
