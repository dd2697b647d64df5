"""Exported links name their documents in separate fields: id, full title, source file."""

from __future__ import annotations

import csv
import io
import json

from workbench.export import COLUMNS, workspace_rows, write
from workbench.names import short_title

OLD_COLUMNS = [
    "event",
    "src_doc",
    "tgt_doc",
    "src_lang",
    "tgt_lang",
    "src_ids",
    "tgt_ids",
    "src_text",
    "tgt_text",
    "src_english",
    "tgt_english",
    "score",
    "confidence",
    "link_type",
    "status",
]


def test_json_links_carry_document_id_title_and_file(seeded_with_stories):
    ws = seeded_with_stories
    docs = {d.id: d for d in ws.documents(include_old=True)}
    buffer = io.StringIO()
    write(workspace_rows(ws), "json", buffer)
    links = json.loads(buffer.getvalue())["links"]
    assert links
    for link in links:
        for side in ("src", "tgt"):
            doc = docs[link[f"{side}_doc_id"]]
            assert isinstance(link[f"{side}_doc_id"], int)
            assert link[f"{side}_doc_title"] == doc.title  # whole, never cut
            assert link[f"{side}_file"] == doc.path
            label = link[f"{side}_doc"]
            assert label.startswith(f"{doc.id}:")  # the benchmark contract: "ID: title"
            shown = label[len(f"{doc.id}:") :].strip().removesuffix("…")
            # an untitled document is named by its first words
            named = doc.title or next(s.text for s in ws.sentences(doc.id))
            assert " ".join(named.split()).startswith(shown)
            rest = " ".join(named.split())[len(shown) :]
            assert not rest or rest[0] == " " or not shown  # cut between words only


def test_tsv_adds_the_document_columns_after_the_existing_ones(seeded_with_stories):
    assert list(COLUMNS[: len(OLD_COLUMNS)]) == OLD_COLUMNS
    buffer = io.StringIO()
    count = write(workspace_rows(seeded_with_stories), "tsv", buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue()), delimiter="\t", quoting=3))
    assert len(rows) == count > 0
    first = rows[0]
    assert first["src_doc_id"].isdigit() and first["tgt_doc_id"].isdigit()
    assert first["src_file"].endswith(".txt") and first["tgt_file"].endswith(".txt")
    assert first["src_doc"].startswith(first["src_doc_id"] + ":")


def test_short_titles_are_cut_between_words():
    title = "Iranian Opposition Convention For Free Iran gathers in Paris this summer again"
    short = short_title(title, 40)
    assert short == "Iranian Opposition Convention For Free…"
    assert short_title("x" * 70, 60) == "x" * 70  # one long word stays whole
    assert short_title("  two\nlines  ") == "two lines"


def test_an_untitled_document_is_named_by_its_first_words(tmp_path):
    from workbench import Workspace
    from workbench_eval.app import add_aligned_pair

    ws = Workspace(tmp_path / "ws")
    long = "The rally in Paris drew thousands of people from many countries around the world."
    add_aligned_pair(ws, [long], ["تجمع پاریس"], ("en", "fa"))
    with ws.transaction():
        for doc in ws.documents():
            ws.update_document(doc.id, title="")
    (row,) = workspace_rows(ws)
    assert row.src_doc == f"{row.src_doc_id}: {short_title(long)}"
    assert row.tgt_doc == f"{row.tgt_doc_id}: تجمع پاریس"
