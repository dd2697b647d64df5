"""Reading files into text: txt in any common encoding, html, docx and pdf.

Every failure becomes a :class:`Skipped` with a one-line reason, never an
exception, so a folder of mixed files ingests what it can.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..document import Skipped, Source
from ..errors import WorkbenchError
from ..limits import LimitError, check_zip, docx_limits

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf"}
MAX_BYTES = 512 * 1024 * 1024  # beyond this a "document" is a dump, not an article
_BOMS = {b"\xef\xbb\xbf": "utf-8-sig", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}
_CHUNK = 1 << 20
_SENTENCE_END = re.compile(r"[.!?؟…][»\"”’')\]]*\s")
_CONTROL_BYTES = [*range(1, 9), *range(14, 27), *range(28, 32)]
_PREFERRED = ("cp1256", "cp1252", "latin_1", "iso8859_6", "cp720", "utf_16")
STREAM_BYTES = 16 * 1024 * 1024  # larger text files are read block by block, never whole


class IngestError(WorkbenchError):
    """A file that cannot be read; the message is the one-line reason."""


def iter_files(paths: list[Path]) -> Iterator[Path | Skipped]:
    """Files under ``paths`` (folders recursively, sorted), or a Skipped for a missing path
    or a link that leads out of the folder given."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif path.exists():
            yield path
        else:
            yield Skipped(str(path), "no such file or folder")


def _walk(folder: Path) -> Iterator[Path | Skipped]:
    """A folder's files, hidden ones left out. Symbolic links are followed only while they
    stay inside the folder (a link to elsewhere could pull in any file the user can read,
    under a name that hides where it came from); each one that leaves is named once."""
    root = folder.resolve()
    seen = {root}
    for top, dirs, files in os.walk(folder, followlinks=True):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            place = Path(top) / name
            real = place.resolve()
            if not real.is_relative_to(root):
                yield Skipped(str(place), f"a link to {real}, outside {folder}: not followed")
            elif real not in seen:  # a link loop, or a second way into one folder
                seen.add(real)
                kept.append(name)
        dirs[:] = kept
        for name in sorted(f for f in files if not f.startswith(".")):
            place = Path(top) / name
            if place.is_symlink():
                if not place.exists():
                    yield Skipped(str(place), "a broken link")
                    continue
                real = place.resolve()
                if not real.is_relative_to(root):
                    yield Skipped(str(place), f"a link to {real}, outside {folder}: not followed")
                    continue
            yield place


def read_source(path: Path) -> Source:
    """Read one file into a :class:`Source`; raise :class:`IngestError` with the reason.

    Text files over :data:`STREAM_BYTES` come back with ``text=None``: read
    them with :func:`iter_text_blocks` so memory stays bounded.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise IngestError(f"cannot read: {error.strerror}") from None
    if size == 0:
        raise IngestError("empty file")
    if size > MAX_BYTES:
        raise IngestError(f"too large ({size // 2**20} MiB > {MAX_BYTES // 2**20} MiB)")
    digest = file_hash(path)
    try:
        if suffix in TEXT_SUFFIXES and size > STREAM_BYTES:
            with path.open("rb") as handle:
                encoding = sniff_encoding(path, handle.read(4096))
            return Source(str(path), None, "txt", encoding, digest, size)
        if suffix in TEXT_SUFFIXES:
            text, encoding = read_text_file(path)
            fmt = "txt"
        elif suffix in HTML_SUFFIXES:
            raw, encoding = read_text_file(path)
            text, fmt = html_to_text(raw), "html"
        elif suffix == ".docx":
            text, encoding, fmt = docx_to_text(path), "", "docx"
        else:
            text, encoding, fmt = pdf_to_text(path), "", "pdf"
    except OSError as error:
        raise IngestError(f"cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise IngestError(f"not valid {error.encoding} text at byte {error.start}") from None
    if not text.strip():
        raise IngestError("no text found")
    return Source(str(path), text, fmt, encoding, digest, size)


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, read in chunks so memory stays flat."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_text_file(path: Path) -> tuple[str, str]:
    """Decode a text file: BOM first, then strict UTF-8, then charset detection.

    UTF-8 is tried before detection because detectors misjudge short
    Persian/Arabic UTF-8 files; legacy encodings (Windows-1256, Latin-1,
    UTF-16 without BOM) go to charset-normalizer.
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
    encoding = sniff_encoding(path, head)
    return _decode(path, encoding), encoding


