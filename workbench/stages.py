"""The later stages of ``workbench run``: events, then alignment within each event.

Both read what the workspace holds and write their own tables; each document
pair is claimed in ``jobs`` (so concurrent runs never align it twice), aligned
in one transaction and recorded as done, so an interrupted run resumes with the
pairs not yet done. Alignments a user has edited are never replaced: the save
re-checks inside its own write transaction.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate, combinations

from .align import AlignError, align_documents
from .align.confidence import SHOWN_CONFIDENCE
from .distribute import Engine
from .document import StageReport
from .embed import (
    DEFAULT_EMBEDDER,
    CachedEmbedder,
    Embedder,
    EmbedError,
    load_embedder,
    workspace_embedder,
)
from .events import assign_events, fitted_for
from .jobs import JobClaims
from .progress import Progress, labelled, weighted
from .store import DocumentRow, JobUnit, Workspace
from .translate.flags import real_translations


class EmbedderHolder:
    """Loads the embedder once, on first use, for the stages of one run; ``loaded`` is a
    model of ``spec`` the caller already loaded (a run checks a new embedder loads)."""

    def __init__(self, spec: str, engine: Engine | None = None, loaded: Embedder | None = None):
        self.spec, self.engine, self.loaded = spec, engine, loaded
        self._embedder: CachedEmbedder | None = None

    def get(self, workspace: Workspace) -> CachedEmbedder:
        if self._embedder is None or self._embedder.workspace is not workspace:
            model = self.loaded or load_embedder(self.spec, workspace=workspace.path)
            self._embedder = CachedEmbedder(model, workspace, self.engine)
        return self._embedder


class EventsStage:
    """Group documents into events whenever the set of documents changed."""

    name = "events"

    def __init__(self, holder: EmbedderHolder):
        self.holder = holder

    def __call__(self, workspace: Workspace, progress: Progress | None) -> StageReport:
        docs = [d for d in workspace.documents() if d.sentences]
        # another embedder groups again: its vectors are another view of the documents
        signature = self.holder.spec + "|" + ",".join(str(d.id) for d in docs)
        if workspace.get_setting("events.documents") == signature:
            return StageReport(self.name, "unchanged since the last run")
        try:
            embedder = self.holder.get(workspace)
        except EmbedError as error:
            return StageReport(self.name, "not grouped", [str(error)])
        embedder.progress = labelled(progress, "embedding sentences")
        before = {d.id: d.event_id for d in docs}
        assign_events(workspace, embedder)
        workspace.set_setting("events.documents", signature)
        summary = _grouping_summary(workspace)
        moved = _moved_documents(workspace, before)
        if moved:
            summary += f"; moved to another event: documents {', '.join(map(str, moved))}"
        return StageReport(self.name, summary, _unfitted_model_warning(embedder.key))


def _unfitted_model_warning(embedder_key: str) -> list[str]:
    """Said when the same-event model was fitted on another embedder's vectors."""
    if fitted_for(embedder_key) is not None:
        return []
    return [
        f"the same-event model was fitted on {DEFAULT_EMBEDDER}'s vectors, not on this"
        " embedder's: events may join or split differently than its figures in BENCHMARKS"
        " say (`workbench eval same-event --fit --embedder NAME` fits one)"
    ]


def _grouping_summary(workspace: Workspace) -> str:
    """What the workspace holds after grouping, events a user made included."""
    members: dict[int, int] = {}
    for doc in workspace.documents():
        if doc.event_id is not None:
            members[doc.event_id] = members.get(doc.event_id, 0) + 1
    events = [e for e in workspace.events() if e.id in members]
    threads = {e.thread_id if e.thread_id is not None else -e.id for e in events}
    shared = sum(1 for e in events if members[e.id] > 1)
    return f"{len(threads)} threads, {len(events)} events ({shared} with more than one document)"


def _moved_documents(workspace: Workspace, before: dict[int, int | None]) -> list[int]:
    """Documents that had an event before this grouping and now share it with others
    differently (a fresh grouping renumbers events, so compare the co-members)."""

    def members(assign: dict[int, int | None]) -> dict[int, frozenset[int]]:
        groups: dict[int, set[int]] = {}
        for doc, event in assign.items():
            if event is not None:
                groups.setdefault(event, set()).add(doc)
        return {doc: frozenset(groups[e]) for doc, e in assign.items() if e is not None}

    old = members(before)
    new = members({d.id: d.event_id for d in workspace.documents() if d.id in before})
    return sorted(doc for doc in old if new.get(doc) != old[doc])


