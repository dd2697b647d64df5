"""How work reports its progress (:class:`Progress`), and the time left in a stage of
``workbench run``, for the CLI's bar and the app's.

The pipeline reports ``progress(done, total, label)`` in units proportional to the work
(the embedder weighs each text by its length, alignment each document pair by its
sentences), so the stage's own rate so far is an honest predictor of the rest: a stage's
estimate is its remaining units divided by the units per second it has managed since it
began. Nothing is shown until the stage has run a few seconds and done a little of its
work, since a rate from the first batch is noise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    """``progress(done, total, label)``: called as work advances, in units proportional to
    the work (texts, pairs, vectors), ``label`` saying what is being done ("" when the
    caller has nothing to add). Every producer (ingestion, the stages, the embedder, the
    translator, the Ray engine, corpus mining) calls one, and every consumer (the CLI's
    bars, the app's bar) is one."""

    def __call__(self, done: int, total: int, label: str = "") -> None: ...


def labelled(progress: Progress | None, label: str) -> Progress | None:
    """``progress`` with every report labelled ``label`` (a stage naming the work it hands
    to the embedder or translator); None stays None."""
    if progress is None:
        return None

    def report(done: int, total: int, _label: str = "") -> None:
        progress(done, total, label)

    return report


class TimeLeft:
    """Seconds left in the current stage; a new stage begins when the total changes or the
    count goes back."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, settle: float = 3.0):
        self.clock, self.settle = clock, settle
        self.total: int | None = None
        self.start_time = 0.0
        self.start_done = 0
        self.last_done = 0

    def __call__(self, done: int, total: int) -> float | None:
        now = self.clock()
        if total != self.total or done < self.last_done:
            self.total, self.start_time, self.start_done = total, now, done
        self.last_done = done
        elapsed, progressed = now - self.start_time, done - self.start_done
        if not total or elapsed < self.settle or progressed <= 0 or done >= total:
            return None
        if progressed < 0.02 * total and elapsed < 4 * self.settle:
            return None
        return (total - done) * elapsed / progressed


def describe(seconds: float | None) -> str:
    """``about 40 s left``, ``about 3 min left``, ``about 1.5 h left``, or nothing."""
    if seconds is None:
        return ""
    if seconds < 90:
        return f"about {max(5, round(seconds / 5) * 5)} s left"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


def weighted(done_weight: float, total_weight: float, total_items: int) -> int:
    """Progress in items, counted by weight: ``done_weight`` of ``total_weight`` as a share
    of ``total_items`` (so a bar still reads in texts or pairs, and ends exactly)."""
    if total_weight <= 0:
        return total_items
    return min(total_items, round(total_items * done_weight / total_weight))
