"""Issue 23's reliability probe: bad inputs and faults against the real workbench.

Each case builds its input in a folder of its own under ``workdir``, runs the workbench
(its Python API, or ``python -m workbench`` where what the command line does is the
point: exit codes, one line on stderr, no traceback) and checks one invariant. A case
*holds* when the invariant does; anything else (an unexpected exception included) is
*broken*, and its detail says what was seen. The probe changes nothing outside
``workdir``; ``workbench eval probe`` prints its table.

Cases that need a workspace with links copy one prepared workspace (the seeds and
tests/data/stories, one ``run`` of about 10 s). Cases that share an expensive scenario
(a user's decisions, then a run) run the scenario once and each checks one of its facts.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from workbench import Workspace, run
from workbench.edit import EditError, mark_no_partner, merge, relink, set_status, split, undo
from workbench.events import move_document
from workbench.ingester import Ingester
from workbench.pipeline import RunReport
from workbench.stages import realign_event
from workbench.store import MIGRATIONS

from .files import declare_size, pdf_bytes, text_stream, write_docx

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class ProbeCase:
    """One probed input or fault: did the invariant hold, and what was seen."""

    name: str
    group: str
    held: bool
    detail: str


class Broken(Exception):
    """An invariant that did not hold; the message says what was seen."""


def expect(condition: object, detail: str) -> None:
    """Stop the case as broken with ``detail`` unless ``condition`` holds."""
    if not condition:
        raise Broken(detail)


def _short(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters (control characters shown escaped)."""
    line = " | ".join(part for part in text.splitlines() if part.strip())
    line = CONTROL.sub(lambda match: repr(match[0])[1:-1], line)
    return line if len(line) <= limit else line[: limit - 3] + "..."


# --- running the command line -------------------------------------------------------------


@dataclass
class Ran:
    """What one ``python -m workbench`` printed and returned."""

    code: int
    out: str
    err: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        """The non-empty lines on stderr, as a terminal shows them (split at newlines)."""
        return [line for line in self.err.split("\n") if line.strip()]

    def clean(self) -> None:
        """Every failure reached the user as a sentence: no traceback, no internal error."""
        expect("Traceback" not in self.err, f"traceback on stderr: {_short(self.err[-300:])}")
        expect("internal error" not in self.err, f"internal error: {_short(self.err)}")


def _env() -> dict[str, str]:
    """The environment of the commands: no dropped models installed, no default workspace
    (every command names its own), no debug tracebacks."""
    env = {**os.environ, "WORKBENCH_MODELS": "", "NO_COLOR": "1"}
    for name in ("WORKBENCH_WORKSPACE", "WORKBENCH_DEBUG"):
        env.pop(name, None)
    return env


def _command(*args: object) -> list[str]:
    return [sys.executable, "-m", "workbench", *(str(a) for a in args)]


def cli(
    *args: object,
    cwd: Path,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
    stdout: int | None = None,
) -> Ran:
    """Run ``python -m workbench ARGS`` in ``cwd`` and collect what it said."""
    start = time.monotonic()
    done = subprocess.run(
        _command(*args),
        cwd=cwd,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        preexec_fn=preexec_fn,
        env=_env(),
    )
    decode = partial(bytes.decode, encoding="utf-8", errors="replace")
    return Ran(
        done.returncode, decode(done.stdout or b""), decode(done.stderr), time.monotonic() - start
    )


def spawn(*args: object, cwd: Path) -> subprocess.Popen:
    """Start ``python -m workbench ARGS`` in a process group of its own (killable whole)."""
    return subprocess.Popen(
        _command(*args),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )


def _one_line_error(ran: Ran, code: int, *words: str) -> str:
    """A failure said in one line ``error: ...`` holding ``words``, with exit ``code``."""
    ran.clean()
    expect(ran.code == code, f"exit {ran.code}, not {code}: {_short(ran.err)}")
    expect(len(ran.lines) == 1, f"{len(ran.lines)} lines on stderr: {_short(ran.err)}")
    for word in words:
        expect(word in ran.lines[0], f"{word!r} not in: {_short(ran.lines[0])}")
    return f"exit {ran.code}: {_short(ran.lines[0], 120)}"


# --- files -----------------------------------------------------------------------------------


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


# --- the bad-files group --------------------------------------------------------------------


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


def _bad_file(bad: BadFile, folder: Path) -> str:
    """``workbench ingest`` on a folder of one good and one bad file: exit 0, no
    traceback, one line for the bad file, the good file stored, nothing of the bad one."""
    inbox = folder / "in"
    inbox.mkdir()
    (inbox / "good.txt").write_text(GOOD_EN, "utf-8")
    path = bad.make(inbox)
    ran = cli("ingest", "in", "-w", "ws", cwd=folder, timeout=bad.timeout)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}: {_short(ran.err)}")
    expect(not CONTROL.search(ran.err), f"raw control characters on stderr: {ran.err!r:.160}")
    stored = _stored_paths(folder / "ws")
    expect(any(p.endswith("good.txt") for p in stored), f"the good file was not stored: {stored}")
    others = [p for p in stored if not p.endswith("good.txt")]
    token = bad.token or path.name
    lines = ran.lines
    said = f"{ran.seconds:.1f} s: " + (
        _short(lines[0].replace(str(inbox), "in"), 110) if lines else ""
    )
    if bad.outcome == "stored" or (bad.outcome == "either" and not lines):
        expect(lines == [], f"lines on stderr for a file that was read: {_short(ran.err)}")
        expect(len(others) == 1, f"stored {len(others)} sources for it")
        if bad.contains:
            with Workspace(folder / "ws", create=False) as ws:
                texts = " ".join(ws.document_text(d.id) for d in ws.documents())
            expect(bad.contains in texts, f"{bad.contains!r} not in the stored text")
        return f"{ran.seconds:.1f} s: stored, nothing said"
    if not lines and others:
        with Workspace(folder / "ws", create=False) as ws:
            kept = [ws.document_text(d.id) for d in ws.documents() if d.path in others]
        raise Broken(f"read, stored and nothing said; its text: {_short(repr(kept), 100)}")
    expect(len(lines) == 1, f"{len(lines)} lines on stderr: {_short(ran.err)}")
    expect(lines[0].startswith("skipped "), f"not a skip line: {_short(lines[0])}")
    expect(token in lines[0], f"the line does not name {token!r}: {_short(lines[0])}")
    expect(bad.reason in lines[0], f"{bad.reason!r} not in: {_short(lines[0])}")
    expect(others == [], f"stored although skipped: {others}")
    return said


def _stored_paths(ws_path: Path) -> list[str]:
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


def _bad_argument(folder: Path) -> str:
    """A bad file named on the command line (not in a folder) is one line too."""
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    (folder / "nested.pdf").write_bytes(pdf_bytes(NESTED))
    ran = cli("ingest", "nested.pdf", "good.txt", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}: {_short(ran.err)}")
    expect(len(ran.lines) == 1 and "nested.pdf" in ran.lines[0], f"stderr: {_short(ran.err)}")
    expect(len(_stored_paths(folder / "ws")) == 1, "not exactly the good file stored")
    return _short(ran.lines[0], 110)