def sniff_encoding(path: Path, head: bytes) -> str:
    """The encoding of a text file from its first bytes (BOM, UTF-8, UTF-16, detection)."""
    for bom, encoding in _BOMS.items():
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        encoding = _utf16_without_bom(head)
        if encoding is None:
            raise IngestError("binary file (contains NUL bytes)")
        return encoding
    if sum(head.count(bytes([b])) for b in _CONTROL_BYTES) > len(head) / 100:
        raise IngestError("binary file (control characters)")
    if _is_utf8(path):
        return "utf-8"
    return _detect(path)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without BOM puts NULs (high bytes of spaces, digits, Latin) on one parity only."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    enough = len(head) // 20  # spaces and digits alone give more NULs than this
    if odd > enough and not even:
        return "utf-16-le"
    if even > enough and not odd:
        return "utf-16-be"
    return None


def _is_utf8(path: Path) -> bool:
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode(path: Path, encoding: str) -> str:
    """Decode incrementally so a huge file never exists twice in memory as bytes and text."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    parts = []
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            parts.append(decoder.decode(chunk))
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts).replace("\r\n", "\n").replace("\r", "\n")


def iter_text_blocks(path: Path, encoding: str, block_chars: int = 1 << 20) -> Iterator[str]:
    """Decoded text in blocks of about ``block_chars``, cut after a newline where possible.

    This is how files too large to hold in memory are read: a block ends at
    the last line break in it, or, for one enormous line, at the last space.
    """
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = ""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            pending += decoder.decode(chunk).replace("\r\n", "\n")
            while len(pending) >= block_chars:
                cut = _block_cut(pending, block_chars)
                yield pending[:cut]
                pending = pending[cut:]
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _block_cut(text: str, limit: int) -> int:
    """Where to end a block: a line break, else a sentence end, else a space, else ``limit``."""
    cut = text.rfind("\n", limit // 2, limit)
    if cut > 0:
        return cut + 1
    sentence_ends = list(_SENTENCE_END.finditer(text, limit // 2, limit))
    if sentence_ends:
        return sentence_ends[-1].end()
    cut = text.rfind(" ", limit // 2, limit)
    return cut + 1 if cut > 0 else limit


def _detect(path: Path) -> str:
    """Legacy encodings (Windows-1256, Latin-1, ...) by charset-normalizer on a sample."""
    from charset_normalizer import from_bytes

    with path.open("rb") as handle:
        sample = handle.read(4 * _CHUNK)
    matches = list(from_bytes(sample))
    if not matches:
        raise IngestError("not valid text in any known encoding")
    # Short samples tie between code pages that decode them equally well
    # (cp1250 vs cp1252 for French); prefer the encodings common for our languages.
    best = min((m.chaos, -m.coherence) for m in matches)
    tied = [m.encoding for m in matches if (m.chaos, -m.coherence) == best]
    return next((enc for enc in _PREFERRED if enc in tied), tied[0])


def html_to_text(html: str) -> str:
    """Main text of a web page (trafilatura), keeping paragraph breaks; falls back to all text."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_recall=True, deduplicate=False
    )
    if text:
        return text
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
        for hidden in tree.xpath("//script | //style | //noscript | //template"):
            hidden.drop_tree()  # code and styling, never text a reader sees
        return tree.text_content()
    except Exception as error:  # lxml raises a zoo of parser errors
        raise IngestError(f"cannot parse HTML: {error}") from None


def docx_to_text(path: Path) -> str:
    """Paragraph text of a .docx; its zip is checked against the size limits first
    (python-docx holds every part in memory), so a zip bomb is refused unread."""
    import zipfile

    import docx

    try:
        with zipfile.ZipFile(path) as archive:
            check_zip(archive, docx_limits())
    except LimitError as error:
        raise IngestError(str(error)) from None
    except (zipfile.BadZipFile, EOFError) as error:
        raise IngestError(f"not a readable .docx file ({error})") from None
    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises zipfile/KeyError/ValueError for bad files
        raise IngestError(f"not a readable .docx file ({type(error).__name__})") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def pdf_to_text(path: Path) -> str:
    """Text layer of a PDF; a scanned PDF without one is reported, not OCRed."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as error:
        raise IngestError(f"not a readable PDF ({error})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise IngestError("PDF has no text layer (scanned?); OCR is not supported")
    return text


@contextmanager
def heard_warnings() -> Iterator[list[str]]:
    """What libraries say while one file is read (pypdf's log lines, Python warnings),
    kept for that file's line of the run report instead of printed on stderr."""
    heard: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard.append(record.getMessage())

    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = [Keep(logging.WARNING)]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield heard
            finally:
                heard.extend(str(w.message) for w in caught)
    finally:
        root.handlers = saved


def describe_failure(error: BaseException) -> str:
    """One line for an unexpected error inside a file reader: its kind and first words."""
    text = " ".join(str(error).split())
    if len(text) > 120:
        text = text[:117] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
