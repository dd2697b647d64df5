"""Small real files, ordinary and hostile, that the reliability probe and the tests both
build: one-page PDFs with a given content stream, .docx files with extra zip members, and
zips that lie about a member's size."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path


def pdf_bytes(content: bytes, extra: str = "", startxref_shift: int = 0) -> bytes:
    """A one-page PDF whose page content stream is ``content`` as given (``extra``: more
    entries of the stream's dictionary, e.g. a filter); ``startxref_shift`` misplaces the
    xref pointer."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d %s >>\nstream\n" % (len(content), extra.encode())
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref - startxref_shift,
    )
    return bytes(out)


def text_stream(lines: list[str]) -> bytes:
    """A content stream that shows ``lines`` (ASCII) in Helvetica."""
    shown = " ".join(f"({line}) Tj T*" for line in lines)
    return f"BT /F1 12 Tf 72 720 Td 14 TL {shown} ET".encode("latin-1")


def write_docx(path: Path, paragraphs: list[str], members: dict[str, bytes] | None = None) -> Path:
    """A real .docx (python-docx), with ``members`` added to its zip."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))
    if members:
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    return path


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
