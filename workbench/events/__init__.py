"""Group documents into events (one happening) and events into threads (related happenings).

Most coverage is independent: each outlet writes its own story, in its own
language, so two reports of one happening share few sentences that translate
each other; and two football reports of the same weekend read alike as wholes.
So whether two documents report one happening is a *calibrated probability*
learned from labelled pairs (:data:`SAME_EVENT_FEATURES`), combining:

* whole-document similarity (the mean of the language-centred sentence
  vectors) and its margin over each document's nearest other documents in the
  corpus (is this the closest story, or one of many alike);
* the similarity of the *leads* (title and first sentences: news says what
  happened first, background later);
* sentence evidence: the share of the shorter document's sentences with a
  *confident partner* (mutual best match whose ratio margin over the sentence's
  nearest neighbours in the whole corpus clears :data:`PARTNER_MARGIN`: what
  versions of one story share) and the best sentence pairs (the same facts
  stated in other words);
* numbers both documents state (digits compare across scripts) and names both
  write in one script;
* the dates of the happening: two documents whose dates lie more than
  :data:`DATE_WINDOW_DAYS` apart are never one event (a veto).

Events are average-linkage clusters on that probability (above
:data:`EVENT_PROBABILITY`). Each language is centred on the corpus's own mean
when it has enough sentences (what a corpus shares, its subject, is not evidence
of one event). Threads join events about the same *subject*: the documents'
vectors centred on the reference means instead, which keep the subject
(average linkage above :data:`THREAD_THRESHOLD`): the opposition's gatherings
of several years are one thread and four events.

Memory never grows with the square of the corpus's sentences: each document is
compared with its :data:`CANDIDATES` most similar documents only, sentence
neighbourhoods are measured against at most :data:`POOL_LIMIT` sentences per
language, sentence matrices are built in blocks, and clustering runs within the
connected parts of the graph of probable pairs.

Each group keeps a plain-language reason and a readable label (its best title
and date); a user's own choice (``event_origin = 'user'``) is never overwritten.
"""

from __future__ import annotations

from .evidence import (
    BLOCK,
    CANDIDATES,
    DATE_WINDOW_DAYS,
    MODEL_FEATURES,
    MODEL_FILE,
    PARTNER_MARGIN,
    POOL_LIMIT,
    SAME_EVENT_FEATURES,
    DocumentNeighbourhoods,
    PairEvidence,
    SameEventModel,
    SentenceNeighbourhoods,
    best_matches,
    corpus_features,
    dates_apart,
    fitted_for,
    number_overlap,
    pair_evidence,
    pair_features,
    same_event_model,
    sentence_evidence,
    shipped_same_event_models,
    years_differ,
)
from .grouping import (
    EVENT_PROBABILITY,
    LABEL_CHARS,
    THREAD_THRESHOLD,
    EventGroup,
    ThreadGroup,
    assign_events,
    average_linkage,
    event_date,
    group,
    move_document,
    sparse_linkage,
    without_placed,
)
from .profiles import (
    LEAD_SENTENCES,
    OWN_MEAN_SENTENCES,
    DocumentProfile,
    Terms,
    names_in,
    numbers_in,
    profiles,
    similarity,
    words_in,
)

__all__ = [
    "BLOCK",
    "CANDIDATES",
    "DATE_WINDOW_DAYS",
    "EVENT_PROBABILITY",
    "LABEL_CHARS",
    "LEAD_SENTENCES",
    "MODEL_FEATURES",
    "MODEL_FILE",
    "OWN_MEAN_SENTENCES",
    "PARTNER_MARGIN",
    "POOL_LIMIT",
    "SAME_EVENT_FEATURES",
    "THREAD_THRESHOLD",
    "DocumentNeighbourhoods",
    "DocumentProfile",
    "EventGroup",
    "PairEvidence",
    "SameEventModel",
    "SentenceNeighbourhoods",
    "Terms",
    "ThreadGroup",
    "assign_events",
    "average_linkage",
    "best_matches",
    "corpus_features",
    "dates_apart",
    "event_date",
    "fitted_for",
    "group",
    "move_document",
    "names_in",
    "number_overlap",
    "numbers_in",
    "pair_evidence",
    "pair_features",
    "profiles",
    "same_event_model",
    "sentence_evidence",
    "shipped_same_event_models",
    "similarity",
    "sparse_linkage",
    "without_placed",
    "words_in",
    "years_differ",
]