class AlignStage:
    """Align every pair of documents within each event (auto mode), and mine pairs of
    documents of different events of one thread (comparable mode) for what they share."""

    name = "align"

    def __init__(self, holder: EmbedderHolder):
        self.holder = holder

    def __call__(self, workspace: Workspace, progress: Progress | None) -> StageReport:
        pairs = event_pairs(workspace) + thread_pairs(workspace)
        if not pairs:
            return StageReport(self.name, "no thread has two documents: nothing to align")
        try:
            embedder = self.holder.get(workspace)
        except EmbedError as error:
            return StageReport(self.name, "not aligned", [str(error)])
        dropped = sync_alignments_with_events(workspace, pairs)
        counts = {"parallel": 0, "comparable": 0, "kept": 0, "resumed": 0, "busy": 0, "thread": 0}
        links = mined = 0
        warnings: list[str] = []
        embedder.progress = None  # the bar counts pairs here, not the windows they embed
        work = list(accumulate(pair_work(*pair) for pair in pairs))
        with JobClaims(workspace) as claims:
            for done, (event_id, src, tgt) in enumerate(pairs):
                if progress:  # pairs, counted by their expected work
                    finished = work[done - 1] if done else 0
                    label = f"aligning {src.id}-{tgt.id}"
                    progress(weighted(finished, work[-1], len(pairs)), len(pairs), label)
                kind = "event" if event_id is not None else "thread"
                unit = align_job(src.id, tgt.id, embedder.key, kind)
                state = claims.claim(unit)
                if state != "claimed":
                    counts["resumed" if state == "done" else "busy"] += 1
                    continue
                outcome = self._align_claimed(workspace, embedder, event_id, src, tgt, unit)
                if isinstance(outcome, str):
                    warnings.append(outcome)
                elif outcome is None:
                    counts["kept"] += 1
                elif kind == "event":
                    counts[outcome[0]] += 1
                    links += outcome[1]
                else:
                    counts["thread"] += 1
                    mined += outcome[1]
        summary = (
            f"{counts['parallel'] + counts['comparable']} document pairs aligned "
            f"({counts['parallel']} parallel, {counts['comparable']} comparable)"
        )
        summary += f", {links} links"
        if counts["thread"]:
            summary += (
                f"; {counts['thread']} pairs of related events mined, {mined} links kept"
                f" (confidence {MINED_EVIDENCE:g} or more: likely to state the same fact)"
            )
        if counts["resumed"]:
            summary += f"; {counts['resumed']} done before"
        if counts["kept"]:
            summary += f"; {counts['kept']} edited by a user, kept"
        if counts["busy"]:
            summary += f"; {counts['busy']} being aligned by another run"
        if dropped:
            summary += f"; {dropped} alignments of documents no longer in one event removed"
        return StageReport(self.name, summary, warnings)

    @staticmethod
    def _align_claimed(
        workspace: Workspace,
        embedder: CachedEmbedder,
        event_id: int | None,
        src: DocumentRow,
        tgt: DocumentRow,
        unit: JobUnit,
    ) -> tuple[str, int] | str | None:
        """Align a pair this run has claimed: ``(mode, links)``, a warning, or None when a
        user's edits keep the stored alignment (then the claim is released, not done)."""
        if workspace.alignment_has_user_edits(src.id, tgt.id):
            return None
        try:
            result = align_pair(workspace, embedder, event_id, src, tgt)
        except AlignError as error:
            workspace.record_job(unit, "failed", str(error))
            return f"documents {src.id} and {tgt.id}: {error}"
        if result is not None:
            workspace.record_job(unit, "done", result[0])
        return result


THREAD_PAIR_WORK = 0.02
"""A pair of related events costs this share of an event pair of the same length: it is
mined from sentence vectors already cached, while an event pair may be parallel and embed
windows (measured on the TICO-19 story corpus: 67 thread pairs took 0.2 s, 131 event pairs
49 s)."""


def pair_work(event_id: int | None, src: DocumentRow, tgt: DocumentRow) -> float:
    """Expected cost of aligning a pair, in sentences, for an honest time-left estimate."""
    sentences = src.sentences + tgt.sentences
    return sentences if event_id is not None else sentences * THREAD_PAIR_WORK


def align_job(src_doc: int, tgt_doc: int, embedder_key: str, kind: str) -> JobUnit:
    """The job of one aligned document pair: ``kind`` is ``event`` (aligned as one
    happening) or ``thread`` (mined as related events), so a pair regrouped from one to the
    other is aligned again; so is a pair when the embedder changes."""
    return JobUnit("align", src_doc, tgt_doc, embedder=embedder_key, kind=kind)


def realign_event(workspace: Workspace, event_id: int, embedder: str | None = None) -> str:
    """Align the document pairs of one event again (alignments a user edited stay), with
    the workspace's embedder unless another is given."""
    embedder = embedder or workspace_embedder(workspace)
    workspace.forget_align_jobs(
        (src.id, tgt.id) for event, src, tgt in event_pairs(workspace) if event == event_id
    )
    report = AlignStage(EmbedderHolder(embedder))(workspace, None)
    if report.summary.startswith("not aligned"):
        return report.summary + "".join(f"; {w}" for w in report.warnings)
    return event_alignment_summary(workspace, event_id)