def _all_bad(folder: Path) -> str:
    """A folder of nothing readable: a line per file, then one error line, exit 1."""
    inbox = folder / "in"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(pdf_bytes(NESTED))
    (inbox / "b.txt").write_bytes(b"")
    ran = cli("run", "in", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 1, f"exit {ran.code}: {_short(ran.err)}")
    expect(len(ran.lines) == 3, f"{len(ran.lines)} lines: {_short(ran.err)}")
    expect(ran.lines[-1] == "error: nothing could be read", f"last line: {ran.lines[-1]!r}")
    return f"exit 1: {_short(ran.lines[-1])}"


# --- languages -----------------------------------------------------------------------------

LANGUAGES: list[tuple[str, str, str]] = [
    (
        "Urdu",
        "ur",
        "لاہور میں کل شام شدید بارش کے بعد کئی سڑکیں پانی میں ڈوب گئیں اور شہریوں کو گھروں تک"
        " پہنچنے میں مشکلات کا سامنا کرنا پڑا۔ محکمہ موسمیات نے اگلے دو دنوں میں مزید بارش کی"
        " پیش گوئی کی ہے۔",
    ),
    (
        "Pashto",
        "ps",
        "د کندهار ښار په مرکزي بازار کې پرون سهار یو لوی اور ولګید چې لسګونه دوکانونه یې"
        " وسوځول. د ښاروالۍ چارواکو ویلي چې د اور د لګیدو لامل لا معلوم نه دی.",
    ),
    (
        "Sorani Kurdish",
        "ckb",
        "حکومەتی هەرێمی کوردستان ڕایگەیاند کە مووچەی فەرمانبەران لە هەفتەی داهاتوودا دابەش"
        " دەکرێت. وەزارەتی دارایی گوتی پارەکە لە بانکەکانی سلێمانی و هەولێر ئامادەیە.",
    ),
    (
        "Kurmanji Kurdish (Arabic script)",
        "kmr",
        "ل دهۆکێ ئەڤرۆ کۆمبوونەکا مەزن هاتە گرێدان و خەلکێ دەڤەرێ داخوازا ئاڤاکرنا"
        " قوتابخانەیێن نوی کر. سەروکێ شارەوانیێ گۆت کو ئەڤ کارە دێ ل هاڤینێ دەستپێبکەت.",
    ),
    (
        "Sindhi",
        "sd",
        "حيدرآباد ۾ ڪالهه رات وڏي برسات سبب شهر جا ڪيترائي رستا ٻڏي ويا ۽ ماڻهن کي ڏاڍي"
        " تڪليف ٿي. ميونسپل ڪارپوريشن چيو ته پاڻي ڪڍڻ جو ڪم جاري آهي.",
    ),
    (
        "Uyghur",
        "ug",
        "ئۈرۈمچى شەھىرىدە بۈگۈن يېڭى بىر كۇتۇپخانا ئېچىلدى، ئۇنىڭدا يۈز مىڭدىن ئارتۇق كىتاب"
        " بار. شەھەر باشلىقى بۇ كۇتۇپخانىنىڭ ياشلار ئۈچۈن ناھايىتى پايدىلىق بولىدىغانلىقىنى"
        " ئېيتتى.",
    ),
    (
        "Chinese",
        "zh",
        "北京市政府昨天宣布，将在明年春季开通三条新的地铁线路，以缓解城市交通拥堵。"
        "官员表示，新线路将连接郊区和市中心，每天可运送乘客五十万人次。",
    ),
    (
        "Russian",
        "ru",
        "Городские власти Новосибирска объявили, что новый мост через Обь откроется в"
        " следующем году. По словам мэра, строительство идёт по графику, и движение будет"
        " запущено весной.",
    ),
    (
        "French",
        "fr",
        "Le conseil municipal de Lyon a approuvé mardi la construction d'une nouvelle ligne de"
        " tramway qui reliera le centre-ville aux quartiers de l'est. Les travaux devraient"
        " commencer au printemps prochain et durer environ deux ans.",
    ),
    (
        "German",
        "de",
        "Die Stadtverwaltung von Leipzig hat am Dienstag den Bau einer neuen Brücke über die"
        " Elster beschlossen. Der Bürgermeister sagte, die Arbeiten würden im nächsten Frühjahr"
        " beginnen und etwa zwei Jahre dauern.",
    ),
    (
        "Hebrew",
        "he",
        "מועצת העיר חיפה אישרה ביום שלישי תוכנית לבניית גשר חדש מעל הנחל. ראש העיר אמר כי"
        " העבודות יתחילו באביב הבא ויימשכו כשנתיים.",
    ),
    (
        "Greek",
        "el",
        "Το δημοτικό συμβούλιο της Θεσσαλονίκης ενέκρινε την Τρίτη την κατασκευή μιας νέας"
        " γέφυρας πάνω από τον ποταμό. Ο δήμαρχος είπε ότι οι εργασίες θα ξεκινήσουν την άνοιξη.",
    ),
]
KEPT: list[tuple[str, str, str]] = [
    ("Persian", "fa", GOOD_FA),
    (
        "Arabic",
        "ar",
        "أعلن مجلس مدينة الإسكندرية يوم الثلاثاء عن خطة لبناء جسر جديد فوق القناة، وقال رئيس"
        " المجلس إن أعمال البناء ستبدأ في الربيع المقبل وتستمر نحو عامين.",
    ),
    ("English", "en", GOOD_EN),
    (
        "Dari (Persian of Afghanistan)",
        "fa",
        "وزارت صحت عامه افغانستان روز دوشنبه اعلام کرد که برنامهٔ واکسین پولیو در ولایات شرقی"
        " کشور آغاز شده است. به گفتهٔ مسئولان، بیش از یک میلیون کودک در این دور واکسین خواهند"
        " شد.",
    ),
]


def _language(text: str, code: str, kept: bool, folder: Path) -> str:
    """One article through the Ingester: a language the workspace does not hold is
    skipped with its code and nothing stored; fa, ar and en are stored as themselves."""
    path = folder / "article.txt"
    path.write_text(text + "\n", "utf-8")
    with Workspace(folder / "ws") as ws:
        (outcome,) = Ingester(ws).ingest([path])
        langs = [d.lang for d in ws.documents()]
        sources = ws.counts()["sources"]
    if kept:
        expect(outcome.outcome == "added", f"{outcome.outcome}: {outcome.detail}")
        expect(langs == [code], f"stored as {langs}, not [{code!r}]")
        return f"stored as {code}"
    seen = (outcome.outcome, outcome.detail)
    expect(
        seen == ("skipped", f"unsupported language ({code})"),
        f"{outcome.outcome}: {outcome.detail or '-'}; stored as {langs}",
    )
    expect(sources == 0, f"{sources} sources stored")
    return outcome.detail


def _language_line(folder: Path) -> str:
    """What the user reads: the skip line names the language."""
    (folder / "in").mkdir()
    (folder / "in" / "news.txt").write_text(LANGUAGES[0][2], "utf-8")
    (folder / "in" / "good.txt").write_text(GOOD_EN, "utf-8")
    ran = cli("ingest", "in", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}")
    expect(
        len(ran.lines) == 1 and ran.lines[0].endswith("unsupported language (ur)"),
        f"stderr: {_short(ran.err)}",
    )
    return _short(ran.lines[0])


# --- symbolic links ------------------------------------------------------------------------


