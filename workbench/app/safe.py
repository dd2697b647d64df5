"""The one escape for everything the app shows that came from a user or a file.

Streamlit reads most text as Markdown (``st.markdown``, ``st.warning``, ``st.caption``,
``st.write``, progress labels), and some of it as Markdown with HTML allowed. Escaping
HTML alone leaves Markdown live: a file named ``![p](https://host/leak.png).bin`` makes
the browser fetch that URL, and ``[text](https://...)`` becomes a link. So :func:`safe`
writes every ASCII punctuation character and every line break as a numeric character
reference: Markdown and HTML both decode references to the plain character, and
neither reads one as syntax, so the same string is inert in either context.
"""

from __future__ import annotations

import string

_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}  # as html.escape

_REFERENCES = {ord(ch): f"&#{ord(ch)};" for ch in string.punctuation + "\n\r\v\f\x85\u2028\u2029"}
_REFERENCES.update({ord(k): v for k, v in _NAMED.items()})


def safe(text: object) -> str:
    """``text`` as Markdown and HTML that shows exactly ``text`` (no markup, no links)."""
    return ("" if text is None else str(text)).translate(_REFERENCES)
