"""Small real files of every supported format, built in the test itself."""

from __future__ import annotations

from pathlib import Path

# built the same way for the reliability probe (workbench_eval/probe/)
from workbench_eval.files import declare_size as declare_size
from workbench_eval.files import pdf_bytes
from workbench_eval.files import write_docx as write_docx
from workbench_eval.probe.base import (
    realign_after_removing_the_newest as _realign_after_removing_the_newest,
)


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF with a real text layer (Helvetica, ASCII text)."""
    content = (
        "BT /F1 12 Tf 72 720 Td 14 TL "
        + " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines)
        + " ET"
    )
    return write_pdf_content(path, content)


def write_pdf_content(path: Path, content: str, startxref_shift: int = 0) -> Path:
    """A one-page PDF whose page content stream is ``content`` as written (hostile
    streams included); ``startxref_shift`` misplaces the xref pointer (pypdf then warns
    and recovers)."""
    path.write_bytes(pdf_bytes(content.encode("latin-1"), startxref_shift=startxref_shift))
    return path


HTML_PAGE = """<!doctype html><html><head><title>Site name | Article</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
<article><h1>Opposition rally in Paris</h1>
<p>Thousands of Iranians gathered in Paris on Saturday to call for a democratic republic.</p>
<p>The organisers said that delegations from more than forty countries took part in the rally.</p>
<p>Speakers included former ministers and members of several European parliaments.</p>
</article>
<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""


def link_seed_pair(ws, confidence: float = 0.9) -> int:
    """Link each sentence of seed 000 (Persian, with an English headline) to the first of
    seed 003 (English) in a workspace holding both; returns the alignment's id. A run keeps
    no links between the seeds (different gatherings state no common fact), so tests that
    need links on them make these."""
    docs = {Path(d.path).name[:3]: d for d in ws.documents()}
    persian, english = docs["000"], docs["003"]
    return ws.save_alignment(
        event_id=None,
        src_doc=persian.id,
        tgt_doc=english.id,
        mode="comparable",
        method="test",
        params={},
        links=[([i], [0], 1.0, "1-1", confidence) for i in range(persian.sentences)],
    )


def realign_after_removing_the_newest(ws) -> tuple[int, int]:
    """The probe's fault injection (workbench_eval/probe/base.py), made as a test."""
    return _realign_after_removing_the_newest(ws, method="test")