def _links(
    make: Callable[[Path, Path, Path], None], lines: list[str], stored: list[str], folder: Path
) -> str:
    """``make(inbox, outside, folder)`` adds links to a folder holding good.txt; then
    ``workbench ingest``: one line per link that leaves (each holding the words in
    ``lines``, in order), and exactly the files ``stored`` (names) stored, each once."""
    inbox, outside = folder / "in", folder / "outside"
    inbox.mkdir()
    (outside / "sub").mkdir(parents=True)
    (inbox / "good.txt").write_text(GOOD_EN, "utf-8")
    (outside / "secret.txt").write_text("A private note: the bridge costs too much.\n", "utf-8")
    (outside / "sub" / "other.txt").write_text("Another private note on the bridge.\n", "utf-8")
    make(inbox, outside, folder)
    ran = cli("ingest", "in", "-w", "ws", cwd=folder, timeout=60)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}: {_short(ran.err)}")
    expect(len(ran.lines) == len(lines), f"{len(ran.lines)} lines: {_short(ran.err)}")
    for line, words in zip(ran.lines, lines, strict=True):
        expect(words in line, f"{words!r} not in {_short(line)}")
    paths = _stored_paths(folder / "ws")
    names = sorted(Path(p).name for p in paths)
    expect(names == sorted(stored), f"stored {names}, not {sorted(stored)}")
    expect(
        all(Path(p).is_relative_to(inbox.resolve()) for p in paths),
        f"a path outside the folder: {paths}",
    )
    return (
        _short(ran.lines[0].replace(str(folder), "CASE"), 110) if ran.lines else f"stored {names}"
    )


def _link(name: str, target: Callable[[Path, Path, Path], Path | str]):
    def make(inbox: Path, outside: Path, folder: Path) -> None:
        (inbox / name).symlink_to(target(inbox, outside, folder))

    return make


def _chain(inbox: Path, outside: Path, folder: Path) -> None:
    (inbox / "hop2.txt").symlink_to(outside / "secret.txt")
    (inbox / "hop1.txt").symlink_to(inbox / "hop2.txt")


def _inside_folder(inbox: Path, outside: Path, folder: Path) -> None:
    (inbox / "real").mkdir()
    (inbox / "real" / "a.txt").write_text("The footbridge will be lit at night.\n", "utf-8")
    (inbox / "again").symlink_to(inbox / "real")


LINK_CASES: list[tuple[str, Callable[[Path, Path, Path], None], list[str], list[str]]] = [
    (
        "to a file outside",
        _link("s.txt", lambda i, o, f: o / "secret.txt"),
        ["outside"],
        ["good.txt"],
    ),
    ("to a folder outside", _link("elsewhere", lambda i, o, f: o), ["not followed"], ["good.txt"]),
    (
        "relative ../ to a file outside",
        _link("r.txt", lambda i, o, f: "../outside/secret.txt"),
        ["outside"],
        ["good.txt"],
    ),
    ("a chain of two links leading out", _chain, ["hop1.txt", "hop2.txt"], ["good.txt"]),
    ("to /dev/zero", _link("zero.txt", lambda i, o, f: "/dev/zero"), ["outside"], ["good.txt"]),
    ("to the parent folder", _link("up", lambda i, o, f: f), ["not followed"], ["good.txt"]),
    ("to a file inside", _link("alias.txt", lambda i, o, f: i / "good.txt"), [], ["good.txt"]),
    ("to a folder inside", _inside_folder, [], ["a.txt", "good.txt"]),
    ("a loop (to the folder itself)", _link("loop", lambda i, o, f: i), [], ["good.txt"]),
    ("broken", _link("gone.txt", lambda i, o, f: f / "missing.txt"), ["broken"], ["good.txt"]),
]


# --- the prepared workspace -------------------------------------------------------------------


@dataclass
class Prepared:
    """The seeds and tests/data/stories, run once; copied for the cases that need links."""

    corpus: Path
    workspace: Path
    counts: dict[str, int]
    seconds: float


def _copy_workspace(source: Path, target: Path) -> Path:
    """A copy of a workspace through SQLite's backup (whole, whatever its WAL holds)."""
    target.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(source / "workbench.db")) as src:
        src.execute("PRAGMA wal_checkpoint(FULL)")
        with contextlib.closing(sqlite3.connect(target / "workbench.db")) as dst:
            src.backup(dst)
    return target


def _independent(folder: Path) -> Path:
    """A fresh copy of tests/data/independent: three new documents of another event."""
    more = folder / "more"
    shutil.copytree(DATA / "independent", more)
    return more


def _by_name(ws: Workspace) -> dict[str, int]:
    return {Path(d.path).name: d.id for d in ws.documents()}


def _pair(ws: Workspace, a: int, b: int) -> int | None:
    rows = [r.id for r in ws.alignment_rows() if {r.src_doc, r.tgt_doc} == {a, b}]
    return rows[0] if rows else None


def _events_line(report: RunReport) -> str:
    return next((s.summary for s in report.stages if s.name == "events"), "")


# --- user decisions ----------------------------------------------------------------------------


@dataclass
class MoveFacts:
    """What a move, a re-align, new documents and a run left (scenario of issue 23 item 1)."""

    moved_event: int | None = None
    target: int = 0
    made: int | None = None
    made_after: int | None = None
    links_before: list[int] = field(default_factory=list)
    links_after: list[int] = field(default_factory=list)
    vanished: set[int] = field(default_factory=set)
    emptied: set[int] = field(default_factory=set)
    events_line: str = ""
    held_events: int = 0
    held_threads: int = 0
    regrouped: list[str] = field(default_factory=list)


def _move_scenario(prepared: Prepared, folder: Path) -> MoveFacts:
    """Move rangers.ar into the Chelsea event, re-align it, add tests/data/independent
    and run again."""
    facts = MoveFacts()
    with Workspace(_copy_workspace(prepared.workspace, folder / "ws")) as ws:
        names = _by_name(ws)
        moved, partner = names["rangers.ar.txt"], names["chelsea.en.txt"]
        docs = {d.id: d for d in ws.documents()}
        facts.target = docs[partner].event_id or 0
        move_document(ws, moved, facts.target)
        realign_event(ws, facts.target)
        facts.made = _pair(ws, moved, partner)
        facts.links_before = sorted(link.id for link in ws.alignment_links(facts.made or -1))
        before = {d.id: d.event_id for d in ws.documents()}
        members: dict[int, set[int]] = {}
        for doc, event in before.items():
            members.setdefault(event or 0, set()).add(doc)
        events_before = {e.id for e in ws.events()}
        report = run(ws, [_independent(folder)])
        after = {d.id: d.event_id for d in ws.documents()}
        facts.moved_event = after.get(moved)
        facts.made_after = _pair(ws, moved, partner)
        facts.links_after = sorted(link.id for link in ws.alignment_links(facts.made or -1))
        events_after = {e.id for e in ws.events()}
        facts.vanished = events_before - events_after
        # an event may vanish when all its documents joined events that were there before;
        # one whose documents now sit in a new event was renumbered
        facts.emptied = {
            e
            for e in facts.vanished
            if all(after.get(d) in events_before for d in members.get(e, set()))
        }
        facts.events_line = _events_line(report)
        held = {e for e in after.values() if e is not None}
        facts.held_events = len(held)
        facts.held_threads = len({e.thread_id for e in ws.events() if e.id in held})
        facts.regrouped = [
            f"{Path(docs[d].path).name}: {before[d]}->{after.get(d)}"
            for d in before
            if d != moved and after.get(d) != before[d]
        ]
    return facts


