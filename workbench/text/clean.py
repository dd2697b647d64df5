"""Boilerplate removal and article splitting for scraped pages.

Cleaning only ever *deletes* whole lines, and records each deletion as a
span of the source text with its reason. A document's text is therefore
exactly its source range minus its removed spans, and the original is
always recoverable (and shown in the app on demand).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..document import Document, Span

# Facebook/Instagram image names ("10494632_311519509008295_4511214867292605376_n"),
# camera names and bare image files.
_IMAGE_NAME = re.compile(
    r"^(?:\d{6,}(?:_\d{6,})+_[a-z]|IMG[-_]\d+|DSC_?\d+|\S+\.(?:jpe?g|png|gif|webp|bmp|tiff?))$",
    re.IGNORECASE,
)
_COMMENT_FORM = re.compile(
    r"^(?:leave a (?:reply|comment)|your email address will not be published\.?"
    r"|required fields are marked \*?|save my name, email,? and website.*|post comment"
    r"|cancel reply|share this:?|like this:?|related posts?:?|you may also like"
    r"|comments? \(\d+\)|\d+ comments?|print|email this"
    r"|ارسال نظر|نظر خود را بنویسید|نشانی ایمیل شما منتشر نخواهد شد.*|دیدگاهتان را بنویسید"
    r"|اترك تعليقا|اترك ردا|لن يتم نشر عنوان بريدك الإلكتروني.*|شارك(?: هذا)?:?|اقرأ أيضا:?)$",
    re.IGNORECASE,
)
_HASHTAG = re.compile(r"#\s?[\w\u200c]+")
_HANDLE = re.compile(r"@\w+|\w+@")
_TERMINAL = re.compile(r"[.!?؟…»\"”:]$")
_HEADER_WINDOW = 8  # a title repeats within this many lines in an article header
_HEADER_SPAN = 12  # lines after a header that belong to the same header block
_MAX_DEDUP_CHARS = 2000
_MAX_SEEN = 200_000


def is_symbol(char: str) -> bool:
    """Emoji and pictographs (Unicode category So) and their modifiers."""
    return unicodedata.category(char) in {"So", "Sk", "Cs"} or char in "\ufe0f\u200d"


def boilerplate_reason(line: str) -> str | None:
    """Why ``line`` (stripped) is boilerplate, or None if it is content."""
    if not line:
        return None
    if _IMAGE_NAME.match(line):
        return "image file name"
    if _COMMENT_FORM.match(line):
        return "comment form"
    if not any(ch.isalpha() for ch in line):
        return "no words"
    if len(line) <= 3:
        return "stray fragment"
    if _is_social_line(line):
        return "hashtags/emoji"
    return None


def _is_social_line(line: str) -> bool:
    """Hashtag lines, and short emoji-led lines without a sentence ("🌻 پیوند این بلاک")."""
    if len(line.split()) > _SOCIAL_MAX_WORDS:
        return False  # a paragraph that mentions hashtags is still a paragraph
    if len(_HASHTAG.findall(line)) >= 2:
        return True
    stripped = _HANDLE.sub("", _HASHTAG.sub("", line)).strip()
    if not stripped or not any(ch.isalpha() for ch in stripped):
        return True
    starts_with_symbol = is_symbol(line[0])
    return starts_with_symbol and len(line.split()) <= 15 and not _TERMINAL.search(line)


_SOCIAL_MAX_WORDS = 30


def _line_key(line: str) -> str:
    return " ".join(line.split())


def iter_lines(text: str, offset: int = 0) -> Iterator[tuple[int, int, str]]:
    """``(start, end, line)`` for each line; ``end`` includes the newline."""
    start = 0
    for line in text.splitlines(keepends=True):
        yield offset + start, offset + start + len(line), line
        start += len(line)


def removable_lines(text: str, offset: int = 0, seen: set[int] | None = None) -> list[Span]:
    """Spans of boilerplate and repeated lines in ``text``.

    ``seen`` (hashes of lines met so far) carries duplicate detection across the
    blocks of a streamed file; it holds at most :data:`_MAX_SEEN` short lines so
    memory stays bounded whatever the file size.
    """
    seen = set() if seen is None else seen
    removed = []
    for start, end, line in iter_lines(text, offset):
        key = _line_key(line)
        reason = boilerplate_reason(key)
        if reason is None and key and len(key) <= _MAX_DEDUP_CHARS:
            digest = hash(key)
            if digest in seen:
                reason = "duplicate line"
            elif len(seen) < _MAX_SEEN:
                seen.add(digest)
        if reason:
            removed.append(Span(start, end, reason))
    return removed


def article_starts(text: str) -> list[int]:
    """Line numbers where an article begins, found by its header pattern.

    News pages put the title, then the lead photo caption, then the title
    again: a short line repeated a few lines later, with other lines between.
    A file holding several articles repeats that pattern for each.
    """
    lines = [_line_key(line) for line in text.splitlines()]
    starts: list[int] = []
    for i, line in enumerate(lines):
        if not line or len(line.split()) > 25 or (starts and i < starts[-1] + _HEADER_SPAN):
            continue
        following = lines[i + 1 : i + 1 + _HEADER_WINDOW]
        repeats = [j for j, other in enumerate(following) if other == line]
        if any(x and x != line for j in repeats for x in following[:j]):
            starts.append(i)
    return starts


def clean(text: str) -> list[Document]:
    """Split a source text into articles and remove boilerplate from each."""
    line_offsets = [start for start, _, _ in iter_lines(text)] + [len(text)]
    starts = article_starts(text)
    if len(starts) < 2:
        bounds = [(0, len(text))]
    else:
        cut_lines = [0, *starts[1:]]
        bounds = [
            (line_offsets[a], line_offsets[b])
            for a, b in zip(cut_lines, [*cut_lines[1:], len(line_offsets) - 1], strict=True)
        ]
    documents = []
    for part, (start, end) in enumerate(bounds):
        removed = removable_lines(text[start:end], offset=start)
        body = without(text, start, end, removed)
        if body.strip():
            documents.append(
                Document(
                    text=body,
                    title=guess_title(body),
                    part=part,
                    source_start=start,
                    source_end=end,
                    removed=removed,
                )
            )
    return documents


def without(text: str, start: int, end: int, removed: list[Span]) -> str:
    """``text[start:end]`` minus the ``removed`` spans (sorted, inside the range)."""
    pieces, pos = [], start
    for span in removed:
        pieces.append(text[pos : span.start])
        pos = span.end
    pieces.append(text[pos:end])
    return "".join(pieces)


def guess_title(body: str) -> str:
    """First line that reads as a headline: 3-25 words, no closing full stop.

    Date lines ("۱۴۰۳ بهمن ۱۳, شنبه") and bylines above the headline are skipped.
    """
    for line in body.splitlines()[:5]:
        line = _line_key(line)
        if len(line.split()) >= 3 and sum(ch.isdigit() for ch in line) < len(line) / 4:
            return line if len(line.split()) <= 25 and not line.endswith(".") else ""
    return ""
