"""The later stages of ``workbench run``: events, then alignment within each event.

Both read what the workspace holds and write their own tables; each document
pair is aligned in one transaction and recorded in ``jobs``, so an interrupted
run resumes with the pairs not yet done. Alignments a user has edited are
never replaced.
"""

from __future__ import annotations

from itertools import combinations

from .align import AlignError, align_documents
from .distribute import Engine
from .embed import DEFAULT_EMBEDDER, CachedEmbedder, EmbedError, load_embedder
from .events import assign_events
from .export import real_translations
from .model import StageReport
from .store import DocumentRow, Workspace


class _EmbedderHolder:
    """Loads the embedder once, on first use, for the stages of one run."""

    def __init__(self, spec: str, engine: Engine | None = None):
        self.spec, self.engine = spec, engine
        self._embedder: CachedEmbedder | None = None

    def get(self, workspace: Workspace) -> CachedEmbedder:
        if self._embedder is None or self._embedder.workspace is not workspace:
            self._embedder = CachedEmbedder(
                load_embedder(self.spec, workspace=workspace.path), workspace, self.engine
            )
        return self._embedder


class EventsStage:
    """Group documents into events whenever the set of documents changed."""

    name = "events"

    def __init__(self, holder: _EmbedderHolder):
        self.holder = holder

    def __call__(self, workspace: Workspace, progress) -> StageReport:
        docs = [d for d in workspace.documents() if d.sentences]
        signature = ",".join(str(d.id) for d in docs)
        if workspace.get_setting("events.documents") == signature:
            return StageReport(self.name, "unchanged since the last run")
        try:
            embedder = self.holder.get(workspace)
        except EmbedError as error:
            return StageReport(self.name, "not grouped", [str(error)])
        if progress:
            embedder.progress = lambda d, t: progress(d, t, "embedding sentences")
        groups = assign_events(workspace, embedder)
        workspace.set_setting("events.documents", signature)
        shared = sum(1 for g in groups if len(g.document_ids) > 1)
        return StageReport(
            self.name, f"{len(groups)} events ({shared} with more than one document)"
        )


class AlignStage:
    """Align every pair of documents within each event (auto mode), storing every link."""

    name = "align"

    def __init__(self, holder: _EmbedderHolder):
        self.holder = holder

    def __call__(self, workspace: Workspace, progress) -> StageReport:
        pairs = event_pairs(workspace)
        if not pairs:
            return StageReport(self.name, "no event has two documents: nothing to align")
        try:
            embedder = self.holder.get(workspace)
        except EmbedError as error:
            return StageReport(self.name, "not aligned", [str(error)])
        dropped = sync_alignments_with_events(workspace, pairs)
        counts = {"parallel": 0, "comparable": 0, "kept": 0, "resumed": 0}
        links = 0
        warnings = []
        for done, (event_id, src, tgt) in enumerate(pairs):
            if progress:
                progress(done, len(pairs), f"aligning {src.id}-{tgt.id}")
            key = align_job_key(src.id, tgt.id, embedder.key)
            if workspace.job_state("align", key) == "done":
                counts["resumed"] += 1
                continue
            if workspace.alignment_has_user_edits(src.id, tgt.id):
                counts["kept"] += 1
                continue
            try:
                mode, stored = align_pair(workspace, embedder, event_id, src, tgt)
            except AlignError as error:
                warnings.append(f"documents {src.id} and {tgt.id}: {error}")
                workspace.record_job("align", key, "failed", str(error))
                continue
            workspace.record_job("align", key, "done", mode)
            counts[mode] += 1
            links += stored
        summary = (
            f"{counts['parallel'] + counts['comparable']} document pairs aligned "
            f"({counts['parallel']} parallel, {counts['comparable']} comparable), {links} links"
        )
        if counts["resumed"]:
            summary += f"; {counts['resumed']} done before"
        if counts["kept"]:
            summary += f"; {counts['kept']} edited by a user, kept"
        if dropped:
            summary += f"; {dropped} alignments of documents no longer in one event removed"
        return StageReport(self.name, summary, warnings)


def align_job_key(src_doc: int, tgt_doc: int, embedder_key: str = "") -> str:
    """The ``jobs`` key of one aligned document pair (without the embedder: its prefix)."""
    return f"{src_doc}-{tgt_doc}|{embedder_key}"


def forget_align_jobs(conn, src_doc: int, tgt_doc: int) -> None:
    """Make the next run align this pair again, whatever embedder did it before."""
    conn.execute(
        "DELETE FROM jobs WHERE stage = 'align' AND key LIKE ? || '%'",
        (align_job_key(src_doc, tgt_doc),),
    )


def realign_event(workspace: Workspace, event_id: int, embedder: str = DEFAULT_EMBEDDER) -> str:
    """Align the document pairs of one event again (alignments a user edited stay)."""
    with workspace.transaction() as conn:
        for event, src, tgt in event_pairs(workspace):
            if event == event_id:
                forget_align_jobs(conn, src.id, tgt.id)
    return AlignStage(_EmbedderHolder(embedder))(workspace, None).summary


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


def sync_alignments_with_events(workspace: Workspace, pairs) -> int:
    """After regrouping: point each kept alignment at its pair's event, and remove automatic
    alignments of documents that no longer share an event (edited ones are kept)."""
    wanted = {(src.id, tgt.id): event_id for event_id, src, tgt in pairs}
    removed = 0
    with workspace.transaction() as conn:
        for row in conn.execute("SELECT id, src_doc, tgt_doc FROM alignments").fetchall():
            event_id = wanted.get((row["src_doc"], row["tgt_doc"]))
            if event_id is not None:
                conn.execute(
                    "UPDATE alignments SET event_id = ? WHERE id = ?", (event_id, row["id"])
                )
            elif not workspace.alignment_has_user_edits(row["src_doc"], row["tgt_doc"]):
                conn.execute("DELETE FROM alignments WHERE id = ?", (row["id"],))
                forget_align_jobs(conn, row["src_doc"], row["tgt_doc"])
                removed += 1
    return removed


def align_pair(
    workspace: Workspace,
    embedder: CachedEmbedder,
    event_id: int,
    src: DocumentRow,
    tgt: DocumentRow,
) -> tuple[str, int]:
    source = [s.text for s in workspace.sentences(src.id)]
    target = [s.text for s in workspace.sentences(tgt.id)]
    english = None
    if tgt.lang == "en" and src.lang != "en":
        translated = real_translations(workspace, src.id)
        english = [translated.get(i) for i in range(len(source))] if translated else None
    result = align_documents(
        source, target, embedder, "auto", src_english=english, src_lang=src.lang, tgt_lang=tgt.lang
    )
    workspace.save_alignment(
        event_id=event_id,
        src_doc=src.id,
        tgt_doc=tgt.id,
        mode=result.mode,
        method=f"workbench-{result.mode}",
        params={"embedder": embedder.key, "reason": result.reason},
        links=[
            (list(link.src), list(link.tgt), link.score, link.link_type) for link in result.links
        ],
    )
    return result.mode, len(result.links)


def default_stages(embedder: str = DEFAULT_EMBEDDER, engine: Engine | None = None) -> list:
    """Translate, group events, align; ``engine`` says where translation and embedding run."""
    from .translate import TranslateStage

    holder = _EmbedderHolder(embedder, engine)
    return [TranslateStage(engine=engine), EventsStage(holder), AlignStage(holder)]