def _move_checks(probe: Probe) -> list[tuple[str, Callable[[Path], str]]]:
    def facts() -> MoveFacts:
        return probe.scenario("move", _move_scenario)

    def stays(_: Path) -> str:
        f = facts()
        expect(
            f.moved_event == f.target, f"moved document is in event {f.moved_event}, not {f.target}"
        )
        return f"rangers.ar.txt still in event {f.target}"

    def alignment(_: Path) -> str:
        f = facts()
        expect(f.made is not None, "the re-align made no alignment of the moved document")
        expect(f.made_after == f.made, f"alignment {f.made} is now {f.made_after}")
        return f"alignment {f.made} kept"

    def link_ids(_: Path) -> str:
        f = facts()
        expect(f.links_before, "the re-aligned pair has no links")
        expect(f.links_after == f.links_before, f"links {f.links_before} -> {f.links_after}")
        return f"{len(f.links_before)} links kept"

    def events(_: Path) -> str:
        f = facts()
        lost = f.vanished - f.emptied
        expect(not lost, f"event ids gone although their documents remain: {sorted(lost)}")
        return f"vanished: {sorted(f.vanished) or 'none'}"

    def others(_: Path) -> str:
        f = facts()
        expect(not f.regrouped, f"existing documents changed event: {f.regrouped}")
        return "every other document kept its event"

    def report(_: Path) -> str:
        f = facts()
        said = re.match(r"(\d+) threads, (\d+) events", f.events_line)
        expect(said, f"events line: {f.events_line!r}")
        seen = (int(said[1]), int(said[2])) if said else (0, 0)
        expect(
            seen == (f.held_threads, f.held_events),
            f"report says {seen}, workspace holds {(f.held_threads, f.held_events)}",
        )
        return _short(f.events_line, 100)

    return [
        ("moved document stays after new documents and a run", stays),
        ("its re-aligned pair keeps its alignment id", alignment),
        ("that alignment keeps its link ids", link_ids),
        ("no event id vanishes except emptied ones", events),
        ("documents not moved keep their events", others),
        ("run report counts the events held", report),
    ]


@dataclass
class EditFacts:
    """Link statuses after user edits, a run with new documents, a re-align and an export."""

    expected: dict[int, tuple[str, tuple, tuple]] = field(default_factory=dict)
    after_run: dict[int, tuple[str, tuple, tuple] | None] = field(default_factory=dict)
    after_realign: dict[int, tuple[str, tuple, tuple] | None] = field(default_factory=dict)
    exported: list[dict] = field(default_factory=list)
    export_code: int = 0
    realign: str = ""


def _edit_scenario(prepared: Prepared, folder: Path) -> EditFacts:
    """In rangers fa-en: confirm a link, reject one, say a sentence has no partner, merge
    two; then add documents and run, re-align the event, and export at confidence 1."""
    facts = EditFacts()
    ws_path = _copy_workspace(prepared.workspace, folder / "ws")
    with Workspace(ws_path) as ws:
        names = _by_name(ws)
        alignment = _pair(ws, names["rangers.fa.txt"], names["rangers.en.txt"])
        expect(alignment is not None, "no rangers fa-en alignment in the prepared workspace")
        event = next(r.event_id for r in ws.alignment_rows() if r.id == alignment)
        first = sorted(ws.alignment_links(alignment or -1), key=lambda k: k.src_ids)
        set_status(ws, first[0].id, "confirmed", actor="probe")
        set_status(ws, first[1].id, "rejected", actor="probe")
        alone = mark_no_partner(ws, alignment or -1, "src", first[2].src_ids[0], actor="probe")
        merged = merge(ws, first[3].id, first[4].id, actor="probe")

        def state() -> dict[int, tuple[str, tuple, tuple] | None]:
            rows = {
                k.id: (k.status, k.src_ids, k.tgt_ids) for k in ws.alignment_links(alignment or -1)
            }
            return {key: rows.get(key) for key in (first[0].id, first[1].id, alone, merged)}

        facts.expected = {k: v for k, v in state().items() if v is not None}
        run(ws, [_independent(folder)])
        facts.after_run = state()
        facts.realign = realign_event(ws, event or -1)
        facts.after_realign = state()
    ran = cli("export", "--format", "json", "--min-confidence", "1", "-w", ws_path, cwd=folder)
    facts.export_code = ran.code
    with contextlib.suppress(json.JSONDecodeError):
        facts.exported = json.loads(ran.out or "{}").get("links", [])
    return facts


def _edit_checks(probe: Probe) -> list[tuple[str, Callable[[Path], str]]]:
    def facts() -> EditFacts:
        return probe.scenario("edits", _edit_scenario)

    def kept(index: int, stage: str, _: Path) -> str:
        f = facts()
        link = list(f.expected)[index]
        want = f.expected[link]
        got = (f.after_run if stage == "run" else f.after_realign).get(link)
        expect(got == want, f"link {link} was {want}, now {got}")
        return f"link {link}: {want[0]} {list(want[1])}-{list(want[2])}"

    def exported(_: Path) -> str:
        f = facts()
        expect(f.export_code == 0, f"export exit {f.export_code}")
        statuses = Counter(row.get("status") for row in f.exported)
        expect(statuses["confirmed"] >= 1 and statuses["edited"] >= 1, f"exported {dict(statuses)}")
        return f"exported at confidence 1: {dict(statuses)}"

    cases = [
        (f"{what} link kept by a run with new documents", partial(kept, n, "run"))
        for n, what in enumerate(("confirmed", "rejected", "no-partner", "merged (edited)"))
    ]
    return [
        *cases,
        ("all four kept by a re-align of their event", _all_kept(facts)),
        ("confirmed and edited links exported at --min-confidence 1", exported),
    ]


def _all_kept(facts: Callable[[], EditFacts]) -> Callable[[Path], str]:
    def check(_: Path) -> str:
        f = facts()
        changed = {
            k: f.after_realign.get(k) for k, v in f.expected.items() if f.after_realign.get(k) != v
        }
        expect(not changed, f"changed by the re-align: {changed}")
        return _short(f.realign, 100)

    return check


def _gone(prepared: Prepared, folder: Path) -> tuple[Workspace, int, list[int]]:
    """A workspace copy where one alignment was removed as a regrouping removes it."""
    ws = Workspace(_copy_workspace(prepared.workspace, folder / "ws"))
    row = next(r for r in ws.alignment_rows() if r.mode == "parallel")
    links = sorted(k.id for k in ws.alignment_links(row.id))
    with ws.transaction() as conn:
        conn.execute("DELETE FROM alignments WHERE id = ?", (row.id,))
    return ws, row.id, links


def _edit_on_gone(edit: str, prepared: Prepared, folder: Path) -> str:
    """An edit on a pair a run removed: a clear EditError, never an SQLite error, and
    nothing changed."""
    ws, gone, links = _gone(prepared, folder)
    with ws:
        before = ws.counts()["links"]
        calls: dict[str, Callable[[], object]] = {
            "relink": lambda: relink(ws, gone, [0], [0]),
            "mark_no_partner": lambda: mark_no_partner(ws, gone, "src", 0),
            "set_status": lambda: set_status(ws, links[0], "confirmed"),
            "merge": lambda: merge(ws, links[0], links[1]),
            "split": lambda: split(ws, links[0], [(0, 0)]),
        }
        try:
            calls[edit]()
        except EditError as error:
            message = str(error)
        else:
            raise Broken("no error: the edit was applied to a pair that is gone")
        expect("\n" not in message, "a message of several lines")
        expect(ws.counts()["links"] == before, "links changed")
    return _short(message, 110)


