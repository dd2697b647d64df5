"""The one escape for everything the app shows that came from a user or a file.

Streamlit reads most text as Markdown (``st.markdown``, ``st.warning``, ``st.caption``,
``st.write``, progress labels), and some of it as Markdown with HTML allowed. Escaping
HTML alone leaves Markdown live: a file named ``![p](https://host/leak.png).bin`` makes
the browser fetch that URL, and ``[text](https://...)`` becomes a link. So :func:`safe`
writes every ASCII punctuation character and every line break as a numeric character
reference: Markdown and HTML both decode references to the plain character, and
neither reads one as syntax, so the same string is inert in either context.

References do not stop Streamlit's GitHub-flavoured autolinks, which are found in the
decoded text: ``www.example.org``, ``http://...`` and ``name@host.org`` would still become
links. A WORD JOINER (U+2060, invisible, no width) after ``www``, between ``:`` and ``//``
and before ``@`` breaks each pattern without changing what the reader sees.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}  # as html.escape

_REFERENCES = {ord(ch): f"&#{ord(ch)};" for ch in string.punctuation + "\n\r\v\f\x85\u2028\u2029"}
_REFERENCES.update({ord(k): v for k, v in _NAMED.items()})


WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(www)(?=\.)|(?<=:)(?=//)|(?=@)")


def safe_with_code(text: object) -> str:
    """Like :func:`safe`, but spans between backticks (commands in the workbench's own
    messages) show as code: a Markdown code span shows its content literally, so it is
    inert as it is. Unbalanced backticks: all of it as plain text."""
    value = "" if text is None else str(text)
    parts = value.split("`")
    if len(parts) % 2 == 0 or any("\n" in part for part in parts[1::2]):
        return safe(value)
    return "".join(safe(part) if n % 2 == 0 else f"`{part}`" for n, part in enumerate(parts))


def safe(text: object) -> str:
    """``text`` as Markdown and HTML that shows exactly ``text`` (no markup, no links)."""
    value = "" if text is None else str(text)
    value = _AUTOLINK.sub(lambda match: (match[1] or "") + WORD_JOINER, value)
    return value.translate(_REFERENCES)


def safe_upload_name(name: str) -> str:
    """An uploaded file's name reduced to one safe path component (never a path)."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .")
    return base[:120] or "upload"
