import pytest

from workbench.app import sentence_html, translation_html, workspace_path

from .conftest import ROOT


def test_sentence_html_escapes_untrusted_text_and_sets_direction():
    out = sentence_html('<script>alert("x")</script> سلام', "fa")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'dir="rtl"' in out
    assert 'dir="ltr"' in sentence_html("Hello", "en")


def test_workspace_argument_and_environment(monkeypatch, tmp_path):
    assert workspace_path(["--workspace", str(tmp_path)]) == tmp_path
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(tmp_path / "env"))
    assert workspace_path([]) == tmp_path / "env"


def test_app_says_when_the_workspace_is_missing(monkeypatch, tmp_path):
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(tmp_path / "missing"))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert "no workspace at" in app.error[0].value
    assert not (tmp_path / "missing").exists()


def test_app_opens_a_workspace_from_the_environment(seeded, monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(seeded.path))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert len(app.dataframe) == 1
    assert any("Iran Dissidents to March on Paris" in m.value for m in app.markdown)


def test_translation_html_escapes_and_shows_flags():
    out = translation_html("<b>x</b>", ["echo", "test-model"])
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert "echo" in out and "test-model" in out


def test_app_shows_translations_and_warns_about_test_models(tmp_path, monkeypatch):
    testing = pytest.importorskip("streamlit.testing.v1")
    from workbench import Workspace, run
    from workbench.models import ModelStore

    ws = Workspace(tmp_path / "ws")
    ModelStore(ws).add(ROOT / "tests" / "data" / "models" / "translate-fa_en-test.argosmodel")
    run(ws, [next((ROOT / "seeds").glob("000_*"))])
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(ws.path))
    app = testing.AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    app.run()
    assert not app.exception
    assert "test model" in app.warning[0].value
    assert any('lang="en" style="color:#555' in m.value for m in app.markdown)
