"""``workbench eval app``: how fast the parallel view renders and saves an edit.

A workspace with one alignment of N links is built directly (two documents of
N sentences, linked 1:1 with made-up scores; no model needed), then the app is
driven by streamlit's AppTest: time to the first render of the parallel view,
and time from a click on "Confirm" to the rerun that shows the saved edit.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from workbench.document import Document, Sentence, Source
from workbench.store import Workspace


@dataclass
class AppRun:
    links: int
    first_render: float
    edit_round_trip: float


def build_workspace(path: Path, links: int, src: list[str], tgt: list[str]) -> Workspace:
    ws = Workspace(path)
    add_aligned_pair(ws, src[:links], tgt[:links], ("ar", "en"))
    return ws


def add_aligned_pair(ws: Workspace, src: list[str], tgt: list[str], langs: tuple[str, str]) -> int:
    """Two documents (one sentence per line) in one event, aligned 1:1 line by line;
    returns the alignment's id. For benchmarks and tests: no model is involved."""
    source_id = ws.add_source(
        Source(
            path="/bench.txt",
            text="",
            format="txt",
            encoding="utf-8",
            content_hash=f"bench-{len(src)}-{len(tgt)}",
            size=0,
        )
    )
    ids = []
    for part, (lang, lines) in enumerate(zip(langs, (src, tgt), strict=True)):
        doc = Document(text="", source_start=0, lang=lang, part=part, title=f"bench {lang}")
        doc.sentences = [
            Sentence(text=line, start=0, end=0, norm=line, lang=lang, position=k)
            for k, line in enumerate(lines)
        ]
        ids.append(ws.add_document(source_id, doc, path="/bench.txt"))
    event = ws.move_document(ids[0], None, "bench")  # one event holding both documents
    ws.move_document(ids[1], event)
    return ws.save_alignment(
        event_id=event,
        src_doc=ids[0],
        tgt_doc=ids[1],
        mode="parallel",
        method="bench",
        params={},
        links=[
            ([k], [k], 0.2 + (k % 7) / 10, "1-1", (k % 10) / 10)
            for k in range(min(len(src), len(tgt)))
        ],
    )


def app_benchmark(workspace: Workspace, app_file: Path) -> AppRun:
    from streamlit.testing.v1 import AppTest

    os.environ["WORKBENCH_WORKSPACE"] = str(workspace.path)
    start = time.perf_counter()
    app = AppTest.from_file(str(app_file), default_timeout=300)
    app.query_params["page"] = "Parallel view"
    app.run()
    first = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(str(app.exception[0].value))
    start = time.perf_counter()
    app.button(key="pv_next_unc").click().run()
    app.button(key="ed_confirm").click().run()
    round_trip = (time.perf_counter() - start) / 2  # two reruns: navigate, then save and show
    statuses = Counter(link.status for link in workspace.export_links(include_rejected=True))
    if statuses.get("confirmed") != 1:
        raise RuntimeError("the edit was not saved")
    links = sum(statuses.values())
    return AppRun(links, first, round_trip)