def _undo_on_gone(prepared: Prepared, folder: Path) -> str:
    """Undo in a pair whose alignment went after the edit: EditError or nothing to undo."""
    with Workspace(_copy_workspace(prepared.workspace, folder / "ws")) as ws:
        row = next(r for r in ws.alignment_rows() if r.mode == "parallel")
        link = sorted(k.id for k in ws.alignment_links(row.id))[0]
        set_status(ws, link, "rejected", actor="probe")
        with ws.transaction() as conn:
            conn.execute("DELETE FROM alignments WHERE id = ?", (row.id,))
        try:
            result = undo(ws, row.id)
        except EditError as error:
            return f"EditError: {_short(str(error), 100)}"
        expect(ws.link(link) is None, f"undo brought link {link} back without its alignment")
        return f"undo returned {result!r}, nothing restored"


def _ids_never_reused(table: str, old_workspace: bool, prepared: Prepared, folder: Path) -> str:
    """Remove the newest row of ``table`` (as a regrouping does), then make a new one:
    its id is new. ``old_workspace``: made before the id counters (none in settings, one
    schema version back), then opened by this version."""
    path = _copy_workspace(prepared.workspace, folder / "ws")
    if old_workspace:
        with Workspace(path) as ws:
            with ws.transaction() as conn:
                conn.execute("DELETE FROM settings WHERE key LIKE 'last_id.%'")
            ws.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
    with Workspace(path) as ws:
        if table == "alignments":
            doomed = max(ws.alignment_rows(), key=lambda r: r.id)
            with ws.transaction() as conn:
                conn.execute("DELETE FROM alignments WHERE id = ?", (doomed.id,))
            new = ws.save_alignment(
                event_id=doomed.event_id,
                src_doc=doomed.src_doc,
                tgt_doc=doomed.tgt_doc,
                mode="comparable",
                method="probe",
                params={},
                links=[([0], [0], 1.0, "1-1", 0.9)],
            )
            gone = doomed.id
        elif table == "events":
            gone = max(e.id for e in ws.events())
            document = next(d for d in ws.documents() if d.event_id == gone)
            with ws.transaction() as conn:
                conn.execute("UPDATE documents SET event_id = NULL WHERE event_id = ?", (gone,))
                conn.execute("DELETE FROM events WHERE id = ?", (gone,))
            new = move_document(ws, document.id, None)
        else:
            alignment = next(r for r in ws.alignment_rows() if r.mode == "parallel")
            links = sorted(ws.alignment_links(alignment.id), key=lambda k: k.id)
            gone = max(k.id for k in ws.alignment_links(alignment.id))
            with ws.transaction() as conn:
                conn.execute("DELETE FROM links WHERE id = ?", (gone,))
            new = relink(ws, alignment.id, list(links[-1].src_ids), list(links[-1].tgt_ids))
    expect(new is not None and new > gone, f"removed id {gone}, new one got id {new}")
    return f"removed {gone}, new {new}"


def _stale_address(prepared: Prepared, folder: Path) -> str:
    """An address to a pair a run removed: the Parallel view says so (AppTest)."""
    from streamlit.testing.v1 import AppTest

    _quiet_streamlit()

    ws, gone, _ = _gone(prepared, folder)
    ws.close()
    with _environment(WORKBENCH_WORKSPACE=str(folder / "ws")):
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        app.query_params["page"] = "Parallel view"
        app.query_params["alignment"] = str(gone)
        app.run()
    expect(not app.exception, f"the app raised: {app.exception}")
    notice = [w.value for w in app.warning if "no longer exists" in w.value]
    expect(notice and f"pair {gone}" in notice[0], f"warnings: {[w.value for w in app.warning]}")
    return _short(notice[0], 110)


def _quiet_streamlit() -> None:
    """Streamlit logs a warning per bare-mode call; the probe's output is its table."""
    import logging

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- the app -----------------------------------------------------------------------------------

HOSTILE = (
    "[click](https://evil.example/x)",
    "![p](https://127.0.0.1:8999/leak.png)",
    "<img src=x onerror=alert(1)>",
    "www.example.org",
    "see http://evil.example/x now",
    "write to spy@example.org",
    "# heading\n\n* item",
)


def _safe_text(payload: str, _: Path) -> str:
    """What the app shows of a name or a title: no link, image, heading or tag in
    CommonMark, no autolink shape left, and the same text once decoded."""
    from markdown_it import MarkdownIt

    from workbench.app.safe import WORD_JOINER, safe

    shown = safe(payload)
    rendered = MarkdownIt("commonmark").render(f"**skipped** {shown}: reason")
    for tag in ("<a ", "<img", "<h1", "<li"):
        expect(tag not in rendered, f"{tag!r} in {_short(rendered)}")
    decoded = html.unescape(shown)
    expect(not re.search(r"(?i)www\.|://|[\w.+-]@", decoded), f"autolink shape in {decoded!r}")
    expect(decoded.replace(WORD_JOINER, "") == payload, "the text changed")
    return f"inert: {_short(shown, 90)}"


def _corpus_page(folder: Path) -> str:
    """Skipped files with hostile names on the Corpus page: warnings hold no live markup."""
    from streamlit.testing.v1 import AppTest

    _quiet_streamlit()

    inbox = folder / "in"
    inbox.mkdir()
    (inbox / "good.txt").write_text(GOOD_EN, "utf-8")
    for n, name in enumerate(("[click](https:__evil.example).pdf", "www.example.org.pdf")):
        (inbox / name).write_bytes(b"not a pdf %d" % n)
    with Workspace(folder / "ws") as ws:
        Ingester(ws).ingest([inbox])
    with _environment(WORKBENCH_WORKSPACE=str(folder / "ws")):
        app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        app.run()
    expect(not app.exception, f"the app raised: {app.exception}")
    warnings = [w.value for w in app.warning if w.value.startswith("skipped")]
    expect(len(warnings) == 2, f"{len(warnings)} skip warnings")
    for value in warnings:
        expect("](" not in value and "www." not in value, f"live markup: {_short(value)}")
    return "2 warnings, no live markup"


# --- command-line options ------------------------------------------------------------------------


def _export_option(
    args: list[str], code: int, words: list[str], prepared: Prepared, folder: Path
) -> str:
    ws = _copy_workspace(prepared.workspace, folder / "ws")
    ran = cli("export", *args, "-w", ws, cwd=folder)
    if code == 0:
        ran.clean()
        expect(ran.code == 0, f"exit {ran.code}: {_short(ran.err)}")
        text = " ".join(ran.lines)
        for word in words:
            expect(word in text, f"{word!r} not in: {_short(text)}")
        expect("workbench run DIR` first" not in text, f"wrong advice: {_short(text)}")
        return f"exit 0: {_short(text, 110)}"
    return _one_line_error(ran, code, *words)


def _workspace_is_file(folder: Path) -> str:
    (folder / "ws").write_text("not a folder", "utf-8")
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    return _one_line_error(cli("ingest", "good.txt", "-w", "ws", cwd=folder), 3, "is a file")


def _missing_folder(folder: Path) -> str:
    ran = cli("run", "no-such-folder", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 1, f"exit {ran.code}: {_short(ran.err)}")
    expect(
        len(ran.lines) == 2 and "no such file or folder" in ran.lines[0],
        f"stderr: {_short(ran.err)}",
    )
    return f"exit 1: {_short(' / '.join(ran.lines), 110)}"


