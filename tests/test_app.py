import pytest

from workbench.app import sentence_html, workspace_path

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
