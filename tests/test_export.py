"""Export writers: TSV escaping, TMX that a CAT-tool library reads back, JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lxml import etree

from workbench.export import COLUMNS, ExportRow, escape_tsv, write

HOSTILE = 'say "hi"\tthere\nnew line <script>alert(1)</script> & \\ done'


def link(src_ids, tgt_ids, src_text, tgt_text, **fields) -> ExportRow:
    """A fa-en link of event e1 between documents 1 and 2."""
    return ExportRow(
        "e1", "1:doc", "2:doc", "fa", "en", src_ids, tgt_ids, src_text, tgt_text, **fields
    )


def rows() -> list[ExportRow]:
    return [
        link(
            [0],
            [0, 1],
            "سلام «دنیا»",
            "Hello. World.",
            src_english="Hello world",
            score=1.2345,
            link_type="1-2",
        ),
        link([1], [2], HOSTILE, "plain", score=None, link_type="1-1", status="confirmed"),
        link([], [3], "", "unmatched", link_type="0-1"),
    ]


def seed_pair_workspace(tmp_path: Path):
    """A workspace holding seeds 000 (Persian, an English headline inside) and 003
    (English), read but not aligned."""
    from workbench import Workspace, run

    seeds = Path(__file__).parent.parent / "seeds"
    ws = Workspace(tmp_path / "ws")
    run(ws, [next(seeds.glob("000_*")), next(seeds.glob("003_*"))], stages=[])
    return ws


def test_escape_tsv_round_trip_characters():
    assert escape_tsv("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"


def test_tsv_has_header_and_one_row_per_link_with_no_quoting_surprises():
    buffer = io.StringIO()
    assert write(rows(), "tsv", buffer) == 3
    lines = buffer.getvalue().split("\n")
    assert lines[0].split("\t") == list(COLUMNS)
    assert len(lines) == 5 and lines[-1] == ""  # header, three rows, final newline
    parsed = list(
        csv.reader(io.StringIO(buffer.getvalue()), delimiter="\t", quoting=csv.QUOTE_NONE)
    )
    assert all(len(r) == len(COLUMNS) for r in parsed)
    second = dict(zip(COLUMNS, parsed[2], strict=True))
    assert second["src_text"] == escape_tsv(HOSTILE)
    assert second["tgt_ids"] == "2" and second["score"] == "" and second["status"] == "confirmed"
    assert dict(zip(COLUMNS, parsed[1], strict=True))["tgt_ids"] == "0,1"


def test_tmx_is_valid_and_read_back_by_translate_toolkit():
    tmx = pytest.importorskip("translate.storage.tmx")
    buffer = io.BytesIO()
    assert write(rows(), "tmx", buffer) == 2  # the link with an empty side is left out
    data = buffer.getvalue()
    root = etree.fromstring(data)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    for attribute in ("creationtool", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attribute)
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert all(tuv.get(xml_lang) in ("fa", "en") for tuv in root.iter("tuv"))
    store = tmx.tmxfile.parsestring(data)
    units = store.units
    assert [u.source for u in units] == ["سلام «دنیا»", HOSTILE]
    assert [u.target for u in units] == ["Hello. World.", "plain"]
    assert b"<script>" not in data  # markup in text is escaped, never live


def test_json_is_a_list_of_links():
    buffer = io.StringIO()
    write(rows(), "json", buffer)
    links = json.loads(buffer.getvalue())["links"]
    assert links[0]["tgt_ids"] == [0, 1] and links[1]["src_text"] == HOSTILE


def test_every_format_carries_numbers_that_differ():
    """The pair view's "numbers differ" mark, in each export: the numbers each side states
    that the other does not, when each has some; empty otherwise."""
    differ = link([0], [0], "۴۵ نفر کشته و ۳۲۰ نفر زخمی شدند", "40 killed, 300 injured")
    agree = link([1], [1], "۴۰ نفر کشته شدند", "40 people were killed")
    tsv = io.StringIO()
    write([differ, agree], "tsv", tsv)
    parsed = list(csv.DictReader(io.StringIO(tsv.getvalue()), delimiter="\t", quoting=3))
    assert [r["numbers_differ"] for r in parsed] == ["45, 320 / 40, 300", ""]
    stream = io.StringIO()
    write([differ, agree], "json", stream)
    links = json.loads(stream.getvalue())["links"]
    assert [x["numbers_differ"] for x in links] == ["45, 320 / 40, 300", ""]
    tmx = io.BytesIO()
    write([differ, agree], "tmx", tmx)
    marks = etree.fromstring(tmx.getvalue()).findall(".//prop[@type='x-numbers-differ']")
    assert [p.text for p in marks] == ["45, 320 / 40, 300"]  # the agreeing link has none


def test_unknown_format_is_refused():
    from workbench.export import ExportError

    with pytest.raises(ExportError, match="unknown format"):
        write(rows(), "xlsx", io.StringIO())


def test_each_side_carries_the_language_it_is_written_in(tmp_path):
    """000 is Persian with an English headline inside: a link holding that headline is an
    English side, and TMX (a translation memory) leaves an English-English unit out. (No
    seed link holds it since mined links that state no shared fact are not stored: the
    links are made here, each sentence of 000 against the first of 003.)"""
    from workbench.export import workspace_rows

    from .files import link_seed_pair

    ws = seed_pair_workspace(tmp_path)
    link_seed_pair(ws)
    rows = list(workspace_rows(ws))
    headline = [r for r in rows if r.src_text.startswith("Iran Dissidents to March on Paris")]
    assert headline and all(r.src_lang == "en" for r in headline)
    assert all(r.src_lang == "fa" for r in rows if "گردهمایی" in r.src_text)


def test_the_floor_is_one_rule_for_sql_and_python(tmp_path):
    """The store's SQL and the app's filters ask the same question (``shown_at``)."""
    from workbench.document import shown_at
    from workbench.edit import links, set_status
    from workbench.export import workspace_rows

    ws = seed_pair_workspace(tmp_path)
    persian, english = sorted(ws.documents(), key=lambda d: d.lang != "fa")
    aid = ws.save_alignment(
        event_id=None,
        src_doc=persian.id,
        tgt_doc=english.id,
        mode="comparable",
        method="test",
        params={},
        links=[
            ([0], [0], 1.0, "1-1", 0.9),
            ([1], [1], 1.0, "1-1", 0.1),
            ([2], [2], 1.0, "1-1", None),  # no calibration for the embedder
            ([3], [3], 1.0, "1-1", 0.2),
        ],
    )
    set_status(ws, next(k.id for k in links(ws, aid) if k.src_ids == (3,)), "confirmed")
    every = list(workspace_rows(ws))
    for floor in (0.0, 0.5, 0.95):
        kept = [r for r in every if shown_at(r.confidence, r.status, floor)]
        assert list(workspace_rows(ws, min_confidence=floor)) == kept
    assert [r.src_ids for r in workspace_rows(ws, min_confidence=0.5)] == [[0], [2], [3]]


@pytest.mark.subprocess
def test_a_tmx_export_says_what_it_leaves_out(tmp_path):
    """TMX pairs two languages: a link between two reports in one language (here two
    English outlets on one match) is left out, and the export says how many."""
    import shutil

    from workbench import Workspace, run
    from workbench.align.confidence import SHOWN_CONFIDENCE
    from workbench.export import workspace_rows

    from .conftest import ROOT
    from .test_cli import workbench

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "tests" / "data" / "stories", corpus)
    (corpus / "chelsea-agency.en.txt").write_text(
        "Chelsea were held to a 1-1 draw by Videoton in Budapest on Thursday night.\n"
        "Olivier Giroud headed the visitors in front shortly before the break.\n"
        "Videoton equalised with a penalty in the 70th minute.\n"
        "Chelsea's manager left several regulars out ahead of Sunday's derby.\n",
        "utf-8",
    )
    ws = Workspace(tmp_path / "ws")
    run(ws, [corpus])
    rows = list(workspace_rows(ws, min_confidence=SHOWN_CONFIDENCE))  # what exports show
    same = sum(r.src_lang == r.tgt_lang for r in rows)
    assert same
    result = workbench("export", "--format", "tmx", workspace=ws.path)
    assert result.returncode == 0, result.stderr
    assert f"{same} link" in result.stderr and "left out" in result.stderr