def _garbage_db(foreign: bool, folder: Path) -> str:
    (folder / "ws").mkdir()
    db = folder / "ws" / "workbench.db"
    if foreign:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
            conn.execute("INSERT INTO notes VALUES ('mine')")
            conn.commit()
    else:
        db.write_bytes(b"this is not a database" * 100)
    before = db.read_bytes()
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    said = _one_line_error(cli("ingest", "good.txt", "-w", "ws", cwd=folder), 3)
    expect(db.read_bytes() == before, "the file was changed")
    return said


class NotRun(Exception):
    """A case this machine cannot set up; reported as held, its detail says "not run"."""


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[str]:
    """Make ``paths`` unwritable for the commands run inside, and writable again after.
    Root writes through permission bits, so for root the files are made immutable
    (``chattr +i``, which binds root too); anyone else gets ``chmod a-w``. Yields how."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode & 0o777 for path in paths}
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield "chmod a-w"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None:
        raise NotRun("running as root and chattr is missing: permissions would not bite")
    made = subprocess.run([chattr, "+i", *map(str, paths)], capture_output=True, text=True)
    if made.returncode != 0:
        subprocess.run([chattr, "-i", *map(str, paths)], capture_output=True)
        raise NotRun(f"running as root and chattr +i failed: {_short(made.stderr, 80)}")
    try:
        yield "chattr +i (the probe runs as root)"
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


def _read_only(command: str, prepared: Prepared, folder: Path) -> str:
    """A workspace that cannot be written: ingest is one line and exit 3 with nothing
    changed; export and status read it as it is."""
    ws = _copy_workspace(prepared.workspace, folder / "ws")
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    before = (ws / "workbench.db").read_bytes()
    with read_only(ws / "workbench.db", ws) as how:
        if command == "ingest":
            said = _one_line_error(cli("ingest", "good.txt", "-w", ws, cwd=folder), 3, "read-only")
        elif command == "export":
            ran = cli("export", "--min-confidence", "0", "-w", ws, cwd=folder)
            ran.clean()
            expect(ran.code == 0, f"exit {ran.code}: {_short(ran.err)}")
            rows = len(ran.out.splitlines()) - 1
            expect(rows == prepared.counts["links"], f"{rows} rows, not {prepared.counts['links']}")
            said = f"exit 0, {rows} rows"
        else:
            ran = cli("status", "--json", "-w", ws, cwd=folder)
            ran.clean()
            expect(ran.code == 0, f"exit {ran.code}: {_short(ran.err)}")
            counts = json.loads(ran.out)["counts"]
            expect(counts == prepared.counts, f"counts {counts}")
            said = f"exit 0, {counts['documents']} documents"
    expect((ws / "workbench.db").read_bytes() == before, "the database changed")
    return f"{how}: {said}"


def _read_only_folder(folder: Path) -> str:
    """``run`` into a read-only folder with no workspace yet."""
    (folder / "ws").mkdir()
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    with read_only(folder / "ws") as how:
        ran = cli("run", "good.txt", "-w", "ws", cwd=folder)
    return f"{how}: {_one_line_error(ran, 3, 'read-only')}"


def _emptied_by_confidence(prepared: Prepared, folder: Path) -> str:
    """An export the confidence filter empties says so (not "run `workbench run` first")."""
    ws = _copy_workspace(prepared.workspace, folder / "ws")
    with contextlib.closing(sqlite3.connect(ws / "workbench.db")) as conn:
        events = conn.execute(
            "SELECT a.event_id FROM links l JOIN alignments a ON a.id = l.alignment_id"
            " WHERE a.event_id IS NOT NULL GROUP BY a.event_id HAVING max(l.confidence) < 1"
        ).fetchall()
    expect(events, "probe: every event has a link of confidence 1")
    args = ["--event", str(events[0][0]), "--min-confidence", "1"]
    return _export_option(args, 0, ["confidence 1", "hidden"], prepared, folder / "export")


def _out_option(where: str, prepared: Prepared, folder: Path) -> str:
    ws = _copy_workspace(prepared.workspace, folder / "ws")
    target = folder / "exports" if where == "folder" else folder / "missing" / "links.tsv"
    if where == "folder":
        target.mkdir()
    said = _one_line_error(cli("export", "--out", target, "-w", ws, cwd=folder), 1, "--out")
    expect(not (folder / "missing").exists(), "the missing folder was made")
    if where == "folder":
        expect(list(target.iterdir()) == [], "something was written into the folder")
    return said


def _full_disk(grown: Path, folder: Path) -> str:
    """``export --out`` over last week's file when the kernel's file-size limit stops the
    write: one line, exit 1, the old file whole, no temporary file left."""
    ws = _copy_workspace(grown, folder / "ws")
    scratch = folder / "size.json"
    first = cli(
        "export",
        "--min-confidence",
        "0",
        "--format",
        "json",
        "--out",
        scratch,
        "-w",
        ws,
        cwd=folder,
    )
    expect(first.code == 0, f"the plain export failed: {_short(first.err)}")
    size = scratch.stat().st_size
    scratch.unlink()
    floor = 33 << 10  # over the 32 KiB -shm file SQLite writes on opening the workspace
    expect(size > floor + 2048, f"probe: the export ({size} bytes) is too small to cut")
    limit = (floor + size) // 2
    old = folder / "links.json"
    old.write_text('["the export of last week"]\n', "utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    ran = cli(
        *("export", "--min-confidence", "0", "--format", "json", "--out", old, "-w", ws),
        cwd=folder,
        preexec_fn=limited,
    )
    said = _one_line_error(ran, 1, "cannot write")
    expect(old.read_text("utf-8") == '["the export of last week"]\n', "the old file changed")
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith(".links"))
    expect(not left, f"left behind: {left}")
    return f"limit {limit} B < export {size} B; {said}"


def _dev_full(prepared: Prepared, folder: Path) -> str:
    ws = _copy_workspace(prepared.workspace, folder / "ws")
    with open("/dev/full", "wb") as full:
        ran = cli("export", "--min-confidence", "0", "-w", ws, cwd=folder, stdout=full.fileno())
    return _one_line_error(ran, 1, "standard output")


def _options(args: list[str], code: int, words: list[str], folder: Path) -> str:
    (folder / "good.txt").write_text(GOOD_EN, "utf-8")
    ran = cli(*args, cwd=folder)
    ran.clean()
    expect(ran.code == code, f"exit {ran.code}, not {code}: {_short(ran.err)}")
    text = " ".join(ran.lines)
    for word in words:
        expect(word in text, f"{word!r} not in: {_short(text)}")
    return f"exit {ran.code}: {_short(ran.lines[-1] if ran.lines else '', 110)}"


# --- concurrency and kill -9 --------------------------------------------------------------------


def _concurrent_folder(folder: Path) -> Path:
    inbox = folder / "in"
    inbox.mkdir()
    for n in range(4):
        (inbox / f"{n}.txt").write_text(f"Report {n}: {GOOD_EN}", "utf-8")
    for n in range(2):
        lines = [f"Report {n} on the rally in Paris on Saturday."] * 3
        (inbox / f"{n}.pdf").write_bytes(pdf_bytes(text_stream(lines)))
    (inbox / "fa.txt").write_text(GOOD_FA, "utf-8")
    return inbox


def _each_once(ws_path: Path, inbox: Path) -> str:
    """Every file of ``inbox`` stored exactly once."""
    paths = _stored_paths(ws_path)
    counted = Counter(Path(p).name for p in paths)
    files = sorted(p.name for p in inbox.iterdir())
    expect(sorted(counted) == files, f"stored {sorted(counted)}, not {files}")
    expect(
        set(counted.values()) == {1}, f"stored twice: {[n for n, c in counted.items() if c > 1]}"
    )
    return f"{len(files)} files, each stored once"


def _two_threads(precreate: bool, folder: Path) -> str:
    """Two Ingesters (threads, a connection each) on one folder at once."""
    inbox = _concurrent_folder(folder)
    if precreate:
        Workspace(folder / "ws").close()
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def ingest() -> None:
        try:
            barrier.wait(30)
            with Workspace(folder / "ws") as ws:
                Ingester(ws).ingest([inbox])
        except Exception as error:  # what the case looks for
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    expect(not errors, f"raised: {_short('; '.join(errors))}{_afterwards(folder)}")
    return _each_once(folder / "ws", inbox)


def _afterwards(folder: Path) -> str:
    """Whether the workspace a failed concurrent start left still opens (``status``)."""
    status = cli("status", "-w", "ws", cwd=folder)
    if status.code == 0:
        return "; the workspace opens afterwards"
    return f"; afterwards `status` exits {status.code}: {_short(status.err, 90)}"


def _two_processes(command: str, folder: Path) -> str:
    """Two ``workbench ingest`` (or run) processes on one folder and a fresh workspace."""
    if command == "run":
        inbox = folder / "in"
        shutil.copytree(DATA / "stories", inbox)
    else:
        inbox = _concurrent_folder(folder)
    procs = [spawn(command, "in", "-w", "ws", cwd=folder) for _ in range(2)]
    results = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        results.append((proc.returncode, err.decode("utf-8", "replace")))
    for code, err in results:
        expect("Traceback" not in err and "internal error" not in err, f"stderr: {_short(err)}")
        expect(code == 0, f"exit {code}: {_short(err, 100)}{_afterwards(folder)}")
    said = _each_once(folder / "ws", inbox)
    if command == "run":
        with Workspace(folder / "ws", create=False) as ws:
            pairs = Counter((r.src_doc, r.tgt_doc) for r in ws.alignment_rows())
            running = ws.conn.execute(
                "SELECT COUNT(*) FROM jobs WHERE state = 'running'"
            ).fetchone()[0]
        expect(set(pairs.values()) <= {1}, "a pair aligned twice")
        expect(running == 0, f"{running} jobs left running")
        said += f", {len(pairs)} alignments"
    return said


@dataclass(frozen=True)
class Stored:
    """What a workspace held at one moment (all zero before it exists)."""

    sources: int = 0
    embeddings: int = 0
    events: int = 0
    links: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sources} files, {self.embeddings} vectors, {self.events} events,"
            f" {self.links} links"
        )


def _stored(ws_path: Path) -> Stored | None:
    """What the workspace holds now, read while another process writes it; None when it
    cannot be read yet (being created)."""
    db = ws_path / "workbench.db"
    if not db.exists():
        return Stored()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            counts = [
                conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("sources", "embeddings", "events", "links")
            ]
    except sqlite3.Error:
        return None
    return Stored(*counts)


KILL_POINTS: dict[str, Callable[[Stored, Stored], bool]] = {
    "while Python starts": lambda now, full: True,
    "while files are read": lambda now, full: 0 < now.sources < full.sources,
    "after reading, before vectors": lambda now, full: (
        now.sources == full.sources and now.embeddings == 0
    ),
    "while grouping events": lambda now, full: now.embeddings > 0 and now.events == 0,
    "after grouping, before links": lambda now, full: now.events > 0 and now.links == 0,
    "while aligning": lambda now, full: 0 < now.links < full.links,
    "after the last link": lambda now, full: now.links == full.links,
}
"""Where ``workbench run`` is killed: the first moment (polled every 10 ms) the workspace
shows this, compared with what an uninterrupted run stores."""


def _killed(point: str, prepared: Prepared, folder: Path) -> str:
    """``workbench run`` killed with SIGKILL at ``point``, then run again: the re-run
    succeeds and the workspace holds each file once, as an uninterrupted run."""
    full = Stored(
        prepared.counts["sources"], prepared.counts["embeddings"], 1, prepared.counts["links"]
    )
    reached = KILL_POINTS[point]
    start = time.monotonic()
    proc = spawn("run", prepared.corpus, "-w", "ws", cwd=folder)
    now: Stored | None = None
    killed_at = None
    while proc.poll() is None and time.monotonic() - start < 300:
        if point == "while Python starts":
            time.sleep(0.3)
        now = _stored(folder / "ws")
        if now is not None and reached(now, full) and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at = time.monotonic() - start
            break
        time.sleep(0.01)
    proc.communicate(timeout=60)
    again = cli("run", prepared.corpus, "-w", "ws", cwd=folder, timeout=300)
    again.clean()
    expect(again.code == 0, f"re-run exit {again.code}: {_short(again.err)}")
    status = cli("status", "--json", "-w", "ws", cwd=folder)
    expect(status.code == 0, f"status exit {status.code}: {_short(status.err)}")
    shown = json.loads(status.out)
    places = Counter((d["path"], d["part"]) for d in shown["documents"])
    expect(set(places.values()) == {1}, f"a document twice: {places.most_common(2)}")
    counts = shown["counts"]
    want = {k: prepared.counts[k] for k in ("sources", "documents", "sentences", "links")}
    got = {k: counts[k] for k in want}
    expect(got == want, f"holds {got}, an uninterrupted run {want}")
    with contextlib.closing(sqlite3.connect(folder / "ws" / "workbench.db")) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    expect(check == "ok", f"integrity_check: {check}")
    if killed_at is None:
        when = "the run finished before this point was seen (not killed)"
    else:
        when = f"killed at {killed_at:.1f} s holding {now}"
    return (
        f"{when}; re-run {again.seconds:.0f} s: {got['sources']} files once, {got['links']} links"
    )


# --- the probe ----------------------------------------------------------------------------------


class Probe:
    """The cases, the folders they build in, and what several of them share."""

    def __init__(self, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="probe-", dir=workdir))
        self.root.chmod(0o755)  # nobody (read-only cases) must reach its folders
        self._count = 0
        self._prepared: Prepared | None = None
        self._scenarios: dict[str, object] = {}

    def folder(self, name: str) -> Path:
        """A fresh folder for one case, named after it."""
        self._count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        path = self.root / f"{self._count:03d}-{slug}"
        path.mkdir(mode=0o755)
        return path

    @property
    def prepared(self) -> Prepared:
        """The seeds and stories, run once (the workspace that cases copy)."""
        if self._prepared is None:
            corpus = self.root / "corpus"
            shutil.copytree(SEEDS, corpus / "seeds")
            shutil.copytree(DATA / "stories", corpus / "stories")
            start = time.monotonic()
            with Workspace(self.root / "prepared") as ws:
                run(ws, [corpus])
                counts = ws.counts()
            self._prepared = Prepared(
                corpus, self.root / "prepared", counts, time.monotonic() - start
            )
        return self._prepared

    def scenario(self, name: str, build: Callable[[Prepared, Path], object]):
        """Run a scenario once; the cases that check its facts share what it returns."""
        if name not in self._scenarios:
            try:
                self._scenarios[name] = build(self.prepared, self.folder(f"scenario {name}"))
            except Exception as error:  # every case of the scenario reports it, once built
                self._scenarios[name] = error
        found = self._scenarios[name]
        if isinstance(found, Exception):
            raise found
        return found

    def grown(self) -> Path:
        """The prepared workspace plus tests/data/independent (more links to export)."""

        def build(prepared: Prepared, folder: Path) -> Path:
            with Workspace(_copy_workspace(prepared.workspace, folder / "ws")) as ws:
                run(ws, [_independent(folder)])
            return folder / "ws"

        return self.scenario("grown", build)

    def cases(self) -> list[tuple[str, str, Callable[[Path], str]]]:
        """Every case as ``(group, name, check)``; ``check(folder)`` returns the detail of
        a case that held and raises :class:`Broken` otherwise."""
        p = self.prepared_lazy
        listed: list[tuple[str, str, Callable[[Path], str]]] = []
        for bad in bad_files():
            listed.append(("bad files", bad.name, partial(_bad_file, bad)))
        listed += [
            ("bad files", "bad file named on the command line", _bad_argument),
            ("bad files", "a folder of nothing readable", _all_bad),
        ]
        for name, code, text in LANGUAGES:
            listed.append(
                ("languages", f"{name} skipped as {code}", partial(_language, text, code, False))
            )
        for name, code, text in KEPT:
            listed.append(
                ("languages", f"{name} kept as {code}", partial(_language, text, code, True))
            )
        listed.append(("languages", "the skip line names the language", _language_line))
        for name, make, lines, stored in LINK_CASES:
            listed.append(("symlinks", name, partial(_links, make, lines, stored)))
        listed += [
            ("app", f"safe(): {_short(text, 40)}", partial(_safe_text, text)) for text in HOSTILE
        ]
        listed += [
            ("app", "Corpus page: hostile names stay text", _corpus_page),
            ("app", "stale address says the pair is gone", p(_stale_address)),
        ]
        listed += [
            (
                "options",
                "export --min-confidence 2",
                p(partial(_export_option, ["--min-confidence", "2"], 2, ["--min-confidence"])),
            ),
            (
                "options",
                "export --min-confidence nan",
                p(partial(_export_option, ["--min-confidence", "nan"], 2, ["--min-confidence"])),
            ),
            (
                "options",
                "export --min-confidence -1",
                p(partial(_export_option, ["--min-confidence", "-1"], 2, ["--min-confidence"])),
            ),
            (
                "options",
                "export --min-confidence 1 (hides most)",
                p(
                    partial(
                        _export_option,
                        ["--min-confidence", "1", "--format", "json"],
                        0,
                        ["hidden"],
                    )
                ),
            ),
            (
                "options",
                "export emptied by --min-confidence says so",
                p(_emptied_by_confidence),
            ),
            (
                "options",
                "export --event of one document",
                p(partial(_export_option, ["--event", "1"], 0, ["event 1"])),
            ),
            (
                "options",
                "export --event that does not exist",
                p(partial(_export_option, ["--event", "9999"], 0, ["event 9999"])),
            ),
            ("options", "workspace path that is a file", _workspace_is_file),
            ("options", "run on a missing folder", _missing_folder),
            ("options", "workspace file that is not a database", partial(_garbage_db, False)),
            ("options", "workspace database of another program", partial(_garbage_db, True)),
            ("options", "ingest into a read-only workspace", p(partial(_read_only, "ingest"))),
            ("options", "export from a read-only workspace", p(partial(_read_only, "export"))),
            ("options", "status of a read-only workspace", p(partial(_read_only, "status"))),
            ("options", "run into a read-only empty folder", _read_only_folder),
            ("options", "export --out to a folder", p(partial(_out_option, "folder"))),
            ("options", "export --out into a missing folder", p(partial(_out_option, "missing"))),
            (
                "options",
                "export --out over a file, file-size limit hit",
                lambda folder: _full_disk(self.grown(), folder),
            ),
            ("options", "export to a full stdout (/dev/full)", p(_dev_full)),
            (
                "options",
                "--languages xx",
                partial(
                    _options, ["ingest", "good.txt", "-w", "ws", "--languages", "xx"], 1, ["xx"]
                ),
            ),
            (
                "options",
                "--languages ','",
                partial(
                    _options,
                    ["ingest", "good.txt", "-w", "ws", "--languages", ","],
                    2,
                    ["--languages"],
                ),
            ),
            (
                "options",
                "status of a missing workspace",
                partial(_options, ["status", "-w", "nothing-here"], 3, ["no workspace"]),
            ),
            (
                "options",
                "export --format xml",
                partial(_options, ["export", "--format", "xml", "-w", "ws"], 2, ["xml"]),
            ),
        ]
        listed += [("user decisions", name, check) for name, check in _move_checks(self)]
        listed += [("user decisions", name, check) for name, check in _edit_checks(self)]
        for edit in ("relink", "mark_no_partner", "set_status", "merge", "split"):
            listed.append(
                (
                    "user decisions",
                    f"{edit} on a removed pair: EditError",
                    p(partial(_edit_on_gone, edit)),
                )
            )
        listed.append(("user decisions", "undo on a removed pair", p(_undo_on_gone)))
        for table in ("alignments", "events", "links"):
            listed.append(
                (
                    "user decisions",
                    f"{table} ids never reused",
                    p(partial(_ids_never_reused, table, False)),
                )
            )
        listed.append(
            (
                "user decisions",
                "alignment ids never reused (workspace made before the id counters)",
                p(partial(_ids_never_reused, "alignments", True)),
            )
        )
        for precreate in (True, False):
            for attempt in (1, 2):
                made = "existing" if precreate else "new"
                listed.append(
                    (
                        "concurrency",
                        f"two threads ingest, {made} workspace, try {attempt}",
                        partial(_two_threads, precreate),
                    )
                )
        for attempt in (1, 2, 3, 4):
            listed.append(
                (
                    "concurrency",
                    f"two ingest processes, new workspace, try {attempt}",
                    partial(_two_processes, "ingest"),
                )
            )
        listed.append(
            ("concurrency", "two run processes, new workspace", partial(_two_processes, "run"))
        )

        for point in KILL_POINTS:
            listed.append(
                ("kill -9", f"run killed {point}, then re-run", p(partial(_killed, point)))
            )
        return listed

    def prepared_lazy(self, check: Callable[[Prepared, Path], str]) -> Callable[[Path], str]:
        """``check(prepared, folder)`` as a case that prepares the workspace when it runs."""
        return lambda folder: check(self.prepared, folder)


def run_probe(
    workdir: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[ProbeCase]:
    """Run every case (each in its own folder under ``workdir``) and say what held."""
    probe = Probe(workdir)
    listed = probe.cases()
    results = []
    for done, (group, name, check) in enumerate(listed):
        if progress:
            progress(done, len(listed), name)
        folder = probe.folder(name)
        try:
            held, detail = True, check(folder)
        except Broken as problem:
            held, detail = False, str(problem)
        except NotRun as reason:
            held, detail = True, f"not run: {reason}"
        except Exception as error:  # the workbench (or the probe) failed: say which
            held, detail = False, f"raised {type(error).__name__}: {_short(str(error), 140)}"
        results.append(ProbeCase(name, group, held, _short(detail, 200)))
    if progress:
        progress(len(listed), len(listed), "done")
    return results
