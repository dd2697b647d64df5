import pytest

from workbench.document import Skipped
from workbench.text.ingest import (
    IngestError,
    iter_files,
    iter_text_blocks,
    read_source,
    read_text_file,
)

from .files import HTML_PAGE, write_docx, write_pdf

PERSIAN = "گردهمایی سالانه ایرانیان در پاریس برگزار شد."
ARABIC = "يشارك ممثلو أكثر من 300 جمعية إيرانية في المؤتمر."


@pytest.mark.parametrize(
    "encoding,text",
    [
        ("utf-8", PERSIAN),
        ("utf-8-sig", PERSIAN),
        ("utf-16", ARABIC),
        ("utf-16-le", "Paris rally"),
        ("cp1256", ARABIC),
        ("cp1256", "گردهمايي سالانه ايرانيان در پاريس برگزار شد و هزاران نفر آمدند."),
        ("latin-1", "Le rassemblement à Paris a réuni des milliers de personnes à l'été."),
    ],
)
def test_text_encodings(tmp_path, encoding, text):
    path = tmp_path / "doc.txt"
    path.write_bytes(((text + "\n") * 3).encode(encoding))
    decoded, _ = read_text_file(path)
    assert decoded == (text + "\n") * 3


def test_html_main_text_without_navigation(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, "utf-8")
    source = read_source(path)
    assert source.format == "html"
    assert "Thousands of Iranians gathered in Paris" in source.text
    assert "About us" not in source.text


def test_docx_paragraphs(tmp_path):
    path = write_docx(tmp_path / "doc.docx", [PERSIAN, "Second paragraph in English."])
    assert read_source(path).text == PERSIAN + "\nSecond paragraph in English."


def test_pdf_text_layer(tmp_path):
    path = write_pdf(tmp_path / "doc.pdf", ["The rally took place in Paris.", "It was large."])
    text = read_source(path).text
    assert "The rally took place in Paris." in text and "It was large." in text


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blob.txt", bytes(range(256)) * 10, "binary file"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "unsupported file type"),
        ("spaces.txt", b"   \n\n\t ", "no text found"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "not a readable .docx"),
    ],
)
def test_unreadable_files_give_one_line_reasons(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as error:
        read_source(path)
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_folder_walk_is_recursive_sorted_and_reports_missing(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x")
    (tmp_path / "1.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    found = list(iter_files([tmp_path, tmp_path / "missing"]))
    assert [p.name for p in found[:2]] == ["1.txt", "2.txt"]
    assert found[2] == Skipped(str(tmp_path / "missing"), "no such file or folder")


def test_blocks_cut_long_lines_at_spaces(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("word " * 5000, "utf-8")
    blocks = list(iter_text_blocks(path, "utf-8", block_chars=1000))
    assert "".join(blocks) == "word " * 5000
    assert all(len(block) <= 1000 and block.endswith(" ") for block in blocks)


def test_blocks_of_one_long_line_end_at_sentence_ends(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("یک جمله کوتاه است. " * 2000, "utf-8")
    blocks = list(iter_text_blocks(path, "utf-8", block_chars=1000))
    assert "".join(blocks) == "یک جمله کوتاه است. " * 2000
    assert all(block.endswith("است. ") for block in blocks)