def event_alignment_summary(workspace: Workspace, event_id: int) -> str:
    """What one event's pairs hold now, in words (a re-align reports this, not the whole
    workspace's stage)."""
    rows = [a for a in workspace.alignment_rows() if a.event_id == event_id]
    if not rows:
        return f"event {event_id}: no pair of documents to align"
    kinds = Counter(a.mode for a in rows)
    links = sum(
        1 for a in rows for link in workspace.alignment_links(a.id) if link.src_ids and link.tgt_ids
    )
    kept = sum(1 for a in rows if workspace.alignment_has_user_edits(a.src_doc, a.tgt_doc))
    pairs = "pair" if len(rows) == 1 else "pairs"
    text = (
        f"event {event_id}: {len(rows)} document {pairs} aligned ("
        + ", ".join(f"{n} {mode}" for mode, n in sorted(kinds.items()))
        + f"), {links} links"
    )
    return text + (f"; {kept} edited by a user, kept" if kept else "")


def event_pairs(workspace: Workspace) -> list[tuple[int, DocumentRow, DocumentRow]]:
    """Document pairs that share an event; English last, so translations can help."""
    by_event: dict[int, list[DocumentRow]] = {}
    for doc in workspace.documents():
        if doc.event_id is not None and doc.sentences:
            by_event.setdefault(doc.event_id, []).append(doc)
    pairs = []
    for event_id, docs in sorted(by_event.items()):
        ordered = sorted(docs, key=lambda d: (d.lang == "en", d.id))
        pairs += [(event_id, a, b) for a, b in combinations(ordered, 2)]
    return pairs


def thread_pairs(workspace: Workspace) -> list[tuple[None, DocumentRow, DocumentRow]]:
    """Document pairs of different events of one thread (``None`` in the event's place)."""
    thread_of = {e.id: e.thread_id for e in workspace.events()}
    by_thread: dict[int, list[DocumentRow]] = {}
    for doc in workspace.documents():
        thread = thread_of.get(doc.event_id) if doc.event_id is not None else None
        if thread is not None and doc.sentences:
            by_thread.setdefault(thread, []).append(doc)
    pairs = []
    for _, docs in sorted(by_thread.items()):
        ordered = sorted(docs, key=lambda d: (d.lang == "en", d.id))
        pairs += [(None, a, b) for a, b in combinations(ordered, 2) if a.event_id != b.event_id]
    return pairs


def sync_alignments_with_events(workspace: Workspace, pairs) -> int:
    """After regrouping: point each kept alignment at its pair's event (none for a pair of
    related events), and remove automatic alignments of documents that no longer share an
    event or a thread (edited ones are kept)."""
    return workspace.regroup_alignments(
        {(src.id, tgt.id): event_id for event_id, src, tgt in pairs}
    )


MINED_EVIDENCE = SHOWN_CONFIDENCE
"""Links mined between documents of related events are stored only when this confident:
a reader would more likely than not judge them to state the same fact. Otherwise every
pair of related events filled the workspace with best matches that say different things
(on the seeds: 25 links, all under 0.07); a pair without such a link keeps none."""


def align_pair(
    workspace: Workspace,
    embedder: CachedEmbedder,
    event_id: int | None,
    src: DocumentRow,
    tgt: DocumentRow,
) -> tuple[str, int] | None:
    """Align one pair and store its links: ``(mode, links)``, or None when a user edited
    the pair's alignment meanwhile (the save re-checks inside its transaction and keeps the
    edits). Auto mode within an event; between events of a thread, comparable mining
    (documents of different happenings share a sentence only when it states the same
    fact; every other mined link keeps its low confidence, and exports leave it out by
    default)."""
    source = [s.text for s in workspace.sentences(src.id)]
    target = [s.text for s in workspace.sentences(tgt.id)]
    english = None
    if tgt.lang == "en" and src.lang != "en":
        translated = real_translations(workspace, src.id)
        english = [translated.get(i) for i in range(len(source))] if translated else None
    mode = "auto" if event_id is not None else "comparable"
    result = align_documents(
        source, target, embedder, mode, src_english=english, src_lang=src.lang, tgt_lang=tgt.lang
    )
    links = result.links
    if event_id is None:  # different happenings: keep only pairs that state the same fact
        links = [x for x in links if (x.confidence or 0) >= MINED_EVIDENCE]
        if not links:
            kept = workspace.remove_auto_alignment(src.id, tgt.id)
            return None if kept is None else (result.mode, 0)
    saved = workspace.save_alignment(
        event_id=event_id,
        src_doc=src.id,
        tgt_doc=tgt.id,
        mode=result.mode,
        method=f"workbench-{result.mode}" if event_id is not None else "workbench-thread",
        params={"embedder": embedder.key, "reason": result.reason},
        links=[
            (list(link.src), list(link.tgt), link.score, link.link_type, link.confidence)
            for link in links
        ],
    )
    return None if saved is None else (result.mode, len(links))


def default_stages(
    embedder: str = DEFAULT_EMBEDDER, engine: Engine | None = None, loaded: Embedder | None = None
) -> list:
    """Translate, group events, align; ``engine`` says where translation and embedding run,
    ``loaded`` is the embedder's model when the caller has loaded it already."""
    from .translate import TranslateStage

    holder = EmbedderHolder(embedder, engine, loaded)
    return [TranslateStage(engine=engine), EventsStage(holder), AlignStage(holder)]
