"""Bad files: what a user's folder may hold that no reader should choke on."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench import Workspace

from ..files import declare_size, pdf_bytes, text_stream, write_docx
from .base import CONTROL, Broken, cli, expect, short_case


def replace_member(path: Path, member: str, data: bytes) -> Path:
    """Rewrite ``path`` with ``member`` holding ``data`` (the other members as they were)."""
    with zipfile.ZipFile(path) as source:
        kept = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, body in kept:
            archive.writestr(info, data if info.filename == member else body)
    return path


GOOD_EN = (
    "The city council of Leeds approved a plan on Tuesday to build a new footbridge over the"
    " river Aire. The mayor said that the work would begin next spring and take two years.\n"
)


GOOD_FA = (
    "شورای شهر تهران روز سه‌شنبه طرح ساخت یک پل تازه بر روی رودخانه را تصویب کرد. به گفته"
    " شهردار، کار ساخت این پل از بهار آینده آغاز می‌شود و دو سال طول خواهد کشید.\n"
)


def _laughs_dtd(root: str) -> str:
    """A billion-laughs DTD: ``&lol9;`` expands to 10^9 'lol's if entities are resolved."""
    entities = ['<!ENTITY lol "lol">']
    for n in range(1, 10):
        inner = "&lol;" if n == 1 else f"&lol{n - 1};"
        entities.append(f'<!ENTITY lol{n} "{inner * 10}">')
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{"".join(entities)}]>\n'


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class BadFile:
    """A file to put beside a good one: ``make`` writes it into a folder and returns its
    path; ``outcome`` is what must become of it: skipped (one line naming it, nothing
    stored), stored (read, nothing said), or either (but never half of both)."""

    name: str
    make: Callable[[Path], Path]
    outcome: str = "skipped"
    reason: str = ""
    token: str = ""  # what of its name the line must show (default: the whole name)
    contains: str = ""  # stored: text the document must hold
    timeout: float = 60


def bad_file(bad: BadFile, folder: Path) -> str:
    """``workbench ingest`` on a folder of one good and one bad file: exit 0, no
    traceback, one line for the bad file, the good file stored, nothing of the bad one."""
    inbox = folder / "in"
    inbox.mkdir()
    (inbox / "good.txt").write_text(GOOD_EN, "utf-8")
    path = bad.make(inbox)
    ran = cli("ingest", "in", "-w", "ws", cwd=folder, timeout=bad.timeout)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}: {short_case(ran.err)}")
    expect(not CONTROL.search(ran.err), f"raw control characters on stderr: {ran.err!r:.160}")
    stored = stored_paths(folder / "ws")
    expect(any(p.endswith("good.txt") for p in stored), f"the good file was not stored: {stored}")
    others = [p for p in stored if not p.endswith("good.txt")]
    token = bad.token or path.name
    lines = ran.lines
    said = f"{ran.seconds:.1f} s: " + (
        short_case(lines[0].replace(str(inbox), "in"), 110) if lines else ""
    )
    if bad.outcome == "stored" or (bad.outcome == "either" and not lines):
        expect(lines == [], f"lines on stderr for a file that was read: {short_case(ran.err)}")
        expect(len(others) == 1, f"stored {len(others)} sources for it")
        if bad.contains:
            with Workspace(folder / "ws", create=False) as ws:
                texts = " ".join(ws.document_text(d.id) for d in ws.documents())
            expect(bad.contains in texts, f"{bad.contains!r} not in the stored text")
        return f"{ran.seconds:.1f} s: stored, nothing said"
    if not lines and others:
        with Workspace(folder / "ws", create=False) as ws:
            kept = [ws.document_text(d.id) for d in ws.documents() if d.path in others]
        raise Broken(f"read, stored and nothing said; its text: {short_case(repr(kept), 100)}")
    expect(len(lines) == 1, f"{len(lines)} lines on stderr: {short_case(ran.err)}")
    expect(lines[0].startswith("skipped "), f"not a skip line: {short_case(lines[0])}")
    expect(token in lines[0], f"the line does not name {token!r}: {short_case(lines[0])}")
    expect(bad.reason in lines[0], f"{bad.reason!r} not in: {short_case(lines[0])}")
    expect(others == [], f"stored although skipped: {others}")
    return said


def stored_paths(ws_path: Path) -> list[str]:
    """The path of every source a workspace holds (old versions too)."""
    if not (ws_path / "workbench.db").exists():
        return []
    with Workspace(ws_path, create=False) as ws:
        return [row[0] for row in ws.conn.execute("SELECT path FROM sources")]


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    """A maker that writes ``data`` as ``name``."""

    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(data, str):
            path.write_text(data, "utf-8")
        else:
            path.write_bytes(data)
        return path

    return make


def _sparse(name: str, size: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        with path.open("wb") as handle:
            handle.truncate(size)
        return path

    return make


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def _flate_pdf(folder: Path) -> Path:
    """A content stream that inflates to 100 MB (pypdf stops at 75 MB)."""
    data = zlib.compress(b" " * 100_000_000, 6)
    return _write("inflates.pdf", pdf_bytes(data, "/Filter /FlateDecode"))(folder)


def _encrypted_pdf(folder: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = io.BytesIO(pdf_bytes(text_stream(["A secret report about the bridge."] * 3)))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="unknown", owner_password="owner", algorithm="RC4-128")
    path = folder / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _truncated(name: str, build: Callable[[Path], Path]) -> Callable[[Path], Path]:
    """The first half of a good file, under ``name``."""

    def make(folder: Path) -> Path:
        whole = build(folder)
        data = whole.read_bytes()
        whole.unlink()
        return _write(name, data[: len(data) // 2])(folder)

    return make


def _docx(name: str, members: dict[str, bytes] | None = None, lie: int | None = None):
    """A .docx with ``members`` added; ``lie``: the last member then declares this size."""

    def make(folder: Path) -> Path:
        path = write_docx(folder / name, ["A paragraph about the bridge in Leeds."], members)
        if lie is not None and members:
            declare_size(path, list(members)[-1], lie)
        return path

    return make


def _crowded_docx(folder: Path) -> Path:
    members = {f"word/media/{n}.txt": b"" for n in range(5_001)}
    return _docx("crowd.docx", members)(folder)


def _near_mib_docx(folder: Path) -> Path:
    members = {f"word/media/{n}.bin": bytes((1 << 20) - 1024) for n in range(300)}
    return _docx("many.docx", members)(folder)


def _docx_xml(name: str, xml: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = write_docx(folder / name, ["placeholder"])
        return replace_member(path, "word/document.xml", xml.encode("utf-8"))

    return make


LAUGHS_DOCX = (
    _laughs_dtd("w:document")
    + f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
    "</w:body></w:document>"
)


LAUGHS_HTML = (
    _laughs_dtd("html")
    + "<html><body><p>The rally took place on Saturday. &lol9;</p></body></html>"
)


DEEP_HTML = (
    "<html><body>"
    + "<div>" * 100_000
    + "The rally took place in Paris on Saturday and many people came."
    + "</div>" * 100_000
    + "</body></html>"
)


NESTED = b"BT /F1 12 Tf 72 720 Td " + b"[" * 100_000 + b"(x)" + b"]" * 100_000 + b" TJ ET"


SHIFTED = text_stream(["The rally took place in Paris on Saturday."] * 3)


def bad_files() -> list[BadFile]:
    """Inputs a new user's folder may hold, each with what must become of it."""
    text_pdf = pdf_bytes(
        zlib.compress(text_stream(["The bridge opens in May."] * 3)), "/Filter /FlateDecode"
    )
    controls = "".join(chr(c) for c in range(1, 32) if c not in (9, 10, 13)) * 20
    few = (GOOD_EN * 3).replace("council", "coun\x07cil", 1).replace("plan", "pl\x08an", 1)
    marks = "\u200f" + GOOD_FA.replace("تهران", "\u202bتهران\u202c").replace(" پل", "\u200e پل")
    return [
        BadFile("empty .txt", _write("empty.txt", b""), reason="empty file"),
        BadFile("empty .pdf", _write("empty.pdf", b""), reason="empty file"),
        BadFile("empty .docx", _write("empty.docx", b""), reason="empty file"),
        BadFile(
            "binary bytes as .txt", _write("noise.txt", bytes(range(256)) * 16), reason="binary"
        ),
        BadFile(
            "image (.jpg)",
            _write("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(500)),
            reason="unsupported",
        ),
        BadFile("no extension", _write("README", GOOD_EN), reason="unsupported"),
        BadFile("compressed pdf named .txt", _write("report.txt", text_pdf)),
        BadFile("text named .docx", _write("letter.docx", GOOD_EN), reason="docx"),
        BadFile("text named .pdf", _write("letter.pdf", GOOD_EN), reason="PDF"),
        BadFile("pdf header only", _write("stub.pdf", b"%PDF-1.4\n%%EOF\n")),
        BadFile(
            "pdf cut in half",
            _truncated(
                "half.pdf", _write("whole.pdf", pdf_bytes(text_stream(["Bridge news."] * 40)))
            ),
            outcome="either",
        ),
        BadFile(
            "pdf nesting 100,000 arrays",
            _write("nested.pdf", pdf_bytes(NESTED)),
            reason="RecursionError",
        ),
        BadFile("pdf stream inflating to 100 MB", _flate_pdf),
        BadFile(
            "pdf with misplaced startxref",
            _write("shifted.pdf", pdf_bytes(SHIFTED, startxref_shift=7)),
            outcome="stored",
            contains="Paris",
        ),
        BadFile(
            "pdf without a text layer",
            _write("scan.pdf", pdf_bytes(b"0 0 m 200 200 l S")),
            reason="text layer",
        ),
        BadFile("encrypted pdf", _encrypted_pdf),
        BadFile("docx cut in half", _truncated("half.docx", _docx("whole.docx"))),
        BadFile(
            "docx with broken XML",
            _docx_xml("broken.docx", f'<w:document xmlns:w="{W_NS}"><w:body><w:p>'),
        ),
        BadFile(
            "docx zip bomb (ratio)",
            _docx("bomb.docx", {"word/media/zeros.bin": bytes(3 << 20)}),
            reason="compressed",
        ),
        BadFile(
            "docx member lying about its size",
            _docx("lying.docx", {"word/media/big.bin": bytes(64 << 20)}, lie=1700),
        ),
        BadFile("docx of 5,001 members", _crowded_docx, reason="files, over"),
        BadFile("docx of 300 members just under 1 MiB", _near_mib_docx, reason="compressed"),
        BadFile("docx billion laughs", _docx_xml("laughs.docx", LAUGHS_DOCX), outcome="either"),
        BadFile("html nesting 100,000 divs", _write("deep.html", DEEP_HTML), outcome="either"),
        BadFile("html billion laughs", _write("laughs.html", LAUGHS_HTML), outcome="either"),
        BadFile(
            "html of a script only",
            _write("script.html", "<html><script>var a = 1;</script></html>"),
        ),
        BadFile(
            "utf-8 BOM then invalid bytes",
            _write("bom8.txt", b"\xef\xbb\xbfThe bridge \xff\xfe opens."),
            reason="not valid",
        ),
        BadFile(
            "utf-16 BOM then a lone surrogate",
            _write(
                "bom16.txt",
                b"\xff\xfe" + "The bridge opens.".encode("utf-16-le") + b"\x00\xd8A\x00",
            ),
            reason="not valid",
        ),
        BadFile(
            "Persian in Windows-1256",
            _write("legacy.txt", GOOD_FA.replace("\u200c", " ").replace("ی", "ي").encode("cp1256")),
            outcome="stored",
            contains="شهردار",
        ),
        BadFile(
            "utf-8 Persian with one stray byte",
            _write("stray.txt", GOOD_FA.encode() + b"\xff" + GOOD_FA.encode()),
            outcome="either",
        ),
        BadFile(
            "text full of control characters",
            _write("controls.txt", controls + GOOD_EN),
            reason="control",
        ),
        BadFile(
            "text with a bell and a backspace",
            _write("bell.txt", few),
            outcome="stored",
            contains="bridge",
        ),
        BadFile(
            "Persian with RTL and LTR marks",
            _write("marks.txt", marks),
            outcome="stored",
            contains="شهردار",
        ),
        BadFile(
            "boilerplate only",
            _write("share.txt", "Leave a reply\nShare this:\nIMG_1234.jpg\n12345\n"),
            reason="boilerplate",
        ),
        BadFile(
            "single line of 200 KB",
            _write("line.txt", (GOOD_EN.strip() + " ") * 800),
            outcome="stored",
            timeout=10,
        ),
        BadFile("named pipe .txt", _fifo, reason="empty file", timeout=30),
        BadFile("sparse 600 MiB .txt", _sparse("huge.txt", 600 << 20), reason="too large"),
        BadFile("sparse 20 MiB .txt (streamed)", _sparse("zeros.txt", 20 << 20), reason="binary"),
        BadFile("name with a newline", _write("two\nlines.pdf", b"not a pdf"), token="lines.pdf"),
        BadFile("name with an ANSI escape", _write("red\x1b[31m.pdf", b"not a pdf"), token="red"),
        BadFile(
            "name with a right-to-left override",
            _write("invoice\u202efdp.txt", b"\x00\x01\x02"),
            token="invoice",
        ),
        BadFile(
            "name like a Markdown link", _write("[click](https:__evil.example).pdf", b"not a pdf")
        ),
        BadFile("name like HTML", _write("<img src=x onerror=alert(1)>.pdf", b"not a pdf")),
        BadFile("name like a bare URL", _write("www.example.org.pdf", b"%PDF-1.4 not really")),
    ]


def bad_argument(folder: Path) -> str:
    """A bad file named on the command line (not in a folder) is one line too."""
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    (folder / "nested.pdf").write_bytes(pdf_bytes(NESTED))
    ran = cli("ingest", "nested.pdf", "good.txt", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}: {short_case(ran.err)}")
    expect(len(ran.lines) == 1 and "nested.pdf" in ran.lines[0], f"stderr: {short_case(ran.err)}")
    expect(len(stored_paths(folder / "ws")) == 1, "not exactly the good file stored")
    return short_case(ran.lines[0], 110)


def all_bad(folder: Path) -> str:
    """A folder of nothing readable: a line per file, then one error line, exit 1."""
    inbox = folder / "in"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(pdf_bytes(NESTED))
    (inbox / "b.txt").write_bytes(b"")
    ran = cli("run", "in", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 1, f"exit {ran.code}: {short_case(ran.err)}")
    expect(len(ran.lines) == 3, f"{len(ran.lines)} lines: {short_case(ran.err)}")
    expect(ran.lines[-1] == "error: nothing could be read", f"last line: {ran.lines[-1]!r}")
    return f"exit 1: {short_case(ran.lines[-1])}"
