"""Small real files of every supported format, built in the test itself."""

from __future__ import annotations

import re
from pathlib import Path


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
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref - startxref_shift}\n%%EOF\n"
    ).encode()
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path


HTML_PAGE = """<!doctype html><html><head><title>Site name | Article</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
<article><h1>Opposition rally in Paris</h1>
<p>Thousands of Iranians gathered in Paris on Saturday to call for a democratic republic.</p>
<p>The organisers said that delegations from more than forty countries took part in the rally.</p>
<p>Speakers included former ministers and members of several European parliaments.</p>
</article>
<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""


def declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite a member's uncompressed size in the zip's headers (a lying zip)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        for match in re.finditer(re.escape(signature), bytes(data)):
            start = match.start()
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


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
    """Remove the newest alignment (as a regrouping does) and align its pair again:
    ``(removed id, new id)``."""
    rows = ws.alignment_rows()
    doomed = max(rows, key=lambda r: r.id)
    with ws.transaction() as conn:
        conn.execute("DELETE FROM alignments WHERE id = ?", (doomed.id,))
    again = ws.save_alignment(
        event_id=doomed.event_id,
        src_doc=doomed.src_doc,
        tgt_doc=doomed.tgt_doc,
        mode="comparable",
        method="test",
        params={},
        links=[([0], [0], 1.0, "1-1", 0.9)],
    )
    return doomed.id, again
